-- The event log's date filter: without this index a date range walks every
-- event of the smart account (see events_bench_test.go).
CREATE INDEX events_at ON events(at);
