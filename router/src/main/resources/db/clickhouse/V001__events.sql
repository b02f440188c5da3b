-- One row per accepted event. Ordered for the common queries (a tenant's events of a type over time);
-- the insert deduplication window lets a retried batch with the same token be dropped, not doubled.
CREATE TABLE IF NOT EXISTS freshet.events
(
    tenant_id        LowCardinality(String),
    event_id         UUID,
    type             LowCardinality(String),
    event_time       DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    received_at      DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    user_id          String,
    session_id       String,
    properties       String CODEC(ZSTD(3)),
    ingest_lag_ms    Int64,
    rules_version    UInt32,
    schema_version   UInt16,
    source_topic     LowCardinality(String),
    source_partition UInt16,
    source_offset    UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant_id, type, event_time, event_id)
SETTINGS non_replicated_deduplication_window = 10000;
