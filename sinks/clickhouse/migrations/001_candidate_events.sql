-- Every canonical candidate event, one row per event_id. Duplicates from at-least-once delivery
-- and replays share the event_id (and so the sorting key) and collapse in ReplacingMergeTree
-- merges; queries that must be exact before a merge use FINAL, uniqExact(event_id) or argMax.
-- Contact fields (names, emails) are deliberately absent.
CREATE TABLE IF NOT EXISTS {db}.candidate_events
(
    event_id            String,
    event_type          String,
    occurred_at         DateTime('UTC'),
    recorded_at         DateTime('UTC'),
    source_system       String,
    source_event_id     String,
    candidate_id        String,
    application_id      String,
    job_id              String,
    causation_id        String,
    stage_from          String,
    stage_from_derived  UInt8,
    stage_to            String,
    status              String,
    prospect            UInt8,
    source_channel      String,
    source_name         String,
    rejection_reason    String,
    rejection_type      String,
    applied_at          Nullable(DateTime('UTC')),
    job_title           String,
    department          String,
    office              String,
    offer_id            String,
    offer_version       Int32,
    offer_status        String,
    salary_amount_minor Int64,
    salary_currency     String,
    salary_pay_period   String,
    start_date          Nullable(Date),
    employment_type     String,
    merged_into_candidate_id String,
    unrecognized_action String,
    kafka_partition     Int32,
    kafka_offset        Int64,
    inserted_at         DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (event_type, candidate_id, event_id)
SETTINGS index_granularity = 8192;
