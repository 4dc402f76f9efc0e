/* Internal to src/visit: what its files share. */
#ifndef YTEXA_VISIT_H
#define YTEXA_VISIT_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"
#include "ytexa/patient.h"
#include "ytexa/visit.h"

/* A visit as the checks need it. */
struct yx_visit {
    int64_t id, patient_id, facility_id, doctor_id, doctor_facility_id;
    char state[16], mode[12];
};

/* Loads visit :id (path parameter 0) and checks that the caller may do act on it: read it (the
 * patient's facility, the visit's doctor, a facility a live share lets read the patient, the
 * patient's own account) or act on it (the patient's facility's clinicians and the visit's doctor,
 * nobody else). 404 when there is none or it is not the caller's business (the same answer); 403
 * when the caller may read it but not act on it. Sets the audit patient. */
int yx_visit_load(struct yx_req *r, enum yx_action act, struct yx_visit *v);

/* The same for the visit with this id. */
int yx_visit_load_id(struct yx_req *r, int64_t id, enum yx_action act, struct yx_visit *v);

/* Only the visit's doctor writes its clinical record (yx_authorize(), YX_RES_VISIT_RECORD); 403
 * otherwise. */
int yx_visit_doctor_only(struct yx_req *r, const struct yx_visit *v);

/* Does the caller see prescriptions before they are signed (everyone who sees the visit but its
 * patient: yx_authorize(), YX_RES_PRESCRIPTION)? */
int yx_visit_sees_drafts(const struct yx_req *r);

/* The visit must be in one of the states (a NULL-terminated list); 409 code "visit_state". */
int yx_visit_state_in(struct yx_req *r, const struct yx_visit *v, const char *const *states);

/* The visit as the API shows it, with its record; NULL when there is none. A patient's own
 * account sees signed prescriptions only (drafts are work in progress). */
json_t *yx_visit_json(struct yx_db *db, int64_t id, int for_patient);

/* Is code a well-formed ICD-10 code (letter, two digits, optionally '.' and one or two more
 * letters or digits)? Upper-cases it into out. */
int yx_icd10_wellformed(const char *code, char out[8]);

/* The Vietnamese name of an ICD-10 code (or of its three-character category), or NULL; the
 * string lives in the request's arena. */
const char *yx_icd10_name(struct yx_req *r, const char *code);

/* Is the code in the remote-care value set (itself or its category)? */
int yx_remote_treatable(struct yx_db *db, const char *code, int *yes);

/* A Vietnam calendar day (UTC+7) "YYYY-MM-DD" as [from, to) in ms; YX_EINVAL when malformed. */
int yx_vn_day(const char *day, int64_t *from, int64_t *to);

/* Renders a signed prescription as PDF (cairo + pango); *pdf is malloc'd. */
int yx_prescription_pdf(struct yx_db *db, int64_t id, char **pdf, size_t *len);

#endif
