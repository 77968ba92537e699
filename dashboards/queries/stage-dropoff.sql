-- stage-dropoff: per stage, over the applications that arrived in [from, to) (by applied_at):
-- how many entered the stage, how many advanced from it (or were hired from it), how many
-- dropped there (their latest status is rejected or withdrawn and they are in that stage: an
-- application unrejected later is not dropped), and dropped/entered.
-- Deleted applications and prospects are not counted. Each application contributes each stage
-- once (entered_stage_keys and advanced_stage_keys are the distinct stage keys of its stints,
-- migration 006), so plain counts are exact distinct counts.
SELECT stage, entered, advanced, dropped, dropoff_rate
FROM
(
    SELECT
        stage_key,
        toUInt64(count()) AS entered,
        toUInt64(sum(has(advanced_stage_keys, stage_key))) AS advanced,
        toUInt64(sum(status IN ('rejected', 'withdrawn') AND current_stage_key = stage_key)) AS dropped,
        round(sum(status IN ('rejected', 'withdrawn') AND current_stage_key = stage_key) / count(), 4) AS dropoff_rate
    FROM
    (
        SELECT status, current_stage_key, entered_stage_keys, advanced_stage_keys
        FROM {db}.application_state FINAL
        WHERE status != 'deleted'
            AND prospect = 0
            AND applied_at >= @from AND applied_at < @to
            AND dims_key IN
                (
                    SELECT dims_key
                    FROM {db}.application_dims
                    WHERE (@job_id = '' OR job_id = @job_id)
                        AND (@department = '' OR department = @department)
                        AND (@source_channel = '' OR source_channel = @source_channel)
                )
    )
    ARRAY JOIN entered_stage_keys AS stage_key
    GROUP BY stage_key
) AS per_stage
ANY LEFT JOIN
(
    SELECT stage_key, any(stage) AS stage
    FROM {db}.stage_names
    GROUP BY stage_key
) AS names USING (stage_key)
ORDER BY entered DESC, stage
