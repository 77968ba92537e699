-- time-to-hire: hires made in [from, to) (by hired_at), per department (job_id = '') and per
-- job within it, with the exact median and 90th percentile of applied_at -> hired_at in days
-- (rounded to 2 decimals). Deleted applications and prospects are not counted.
SELECT department, job_id, hires, median_days, p90_days
FROM
(
    SELECT
        d AS department,
        '' AS job_id,
        toUInt64(count()) AS hires,
        round(quantileExact(0.5)(days), 2) AS median_days,
        round(quantileExact(0.9)(days), 2) AS p90_days
    FROM
    (
        SELECT department AS d, job_id AS j, days_to_hire AS days
        FROM
        (
            SELECT dims_key, days_to_hire
            FROM {db}.application_state FINAL
            WHERE status = 'hired'
                AND prospect = 0
                AND hired_at >= @from AND hired_at < @to
                AND dims_key IN
            (
                SELECT dims_key
                FROM {db}.application_dims
                WHERE (@job_id = '' OR job_id = @job_id)
                    AND (@department = '' OR department = @department)
                    AND (@source_channel = '' OR source_channel = @source_channel)
            )
        ) AS hired
        ANY LEFT JOIN
        (
            SELECT dims_key, any(job_id) AS job_id, any(department) AS department
            FROM {db}.application_dims
            GROUP BY dims_key
        ) AS dims USING (dims_key)
    )
    GROUP BY d
    UNION ALL
    SELECT
        d AS department,
        j AS job_id,
        toUInt64(count()) AS hires,
        round(quantileExact(0.5)(days), 2) AS median_days,
        round(quantileExact(0.9)(days), 2) AS p90_days
    FROM
    (
        SELECT department AS d, job_id AS j, days_to_hire AS days
        FROM
        (
            SELECT dims_key, days_to_hire
            FROM {db}.application_state FINAL
            WHERE status = 'hired'
                AND prospect = 0
                AND hired_at >= @from AND hired_at < @to
                AND dims_key IN
            (
                SELECT dims_key
                FROM {db}.application_dims
                WHERE (@job_id = '' OR job_id = @job_id)
                    AND (@department = '' OR department = @department)
                    AND (@source_channel = '' OR source_channel = @source_channel)
            )
        ) AS hired
        ANY LEFT JOIN
        (
            SELECT dims_key, any(job_id) AS job_id, any(department) AS department
            FROM {db}.application_dims
            GROUP BY dims_key
        ) AS dims USING (dims_key)
    )
    GROUP BY d, j
)
ORDER BY department, job_id
