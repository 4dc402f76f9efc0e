/* What other workflows use of the visit workflow (src/visit/): booking an appointment plans a
 * visit, cancelling one cancels it. */
#ifndef YTEXA_VISIT_PUBLIC_H
#define YTEXA_VISIT_PUBLIC_H

#include <stdint.h>

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

/* Records a change of state of a visit (from may be NULL), by r's principal. */
int yx_visit_event(struct yx_req *r, int64_t visit, const char *from, const char *to, const char *reason);

/* May r's principal see visit id (its record, its chat, its call)? 0 with *patient_id set, or
 * YX_ENOTFOUND with r's error set. The real-time hub asks this before a socket joins its channel. */
int yx_visit_may_see(struct yx_req *r, int64_t id, int64_t *patient_id);

#endif
