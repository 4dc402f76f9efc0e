-- ytexa 0003: remote visits ("Bác sĩ cho mọi nhà"): the visit and its transitions, vitals,
-- ICD-10 diagnoses, the conditions treatable remotely (Circular 30/2023/TT-BYT), prescriptions
-- (drafted, signed, never changed after), follow-up and referral.

CREATE TABLE visits (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),        -- where the patient is registered
  doctor_id INTEGER NOT NULL REFERENCES users(id),
  doctor_facility_id INTEGER NOT NULL REFERENCES facilities(id),
  created_by INTEGER NOT NULL REFERENCES users(id),
  mode TEXT NOT NULL CHECK (mode IN ('video', 'audio', 'chat', 'assisted')),
  state TEXT NOT NULL CHECK (state IN ('planned', 'arrived', 'in_progress', 'finished', 'cancelled', 'no_show')),
  reason TEXT NOT NULL,
  scheduled_at INTEGER,
  emergency_reason TEXT,
  consent_bypassed INTEGER NOT NULL DEFAULT 0,
  subjective TEXT,
  objective TEXT,
  assessment TEXT,
  plan TEXT,
  follow_up_date TEXT,
  follow_up_note TEXT,
  started_at INTEGER,
  ended_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX visits_patient ON visits(patient_id, id);
CREATE INDEX visits_doctor ON visits(doctor_id, id);
CREATE INDEX visits_facility ON visits(facility_id, id);
CREATE INDEX visits_doctor_facility ON visits(doctor_facility_id, id);

-- Every change of state, with when and by whom: what waiting-time reports read.
CREATE TABLE visit_events (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  from_state TEXT,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  by_user INTEGER NOT NULL REFERENCES users(id),
  reason TEXT
);
CREATE INDEX visit_events_visit ON visit_events(visit_id, id);

CREATE TABLE vitals (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  at INTEGER NOT NULL,
  systolic INTEGER, diastolic INTEGER, pulse INTEGER, respiratory_rate INTEGER,
  temperature REAL, spo2 INTEGER, weight REAL, height REAL, glucose REAL
);
CREATE INDEX vitals_visit ON vitals(visit_id);

-- ICD-10 codes with Vietnamese names: a primary-care list shipped as data (any well-formed code
-- is accepted on a visit; these have names).
CREATE TABLE icd10 (
  code TEXT PRIMARY KEY,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL,
  name_folded TEXT NOT NULL
);

-- Conditions the Ministry allows to be treated remotely (Circular 30/2023/TT-BYT). A code covers
-- its subdivisions (E11 covers E11.9). The seed is a starting list; the operator loads the
-- Ministry's list with PUT /api/v1/value-sets/remote-care.
CREATE TABLE remote_care_conditions (
  code TEXT PRIMARY KEY,
  updated_by INTEGER,
  updated_at INTEGER NOT NULL
);

CREATE TABLE visit_diagnoses (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  code TEXT NOT NULL,
  is_primary INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX visit_diagnoses_visit ON visit_diagnoses(visit_id);

-- A prescription is drafted, then signed; a signed one never changes (a correction is a new
-- version pointing at the one it replaces).
CREATE TABLE prescriptions (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  version INTEGER NOT NULL DEFAULT 1,
  replaces_id INTEGER REFERENCES prescriptions(id),
  status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
  items TEXT NOT NULL,               -- JSON array of the medicines
  note TEXT,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  signed_by INTEGER REFERENCES users(id),
  signer_name TEXT,
  signer_licence TEXT,
  signed_at INTEGER,
  content_hash TEXT
);
CREATE INDEX prescriptions_visit ON prescriptions(visit_id);
CREATE INDEX prescriptions_patient ON prescriptions(patient_id);

CREATE TABLE referrals (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  to_facility_id INTEGER NOT NULL REFERENCES facilities(id),
  specialty TEXT REFERENCES specialties(code),
  reason TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX referrals_visit ON referrals(visit_id);

INSERT INTO icd10 (code, name_vi, name_en, name_folded) VALUES
('A09', 'Tiêu chảy và viêm dạ dày ruột do nhiễm trùng', 'Infectious gastroenteritis and colitis, unspecified', 'a09 tieu chay va viem da day ruot do nhiem trung infectious gastroenteritis and colitis, unspecified'),
('A15', 'Lao hô hấp, có xác nhận vi khuẩn học và mô học', 'Respiratory tuberculosis, bacteriologically and histologically confirmed', 'a15 lao ho hap, co xac nhan vi khuan hoc va mo hoc respiratory tuberculosis, bacteriologically and histologically confirmed'),
('A16', 'Lao hô hấp, không xác nhận vi khuẩn học hoặc mô học', 'Respiratory tuberculosis, not confirmed', 'a16 lao ho hap, khong xac nhan vi khuan hoc hoac mo hoc respiratory tuberculosis, not confirmed'),
('A90', 'Sốt Dengue (Dengue cổ điển)', 'Dengue fever (classical dengue)', 'a90 sot dengue (dengue co dien) dengue fever (classical dengue)'),
('A91', 'Sốt xuất huyết Dengue', 'Dengue haemorrhagic fever', 'a91 sot xuat huyet dengue dengue haemorrhagic fever'),
('B01', 'Thủy đậu', 'Varicella (chickenpox)', 'b01 thuy dau varicella (chickenpox)'),
('B05', 'Sởi', 'Measles', 'b05 soi measles'),
('B06', 'Rubella', 'Rubella', 'b06 rubella rubella'),
('B18', 'Viêm gan virus mạn', 'Chronic viral hepatitis', 'b18 viem gan virus man chronic viral hepatitis'),
('B18.1', 'Viêm gan virus B mạn, không có đồng nhiễm viêm gan D', 'Chronic viral hepatitis B without delta-agent', 'b18.1 viem gan virus b man, khong co dong nhiem viem gan d chronic viral hepatitis b without delta-agent'),
('B20', 'Bệnh do HIV', 'HIV disease', 'b20 benh do hiv hiv disease'),
('B35', 'Bệnh nấm da', 'Dermatophytosis', 'b35 benh nam da dermatophytosis'),
('B54', 'Sốt rét, không đặc hiệu', 'Malaria, unspecified', 'b54 sot ret, khong dac hieu malaria, unspecified'),
('B86', 'Bệnh ghẻ', 'Scabies', 'b86 benh ghe scabies'),
('D50', 'Thiếu máu do thiếu sắt', 'Iron deficiency anaemia', 'd50 thieu mau do thieu sat iron deficiency anaemia'),
('D64.9', 'Thiếu máu, không đặc hiệu', 'Anaemia, unspecified', 'd64.9 thieu mau, khong dac hieu anaemia, unspecified'),
('E03', 'Suy giáp khác', 'Other hypothyroidism', 'e03 suy giap khac other hypothyroidism'),
('E04', 'Bướu giáp không độc khác', 'Other nontoxic goitre', 'e04 buou giap khong doc khac other nontoxic goitre'),
('E05', 'Cường giáp (nhiễm độc giáp)', 'Thyrotoxicosis (hyperthyroidism)', 'e05 cuong giap (nhiem doc giap) thyrotoxicosis (hyperthyroidism)'),
('E10', 'Bệnh đái tháo đường type 1', 'Type 1 diabetes mellitus', 'e10 benh dai thao duong type 1 type 1 diabetes mellitus'),
('E11', 'Bệnh đái tháo đường type 2', 'Type 2 diabetes mellitus', 'e11 benh dai thao duong type 2 type 2 diabetes mellitus'),
('E11.9', 'Bệnh đái tháo đường type 2, không có biến chứng', 'Type 2 diabetes mellitus without complications', 'e11.9 benh dai thao duong type 2, khong co bien chung type 2 diabetes mellitus without complications'),
('E44', 'Suy dinh dưỡng protein-năng lượng mức độ vừa và nhẹ', 'Protein-energy malnutrition of moderate and mild degree', 'e44 suy dinh duong protein-nang luong muc do vua va nhe protein-energy malnutrition of moderate and mild degree'),
('E46', 'Suy dinh dưỡng protein-năng lượng, không đặc hiệu', 'Unspecified protein-energy malnutrition', 'e46 suy dinh duong protein-nang luong, khong dac hieu unspecified protein-energy malnutrition'),
('E66', 'Béo phì', 'Obesity', 'e66 beo phi obesity'),
('E78', 'Rối loạn chuyển hóa lipoprotein và tình trạng tăng lipid máu khác', 'Disorders of lipoprotein metabolism and other lipidaemias', 'e78 roi loan chuyen hoa lipoprotein va tinh trang tang lipid mau khac disorders of lipoprotein metabolism and other lipidaemias'),
('E78.5', 'Tăng lipid máu, không đặc hiệu', 'Hyperlipidaemia, unspecified', 'e78.5 tang lipid mau, khong dac hieu hyperlipidaemia, unspecified'),
('E79.0', 'Tăng acid uric máu không có dấu hiệu viêm khớp và bệnh hạt tophi', 'Hyperuricaemia without signs of inflammatory arthritis and tophaceous disease', 'e79.0 tang acid uric mau khong co dau hieu viem khop va benh hat tophi hyperuricaemia without signs of inflammatory arthritis and tophaceous disease'),
('F10', 'Rối loạn tâm thần và hành vi do sử dụng rượu', 'Mental and behavioural disorders due to use of alcohol', 'f10 roi loan tam than va hanh vi do su dung ruou mental and behavioural disorders due to use of alcohol'),
('F20', 'Bệnh tâm thần phân liệt', 'Schizophrenia', 'f20 benh tam than phan liet schizophrenia'),
('F32', 'Giai đoạn trầm cảm', 'Depressive episode', 'f32 giai doan tram cam depressive episode'),
('F41', 'Các rối loạn lo âu khác', 'Other anxiety disorders', 'f41 cac roi loan lo au khac other anxiety disorders'),
('F41.1', 'Rối loạn lo âu lan tỏa', 'Generalized anxiety disorder', 'f41.1 roi loan lo au lan toa generalized anxiety disorder'),
('F51.0', 'Mất ngủ không thực tổn', 'Nonorganic insomnia', 'f51.0 mat ngu khong thuc ton nonorganic insomnia'),
('G20', 'Bệnh Parkinson', 'Parkinson disease', 'g20 benh parkinson parkinson disease'),
('G40', 'Động kinh', 'Epilepsy', 'g40 dong kinh epilepsy'),
('G43', 'Migraine', 'Migraine', 'g43 migraine migraine'),
('G44.2', 'Đau đầu do căng thẳng', 'Tension-type headache', 'g44.2 dau dau do cang thang tension-type headache'),
('H10', 'Viêm kết mạc', 'Conjunctivitis', 'h10 viem ket mac conjunctivitis'),
('H25', 'Đục thủy tinh thể ở người già', 'Senile cataract', 'h25 duc thuy tinh the o nguoi gia senile cataract'),
('H40', 'Glôcôm', 'Glaucoma', 'h40 glocom glaucoma'),
('H52', 'Rối loạn khúc xạ và điều tiết', 'Disorders of refraction and accommodation', 'h52 roi loan khuc xa va dieu tiet disorders of refraction and accommodation'),
('H66', 'Viêm tai giữa mủ và không đặc hiệu', 'Suppurative and unspecified otitis media', 'h66 viem tai giua mu va khong dac hieu suppurative and unspecified otitis media'),
('I10', 'Tăng huyết áp vô căn (nguyên phát)', 'Essential (primary) hypertension', 'i10 tang huyet ap vo can (nguyen phat) essential (primary) hypertension'),
('I11', 'Bệnh tim do tăng huyết áp', 'Hypertensive heart disease', 'i11 benh tim do tang huyet ap hypertensive heart disease'),
('I20', 'Cơn đau thắt ngực', 'Angina pectoris', 'i20 con dau that nguc angina pectoris'),
('I21', 'Nhồi máu cơ tim cấp', 'Acute myocardial infarction', 'i21 nhoi mau co tim cap acute myocardial infarction'),
('I25', 'Bệnh tim thiếu máu cục bộ mạn', 'Chronic ischaemic heart disease', 'i25 benh tim thieu mau cuc bo man chronic ischaemic heart disease'),
('I48', 'Rung nhĩ và cuồng nhĩ', 'Atrial fibrillation and flutter', 'i48 rung nhi va cuong nhi atrial fibrillation and flutter'),
('I50', 'Suy tim', 'Heart failure', 'i50 suy tim heart failure'),
('I63', 'Nhồi máu não', 'Cerebral infarction', 'i63 nhoi mau nao cerebral infarction'),
('I64', 'Đột quỵ, không xác định do xuất huyết hay nhồi máu', 'Stroke, not specified as haemorrhage or infarction', 'i64 dot quy, khong xac dinh do xuat huyet hay nhoi mau stroke, not specified as haemorrhage or infarction'),
('I69', 'Di chứng bệnh mạch máu não', 'Sequelae of cerebrovascular disease', 'i69 di chung benh mach mau nao sequelae of cerebrovascular disease'),
('I83', 'Giãn tĩnh mạch chi dưới', 'Varicose veins of lower extremities', 'i83 gian tinh mach chi duoi varicose veins of lower extremities'),
('I84', 'Trĩ', 'Haemorrhoids', 'i84 tri haemorrhoids'),
('J00', 'Viêm mũi họng cấp (cảm thường)', 'Acute nasopharyngitis (common cold)', 'j00 viem mui hong cap (cam thuong) acute nasopharyngitis (common cold)'),
('J01', 'Viêm xoang cấp', 'Acute sinusitis', 'j01 viem xoang cap acute sinusitis'),
('J02', 'Viêm họng cấp', 'Acute pharyngitis', 'j02 viem hong cap acute pharyngitis'),
('J03', 'Viêm amidan cấp', 'Acute tonsillitis', 'j03 viem amidan cap acute tonsillitis'),
('J06', 'Nhiễm trùng đường hô hấp trên cấp ở nhiều nơi và không xác định', 'Acute upper respiratory infections of multiple and unspecified sites', 'j06 nhiem trung duong ho hap tren cap o nhieu noi va khong xac dinh acute upper respiratory infections of multiple and unspecified sites'),
('J11', 'Cúm, virus không được xác định', 'Influenza, virus not identified', 'j11 cum, virus khong duoc xac dinh influenza, virus not identified'),
('J18', 'Viêm phổi, tác nhân không xác định', 'Pneumonia, organism unspecified', 'j18 viem phoi, tac nhan khong xac dinh pneumonia, organism unspecified'),
('J18.9', 'Viêm phổi, không đặc hiệu', 'Pneumonia, unspecified', 'j18.9 viem phoi, khong dac hieu pneumonia, unspecified'),
('J20', 'Viêm phế quản cấp', 'Acute bronchitis', 'j20 viem phe quan cap acute bronchitis'),
('J21', 'Viêm tiểu phế quản cấp', 'Acute bronchiolitis', 'j21 viem tieu phe quan cap acute bronchiolitis'),
('J30', 'Viêm mũi vận mạch và dị ứng', 'Vasomotor and allergic rhinitis', 'j30 viem mui van mach va di ung vasomotor and allergic rhinitis'),
('J31', 'Viêm mũi, viêm mũi họng và viêm họng mạn', 'Chronic rhinitis, nasopharyngitis and pharyngitis', 'j31 viem mui, viem mui hong va viem hong man chronic rhinitis, nasopharyngitis and pharyngitis'),
('J32', 'Viêm xoang mạn', 'Chronic sinusitis', 'j32 viem xoang man chronic sinusitis'),
('J44', 'Bệnh phổi tắc nghẽn mạn tính khác', 'Other chronic obstructive pulmonary disease', 'j44 benh phoi tac nghen man tinh khac other chronic obstructive pulmonary disease'),
('J45', 'Hen', 'Asthma', 'j45 hen asthma'),
('K02', 'Sâu răng', 'Dental caries', 'k02 sau rang dental caries'),
('K05', 'Viêm lợi và bệnh nha chu', 'Gingivitis and periodontal diseases', 'k05 viem loi va benh nha chu gingivitis and periodontal diseases'),
('K21', 'Bệnh trào ngược dạ dày - thực quản', 'Gastro-oesophageal reflux disease', 'k21 benh trao nguoc da day - thuc quan gastro-oesophageal reflux disease'),
('K25', 'Loét dạ dày', 'Gastric ulcer', 'k25 loet da day gastric ulcer'),
('K26', 'Loét tá tràng', 'Duodenal ulcer', 'k26 loet ta trang duodenal ulcer'),
('K29', 'Viêm dạ dày và tá tràng', 'Gastritis and duodenitis', 'k29 viem da day va ta trang gastritis and duodenitis'),
('K30', 'Khó tiêu chức năng', 'Functional dyspepsia', 'k30 kho tieu chuc nang functional dyspepsia'),
('K35', 'Viêm ruột thừa cấp', 'Acute appendicitis', 'k35 viem ruot thua cap acute appendicitis'),
('K40', 'Thoát vị bẹn', 'Inguinal hernia', 'k40 thoat vi ben inguinal hernia'),
('K58', 'Hội chứng ruột kích thích', 'Irritable bowel syndrome', 'k58 hoi chung ruot kich thich irritable bowel syndrome'),
('K59.0', 'Táo bón', 'Constipation', 'k59.0 tao bon constipation'),
('K70', 'Bệnh gan do rượu', 'Alcoholic liver disease', 'k70 benh gan do ruou alcoholic liver disease'),
('K74', 'Xơ hóa và xơ gan', 'Fibrosis and cirrhosis of liver', 'k74 xo hoa va xo gan fibrosis and cirrhosis of liver'),
('K76.0', 'Gan nhiễm mỡ, không phân loại nơi khác', 'Fatty (change of) liver, not elsewhere classified', 'k76.0 gan nhiem mo, khong phan loai noi khac fatty (change of) liver, not elsewhere classified'),
('K80', 'Sỏi mật', 'Cholelithiasis', 'k80 soi mat cholelithiasis'),
('L01', 'Chốc lở', 'Impetigo', 'l01 choc lo impetigo'),
('L20', 'Viêm da cơ địa', 'Atopic dermatitis', 'l20 viem da co dia atopic dermatitis'),
('L23', 'Viêm da tiếp xúc dị ứng', 'Allergic contact dermatitis', 'l23 viem da tiep xuc di ung allergic contact dermatitis'),
('L30.9', 'Viêm da, không đặc hiệu', 'Dermatitis, unspecified', 'l30.9 viem da, khong dac hieu dermatitis, unspecified'),
('L50', 'Mày đay', 'Urticaria', 'l50 may day urticaria'),
('L70', 'Trứng cá', 'Acne', 'l70 trung ca acne'),
('M06', 'Viêm khớp dạng thấp khác', 'Other rheumatoid arthritis', 'm06 viem khop dang thap khac other rheumatoid arthritis'),
('M10', 'Bệnh gút', 'Gout', 'm10 benh gut gout'),
('M17', 'Thoái hóa khớp gối', 'Gonarthrosis (arthrosis of knee)', 'm17 thoai hoa khop goi gonarthrosis (arthrosis of knee)'),
('M19', 'Thoái hóa khớp khác', 'Other arthrosis', 'm19 thoai hoa khop khac other arthrosis'),
('M47', 'Thoái hóa cột sống', 'Spondylosis', 'm47 thoai hoa cot song spondylosis'),
('M51', 'Rối loạn đĩa đệm gian đốt sống khác', 'Other intervertebral disc disorders', 'm51 roi loan dia dem gian dot song khac other intervertebral disc disorders'),
('M54', 'Đau lưng', 'Dorsalgia', 'm54 dau lung dorsalgia'),
('M54.5', 'Đau thắt lưng', 'Low back pain', 'm54.5 dau that lung low back pain'),
('M79.1', 'Đau cơ', 'Myalgia', 'm79.1 dau co myalgia'),
('M81', 'Loãng xương không có gãy xương bệnh lý', 'Osteoporosis without pathological fracture', 'm81 loang xuong khong co gay xuong benh ly osteoporosis without pathological fracture'),
('N18', 'Bệnh thận mạn', 'Chronic kidney disease', 'n18 benh than man chronic kidney disease'),
('N20', 'Sỏi thận và niệu quản', 'Calculus of kidney and ureter', 'n20 soi than va nieu quan calculus of kidney and ureter'),
('N30', 'Viêm bàng quang', 'Cystitis', 'n30 viem bang quang cystitis'),
('N39.0', 'Nhiễm trùng đường tiết niệu, vị trí không xác định', 'Urinary tract infection, site not specified', 'n39.0 nhiem trung duong tiet nieu, vi tri khong xac dinh urinary tract infection, site not specified'),
('N40', 'Tăng sản tuyến tiền liệt', 'Hyperplasia of prostate', 'n40 tang san tuyen tien liet hyperplasia of prostate'),
('N76', 'Viêm âm đạo và âm hộ khác', 'Other inflammation of vagina and vulva', 'n76 viem am dao va am ho khac other inflammation of vagina and vulva'),
('N94.6', 'Đau bụng kinh, không đặc hiệu', 'Dysmenorrhoea, unspecified', 'n94.6 dau bung kinh, khong dac hieu dysmenorrhoea, unspecified'),
('N95', 'Rối loạn mãn kinh và quanh mãn kinh', 'Menopausal and other perimenopausal disorders', 'n95 roi loan man kinh va quanh man kinh menopausal and other perimenopausal disorders'),
('O21', 'Nôn quá mức khi có thai', 'Excessive vomiting in pregnancy', 'o21 non qua muc khi co thai excessive vomiting in pregnancy'),
('O24', 'Đái tháo đường trong thời kỳ có thai', 'Diabetes mellitus in pregnancy', 'o24 dai thao duong trong thoi ky co thai diabetes mellitus in pregnancy'),
('O99.0', 'Thiếu máu biến chứng thai nghén, khi đẻ và sau đẻ', 'Anaemia complicating pregnancy, childbirth and the puerperium', 'o99.0 thieu mau bien chung thai nghen, khi de va sau de anaemia complicating pregnancy, childbirth and the puerperium'),
('R05', 'Ho', 'Cough', 'r05 ho cough'),
('R10', 'Đau bụng và đau vùng chậu', 'Abdominal and pelvic pain', 'r10 dau bung va dau vung chau abdominal and pelvic pain'),
('R50', 'Sốt không rõ nguyên nhân', 'Fever of other and unknown origin', 'r50 sot khong ro nguyen nhan fever of other and unknown origin'),
('R51', 'Đau đầu', 'Headache', 'r51 dau dau headache'),
('R53', 'Khó chịu và mệt mỏi', 'Malaise and fatigue', 'r53 kho chiu va met moi malaise and fatigue'),
('S00', 'Tổn thương nông ở đầu', 'Superficial injury of head', 's00 ton thuong nong o dau superficial injury of head'),
('S60', 'Tổn thương nông ở cổ tay và bàn tay', 'Superficial injury of wrist and hand', 's60 ton thuong nong o co tay va ban tay superficial injury of wrist and hand'),
('S93.4', 'Bong gân và căng dây chằng cổ chân', 'Sprain and strain of ankle', 's93.4 bong gan va cang day chang co chan sprain and strain of ankle'),
('T14.1', 'Vết thương hở vùng cơ thể không xác định', 'Open wound of unspecified body region', 't14.1 vet thuong ho vung co the khong xac dinh open wound of unspecified body region'),
('T30', 'Bỏng, vùng cơ thể không xác định', 'Burn and corrosion, body region unspecified', 't30 bong, vung co the khong xac dinh burn and corrosion, body region unspecified'),
('T63', 'Nhiễm độc do tiếp xúc với động vật có nọc độc', 'Toxic effect of contact with venomous animals', 't63 nhiem doc do tiep xuc voi dong vat co noc doc toxic effect of contact with venomous animals'),
('W54', 'Bị chó cắn hoặc húc', 'Bitten or struck by dog', 'w54 bi cho can hoac huc bitten or struck by dog'),
('Z00', 'Khám sức khỏe tổng quát', 'General examination without complaint or reported diagnosis', 'z00 kham suc khoe tong quat general examination without complaint or reported diagnosis'),
('Z23', 'Cần tiêm chủng phòng một bệnh nhiễm khuẩn đơn thuần', 'Need for immunization against single bacterial diseases', 'z23 can tiem chung phong mot benh nhiem khuan don thuan need for immunization against single bacterial diseases'),
('Z30', 'Tư vấn và quản lý tránh thai', 'Contraceptive management', 'z30 tu van va quan ly tranh thai contraceptive management'),
('Z34', 'Theo dõi thai bình thường', 'Supervision of normal pregnancy', 'z34 theo doi thai binh thuong supervision of normal pregnancy'),
('Z39.2', 'Theo dõi thường quy sau đẻ', 'Routine postpartum follow-up', 'z39.2 theo doi thuong quy sau de routine postpartum follow-up');

INSERT INTO remote_care_conditions (code, updated_at) VALUES ('E03', 0), ('E04', 0), ('E05', 0), ('E10', 0), ('E11', 0), ('E66', 0), ('E78', 0), ('E79.0', 0), ('F32', 0), ('F41', 0), ('F51.0', 0), ('G20', 0), ('G40', 0), ('G43', 0), ('G44.2', 0), ('I10', 0), ('I11', 0), ('I20', 0), ('I25', 0), ('I48', 0), ('I50', 0), ('I69', 0), ('J30', 0), ('J31', 0), ('J44', 0), ('J45', 0), ('K21', 0), ('K29', 0), ('K30', 0), ('K58', 0), ('K59.0', 0), ('K76.0', 0), ('L20', 0), ('L50', 0), ('L70', 0), ('M10', 0), ('M17', 0), ('M19', 0), ('M47', 0), ('M54', 0), ('M81', 0), ('N18', 0), ('N40', 0), ('N95', 0), ('Z00', 0), ('Z30', 0), ('Z34', 0), ('Z39.2', 0);
