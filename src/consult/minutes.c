/* Signed minutes (biên bản hội chẩn). The chair signs what the case says at that moment: the
 * content is frozen as canonical JSON (sorted keys, compact, UTF-8), its SHA-256 is the signature's
 * subject, and a verification code printed on the paper lets anyone ask GET /api/v1/verify/<code>
 * whether a copy matches. A signed version never changes; an amendment is a new version naming
 * the one it replaces. The PDF is drawn from the frozen content, so it is the same every time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "consult.h"
#include "ytexa/consult.h"
#include "ytexa/pdf.h"

/* Rows of sql (one ? for the case id) as objects of the columns called names, by those names. */
static json_t *rows_as(struct yx_db *db, const char *sql, int64_t id, const char *const *names)
{
    struct yx_rows *rows = NULL;
    json_t *out = json_array();
    if (YX_DB_Q(db, &rows, sql, YX_PI(id)) == 0)
        for (int i = 0; i < rows->nrows; i++) {
            json_t *o = json_object();
            for (int k = 0; names[k]; k++)
                json_object_set_new(o, names[k], yx_json_str_or_null(yx_rows_str(rows, i, names[k])));
            json_array_append_new(out, o);
        }
    yx_rows_free(rows);
    return out;
}

/* What the minutes say, without the signature's own fields: compared to see whether an
 * amendment changes anything. */
static json_t *minutes_body(struct yx_db *db, int64_t id)
{
    static const char *const head[] = {"requester",
                                       "requester_site",
                                       "hub",
                                       "hub_site",
                                       "specialty",
                                       "urgency",
                                       "kind",
                                       "summary",
                                       "session_at",
                                       "concluded_at",
                                       "patient_name",
                                       "birth_year",
                                       "sex",
                                       "recommendation",
                                       "recommendation_note",
                                       NULL};
    static const char *const parts[] = {"full_name", "licence_no", "role", "facility", NULL};
    static const char *const sites[] = {"facility", "site_name", NULL};
    static const char *const questions[] = {"position", "question", "conclusion", NULL};
    static const char *const opinions[] = {"author", "facility", "opinion", NULL};
    json_t *rows = rows_as(
        db,
        "SELECT rf.name AS requester, rf.site_name AS requester_site, af.name AS hub, af.site_name AS "
        "hub_site, "
        "s.name_vi AS specialty, c.urgency, c.kind, c.summary, c.session_at, c.concluded_at, "
        "p.full_name AS patient_name, p.birth_year, p.sex, c.recommendation, c.recommendation_note "
        "FROM consults c JOIN facilities rf ON rf.id = c.requester_facility_id JOIN facilities af ON af.id = "
        "c.assigned_facility_id JOIN specialties s ON s.code = c.specialty JOIN patients p ON p.id = "
        "c.patient_id "
        "WHERE c.id = ?",
        id, head);
    json_t *body = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (!body)
        return NULL;
    json_object_set_new(
        body, "participants",
        rows_as(
            db,
            "SELECT u.full_name, u.licence_no, p.role, f.name AS facility FROM consult_participants p JOIN "
            "users u ON u.id = p.user_id JOIN facilities f ON f.id = p.facility_id WHERE "
            "p.consult_id = ? ORDER BY CASE p.role WHEN 'chair' THEN 0 WHEN 'secretary' THEN 1 "
            "ELSE 2 END, p.id",
            id, parts));
    json_object_set_new(
        body, "sites",
        rows_as(
            db,
            "SELECT f.name AS facility, f.site_name FROM consult_participants p JOIN facilities f ON f.id = "
            "p.facility_id WHERE p.consult_id = ? AND p.user_id IS NULL ORDER BY p.id",
            id, sites));
    json_object_set_new(
        body, "questions",
        rows_as(db,
                "SELECT position, question, conclusion FROM consult_questions WHERE consult_id = ? "
                "ORDER BY position",
                id, questions));
    json_object_set_new(
        body, "opinions",
        rows_as(db,
                "SELECT u.full_name AS author, f.name AS facility, o.opinion FROM consult_opinions o JOIN "
                "users u ON "
                "u.id = o.author_id JOIN facilities f ON f.id = o.facility_id WHERE o.consult_id = ? "
                "ORDER BY o.id",
                id, opinions));
    json_object_set_new(body, "consult_id", json_integer(id));
    /* Times are shown as ISO, as everywhere in the API. */
    static const char *const times[] = {"session_at", "concluded_at", NULL};
    for (int k = 0; times[k]; k++) {
        const char *ms = json_string_value(json_object_get(body, times[k]));
        char iso[32];
        if (ms) {
            yx_time_format(strtoll(ms, NULL, 10), iso);
            json_object_set_new(body, times[k], json_string(iso));
        }
    }
    return body;
}

/* Do the minutes say what was concluded: at least one question, each with its conclusion, and the
 * recommendation? "Every question concluded" alone would hold for a case without questions. */
static int has_conclusion(json_t *body)
{
    json_t *questions = json_object_get(body, "questions"), *q;
    size_t i;
    if (json_array_size(questions) == 0 || !json_is_string(json_object_get(body, "recommendation")))
        return 0;
    json_array_foreach(questions, i, q)
    {
        if (!json_is_string(json_object_get(q, "conclusion")))
            return 0;
    }
    return 1;
}

static const char *const signature_keys[] = {
    "version", "replaces_version", "amendment_reason", "signed_at", "signer", "signer_licence", NULL};

static const struct yx_field sign_fields[] = {
    {"amendment_reason", YX_F_STRING, 0, 5, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/minutes {amendment_reason?} — the chair signs the minutes of a
 * concluded case (409 "conclusion_missing" unless they hold a conclusion for each of its questions
 * and a recommendation); a second signature is an amendment and needs a reason and a change. */
static int minutes_sign(struct yx_req *r)
{
    static const char *const ok[] = {"concluded", "outcome_recorded", NULL};
    struct yx_consult c;
    struct yx_rows *prev = NULL, *me = NULL;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_CHAIR, "chủ trì / the chair")) != 0 ||
        (rc = yx_consult_state_in(r, &c, ok)) != 0 || (rc = yx_body(r, sign_fields)) != 0)
        return rc;
    const char *reason = yx_json_str(r->json, "amendment_reason");
    json_t *body = minutes_body(r->db, c.id);
    if (!body)
        return YX_EDB;
    if (!has_conclusion(body)) {
        json_decref(body);
        return yx_fail_code(r, YX_ECONFLICT, "conclusion_missing", NULL,
                            "Biên bản chưa có kết luận cho từng câu hỏi và hướng xử trí / the minutes lack a "
                            "conclusion: every question answered, and a recommendation.");
    }
    rc = YX_DB_Q(
        r->db, &prev,
        "SELECT id, version, content FROM consult_minutes WHERE consult_id = ? ORDER BY version DESC LIMIT 1",
        YX_PI(c.id));
    if (rc == 0)
        rc = YX_DB_Q(r->db, &me, "SELECT full_name, licence_no FROM users WHERE id = ?",
                     YX_PI(r->who.user_id));
    int64_t version = rc == 0 && prev->nrows ? yx_rows_int(prev, 0, 1) + 1 : 1;
    if (rc == 0 && version > 1) {
        json_t *old = json_loads(yx_rows_get(prev, 0, 2), 0, NULL);
        for (int k = 0; old && signature_keys[k]; k++)
            json_object_del(old, signature_keys[k]);
        if (!reason)
            rc = yx_fail_field(
                r, YX_EINVAL, "amendment_reason",
                "Biên bản đã ký; bản sửa cần lý do / the minutes are signed: an amendment needs a "
                "reason.");
        else if (old && json_equal(old, body))
            rc = yx_fail_code(
                r, YX_ECONFLICT, "unchanged", NULL,
                "Nội dung không thay đổi so với bản đã ký / nothing changed since the signed version.");
        json_decref(old);
    } else if (rc == 0 && reason) {
        rc = yx_fail_field(r, YX_EINVAL, "amendment_reason",
                           "Bản đầu tiên không phải bản sửa đổi / The first version is not an amendment.");
    }
    int64_t now = yx_now_ms();
    char when[32], hash[65], code[12];
    yx_time_format(now, when);
    yx_verify_code(code);
    if (rc == 0) {
        json_object_set_new(body, "version", json_integer(version));
        json_object_set_new(body, "replaces_version", version > 1 ? json_integer(version - 1) : json_null());
        json_object_set_new(body, "amendment_reason", yx_json_str_or_null(reason));
        json_object_set_new(body, "signed_at", json_string(when));
        json_object_set_new(body, "signer", json_string(yx_rows_get(me, 0, 0)));
        json_object_set_new(body, "signer_licence", yx_json_str_or_null(yx_rows_get(me, 0, 1)));
        char *content = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        yx_sha256_hex(content, strlen(content), hash);
        rc = YX_DB_Q(
            r->db, NULL,
            "INSERT INTO consult_minutes (consult_id, version, replaces_id, amendment_reason, content, "
            "content_hash, verify_code, signed_by, signer_name, signer_licence, signed_at) VALUES (?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)",
            YX_PI(c.id), YX_PI(version), version > 1 ? YX_PI(yx_rows_int(prev, 0, 0)) : YX_PN, YX_PT(reason),
            YX_PT(content), YX_PT(hash), YX_PT(code), YX_PI(r->who.user_id), YX_PT(yx_rows_get(me, 0, 0)),
            YX_PT(yx_rows_get(me, 0, 1)), YX_PI(now));
        free(content);
    }
    json_decref(body);
    yx_rows_free(prev);
    yx_rows_free(me);
    if (rc == 0)
        rc = yx_consult_event(r->db, c.id,
                              &(struct yx_consult_event){version > 1 ? "minutes_amended" : "minutes_signed",
                                                         c.state, c.state, reason, 0, 0, r->who.user_id});
    return rc ? rc : yx_consult_answer(r, 201, c.id);
}

/* The Vietnamese words for the codes printed on the minutes. */
static const char *vi(const char *code)
{
    static const char *const names[][2] = {
        {"chair", "Chủ trì"},
        {"secretary", "Thư ký"},
        {"specialist", "Chuyên gia"},
        {"requester", "Nơi gửi ca"},
        {"observer", "Dự thính"},
        {"treat_locally", "Điều trị tại chỗ"},
        {"transfer", "Chuyển tuyến"},
        {"more_tests", "Làm thêm xét nghiệm, thăm dò"},
        {"another_consult", "Hội chẩn thêm"},
        {"routine", "Thường quy"},
        {"urgent", "Khẩn"},
        {"emergency", "Cấp cứu"},
        {"male", "Nam"},
        {"female", "Nữ"},
        {"other", "Khác"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (code && strcmp(code, names[i][0]) == 0)
            return names[i][1];
    return code ? code : "—";
}

#define S(o, k)                                                                                              \
    (json_string_value(json_object_get((o), (k))) ? json_string_value(json_object_get((o), (k))) : "—")

/* A time of the minutes (ISO, UTC, as they are signed) as Vietnam's clock shows it on paper:
 * "07/12/2026 09:30"; "—" when absent. */
static const char *vn_time(const json_t *m, const char *key, char out[24])
{
    int64_t ms;
    const char *iso = json_string_value(json_object_get(m, key));
    if (!iso || yx_time_parse(iso, &ms) != 0)
        return "—";
    yx_time_vn(ms, "%d/%m/%Y %H:%M", out, 24);
    return out;
}

static void draw_minutes(struct yx_pdf *p, json_t *m, const char *hash, const char *code)
{
    char t1[24], t2[24];
    json_t *x;
    size_t i;
    yx_pdf_textf(p, "Noto Sans 9", "%s — %s", S(m, "hub"), S(m, "hub_site"));
    yx_pdf_gap(p, 6);
    yx_pdf_text(p, "Noto Sans Bold 16", "BIÊN BẢN HỘI CHẨN TỪ XA");
    yx_pdf_textf(p, "Noto Sans 9", "Ca số %lld · bản %lld%s%s",
                 (long long)json_integer_value(json_object_get(m, "consult_id")),
                 (long long)json_integer_value(json_object_get(m, "version")),
                 json_is_string(json_object_get(m, "amendment_reason")) ? " (sửa đổi: " : "",
                 json_is_string(json_object_get(m, "amendment_reason")) ? S(m, "amendment_reason") : "");
    if (json_is_string(json_object_get(m, "amendment_reason")))
        yx_pdf_textf(p, "Noto Sans 9", "thay thế bản %lld)",
                     (long long)json_integer_value(json_object_get(m, "replaces_version")));
    yx_pdf_gap(p, 6);
    yx_pdf_textf(p, "Noto Sans 10", "Hội chẩn trực tuyến: %s   ·   Kết luận: %s (giờ Việt Nam)",
                 vn_time(m, "session_at", t1), vn_time(m, "concluded_at", t2));
    yx_pdf_textf(p, "Noto Sans 10", "Chuyên khoa: %s   ·   Mức độ: %s", S(m, "specialty"),
                 vi(S(m, "urgency")));
    yx_pdf_textf(p, "Noto Sans 10", "Nơi đề nghị: %s (%s)", S(m, "requester"), S(m, "requester_site"));
    yx_pdf_text(p, "Noto Sans Bold 11", "Các điểm cầu");
    json_array_foreach(json_object_get(m, "sites"), i, x)
        yx_pdf_textf(p, "Noto Sans 10", "• %s — %s", S(x, "facility"), S(x, "site_name"));
    yx_pdf_text(p, "Noto Sans Bold 11", "Thành phần tham gia");
    json_array_foreach(json_object_get(m, "participants"), i, x) yx_pdf_textf(
        p, "Noto Sans 10", "• %s: %s%s%s — %s", vi(S(x, "role")), S(x, "full_name"),
        json_is_string(json_object_get(x, "licence_no")) ? ", CCHN " : "",
        json_is_string(json_object_get(x, "licence_no")) ? S(x, "licence_no") : "", S(x, "facility"));
    yx_pdf_gap(p, 4);
    yx_pdf_textf(p, "Noto Sans Bold 11", "Người bệnh: %s · năm sinh %s · %s", S(m, "patient_name"),
                 S(m, "birth_year"), vi(S(m, "sex")));
    yx_pdf_text(p, "Noto Sans Bold 11", "Tóm tắt bệnh án");
    yx_pdf_text(p, "Noto Sans 10", S(m, "summary"));
    yx_pdf_text(p, "Noto Sans Bold 11", "Ý kiến chuyên môn");
    json_array_foreach(json_object_get(m, "opinions"), i, x)
    {
        yx_pdf_textf(p, "Noto Sans Bold 10", "%s (%s):", S(x, "author"), S(x, "facility"));
        yx_pdf_text(p, "Noto Sans 10", S(x, "opinion"));
    }
    yx_pdf_text(p, "Noto Sans Bold 11", "Câu hỏi và kết luận");
    json_array_foreach(json_object_get(m, "questions"), i, x)
    {
        yx_pdf_textf(p, "Noto Sans Bold 10", "Câu hỏi %s: %s", S(x, "position"), S(x, "question"));
        yx_pdf_textf(p, "Noto Sans 10", "Kết luận: %s", S(x, "conclusion"));
    }
    yx_pdf_textf(p, "Noto Sans Bold 11", "Hướng xử trí: %s", vi(S(m, "recommendation")));
    if (json_is_string(json_object_get(m, "recommendation_note")))
        yx_pdf_text(p, "Noto Sans 10", S(m, "recommendation_note"));
    yx_pdf_gap(p, 10);
    yx_pdf_room(p, 90);
    yx_pdf_textf(p, "Noto Sans 10", "Chủ trì ký: %s\nSố CCHN: %s\nKý lúc: %s (giờ Việt Nam)", S(m, "signer"),
                 S(m, "signer_licence"), vn_time(m, "signed_at", t1));
    yx_pdf_textf(p, "Noto Sans Bold 10", "Mã xác minh: %s", code);
    yx_pdf_textf(p, "Noto Sans 8", "Kiểm tra bản giấy tại /api/v1/verify/%s", code);
    yx_pdf_textf(p, "Noto Sans Mono 7", "SHA-256: %s", hash);
}

int yx_consult_minutes_pdf(struct yx_db *db, int64_t minutes_id, char **pdf, size_t *len)
{
    struct yx_rows *row = NULL;
    struct yx_pdf p;
    int rc = YX_DB_Q(db, &row,
                     "SELECT content, content_hash, verify_code, signed_at FROM consult_minutes WHERE id = ?",
                     YX_PI(minutes_id));
    json_t *m = rc == 0 && row->nrows == 1 ? json_loads(yx_rows_str(row, 0, "content"), 0, NULL) : NULL;
    if (rc == 0 && !m)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        yx_pdf_begin(&p, YX_PDF_A4_W, YX_PDF_A4_H, 48);
        yx_pdf_set_date(&p, yx_rows_i64(row, 0, "signed_at"));
        draw_minutes(&p, m, yx_rows_str(row, 0, "content_hash"), yx_rows_str(row, 0, "verify_code"));
        rc = yx_pdf_end(&p, pdf, len);
    }
    json_decref(m);
    yx_rows_free(row);
    return rc;
}

/* GET /api/v1/consults/:id/minutes/:version/pdf */
static int minutes_pdf(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_rows *rows = NULL;
    int64_t version;
    char *pdf = NULL;
    size_t len;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_param_id(r, 1, &version)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows, "SELECT id FROM consult_minutes WHERE consult_id = ? AND version = ?",
                      YX_PI(c.id), YX_PI(version))) != 0)
        return rc;
    int64_t id = rows->nrows ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (!id)
        return yx_not_found(r);
    if ((rc = yx_consult_minutes_pdf(r->db, id, &pdf, &len)) != 0)
        return rc;
    char disposition[96];
    snprintf(disposition, sizeof disposition, "inline; filename=\"bien-ban-hoi-chan-%lld-v%lld.pdf\"",
             (long long)c.id, (long long)version);
    yx_reply_header(r, "content-disposition", disposition);
    return yx_reply_raw(r, 200, "application/pdf", pdf, len);
}

/* GET /api/v1/verify/:code?sha256= for signed minutes (src/app/verify.c asks each kind of
 * document): is this one ours, intact, current, and does the hash printed on a paper copy match?
 * Says nothing about the patient. */
int yx_consult_verify(struct yx_req *r, const char *code)
{
    struct yx_rows *rows = NULL;
    char hash[65];
    const char *given = yx_query(r, "sha256");
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT m.version, m.signer_name, m.signer_licence, m.signed_at, m.content_hash, m.content, "
        "rf.name AS requester_name, af.name AS hub_name, (SELECT MAX(n.version) FROM consult_minutes n "
        "WHERE n.consult_id = m.consult_id) AS latest_version, m.consult_id FROM consult_minutes m JOIN "
        "consults c ON c.id = m.consult_id JOIN "
        "facilities rf ON rf.id = c.requester_facility_id JOIN facilities af ON af.id = "
        "c.assigned_facility_id WHERE m.verify_code = ?",
        YX_PT(code));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc) {
        yx_rows_free(rows);
        return rc;
    }
    const char *content = yx_rows_str(rows, 0, "content");
    yx_sha256_hex(content, strlen(content), hash);
    int64_t version = yx_rows_i64(rows, 0, "version"), latest = yx_rows_i64(rows, 0, "latest_version");
    json_t *out = json_pack(
        "{s:s,s:s,s:I,s:I,s:b,s:b,s:I,s:o,s:{s:s,s:o},s:s,s:s,s:s}", "kind", "consult_minutes", "code", code,
        "consult_id", (json_int_t)yx_rows_i64(rows, 0, "consult_id"), "version", (json_int_t)version,
        "intact", strcmp(hash, yx_rows_str(rows, 0, "content_hash")) == 0, "current", version == latest,
        "latest_version", (json_int_t)latest, "signed_at", yx_json_time_or_null(rows, 0, "signed_at"),
        "signer", "name", yx_rows_str(rows, 0, "signer_name"), "licence_no",
        yx_json_str_or_null(yx_rows_str(rows, 0, "signer_licence")), "requester",
        yx_rows_str(rows, 0, "requester_name"), "hub", yx_rows_str(rows, 0, "hub_name"), "content_hash",
        yx_rows_str(rows, 0, "content_hash"));
    if (given)
        json_object_set_new(out, "matches",
                            json_boolean(strcasecmp(given, yx_rows_str(rows, 0, "content_hash")) == 0));
    yx_rows_free(rows);
    return yx_reply(r, 200, out);
}

const struct yx_route yx_consult_minutes_routes[] = {
    {"POST", "/api/v1/consults/:id/minutes", minutes_sign, 0, "consult.sign", "consult", YX_DOCTORS,
     sign_fields},
    {"GET", "/api/v1/consults/:id/minutes/:version/pdf", minutes_pdf, 0, "consult.minutes_pdf", "consult",
     YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
