-- Sessions live in signed cookies; a per-user epoch lets sign-out end every
-- session of the user on the server side: cookies carry the epoch they were
-- issued under and are refused once it moves on.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
