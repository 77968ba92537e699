-- source-attribution: per source channel, the applications that arrived in [from, to)
-- (by applied_at), how many of them got an offer, how many were hired, and hires/applications.
-- Deleted applications and prospects are not counted. See dashboards/README.md.
-- (Counted per dims_key, a number, then named from application_dims: 18.16's FINAL is much
-- faster on numbers than on strings.)
SELECT
    source_channel,
    toUInt64(sum(n)) AS applications,
    toUInt64(sum(o)) AS offers,
    toUInt64(sum(h)) AS hires,
    round(sum(h) / sum(n), 4) AS hire_rate
FROM
(
    SELECT dims_key, count() AS n, countIf(has_offer = 1) AS o, countIf(status = 'hired') AS h
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
    GROUP BY dims_key
) AS per_dims
ANY LEFT JOIN
(
    SELECT dims_key, any(source_channel) AS source_channel
    FROM {db}.application_dims
    GROUP BY dims_key
) AS dims USING (dims_key)
GROUP BY source_channel
ORDER BY applications DESC, source_channel
