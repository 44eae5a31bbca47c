-- Issue 15: what a person chose (language, platforms), their watchlist, and the alert outbox.
CREATE TABLE IF NOT EXISTS person_language (
    telegram_id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS person_platforms (
    telegram_id INTEGER NOT NULL,
    platform TEXT NOT NULL,
    PRIMARY KEY (telegram_id, platform)
);
CREATE TABLE IF NOT EXISTS watchlist (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    added_at REAL NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
-- Who watches a title that just arrived (alerts_for_release asks by title id).
CREATE INDEX IF NOT EXISTS watchlist_title ON watchlist (title_id);
-- One row per alert, keyed "<release>:<telegram id>:<title id>" so enqueueing twice (two
-- replicas, a restarted run) stores it once. status: pending, sent, failed (gave up), blocked.
-- A pending row is due at due_at and free when lease_until has passed (a claimer that died
-- leaves its lease to expire: the row is claimed again -- at least once).
CREATE TABLE IF NOT EXISTS alert_outbox (
    key TEXT PRIMARY KEY,
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    watched_id TEXT NOT NULL,
    platforms TEXT NOT NULL,
    release TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'failed', 'blocked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL,
    lease_owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    sent_at REAL
);
CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (status, due_at);
CREATE INDEX IF NOT EXISTS alert_outbox_person ON alert_outbox (telegram_id);
-- People whose private chat answered 403 (they blocked the bot): their alerts are skipped.
CREATE TABLE IF NOT EXISTS blocked_people (
    telegram_id INTEGER PRIMARY KEY,
    blocked_at REAL NOT NULL
);
