/* The patient registry as other workflows use it (visits, consultations, reports): who may act on
 * a patient, whether consent is in force, and sharing a patient with another facility.
 * The routes themselves live in src/patient/. */
#ifndef YTEXA_PATIENT_H
#define YTEXA_PATIENT_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* Fills res for the patient with this id as r's principal sees it: the home facility and its
 * province, and whether a visit or consultation shares the patient with the principal's
 * facility. Fails with 404 when there is no such patient. */
int yx_patient_resource(struct yx_req *r, int64_t patient_id, struct yx_resource *res);

/* May r's principal do act on this patient's data? Records the patient as the one the request's
 * audit event names (r->audit_patient_id), also when refused. Fails with 404 (no such patient, or one
 * the caller may not know of) or 403 (a role that may read but not write). */
int yx_patient_access(struct yx_req *r, int64_t patient_id, enum yx_action act);

/* Is consent for purpose ("remote_care" or "data_processing") in force for the patient?
 * Sets *active to 1 or 0. Returns 0 or a YX_E code from the database. */
int yx_consent_active(struct yx_db *db, int64_t patient_id, const char *purpose, int *active);

/* Lets facility_id see the patient because of a visit or consultation (reason "visit" or
 * "consult", ref_id its id). Sharing twice is harmless. */
int yx_patient_share(struct yx_db *db, int64_t patient_id, int64_t facility_id, const char *reason,
                     int64_t ref_id);

/* Is the caller a clinician (health worker, doctor, specialist) of a facility, who may look up its
 * registry and its visits? 403 otherwise. */
int yx_patient_registry_role(struct yx_req *r);

/* {"id","full_name","birth_year","sex","facility_id"} of a patient, for embedding in other
 * records; NULL when there is none. */
json_t *yx_patient_brief(struct yx_db *db, int64_t patient_id);

#endif
