-- The licenses each event concerns, so the event log's license filter is an
-- index lookup instead of a text search through every event's details.
-- Append-only like events: the rows are covered by the event's hash.
CREATE TABLE event_licenses (
    event_id INTEGER NOT NULL REFERENCES events(id),
    tag      TEXT NOT NULL,
    PRIMARY KEY (event_id, tag)
) WITHOUT ROWID;
CREATE INDEX event_licenses_tag ON event_licenses(tag, event_id);

CREATE TRIGGER event_licenses_no_update BEFORE UPDATE ON event_licenses
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER event_licenses_no_delete BEFORE DELETE ON event_licenses
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
