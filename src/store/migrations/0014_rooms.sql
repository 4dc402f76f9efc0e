-- ytexa 0014: multi-site rooms. A consultation with several connection points meets in a room on
-- the Janus VideoRoom plugin, which ytexa creates and destroys. The room's pin is given only to
-- people ytexa lets in; its secret (to record, edit or destroy it) never leaves the server.
-- rtc_room_people lists everyone let in, and whether and when they consented to recording:
-- recording starts only when all of them have. rtc_recordings keeps each recording with the
-- consents it started on. rtc_guests are people without an account — a family member, an
-- interpreter — whom the case's clinicians invite into its room: they get in with a code (only
-- its hash is kept) until it expires or is revoked, and count for recording consent like anyone.

CREATE TABLE rtc_rooms (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  janus_room INTEGER NOT NULL UNIQUE,
  pin TEXT NOT NULL,
  secret TEXT NOT NULL,
  recording INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  closed_by INTEGER REFERENCES users(id),
  closed_at INTEGER
);
CREATE UNIQUE INDEX rtc_rooms_open ON rtc_rooms(consult_id) WHERE closed_at IS NULL;

CREATE TABLE rtc_room_people (
  room_id INTEGER NOT NULL REFERENCES rtc_rooms(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  recording_consent_at INTEGER,
  PRIMARY KEY (room_id, user_id)
);

CREATE TABLE rtc_recordings (
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rtc_rooms(id),
  started_by INTEGER NOT NULL REFERENCES users(id),
  started_at INTEGER NOT NULL,
  consents TEXT NOT NULL,
  stopped_by INTEGER REFERENCES users(id),
  stopped_at INTEGER,
  stop_reason TEXT
);

CREATE TABLE rtc_guests (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  name TEXT NOT NULL,
  relation TEXT NOT NULL CHECK (relation IN ('family', 'interpreter', 'other')),
  code_hash TEXT NOT NULL UNIQUE,
  invited_by INTEGER NOT NULL REFERENCES users(id),
  invited_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  room_id INTEGER REFERENCES rtc_rooms(id),
  entered_at INTEGER,
  recording_consent_at INTEGER
);
CREATE INDEX rtc_guests_consult ON rtc_guests(consult_id);
