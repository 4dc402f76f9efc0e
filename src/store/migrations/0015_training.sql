-- ytexa 0015: online training and continuing education (đào tạo trực tuyến). A course (by a hub,
-- with its trainers, target roles and levels, credit hours, materials stored as files) has
-- sessions: live lectures broadcast on a Janus room, self-paced material, or a case presented
-- from a concluded consultation, de-identified. People are enrolled one by one or with their whole
-- facility. Attendance is computed from when each person was actually in a live session: every
-- join and leave of the session's real-time channel is an event (one interval a socket), and the
-- intervals of a person are added up (overlaps counted once). A site watching together on one
-- screen records the names present, confirmed by its lead. A quiz (multiple choice, a pass mark,
-- a limited number of attempts) closes a course; credits go to the training record when both
-- attendance and quiz pass; a certificate with a verification code proves them and can be revoked.

CREATE TABLE courses (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  specialty TEXT REFERENCES specialties(code),
  target_roles TEXT NOT NULL DEFAULT '[]',          -- JSON array of roles (health_worker, doctor, specialist)
  target_levels TEXT NOT NULL DEFAULT '[]',         -- JSON array of facility levels (commune, district, …)
  credit_minutes INTEGER NOT NULL CHECK (credit_minutes BETWEEN 15 AND 6000),
  attendance_pass_pct INTEGER NOT NULL DEFAULT 80 CHECK (attendance_pass_pct BETWEEN 1 AND 100),
  quiz_pass_pct INTEGER NOT NULL DEFAULT 70 CHECK (quiz_pass_pct BETWEEN 1 AND 100),
  quiz_max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (quiz_max_attempts BETWEEN 1 AND 20),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),  -- the hub that runs it and issues its certificates
  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'archived')),
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX courses_facility ON courses(facility_id, id);

CREATE TABLE course_trainers (
  course_id INTEGER NOT NULL REFERENCES courses(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (course_id, user_id)
);

CREATE TABLE course_materials (
  id INTEGER PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses(id),
  position INTEGER NOT NULL,
  title TEXT NOT NULL,
  file_id INTEGER REFERENCES files(id),
  url TEXT,
  added_by INTEGER NOT NULL REFERENCES users(id),
  added_at INTEGER NOT NULL,
  CHECK ((file_id IS NULL) <> (url IS NULL))
);

CREATE TABLE course_sessions (
  id INTEGER PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses(id),
  kind TEXT NOT NULL CHECK (kind IN ('live', 'self_paced', 'case')),
  title TEXT NOT NULL,
  starts_at INTEGER,                                    -- planned (live and case sessions)
  minutes INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 600),
  consult_id INTEGER REFERENCES consults(id),           -- a case session: the concluded consultation shown
  state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'live', 'ended', 'cancelled')),
  started_at INTEGER,
  ended_at INTEGER,
  janus_room INTEGER UNIQUE,
  pin TEXT,
  secret TEXT,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX course_sessions_course ON course_sessions(course_id, id);
CREATE INDEX course_sessions_starts ON course_sessions(state, starts_at);

CREATE TABLE enrolments (
  id INTEGER PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses(id),
  user_id INTEGER REFERENCES users(id),
  facility_id INTEGER REFERENCES facilities(id),        -- a whole facility: its staff of the target roles
  enrolled_by INTEGER NOT NULL REFERENCES users(id),
  enrolled_at INTEGER NOT NULL,
  withdrawn_at INTEGER,
  CHECK ((user_id IS NULL) <> (facility_id IS NULL))
);
CREATE UNIQUE INDEX enrolments_user ON enrolments(course_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX enrolments_facility ON enrolments(course_id, facility_id) WHERE facility_id IS NOT NULL;

-- One row a socket's stay in a live session's channel: joined_at, and left_at once it left (NULL
-- while there; closed at the session's end when the socket never said goodbye).
CREATE TABLE attendance_spans (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES course_sessions(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  joined_at INTEGER NOT NULL,
  left_at INTEGER
);
CREATE INDEX attendance_spans_session ON attendance_spans(session_id, user_id);

-- A site that watched together on one screen: the names present, recorded by someone there,
-- confirmed by the site's lead (its facility administrator or a doctor of it).
CREATE TABLE site_attendance (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES course_sessions(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  recorded_at INTEGER NOT NULL,
  confirmed_by INTEGER REFERENCES users(id),
  confirmed_at INTEGER,
  UNIQUE (session_id, facility_id)
);
CREATE TABLE site_attendees (
  site_attendance_id INTEGER NOT NULL REFERENCES site_attendance(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (site_attendance_id, user_id)
);

-- Per person and session, computed when the session ends (and again on a late confirmation).
CREATE TABLE attendance (
  session_id INTEGER NOT NULL REFERENCES course_sessions(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  seconds INTEGER NOT NULL,
  pct INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('online', 'site')),
  passed INTEGER NOT NULL,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, user_id)
);

CREATE TABLE quiz_questions (
  id INTEGER PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses(id),
  position INTEGER NOT NULL,
  question TEXT NOT NULL,
  choices TEXT NOT NULL,                            -- JSON array of 2–6 strings
  correct INTEGER NOT NULL,                             -- index into choices; never sent to a learner
  UNIQUE (course_id, position)
);

CREATE TABLE quiz_attempts (
  id INTEGER PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  attempt INTEGER NOT NULL,
  answers TEXT NOT NULL,                            -- JSON array of chosen indexes
  score_pct INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  submitted_at INTEGER NOT NULL,
  UNIQUE (course_id, user_id, attempt)
);

-- The training record: a course's credit hours earned by a person.
CREATE TABLE credits (
  id INTEGER PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  minutes INTEGER NOT NULL,
  attendance_pct INTEGER NOT NULL,
  quiz_score_pct INTEGER,
  earned_at INTEGER NOT NULL,
  awarded_by INTEGER REFERENCES users(id),              -- NULL: awarded by the rules when both passed
  UNIQUE (course_id, user_id)
);
CREATE INDEX credits_user ON credits(user_id, earned_at);

CREATE TABLE certificates (
  id INTEGER PRIMARY KEY,
  credit_id INTEGER NOT NULL UNIQUE REFERENCES credits(id),
  verify_code TEXT NOT NULL UNIQUE,
  holder_name TEXT NOT NULL,                        -- as printed
  course_title TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  issuer_facility_id INTEGER NOT NULL REFERENCES facilities(id),
  issuer_name TEXT NOT NULL,                        -- as printed (a facility may be renamed later)
  issued_by INTEGER NOT NULL REFERENCES users(id),
  issued_at INTEGER NOT NULL,
  content_hash TEXT NOT NULL,                       -- SHA-256 of what is printed, as canonical JSON
  revoked_at INTEGER,
  revoked_by INTEGER REFERENCES users(id),
  revoke_reason TEXT
);

-- Live sessions are announced before they start: a notification kind and a column. SQLite cannot
-- change a CHECK: it rebuilds the table with the same rows.
-- @sqlite
CREATE TABLE notifications_new (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  patient_id INTEGER REFERENCES patients(id),
  appointment_id INTEGER REFERENCES appointments(id),
  channel TEXT NOT NULL CHECK (channel IN ('app', 'sms', 'zalo')),
  kind TEXT NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled', 'reminder', 'consult_assigned',
                                     'consult_escalated', 'visit_starting', 'chat_message', 'session_starting')),
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
  pushed_at INTEGER,
  session_id INTEGER REFERENCES course_sessions(id)
);
INSERT INTO notifications_new (id, user_id, patient_id, appointment_id, channel, kind, phone, text_vi, due_at,
  created_at, read_at, status, attempts, next_attempt_at, delivered_at, last_error, claimed_by, claimed_at,
  consult_id, visit_id, pushed_at)
SELECT id, user_id, patient_id, appointment_id, channel, kind, phone, text_vi, due_at, created_at, read_at,
  status, attempts, next_attempt_at, delivered_at, last_error, claimed_by, claimed_at, consult_id, visit_id,
  pushed_at
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_patient ON notifications(patient_id, id);
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
CREATE INDEX notifications_appointment ON notifications(appointment_id);
CREATE INDEX notifications_push ON notifications(pushed_at, due_at);
-- @postgres
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('booked', 'rescheduled',
  'cancelled', 'reminder', 'consult_assigned', 'consult_escalated', 'visit_starting', 'chat_message',
  'session_starting'));
ALTER TABLE notifications ADD COLUMN session_id BIGINT REFERENCES course_sessions(id);
-- @end
