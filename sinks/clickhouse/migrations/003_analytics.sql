-- The analytics model: `applications` (current state per application) and `stage_intervals`
-- (one row per stint of an application in a stage), maintained by the sink's projection
-- (analytics.go) from the canonical events and rebuilt identically by `hirestream replay`.
--
-- How it stays exact: for every application a batch touches, the projection re-reads the
-- application's whole deduplicated history (application_events FINAL), recomputes its state and
-- stints from scratch in time order, and writes ONE snapshot row into application_state, a
-- ReplacingMergeTree keyed by application_id whose version is the size of the history it was
-- computed from. Any arrival order, duplicate or replay therefore converges on the same row, and
-- the views read it with FINAL. Portable to 18.16 and current releases (see DESIGN.md).

-- Every event that bears on an application, keyed by application: application-shaped events
-- under their own application_id, and candidate deletions/merges once per application they list.
CREATE TABLE IF NOT EXISTS {db}.application_events
(
    application_id           String,
    event_id                 String,
    event_type               String,
    occurred_at              DateTime('UTC'),
    candidate_id             String,
    job_id                   String,
    job_title                String,
    department               String,
    stage_to                 String,
    stage_to_id              String,
    status                   String,
    prospect                 UInt8,
    source_channel           String,
    rejection_type           String,
    applied_at               Nullable(DateTime('UTC')),
    offer_id                 String,
    offer_status             String,
    merged_into_candidate_id String
)
ENGINE = ReplacingMergeTree()
ORDER BY (application_id, event_id)
SETTINGS index_granularity = 8192;

-- Which applications a candidate has (or inherited through merges): what a candidate merge or
-- a deletion without an application list must recompute.
CREATE TABLE IF NOT EXISTS {db}.candidate_links
(
    candidate_id   String,
    application_id String
)
ENGINE = ReplacingMergeTree()
ORDER BY (candidate_id, application_id)
SETTINGS index_granularity = 8192;

-- Candidate merges and deletions, keyed by the candidate they happened to.
CREATE TABLE IF NOT EXISTS {db}.candidate_changes
(
    candidate_id             String,
    event_id                 String,
    event_type               String,
    occurred_at              DateTime('UTC'),
    merged_into_candidate_id String,
    all_applications         UInt8
)
ENGINE = ReplacingMergeTree()
ORDER BY (candidate_id, event_id)
SETTINGS index_granularity = 8192;

-- One snapshot per application (the newest version wins), with its stints as parallel arrays.
CREATE TABLE IF NOT EXISTS {db}.application_state
(
    application_id         String,
    candidate_id           String,
    job_id                 String,
    job_title              String,
    department             String,
    source_channel         String,
    prospect               UInt8,
    status                 String,
    current_stage          String,
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
    stint_entered_at       Array(DateTime('UTC')),
    stint_exited_at        Array(Nullable(DateTime('UTC'))),
    stint_duration_seconds Array(Nullable(UInt32)),
    stint_exit_kind        Array(String),
    version                UInt64,
    computed_at            DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(version)
ORDER BY application_id
SETTINGS index_granularity = 8192;

CREATE VIEW IF NOT EXISTS {db}.applications AS
SELECT
    application_id, candidate_id, job_id, job_title, department, source_channel, prospect,
    status, current_stage, applied_at, first_offer_at, offer_accepted_at, offer_declined_at,
    has_offer, hired_at, rejected_at, deleted_at, time_to_hire_seconds, days_to_hire,
    last_event_at, events
FROM {db}.application_state FINAL;

CREATE VIEW IF NOT EXISTS {db}.stage_intervals AS
SELECT
    candidate_id, application_id, job_id, department, source_channel, prospect,
    status AS application_status, current_stage, applied_at,
    stint_no, stage, entered_at, exited_at, duration_seconds, exit_kind
FROM {db}.application_state FINAL
ARRAY JOIN
    arrayEnumerate(stint_stage) AS stint_no,
    stint_stage AS stage,
    stint_entered_at AS entered_at,
    stint_exited_at AS exited_at,
    stint_duration_seconds AS duration_seconds,
    stint_exit_kind AS exit_kind;
