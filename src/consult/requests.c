/* The requesting side of a consultation: open a case (a draft, or sent at once), edit the draft,
 * attach files, send it into the network, cancel it; read a case and the lists of cases (the
 * hub's inbox by urgency, the requester's sent cases). */
#include <stdio.h>
#include <string.h>

#include "consult.h"
#include "ytexa/files.h"
#include "ytexa/patient.h"

static const char *const urgencies[] = {"routine", "urgent", "emergency", NULL};
static const char *const kinds[] = {"general", "imaging", "pathology", "surgical", "ecg", NULL};

int yx_consult_clinician(struct yx_req *r)
{
    struct yx_scope s;
    if (yx_scope(&r->who, YX_RES_CONSULT, &s) == 0)
        return 0;
    return yx_fail(r, YX_EFORBIDDEN,
                   "Vai trò của bạn không làm việc với ca hội chẩn / your role does not work "
                   "with consultations.");
}

/* The fields of a case that a draft may change, checked beyond their types. */
static int check_case_fields(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    const char *u = yx_json_str(r->json, "urgency"), *k = yx_json_str(r->json, "kind"),
               *s = yx_json_str(r->json, "specialty");
    json_t *qs = json_object_get(r->json, "questions"), *q;
    size_t i;
    if (u && !yx_one_of(u, urgencies))
        return yx_fail_field(r, YX_EINVAL, "urgency",
                             "Mức độ khẩn là thường (routine), khẩn (urgent) hoặc cấp cứu (emergency) / "
                             "urgency is routine, urgent or emergency.");
    if (k && !yx_one_of(k, kinds))
        return yx_fail_field(r, YX_EINVAL, "kind",
                             "Loại hội chẩn là đa khoa (general), chẩn đoán hình ảnh (imaging), giải phẫu "
                             "bệnh (pathology), ngoại khoa (surgical) hoặc điện tim (ecg) / kind is general, "
                             "imaging, pathology, surgical or ecg.");
    if (qs && (json_array_size(qs) < 1 || json_array_size(qs) > 10))
        return yx_fail_field(r, YX_EINVAL, "questions", "Đặt từ 1 đến 10 câu hỏi / Ask 1 to 10 questions.");
    json_array_foreach(qs, i, q)
    {
        const char *t = json_string_value(q);
        if (!t || !yx_utf8_valid(t, strlen(t)) || strlen(t) < 3 || strlen(t) > 2000)
            return yx_fail_field(r, YX_EINVAL, "questions",
                                 "Mỗi câu hỏi dài từ 3 đến 2000 byte (câu hỏi %zu không đúng) / Each "
                                 "question is a text of 3 to 2000 bytes (question %zu is not).",
                                 i + 1, i + 1);
    }
    if (!s)
        return 0;
    int rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM specialties WHERE code = ?", YX_PT(s));
    int known = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !known)
        rc = yx_fail_field(r, YX_EINVAL, "specialty",
                           "Chuyên khoa không có trong danh mục / unknown specialty.");
    return rc;
}

static int put_questions(struct yx_req *r, int64_t id)
{
    json_t *qs = json_object_get(r->json, "questions"), *q;
    size_t i;
    int rc = qs ? YX_DB_Q(r->db, NULL, "DELETE FROM consult_questions WHERE consult_id = ?", YX_PI(id)) : 0;
    json_array_foreach(qs, i, q)
    {
        if (rc)
            break;
        rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO consult_questions (consult_id, position, question) VALUES (?, ?, ?)",
                     YX_PI(id), YX_PI(i + 1), YX_PT(json_string_value(q)));
    }
    return rc;
}

/* Attaches a clinical file the caller's facility stored and the caller may read (their own
 * upload, a colleague's not yet attached, or one of a case they read). A file the caller may not
 * read answers like one that does not exist; a course material is never part of a case. */
static int attach(struct yx_req *r, int64_t id, int64_t file, const char *field)
{
    struct yx_file_ref f;
    int rc = yx_file_readable(r, file, &f);
    if ((rc == 0 && f.facility_id != r->who.facility_id) || rc == YX_ENOTFOUND)
        return yx_fail_field(r, YX_EINVAL, field,
                             "Không có tệp %lld của cơ sở bạn / no file %lld uploaded by your facility.",
                             (long long)file, (long long)file);
    if (rc == 0 && strcmp(f.purpose, "clinical") != 0)
        return yx_fail_code(r, YX_ECONFLICT, "not_clinical", json_pack("{s:s}", "field", field),
                            "Tệp %lld là tài liệu khoá học, không phải tệp chuyên môn của người bệnh / file "
                            "%lld was uploaded as course material, not as part of a patient's care.",
                            (long long)file, (long long)file);
    if (rc == 0)
        rc =
            YX_DB_Q(r->db, NULL,
                    "INSERT INTO consult_files (consult_id, file_id, added_by, added_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    YX_PI(id), YX_PI(file), YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
    return rc;
}

/* Consent to remote care and data processing, unless it is an emergency (then recorded). */
static int consent_or_emergency(struct yx_req *r, const struct yx_consult *c, const char **note)
{
    int care = 0, data = 0, rc;
    *note = NULL;
    if ((rc = yx_consent_active(r->db, c->patient_id, "remote_care", &care)) != 0 ||
        (rc = yx_consent_active(r->db, c->patient_id, "data_processing", &data)) != 0)
        return rc;
    if (care && data)
        return 0;
    if (strcmp(c->urgency, "emergency") == 0) {
        *note = "consent_bypassed: emergency";
        return 0;
    }
    return yx_fail_code(
        r, YX_ECONFLICT, "consent_required", NULL,
        "Người bệnh chưa đồng ý khám từ xa và xử lý dữ liệu; ghi nhận đồng ý trước khi gửi hội "
        "chẩn / the patient has not consented to remote care and data processing: record "
        "consent before sending the case (an emergency may go without).");
}

/* Sends a draft into the network: to the first hub that supports the requester for the specialty. */
static int submit(struct yx_req *r, struct yx_consult *c)
{
    const char *note;
    int64_t hub;
    int rc;
    if ((rc = consent_or_emergency(r, c, &note)) != 0 ||
        (rc = yx_consult_route(r->db, c, c->requester, &hub)) != 0)
        return rc;
    if (!hub)
        return yx_fail_code(
            r, YX_ECONFLICT, "no_route", json_pack("{s:s}", "specialty", c->specialty),
            "Không có tuyến trên nào hỗ trợ cơ sở bạn về chuyên khoa '%s' / no hub supports your "
            "facility for %s.",
            c->specialty, c->specialty);
    return yx_consult_move(r->db, c, hub,
                           &(struct yx_consult_event){"submitted", NULL, NULL, note, 0, 0, r->who.user_id});
}

static const struct yx_field create_fields[] = {
    {"patient_id", YX_F_INT, 1, 1, INT64_MAX},
    {"summary", YX_F_STRING, 1, 10, 4000},
    {"questions", YX_F_ARRAY, 1, 0, 0},
    {"urgency", YX_F_STRING, 1, 1, 12},
    {"specialty", YX_F_STRING, 1, 1, 32},
    {"kind", YX_F_STRING, 1, 1, 12},
    {"file_ids", YX_F_ARRAY, 0, 0, 0},
    {"submit", YX_F_BOOL, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* Attaches each id of the body's file_ids. */
static int attach_listed(struct yx_req *r, int64_t id)
{
    json_t *ids = json_object_get(r->json, "file_ids"), *f;
    size_t i;
    int rc = 0;
    if (json_array_size(ids) > 20)
        return yx_fail_field(r, YX_EINVAL, "file_ids",
                             "Tối đa 20 tệp cho một yêu cầu / At most 20 files per request.");
    json_array_foreach(ids, i, f)
    {
        if (!json_is_integer(f) || json_integer_value(f) < 1)
            return yx_fail_field(
                r, YX_EINVAL, "file_ids",
                "Tệp đính kèm (file_ids) là danh sách mã tệp / file_ids is a list of file ids.");
        if ((rc = attach(r, id, json_integer_value(f), "file_ids")) != 0)
            return rc;
    }
    return 0;
}

/* POST /api/v1/consults — opens a case for a patient the caller's facility holds (or shares). */
static int consult_create(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_clinician(r)) != 0 || (rc = yx_body(r, create_fields)) != 0 ||
        (rc = check_case_fields(r)) != 0 ||
        (rc = yx_patient_access(r, yx_json_int(r->json, "patient_id", 0), YX_A_WRITE)) != 0)
        return rc;
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, "
        "kind, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id",
        YX_PI(yx_json_int(r->json, "patient_id", 0)), YX_PI(r->who.facility_id), YX_PI(r->who.user_id),
        YX_PT(yx_json_str(r->json, "summary")), YX_PT(yx_json_str(r->json, "urgency")),
        YX_PT(yx_json_str(r->json, "specialty")), YX_PT(yx_json_str(r->json, "kind")), YX_PI(now),
        YX_PI(now));
    int64_t id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_consult_load_db(r->db, id, &c);
    if (rc == 0)
        rc = put_questions(r, id);
    if (rc == 0)
        rc = yx_consult_event(
            r->db, id, &(struct yx_consult_event){"created", NULL, "draft", NULL, 0, 0, r->who.user_id});
    if (rc == 0)
        rc = yx_consult_participant_add(r->db, &c, r->who.user_id, r->who.facility_id, "requester",
                                        r->who.user_id);
    if (rc == 0)
        rc = attach_listed(r, id);
    if (rc == 0 && json_is_true(json_object_get(r->json, "submit")))
        rc = submit(r, &c);
    if (rc)
        return rc;
    yx_audit_target(r, id);
    return yx_consult_answer(r, 201, id);
}

static const struct yx_field patch_fields[] = {
    {"summary", YX_F_STRING, 0, 10, 4000}, {"questions", YX_F_ARRAY, 0, 0, 0},
    {"urgency", YX_F_STRING, 0, 1, 12},    {"specialty", YX_F_STRING, 0, 1, 32},
    {"kind", YX_F_STRING, 0, 1, 12},       {NULL, 0, 0, 0, 0},
};

/* PATCH /api/v1/consults/:id — a draft changes; a sent case does not. */
static int consult_patch(struct yx_req *r)
{
    static const char *const draft[] = {"draft", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_REQUESTER, "nơi gửi ca / the requesting facility")) != 0 ||
        (rc = yx_consult_state_in(r, &c, draft)) != 0 || (rc = yx_body(r, patch_fields)) != 0 ||
        (rc = check_case_fields(r)) != 0 || (rc = put_questions(r, c.id)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE consults SET summary = COALESCE(?, summary), urgency = COALESCE(?, urgency), specialty = "
        "COALESCE(?, specialty), kind = COALESCE(?, kind), updated_at = ? WHERE id = ?",
        YX_PT(yx_json_str(r->json, "summary")), YX_PT(yx_json_str(r->json, "urgency")),
        YX_PT(yx_json_str(r->json, "specialty")), YX_PT(yx_json_str(r->json, "kind")), YX_PI(yx_now_ms()),
        YX_PI(c.id));
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

/* POST /api/v1/consults/:id/submit — the draft goes into the network. */
static int consult_submit(struct yx_req *r)
{
    static const char *const draft[] = {"draft", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_REQUESTER, "nơi gửi ca / the requesting facility")) != 0 ||
        (rc = yx_consult_state_in(r, &c, draft)) != 0 || (rc = yx_no_body(r)) != 0 ||
        (rc = submit(r, &c)) != 0)
        return rc;
    return yx_consult_answer(r, 200, c.id);
}

static const struct yx_field reason_fields[] = {
    {"reason", YX_F_STRING, 1, 5, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/cancel {reason} — by the requester, at any point before conclusion. */
static int consult_cancel(struct yx_req *r)
{
    static const char *const open[] = {"draft", "requested", "accepted", "scheduled", "answered", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_REQUESTER, "nơi gửi ca / the requesting facility")) != 0 ||
        (rc = yx_consult_state_in(r, &c, open)) != 0 || (rc = yx_body(r, reason_fields)) != 0 ||
        (rc = YX_DB_Q(r->db, NULL, "UPDATE consults SET accept_due_at = NULL WHERE id = ?", YX_PI(c.id))) !=
            0 ||
        (rc = yx_consult_set_state(r, &c, "cancelled", "cancelled", yx_json_str(r->json, "reason"))) != 0)
        return rc;
    return yx_consult_answer(r, 200, c.id);
}

static const struct yx_field file_fields[] = {
    {"file_id", YX_F_INT, 1, 1, INT64_MAX},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/files {file_id} — either side adds a file it uploaded while the case
 * is open (an ECG taken later, an annotated image from the hub). */
static int consult_attach(struct yx_req *r)
{
    static const char *const open[] = {"draft", "requested", "accepted", "scheduled", "answered", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_consult_state_in(r, &c, open)) != 0 ||
        (rc = yx_body(r, file_fields)) != 0 ||
        (rc = attach(r, c.id, yx_json_int(r->json, "file_id", 0), "file_id")) != 0)
        return rc;
    return yx_consult_answer(r, 200, c.id);
}

/* GET /api/v1/consults/:id */
static int consult_get(struct yx_req *r)
{
    struct yx_consult c;
    int rc = yx_consult_load(r, &c);
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

#define LIST_COLUMNS                                                                                         \
    "SELECT c.id, c.state, c.urgency, c.specialty, c.kind, c.summary, c.patient_id, p.full_name, "           \
    "p.birth_year, p.sex, c.requester_facility_id, rf.name AS requester_name, c.assigned_facility_id, "      \
    "af.name AS assigned_name, "                                                                             \
    "c.requested_at, c.accept_due_at, c.escalation_level, c.created_at, c.updated_at FROM consults c JOIN "  \
    "patients p ON "                                                                                         \
    "p.id = c.patient_id JOIN facilities rf ON rf.id = c.requester_facility_id LEFT JOIN facilities af ON "  \
    "af.id = c.assigned_facility_id "

static json_t *list_item(const struct yx_rows *r, int i, int64_t now)
{
    int waiting = strcmp(yx_rows_str(r, i, "state"), "requested") == 0 && !yx_rows_null(r, i, "requested_at");
    json_t *assigned =
        yx_rows_null(r, i, "assigned_facility_id")
            ? json_null()
            : json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(r, i, "assigned_facility_id"), "name",
                        yx_rows_str(r, i, "assigned_name"));
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:{s:I,s:s,s:I,s:s},s:{s:I,s:s},s:o,s:o,s:o,s:o,s:I,s:o}",
                     "id", (json_int_t)yx_rows_i64(r, i, "id"), "state", yx_rows_str(r, i, "state"),
                     "urgency", yx_rows_str(r, i, "urgency"), "specialty", yx_rows_str(r, i, "specialty"),
                     "kind", yx_rows_str(r, i, "kind"), "summary", yx_rows_str(r, i, "summary"), "patient",
                     "id", (json_int_t)yx_rows_i64(r, i, "patient_id"), "full_name",
                     yx_rows_str(r, i, "full_name"), "birth_year",
                     (json_int_t)yx_rows_i64(r, i, "birth_year"), "sex", yx_rows_str(r, i, "sex"),
                     "requester", "id", (json_int_t)yx_rows_i64(r, i, "requester_facility_id"), "name",
                     yx_rows_str(r, i, "requester_name"), "assigned", assigned, "requested_at",
                     yx_json_time_or_null(r, i, "requested_at"), "accept_due_at",
                     yx_json_time_or_null(r, i, "accept_due_at"), "waiting_minutes",
                     waiting ? json_integer((now - yx_rows_i64(r, i, "requested_at")) / 60000) : json_null(),
                     "escalation_level", (json_int_t)yx_rows_i64(r, i, "escalation_level"), "updated_at",
                     yx_json_time_or_null(r, i, "updated_at"));
}

/* GET /api/v1/consults?box=inbox|outbox&state&cursor&limit — the hub's inbox (open cases it has,
 * emergencies first, then the longest waiting), or the cases the caller's facility sent (newest
 * first, paged by cursor). */
static int consult_list(struct yx_req *r)
{
    static const char *const states[] = {"draft",     "requested",        "accepted", "scheduled", "answered",
                                         "concluded", "outcome_recorded", "closed",   "cancelled", NULL};
    static const char *const boxes[] = {"inbox", "outbox", NULL};
    struct yx_rows *rows = NULL;
    int64_t after, limit;
    int rc;
    if ((rc = yx_consult_clinician(r)) != 0 || (rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    const char *box = yx_query(r, "box"), *state = yx_query(r, "state");
    box = box ? box : "inbox";
    if (!yx_one_of(box, boxes))
        return yx_fail_field(r, YX_EINVAL, "box",
                             "Hộp (box) là ca nhận (inbox) hoặc ca gửi (outbox) / box is inbox or outbox.");
    if (state && !yx_one_of(state, states))
        return yx_fail_field(r, YX_EINVAL, "state",
                             "Trạng thái (state) là một trạng thái của ca (draft … closed, cancelled) / "
                             "state is one of the case states (draft … closed, cancelled).");
    if (strcmp(box, "inbox") == 0)
        rc = YX_DB_Q(r->db, &rows,
                     LIST_COLUMNS
                     "WHERE c.assigned_facility_id = ? AND ((? = '' AND c.state IN ('requested', "
                     "'accepted', 'scheduled', 'answered')) OR c.state = ?) ORDER BY CASE c.urgency WHEN "
                     "'emergency' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, c.requested_at, c.id LIMIT ?",
                     YX_PI(r->who.facility_id), YX_PT(state ? state : ""), YX_PT(state ? state : ""),
                     YX_PI(limit + 1));
    else
        rc = YX_DB_Q(r->db, &rows,
                     LIST_COLUMNS "WHERE c.requester_facility_id = ? AND (? = 0 OR c.id < ?) AND (? = '' OR "
                                  "c.state = ?) ORDER BY c.id DESC LIMIT ?",
                     YX_PI(r->who.facility_id), YX_PI(after), YX_PI(after), YX_PT(state ? state : ""),
                     YX_PT(state ? state : ""), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    int64_t now = yx_now_ms();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, list_item(rows, i, now));
    int more = rows->nrows > limit;
    int64_t last = more && strcmp(box, "outbox") == 0 ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    json_t *out = yx_page_json(items, more && last, last);
    json_object_set_new(out, "more", json_boolean(more));
    return yx_reply(r, 200, out);
}

/* GET /api/v1/patients/:id/consults?cursor&limit — the patient's cases, newest first, for the
 * record's page: checked as the record is (another facility's patient answers as an absent one), and
 * of those only the cases the caller's facility sent or has as hub. */
static int consult_of_patient(struct yx_req *r)
{
    int64_t patient_id, after, limit;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_patient_list_start(r, &patient_id, &after, &limit)) != 0)
        return rc;
    rc =
        YX_DB_Q(r->db, &rows,
                LIST_COLUMNS "WHERE c.patient_id = ? AND (c.requester_facility_id = ? OR "
                             "c.assigned_facility_id = ?) AND (? = 0 OR c.id < ?) ORDER BY c.id DESC LIMIT ?",
                YX_PI(patient_id), YX_PI(r->who.facility_id), YX_PI(r->who.facility_id), YX_PI(after),
                YX_PI(after), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    int64_t now = yx_now_ms();
    for (int i = 0; i < rows->nrows && i < limit; i++) {
        json_t *one = list_item(rows, i, now);
        json_object_set_new(one, "created_at", yx_json_time_or_null(rows, i, "created_at"));
        json_array_append_new(items, one);
    }
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

const struct yx_route yx_consult_request_routes[] = {
    {"POST", "/api/v1/consults", consult_create, 0, "consult.create", "consult", YX_CLINICIANS,
     create_fields},
    {"GET", "/api/v1/consults", consult_list, 0, "consult.list", "consult", YX_CLINICIANS, NULL},
    {"GET", "/api/v1/patients/:id/consults", consult_of_patient, 0, "consult.patient_list", "patient",
     YX_CLINICIANS, NULL},
    {"GET", "/api/v1/consults/:id", consult_get, 0, "consult.read", "consult", YX_CLINICIANS, NULL},
    {"PATCH", "/api/v1/consults/:id", consult_patch, 0, "consult.update", "consult", YX_CLINICIANS,
     patch_fields},
    {"POST", "/api/v1/consults/:id/submit", consult_submit, 0, "consult.submit", "consult", YX_CLINICIANS,
     NULL},
    {"POST", "/api/v1/consults/:id/cancel", consult_cancel, 0, "consult.cancel", "consult", YX_CLINICIANS,
     reason_fields},
    {"POST", "/api/v1/consults/:id/files", consult_attach, 0, "consult.attach", "consult", YX_CLINICIANS,
     file_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
