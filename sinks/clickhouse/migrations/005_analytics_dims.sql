-- 005: the filter dimensions of an application (job, department, source channel) as one UInt64,
-- computed by the server, so the metrics filter and group on a number under FINAL (strings are
-- what 18.16's single-threaded FINAL spends its time on). application_dims lists every
-- combination the model has seen, with the same key: a filter is
--   dims_key IN (SELECT dims_key FROM {db}.application_dims WHERE (@job_id = '' OR job_id = @job_id) ...)
ALTER TABLE {db}.application_state ADD COLUMN dims_key UInt64 MATERIALIZED cityHash64(job_id, department, source_channel);

CREATE TABLE IF NOT EXISTS {db}.application_dims
(
    job_id         String,
    department     String,
    source_channel String,
    dims_key       UInt64 MATERIALIZED cityHash64(job_id, department, source_channel)
)
ENGINE = ReplacingMergeTree()
ORDER BY (job_id, department, source_channel)
SETTINGS index_granularity = 8192;
