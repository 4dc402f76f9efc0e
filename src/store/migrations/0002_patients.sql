-- ytexa 0002: the patient registry, consent, and who else may see a patient.
-- A facility keeps its own registry (patients.facility_id, the "home facility"); another facility
-- sees a patient only while a row of patient_shares (a visit, a consultation) says so.

-- The 54 ethnic groups with the codes of the General Statistics Office (Decision 121-TCTK/PPCĐ).
CREATE TABLE ethnicities (
  code TEXT PRIMARY KEY,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL
);
INSERT INTO ethnicities (code, name_vi, name_en) VALUES
('01', 'Kinh', 'Kinh'), ('02', 'Tày', 'Tay'), ('03', 'Thái', 'Thai'), ('04', 'Hoa', 'Hoa (Chinese)'),
('05', 'Khơ-me', 'Khmer'), ('06', 'Mường', 'Muong'), ('07', 'Nùng', 'Nung'), ('08', 'Mông', 'Hmong'),
('09', 'Dao', 'Dao'), ('10', 'Gia-rai', 'Gia Rai'), ('11', 'Ngái', 'Ngai'), ('12', 'Ê-đê', 'E De'),
('13', 'Ba-na', 'Ba Na'), ('14', 'Xơ-đăng', 'Xo Dang'), ('15', 'Sán Chay', 'San Chay'),
('16', 'Cơ-ho', 'Co Ho'), ('17', 'Chăm', 'Cham'), ('18', 'Sán Dìu', 'San Diu'), ('19', 'Hrê', 'Hre'),
('20', 'Mnông', 'Mnong'), ('21', 'Ra-glai', 'Ra Glai'), ('22', 'Xtiêng', 'Stieng'),
('23', 'Bru-Vân Kiều', 'Bru-Van Kieu'), ('24', 'Thổ', 'Tho'), ('25', 'Giáy', 'Giay'), ('26', 'Cơ-tu', 'Co Tu'),
('27', 'Gié-Triêng', 'Gie Trieng'), ('28', 'Mạ', 'Ma'), ('29', 'Khơ-mú', 'Kho Mu'), ('30', 'Co', 'Co'),
('31', 'Tà-ôi', 'Ta Oi'), ('32', 'Chơ-ro', 'Cho Ro'), ('33', 'Kháng', 'Khang'), ('34', 'Xinh-mun', 'Xinh Mun'),
('35', 'Hà Nhì', 'Ha Nhi'), ('36', 'Chu-ru', 'Chu Ru'), ('37', 'Lào', 'Lao'), ('38', 'La Chí', 'La Chi'),
('39', 'La Ha', 'La Ha'), ('40', 'Phù Lá', 'Phu La'), ('41', 'La Hủ', 'La Hu'), ('42', 'Lự', 'Lu'),
('43', 'Lô Lô', 'Lo Lo'), ('44', 'Chứt', 'Chut'), ('45', 'Mảng', 'Mang'), ('46', 'Pà Thẻn', 'Pa Then'),
('47', 'Cơ Lao', 'Co Lao'), ('48', 'Cống', 'Cong'), ('49', 'Bố Y', 'Bo Y'), ('50', 'Si La', 'Si La'),
('51', 'Pu Péo', 'Pu Peo'), ('52', 'Brâu', 'Brau'), ('53', 'Ơ Đu', 'O Du'), ('54', 'Rơ Măm', 'Ro Mam');

CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  full_name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  birth_date TEXT,                -- YYYY-MM-DD, or NULL when only the year is known
  birth_year INTEGER NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('male', 'female', 'other')),
  ethnicity TEXT REFERENCES ethnicities(code),
  cccd TEXT,                      -- citizen identity number, 12 digits
  bhyt TEXT,                      -- health insurance card code as printed (15 characters) or the 10-digit number
  bhxh_no TEXT,                   -- the 10-digit social insurance number inside it: what search matches
  phone TEXT,
  unit_id INTEGER REFERENCES admin_units(id),
  address TEXT,
  poor_household INTEGER NOT NULL DEFAULT 0,
  near_poor_household INTEGER NOT NULL DEFAULT 0,
  disability INTEGER NOT NULL DEFAULT 0,
  pregnant INTEGER NOT NULL DEFAULT 0,
  guardian_name TEXT,
  guardian_phone TEXT,
  guardian_relation TEXT,
  languages TEXT NOT NULL DEFAULT '["vi"]',  -- JSON array of ISO 639 codes
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX patients_cccd ON patients(facility_id, cccd) WHERE cccd IS NOT NULL;
CREATE INDEX patients_bhxh ON patients(facility_id, bhxh_no) WHERE bhxh_no IS NOT NULL;
CREATE INDEX patients_phone ON patients(facility_id, phone) WHERE phone IS NOT NULL;

-- Search keys: the folded name from each word on ("nguyen van an", "van an", "an"), so a prefix
-- search finds a family name, a middle name or a given name with one index range. The keys compare
-- byte by byte (BINARY, SQLite's default; "C" on PostgreSQL, whose default follows the locale), so
-- a prefix is one range of the index on both engines.
CREATE TABLE patient_name_keys (
  facility_id INTEGER NOT NULL,
  name_key TEXT COLLATE BINARY NOT NULL,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  PRIMARY KEY (facility_id, name_key, patient_id)
);
CREATE INDEX patient_name_keys_patient ON patient_name_keys(patient_id);

-- Another facility may see a patient while a visit or a consultation shares it.
CREATE TABLE patient_shares (
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  reason TEXT NOT NULL CHECK (reason IN ('visit', 'consult')),
  ref_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (patient_id, facility_id, reason, ref_id)
);

-- Consent (Law 91/2025/QH15, Decree 356/2025): explicit, for a purpose, recorded how, withdrawable.
CREATE TABLE consents (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('remote_care', 'data_processing')),
  method TEXT NOT NULL CHECK (method IN ('paper_signed', 'verbal_witnessed', 'in_app')),
  given_by TEXT NOT NULL CHECK (given_by IN ('patient', 'guardian')),
  witness_name TEXT,
  document_ref TEXT,
  note TEXT,
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  facility_id INTEGER REFERENCES facilities(id),
  granted_at INTEGER NOT NULL,
  withdrawn_at INTEGER,
  withdrawn_by INTEGER REFERENCES users(id),
  withdraw_reason TEXT
);
CREATE INDEX consents_patient ON consents(patient_id, purpose);

-- A patient's own account reads that patient's record.
ALTER TABLE users ADD COLUMN patient_id INTEGER REFERENCES patients(id);
