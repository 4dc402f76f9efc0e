/* Consent to remote care and to processing health data (Law 91/2025/QH15 on personal data,
 * Decree 356/2025/NĐ-CP: health data is sensitive, silence is not consent). Each consent is for one
 * purpose, says how it was given and by whom, and stays in the record after it is withdrawn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

static const char *const purposes[] = {"remote_care", "data_processing", NULL};
static const char *const methods[] = {"paper_signed", "verbal_witnessed", "in_app", NULL};

#define CONSENT_SELECT                                                                                       \
    "SELECT c.id, c.patient_id, c.purpose, c.method, c.given_by, c.witness_name, c.document_ref, c.note, "   \
    "c.recorded_by, u.full_name, c.facility_id, c.granted_at, c.withdrawn_at, c.withdrawn_by, "              \
    "c.withdraw_reason "                                                                                     \
    "FROM consents c JOIN users u ON u.id = c.recorded_by "

static json_t *consent_row(const struct yx_rows *r, int i)
{
    return json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:{s:I,s:s},s:o,s:o,s:b,s:o,s:o,s:o}", "id",
        (json_int_t)yx_rows_i64(r, i, "id"), "patient_id", (json_int_t)yx_rows_i64(r, i, "patient_id"),
        "purpose", yx_rows_str(r, i, "purpose"), "method", yx_rows_str(r, i, "method"), "given_by",
        yx_rows_str(r, i, "given_by"), "witness_name", yx_json_str_or_null(yx_rows_str(r, i, "witness_name")),
        "document_ref", yx_json_str_or_null(yx_rows_str(r, i, "document_ref")), "note",
        yx_json_str_or_null(yx_rows_str(r, i, "note")), "recorded_by", "id",
        (json_int_t)yx_rows_i64(r, i, "recorded_by"), "name", yx_rows_str(r, i, "full_name"), "facility_id",
        yx_rows_null(r, i, "facility_id") ? json_null() : json_integer(yx_rows_i64(r, i, "facility_id")),
        "granted_at", yx_json_time_or_null(r, i, "granted_at"), "active", yx_rows_null(r, i, "withdrawn_at"),
        "withdrawn_at", yx_json_time_or_null(r, i, "withdrawn_at"), "withdrawn_by",
        yx_rows_null(r, i, "withdrawn_by") ? json_null() : json_integer(yx_rows_i64(r, i, "withdrawn_by")),
        "withdraw_reason", yx_json_str_or_null(yx_rows_str(r, i, "withdraw_reason")));
}

static int answer_consent(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, CONSENT_SELECT "WHERE c.id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows == 1) {
        yx_audit_target(r, id);
        rc = yx_reply(r, status, consent_row(rows, 0));
    } else if (rc == 0) {
        rc = YX_EDB;
    }
    yx_rows_free(rows);
    return rc;
}

/* A patient may act on their own consent (in the app); clinicians on their facility's patients. */
static int consent_access(struct yx_req *r, int64_t patient_id, enum yx_action act)
{
    return yx_patient_access_as(r, patient_id, act, YX_RES_CONSENT, 0);
}

static const struct yx_field consent_fields[] = {
    {"purpose", YX_F_STRING, 1, 1, 32},
    {"method", YX_F_STRING, 1, 1, 32},
    {"given_by", YX_F_STRING, 1, 1, 16},
    {"witness_name", YX_F_STRING, 0, 2, 160},
    {"document_ref", YX_F_STRING, 0, 1, 200},
    {"note", YX_F_STRING, 0, 1, 1000},
    {NULL, 0, 0, 0, 0},
};

/* How it was given decides what must come with it; a child's consent is the guardian's. */
static int check_consent(struct yx_req *r, const json_t *b, int64_t patient_id)
{
    const char *purpose = yx_json_str(b, "purpose"), *method = yx_json_str(b, "method");
    const char *by = yx_json_str(b, "given_by");
    struct yx_rows *rows = NULL;
    if (!yx_one_of(purpose, purposes))
        return yx_fail_check(
            r, "purpose", "not_allowed", 0, 0, 0,
            "Mục đích là khám từ xa hoặc xử lý dữ liệu / purpose is remote_care or data_processing.");
    if (!yx_one_of(method, methods))
        return yx_fail_check(r, "method", "not_allowed", 0, 0, 0,
                             "Hình thức là ký giấy, bằng lời có người làm chứng hoặc trong ứng dụng / method "
                             "is paper_signed, verbal_witnessed or in_app.");
    if (strcmp(by, "patient") != 0 && strcmp(by, "guardian") != 0)
        return yx_fail_check(
            r, "given_by", "not_allowed", 0, 0, 0,
            "Người đồng ý là người bệnh hoặc người giám hộ / given_by is patient or guardian.");
    if (strcmp(method, "verbal_witnessed") == 0 && !yx_json_str(b, "witness_name"))
        return yx_fail_check(
            r, "witness_name", "required", 0, 0, 0,
            "Đồng ý bằng lời cần tên người làm chứng / verbal consent needs the witness's name.");
    if (strcmp(method, "paper_signed") == 0 && !yx_json_str(b, "document_ref"))
        return yx_fail_check(
            r, "document_ref", "required", 0, 0, 0,
            "Đồng ý trên giấy cần số/mã văn bản đã ký / signed paper consent needs document_ref.");
    /* Asked once consent_access() let the caller act: a patient here acts on its own record. */
    int self = yx_patient_self(&r->who, patient_id);
    if (self && (strcmp(method, "in_app") != 0 || strcmp(by, "patient") != 0))
        return yx_fail_check(
            r, "method", "not_allowed", 0, 0, 0,
            "Trong ứng dụng người bệnh tự đồng ý: hình thức in_app, người đồng ý là người bệnh / in the app "
            "a patient gives consent themself: method in_app, given_by patient.");
    if (!self && strcmp(method, "in_app") == 0)
        return yx_fail_check(r, "method", "not_allowed", 0, 0, 0,
                             "Đồng ý trong ứng dụng do người bệnh tự làm từ tài khoản của mình / in_app "
                             "consent is given by the patient from their own account.");
    int rc = YX_DB_Q(r->db, &rows, "SELECT birth_date, birth_year, guardian_name FROM patients WHERE id = ?",
                     YX_PI(patient_id));
    if (rc)
        return rc;
    int child = yx_age_years(yx_rows_get(rows, 0, 0), yx_rows_int(rows, 0, 1)) < 16;
    int has_guardian = !yx_rows_isnull(rows, 0, 2);
    yx_rows_free(rows);
    /* Under 16 a person's data is processed with their parent's or guardian's consent. */
    if (child && strcmp(by, "guardian") != 0)
        return yx_fail_check(r, "given_by", "not_allowed", 0, 0, 0,
                             "Người bệnh dưới 16 tuổi: người giám hộ đồng ý / "
                             "for a patient under 16 the guardian gives consent.");
    if (strcmp(by, "guardian") == 0 && !has_guardian)
        return yx_fail_check(r, "given_by", "not_allowed", 0, 0, 0,
                             "Ghi người giám hộ vào hồ sơ trước / record the guardian "
                             "on the patient's record first.");
    int active = 0;
    if ((rc = yx_consent_active(r->db, patient_id, purpose, &active)) != 0)
        return rc;
    if (active)
        return yx_fail_code(
            r, YX_ECONFLICT, "consent_active", NULL,
            "Đã có đồng ý còn hiệu lực cho mục đích này / consent for this purpose is already in force.");
    return 0;
}

int yx_consent_record(struct yx_req *r, int64_t patient_id, const json_t *b, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int rc;
    /* The body is checked here against the REST API's own table, whoever calls: a FHIR Consent
     * goes through every rule a REST one does. */
    if ((rc = consent_access(r, patient_id, YX_A_WRITE)) != 0)
        return rc;
    if (!b)
        return yx_fail(r, YX_EINVAL, "Cần nội dung là một đối tượng JSON / A JSON object body is required.");
    if ((rc = yx_validate(r, b, consent_fields)) != 0 || (rc = check_consent(r, b, patient_id)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO consents (patient_id, purpose, method, given_by, witness_name, document_ref, note, "
        "recorded_by, facility_id, granted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        YX_PI(patient_id), YX_PT(yx_json_str(b, "purpose")), YX_PT(yx_json_str(b, "method")),
        YX_PT(yx_json_str(b, "given_by")), YX_PT(yx_json_str(b, "witness_name")),
        YX_PT(yx_json_str(b, "document_ref")), YX_PT(yx_json_str(b, "note")), YX_PI(r->who.user_id),
        r->who.facility_id ? YX_PI(r->who.facility_id) : YX_PN, YX_PI(yx_now_ms()));
    if (rc == 0) {
        *id = yx_rows_int(rows, 0, 0);
        yx_audit_target(r, *id);
    }
    yx_rows_free(rows);
    return rc;
}

/* POST /api/v1/patients/:id/consents */
static int consent_create(struct yx_req *r)
{
    int64_t patient_id, id = 0;
    int rc;
    /* yx_consent_record() asks the access and checks the body against consent_fields, the route's
     * table. */
    if ((rc = yx_param_id(r, 0, &patient_id)) != 0 ||
        (rc = yx_consent_record(r, patient_id, r->json, &id)) != 0)
        return rc;
    return answer_consent(r, 201, id);
}

/* GET /api/v1/patients/:id/consents: every consent, in force or withdrawn, oldest first. */
static int consent_list(struct yx_req *r)
{
    int64_t patient_id, after, limit;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_patient_list_start(r, &patient_id, &after, &limit)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows, CONSENT_SELECT "WHERE c.patient_id = ? AND c.id > ? ORDER BY c.id LIMIT ?",
                 YX_PI(patient_id), YX_PI(after), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, consent_row(rows, i));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

static const struct yx_field withdraw_fields[] = {
    {"reason", YX_F_STRING, 1, 2, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/patients/:id/consents/:cid/withdraw */
static int consent_withdraw(struct yx_req *r)
{
    int64_t patient_id, id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_param_id(r, 0, &patient_id)) != 0 || (rc = yx_param_id(r, 1, &id)) != 0 ||
        (rc = consent_access(r, patient_id, YX_A_WRITE)) != 0 || (rc = yx_body(r, withdraw_fields)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows, "SELECT withdrawn_at FROM consents WHERE id = ? AND patient_id = ?", YX_PI(id),
                 YX_PI(patient_id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    else if (rc == 0 && !yx_rows_isnull(rows, 0, 0))
        rc = yx_fail_code(r, YX_ECONFLICT, "already_withdrawn", NULL,
                          "Đồng ý này đã được rút / this consent was already withdrawn.");
    yx_rows_free(rows);
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, NULL,
            "UPDATE consents SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ? WHERE id = ?",
            YX_PI(yx_now_ms()), YX_PI(r->who.user_id), YX_PT(yx_json_str(r->json, "reason")), YX_PI(id));
    return rc ? rc : answer_consent(r, 200, id);
}

const struct yx_route yx_consent_routes[] = {
    {"POST", "/api/v1/patients/:id/consents", consent_create, 0, "consent.create", "consent",
     YX_CLINICIANS | YX_ROLE_PATIENT, consent_fields},
    {"GET", "/api/v1/patients/:id/consents", consent_list, 0, "consent.list", "consent",
     YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"POST", "/api/v1/patients/:id/consents/:cid/withdraw", consent_withdraw, 0, "consent.withdraw",
     "consent", YX_CLINICIANS | YX_ROLE_PATIENT, withdraw_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
