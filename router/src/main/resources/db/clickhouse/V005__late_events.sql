-- Events sent later than the lateness bound after they happened come through their own lane (freshet.events.late)
-- and are marked; earlier rows were all on time.
ALTER TABLE freshet.events ADD COLUMN IF NOT EXISTS late Bool DEFAULT false;
