-- ytexa 0005: the duplicate check on registration looks up the same folded name and birth year
-- in the facility's registry; without this index it read the whole registry (1.5 s a
-- registration at 150,000 patients, measured by bench/run.sh).
CREATE INDEX patients_name_year ON patients(facility_id, name_folded, birth_year);
