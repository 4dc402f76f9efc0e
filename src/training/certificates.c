/* Certificates (giấy chứng nhận đào tạo liên tục): the paper that proves a credit. What it says is
 * frozen when it is issued (the name, the course, the hours, the issuing facility, the day), its
 * SHA-256 over canonical JSON is stored, and the verification code and a QR code printed on it let
 * anyone ask GET /api/v1/verify/<code> whether it is genuine and still valid. A certificate is
 * issued once per credit and may be revoked with a reason; it is never changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "training.h"
#include "ytexa/pdf.h"
#include "ytexa/training.h"

#define CERT_SELECT                                                                                          \
    "SELECT ce.id, ce.credit_id, ce.verify_code, ce.holder_name, ce.course_title, ce.minutes, "              \
    "ce.issuer_facility_id, ce.issuer_name, ce.issued_at, ce.content_hash, ce.revoked_at, "                  \
    "ce.revoke_reason, "                                                                                     \
    "cr.user_id, cr.course_id, u.facility_id, f.province_id FROM certificates ce JOIN credits cr ON cr.id "  \
    "= "                                                                                                     \
    "ce.credit_id JOIN users u ON u.id = cr.user_id LEFT JOIN facilities f ON f.id = u.facility_id"
enum {
    C_ID,
    C_CREDIT,
    C_CODE,
    C_HOLDER,
    C_COURSE,
    C_MINUTES,
    C_ISSUER_ID,
    C_ISSUER,
    C_ISSUED,
    C_HASH,
    C_REVOKED,
    C_REASON,
    C_USER,
    C_COURSE_ID,
    C_USER_FACILITY,
    C_USER_PROVINCE
};

/* What a certificate says. */
struct content {
    const char *code, *holder, *course, *issuer;
    int64_t credit_id, minutes, issuer_facility_id, issued_at;
};

static struct content content_row(const struct yx_rows *row)
{
    return (struct content){yx_rows_str(row, 0, "verify_code"),        yx_rows_str(row, 0, "holder_name"),
                            yx_rows_str(row, 0, "course_title"),       yx_rows_str(row, 0, "issuer_name"),
                            yx_rows_i64(row, 0, "credit_id"),          yx_rows_i64(row, 0, "minutes"),
                            yx_rows_i64(row, 0, "issuer_facility_id"), yx_rows_i64(row, 0, "issued_at")};
}

/* Its SHA-256 over canonical JSON (sorted keys, compact, UTF-8): 0, or YX_ENOMEM. */
static int content_hash(const struct content *k, char hash[65])
{
    char when[32];
    yx_time_format(k->issued_at, when);
    json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:I,s:I,s:s,s:s}", "code", k->code, "credit_id",
                          (json_int_t)k->credit_id, "holder", k->holder, "course", k->course, "minutes",
                          (json_int_t)k->minutes, "issuer_facility_id", (json_int_t)k->issuer_facility_id,
                          "issuer", k->issuer, "issued_at", when);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!s)
        return YX_ENOMEM;
    yx_sha256_hex(s, strlen(s), hash);
    free(s);
    return 0;
}

/* Hours as a Vietnamese reader writes them: 1,5 · 0,75 · 2. */
static void hours_text(int64_t minutes, char out[24])
{
    snprintf(out, 24, "%lld", (long long)(minutes / 60));
    if (minutes % 60) {
        char frac[8];
        snprintf(frac, sizeof frac, "%02lld", (long long)(minutes % 60 * 100 / 60));
        if (frac[1] == '0')
            frac[1] = '\0';
        size_t n = strlen(out);
        snprintf(out + n, 24 - n, ",%s", frac);
    }
}

/* A day as printed in Vietnam: dd/mm/yyyy of ms in UTC+7. */
static void day_text(int64_t ms, char out[16])
{
    yx_time_vn(ms, "%d/%m/%Y", out, 16);
}

static json_t *certificate_json(const struct yx_rows *row)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v1/certificates/%lld/pdf", (long long)yx_rows_i64(row, 0, "id"));
    int64_t minutes = yx_rows_i64(row, 0, "minutes");
    return json_pack(
        "{s:I,s:I,s:s,s:s,s:{s:I,s:s},s:{s:I,s:s},s:I,s:f,s:o,s:{s:I,s:s},s:s,s:o,s:o}", "id",
        (json_int_t)yx_rows_i64(row, 0, "id"), "credit_id", (json_int_t)yx_rows_i64(row, 0, "credit_id"),
        "verify_code", yx_rows_str(row, 0, "verify_code"), "pdf_url", url, "holder", "id",
        (json_int_t)yx_rows_i64(row, 0, "user_id"), "full_name", yx_rows_str(row, 0, "holder_name"), "course",
        "id", (json_int_t)yx_rows_i64(row, 0, "course_id"), "title", yx_rows_str(row, 0, "course_title"),
        "minutes", (json_int_t)minutes, "hours", (double)minutes / 60.0, "issued_at",
        yx_json_time_or_null(row, 0, "issued_at"), "issuer", "id",
        (json_int_t)yx_rows_i64(row, 0, "issuer_facility_id"), "name", yx_rows_str(row, 0, "issuer_name"),
        "content_hash", yx_rows_str(row, 0, "content_hash"), "revoked_at",
        yx_json_time_or_null(row, 0, "revoked_at"), "revoke_reason",
        yx_json_str_or_null(yx_rows_str(row, 0, "revoke_reason")));
}

/* Answers with the certificate of credit (or of id when credit is 0). */
static int answer(struct yx_req *r, int status, int64_t id, int64_t credit)
{
    struct yx_rows *row = NULL;
    int rc =
        YX_DB_Q(r->db, &row, credit ? CERT_SELECT " WHERE ce.credit_id = ?" : CERT_SELECT " WHERE ce.id = ?",
                YX_PI(credit ? credit : id));
    if (rc == 0 && row->nrows != 1)
        rc = YX_EINTERNAL;
    json_t *out = rc == 0 ? certificate_json(row) : NULL;
    yx_rows_free(row);
    return rc ? rc : yx_reply(r, status, out);
}

/* Freezes and stores what the certificate of credit says. *id is 0 when another request issued it
 * meanwhile. */
static int issue(struct yx_req *r, const struct yx_rows *credit, int64_t *id)
{
    struct yx_rows *row = NULL;
    char code[12], hash[65];
    yx_verify_code(code);
    struct content k = {code,
                        yx_rows_str(credit, 0, "full_name"),
                        yx_rows_str(credit, 0, "title"),
                        yx_rows_str(credit, 0, "facility_name"),
                        yx_rows_i64(credit, 0, "id"),
                        yx_rows_i64(credit, 0, "minutes"),
                        yx_rows_i64(credit, 0, "facility_id"),
                        yx_now_ms()};
    if (content_hash(&k, hash) != 0)
        return YX_ENOMEM;
    int rc = YX_DB_Q(
        r->db, &row,
        "INSERT INTO certificates (credit_id, verify_code, holder_name, course_title, minutes, "
        "issuer_facility_id, issuer_name, issued_by, issued_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?) ON CONFLICT (credit_id) DO NOTHING RETURNING id",
        YX_PI(k.credit_id), YX_PT(k.code), YX_PT(k.holder), YX_PT(k.course), YX_PI(k.minutes),
        YX_PI(k.issuer_facility_id), YX_PT(k.issuer), YX_PI(r->who.user_id), YX_PI(k.issued_at), YX_PT(hash));
    *id = rc == 0 && row->nrows == 1 ? yx_rows_i64(row, 0, "id") : 0;
    yx_rows_free(row);
    return rc;
}

/* POST /api/v1/credits/:id/certificate — the course's trainers and administrators issue the
 * certificate of a credit: 201 the first time, 200 with the same certificate after; 409 (as for a
 * credit by hand) while the credit's rule does not hold. */
static int certificate_issue(struct yx_req *r)
{
    struct yx_rows *credit = NULL, *had = NULL;
    struct yx_course c;
    int64_t id, cert = 0;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_no_body(r)) != 0)
        return rc;
    if ((rc = YX_DB_Q(
             r->db, &credit,
             "SELECT cr.id, cr.course_id, cr.user_id, u.full_name, co.title, cr.minutes, co.facility_id, "
             "f.name AS facility_name FROM credits cr JOIN users u ON u.id = cr.user_id JOIN courses co ON "
             "co.id = "
             "cr.course_id JOIN facilities f ON f.id = co.facility_id WHERE cr.id = ?",
             YX_PI(id))) != 0)
        return rc;
    struct yx_resource res = {.kind = YX_RES_CREDIT};
    if (credit->nrows == 1 && (rc = yx_course_find(r, yx_rows_i64(credit, 0, "course_id"), &c)) == 0)
        res.relation = c.relation;
    res.party = credit->nrows == 1 && yx_rows_i64(credit, 0, "user_id") == r->who.user_id;
    if (rc == YX_ENOTFOUND)
        rc = 0;
    int may = rc == 0 ? yx_authorize(&r->who, YX_A_WRITE, &res) : 0;
    if (rc == 0 && (credit->nrows != 1 || may == YX_ENOTFOUND))
        rc = yx_fail(r, YX_ENOTFOUND, "Không có tín chỉ này / no such credit.");
    else if (rc == 0 && may)
        rc = yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL, "Việc này do %s làm / this is done by %s.",
                          YX_COURSE_RUNS_WHO, YX_COURSE_RUNS_WHO);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &had, "SELECT id FROM certificates WHERE credit_id = ?", YX_PI(id));
    /* A certificate proves a credit earned under the rule: a credit the rule does not hold for (one
     * given by an older version over a course with nothing done yet, or a course changed since)
     * gets none until it holds. */
    json_t *missing = NULL;
    if (rc == 0 && had->nrows == 0)
        rc = yx_credit_requirements(r->db, yx_rows_i64(credit, 0, "course_id"),
                                    yx_rows_i64(credit, 0, "user_id"), &missing);
    if (rc == 0 && had->nrows == 0 && json_array_size(missing) > 0) {
        rc = yx_credit_refuse(r, missing);
        missing = NULL;
    }
    json_decref(missing);
    if (rc == 0 && had->nrows == 0)
        rc = issue(r, credit, &cert);
    yx_rows_free(credit);
    yx_rows_free(had);
    return rc ? rc : answer(r, cert ? 201 : 200, 0, id);
}

/* Loads certificate :id for a caller who may read it (yx_authorize(), YX_RES_CERTIFICATE: the
 * holder, the course's trainers and administrators, the administrators over the holder); *res is
 * the certificate as the decision sees it. 404 for anyone else. */
static int certificate_load(struct yx_req *r, struct yx_rows **row, struct yx_resource *res)
{
    struct yx_course c;
    int64_t id;
    int rc;
    *res = (struct yx_resource){.kind = YX_RES_CERTIFICATE};
    if ((rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = YX_DB_Q(r->db, row, CERT_SELECT " WHERE ce.id = ?", YX_PI(id))) != 0)
        return rc;
    if ((*row)->nrows == 1 && (rc = yx_course_find(r, yx_rows_i64(*row, 0, "course_id"), &c)) == 0)
        res->relation = c.relation;
    if (rc && rc != YX_ENOTFOUND)
        return rc;
    if ((*row)->nrows == 1) {
        res->facility_id = yx_rows_i64(*row, 0, "facility_id");
        res->province_id = yx_rows_i64(*row, 0, "province_id");
        res->party = yx_rows_i64(*row, 0, "user_id") == r->who.user_id;
    }
    if ((*row)->nrows != 1 || yx_authorize(&r->who, YX_A_READ, res) != 0)
        return yx_fail(r, YX_ENOTFOUND, "Không có giấy chứng nhận này / no such certificate.");
    return 0;
}

static void draw(struct yx_pdf *p, const struct yx_rows *row)
{
    char hours[24], day[16], line[600];
    const char *code = yx_rows_str(row, 0, "verify_code");
    hours_text(yx_rows_i64(row, 0, "minutes"), hours);
    day_text(yx_rows_i64(row, 0, "issued_at"), day);
    yx_pdf_rect(p, 18, 18, p->w - 36, p->h - 36, 2.5);
    yx_pdf_rect(p, 26, 26, p->w - 52, p->h - 52, 0.6);
    yx_pdf_text_center(p, "Noto Sans Bold 11", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    yx_pdf_text_center(p, "Noto Sans 10", "Độc lập – Tự do – Hạnh phúc");
    yx_pdf_text_center(p, "Noto Sans 10", yx_rows_str(row, 0, "issuer_name"));
    if (!yx_rows_null(row, 0, "revoked_at")) {
        char revoked[16];
        day_text(yx_rows_i64(row, 0, "revoked_at"), revoked);
        snprintf(line, sizeof line, "ĐÃ THU HỒI ngày %s — %s", revoked, yx_rows_str(row, 0, "revoke_reason"));
        yx_pdf_text_center(p, "Noto Sans Bold 12", line);
    }
    yx_pdf_gap(p, 14);
    yx_pdf_text_center(p, "Noto Sans Bold 28", "GIẤY CHỨNG NHẬN");
    yx_pdf_text_center(p, "Noto Sans 13", "ĐÀO TẠO LIÊN TỤC");
    yx_pdf_gap(p, 12);
    yx_pdf_text_center(p, "Noto Sans 12", "Chứng nhận Ông/Bà");
    yx_pdf_text_center(p, "Noto Sans Bold 22", yx_rows_str(row, 0, "holder_name"));
    yx_pdf_text_center(p, "Noto Sans 12", "đã hoàn thành khoá học");
    yx_pdf_text_center(p, "Noto Sans Bold 15", yx_rows_str(row, 0, "course_title"));
    yx_pdf_gap(p, 6);
    snprintf(line, sizeof line, "Số giờ đào tạo liên tục: %s giờ (%lld phút)", hours,
             (long long)yx_rows_i64(row, 0, "minutes"));
    yx_pdf_text_center(p, "Noto Sans 12", line);
    snprintf(line, sizeof line, "Cơ sở đào tạo: %s", yx_rows_str(row, 0, "issuer_name"));
    yx_pdf_text_center(p, "Noto Sans 12", line);
    snprintf(line, sizeof line, "Ngày cấp: %s", day);
    yx_pdf_text_center(p, "Noto Sans 12", line);
    /* The verification corner: the QR code of the verification path, the code, the hash. */
    double qr = 92, x = p->margin, y = p->h - p->margin - qr, tx = x + qr + 12;
    snprintf(line, sizeof line, "/api/v1/verify/%s", code);
    yx_pdf_qr(p, x, y, qr, line);
    snprintf(line, sizeof line, "Mã xác minh: %s", code);
    double h = yx_pdf_text_box(p, "Noto Sans Bold 11", line, tx, y + 14, 400, YX_PDF_LEFT);
    snprintf(line, sizeof line, "Quét mã QR hoặc mở /api/v1/verify/%s để kiểm tra giấy chứng nhận này.",
             code);
    h += yx_pdf_text_box(p, "Noto Sans 9", line, tx, y + 18 + h, 560, YX_PDF_LEFT);
    snprintf(line, sizeof line, "SHA-256: %s", yx_rows_str(row, 0, "content_hash"));
    yx_pdf_text_box(p, "Noto Sans Mono 7", line, tx, y + 24 + h, 460, YX_PDF_LEFT);
}

/* GET /api/v1/certificates/:id/pdf — A4 landscape. */
static int certificate_pdf(struct yx_req *r)
{
    struct yx_rows *row = NULL;
    struct yx_pdf p;
    char *pdf = NULL;
    size_t len;
    struct yx_resource cert;
    int rc = certificate_load(r, &row, &cert);
    if (rc == 0) {
        yx_pdf_begin(&p, YX_PDF_A4_H, YX_PDF_A4_W, 56);
        draw(&p, row);
        rc = yx_pdf_end(&p, &pdf, &len);
    }
    char disposition[96];
    if (rc == 0)
        snprintf(disposition, sizeof disposition, "inline; filename=\"chung-nhan-%s.pdf\"",
                 yx_rows_str(row, 0, "verify_code"));
    yx_rows_free(row);
    if (rc)
        return rc;
    yx_reply_header(r, "content-disposition", disposition);
    return yx_reply_raw(r, 200, "application/pdf", pdf, len);
}

static const struct yx_field revoke_fields[] = {
    {"reason", YX_F_STRING, 1, 3, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/certificates/:id/revoke {reason} — the course's trainers and administrators; the
 * verification then says it is no longer valid, and why. */
static int certificate_revoke(struct yx_req *r)
{
    struct yx_rows *row = NULL, *done = NULL;
    struct yx_resource cert;
    int rc = certificate_load(r, &row, &cert);
    int64_t id = rc == 0 ? yx_rows_i64(row, 0, "id") : 0;
    int revoked = rc == 0 && !yx_rows_null(row, 0, "revoked_at");
    yx_rows_free(row);
    if (rc)
        return rc;
    if (yx_authorize(&r->who, YX_A_WRITE, &cert) != 0)
        return yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL,
                            "Việc này do %s làm / this is done by %s.", YX_COURSE_RUNS_WHO,
                            YX_COURSE_RUNS_WHO);
    if ((rc = yx_body(r, revoke_fields)) != 0)
        return rc;
    if (revoked)
        return yx_fail_code(r, YX_ECONFLICT, "already_revoked", NULL,
                            "Giấy chứng nhận đã bị thu hồi / the certificate is already revoked.");
    rc = YX_DB_Q(r->db, &done,
                 "UPDATE certificates SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND "
                 "revoked_at IS NULL",
                 YX_PI(yx_now_ms()), YX_PI(r->who.user_id), YX_PT(yx_json_str(r->json, "reason")), YX_PI(id));
    int changed = rc == 0 && done->changes == 1;
    yx_rows_free(done);
    if (rc == 0 && !changed)
        rc = yx_fail_code(r, YX_ECONFLICT, "already_revoked", NULL,
                          "Giấy chứng nhận đã bị thu hồi / the certificate is already revoked.");
    return rc ? rc : answer(r, 200, id, 0);
}

int yx_training_verify(struct yx_req *r, const char *code)
{
    struct yx_rows *row = NULL;
    char hash[65];
    const char *given = yx_query(r, "sha256");
    int rc = YX_DB_Q(r->db, &row, CERT_SELECT " WHERE ce.verify_code = ?", YX_PT(code));
    if (rc == 0 && row->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        struct content k = content_row(row);
        rc = content_hash(&k, hash);
    }
    if (rc) {
        yx_rows_free(row);
        return rc;
    }
    int intact = strcmp(hash, yx_rows_str(row, 0, "content_hash")) == 0,
        revoked = !yx_rows_null(row, 0, "revoked_at");
    int64_t minutes = yx_rows_i64(row, 0, "minutes");
    json_t *out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:f,s:o,s:s,s:b,s:b,s:o,s:o,s:s}", "kind", "certificate",
                            "code", code, "holder", yx_rows_str(row, 0, "holder_name"), "course",
                            yx_rows_str(row, 0, "course_title"), "minutes", (json_int_t)minutes, "hours",
                            (double)minutes / 60.0, "issued_at", yx_json_time_or_null(row, 0, "issued_at"),
                            "issuer", yx_rows_str(row, 0, "issuer_name"), "valid", intact && !revoked,
                            "intact", intact, "revoked_at", yx_json_time_or_null(row, 0, "revoked_at"),
                            "revoke_reason", yx_json_str_or_null(yx_rows_str(row, 0, "revoke_reason")),
                            "content_hash", yx_rows_str(row, 0, "content_hash"));
    if (given)
        json_object_set_new(out, "matches",
                            json_boolean(strcasecmp(given, yx_rows_str(row, 0, "content_hash")) == 0));
    yx_rows_free(row);
    return yx_reply(r, 200, out);
}

const struct yx_route yx_training_certificate_routes[] = {
    {"POST", "/api/v1/credits/:id/certificate", certificate_issue, 0, "training.certificate_issue", "credit",
     YX_COURSE_MAKERS, NULL},
    {"GET", "/api/v1/certificates/:id/pdf", certificate_pdf, 0, "training.certificate_pdf", "certificate",
     YX_STAFF, NULL},
    {"POST", "/api/v1/certificates/:id/revoke", certificate_revoke, 0, "training.certificate_revoke",
     "certificate", YX_COURSE_MAKERS, revoke_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
