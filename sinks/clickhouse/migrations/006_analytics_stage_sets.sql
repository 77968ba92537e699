-- 006: the distinct stages an application entered, and those it left forward (advanced or
-- hired), computed by the server from the stint arrays, so stage-dropoff counts them without
-- evaluating lambdas over every row under FINAL.
ALTER TABLE {db}.application_state ADD COLUMN entered_stage_keys Array(UInt64) MATERIALIZED arrayDistinct(stint_stage_key);

ALTER TABLE {db}.application_state ADD COLUMN advanced_stage_keys Array(UInt64) MATERIALIZED arrayDistinct(arrayFilter((k, x) -> x IN ('advanced', 'hired'), stint_stage_key, stint_exit_kind));
