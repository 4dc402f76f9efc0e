/* Appointments (lịch hẹn): a station books a slot of a doctor for one of its patients, or a
 * patient books for themself. Each appointment is a planned visit at the slot's time. Two
 * bookings of one slot: the database's unique index lets exactly one through (on every instance),
 * the other gets 409. Cancelling frees the slot; rescheduling moves to another slot in one
 * transaction, or changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "ytexa/schedule.h"
#include "ytexa/visit.h"

struct slot {
    int64_t id, doctor_id, start_at;
    char mode[12];
};

/* A slot that can still be booked: not withdrawn, not past. 409 otherwise, 400 when unknown. */
static int open_slot(struct yx_req *r, int64_t id, struct slot *s)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT id, doctor_id, start_at, mode, cancelled FROM slots WHERE id = ?",
                     YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_field(r, YX_EINVAL, "slot_id", "Không có khung giờ mã %lld / No slot has id %lld.",
                           (long long)id, (long long)id);
    else if (rc == 0 && (yx_rows_i64(rows, 0, "cancelled") || yx_rows_i64(rows, 0, "start_at") < yx_now_ms()))
        rc = yx_fail_code(r, YX_ECONFLICT, "slot_closed", NULL,
                          "Khung giờ này đã qua hoặc đã bị hủy / this slot is past or withdrawn.");
    if (rc == 0) {
        *s = (struct slot){yx_rows_i64(rows, 0, "id"), yx_rows_i64(rows, 0, "doctor_id"),
                           yx_rows_i64(rows, 0, "start_at"), ""};
        snprintf(s->mode, sizeof s->mode, "%s", yx_rows_str(rows, 0, "mode"));
    }
    yx_rows_free(rows);
    return rc;
}

/* The patient may be booked by the caller: a clinician who may write the patient's record (its
 * home facility: a facility that reads the patient through a share may not plan more visits for
 * it), or the patient's own account. */
static int booking_access(struct yx_req *r, int64_t patient_id)
{
    return yx_patient_access_as(r, patient_id, YX_A_WRITE, YX_RES_APPOINTMENT, 0);
}

/* Inserts the booking; a slot already booked answers 409 slot_taken (the unique index). */
static int insert_booking(struct yx_req *r, const struct slot *s, int64_t patient, const char *reason,
                          int64_t visit, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO appointments (slot_id, patient_id, facility_id, doctor_id, visit_id, reason, status, "
        "booked_by, created_at) SELECT ?, id, facility_id, ?, ?, ?, 'booked', ?, ? FROM patients WHERE id = "
        "? "
        "RETURNING id",
        YX_PI(s->id), YX_PI(s->doctor_id), YX_PI(visit), YX_PT(reason), YX_PI(r->who.user_id),
        YX_PI(yx_now_ms()), YX_PI(patient));
    if (rc == YX_ECONFLICT)
        rc = yx_fail_code(r, YX_ECONFLICT, "slot_taken", NULL,
                          "Khung giờ này vừa có người đặt; chọn giờ khác / this slot has just been booked: "
                          "choose another.");
    if (rc == 0)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

#define APPOINTMENT_SELECT                                                                                   \
    "SELECT a.id, a.slot_id, a.patient_id, p.full_name AS patient_name, a.doctor_id, "                       \
    "u.full_name AS doctor_name, f.name AS facility_name, s.start_at, s.end_at, "                            \
    "s.mode, a.reason, a.status, a.visit_id, a.cancel_reason, a.replaced_by, a.created_at FROM "             \
    "appointments a "                                                                                        \
    "JOIN patients p ON p.id = a.patient_id JOIN users u ON u.id = a.doctor_id JOIN slots s ON s.id = "      \
    "a.slot_id "                                                                                             \
    "JOIN facilities f ON f.id = u.facility_id "

static json_t *appointment_row(struct yx_req *r, const struct yx_rows *x, int i)
{
    return json_pack(
        "{s:I,s:I,s:{s:I,s:s},s:{s:I,s:s,s:s},s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "id",
        (json_int_t)yx_rows_i64(x, i, "id"), "slot_id", (json_int_t)yx_rows_i64(x, i, "slot_id"), "patient",
        "id", (json_int_t)yx_rows_i64(x, i, "patient_id"), "full_name", yx_rows_str(x, i, "patient_name"),
        "doctor", "id", (json_int_t)yx_rows_i64(x, i, "doctor_id"), "full_name",
        yx_rows_str(x, i, "doctor_name"), "facility", yx_rows_str(x, i, "facility_name"), "start",
        yx_iso(r, yx_rows_i64(x, i, "start_at")), "end", yx_iso(r, yx_rows_i64(x, i, "end_at")), "mode",
        yx_rows_str(x, i, "mode"), "reason", yx_rows_str(x, i, "reason"), "status",
        yx_rows_str(x, i, "status"), "visit_id",
        yx_rows_null(x, i, "visit_id") ? json_null() : json_integer(yx_rows_i64(x, i, "visit_id")),
        "cancel_reason",
        yx_rows_str(x, i, "cancel_reason") ? json_string(yx_rows_str(x, i, "cancel_reason")) : json_null(),
        "replaced_by",
        yx_rows_null(x, i, "replaced_by") ? json_null() : json_integer(yx_rows_i64(x, i, "replaced_by")),
        "created_at", yx_iso(r, yx_rows_i64(x, i, "created_at")));
}

static int answer_appointment(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, APPOINTMENT_SELECT "WHERE a.id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows == 1) {
        yx_audit_target(r, id);
        rc = yx_reply(r, status, appointment_row(r, rows, 0));
    } else if (rc == 0) {
        rc = YX_EDB;
    }
    yx_rows_free(rows);
    return rc;
}

/* Plans the visit of a booking at the slot's time. */
static int plan_visit(struct yx_req *r, const struct slot *s, int64_t patient, const char *reason,
                      int64_t *visit)
{
    struct yx_visit_plan p = {patient, s->doctor_id, 0, s->mode, reason, NULL, s->start_at};
    int rc = yx_visit_doctor_facility(r, s->doctor_id, "slot_id", &p.doctor_facility_id);
    return rc ? rc : yx_visit_insert(r, &p, visit);
}

static const struct yx_field book_fields[] = {
    {"slot_id", YX_F_INT, 1, 1, INT64_MAX},
    {"patient_id", YX_F_INT, 1, 1, INT64_MAX},
    {"reason", YX_F_STRING, 1, 2, 500},
    {NULL, 0, 0, 0, 0},
};

int yx_appointment_book(struct yx_req *r, const json_t *b, int64_t *id)
{
    struct slot s;
    int64_t visit = 0;
    int rc;
    /* The body is checked here against the REST API's own table, whoever calls: a FHIR booking
     * goes through every rule a REST booking does. */
    if (!b)
        return yx_fail(r, YX_EINVAL, "Cần nội dung là một đối tượng JSON / A JSON object body is required.");
    if ((rc = yx_validate(r, b, book_fields)) != 0)
        return rc;
    int64_t patient = yx_json_int(b, "patient_id", 0);
    const char *reason = yx_json_str(b, "reason");
    if ((rc = booking_access(r, patient)) != 0 ||
        (rc = open_slot(r, yx_json_int(b, "slot_id", 0), &s)) != 0 ||
        (rc = plan_visit(r, &s, patient, reason, &visit)) != 0 ||
        (rc = insert_booking(r, &s, patient, reason, visit, id)) != 0 ||
        (rc = yx_notify_appointment(r->db, *id, "booked")) != 0)
        return rc;
    yx_audit_target(r, *id);
    return 0;
}

/* POST /api/v1/appointments {slot_id, patient_id, reason} */
static int appointment_book(struct yx_req *r)
{
    int64_t id = 0;
    int rc;
    /* yx_appointment_book() checks the body against book_fields, the route's table. */
    if ((rc = yx_appointment_book(r, r->json, &id)) != 0)
        return rc;
    return answer_appointment(r, 201, id);
}

struct booked {
    int64_t id, patient_id, visit_id;
    char status[16];
};

/* Loads appointment id for a change: the caller books for its patient, it is still booked. */
static int load_booked(struct yx_req *r, int64_t id, struct booked *b)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT id, patient_id, visit_id, status FROM appointments WHERE id = ?",
                     YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0) {
        *b = (struct booked){yx_rows_i64(rows, 0, "id"), yx_rows_i64(rows, 0, "patient_id"),
                             yx_rows_i64(rows, 0, "visit_id"), ""};
        snprintf(b->status, sizeof b->status, "%s", yx_rows_str(rows, 0, "status"));
    }
    yx_rows_free(rows);
    if (rc == 0)
        rc = booking_access(r, b->patient_id);
    if (rc == 0 && strcmp(b->status, "booked") != 0)
        rc = yx_fail_code(
            r, YX_ECONFLICT, "not_booked", NULL,
            "Lịch hẹn này đã hủy hoặc đã dời / this appointment was already cancelled or moved.");
    return rc;
}

/* Cancels the appointment's visit while it has not started. */
static int cancel_visit(struct yx_req *r, int64_t visit, const char *reason)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT state FROM visits WHERE id = ?", YX_PI(visit));
    int open = rc == 0 && rows->nrows == 1 && strcmp(yx_rows_get(rows, 0, 0), "planned") == 0;
    yx_rows_free(rows);
    return rc == 0 && open ? yx_visit_set_state(r, visit, "planned", "cancelled", reason, 0) : rc;
}

static const struct yx_field cancel_fields[] = {
    {"reason", YX_F_STRING, 1, 2, 500},
    {NULL, 0, 0, 0, 0},
};

int yx_appointment_cancel(struct yx_req *r, int64_t id, const json_t *body)
{
    struct booked b;
    int rc;
    if ((rc = load_booked(r, id, &b)) != 0)
        return rc;
    if (!body)
        return yx_fail(r, YX_EINVAL, "Cần nội dung là một đối tượng JSON / A JSON object body is required.");
    if ((rc = yx_validate(r, body, cancel_fields)) != 0)
        return rc;
    const char *reason = yx_json_str(body, "reason");
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE appointments SET status = 'cancelled', cancelled_at = ?, cancel_reason = ? WHERE id = ? "
        "AND status = 'booked'",
        YX_PI(yx_now_ms()), YX_PT(reason), YX_PI(b.id));
    if (rc == 0 && b.visit_id)
        rc = cancel_visit(r, b.visit_id, reason);
    if (rc == 0)
        rc = yx_notify_appointment(r->db, b.id, "cancelled");
    if (rc == 0)
        yx_audit_target(r, b.id);
    return rc;
}

/* POST /api/v1/appointments/:id/cancel {reason} */
static int appointment_cancel(struct yx_req *r)
{
    int64_t id;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_appointment_cancel(r, id, r->json)) != 0)
        return rc;
    return answer_appointment(r, 200, id);
}

static const struct yx_field reschedule_fields[] = {
    {"slot_id", YX_F_INT, 1, 1, INT64_MAX},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/appointments/:id/reschedule {slot_id}: the old slot freed and the new one taken in
 * one transaction; if the new one is gone, nothing changes. */
static int appointment_reschedule(struct yx_req *r)
{
    struct booked b;
    struct slot s;
    struct yx_rows *rows = NULL;
    int64_t id = 0, facility = 0, old;
    int rc;
    if ((rc = yx_param_id(r, 0, &old)) != 0 || (rc = load_booked(r, old, &b)) != 0 ||
        (rc = yx_body(r, reschedule_fields)) != 0 ||
        (rc = open_slot(r, yx_json_int(r->json, "slot_id", 0), &s)) != 0 ||
        (rc = yx_visit_doctor_facility(r, s.doctor_id, "slot_id", &facility)) != 0)
        return rc;
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT reason FROM appointments WHERE id = ?", YX_PI(b.id))) != 0)
        return rc;
    const char *reason = yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 0));
    yx_rows_free(rows);
    /* Free the old slot first: moving to another time of the same doctor must not collide. */
    rc = YX_DB_Q(r->db, NULL, "UPDATE appointments SET status = 'rescheduled', cancelled_at = ? WHERE id = ?",
                 YX_PI(yx_now_ms()), YX_PI(b.id));
    if (rc == 0)
        rc = insert_booking(r, &s, b.patient_id, reason, b.visit_id, &id);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE appointments SET replaced_by = ? WHERE id = ?", YX_PI(id),
                     YX_PI(b.id));
    int moved = 0;
    if (rc == 0 && b.visit_id) {
        rc = YX_DB_Q(r->db, &rows,
                     "UPDATE visits SET scheduled_at = ?, doctor_id = ?, doctor_facility_id = ?, mode = ?, "
                     "updated_at = ? WHERE id = ? AND state = 'planned' RETURNING id",
                     YX_PI(s.start_at), YX_PI(s.doctor_id), YX_PI(facility), YX_PT(s.mode),
                     YX_PI(yx_now_ms()), YX_PI(b.visit_id));
        moved = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
    }
    /* The visit's share moves with it: the old doctor's facility no longer reads the patient. */
    if (rc == 0 && moved)
        rc = yx_patient_unshare(r->db, "visit", b.visit_id);
    if (rc == 0 && moved)
        rc = yx_patient_share(r->db, b.patient_id, facility, "visit", b.visit_id, 0);
    if (rc == 0)
        rc = yx_notify_appointment(r->db, b.id, "cancelled_silently");
    if (rc == 0)
        rc = yx_notify_appointment(r->db, id, "rescheduled");
    return rc ? rc : answer_appointment(r, 201, id);
}

/* GET /api/v1/appointments?patient_id&doctor_id&date&cursor&limit — those of the caller's facility's
 * patients, the caller's own as their doctor, and those with its doctors while their visit is open
 * (the share it makes); or the patient's own. */
static int appointment_list(struct yx_req *r)
{
    int64_t after, limit, patient, doctor, from = 0, to = 0;
    struct yx_rows *rows = NULL;
    char iso[40];
    struct yx_scope s;
    int rc = yx_scope(&r->who, YX_RES_APPOINTMENT, &s);
    int self = rc == 0 && s.kind == YX_SCOPE_PATIENT;
    if (!self && (rc = yx_patient_registry_role(r)) != 0)
        return rc;
    if ((rc = yx_page(r, &after, &limit)) != 0 || (rc = yx_query_id(r, "patient_id", &patient)) != 0 ||
        (rc = yx_query_id(r, "doctor_id", &doctor)) != 0)
        return rc;
    const char *date = yx_query(r, "date");
    if (date && (strlen(date) != 10 ||
                 (snprintf(iso, sizeof iso, "%sT00:00:00+07:00", date), yx_time_parse(iso, &from)) != 0))
        return yx_fail_field(
            r, YX_EINVAL, "date",
            "Ngày có dạng YYYY-MM-DD (giờ Việt Nam) / date is a day YYYY-MM-DD (Vietnam time).");
    if (date)
        to = from + 86400000LL;
    rc = YX_DB_Q(r->db, &rows,
                 APPOINTMENT_SELECT
                 "WHERE a.id > ? AND ((? = 1 AND a.patient_id = ?) OR (? = 0 AND " YX_APPOINTMENT_SEEN_BY "))"
                 " AND (? = 0 OR a.patient_id = ?) AND (? = 0 OR a.doctor_id = ?) "
                 "AND (? = 0 OR (s.start_at >= ? AND s.start_at < ?)) ORDER BY a.id LIMIT ?",
                 YX_PI(after), YX_PI(self), YX_PI(r->who.patient_id), YX_PI(self), YX_PI(r->who.facility_id),
                 YX_PI(r->who.user_id), YX_PI(r->who.facility_id), YX_PI(patient), YX_PI(patient),
                 YX_PI(doctor), YX_PI(doctor), YX_PI(from), YX_PI(from), YX_PI(to), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, appointment_row(r, rows, i));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

const struct yx_route yx_appointment_routes[] = {
    {"POST", "/api/v1/appointments", appointment_book, 0, "appointment.create", "appointment",
     YX_CLINICIANS | YX_ROLE_PATIENT, book_fields},
    {"GET", "/api/v1/appointments", appointment_list, 0, "appointment.list", "appointment",
     YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"POST", "/api/v1/appointments/:id/cancel", appointment_cancel, 0, "appointment.cancel", "appointment",
     YX_CLINICIANS | YX_ROLE_PATIENT, cancel_fields},
    {"POST", "/api/v1/appointments/:id/reschedule", appointment_reschedule, 0, "appointment.reschedule",
     "appointment", YX_CLINICIANS | YX_ROLE_PATIENT, reschedule_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
