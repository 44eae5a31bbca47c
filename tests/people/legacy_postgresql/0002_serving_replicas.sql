-- Reloads announced to every replica (people/announce.py): the version to serve (one row,
-- read by a replica that missed the NOTIFY), and what each replica last loaded.
CREATE TABLE IF NOT EXISTS serving (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    announced_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS replicas (
    replica TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    error TEXT
);
