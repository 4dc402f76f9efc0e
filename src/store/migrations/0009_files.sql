-- ytexa 0009: attachments (images, PDFs, DICOM, short videos) and their resumable uploads (tus
-- 1.0). A file's bytes live on disk under <data>/files/ by SHA-256, outside any web root; this
-- table says what they are and whose. Files are never deleted through the API.

CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime TEXT NOT NULL,                 -- found from the content, not the name
  kind TEXT NOT NULL CHECK (kind IN ('image', 'pdf', 'dicom', 'video')),
  name TEXT NOT NULL,                 -- the uploader's file name, shown and used on download
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  uploaded_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX files_facility ON files(facility_id, id);
CREATE INDEX files_sha256 ON files(sha256);

-- An upload in progress: its bytes so far are in <data>/uploads/<id>.part; received only moves
-- after they are on disk (fdatasync), so a HEAD after a crash tells where to go on.
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,                -- 32 random hex digits
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  length INTEGER NOT NULL,
  received INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  file_id INTEGER REFERENCES files(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX uploads_user ON uploads(user_id);

-- Storage a facility may use for files (NULL: the server's --file-quota-mb).
ALTER TABLE facilities ADD COLUMN storage_quota_bytes INTEGER;
