/* What other layers use of the booking workflow (src/schedule/): the FHIR Appointment books and
 * cancels through the same functions as the REST routes, so no rule is written twice. */
#ifndef YTEXA_SCHEDULE_PUBLIC_H
#define YTEXA_SCHEDULE_PUBLIC_H

#include <stdint.h>

#include "ytexa/http.h"

/* The appointments a clinician's list shows (GET /api/v1/appointments, FHIR's Appointment search),
 * a condition on appointments a and the doctor's users u: its facility's patients', its own as
 * their doctor, and those with its facility's doctors while booked and their visit is open (the
 * share that visit makes). Three parameters: the facility, the user, the facility. */
#define YX_APPOINTMENT_SEEN_BY                                                                               \
    "(a.facility_id = ? OR a.doctor_id = ? OR (u.facility_id = ? AND a.status = 'booked' AND EXISTS "        \
    "(SELECT 1 FROM visits ov WHERE ov.id = a.visit_id AND ov.state IN ('planned', 'arrived', "              \
    "'in_progress'))))"

/* Books a slot from b, an object in the shape POST /api/v1/appointments takes ({slot_id,
 * patient_id, reason}), with every check that route makes: the field table, the caller may write
 * the patient's record (its home facility, or the patient's own account; a share only reads), the
 * slot open (400 unknown, 409 slot_closed), the visit planned, one booking a slot (409
 * slot_taken), the notifications. Fills *id and names it in the request's audit event. */
int yx_appointment_book(struct yx_req *r, const json_t *b, int64_t *id);

/* Cancels appointment id from b ({reason}), as POST /api/v1/appointments/:id/cancel: 404 when the
 * caller may not know of it, 403 when it may only read it, 409 not_booked when it is no longer
 * booked, the field table; its visit cancelled while planned, the patient told. */
int yx_appointment_cancel(struct yx_req *r, int64_t id, const json_t *b);

#endif
