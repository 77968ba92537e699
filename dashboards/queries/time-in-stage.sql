-- time-in-stage: per stage, over the stints entered in [from, to): completed stints
-- (transitions), the exact median and 90th percentile of their durations in seconds, and the
-- stints still open now. Deleted applications and prospects are not counted.
SELECT
    stage,
    toUInt64(countIf(exited_at IS NOT NULL)) AS transitions,
    quantileExact(0.5)(duration_seconds) AS median_seconds,
    quantileExact(0.9)(duration_seconds) AS p90_seconds,
    toUInt64(countIf(exited_at IS NULL)) AS open_now
FROM {db}.stage_intervals
WHERE application_status != 'deleted'
    AND prospect = 0
    AND entered_at >= @from AND entered_at < @to
    AND (@job_id = '' OR job_id = @job_id)
    AND (@department = '' OR department = @department)
    AND (@source_channel = '' OR source_channel = @source_channel)
GROUP BY stage
ORDER BY count() DESC, stage
