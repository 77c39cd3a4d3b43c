-- While an update is pending, the lines a product instance held before it,
-- so that Cancel Update can restore them. Removed on confirm or cancel.
CREATE TABLE previous_reservation_lines (
    pi_id INTEGER NOT NULL REFERENCES product_instances(id),
    tag   TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (pi_id, tag)
) WITHOUT ROWID;
