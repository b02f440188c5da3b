-- Per-tenant, per-minute usage from freshet.billing.usage. Each record there is a minute's total so far, so a
-- (tenant_id, minute_start) keeps the row with the most events: query with FINAL (or argMax) for the totals.
CREATE TABLE IF NOT EXISTS freshet.billing_usage
(
    tenant_id        LowCardinality(String),
    minute_start     DateTime('UTC'),
    events           UInt64,
    bytes            UInt64,
    source_partition UInt16,
    source_offset    UInt64
)
ENGINE = ReplacingMergeTree(events)
PARTITION BY toYYYYMM(minute_start)
ORDER BY (tenant_id, minute_start)
SETTINGS non_replicated_deduplication_window = 10000;
