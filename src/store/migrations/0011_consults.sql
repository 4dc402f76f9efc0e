-- ytexa 0011: remote consultation between facilities (hội chẩn từ xa). A case goes
-- draft → requested → accepted → scheduled (live session) or answered (store-and-forward) →
-- concluded → outcome_recorded → closed, or cancelled before it is concluded. It is routed along
-- support_links and escalates one level up when no one accepts it in time. Cases are never
-- deleted through the API (kept at least 10 years).

-- How long a hub has to accept a case of each urgency before it escalates.
CREATE TABLE consult_deadlines (
  urgency TEXT PRIMARY KEY CHECK (urgency IN ('routine', 'urgent', 'emergency')),
  accept_minutes INTEGER NOT NULL CHECK (accept_minutes BETWEEN 1 AND 10080),
  updated_by INTEGER REFERENCES users(id),
  updated_at INTEGER NOT NULL
);
INSERT INTO consult_deadlines (urgency, accept_minutes, updated_at) VALUES
  ('emergency', 15, 0), ('urgent', 120, 0), ('routine', 1440, 0);

CREATE TABLE consults (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  requester_facility_id INTEGER NOT NULL REFERENCES facilities(id),
  created_by INTEGER NOT NULL REFERENCES users(id),
  summary TEXT NOT NULL,
  urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'emergency')),
  specialty TEXT NOT NULL REFERENCES specialties(code),
  kind TEXT NOT NULL CHECK (kind IN ('general', 'imaging', 'pathology', 'surgical', 'ecg')),
  state TEXT NOT NULL CHECK (state IN ('draft', 'requested', 'accepted', 'scheduled', 'answered',
                                       'concluded', 'outcome_recorded', 'closed', 'cancelled')),
  assigned_facility_id INTEGER REFERENCES facilities(id),   -- the hub that has the case now
  escalation_level INTEGER NOT NULL DEFAULT 0,
  accept_due_at INTEGER,              -- when it escalates if still not accepted
  chair_id INTEGER REFERENCES users(id),
  secretary_id INTEGER REFERENCES users(id),
  session_at INTEGER,                 -- the live session, when scheduled
  recommendation TEXT CHECK (recommendation IN ('treat_locally', 'transfer', 'more_tests', 'another_consult')),
  recommendation_note TEXT,
  outcome TEXT CHECK (outcome IN ('improved', 'stable', 'worse', 'transferred', 'died', 'other')),
  outcome_note TEXT,
  requested_at INTEGER,
  accepted_at INTEGER,
  concluded_at INTEGER,
  outcome_at INTEGER,
  closed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX consults_requester ON consults(requester_facility_id, id);
CREATE INDEX consults_assigned ON consults(assigned_facility_id, state);
CREATE INDEX consults_due ON consults(state, accept_due_at);
CREATE INDEX consults_patient ON consults(patient_id);

CREATE TABLE consult_questions (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  position INTEGER NOT NULL,
  question TEXT NOT NULL,
  conclusion TEXT,                    -- the chair's answer to this question
  UNIQUE (consult_id, position)
);

-- Every change: a state transition, or routing (escalated, declined, reassigned) with the hub
-- before and after. by_user is NULL when the server escalated by itself.
CREATE TABLE consult_events (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  action TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  from_facility_id INTEGER REFERENCES facilities(id),
  to_facility_id INTEGER REFERENCES facilities(id),
  at INTEGER NOT NULL,
  by_user INTEGER REFERENCES users(id),
  reason TEXT
);
CREATE INDEX consult_events_consult ON consult_events(consult_id, id);

-- People and connection points taking part: a chair, a secretary, specialists, the requesting
-- clinician, observers; a site is a facility's connection point (user_id NULL).
CREATE TABLE consult_participants (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  user_id INTEGER REFERENCES users(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  role TEXT NOT NULL CHECK (role IN ('chair', 'secretary', 'specialist', 'requester', 'observer', 'site')),
  added_by INTEGER NOT NULL REFERENCES users(id),
  added_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX consult_participants_user ON consult_participants(consult_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX consult_participants_site ON consult_participants(consult_id, facility_id) WHERE user_id IS NULL;
CREATE INDEX consult_participants_facility ON consult_participants(facility_id, consult_id);

-- One opinion per specialist, which they may revise until the case is concluded.
CREATE TABLE consult_opinions (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  author_id INTEGER NOT NULL REFERENCES users(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  opinion TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (consult_id, author_id)
);

CREATE TABLE consult_files (
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  file_id INTEGER NOT NULL REFERENCES files(id),
  added_by INTEGER NOT NULL REFERENCES users(id),
  added_at INTEGER NOT NULL,
  PRIMARY KEY (consult_id, file_id)
);
CREATE INDEX consult_files_file ON consult_files(file_id);

-- Signed minutes (biên bản hội chẩn): the content as signed (canonical JSON), its SHA-256 and a
-- verification code printed on the paper. A signed version never changes; an amendment is a new
-- version that names the one it replaces.
CREATE TABLE consult_minutes (
  id INTEGER PRIMARY KEY,
  consult_id INTEGER NOT NULL REFERENCES consults(id),
  version INTEGER NOT NULL,
  replaces_id INTEGER REFERENCES consult_minutes(id),
  amendment_reason TEXT,
  content TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  verify_code TEXT NOT NULL UNIQUE,
  signed_by INTEGER NOT NULL REFERENCES users(id),
  signer_name TEXT NOT NULL,
  signer_licence TEXT,
  signed_at INTEGER NOT NULL,
  UNIQUE (consult_id, version)
);
