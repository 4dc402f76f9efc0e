-- ytexa 0008: the practitioner's scope of practice (phạm vi hành nghề, Law 15/2023/QH15) as data
-- the server checks, beside the free text printed on documents: the specialty codes the licence
-- covers ('general' for a general practitioner, 'pediatrics', 'obstetrics' …), space-separated.
ALTER TABLE users ADD COLUMN practice_scope TEXT;

-- ICD-10 ranges only a practitioner licensed in that specialty may treat (prescribe for); every
-- other code needs any recorded scope. A range is [code_from, code_to) in code order, so 'O00' to
-- 'P00' holds every code of chapter XV. Operators may add rows; codes need not be in specialties.
CREATE TABLE icd10_scope_rules (
  code_from TEXT NOT NULL,
  code_to TEXT NOT NULL,
  specialty TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (code_from, code_to)
);
INSERT INTO icd10_scope_rules (code_from, code_to, specialty, note) VALUES
  ('O00', 'P00', 'obstetrics', 'Chương XV: thai nghén, sinh đẻ và hậu sản / pregnancy, childbirth and the puerperium'),
  ('F00', 'F40', 'mental', 'Rối loạn tâm thần thực tổn, do chất, loạn thần và khí sắc (F00–F39) / organic, substance, psychotic and mood disorders'),
  ('C00', 'D49', 'oncology', 'Chương II: u tân sinh / neoplasms'),
  ('A15', 'A20', 'tuberculosis', 'Bệnh lao / tuberculosis');
