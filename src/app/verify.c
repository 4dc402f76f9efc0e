/* GET /api/v1/verify/:code?sha256= — public: anyone holding a paper document of ytexa (signed
 * consultation minutes, a training certificate, a signed prescription) checks it by the code
 * printed on it. The code says which document; each kind of document answers for its own codes.
 * A browser (Accept naming text/html: a phone that scanned the QR code) gets the answer as a small
 * Vietnamese page; a program gets the JSON. Either says only what the paper itself shows. */
#include <stdlib.h>
#include <string.h>

#include "ytexa/consult.h"
#include "ytexa/http.h"
#include "ytexa/training.h"
#include "ytexa/visit.h"

/* A browser asks for text/html first; a program asks for JSON or anything. */
static int wants_html(const struct yx_req *r)
{
    const char *html = r->accept ? strstr(r->accept, "text/html") : NULL, *json;
    if (!html)
        return 0;
    json = strstr(r->accept, "json");
    return !json || json > html;
}

/* s with &, <, >, " and ' escaped for HTML text and attribute values. */
static int put_text(struct yx_buf *b, const char *s)
{
    int rc = 0;
    for (const char *p = s ? s : "—"; *p && rc == 0; p++) {
        switch (*p) {
        case '&':
            rc = yx_buf_puts(b, "&amp;");
            break;
        case '<':
            rc = yx_buf_puts(b, "&lt;");
            break;
        case '>':
            rc = yx_buf_puts(b, "&gt;");
            break;
        case '"':
            rc = yx_buf_puts(b, "&quot;");
            break;
        case '\'':
            rc = yx_buf_puts(b, "&#39;");
            break;
        default:
            rc = yx_buf_append(b, p, 1);
        }
    }
    return rc;
}

/* One line of the page: a label and its value (escaped); nothing when the value is absent. */
static int put_row(struct yx_buf *b, const char *label, const char *value)
{
    if (!value)
        return 0;
    int rc = yx_buf_printf(b, "<dt>%s</dt><dd>", label);
    if (rc == 0)
        rc = put_text(b, value);
    return rc ? rc : yx_buf_puts(b, "</dd>");
}

/* An ISO time of the answer as Vietnam's clock shows it: "07/12/2026 19:05 (giờ Việt Nam)". */
static const char *vn_time(struct yx_req *r, const json_t *iso)
{
    int64_t ms;
    char when[32];
    char *out = yx_arena_alloc(&r->arena, 64);
    if (!json_is_string(iso) || yx_time_parse(json_string_value(iso), &ms) != 0 || !out)
        return NULL;
    yx_time_vn(ms, "%d/%m/%Y %H:%M", when, sizeof when);
    return yx_snprintf(out, 64, "%s (giờ Việt Nam)", when) == 0 ? out : NULL;
}

#define STR(o, k) json_string_value(json_object_get((o), (k)))

/* The page for an answer a (the JSON a kind replied, or NULL: no document has the code). */
static int page(struct yx_req *r, const char *code, const json_t *a, struct yx_buf *b)
{
    const char *kind = STR(a, "kind"), *what = "Tài liệu", *by_label = "Người ký", *by = NULL;
    const char *when_label = "Ký lúc", *when = NULL, *licence = NULL;
    int valid = 0;
    const char *state = "Không tìm thấy tài liệu có mã này. Hãy kiểm tra lại mã in trên giấy.";
    json_t *matches = json_object_get(a, "matches");
    if (kind && strcmp(kind, "prescription") == 0) {
        what = "Đơn thuốc";
        by = STR(json_object_get(a, "signer"), "name");
        licence = STR(json_object_get(a, "signer"), "licence_no");
        when = vn_time(r, json_object_get(a, "signed_at"));
        valid = json_is_true(json_object_get(a, "valid"));
    } else if (kind && strcmp(kind, "consult_minutes") == 0) {
        what = "Biên bản hội chẩn từ xa";
        by_label = "Chủ trì ký";
        by = STR(json_object_get(a, "signer"), "name");
        licence = STR(json_object_get(a, "signer"), "licence_no");
        when = vn_time(r, json_object_get(a, "signed_at"));
        valid = json_is_true(json_object_get(a, "intact")) && json_is_true(json_object_get(a, "current"));
    } else if (kind && strcmp(kind, "certificate") == 0) {
        what = "Giấy chứng nhận đào tạo liên tục";
        by_label = "Cơ sở cấp";
        by = STR(a, "issuer");
        when_label = "Ngày cấp";
        when = vn_time(r, json_object_get(a, "issued_at"));
        valid = json_is_true(json_object_get(a, "valid"));
    }
    if (a && matches && !json_is_true(matches))
        valid = 0;
    if (a)
        state = valid ? "Hợp lệ: tài liệu do ytexa lưu, nội dung còn nguyên và đang có hiệu lực."
                : !json_is_true(json_object_get(a, "intact"))
                    ? "Không hợp lệ: nội dung đã bị thay đổi sau khi ký."
                : json_is_string(json_object_get(a, "revoked_at"))
                    ? "Không còn hiệu lực: giấy chứng nhận đã bị thu hồi."
                : matches && !json_is_true(matches) ? "Không khớp: mã SHA-256 in trên giấy khác bản đã ký."
                                                    : "Không còn hiệu lực: đã có bản sửa đổi mới hơn.";
    int rc = yx_buf_puts(
        b, "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>Kiểm tra tài liệu — ytexa</title><style>body{font:16px/1.5 system-ui,sans-serif;"
           "max-width:36rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}.ok{background:#e6f4ea;"
           "border-left:6px solid #1e7d34}.bad{background:#fdecea;border-left:6px solid #b3261e}"
           "p.state{padding:.75rem 1rem;font-weight:600}dt{color:#555;font-size:.9rem;margin-top:.6rem}"
           "dd{margin:0;word-break:break-word}</style></head><body><h1>Kiểm tra tài liệu</h1>");
    if (rc == 0)
        rc = yx_buf_printf(b, "<p class=\"state %s\">%s</p><dl>", valid ? "ok" : "bad", state);
    if (rc == 0)
        rc = put_row(b, "Mã kiểm tra", code);
    if (rc == 0 && a)
        rc = put_row(b, "Loại tài liệu", what);
    if (rc == 0 && kind && strcmp(kind, "certificate") == 0) {
        rc = put_row(b, "Người được cấp", STR(a, "holder"));
        if (rc == 0)
            rc = put_row(b, "Khoá học", STR(a, "course"));
    }
    if (rc == 0 && kind && strcmp(kind, "prescription") == 0)
        rc = put_row(b, "Cơ sở", STR(a, "facility"));
    if (rc == 0 && kind && strcmp(kind, "consult_minutes") == 0) {
        rc = put_row(b, "Nơi đề nghị", STR(a, "requester"));
        if (rc == 0)
            rc = put_row(b, "Nơi hội chẩn", STR(a, "hub"));
    }
    if (rc == 0)
        rc = put_row(b, by_label, by);
    if (rc == 0)
        rc = put_row(b, "Số chứng chỉ hành nghề", licence);
    if (rc == 0)
        rc = put_row(b, when_label, when);
    if (rc == 0)
        rc = put_row(b, "SHA-256", STR(a, "content_hash"));
    return rc ? rc
              : yx_buf_puts(b,
                            "</dl><p><small>Trang này chỉ cho biết tài liệu có đúng là bản đã ký hay không; "
                            "không có thông tin nào khác về người bệnh.</small></p></body></html>");
}

/* Answers the page for the kinds' answer (r->out) or for no document. */
static int reply_page(struct yx_req *r, const char *code, int status)
{
    struct yx_buf b;
    size_t len;
    yx_buf_init(&b, 64 * 1024);
    int rc = page(r, code, status == 200 ? r->out : NULL, &b);
    char *html = rc == 0 ? yx_buf_detach(&b, &len) : NULL;
    yx_buf_release(&b);
    if (!html)
        return YX_ENOMEM;
    if ((rc = yx_reply_header(r, "content-language", "vi")) != 0 ||
        (rc = yx_reply_header(r, "vary", "Accept")) != 0) {
        free(html);
        return rc;
    }
    return yx_reply_raw(r, status, "text/html; charset=utf-8", html, len);
}

static int verify(struct yx_req *r)
{
    static int (*const kinds[])(struct yx_req *, const char *) = {yx_consult_verify, yx_training_verify,
                                                                  yx_prescription_verify};
    char code[12];
    const char *given = yx_query(r, "sha256");
    int rc = YX_ENOTFOUND;
    if (given && strlen(given) != 64)
        return yx_fail_check(r, "sha256", "bad_format", 0, 0, 0,
                             "sha256 gồm 64 chữ số thập lục phân / sha256 is 64 hexadecimal digits.");
    if (yx_verify_code_parse(r->params[0], code) == 0)
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == YX_ENOTFOUND; i++)
            rc = kinds[i](r, code);
    /* A browser is shown a page that says so, not a JSON error: the person holding the paper
     * reads it. */
    if (wants_html(r) && (rc == 0 || rc == YX_ENOTFOUND))
        return reply_page(r, rc == 0 ? code : r->params[0], rc == 0 ? 200 : 404);
    if (rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không có tài liệu với mã này / no document has this code.");
    return rc;
}

const struct yx_route yx_verify_routes[] = {
    {"GET", "/api/v1/verify/:code", verify, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
