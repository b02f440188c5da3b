-- Enriched schema v2: user agent, derived sessions, tenant tags. Rows of v1 records keep the defaults.
ALTER TABLE freshet.events
    ADD COLUMN IF NOT EXISTS session_derived Bool DEFAULT false,
    ADD COLUMN IF NOT EXISTS browser LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS browser_version LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS os LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS os_version LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS device_class LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS tags Map(LowCardinality(String), String);
