/* FHIR Appointment (docs/fhir.md, "Appointment"): the bookings of src/schedule, read, searched,
 * booked (create) and cancelled (update with status cancelled). Reading asks the patient's access
 * function for an appointment as the REST routes do (the home facility, the appointment's doctor,
 * a facility a live share lets read); searching covers what GET /api/v1/appointments lists; a
 * booking and a cancellation go through yx_appointment_book() / yx_appointment_cancel(), the
 * functions the REST routes call, so no rule is written twice. */
#include <string.h>

#include "fhir.h"
#include "ytexa/patient.h"
#include "ytexa/schedule.h"

/* The R4 status: the booking's own state, then the visit it became (arrived, fulfilled, no-show). */
#define APPT_STATUS                                                                                          \
    "CASE WHEN a.status <> 'booked' THEN 'cancelled' WHEN v.state IN ('arrived', 'in_progress') THEN "       \
    "'arrived' WHEN v.state = 'finished' THEN 'fulfilled' WHEN v.state = 'no_show' THEN 'noshow' WHEN "      \
    "v.state = 'cancelled' THEN 'cancelled' ELSE 'booked' END"
/* The last change of the booking or of its visit. */
#define APPT_BOOKED_AT "COALESCE(a.cancelled_at, a.created_at)"
#define APPT_UPDATED                                                                                         \
    "CASE WHEN v.updated_at > " APPT_BOOKED_AT " THEN v.updated_at ELSE " APPT_BOOKED_AT " END"
#define APPT_FROM                                                                                            \
    "SELECT a.id, a.slot_id, a.patient_id, p.full_name AS patient_name, a.doctor_id, u.full_name AS "        \
    "doctor_name, a.facility_id, f.name AS facility_name, sl.start_at, sl.end_at, sl.mode, a.reason, "       \
    "a.status, a.cancel_reason, a.replaced_by, a.created_at, " APPT_STATUS " AS fhir_status, " APPT_UPDATED  \
    " AS updated_at FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN users u ON u.id = "      \
    "a.doctor_id JOIN slots sl ON sl.id = a.slot_id JOIN facilities f ON f.id = a.facility_id LEFT JOIN "    \
    "visits v ON v.id = a.visit_id "

const struct yx_fhir_param yx_fhir_appointment_params[] = {
    {"_id", "token", "The appointment's id."},
    {"patient", "reference", "Patient/<id>."},
    {"practitioner", "reference", "Practitioner/<id>: the doctor booked."},
    {"date", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time), on the start."},
    {"status", "token",
     "booked, arrived, fulfilled, cancelled, noshow (others of R4 match nobody): the booking, then the "
     "visit it became."},
    {"_lastUpdated", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time): the last change of the "
     "booking or of its visit."},
    {"_include", "include", "Appointment:patient"},
    {NULL, NULL, NULL},
};

/* The elements an Appointment sent may carry: those the mapping reads or writes itself. Any other
 * one is refused with 400 naming it before the handler runs, rather than dropped without a word. */
const struct yx_field yx_fhir_appointment_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40}, {"id", YX_F_STRING, 0, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},          {"text", YX_F_OBJECT, 0, 0, 0},
    {"status", YX_F_STRING, 1, 1, 32},       {"cancelationReason", YX_F_OBJECT, 0, 0, 0},
    {"serviceType", YX_F_ARRAY, 0, 0, 0},    {"reasonCode", YX_F_ARRAY, 0, 0, 0},
    {"description", YX_F_STRING, 0, 1, 500}, {"start", YX_F_STRING, 0, 1, 40},
    {"end", YX_F_STRING, 0, 1, 40},          {"minutesDuration", YX_F_INT, 0, 1, 1440},
    {"slot", YX_F_ARRAY, 1, 0, 0},           {"created", YX_F_STRING, 0, 1, 40},
    {"participant", YX_F_ARRAY, 1, 0, 0},    {NULL, 0, 0, 0, 0},
};

/* The version of a booking: 1 while booked, 2 once cancelled or moved, its one change (what the
 * visit it became does is not a change of the booking: see docs/fhir.md). */
static int64_t version_of(const char *status)
{
    return strcmp(status, "booked") == 0 ? 1 : 2;
}

static json_t *participant(json_t *actor)
{
    return json_pack("{s:o,s:s,s:s}", "actor", actor, "required", "required", "status", "accepted");
}

static json_t *appointment(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24], start[32], end[32], created[32];
    int64_t from = yx_rows_i64(rows, i, "start_at"), to = yx_rows_i64(rows, i, "end_at");
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    yx_time_format(from, start);
    yx_time_format(to, end);
    yx_time_format(yx_rows_i64(rows, i, "created_at"), created);
    const char *status = yx_rows_str(rows, i, "fhir_status");
    json_t *a = json_pack(
        "{s:s,s:s,s:o,s:s,s:o,s:[{s:s}],s:s,s:s,s:I,s:[o],s:s,s:[o,o,o]}", "resourceType", "Appointment",
        "id", id, "meta",
        yx_fhir_meta(version_of(yx_rows_str(rows, i, "status")), yx_rows_i64(rows, i, "updated_at")),
        "status", status, "serviceType", yx_fhir_visit_mode(yx_rows_str(rows, i, "mode")), "reasonCode",
        "text", yx_rows_str(rows, i, "reason"), "start", start, "end", end, "minutesDuration",
        (json_int_t)((to - from) / 60000), "slot", yx_fhir_ref("Slot", yx_rows_i64(rows, i, "slot_id"), NULL),
        "created", created, "participant",
        participant(
            yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name"))),
        participant(yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "doctor_id"),
                                yx_rows_str(rows, i, "doctor_name"))),
        participant(yx_fhir_ref("Location", yx_rows_i64(rows, i, "facility_id"),
                                yx_rows_str(rows, i, "facility_name"))));
    if (!a || strcmp(status, "cancelled") != 0)
        return a;
    /* Why it was cancelled: the reason given, or the appointment that replaced it when moved. */
    const char *why = yx_rows_str(rows, i, "cancel_reason");
    char moved[128];
    if (strcmp(yx_rows_str(rows, i, "status"), "rescheduled") == 0 &&
        yx_snprintf(moved, sizeof moved, "Dời sang lịch hẹn khác / moved to Appointment/%lld",
                    (long long)yx_rows_i64(rows, i, "replaced_by")) == 0)
        why = moved;
    if (why && *why)
        json_object_set_new(a, "cancelationReason", json_pack("{s:s}", "text", why));
    return a;
}

/* The appointment's row, 404 when there is none; the caller asks access of it. */
static int load(struct yx_req *r, int64_t id, struct yx_rows **rows)
{
    int rc = YX_DB_Q(r->db, rows, APPT_FROM "WHERE a.id = ?", YX_PI(id));
    if (rc == 0 && (*rows)->nrows != 1)
        rc = yx_not_found(r);
    return rc;
}

/* Answers the appointment of rows' first row (status 200 or 201). */
static int reply(struct yx_req *r, int status, const struct yx_rows *rows)
{
    int64_t id = yx_rows_i64(rows, 0, "id"), version = version_of(yx_rows_str(rows, 0, "status"));
    yx_audit_target(r, id);
    return yx_fhir_reply_resource(r, status, appointment(r, rows, 0), "Appointment", id, version,
                                  status == 201);
}

/* Answers appointment id, as it is after a change (status 200 or 201). */
static int answer(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc = load(r, id, &rows);
    if (rc == 0)
        rc = reply(r, status, rows);
    yx_rows_free(rows);
    return rc;
}

/* May the caller act on the appointment of rows' first row? The appointment's own doctor reads it
 * as the home facility does; a share lets another facility read, never write. A change is
 * asked as the REST cancel asks it (yx_appointment_cancel() asks again). */
static int access(struct yx_req *r, const struct yx_rows *rows, enum yx_action act)
{
    return yx_patient_access_as(r, yx_rows_i64(rows, 0, "patient_id"), act, YX_RES_APPOINTMENT,
                                act == YX_A_READ && yx_rows_i64(rows, 0, "doctor_id") == r->who.user_id);
}

/* GET /fhir/Appointment/:id */
static int appointment_read(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) == 0 && (rc = yx_param_id(r, 0, &id)) == 0 &&
        (rc = load(r, id, &rows)) == 0 && (rc = access(r, rows, YX_A_READ)) == 0)
        rc = reply(r, 200, rows);
    yx_rows_free(rows);
    return rc;
}

static const struct yx_fhir_ref appointment_refs[] = {
    {"_id", "Appointment", "a.id = ?"},
    {"patient", "Patient", "a.patient_id = ?"},
    {"practitioner", "Practitioner", "a.doctor_id = ?"},
    {NULL, NULL, NULL},
};

static int take_param(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    static const char *const served[] = {"booked", "arrived", "fulfilled", "cancelled", "noshow", NULL};
    static const char *const others[] = {"proposed",   "pending",  "entered-in-error",
                                         "checked-in", "waitlist", NULL};
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(appointment_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "Appointment", v);
    if (strcmp(name, "status") == 0) {
        if (yx_one_of(v, served))
            return yx_fhir_where(r, q, "(" APPT_STATUS ") = ?", 1, YX_PT(yx_arena_strdup(&r->arena, v)));
        if (yx_one_of(v, others))
            return yx_fhir_nobody(q); /* an R4 status no booking of ytexa has */
        return yx_fail_field(r, YX_EINVAL, name,
                             "status là booked, arrived, fulfilled, cancelled hoặc noshow / status is an "
                             "Appointment status of R4 (booked, arrived, fulfilled, cancelled, noshow).");
    }
    if (strcmp(name, "date") == 0)
        return yx_fhir_instant_cond(r, q, name, v, "sl.start_at");
    return yx_fhir_instant_cond(r, q, name, v, "(" APPT_UPDATED ")"); /* _lastUpdated */
}

/* GET /fhir/Appointment */
static int appointment_search(struct yx_req *r)
{
    struct yx_param scope[3] = {YX_PI(r->who.facility_id), YX_PI(r->who.user_id), YX_PI(r->who.facility_id)};
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_patient_registry_role(r)) != 0)
        return rc;
    return yx_fhir_search(r, "Appointment", yx_fhir_appointment_params, take_param,
                          APPT_FROM "WHERE " YX_APPOINTMENT_SEEN_BY, scope, 3, "a.id", appointment);
}

/* Where each field of the REST body is in the resource, for an error's expression. */
static const char *const field_paths[][2] = {{"slot_id", "Appointment.slot"},
                                             {"patient_id", "Appointment.participant"},
                                             {"reason", "Appointment.reasonCode"},
                                             {NULL, NULL}};

/* The id of a reference "Type/id" in ref (a Reference object); 0 when it names none of type's. */
static int64_t ref_id(const json_t *ref, const char *type)
{
    return yx_fhir_ref_typed(json_string_value(json_object_get(ref, "reference")), type);
}

static int is_appointment(struct yx_req *r, const json_t *b)
{
    const char *rt = json_string_value(json_object_get(b, "resourceType"));
    if (!rt || strcmp(rt, "Appointment") != 0)
        return yx_fail_field(r, YX_EINVAL, "resourceType",
                             "Tài nguyên phải là Appointment / the resource must be an Appointment.");
    return 0;
}

int yx_fhir_appointment_in(struct yx_req *r, const json_t *b, int64_t *slot, int64_t *patient,
                           int64_t *doctor)
{
    int rc = is_appointment(r, b);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(b, "status"));
    if (!status || strcmp(status, "booked") != 0)
        return yx_fail_field(r, YX_EINVAL, "Appointment.status",
                             "Đặt lịch với status booked / a booking is sent with status booked.");
    const json_t *slots = json_object_get(b, "slot");
    *slot = ref_id(json_array_get(slots, 0), "Slot");
    if (json_array_size(slots) != 1 || !*slot)
        return yx_fail_field(r, YX_EINVAL, "Appointment.slot",
                             "Đặt đúng một khung giờ Slot/<id> / book exactly one slot, Slot/<id>.");
    size_t i;
    json_t *p;
    *patient = *doctor = 0;
    json_array_foreach(json_object_get(b, "participant"), i, p)
    {
        const json_t *actor = json_object_get(p, "actor");
        int64_t id;
        if ((id = ref_id(actor, "Patient")) != 0 && !*patient)
            *patient = id;
        else if ((id = ref_id(actor, "Practitioner")) != 0 && !*doctor)
            *doctor = id;
        else
            return yx_fail_field(r, YX_EINVAL, "Appointment.participant",
                                 "Người tham gia là một Patient/<id> và có thể một Practitioner/<id> / the "
                                 "participants are one Patient/<id> and at most one Practitioner/<id>.");
    }
    if (!*patient)
        return yx_fail_field(
            r, YX_EINVAL, "Appointment.participant",
            "Cần người bệnh Patient/<id> / a participant must be the patient, Patient/<id>.");
    return 0;
}

/* The booking the resource asks for, as POST /api/v1/appointments's body: the one slot, the
 * patient among the participants (a practitioner named must be the slot's doctor: the slot
 * decides who and when), the reason as reasonCode's text or the description. */
static int to_booking(struct yx_req *r, const json_t *b, json_t *out)
{
    int64_t slot, patient, doctor;
    int rc = yx_fhir_appointment_in(r, b, &slot, &patient, &doctor);
    if (rc)
        return rc;
    if (doctor) {
        struct yx_rows *rows = NULL;
        if ((rc = YX_DB_Q(r->db, &rows, "SELECT doctor_id FROM slots WHERE id = ?", YX_PI(slot))) != 0)
            return rc;
        /* An absent slot is the booking's to refuse, naming the slot. */
        int same = rows->nrows != 1 || yx_rows_int(rows, 0, 0) == doctor;
        yx_rows_free(rows);
        if (!same)
            return yx_fail_field(r, YX_EINVAL, "Appointment.participant",
                                 "Bác sĩ là bác sĩ của khung giờ / the practitioner is the slot's doctor.");
    }
    const char *reason =
        json_string_value(json_object_get(json_array_get(json_object_get(b, "reasonCode"), 0), "text"));
    if (!reason)
        reason = json_string_value(json_object_get(b, "description"));
    json_object_set_new(out, "slot_id", json_integer(slot));
    json_object_set_new(out, "patient_id", json_integer(patient));
    if (reason)
        json_object_set_new(out, "reason", json_string(reason));
    return 0;
}

/* POST /fhir/Appointment: a booking. */
static int appointment_create(struct yx_req *r)
{
    int64_t id = 0;
    json_t *body = json_object();
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        goto out;
    if (!r->json) {
        rc = yx_fail(r, YX_EINVAL, "Cần một Appointment / send an Appointment resource.");
        goto out;
    }
    if ((rc = to_booking(r, r->json, body)) != 0 ||
        (rc = yx_fhir_field_paths(r, yx_appointment_book(r, body, &id), field_paths)) != 0)
        goto out;
    rc = answer(r, 201, id);
out:
    json_decref(body);
    return rc;
}

/* PUT /fhir/Appointment/:id: cancels it — the one change of a booking the update takes (status
 * cancelled, the reason as cancelationReason's text); moving it is the REST reschedule's. */
static int appointment_update(struct yx_req *r)
{
    int64_t id, want;
    struct yx_rows *rows = NULL;
    json_t *body = json_object();
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = load(r, id, &rows)) != 0 || (rc = access(r, rows, YX_A_WRITE)) != 0 ||
        (rc = yx_fhir_if_match(r, &want)) != 0)
        goto out;
    if (!r->json || (rc = is_appointment(r, r->json)) != 0 || !yx_fhir_same_id(r->json, id)) {
        rc = rc ? rc
                : yx_fail_field(r, YX_EINVAL, "Appointment.id",
                                "id của tài nguyên phải trùng với đường dẫn / the resource's id must be the "
                                "id in the URL.");
        goto out;
    }
    if (want && want != version_of(yx_rows_str(rows, 0, "status"))) {
        rc = yx_fail_code(r, YX_EPRECOND, "version_conflict", NULL,
                          "Lịch hẹn đã thay đổi từ khi bạn đọc / the appointment changed since you read it: "
                          "read it again.");
        goto out;
    }
    const char *status = json_string_value(json_object_get(r->json, "status"));
    if (!status || strcmp(status, "cancelled") != 0) {
        rc = yx_fail_field(r, YX_EINVAL, "Appointment.status",
                           "Chỉ hủy lịch qua cập nhật (status cancelled); dời lịch dùng API REST / an update "
                           "only cancels (status cancelled); moving a booking is the REST API's reschedule.");
        goto out;
    }
    const char *why =
        json_string_value(json_object_get(json_object_get(r->json, "cancelationReason"), "text"));
    if (why)
        json_object_set_new(body, "reason", json_string(why));
    static const char *const cancel_paths[][2] = {{"reason", "Appointment.cancelationReason"}, {NULL, NULL}};
    if ((rc = yx_fhir_field_paths(r, yx_appointment_cancel(r, id, body), cancel_paths)) != 0)
        goto out;
    rc = answer(r, 200, id);
out:
    yx_rows_free(rows);
    json_decref(body);
    return rc;
}

const struct yx_route yx_fhir_appointment_routes[] = {
    {"GET", "/fhir/Appointment/:id", appointment_read, 0, "appointment.read", "appointment", YX_CLINICIANS,
     NULL},
    {"GET", "/fhir/Appointment", appointment_search, 0, "appointment.list", "appointment", YX_CLINICIANS,
     NULL},
    {"POST", "/fhir/Appointment", appointment_create, 0, "appointment.create", "appointment", YX_CLINICIANS,
     yx_fhir_appointment_fields},
    {"PUT", "/fhir/Appointment/:id", appointment_update, 0, "appointment.cancel", "appointment",
     YX_CLINICIANS, yx_fhir_appointment_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
