/* The remote visit ("Bác sĩ cho mọi nhà"): a clinician of the patient's facility plans it with a
 * doctor (who may work at another facility: the patient is then shared with it), and it moves
 * planned → arrived → in progress → finished, or cancelled / no-show, each step stored with its
 * time and author. It cannot start without consent in force, unless an emergency is recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "visit.h"
#include "ytexa/realtime.h"
#include "ytexa/visit.h"

#define VISIT_COLUMNS                                                                                        \
    "v.id, v.patient_id, v.facility_id, f.name AS facility_name, v.doctor_id, d.full_name AS doctor_name, "  \
    "d.licence_no, v.doctor_facility_id, df.name AS doctor_facility_name, v.mode, v.state, v.reason, "       \
    "v.scheduled_at, v.emergency_reason, v.consent_bypassed, "                                               \
    "v.subjective, "                                                                                         \
    "v.objective, v.assessment, v.plan, v.follow_up_date, v.follow_up_note, v.started_at, v.ended_at, "      \
    "v.created_at, v.updated_at "
#define VISIT_FROM                                                                                           \
    "FROM visits v JOIN facilities f ON f.id = v.facility_id JOIN users d ON d.id = v.doctor_id "            \
    "JOIN facilities df ON df.id = v.doctor_facility_id "

static json_t *visit_row(struct yx_db *db, const struct yx_rows *r, int i)
{
    json_t *follow = yx_rows_null(r, i, "follow_up_date")
                         ? json_null()
                         : json_pack("{s:s,s:o}", "date", yx_rows_str(r, i, "follow_up_date"), "note",
                                     yx_json_str_or_null(yx_rows_str(r, i, "follow_up_note")));
    json_t *patient = yx_patient_brief(db, yx_rows_i64(r, i, "patient_id"));
    return json_pack(
        "{s:I,s:o,s:{s:I,s:s},s:{s:I,s:s,s:o,s:{s:I,s:s}},s:s,s:s,s:s,s:o,s:o,s:b,s:{s:o,s:o,s:o,s:o},s:o,s:"
        "o,s:o,s:o,s:o}",
        "id", (json_int_t)yx_rows_i64(r, i, "id"), "patient", patient ? patient : json_null(), "facility",
        "id", (json_int_t)yx_rows_i64(r, i, "facility_id"), "name", yx_rows_str(r, i, "facility_name"),
        "doctor", "id", (json_int_t)yx_rows_i64(r, i, "doctor_id"), "full_name",
        yx_rows_str(r, i, "doctor_name"), "licence_no", yx_json_str_or_null(yx_rows_str(r, i, "licence_no")),
        "facility", "id", (json_int_t)yx_rows_i64(r, i, "doctor_facility_id"), "name",
        yx_rows_str(r, i, "doctor_facility_name"), "mode", yx_rows_str(r, i, "mode"), "state",
        yx_rows_str(r, i, "state"), "reason", yx_rows_str(r, i, "reason"), "scheduled_at",
        yx_json_time_or_null(r, i, "scheduled_at"), "emergency_reason",
        yx_json_str_or_null(yx_rows_str(r, i, "emergency_reason")), "consent_bypassed",
        (int)yx_rows_i64(r, i, "consent_bypassed"), "notes", "subjective",
        yx_json_str_or_null(yx_rows_str(r, i, "subjective")), "objective",
        yx_json_str_or_null(yx_rows_str(r, i, "objective")), "assessment",
        yx_json_str_or_null(yx_rows_str(r, i, "assessment")), "plan",
        yx_json_str_or_null(yx_rows_str(r, i, "plan")), "follow_up", follow, "started_at",
        yx_json_time_or_null(r, i, "started_at"), "ended_at", yx_json_time_or_null(r, i, "ended_at"),
        "created_at", yx_json_time_or_null(r, i, "created_at"), "updated_at",
        yx_json_time_or_null(r, i, "updated_at"));
}

static json_t *event_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:o,s:s,s:o,s:{s:I,s:s},s:o}", "from",
                     yx_json_str_or_null(yx_rows_str(r, i, "from_state")), "to",
                     yx_rows_str(r, i, "to_state"), "at", yx_json_time_or_null(r, i, "at"), "by", "id",
                     (json_int_t)yx_rows_i64(r, i, "by_user"), "name", yx_rows_str(r, i, "full_name"),
                     "reason", yx_json_str_or_null(yx_rows_str(r, i, "reason")));
}

static json_t *num_or_null(const struct yx_rows *r, int i, const char *col)
{
    return yx_rows_null(r, i, col) ? json_null() : json_real(strtod(yx_rows_str(r, i, col), NULL));
}

static json_t *vitals_row(const struct yx_rows *r, int i)
{
    static const char *const names[] = {"systolic", "diastolic", "pulse",  "respiratory_rate", "temperature",
                                        "spo2",     "weight",    "height", "glucose",          NULL};
    json_t *o =
        json_pack("{s:I,s:o,s:{s:I,s:s}}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "at",
                  yx_json_time_or_null(r, i, "at"), "recorded_by", "id",
                  (json_int_t)yx_rows_i64(r, i, "recorded_by"), "name", yx_rows_str(r, i, "full_name"));
    for (int k = 0; names[k]; k++) {
        json_t *v = num_or_null(r, i, names[k]);
        /* Whole-number measures are shown as integers. */
        if (json_is_real(v) && k != 4 && k < 6)
            v = (json_decref(v), json_integer(yx_rows_i64(r, i, names[k])));
        json_object_set_new(o, names[k], v);
    }
    return o;
}

static json_t *diagnosis_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:s,s:o,s:o,s:b,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "code",
                     yx_rows_str(r, i, "code"), "name_vi", yx_json_str_or_null(yx_rows_str(r, i, "name_vi")),
                     "name_en", yx_json_str_or_null(yx_rows_str(r, i, "name_en")), "primary",
                     (int)yx_rows_i64(r, i, "is_primary"), "note",
                     yx_json_str_or_null(yx_rows_str(r, i, "note")));
}

static json_t *prescription_ref(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:I,s:s,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "version",
                     (json_int_t)yx_rows_i64(r, i, "version"), "status", yx_rows_str(r, i, "status"),
                     "signed_at", yx_json_time_or_null(r, i, "signed_at"));
}

static json_t *referral_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:{s:I,s:s},s:o,s:s,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"),
                     "to_facility", "id", (json_int_t)yx_rows_i64(r, i, "to_facility_id"), "name",
                     yx_rows_str(r, i, "name"), "specialty",
                     yx_json_str_or_null(yx_rows_str(r, i, "specialty")), "reason",
                     yx_rows_str(r, i, "reason"), "created_at", yx_json_time_or_null(r, i, "created_at"));
}

json_t *yx_visit_json(struct yx_db *db, int64_t id, int for_patient)
{
    struct yx_rows *rows = NULL;
    json_t *v = NULL;
    if (YX_DB_Q(db, &rows, "SELECT " VISIT_COLUMNS VISIT_FROM "WHERE v.id = ?", YX_PI(id)) == 0 &&
        rows->nrows == 1)
        v = visit_row(db, rows, 0);
    yx_rows_free(rows);
    if (!v)
        return NULL;
    json_object_set_new(
        v, "events",
        yx_json_rows(
            db,
            "SELECT e.from_state, e.to_state, e.at, e.by_user, u.full_name, e.reason FROM visit_events e "
            "JOIN users u ON u.id = e.by_user WHERE e.visit_id = ? ORDER BY e.id",
            id, event_row));
    json_object_set_new(
        v, "vitals",
        yx_json_rows(db,
                     "SELECT x.id, x.at, x.recorded_by, u.full_name, x.systolic, x.diastolic, x.pulse, "
                     "x.respiratory_rate, x.temperature, x.spo2, x.weight, x.height, x.glucose FROM vitals x "
                     "JOIN users u ON u.id = x.recorded_by WHERE x.visit_id = ? ORDER BY x.id",
                     id, vitals_row));
    json_object_set_new(
        v, "diagnoses",
        yx_json_rows(db,
                     "SELECT d.id, d.code, COALESCE(c.name_vi, k.name_vi) AS name_vi, "
                     "COALESCE(c.name_en, k.name_en) AS name_en, "
                     "d.is_primary, d.note FROM visit_diagnoses d LEFT JOIN icd10 c ON c.code = d.code "
                     "LEFT JOIN icd10 k ON k.code = substr(d.code, 1, 3) WHERE d.visit_id = ? "
                     "ORDER BY d.is_primary DESC, d.id",
                     id, diagnosis_row));
    json_object_set_new(
        v, "prescriptions",
        yx_json_rows(db,
                     for_patient
                         ? "SELECT id, version, status, signed_at FROM prescriptions "
                           "WHERE visit_id = ? AND status = 'signed' ORDER BY id"
                         : "SELECT id, version, status, signed_at FROM prescriptions WHERE visit_id = ? "
                           "ORDER BY id",
                     id, prescription_ref));
    json_object_set_new(
        v, "referrals",
        yx_json_rows(
            db,
            "SELECT r.id, r.to_facility_id, f.name, r.specialty, r.reason, r.created_at FROM referrals r "
            "JOIN facilities f ON f.id = r.to_facility_id WHERE r.visit_id = ? ORDER BY r.id",
            id, referral_row));
    return v;
}

int yx_visit_load(struct yx_req *r, enum yx_action act, struct yx_visit *v)
{
    int64_t id;
    int rc = yx_param_id(r, 0, &id);
    return rc ? rc : yx_visit_load_id(r, id, act, v);
}

int yx_visit_load_id(struct yx_req *r, int64_t id, enum yx_action act, struct yx_visit *v)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT id, patient_id, facility_id, doctor_id, doctor_facility_id, state, mode FROM "
                     "visits WHERE id = ?",
                     YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0) {
        *v = (struct yx_visit){yx_rows_i64(rows, 0, "id"),
                               yx_rows_i64(rows, 0, "patient_id"),
                               yx_rows_i64(rows, 0, "facility_id"),
                               yx_rows_i64(rows, 0, "doctor_id"),
                               yx_rows_i64(rows, 0, "doctor_facility_id"),
                               "",
                               ""};
        snprintf(v->state, sizeof v->state, "%s", yx_rows_str(rows, 0, "state"));
        snprintf(v->mode, sizeof v->mode, "%s", yx_rows_str(rows, 0, "mode"));
    }
    yx_rows_free(rows);
    /* The visit's own doctor acts on it as the patient's facility does, with or without a share;
     * the doctor's colleagues only read it, while the visit shares the patient with them. */
    if (rc == 0)
        rc = yx_patient_access_as(r, v->patient_id, act, YX_RES_VISIT, r->who.user_id == v->doctor_id);
    if (rc == 0 && !r->audit_resource_id)
        yx_audit_target(r, v->id);
    return rc;
}

int yx_visit_access(struct yx_req *r, int64_t id, enum yx_action act)
{
    struct yx_visit v;
    return yx_visit_load_id(r, id, act, &v);
}

/* Does r's principal take part in visit id, so that it may be in its channel (its chat and its
 * call)? The patient's own account, the clinicians of the patient's facility and the visit's
 * doctor do; the doctor's colleagues, who may read the visit while it is open, do not. */
static int may_join(struct yx_req *r, int64_t id, int64_t *patient_id)
{
    struct yx_visit v;
    int rc = yx_visit_load_id(r, id, YX_A_JOIN, &v);
    *patient_id = rc == 0 ? v.patient_id : 0;
    return rc;
}

const struct yx_channel_kind yx_visit_channel = {
    .name = "visit",
    .may_join = may_join,
    .keeps_chat = 1,
    .chat_column = "visit_id",
    /* The visit's doctor and whoever planned it hear of messages they miss. */
    .chat_people =
        "SELECT u.id FROM visits v JOIN users u ON u.id IN (v.doctor_id, v.created_by) WHERE v.id = ?",
    .chat_label_vi = "lượt khám",
    .chat_label_en = "visit",
};

int yx_visit_doctor_only(struct yx_req *r, const struct yx_visit *v)
{
    struct yx_resource record = {.kind = YX_RES_VISIT_RECORD, .party = r->who.user_id == v->doctor_id};
    if (yx_authorize(&r->who, YX_A_WRITE, &record) == 0)
        return 0;
    return yx_fail(
        r, YX_EFORBIDDEN,
        "Chỉ bác sĩ của lượt khám ghi hồ sơ này / only the visit's doctor writes its clinical record.");
}

int yx_visit_state_in(struct yx_req *r, const struct yx_visit *v, const char *const *states)
{
    for (int i = 0; states[i]; i++)
        if (strcmp(v->state, states[i]) == 0)
            return 0;
    return yx_fail_code(
        r, YX_ECONFLICT, "visit_state", json_pack("{s:s}", "state", v->state),
        "Lượt khám đang ở trạng thái '%s', không làm được việc này / the visit is %s; this cannot be "
        "done now.",
        v->state, v->state);
}

int yx_vn_day(const char *day, int64_t *from, int64_t *to)
{
    char iso[40];
    if (!day || strlen(day) != 10)
        return YX_EINVAL;
    snprintf(iso, sizeof iso, "%sT00:00:00+07:00", day);
    if (yx_time_parse(iso, from) != 0)
        return YX_EINVAL;
    *to = *from + 86400000LL;
    return 0;
}

static const char *const modes[] = {"video", "audio", "chat", "assisted", NULL};

static const struct yx_field create_fields[] = {
    {"patient_id", YX_F_INT, 1, 1, INT64_MAX},
    {"doctor_id", YX_F_INT, 1, 1, INT64_MAX},
    {"mode", YX_F_STRING, 1, 1, 12},
    {"reason", YX_F_STRING, 1, 2, 500},
    {"scheduled_at", YX_F_STRING, 0, 16, 40},
    {"emergency_reason", YX_F_STRING, 0, 5, 500},
    {NULL, 0, 0, 0, 0},
};

int yx_visit_event(struct yx_req *r, int64_t visit, const char *from, const char *to, const char *reason)
{
    int rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO visit_events (visit_id, from_state, to_state, at, by_user, reason) VALUES "
                     "(?, ?, ?, ?, ?, ?)",
                     YX_PI(visit), YX_PT(from), YX_PT(to), YX_PI(yx_now_ms()), YX_PI(r->who.user_id),
                     YX_PT(reason));
    /* Every change of state is told to the visit's open pages (the state's name, nothing else). A
     * visit just made (no state before: booked, or written whole by $import) has no page open on
     * it yet: nothing to tell, and an import of ten thousand visits sends nothing on the bus. */
    return rc || !from ? rc : yx_live_changed(r->db, "visit", visit, to);
}

int yx_visit_sees_drafts(const struct yx_req *r)
{
    struct yx_resource draft = {.kind = YX_RES_PRESCRIPTION, .state = "draft"};
    return yx_authorize(&r->who, YX_A_READ, &draft) == 0;
}

static int answer_visit(struct yx_req *r, int status, int64_t id)
{
    json_t *v = yx_visit_json(r->db, id, !yx_visit_sees_drafts(r));
    return v ? yx_reply(r, status, v) : YX_EDB;
}

/* How long before a planned visit its people are told it is about to start. */
#define VISIT_STARTING_LEAD_MS (10 * 60 * 1000)

/* The doctor and whoever planned the visit get a notification shortly before it starts, which the
 * hub pushes when it is due (src/realtime/push.c); one planned for sooner is told at once. The
 * text names no patient: it shows on a lock screen. */
static int notify_starting(struct yx_req *r, int64_t id, const struct yx_visit_plan *p)
{
    static const char *const mode_words[][3] = {
        {"video", "video", "video"},
        {"audio", "thoại", "audio"},
        {"chat", "tin nhắn", "chat"},
        {"assisted", "có nhân viên y tế hỗ trợ", "with a health worker"}};
    if (!p->scheduled_at)
        return 0;
    int64_t now = yx_now_ms(), due = p->scheduled_at - VISIT_STARTING_LEAD_MS;
    char when[32], when_en[32];
    yx_time_vn(p->scheduled_at, "%H:%M ngày %d/%m", when, sizeof when);
    yx_time_vn(p->scheduled_at, "%H:%M on %d/%m", when_en, sizeof when_en);
    const char *mode = p->mode, *mode_en = p->mode;
    for (size_t i = 0; i < sizeof mode_words / sizeof mode_words[0]; i++)
        if (strcmp(p->mode, mode_words[i][0]) == 0) {
            mode = mode_words[i][1];
            mode_en = mode_words[i][2];
        }
    char text[200], text_en[200];
    snprintf(text, sizeof text, "Lượt khám từ xa #%lld (%s) bắt đầu lúc %s.", (long long)id, mode, when);
    snprintf(text_en, sizeof text_en, "Remote visit #%lld (%s) starts at %s.", (long long)id, mode_en,
             when_en);
    if (due < now)
        due = now;
    return YX_DB_Q(
        r->db, NULL,
        "INSERT INTO notifications (user_id, visit_id, channel, kind, text_vi, text_en, due_at, created_at, "
        "status, next_attempt_at, delivered_at) SELECT id, ?, 'app', 'visit_starting', ?, ?, ?, ?, "
        "'delivered', ?, ? FROM users WHERE id IN (?, ?)",
        YX_PI(id), YX_PT(text), YX_PT(text_en), YX_PI(due), YX_PI(now), YX_PI(due), YX_PI(due),
        YX_PI(p->doctor_id), YX_PI(r->who.user_id));
}

int yx_visit_insert(struct yx_req *r, const struct yx_visit_plan *p, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    int rc = YX_DB_Q(r->db, &rows,
                     "INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, "
                     "created_by, mode, state, "
                     "reason, scheduled_at, emergency_reason, created_at, updated_at) "
                     "SELECT id, facility_id, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ? FROM patients WHERE id = "
                     "? RETURNING id",
                     YX_PI(p->doctor_id), YX_PI(p->doctor_facility_id), YX_PI(r->who.user_id), YX_PT(p->mode),
                     YX_PT(p->reason), p->scheduled_at ? YX_PI(p->scheduled_at) : YX_PN,
                     YX_PT(p->emergency_reason), YX_PI(now), YX_PI(now), YX_PI(p->patient_id));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_visit_event(r, *id, NULL, "planned", NULL);
    /* The doctor's facility sees the patient for the sake of this visit. */
    if (rc == 0)
        rc = yx_patient_share(r->db, p->patient_id, p->doctor_facility_id, "visit", *id, 0);
    if (rc == 0)
        rc = notify_starting(r, *id, p);
    return rc;
}

int yx_visit_doctor_facility(struct yx_req *r, int64_t doctor_id, const char *field, int64_t *facility)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT facility_id FROM users WHERE id = ? AND active = 1 AND role IN ('doctor', 'specialist') "
        "AND facility_id IS NOT NULL",
        YX_PI(doctor_id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_check(r, field, "not_allowed", 0, 0, 0,
                           "Không phải bác sĩ đang làm việc / not an active doctor or specialist.");
    if (rc == 0)
        *facility = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

/* POST /api/v1/visits */
static int visit_create(struct yx_req *r)
{
    struct yx_visit_plan p = {0};
    int64_t id = 0;
    struct yx_scope s;
    int rc;
    if (yx_scope(&r->who, YX_RES_VISIT, &s) != 0 || s.kind != YX_SCOPE_FACILITY)
        return yx_fail(r, YX_EFORBIDDEN,
                       "Vai trò của bạn không được làm việc này / your role may not plan visits.");
    if ((rc = yx_body(r, create_fields)) != 0)
        return rc;
    p.patient_id = yx_json_int(r->json, "patient_id", 0);
    p.doctor_id = yx_json_int(r->json, "doctor_id", 0);
    p.mode = yx_json_str(r->json, "mode");
    p.reason = yx_json_str(r->json, "reason");
    p.emergency_reason = yx_json_str(r->json, "emergency_reason");
    const char *at = yx_json_str(r->json, "scheduled_at");
    if (!yx_one_of(p.mode, modes))
        return yx_fail_check(r, "mode", "not_allowed", 0, 0, 0,
                             "Hình thức khám là video, thoại, nhắn tin hoặc có hỗ trợ / mode is video, "
                             "audio, chat or assisted.");
    if (at && yx_time_parse(at, &p.scheduled_at) != 0)
        return yx_fail_check(r, "scheduled_at", "bad_format", 0, 0, 0,
                             "Giờ hẹn là thời điểm ISO có múi giờ, vd. 2026-11-23T09:00:00+07:00 / "
                             "scheduled_at is an ISO time with its offset, e.g. 2026-11-23T09:00:00+07:00.");
    if ((rc = yx_patient_access(r, p.patient_id, YX_A_WRITE)) != 0 ||
        (rc = yx_visit_doctor_facility(r, p.doctor_id, "doctor_id", &p.doctor_facility_id)) != 0 ||
        (rc = yx_visit_insert(r, &p, &id)) != 0)
        return rc;
    yx_audit_target(r, id);
    return answer_visit(r, 201, id);
}

/* GET /api/v1/visits/:id */
static int visit_get(struct yx_req *r)
{
    struct yx_visit v;
    int rc = yx_visit_load(r, YX_A_READ, &v);
    return rc ? rc : answer_visit(r, 200, v.id);
}

/* GET /api/v1/visits?patient_id&doctor_id&state&date&cursor&limit — the visits of the caller's
 * facility's patients, the caller's own as their doctor, and those its doctors run while they are
 * open (the share they make); or a patient's own visits. */
static int visit_list(struct yx_req *r)
{
    int64_t after, limit, patient, doctor, from = 0, to = 0;
    struct yx_rows *rows = NULL;
    struct yx_scope s;
    int rc = yx_scope(&r->who, YX_RES_VISIT, &s);
    int self = rc == 0 && s.kind == YX_SCOPE_PATIENT;
    if (!self && (rc = yx_patient_registry_role(r)) != 0)
        return rc;
    if ((rc = yx_page(r, &after, &limit)) != 0 || (rc = yx_query_id(r, "patient_id", &patient)) != 0 ||
        (rc = yx_query_id(r, "doctor_id", &doctor)) != 0)
        return rc;
    const char *state = yx_query(r, "state"), *date = yx_query(r, "date");
    static const char *const states[] = {"planned",   "arrived", "in_progress", "finished",
                                         "cancelled", "no_show", NULL};
    if (state && !yx_one_of(state, states))
        return yx_fail_check(r, "state", "not_allowed", 0, 0, 0,
                             "Trạng thái là planned, arrived, in_progress, finished, cancelled hoặc no_show "
                             "/ state is planned, arrived, in_progress, finished, cancelled or no_show.");
    if (date && yx_vn_day(date, &from, &to) != 0)
        return yx_fail_check(
            r, "date", "bad_format", 0, 0, 0,
            "Ngày có dạng YYYY-MM-DD (giờ Việt Nam) / date is a day YYYY-MM-DD (Vietnam time).");
    rc =
        YX_DB_Q(r->db, &rows,
                "SELECT " VISIT_COLUMNS VISIT_FROM "WHERE v.id > ? AND ((? = 1 AND v.patient_id = ?) OR (? = "
                "0 AND (v.facility_id = ? OR v.doctor_id = ? OR (v.doctor_facility_id = ? AND v.state IN "
                "('planned', 'arrived', 'in_progress'))))) "
                "AND (? = 0 OR v.patient_id = ?) AND (? = 0 OR v.doctor_id = ?) AND (? = '' OR v.state = ?) "
                "AND (? = 0 OR (COALESCE(v.scheduled_at, v.created_at) >= ? AND COALESCE(v.scheduled_at, "
                "v.created_at) < ?)) "
                "ORDER BY v.id LIMIT ?",
                YX_PI(after), YX_PI(self), YX_PI(r->who.patient_id), YX_PI(self), YX_PI(r->who.facility_id),
                YX_PI(r->who.user_id), YX_PI(r->who.facility_id), YX_PI(patient), YX_PI(patient),
                YX_PI(doctor), YX_PI(doctor), YX_PT(state ? state : ""), YX_PT(state ? state : ""),
                YX_PI(from), YX_PI(from), YX_PI(to), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, visit_row(r->db, rows, i));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

/* Which transitions exist; the rest answer 409. */
static int transition_ok(const char *from, const char *to)
{
    static const char *const allowed[][2] = {
        {"planned", "arrived"}, {"planned", "in_progress"},  {"planned", "cancelled"},
        {"planned", "no_show"}, {"arrived", "in_progress"},  {"arrived", "cancelled"},
        {"arrived", "no_show"}, {"in_progress", "finished"},
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (strcmp(allowed[i][0], from) == 0 && strcmp(allowed[i][1], to) == 0)
            return 1;
    return 0;
}

/* Consent to remote care and to data processing, or a recorded emergency. */
static int consent_gate(struct yx_req *r, const struct yx_visit *v, int *bypassed)
{
    int care = 0, data = 0, rc;
    struct yx_rows *rows = NULL;
    if ((rc = yx_consent_active(r->db, v->patient_id, "remote_care", &care)) != 0 ||
        (rc = yx_consent_active(r->db, v->patient_id, "data_processing", &data)) != 0)
        return rc;
    *bypassed = 0;
    if (care && data)
        return 0;
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT emergency_reason FROM visits WHERE id = ?", YX_PI(v->id))) != 0)
        return rc;
    *bypassed = !yx_rows_isnull(rows, 0, 0);
    yx_rows_free(rows);
    if (*bypassed)
        return 0;
    json_t *missing = json_array();
    if (!care)
        json_array_append_new(missing, json_string("remote_care"));
    if (!data)
        json_array_append_new(missing, json_string("data_processing"));
    return yx_fail_code(
        r, YX_ECONFLICT, "consent_required", json_pack("{s:o}", "missing", missing),
        "Người bệnh chưa đồng ý %s; ghi nhận đồng ý trước khi bắt đầu khám / the patient has not "
        "consented to %s: record consent before the visit starts (or record an emergency).",
        !care ? "khám từ xa" : "xử lý dữ liệu", !care ? "remote care" : "data processing");
}

static const struct yx_field transition_fields[] = {
    {"to", YX_F_STRING, 1, 1, 16},
    {"reason", YX_F_STRING, 0, 2, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/visits/:id/transitions {to, reason} */
static int visit_transition(struct yx_req *r)
{
    struct yx_visit v;
    int bypassed = 0, rc;
    if ((rc = yx_visit_load(r, YX_A_WRITE, &v)) != 0 || (rc = yx_body(r, transition_fields)) != 0)
        return rc;
    const char *to = yx_json_str(r->json, "to"), *reason = yx_json_str(r->json, "reason");
    static const char *const states[] = {"planned",   "arrived", "in_progress", "finished",
                                         "cancelled", "no_show", NULL};
    if (!yx_one_of(to, states))
        return yx_fail_check(r, "to", "not_allowed", 0, 0, 0,
                             "Chỉ chuyển sang arrived, in_progress, finished, cancelled hoặc no_show / to is "
                             "arrived, in_progress, finished, cancelled or no_show.");
    if (!transition_ok(v.state, to))
        return yx_fail_code(r, YX_ECONFLICT, "visit_state", json_pack("{s:s}", "state", v.state),
                            "Không chuyển được từ '%s' sang '%s' / a visit that is %s cannot become %s.",
                            v.state, to, v.state, to);
    if ((strcmp(to, "cancelled") == 0 || strcmp(to, "no_show") == 0) && !reason)
        return yx_fail_check(r, "reason", "required", 0, 0, 0,
                             "Cần lý do / a cancellation or no-show needs a reason.");
    if (strcmp(to, "in_progress") == 0 && (rc = consent_gate(r, &v, &bypassed)) != 0)
        return rc;
    char why[600];
    if (bypassed) {
        snprintf(why, sizeof why, "consent_bypassed: emergency%s%s", reason ? "; " : "",
                 reason ? reason : "");
        reason = why;
    }
    rc = yx_visit_set_state(r, v.id, v.state, to, reason, bypassed);
    return rc ? rc : answer_visit(r, 200, v.id);
}

int yx_visit_set_state(struct yx_req *r, int64_t visit, const char *from, const char *to, const char *reason,
                       int bypassed)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    int ends = yx_one_of(to, (const char *const[]){"finished", "cancelled", "no_show", NULL});
    int rc = YX_DB_Q(r->db, &rows,
                     "UPDATE visits SET state = ?, updated_at = ?, consent_bypassed = consent_bypassed + ?, "
                     "started_at = CASE WHEN ? = 'in_progress' THEN ? ELSE started_at END, "
                     "ended_at = CASE WHEN ? = 1 THEN ? ELSE ended_at END "
                     "WHERE id = ? AND state = ? RETURNING id",
                     YX_PT(to), YX_PI(now), YX_PI(bypassed), YX_PT(to), YX_PI(now), YX_PI(ends), YX_PI(now),
                     YX_PI(visit), YX_PT(from));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_code(r, YX_ECONFLICT, "visit_state", NULL,
                          "Lượt khám vừa được người khác thay đổi / someone else changed the visit just now; "
                          "reload it.");
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_visit_event(r, visit, from, to, reason);
    /* The doctor's facility read the patient for the sake of this visit: that ends with it. The
     * doctor keeps reading the visit itself (its own record) as its party. */
    if (rc == 0 && ends)
        rc = yx_patient_unshare(r->db, "visit", visit);
    /* A visit that will not happen is not announced. */
    if (rc == 0 && ends && strcmp(to, "finished") != 0)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE notifications SET status = 'not_needed' WHERE visit_id = ? AND kind = "
                     "'visit_starting' AND pushed_at IS NULL",
                     YX_PI(visit));
    return rc;
}

/* GET /api/v1/doctors?facility_id&q — the doctors a clinician can plan a visit with: by default
 * those of the caller's facility and of the hubs that support it (the support network). */
static int doctor_list(struct yx_req *r)
{
    int64_t facility, limit, home = r->who.facility_id;
    struct yx_rows *rows = NULL;
    struct yx_scope s;
    int rc = yx_scope(&r->who, YX_RES_PATIENT, &s);
    /* A patient books with the doctors of their station and of the hubs that support it. */
    if (rc == 0 && s.kind == YX_SCOPE_PATIENT && s.id) {
        if ((rc = YX_DB_Q(r->db, &rows, "SELECT facility_id FROM patients WHERE id = ?", YX_PI(s.id))) != 0)
            return rc;
        home = rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
        yx_rows_free(rows);
        rows = NULL;
    } else if ((rc = yx_patient_registry_role(r)) != 0) {
        return rc;
    }
    if ((rc = yx_query_id(r, "facility_id", &facility)) != 0 || (rc = yx_page_limit(r, &limit)) != 0)
        return rc;
    const char *like;
    if ((rc = yx_query_like(r, &like)) != 0)
        return rc;
    like = like ? like : "%";
    rc = YX_DB_Q(
        r->db, &rows,
        "SELECT u.id, u.full_name, u.role, u.licence_no, u.scope_of_practice, f.id AS facility_id, "
        "f.name AS facility_name, f.level AS facility_level "
        "FROM users u JOIN facilities f ON f.id = u.facility_id "
        "WHERE u.active = 1 AND u.role IN ('doctor', 'specialist') AND u.full_name_folded LIKE ? ESCAPE '\\' "
        "AND ((? > 0 AND u.facility_id = ?) OR (? = 0 AND (u.facility_id = ? OR u.facility_id IN "
        "(SELECT hub_id FROM support_links WHERE site_id = ?)))) "
        "ORDER BY f.id = ? DESC, f.name, u.full_name LIMIT ?",
        YX_PT(like), YX_PI(facility), YX_PI(facility), YX_PI(facility), YX_PI(home), YX_PI(home), YX_PI(home),
        YX_PI(limit));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(
            items,
            json_pack("{s:I,s:s,s:s,s:o,s:o,s:{s:I,s:s,s:s}}", "id", (json_int_t)yx_rows_i64(rows, i, "id"),
                      "full_name", yx_rows_str(rows, i, "full_name"), "role", yx_rows_str(rows, i, "role"),
                      "licence_no", yx_json_str_or_null(yx_rows_str(rows, i, "licence_no")),
                      "scope_of_practice", yx_json_str_or_null(yx_rows_str(rows, i, "scope_of_practice")),
                      "facility", "id", (json_int_t)yx_rows_i64(rows, i, "facility_id"), "name",
                      yx_rows_str(rows, i, "facility_name"), "level",
                      yx_rows_str(rows, i, "facility_level")));
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:o}", "items", items));
}

const struct yx_route yx_visit_routes[] = {
    {"GET", "/api/v1/doctors", doctor_list, 0, NULL, NULL, YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"POST", "/api/v1/visits", visit_create, 0, "visit.create", "visit", YX_CLINICIANS, create_fields},
    {"GET", "/api/v1/visits", visit_list, 0, "visit.list", "visit", YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"GET", "/api/v1/visits/:id", visit_get, 0, "visit.read", "visit", YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"POST", "/api/v1/visits/:id/transitions", visit_transition, 0, "visit.transition", "visit",
     YX_CLINICIANS, transition_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
