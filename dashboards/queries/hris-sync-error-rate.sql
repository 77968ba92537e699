-- hris-sync-error-rate: per HRIS target, the candidates whose latest sync in [from, to)
-- succeeded (candidates_synced) or failed (candidates_failed), and failed/(synced + failed).
-- A candidate retried until it succeeded counts as synced. job_id, department and
-- source_channel keep the syncs of hires whose application matches (the subquery is
-- constant-false, so not run, when no such filter is set).
SELECT
    target,
    toUInt64(countIf(last_type = 'hris.sync_succeeded')) AS candidates_synced,
    toUInt64(countIf(last_type = 'hris.sync_failed')) AS candidates_failed,
    round(countIf(last_type = 'hris.sync_failed') / count(), 4) AS error_rate
FROM
(
    SELECT target, candidate_id, argMax(event_type, tuple(occurred_at, event_id)) AS last_type
    FROM {db}.hris_syncs FINAL
    WHERE occurred_at >= @from AND occurred_at < @to
        AND (@job_id = '' AND @department = '' AND @source_channel = ''
            OR application_id IN
            (
                SELECT application_id
                FROM {db}.application_state FINAL
                WHERE (@job_id != '' OR @department != '' OR @source_channel != '')
                    AND dims_key IN
                    (
                        SELECT dims_key
                        FROM {db}.application_dims
                        WHERE (@job_id = '' OR job_id = @job_id)
                            AND (@department = '' OR department = @department)
                            AND (@source_channel = '' OR source_channel = @source_channel)
                    )
            ))
    GROUP BY target, candidate_id
)
GROUP BY target
ORDER BY target
