-- source-attribution: per source channel, the applications that arrived in [from, to)
-- (by applied_at), how many of them got an offer, how many were hired, and hires/applications.
-- Deleted applications and prospects are not counted. See dashboards/README.md.
SELECT
    source_channel,
    toUInt64(count()) AS applications,
    toUInt64(countIf(has_offer = 1)) AS offers,
    toUInt64(countIf(status = 'hired')) AS hires,
    round(countIf(status = 'hired') / count(), 4) AS hire_rate
FROM {db}.applications
WHERE status != 'deleted'
    AND prospect = 0
    AND applied_at >= @from AND applied_at < @to
    AND (@job_id = '' OR job_id = @job_id)
    AND (@department = '' OR department = @department)
    AND (@source_channel = '' OR source_channel = @source_channel)
GROUP BY source_channel
ORDER BY applications DESC, source_channel
