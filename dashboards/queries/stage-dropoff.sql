-- stage-dropoff: per stage, over the applications that arrived in [from, to) (by applied_at):
-- how many entered the stage, how many advanced from it (or were hired from it), how many
-- dropped there (their latest status is rejected or withdrawn and they are in that stage: an
-- application unrejected later is not dropped), and dropped/entered.
-- Deleted applications and prospects are not counted.
SELECT
    stage,
    toUInt64(uniqExact(application_id)) AS entered,
    toUInt64(uniqExactIf(application_id, exit_kind IN ('advanced', 'hired'))) AS advanced,
    toUInt64(uniqExactIf(application_id, application_status IN ('rejected', 'withdrawn') AND current_stage = stage)) AS dropped,
    round(uniqExactIf(application_id, application_status IN ('rejected', 'withdrawn') AND current_stage = stage) / uniqExact(application_id), 4) AS dropoff_rate
FROM {db}.stage_intervals
WHERE application_status != 'deleted'
    AND prospect = 0
    AND applied_at >= @from AND applied_at < @to
    AND (@job_id = '' OR job_id = @job_id)
    AND (@department = '' OR department = @department)
    AND (@source_channel = '' OR source_channel = @source_channel)
GROUP BY stage
ORDER BY entered DESC, stage
