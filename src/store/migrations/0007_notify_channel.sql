-- ytexa 0007: how a patient wants reminders: by SMS, by Zalo (through the operator's webhook), or
-- only in the app.
ALTER TABLE patients ADD COLUMN notify_channel TEXT NOT NULL DEFAULT 'sms' CHECK (notify_channel IN ('sms', 'zalo', 'none'));
