-- One row per HRIS sync outcome (hris.sync_succeeded / hris.sync_failed on hirestream.hris-sync.v1),
-- written by the sink's second consumer. An outcome re-published after a crash has the same
-- event_id (derived from the processor and its trigger), so duplicates collapse in
-- ReplacingMergeTree merges; count exactly with FINAL or uniqExact(event_id).
--
-- occurred_at is when the sync ended (verified or gave up); latency_ms runs from the capture of
-- the triggering webhook to then. diff_* are parallel arrays: on a failure, the field, what the
-- offer says and what the HRIS holds (or, for validation, the rule); on a success, the fields
-- the sync changed on an existing employee, after (expected) and before (actual). Personal
-- values (names, emails) arrive masked ("masked:<digest>").
--
-- Sync error rate per day and per target:
--   SELECT toDate(occurred_at) AS day, target, count() AS syncs,
--          countIf(event_type = 'hris.sync_failed') AS failed, round(failed / syncs, 4) AS error_rate
--   FROM {db}.hris_syncs FINAL GROUP BY day, target ORDER BY day, target
CREATE TABLE IF NOT EXISTS {db}.hris_syncs
(
    event_id        String,
    event_type      String,
    occurred_at     DateTime('UTC'),
    recorded_at     DateTime('UTC'),
    candidate_id    String,
    application_id  String,
    job_id          String,
    causation_id    String,
    target          String,
    employee_id     String,
    attempts        Int32,
    latency_ms      Int64,
    error           String,
    diff_field      Array(String),
    diff_expected   Array(String),
    diff_actual     Array(String),
    kafka_partition Int32,
    kafka_offset    Int64,
    inserted_at     DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (target, candidate_id, event_id)
SETTINGS index_granularity = 8192;
