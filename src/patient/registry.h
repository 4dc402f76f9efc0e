/* Internal to src/patient: the checks of identity numbers and the record's shape, shared by the
 * registry, search and consent files. The pure checks here are unit-tested (tests/unit/patient_test.c). */
#ifndef YTEXA_PATIENT_REGISTRY_H
#define YTEXA_PATIENT_REGISTRY_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"
#include "ytexa/patient.h"

/* Checks a CCCD (citizen identity number, Circular 59/2021/TT-BCA): 12 digits, a province-of-birth
 * code that exists, and the century-and-sex digit and two year digits agreeing with birth_year and
 * sex ("male", "female"; "other" checks only the century). Returns NULL when it holds, otherwise
 * the reason, a sentence in Vietnamese and English. */
const char *yx_cccd_problem(const char *cccd, int64_t birth_year, const char *sex);

/* Reads a BHYT (health insurance) code: the 15-character card code (2 letters of the beneficiary
 * group, the benefit level 1-5, a 2-digit province code, the 10-digit social insurance number) or
 * the 10-digit number alone. Letters may be lower case and spaces are ignored. On success fills
 * code (upper case, no spaces) and bhxh (the 10 digits) and returns 0; YX_EINVAL otherwise. */
int yx_bhyt_parse(const char *in, char code[16], char bhxh[11]);

/* A Vietnamese phone number as stored: digits only, "+84"/"84" turned into a leading 0, 10 or 11
 * digits starting with 0. Returns 0 or YX_EINVAL. */
int yx_phone_normalize(const char *in, char out[16]);

/* A date YYYY-MM-DD that exists in the calendar; fills *year. Returns 0 or YX_EINVAL. */
int yx_date_parse(const char *s, int *year, int *month, int *day);

/* Age in whole years on today's date (a year-only birth counts from 1 July of that year). */
int yx_age_years(const char *birth_date, int64_t birth_year);

/* The folded name keys of a full name: the folded name from each word on, separated by '\n'
 * ("nguyen van an\nvan an\nan"); malloc'd, NULL when the name is not text. */
char *yx_name_keys(const char *full_name);

/* The columns yx_patient_row() reads (by name), and the joins of patients p that they name. */
#define YX_PATIENT_COLUMNS                                                                                   \
    "p.id, p.facility_id, f.name AS facility_name, p.full_name, p.birth_date, p.birth_year, p.sex, "         \
    "p.ethnicity, e.name_vi AS ethnicity_name, p.cccd, p.bhyt, p.phone, p.unit_id, u.name AS unit_name, "    \
    "p.address, p.poor_household, p.near_poor_household, "                                                   \
    "p.disability, p.pregnant, p.guardian_name, p.guardian_phone, p.guardian_relation, p.languages, "        \
    "p.created_at, p.updated_at, p.notify_channel"
#define YX_PATIENT_JOINS                                                                                     \
    " JOIN facilities f ON f.id = p.facility_id LEFT JOIN ethnicities e ON e.code = p.ethnicity "            \
    "LEFT JOIN admin_units u ON u.id = p.unit_id "
#define YX_PATIENT_SELECT "SELECT " YX_PATIENT_COLUMNS " FROM patients p" YX_PATIENT_JOINS

/* Row i of a YX_PATIENT_SELECT as the API shows it (without the consent summary). The text form
 * leaves the object open, so a caller can add fields before its "}"; it is what lists and the
 * read send, without building jansson objects first. */
json_t *yx_patient_row(const struct yx_rows *r, int i);
int yx_patient_row_text(struct yx_buf *b, const struct yx_rows *r, int i);

/* Replaces the search keys of patient id (at facility) with those of full_name. YX_EINVAL when
 * the name is not text. */
int yx_patient_save_keys(struct yx_db *db, int64_t id, int64_t facility, const char *full_name);

/* GET a patient in one query: checks the caller may read it (404 otherwise, the patient named in
 * the audit either way) and writes the record as the API shows it, as JSON text, into out. */
int yx_patient_read(struct yx_req *r, int64_t id, struct yx_buf *out);

/* The patient as the API shows it, with its consent in force, or NULL when there is none. */
json_t *yx_patient_json(struct yx_db *db, int64_t id);

#endif
