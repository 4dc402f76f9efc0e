-- ytexa 0012: real time. Chat threads belong to a visit or a consultation and are part of its
-- record: messages are numbered without gaps within their thread (seq), so a client that
-- reconnects asks for what came after the last number it saw. chat_marks holds, per person of a
-- thread, how far they have received and read (the receipts), and how far they were notified
-- of messages that arrived while they were away. Notifications gain staff kinds (a case assigned
-- or escalated, a visit about to start, a message while away) and a pushed_at: when the hub
-- pushed it to the user's open sockets.

CREATE TABLE chat_threads (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL UNIQUE,                      -- 'visit:12', 'consult:5'
  visit_id INTEGER REFERENCES visits(id),
  consult_id INTEGER REFERENCES consults(id),
  last_seq INTEGER NOT NULL DEFAULT 0,
  last_at INTEGER,
  created_at INTEGER NOT NULL,
  CHECK ((visit_id IS NULL) <> (consult_id IS NULL))
);

CREATE TABLE chat_messages (
  id INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES chat_threads(id),
  seq INTEGER NOT NULL,
  sender_id INTEGER NOT NULL REFERENCES users(id),
  client_id TEXT NOT NULL,                           -- the sender's own id: a resend is not stored twice
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (thread_id, seq),
  UNIQUE (sender_id, client_id)
);

CREATE TABLE chat_marks (
  thread_id INTEGER NOT NULL REFERENCES chat_threads(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  delivered_seq INTEGER NOT NULL DEFAULT 0,
  read_seq INTEGER NOT NULL DEFAULT 0,
  notified_seq INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX chat_marks_user ON chat_marks(user_id);

-- Notifications gain kinds, two references and pushed_at (set to due_at for the rows already
-- there). SQLite cannot change a CHECK: it rebuilds the table with the same rows.
-- @sqlite
CREATE TABLE notifications_new (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  patient_id INTEGER REFERENCES patients(id),
  appointment_id INTEGER REFERENCES appointments(id),
  channel TEXT NOT NULL CHECK (channel IN ('app', 'sms', 'zalo')),
  kind TEXT NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled', 'reminder', 'consult_assigned',
                                     'consult_escalated', 'visit_starting', 'chat_message')),
  phone TEXT,
  text_vi TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'not_needed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT,
  claimed_by TEXT,
  claimed_at INTEGER,
  consult_id INTEGER REFERENCES consults(id),
  visit_id INTEGER REFERENCES visits(id),
  pushed_at INTEGER
);
INSERT INTO notifications_new (id, user_id, patient_id, appointment_id, channel, kind, phone, text_vi, due_at,
  created_at, read_at, status, attempts, next_attempt_at, delivered_at, last_error, claimed_by, claimed_at,
  pushed_at)
SELECT id, user_id, patient_id, appointment_id, channel, kind, phone, text_vi, due_at, created_at, read_at,
  status, attempts, next_attempt_at, delivered_at, last_error, claimed_by, claimed_at, due_at
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_patient ON notifications(patient_id, id);
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
CREATE INDEX notifications_appointment ON notifications(appointment_id);
-- @postgres
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('booked', 'rescheduled',
  'cancelled', 'reminder', 'consult_assigned', 'consult_escalated', 'visit_starting', 'chat_message'));
ALTER TABLE notifications ADD COLUMN consult_id BIGINT REFERENCES consults(id);
ALTER TABLE notifications ADD COLUMN visit_id BIGINT REFERENCES visits(id);
ALTER TABLE notifications ADD COLUMN pushed_at BIGINT;
UPDATE notifications SET pushed_at = due_at;
-- @end
CREATE INDEX notifications_push ON notifications(pushed_at, due_at);
