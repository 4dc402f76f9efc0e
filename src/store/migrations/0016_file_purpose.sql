-- ytexa 0016: what a file is for, said when its upload is created, and uploads refused early.
-- A clinical file (an X-ray, an ECG, a lab PDF) is part of a patient's care: once attached to a
-- consultation, exactly the consultation's readers read it. A course material (slides, a lecture
-- video) is read by the course's people. One file is never both: a consultation takes only
-- clinical files, a course only course materials (issue 16, hole 3).
ALTER TABLE files ADD COLUMN purpose TEXT NOT NULL DEFAULT 'clinical'
  CHECK (purpose IN ('clinical', 'course_material'));
ALTER TABLE uploads ADD COLUMN purpose TEXT NOT NULL DEFAULT 'clinical'
  CHECK (purpose IN ('clinical', 'course_material'));
-- Why the upload was refused (type_not_allowed, file_too_large, image_too_large), once its first
-- bytes said so; its bytes are deleted then and it takes no more (issue 16, hole 9).
ALTER TABLE uploads ADD COLUMN refused TEXT;
-- Files that are course materials and no consultation's keep being course materials; a file that
-- is both stays clinical, and its course material rows no longer let a course's people read it.
UPDATE files SET purpose = 'course_material'
  WHERE id IN (SELECT file_id FROM course_materials WHERE file_id IS NOT NULL)
    AND id NOT IN (SELECT file_id FROM consult_files);
