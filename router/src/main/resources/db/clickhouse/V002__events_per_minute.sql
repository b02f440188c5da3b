-- Per-minute counts and unique users per tenant and type, maintained on insert. Its own deduplication
-- window makes a retried (deduplicated) insert into freshet.events skip the rollup too.
CREATE TABLE IF NOT EXISTS freshet.events_per_minute
(
    tenant_id LowCardinality(String),
    minute    DateTime('UTC'),
    type      LowCardinality(String),
    events    SimpleAggregateFunction(sum, UInt64),
    users     AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, minute, type)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS freshet.events_per_minute_mv TO freshet.events_per_minute AS
SELECT tenant_id,
       toStartOfMinute(event_time) AS minute,
       type,
       count() AS events,
       uniqStateIf(user_id, user_id != '') AS users
FROM freshet.events
GROUP BY tenant_id, minute, type;
