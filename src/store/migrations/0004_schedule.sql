-- ytexa 0004: booking and the same-day queue: doctors' availability cut into slots,
-- appointments (each one a planned visit), the queue of walk-ins at a station with a token per
-- day, and notifications delivered in the app and through an operator's webhook (SMS / Zalo).

CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  doctor_id INTEGER NOT NULL REFERENCES users(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  slot_minutes INTEGER NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('video', 'audio', 'chat', 'assisted')),
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  cancelled_at INTEGER
);
CREATE INDEX schedules_doctor ON schedules(doctor_id, start_at);

CREATE TABLE slots (
  id INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES schedules(id),
  doctor_id INTEGER NOT NULL REFERENCES users(id),
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  mode TEXT NOT NULL,
  cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX slots_doctor ON slots(doctor_id, start_at);
CREATE INDEX slots_schedule ON slots(schedule_id);

-- One booked appointment per slot, whatever the number of instances: the database decides.
CREATE TABLE appointments (
  id INTEGER PRIMARY KEY,
  slot_id INTEGER NOT NULL REFERENCES slots(id),
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  doctor_id INTEGER NOT NULL REFERENCES users(id),
  visit_id INTEGER REFERENCES visits(id),
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'rescheduled')),
  booked_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  cancelled_at INTEGER,
  cancel_reason TEXT,
  replaced_by INTEGER REFERENCES appointments(id)
);
CREATE UNIQUE INDEX appointments_one_per_slot ON appointments(slot_id) WHERE status = 'booked';
CREATE INDEX appointments_patient ON appointments(patient_id, id);
CREATE INDEX appointments_doctor ON appointments(doctor_id, id);

-- The same-day queue at a station: token numbers restart every day (Vietnam time).
CREATE TABLE queue_counters (
  facility_id INTEGER NOT NULL,
  day TEXT NOT NULL,
  last_token INTEGER NOT NULL,
  PRIMARY KEY (facility_id, day)
);
CREATE TABLE queue_entries (
  id INTEGER PRIMARY KEY,
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  day TEXT NOT NULL,
  token INTEGER NOT NULL,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  reason TEXT NOT NULL,
  priority TEXT NOT NULL CHECK (priority IN ('emergency', 'pregnant', 'child', 'elderly', 'normal')),
  status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'done', 'skipped')),
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  called_at INTEGER,
  done_at INTEGER,
  UNIQUE (facility_id, day, token)
);

-- Notifications: in the app (user_id, or the patient's own account through patient_id) and
-- outward through the webhook (channel sms or zalo), with the delivery state of each.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  patient_id INTEGER REFERENCES patients(id),
  appointment_id INTEGER REFERENCES appointments(id),
  channel TEXT NOT NULL CHECK (channel IN ('app', 'sms', 'zalo')),
  kind TEXT NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled', 'reminder')),
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
  claimed_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_patient ON notifications(patient_id, id);
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
CREATE INDEX notifications_appointment ON notifications(appointment_id);
