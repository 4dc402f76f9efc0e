/* Internal to src/schedule: what its files share. */
#ifndef YTEXA_SCHEDULE_H
#define YTEXA_SCHEDULE_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"
#include "ytexa/patient.h"

/* Records the notifications of an appointment event (kind "booked", "rescheduled",
 * "cancelled"): in the app for the patient's own account, outward by SMS when the patient (or
 * guardian) has a phone, and for a booking the reminders 24 h and 1 h before, when still ahead.
 * A cancellation or a move also retires the reminders of the appointment. */
int yx_notify_appointment(struct yx_db *db, int64_t appointment_id, const char *kind);

/* ISO time of ms, in the request's arena. */
const char *yx_iso(struct yx_req *r, int64_t ms);

#endif
