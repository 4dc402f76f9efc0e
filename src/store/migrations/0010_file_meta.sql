-- ytexa 0010: what is known of a file beyond its type, as JSON: for DICOM its key tags
-- ({"modality", "study_date", "body_part"}), read when the upload completes.
ALTER TABLE files ADD COLUMN meta TEXT;
