-- The three tables the bot has kept since its first release. IF NOT EXISTS: a file created
-- before migrations existed already has them and is adopted as version 1 unchanged.
CREATE TABLE IF NOT EXISTS people (
    local_id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ratings (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    rating REAL NOT NULL CHECK (rating BETWEEN 0.5 AND 5),
    ts INTEGER NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
CREATE TABLE IF NOT EXISTS skips (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
