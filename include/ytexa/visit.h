/* What other workflows use of the visit workflow (src/visit/): booking an appointment plans a
 * visit, cancelling one cancels it. */
#ifndef YTEXA_VISIT_PUBLIC_H
#define YTEXA_VISIT_PUBLIC_H

#include <stddef.h>
#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

struct yx_visit_plan {
    int64_t patient_id, doctor_id, doctor_facility_id;
    const char *mode, *reason, *emergency_reason; /* not owned */
    int64_t scheduled_at;                         /* ms, 0 when not set */
};

/* Plans a visit (state "planned", its first event, the patient shared with the doctor's
 * facility), created by r's principal. The caller has checked access to the patient. */
int yx_visit_insert(struct yx_req *r, const struct yx_visit_plan *p, int64_t *id);

/* The facility of an active doctor or specialist; a 400 naming field otherwise. */
int yx_visit_doctor_facility(struct yx_req *r, int64_t doctor_id, const char *field, int64_t *facility);

/* May r's principal do act (read) to visit id, as the REST visit routes decide (the patient's
 * facility, the visit's doctor, a facility a live share lets read the patient)? 0, or the same 404
 * for a visit that is not the caller's business as for an absent one. Sets the audit patient and
 * target. For the FHIR mapping of visits and their records (src/fhir). */
int yx_visit_access(struct yx_req *r, int64_t id, enum yx_action act);

/* Renders a signed prescription as the PDF GET /api/v1/prescriptions/:id/pdf answers, byte for
 * byte (cairo + pango); *pdf is malloc'd. For that route and the FHIR Binary of it. */
int yx_prescription_pdf(struct yx_db *db, int64_t id, char **pdf, size_t *len);

/* The verification code printed on a signed prescription, made from its content hash (the first 50
 * bits in Crockford's base32, "XXXXX-XXXXX", as yx_verify_code writes): no column of its own, and
 * the same code for every copy. */
void yx_prescription_code(const char *content_hash, char out[12]);
/* GET /api/v1/verify/:code for a signed prescription (src/app/verify.c asks each kind of paper):
 * who signed it, when, at which facility, whether it is intact and still current. Says nothing
 * about the patient. YX_ENOTFOUND when no signed prescription has the code. */
int yx_prescription_verify(struct yx_req *r, const char *code);

/* Records a change of state of a visit (from may be NULL), by r's principal. */
int yx_visit_event(struct yx_req *r, int64_t visit, const char *from, const char *to, const char *reason);

/* Moves visit from state from to state to (conditional on from: 0 rows changed is YX_ECONFLICT),
 * with its event; bypassed counts a start without consent in an emergency. A visit that ends
 * (finished, cancelled, no-show) ends the share it made, and one that will not happen retires its
 * announcement. The one place a visit's state changes. */
int yx_visit_set_state(struct yx_req *r, int64_t visit, const char *from, const char *to, const char *reason,
                       int bypassed);

/* The vital signs of one measuring: value k, in the order of yx_vital_names, when set[k]. Units:
 * mmHg, beats and breaths a minute, °C, %, kg, cm, mmol/L. */
#define YX_VITALS 9
struct yx_vitals {
    double val[YX_VITALS];
    int set[YX_VITALS];
};
/* systolic, diastolic, pulse, respiratory_rate, temperature, spo2, weight, height, glucose: the
 * REST body's fields and the columns of vitals. */
extern const char *const yx_vital_names[YX_VITALS];

/* Records vital signs on visit, measured at at (ms; 0 now), as POST /api/v1/visits/:id/vitals does
 * and with its rules: the visit's doctor or a clinician of the patient's facility (otherwise the
 * 404 of an absent visit, or 403), the visit in progress (409 visit_state), each value within its
 * plausible range (400 naming the measurement as yx_vital_names does), blood pressure both numbers
 * or neither. *id is the new row of vitals. Serves the REST route and FHIR's Observation create. */
int yx_visit_record_vitals(struct yx_req *r, int64_t visit, const struct yx_vitals *m, int64_t at,
                           int64_t *id);

/* Adds an ICD-10 diagnosis to visit, as POST /api/v1/visits/:id/diagnoses does: only the visit's
 * doctor, the visit in progress, a well-formed code (400 naming "icd10"); a primary one demotes the
 * previous primary. note may be NULL. *id is the new row of visit_diagnoses. Serves the REST route
 * and FHIR's Condition create. */
int yx_visit_add_diagnosis(struct yx_req *r, int64_t visit, const char *icd10, int primary, const char *note,
                           int64_t *id);

/* What yx_visit_record_past() writes: a finished past visit, or a measuring or a diagnosis on
 * one. Strings are not owned. */
enum yx_visit_past_kind { YX_PAST_VISIT, YX_PAST_VITALS, YX_PAST_DIAGNOSIS };
struct yx_visit_past {
    enum yx_visit_past_kind kind;
    int64_t facility_id; /* the facility whose registry the record is written into */
    int64_t by;          /* the doctor (a visit) or who measured or diagnosed; 0: r's principal */
    /* YX_PAST_VISIT: the patient, the mode, the reason, when it started and ended (ms). */
    int64_t patient_id, start, end;
    const char *mode, *reason;
    /* YX_PAST_VITALS and YX_PAST_DIAGNOSIS: the visit (one written by YX_PAST_VISIT), and when (ms). */
    int64_t visit_id, at;
    const struct yx_vitals *vitals;
    const char *icd10, *note;
    int primary; /* a diagnosis: 1 the primary one (another is demoted), 0 not, -1 when it is the first */
};

/* Writes a visit that happened elsewhere and is over, for a bulk import (docs/fhir.md "Bulk
 * import"), which the REST routes cannot: they plan a visit and record on it only while it is in
 * progress. With the rules of those routes where they apply: the patient (or the visit's
 * patient) of p->facility_id, else the 404 of an absent one; times not in the future (field
 * "start", "end" or "at"), a visit's start before its end; the mode of a visit; a doctor who is
 * an active doctor or specialist ("doctor_id"; none: r's principal, at p->facility_id); vitals
 * within their plausible ranges (named as yx_vital_names does), blood pressure both numbers; an
 * ICD-10 code well-formed and in ytexa's list, itself or its category ("icd10"). A visit is
 * written finished with its start and end (the reports' rollups count it under them) and one
 * event; a measuring at a time the visit already has a row of vitals for fills that row where it is
 * empty (an export writes one Observation a measurement); a diagnosis is primary as p->primary
 * says. Who may import into the facility is the caller's to ask of yx_authorize() first
 * (YX_RES_IMPORT). *id: the visit, the row of vitals or the diagnosis. */
int yx_visit_record_past(struct yx_req *r, const struct yx_visit_past *p, int64_t *id);

/* The channel "visit:<id>" (include/ytexa/realtime.h), its chat and its call: for those who take
 * part in the visit — the patient's own account, the clinicians of the patient's facility and the
 * visit's doctor; the doctor's colleagues, who may read the visit while it is open, do not. The
 * visit's doctor and whoever planned it are told of messages they miss. src/app registers it with
 * the hub. */
struct yx_channel_kind;
extern const struct yx_channel_kind yx_visit_channel;

#endif
