-- 004: the analytics model of 003 in a layout that 18.16 reads faster under FINAL (measured on
-- 10M events: time-in-stage 1.9 s -> under 1 s). Stages are also kept as UInt64 keys (stage_names
-- maps them back), exit kinds and statuses are Enum8, so FINAL moves numbers instead of strings.
-- The rows of 003's application_state are dropped: after migrating an existing database, run
-- `hirestream replay` to rebuild the model (the sink also rebuilds every application it touches).
DROP TABLE IF EXISTS {db}.stage_intervals;
DROP TABLE IF EXISTS {db}.applications;
DROP TABLE IF EXISTS {db}.application_state;

-- Stage names by key (the first 8 bytes of SHA-256 of the name, big-endian).
CREATE TABLE IF NOT EXISTS {db}.stage_names
(
    stage_key UInt64,
    stage     String
)
ENGINE = ReplacingMergeTree()
ORDER BY stage_key
SETTINGS index_granularity = 8192;

CREATE TABLE IF NOT EXISTS {db}.application_state
(
    application_id         String,
    candidate_id           String,
    job_id                 String,
    job_title              String,
    department             String,
    source_channel         String,
    prospect               UInt8,
    status                 Enum8('active' = 1, 'rejected' = 2, 'withdrawn' = 3, 'hired' = 4, 'deleted' = 5),
    current_stage          String,
    current_stage_key      UInt64,
    applied_at             DateTime('UTC'),
    first_offer_at         Nullable(DateTime('UTC')),
    offer_accepted_at      Nullable(DateTime('UTC')),
    offer_declined_at      Nullable(DateTime('UTC')),
    has_offer              UInt8,
    hired_at               Nullable(DateTime('UTC')),
    rejected_at            Nullable(DateTime('UTC')),
    deleted_at             Nullable(DateTime('UTC')),
    time_to_hire_seconds   Nullable(UInt32),
    days_to_hire           Nullable(Float64),
    last_event_at          DateTime('UTC'),
    events                 UInt32,
    stint_stage            Array(String),
    stint_stage_key        Array(UInt64),
    stint_entered_at       Array(DateTime('UTC')),
    stint_exited_at        Array(Nullable(DateTime('UTC'))),
    stint_duration_seconds Array(Nullable(UInt32)),
    stint_exit_kind        Array(Enum8('' = 0, 'advanced' = 1, 'moved_back' = 2, 'rejected' = 3, 'withdrawn' = 4, 'hired' = 5, 'deleted' = 6)),
    version                UInt64,
    computed_at            DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(version)
ORDER BY application_id
SETTINGS index_granularity = 8192;

CREATE VIEW IF NOT EXISTS {db}.applications AS
SELECT
    application_id, candidate_id, job_id, job_title, department, source_channel, prospect,
    status, current_stage, current_stage_key, applied_at, first_offer_at, offer_accepted_at,
    offer_declined_at, has_offer, hired_at, rejected_at, deleted_at, time_to_hire_seconds,
    days_to_hire, last_event_at, events
FROM {db}.application_state FINAL;

CREATE VIEW IF NOT EXISTS {db}.stage_intervals AS
SELECT
    candidate_id, application_id, job_id, department, source_channel, prospect,
    status AS application_status, current_stage, current_stage_key, applied_at,
    stint_no, stage, stage_key, entered_at, exited_at, duration_seconds, exit_kind
FROM {db}.application_state FINAL
ARRAY JOIN
    arrayEnumerate(stint_stage) AS stint_no,
    stint_stage AS stage,
    stint_stage_key AS stage_key,
    stint_entered_at AS entered_at,
    stint_exited_at AS exited_at,
    stint_duration_seconds AS duration_seconds,
    stint_exit_kind AS exit_kind;
