-- ytexa 0001: places, facilities, the support network, accounts, sessions, audit.
-- Times are milliseconds since the epoch (UTC); dates of administrative validity are ISO dates.

CREATE TABLE admin_units (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
  parent_id INTEGER REFERENCES admin_units(id),
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  successor_id INTEGER REFERENCES admin_units(id),
  note TEXT
);
CREATE INDEX admin_units_parent ON admin_units(parent_id);

CREATE TABLE specialties (
  code TEXT PRIMARY KEY,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL
);

CREATE TABLE facilities (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('central', 'provincial', 'district', 'commune', 'private')),
  unit_id INTEGER NOT NULL REFERENCES admin_units(id),
  province_id INTEGER NOT NULL REFERENCES admin_units(id),
  address TEXT,
  phone TEXT,
  site_name TEXT,
  site_bandwidth_kbps INTEGER NOT NULL DEFAULT 1000,
  site_profile TEXT NOT NULL DEFAULT 'video' CHECK (site_profile IN ('video', 'low_video', 'audio')),
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX facilities_province ON facilities(province_id);

CREATE TABLE facility_specialties (
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  specialty TEXT NOT NULL REFERENCES specialties(code),
  PRIMARY KEY (facility_id, specialty)
);

-- Which hub supports which site, for which specialty: what routes consultations.
CREATE TABLE support_links (
  id INTEGER PRIMARY KEY,
  hub_id INTEGER NOT NULL REFERENCES facilities(id),
  site_id INTEGER NOT NULL REFERENCES facilities(id),
  specialty TEXT NOT NULL REFERENCES specialties(code),
  created_at INTEGER NOT NULL,
  UNIQUE (hub_id, site_id, specialty),
  CHECK (hub_id <> site_id)
);
CREATE INDEX support_links_site ON support_links(site_id, specialty);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  full_name TEXT NOT NULL,
  full_name_folded TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('health_worker', 'doctor', 'specialist', 'trainer', 'facility_admin',
                                     'province_admin', 'ministry_admin', 'patient')),
  facility_id INTEGER REFERENCES facilities(id),
  licence_no TEXT,
  scope_of_practice TEXT,
  phone TEXT,
  email TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX users_facility ON users(facility_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  addr TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  addr TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_addr ON login_failures(addr, at);

-- The audit trail. Each event stores the SHA-256 of its content and of the event before it, so
-- an edit, a deletion or a reordering breaks the chain (ytexa audit verify).
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT,
  actor_id INTEGER,
  actor_role TEXT,
  actor_facility_id INTEGER,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT,
  patient_id INTEGER,
  addr TEXT,
  outcome TEXT NOT NULL,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_patient ON audit_events(patient_id);
CREATE INDEX audit_events_actor ON audit_events(actor_id);

-- The newest event of the chain, so that deleting the last events is detected too.
CREATE TABLE audit_head (
  one INT PRIMARY KEY CHECK (one = 1),
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);

-- A retried write with the same Idempotency-Key gets the first answer again.
CREATE TABLE idempotency_keys (
  user_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
);
