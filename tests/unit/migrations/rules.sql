-- A sample for tests/unit/migrations/check.cmake: each rule of cmake/derive_migrations.c once,
-- and what the rules leave alone (comments, literals, quoted names, other words).
CREATE TABLE sample (
  id INTEGER PRIMARY KEY,
  n integer NOT NULL DEFAULT 0,      -- INTEGER in a comment stays
  small INT,
  ratio REAL,
  name_key TEXT COLLATE BINARY NOT NULL,
  note TEXT DEFAULT 'INTEGER PRIMARY KEY, REAL and a ; in a literal stay',
  "INT" TEXT,
  interval_ms INTEGER,
  parent_id INTEGER
    REFERENCES sample(id)
);
/* A block comment: INSERT OR IGNORE, INTEGER stay. */
INSERT OR IGNORE INTO sample (id, n, name_key) VALUES (1, 2, 'it''s; here');
INSERT OR IGNORE INTO sample (id, n, name_key)
  SELECT id + 1, n, name_key FROM sample;
-- @sqlite
CREATE TABLE only_sqlite (id INTEGER PRIMARY KEY);
-- @postgres
CREATE UNLOGGED TABLE only_postgres (id BIGINT PRIMARY KEY, at INTEGER);
-- @end
CREATE INDEX sample_n ON sample(n) WHERE n > 0;
