/* What other layers use of the booking workflow (src/schedule/): the FHIR Appointment books and
 * cancels through the same functions as the REST routes, so no rule is written twice. */
#ifndef YTEXA_SCHEDULE_PUBLIC_H
#define YTEXA_SCHEDULE_PUBLIC_H

#include <stdint.h>

#include "ytexa/http.h"

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
