-- ytexa 0013: the hub's bus between instances on one PostgreSQL (src/store/bus.c), where a
-- message too long for a NOTIFY waits for the other instances. SQLite serves one instance only
-- and never uses it; the table is here so both engines have the same schema.

CREATE TABLE hub_bus (
  id INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX hub_bus_created ON hub_bus(created_at);
