-- A retried batch is recognised only while its first attempt is among the table's last N inserts. At 10,000 events/s
-- the router makes about 120 inserts a second (a partition's batch at a time), so 10,000 covered some 80 s: a router
-- that came back later than that, while other instances went on inserting, could store its re-formed batch twice.
-- 100,000 covers about 14 minutes at that rate.
ALTER TABLE freshet.events MODIFY SETTING non_replicated_deduplication_window = 100000;
ALTER TABLE freshet.events_per_minute MODIFY SETTING non_replicated_deduplication_window = 100000;
ALTER TABLE freshet.billing_usage MODIFY SETTING non_replicated_deduplication_window = 100000;
