-- Per-minute counts and unique users per tenant and type, maintained on insert.
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
ORDER BY (tenant_id, minute, type);

CREATE MATERIALIZED VIEW IF NOT EXISTS freshet.events_per_minute_mv TO freshet.events_per_minute AS
SELECT tenant_id,
       toStartOfMinute(event_time) AS minute,
       type,
       count() AS events,
       uniqStateIf(user_id, user_id != '') AS users
FROM freshet.events
GROUP BY tenant_id, minute, type;
