/* The patient registry as other workflows use it (visits, consultations, reports): who may act on
 * a patient, whether consent is in force, and sharing a patient with another facility.
 * The routes themselves live in src/patient/. */
#ifndef YTEXA_PATIENT_H
#define YTEXA_PATIENT_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* The SQL condition "share row s is live" (its one parameter: now, in ms). A share lets a facility
 * read a patient of another; it ends when its reason ends (docs/api.md, "Sharing"). */
#define YX_SHARE_LIVE "(s.expires_at IS NULL OR s.expires_at > ?)"

/* Fills res for the patient with this id as r's principal sees it: the home facility and its
 * province, and whether a live share lets the principal's facility read the patient. Fails with
 * the 404 of yx_not_found() when there is no such patient. */
int yx_patient_resource(struct yx_req *r, int64_t patient_id, struct yx_resource *res);

/* May r's principal do act on this patient's data? A share lets another facility read, never
 * write. Fails with 404 (no such patient, or one the caller may not know of: the same answer, byte
 * for byte) or 403 (the caller may see the patient but not do this). The request's audit event
 * names the patient (r->audit_patient_id) when the caller may see it; a 404 names none, so that
 * the trail does not tell an administrator which ids exist elsewhere. */
int yx_patient_access(struct yx_req *r, int64_t patient_id, enum yx_action act);
/* The same for patient data of a kind with rules of its own (YX_RES_VISIT, YX_RES_CONSENT,
 * YX_RES_APPOINTMENT: include/ytexa/auth.h), party: the caller takes part in what is acted on (the
 * visit's own doctor) and acts on it as the home facility does. */
int yx_patient_access_as(struct yx_req *r, int64_t patient_id, enum yx_action act, enum yx_resource_kind kind,
                         int party);
/* The decision of yx_patient_access_as() for a resource already filled as yx_patient_resource()
 * fills it (a route that reads the record's row with its home province and share in one query):
 * the same rule, the same refusals, the same audit naming. */
int yx_patient_decide(struct yx_req *r, const struct yx_resource *res, enum yx_action act);
/* The start of every list on a patient's record (GET /api/v1/patients/:id/<things>): the id from
 * the path, the record's read rule (yx_patient_access: another facility's patient answers as an
 * absent one), then the page's cursor and limit (yx_page). 0, or the refusal. */
int yx_patient_list_start(struct yx_req *r, int64_t *patient_id, int64_t *after, int64_t *limit);

/* Registers a patient at the caller's facility from b, an object in the shape POST
 * /api/v1/patients takes (docs/api.md), with every check that route makes: the caller a clinician
 * of a facility, the field table, the record's rules, ethnicity and commune, a CCCD taken (409
 * duplicate_cccd), likely duplicates (409 possible_duplicate unless b says allow_duplicate). Fills
 * *id and names it in the request's audit event. For other ways in (FHIR) that map onto the same
 * record. */
int yx_patient_register(struct yx_req *r, const json_t *b, int64_t *id);
/* Corrects patient id from b, an object in the shape PATCH /api/v1/patients/:id takes (only what
 * changes; null clears an optional field), with the same checks: the home facility only (404 or
 * 403 as yx_patient_access() answers), the field table, the record's rules. The patient's version
 * goes up by one. */
int yx_patient_correct(struct yx_req *r, int64_t id, const json_t *b);

/* What an imported record did to the registry. */
enum yx_patient_imported { YX_IMPORT_CREATED, YX_IMPORT_UPDATED, YX_IMPORT_UNCHANGED };
/* Imports b, an object in the shape PATCH /api/v1/patients/:id takes with every mapped field
 * present (null: absent), into facility's registry: a record of the facility with b's CCCD or
 * BHYT number is corrected as yx_patient_correct() corrects it (left as it is, its version too,
 * when nothing changes), otherwise b is registered as yx_patient_register() registers it (likely
 * duplicates refused 409 possible_duplicate). Every rule of the record holds; who may import into
 * facility is the caller's to ask of yx_authorize() first (YX_RES_IMPORT). Fills *what and *id. */
int yx_patient_import(struct yx_req *r, int64_t facility, const json_t *b, enum yx_patient_imported *what,
                      int64_t *id);

/* Is consent for purpose ("remote_care" or "data_processing") in force for the patient?
 * Sets *active to 1 or 0. Returns 0 or a YX_E code from the database. */
int yx_consent_active(struct yx_db *db, int64_t patient_id, const char *purpose, int *active);

/* Records a consent of the patient from b, an object in the shape POST
 * /api/v1/patients/:id/consents takes, with every check that route makes: the caller may write
 * the patient's consent (404 or 403 as yx_patient_access_as() answers), the field table, how it
 * was given (a witness, a document, in the app only by the patient), a child's by the guardian,
 * one in force a purpose (409 consent_active). Fills *id and names it in the audit event. */
int yx_consent_record(struct yx_req *r, int64_t patient_id, const json_t *b, int64_t *id);

/* Lets facility_id read the patient because of a visit, consultation or referral (reason
 * "visit", "consult" or "referral", ref_id its id), until expires_at (ms; 0: until the reason ends
 * and yx_patient_unshare() is called). Sharing twice is harmless. */
int yx_patient_share(struct yx_db *db, int64_t patient_id, int64_t facility_id, const char *reason,
                     int64_t ref_id, int64_t expires_at);
/* Ends every share that reason ref_id made (a visit that ended, a case closed or moved on). */
int yx_patient_unshare(struct yx_db *db, const char *reason, int64_t ref_id);

/* Is the caller a clinician (health worker, doctor, specialist) of a facility, who may look up its
 * registry and its visits? 403 otherwise. */
int yx_patient_registry_role(struct yx_req *r);

/* {"id","full_name","birth_year","sex","facility_id"} of a patient, for embedding in other
 * records; NULL when there is none. */
json_t *yx_patient_brief(struct yx_db *db, int64_t patient_id);

/* The patient's age band in the year of at_ms ("35-39", "90+"): what a de-identified record (a
 * consultation exported for teaching, a case shown in a training session) gives instead of the
 * birth year. */
void yx_age_band(int64_t at_ms, int64_t birth_year, char out[16]);

#endif
