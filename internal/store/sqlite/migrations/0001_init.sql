-- Schema of SLR Portal. Times are UTC RFC 3339 text; booleans 0/1.

CREATE TABLE smart_accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    domain      TEXT NOT NULL DEFAULT '',
    slr_enabled INTEGER NOT NULL DEFAULT 1 CHECK (slr_enabled IN (0, 1))
);

CREATE TABLE virtual_accounts (
    id          INTEGER PRIMARY KEY,
    sa_id       INTEGER NOT NULL REFERENCES smart_accounts(id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    UNIQUE (sa_id, name)
);
-- Exactly one default VA per smart account (at most one here; import checks one).
CREATE UNIQUE INDEX virtual_accounts_default ON virtual_accounts(sa_id) WHERE is_default = 1;

CREATE TABLE licenses (
    id           INTEGER PRIMARY KEY,
    va_id        INTEGER NOT NULL REFERENCES virtual_accounts(id),
    tag          TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    family       TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('PERPETUAL', 'TERM')),
    start_date   TEXT NOT NULL DEFAULT '',
    end_date     TEXT NOT NULL DEFAULT '',
    purchased    INTEGER NOT NULL CHECK (purchased >= 0),
    UNIQUE (va_id, tag)
);

CREATE TABLE product_instances (
    id               INTEGER PRIMARY KEY,
    va_id            INTEGER NOT NULL REFERENCES virtual_accounts(id),
    sa_id            INTEGER NOT NULL REFERENCES smart_accounts(id),
    piid             TEXT NOT NULL UNIQUE,
    pid              TEXT NOT NULL COLLATE NOCASE,
    sn               TEXT NOT NULL COLLATE NOCASE,
    family           TEXT NOT NULL,
    hostname         TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    status           TEXT NOT NULL CHECK (status IN ('Reserved', 'Update Pending', 'Failed - Pending Removal')),
    rehosted_from_id INTEGER REFERENCES product_instances(id),
    rehosted_to_id   INTEGER REFERENCES product_instances(id),
    created_at       TEXT NOT NULL,
    last_contact     TEXT NOT NULL,
    removed_at       TEXT
);
-- A UDI is live in at most one PI of a smart account until that PI is removed.
CREATE UNIQUE INDEX product_instances_live_udi ON product_instances(sa_id, pid, sn) WHERE removed_at IS NULL;
-- The Product Instances tab: list by VA, search by prefix of serial, PID or
-- hostname (NOCASE columns let LIKE 'x%' use these), filter by family.
CREATE INDEX product_instances_va_sn ON product_instances(va_id, sn) WHERE removed_at IS NULL;
CREATE INDEX product_instances_va_pid ON product_instances(va_id, pid) WHERE removed_at IS NULL;
CREATE INDEX product_instances_va_hostname ON product_instances(va_id, hostname) WHERE removed_at IS NULL;
CREATE INDEX product_instances_va_family ON product_instances(va_id, family) WHERE removed_at IS NULL;
CREATE INDEX product_instances_va_status ON product_instances(va_id, status) WHERE removed_at IS NULL;

CREATE TABLE reservation_lines (
    pi_id INTEGER NOT NULL REFERENCES product_instances(id),
    tag   TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (pi_id, tag)
) WITHOUT ROWID;

CREATE TABLE authorization_codes (
    id         INTEGER PRIMARY KEY,
    pi_id      INTEGER NOT NULL REFERENCES product_instances(id),
    kind       TEXT NOT NULL,
    file       BLOB NOT NULL,
    signature  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    username   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX authorization_codes_pi ON authorization_codes(pi_id, id);

-- One-time form tokens make wizard submits idempotent.
CREATE TABLE form_tokens (
    token      TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    result_id  INTEGER NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    password_hash BLOB NOT NULL
);

CREATE TABLE role_assignments (
    user_id INTEGER NOT NULL REFERENCES users(id),
    role    TEXT NOT NULL CHECK (role IN ('SA_ADMIN', 'SA_USER', 'SA_VIEWER', 'VA_ADMIN', 'VA_USER', 'VA_VIEWER')),
    sa_id   INTEGER NOT NULL REFERENCES smart_accounts(id),
    va_id   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role, sa_id, va_id)
) WITHOUT ROWID;

-- Events are append-only: ids are assigned by the domain (previous + 1) so
-- the hash chain covers them; the triggers refuse any change.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    sa_id     INTEGER NOT NULL,
    va_id     INTEGER NOT NULL DEFAULT 0,
    user_id   INTEGER NOT NULL DEFAULT 0,
    username  TEXT NOT NULL DEFAULT '',
    type      TEXT NOT NULL,
    pi_id     INTEGER NOT NULL DEFAULT 0,
    udi       TEXT NOT NULL DEFAULT '',
    pid       TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    sn        TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    hostname  TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    message   TEXT NOT NULL,
    details   TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX events_va ON events(va_id, id);
CREATE INDEX events_sa ON events(sa_id, id);
CREATE INDEX events_sn ON events(sn, id);
CREATE INDEX events_pid ON events(pid, id);
CREATE INDEX events_hostname ON events(hostname, id);
CREATE INDEX events_type ON events(va_id, type, id);
CREATE INDEX events_user ON events(username, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
