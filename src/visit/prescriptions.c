/* Prescriptions (đơn thuốc): drafted by the visit's doctor, signed with name, licence number, time
 * and the SHA-256 of the content; a signed prescription never changes — a correction is a new
 * version that replaces it. Remote prescribing is allowed only for a primary diagnosis on the
 * Ministry's list for remote care (Circular 30/2023/TT-BYT) and by a licensed practitioner
 * (Law 15/2023/QH15). The patient reads signed prescriptions and their PDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visit.h"
#include "ytexa/realtime.h"

struct rx {
    int64_t id, visit_id, version;
    char status[8];
};

static const char *const writable_states[] = {"in_progress", "finished", NULL};

static const struct yx_field body_fields[] = {
    {"items", YX_F_ARRAY, 1, 0, 0},
    {"note", YX_F_STRING, 0, 1, 1000},
    {NULL, 0, 0, 0, 0},
};

static const struct yx_field item_fields[] = {
    {"medicine", YX_F_STRING, 1, 2, 200},
    {"strength", YX_F_STRING, 1, 1, 60},
    {"dose", YX_F_STRING, 1, 1, 60},
    {"frequency", YX_F_STRING, 1, 1, 60},
    {"duration_days", YX_F_INT, 1, 1, 365},
    {"quantity", YX_F_INT, 1, 1, 10000},
    {"unit", YX_F_STRING, 0, 1, 20},
    {"instructions", YX_F_STRING, 0, 1, 300},
    {NULL, 0, 0, 0, 0},
};

static int check_items(struct yx_req *r)
{
    json_t *items = json_object_get(r->json, "items"), *it;
    size_t i;
    if (json_array_size(items) < 1 || json_array_size(items) > 30)
        return yx_fail_check(r, "items", json_array_size(items) < 1 ? "too_short" : "too_long", 1, 1, 30,
                             "Đơn thuốc có từ 1 đến 30 thuốc / a prescription has 1 to 30 items.");
    json_array_foreach(items, i, it)
    {
        char path[24];
        int rc = yx_validate(r, it, item_fields);
        if (rc && yx_snprintf(path, sizeof path, "items[%zu]", i) == 0)
            return yx_error_within(r, rc, path);
        if (rc)
            return rc;
    }
    return 0;
}

#define RX_SELECT                                                                                            \
    "SELECT p.id, p.visit_id, p.patient_id, p.version, p.replaces_id, p.status, p.items, p.note, "           \
    "p.created_at, "                                                                                         \
    "p.signed_by, p.signer_name, p.signer_licence, p.signed_at, p.content_hash, "                            \
    "(SELECT n.id FROM prescriptions n WHERE n.replaces_id = p.id) AS replaced_by FROM prescriptions p "

static json_t *rx_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *r = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &r, RX_SELECT "WHERE p.id = ?", YX_PI(id)) == 0 && r->nrows == 1) {
        json_t *items = json_loads(yx_rows_str(r, 0, "items"), 0, NULL);
        json_t *signature =
            yx_rows_null(r, 0, "signed_at")
                ? json_null()
                : json_pack("{s:I,s:s,s:o,s:o,s:s}", "by", (json_int_t)yx_rows_i64(r, 0, "signed_by"), "name",
                            yx_rows_str(r, 0, "signer_name"), "licence_no",
                            yx_json_str_or_null(yx_rows_str(r, 0, "signer_licence")), "at",
                            yx_json_time_or_null(r, 0, "signed_at"), "sha256",
                            yx_rows_str(r, 0, "content_hash"));
        out = json_pack(
            "{s:I,s:I,s:I,s:I,s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)yx_rows_i64(r, 0, "id"),
            "visit_id", (json_int_t)yx_rows_i64(r, 0, "visit_id"), "patient_id",
            (json_int_t)yx_rows_i64(r, 0, "patient_id"), "version", (json_int_t)yx_rows_i64(r, 0, "version"),
            "replaces",
            yx_rows_null(r, 0, "replaces_id") ? json_null() : json_integer(yx_rows_i64(r, 0, "replaces_id")),
            "status", yx_rows_str(r, 0, "status"), "items", items ? items : json_array(), "note",
            yx_json_str_or_null(yx_rows_str(r, 0, "note")), "created_at",
            yx_json_time_or_null(r, 0, "created_at"), "signature", signature, "replaced_by",
            yx_rows_null(r, 0, "replaced_by") ? json_null() : json_integer(yx_rows_i64(r, 0, "replaced_by")));
    }
    yx_rows_free(r);
    return out;
}

static int answer_rx(struct yx_req *r, int status, int64_t id)
{
    yx_audit_target(r, id);
    json_t *p = rx_json(r->db, id);
    return p ? yx_reply(r, status, p) : YX_EDB;
}

/* Loads prescription :id with its visit, checking the caller may act on the patient. A patient's
 * own account sees signed prescriptions only. */
static int rx_load(struct yx_req *r, enum yx_action act, struct rx *p, struct yx_visit *v)
{
    struct yx_rows *rows = NULL;
    int64_t id;
    int rc = yx_param_id(r, 0, &id);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows, "SELECT id, visit_id, version, status FROM prescriptions WHERE id = ?",
                     YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0) {
        *p = (struct rx){yx_rows_i64(rows, 0, "id"), yx_rows_i64(rows, 0, "visit_id"),
                         yx_rows_i64(rows, 0, "version"), ""};
        snprintf(p->status, sizeof p->status, "%s", yx_rows_str(rows, 0, "status"));
    }
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_visit_load_id(r, p->visit_id, act, v);
    struct yx_resource rx = {.kind = YX_RES_PRESCRIPTION, .state = p->status};
    if (rc == 0 && yx_authorize(&r->who, act, &rx) != 0)
        rc = yx_not_found(r);
    return rc;
}

/* The practitioner's scope of practice (Law 15/2023/QH15): some recorded scope for any code, and
 * the specialty an icd10_scope_rules range names for the codes in it (pregnancy: obstetrics …). */
static int within_scope(struct yx_req *r, const char *scope, const char *code)
{
    struct yx_rows *rows = NULL;
    if (!scope || !*scope)
        return yx_fail_code(r, YX_EFORBIDDEN, "scope_required", NULL,
                            "Chưa ghi phạm vi hành nghề của bác sĩ (Luật 15/2023/QH15) / the prescriber's "
                            "scope of practice is not recorded.");
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT specialty, note FROM icd10_scope_rules WHERE code_from <= ? AND ? < code_to "
                     "ORDER BY code_from LIMIT 1",
                     YX_PT(code), YX_PT(code));
    if (rc == 0 && rows->nrows == 1 && !yx_word_in(scope, yx_rows_get(rows, 0, 0)))
        rc = yx_fail_code(
            r, YX_EFORBIDDEN, "outside_scope",
            json_pack("{s:s,s:s}", "icd10", code, "needs", yx_rows_get(rows, 0, 0)),
            "Bệnh %s (%s) ngoài phạm vi hành nghề của bác sĩ: cần chuyên khoa %s / %s (%s) is outside "
            "the prescriber's scope of practice: it needs the specialty %s.",
            code, yx_rows_get(rows, 0, 1), yx_rows_get(rows, 0, 0), code, yx_rows_get(rows, 0, 1),
            yx_rows_get(rows, 0, 0));
    yx_rows_free(rows);
    return rc;
}

/* A refusal kept for the visits report (migration 0028): which visit, for which diagnosis. */
struct refusal {
    int64_t visit_id;
    const char *icd10;
};

/* Writes the refusal once the refused request has rolled back (yx_keep_on_failure); the same
 * visit and diagnosis refused again is the same refusal. */
static int keep_refusal(struct yx_req *r, void *arg)
{
    const struct refusal *f = arg;
    return YX_DB_Q(
        r->db, NULL,
        "INSERT INTO prescription_refusals (visit_id, code, icd10, refused_at, by_user) VALUES (?, "
        "'not_remote_treatable', ?, ?, ?) ON CONFLICT (visit_id, code, icd10) DO NOTHING",
        YX_PI(f->visit_id), YX_PT(f->icd10), YX_PI(yx_now_ms()), YX_PI(r->who.user_id));
}

/* Circular 30, the practitioner's licence and scope: may this doctor prescribe remotely on this
 * visit? A refusal because the condition is not on the list is kept (keep_refusal): the visits
 * report counts it. */
static int may_prescribe(struct yx_req *r, const struct yx_visit *v)
{
    struct yx_rows *rows = NULL;
    int treatable = 0;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT u.licence_no, u.practice_scope, "
        "(SELECT code FROM visit_diagnoses WHERE visit_id = ? AND is_primary = 1 ORDER BY id DESC LIMIT 1) "
        "FROM users u WHERE u.id = ?",
        YX_PI(v->id), YX_PI(r->who.user_id));
    if (rc)
        return rc;
    const char *licence = yx_rows_get(rows, 0, 0), *code = yx_rows_get(rows, 0, 2);
    if (!licence || !*licence)
        rc = yx_fail_code(
            r, YX_EFORBIDDEN, "licence_required", NULL,
            "Cần số chứng chỉ hành nghề để kê đơn (Luật 15/2023/QH15) / a practising licence number is "
            "needed to prescribe.");
    else if (!code)
        rc = yx_fail_code(
            r, YX_ECONFLICT, "diagnosis_required", NULL,
            "Ghi chẩn đoán chính (ICD-10) trước khi kê đơn / record a primary ICD-10 diagnosis first.");
    else
        rc = within_scope(r, yx_rows_get(rows, 0, 1), code);
    if (rc == 0 && (rc = yx_remote_treatable(r->db, code, &treatable)) == 0 && !treatable) {
        struct refusal *f = yx_arena_alloc(&r->arena, sizeof *f);
        if (f) {
            *f = (struct refusal){v->id, yx_arena_strdup(&r->arena, code)};
            if (f->icd10)
                yx_keep_on_failure(r, keep_refusal, f);
        }
        rc = yx_fail_code(
            r, YX_ECONFLICT, "not_remote_treatable", json_pack("{s:s}", "icd10", code),
            "Bệnh %s không thuộc danh mục được kê đơn từ xa (Thông tư 30/2023/TT-BYT): tư vấn và chuyển "
            "tuyến / %s is not on the list of conditions treatable remotely: advise and refer instead.",
            code, code);
    }
    yx_rows_free(rows);
    return rc;
}

static int insert_rx(struct yx_req *r, const struct yx_visit *v, int64_t version, int64_t replaces,
                     const char *items, const char *note, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    int rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO prescriptions (visit_id, patient_id, version, replaces_id, status, items, note, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id",
        YX_PI(v->id), YX_PI(v->patient_id), YX_PI(version), replaces ? YX_PI(replaces) : YX_PN, YX_PT(items),
        YX_PT(note), YX_PI(r->who.user_id), YX_PI(now), YX_PI(now));
    if (rc == 0)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

static char *items_text(struct yx_req *r)
{
    char *t = json_dumps(json_object_get(r->json, "items"), JSON_COMPACT);
    char *out = t ? yx_arena_strdup(&r->arena, t) : NULL;
    free(t);
    return out;
}

/* POST /api/v1/visits/:id/prescriptions {items, note} */
static int rx_create(struct yx_req *r)
{
    struct yx_visit v;
    int64_t id = 0;
    int rc;
    if ((rc = yx_visit_load(r, YX_A_WRITE, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0 ||
        (rc = yx_body(r, body_fields)) != 0 || (rc = check_items(r)) != 0 ||
        (rc = yx_visit_state_in(r, &v, writable_states)) != 0 || (rc = may_prescribe(r, &v)) != 0)
        return rc;
    const char *items = items_text(r);
    if (!items)
        return YX_ENOMEM;
    rc = insert_rx(r, &v, 1, 0, items, yx_json_str(r->json, "note"), &id);
    return rc ? rc : answer_rx(r, 201, id);
}

static int refuse_signed(struct yx_req *r, const struct rx *p)
{
    if (strcmp(p->status, "draft") == 0)
        return 0;
    return yx_fail_code(
        r, YX_ECONFLICT, "signed", NULL,
        "Đơn đã ký không sửa được; tạo bản sửa (revise) / a signed prescription never changes: create "
        "a revised version.");
}

/* PUT /api/v1/prescriptions/:id {items, note} — a draft only. */
static int rx_update(struct yx_req *r)
{
    struct rx p;
    struct yx_visit v;
    int rc;
    if ((rc = rx_load(r, YX_A_WRITE, &p, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0 ||
        (rc = refuse_signed(r, &p)) != 0 || (rc = yx_body(r, body_fields)) != 0 || (rc = check_items(r)) != 0)
        return rc;
    const char *items = items_text(r);
    if (!items)
        return YX_ENOMEM;
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE prescriptions SET items = ?, note = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
        YX_PT(items), YX_PT(yx_json_str(r->json, "note")), YX_PI(yx_now_ms()), YX_PI(p.id));
    return rc ? rc : answer_rx(r, 200, p.id);
}

/* The signed text: every field that matters, keys sorted, so anyone can recompute the hash. items
 * is the stored JSON text of the items; note and licence may be NULL. */
static int hash_of(int64_t id, int64_t visit_id, int64_t patient_id, int64_t version, const char *items,
                   const char *note, const char *name, const char *licence, int64_t at, char out[65])
{
    json_t *doc =
        json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:s,s:s,s:I}", "prescription_id", (json_int_t)id, "visit_id",
                  (json_int_t)visit_id, "patient_id", (json_int_t)patient_id, "version", (json_int_t)version,
                  "items", json_loads(items, 0, NULL), "note", note ? json_string(note) : json_null(),
                  "signer_name", name, "signer_licence", licence, "signed_at_ms", (json_int_t)at);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!text)
        return YX_ENOMEM;
    yx_sha256_hex(text, strlen(text), out);
    free(text);
    return 0;
}

static int content_hash(struct yx_req *r, const struct rx *p, const struct yx_visit *v, const char *name,
                        const char *licence, int64_t at, char out[65])
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT items, note FROM prescriptions WHERE id = ?", YX_PI(p->id));
    if (rc == 0)
        rc = hash_of(p->id, v->id, v->patient_id, p->version, yx_rows_get(rows, 0, 0),
                     yx_rows_get(rows, 0, 1), name, licence, at, out);
    yx_rows_free(rows);
    return rc;
}

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void yx_prescription_code(const char *content_hash, char out[12])
{
    uint64_t bits = 0;
    /* The first 13 hex digits are 52 bits; the code keeps the first 50. */
    for (int i = 0; i < 13; i++) {
        char c = content_hash[i];
        bits = bits << 4 | (uint64_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    bits >>= 2;
    for (int i = 0, o = 0; i < 10; i++) {
        if (i == 5)
            out[o++] = '-';
        out[o++] = crockford[(bits >> (45 - 5 * i)) & 31];
    }
    out[11] = '\0';
}

int yx_prescription_verify(struct yx_req *r, const char *code)
{
    struct yx_rows *rows = NULL;
    char prefix[13], hash[65], mine[12];
    uint64_t bits = 0;
    /* The code's 50 bits give the hash's first 12 hex digits (48 bits) exactly: the rows to look at. */
    for (int i = 0; i < 11; i++)
        if (code[i] != '-')
            bits = bits << 5 |
                   (uint64_t)(strchr(crockford, code[i]) ? strchr(crockford, code[i]) - crockford : 0);
    yx_snprintf(prefix, sizeof prefix, "%012llx", (unsigned long long)(bits >> 2));
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT p.id, p.visit_id, p.patient_id, p.version, p.items, p.note, p.signer_name, "
                     "p.signer_licence, p.signed_at, p.content_hash, f.name AS facility_name, "
                     "(SELECT n.id FROM prescriptions n WHERE n.replaces_id = p.id) AS replaced_by "
                     "FROM prescriptions p JOIN visits v ON v.id = p.visit_id JOIN facilities f ON f.id = "
                     "v.doctor_facility_id WHERE p.status = 'signed' AND substr(p.content_hash, 1, 12) = ?",
                     YX_PT(prefix));
    int at = -1;
    for (int i = 0; rc == 0 && i < rows->nrows && at < 0; i++) {
        yx_prescription_code(yx_rows_str(rows, i, "content_hash"), mine);
        if (strcmp(mine, code) == 0)
            at = i;
    }
    if (rc == 0 && at < 0)
        rc = YX_ENOTFOUND;
    if (rc == 0)
        rc = hash_of(yx_rows_i64(rows, at, "id"), yx_rows_i64(rows, at, "visit_id"),
                     yx_rows_i64(rows, at, "patient_id"), yx_rows_i64(rows, at, "version"),
                     yx_rows_str(rows, at, "items"), yx_rows_str(rows, at, "note"),
                     yx_rows_str(rows, at, "signer_name"), yx_rows_str(rows, at, "signer_licence"),
                     yx_rows_i64(rows, at, "signed_at"), hash);
    if (rc) {
        yx_rows_free(rows);
        return rc;
    }
    const char *stored = yx_rows_str(rows, at, "content_hash");
    int intact = strcmp(hash, stored) == 0, current = yx_rows_null(rows, at, "replaced_by");
    json_t *out =
        json_pack("{s:s,s:s,s:I,s:I,s:b,s:b,s:b,s:o,s:{s:s,s:o},s:s,s:s}", "kind", "prescription", "code",
                  code, "prescription_id", (json_int_t)yx_rows_i64(rows, at, "id"), "version",
                  (json_int_t)yx_rows_i64(rows, at, "version"), "valid", intact && current, "intact", intact,
                  "current", current, "signed_at", yx_json_time_or_null(rows, at, "signed_at"), "signer",
                  "name", yx_rows_str(rows, at, "signer_name"), "licence_no",
                  yx_json_str_or_null(yx_rows_str(rows, at, "signer_licence")), "facility",
                  yx_rows_str(rows, at, "facility_name"), "content_hash", stored);
    yx_rows_free(rows);
    return out ? yx_reply(r, 200, out) : YX_ENOMEM;
}

/* How many items the stored prescription holds (0 when its items are not a list). */
static int count_items(struct yx_db *db, int64_t id, size_t *n)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows, "SELECT items FROM prescriptions WHERE id = ?", YX_PI(id));
    json_t *items = rc == 0 && rows->nrows == 1 ? json_loads(yx_rows_get(rows, 0, 0), 0, NULL) : NULL;
    *n = json_is_array(items) ? json_array_size(items) : 0;
    json_decref(items);
    yx_rows_free(rows);
    return rc;
}

/* POST /api/v1/prescriptions/:id/sign — the doctor signs a draft that prescribes something: 409
 * "no_items" for one with no item (create, update and revise never store one, but a signature is
 * what the pharmacy trusts, so it checks what it signs). */
static int rx_sign(struct yx_req *r)
{
    struct rx p;
    struct yx_visit v;
    struct yx_rows *rows = NULL;
    char hash[65];
    size_t items = 0;
    int rc;
    if ((rc = rx_load(r, YX_A_WRITE, &p, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0 ||
        (rc = yx_no_body(r)) != 0 || (rc = refuse_signed(r, &p)) != 0 || (rc = may_prescribe(r, &v)) != 0 ||
        (rc = count_items(r->db, p.id, &items)) != 0)
        return rc;
    if (items == 0)
        return yx_fail_code(r, YX_ECONFLICT, "no_items", NULL,
                            "Đơn thuốc chưa có thuốc nào để ký / the prescription has no item to sign.");
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT full_name, licence_no FROM users WHERE id = ?",
                      YX_PI(r->who.user_id))) != 0)
        return rc;
    int64_t at = yx_now_ms();
    const char *name = yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 0));
    const char *licence = yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 1));
    yx_rows_free(rows);
    if ((rc = content_hash(r, &p, &v, name, licence, at, hash)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE prescriptions SET status = 'signed', signed_by = ?, signer_name = ?, signer_licence = ?, "
        "signed_at = ?, content_hash = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
        YX_PI(r->who.user_id), YX_PT(name), YX_PT(licence), YX_PI(at), YX_PT(hash), YX_PI(at), YX_PI(p.id));
    /* The station's open visit page shows the signed prescription without a reload. */
    if (rc == 0)
        rc = yx_live_changed(r->db, "visit", v.id, "prescription_signed");
    return rc ? rc : answer_rx(r, 200, p.id);
}

static const struct yx_field revise_fields[] = {
    {"items", YX_F_ARRAY, 0, 0, 0},
    {"note", YX_F_STRING, 0, 1, 1000},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/prescriptions/:id/revise {items?, note?} — a new draft version of a signed one. */
static int rx_revise(struct yx_req *r)
{
    struct rx p;
    struct yx_visit v;
    struct yx_rows *rows = NULL;
    int64_t id = 0;
    int rc;
    if ((rc = rx_load(r, YX_A_WRITE, &p, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0)
        return rc;
    if (strcmp(p.status, "signed") != 0)
        return yx_fail_code(r, YX_ECONFLICT, "draft", NULL,
                            "Đơn nháp thì sửa trực tiếp / a draft is changed in place (PUT), not revised.");
    if (r->json && ((rc = yx_validate(r, r->json, revise_fields)) != 0 ||
                    (json_object_get(r->json, "items") && (rc = check_items(r)) != 0)))
        return rc;
    if ((rc = yx_visit_state_in(r, &v, writable_states)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 "SELECT items, note, (SELECT COUNT(*) FROM prescriptions n WHERE n.replaces_id = p.id) "
                 "FROM prescriptions p WHERE p.id = ?",
                 YX_PI(p.id));
    if (rc)
        return rc;
    if (yx_rows_int(rows, 0, 2) > 0) {
        yx_rows_free(rows);
        return yx_fail_code(
            r, YX_ECONFLICT, "replaced", NULL,
            "Đơn này đã có bản sửa; sửa bản mới nhất / this version was already replaced: revise the "
            "newest one.");
    }
    const char *items = json_object_get(r->json, "items")
                            ? items_text(r)
                            : yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 0));
    const char *note =
        r->json && json_object_get(r->json, "note")
            ? yx_json_str(r->json, "note")
            : (yx_rows_get(rows, 0, 1) ? yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 1)) : NULL);
    yx_rows_free(rows);
    rc = items ? insert_rx(r, &v, p.version + 1, p.id, items, note, &id) : YX_ENOMEM;
    return rc ? rc : answer_rx(r, 201, id);
}

/* GET /api/v1/prescriptions/:id */
static int rx_get(struct yx_req *r)
{
    struct rx p;
    struct yx_visit v;
    int rc = rx_load(r, YX_A_READ, &p, &v);
    return rc ? rc : answer_rx(r, 200, p.id);
}

/* GET /api/v1/prescriptions/:id/pdf — what the patient shows at a pharmacy. */
static int rx_pdf(struct yx_req *r)
{
    struct rx p;
    struct yx_visit v;
    char *pdf = NULL;
    size_t len = 0;
    int rc;
    if ((rc = rx_load(r, YX_A_READ, &p, &v)) != 0)
        return rc;
    if (strcmp(p.status, "signed") != 0)
        return yx_fail_code(r, YX_ECONFLICT, "not_signed", NULL,
                            "Đơn chưa ký chưa in được / a prescription is printed once it is signed.");
    if ((rc = yx_prescription_pdf(r->db, p.id, &pdf, &len)) != 0)
        return rc;
    yx_audit_target(r, p.id);
    return yx_reply_raw(r, 200, "application/pdf", pdf, len);
}

/* GET /api/v1/patients/:id/prescriptions?cursor&limit — the signed prescriptions of the patient's
 * record, newest first, for the record's page: checked as the record is (another facility's patient
 * answers as an absent one), and of those only the visits the caller's facility held or ran. */
static int rx_of_patient(struct yx_req *r)
{
    int64_t patient_id, after, limit;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_patient_list_start(r, &patient_id, &after, &limit)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 "SELECT p.id FROM prescriptions p JOIN visits v ON v.id = p.visit_id WHERE p.patient_id = ? "
                 "AND p.status = 'signed' AND (v.facility_id = ? OR v.doctor_facility_id = ?) AND (? = 0 OR "
                 "p.id < ?) ORDER BY p.id DESC LIMIT ?",
                 YX_PI(patient_id), YX_PI(r->who.facility_id), YX_PI(r->who.facility_id), YX_PI(after),
                 YX_PI(after), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++) {
        json_t *one = rx_json(r->db, yx_rows_i64(rows, i, "id"));
        if (one)
            json_array_append_new(items, one);
    }
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

const struct yx_route yx_prescription_routes[] = {
    {"POST", "/api/v1/visits/:id/prescriptions", rx_create, 0, "prescription.create", "prescription",
     YX_DOCTORS, body_fields},
    {"GET", "/api/v1/prescriptions/:id", rx_get, 0, "prescription.read", "prescription",
     YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"PUT", "/api/v1/prescriptions/:id", rx_update, 0, "prescription.update", "prescription", YX_DOCTORS,
     body_fields},
    {"POST", "/api/v1/prescriptions/:id/sign", rx_sign, 0, "prescription.sign", "prescription", YX_DOCTORS,
     NULL},
    {"POST", "/api/v1/prescriptions/:id/revise", rx_revise, 0, "prescription.revise", "prescription",
     YX_DOCTORS, revise_fields},
    {"GET", "/api/v1/prescriptions/:id/pdf", rx_pdf, 0, "prescription.pdf", "prescription",
     YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"GET", "/api/v1/patients/:id/prescriptions", rx_of_patient, 0, "prescription.patient_list", "patient",
     YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
