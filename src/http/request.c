/* Helpers handlers use to read a request and shape the answer; the code-to-status table. */
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ytexa/http.h"

int yx_http_status(int code)
{
    switch (code) {
    case YX_OK:
        return 200;
    case YX_EINVAL:
        return 400;
    case YX_EAUTH:
        return 401;
    case YX_EFORBIDDEN:
        return 403;
    case YX_ENOTFOUND:
        return 404;
    case YX_EMETHOD:
        return 405;
    case YX_ECONFLICT:
        return 409;
    case YX_ETOOBIG:
        return 413;
    case YX_EMEDIA:
        return 415;
    case YX_EPRECOND:
        return 412;
    case YX_ENOTACCEPT:
        return 406;
    case YX_ERATELIMIT:
        return 429;
    case YX_EUNAVAIL:
        return 503;
    default:
        return 500;
    }
}

/* The separator of a "Vietnamese / English" message, and the byte that stands for it while the
 * message is formatted: the halves are split where the format string has it, never where a value
 * written into the message (a name, a search text) happens to hold one. */
#define LANG_SEP " / "
#define LANG_MARK '\x1f'

static int vfail(struct yx_req *r, int code, const char *field, const char *fmt, va_list ap)
{
    char marked[512];
    const char *sep = strstr(fmt, LANG_SEP);
    /* The first error wins: a later, vaguer one must not hide the real cause. */
    if (r->err)
        return r->err;
    r->err = code;
    r->err_field = field;
    r->err_split = -1;
    if (sep && strlen(fmt) < sizeof marked) {
        size_t at = (size_t)(sep - fmt);
        memcpy(marked, fmt, at);
        marked[at] = LANG_MARK;
        memcpy(marked + at + 1, sep + 3, strlen(sep + 3) + 1);
        fmt = marked;
    }
    vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    char *mark = fmt == marked ? strchr(r->err_msg, LANG_MARK) : NULL;
    /* A message made elsewhere ("%s" of a checker's "vi / en" text) is split at its own first
     * separator: its text is the program's, not the client's. */
    if (strcmp(fmt, "%s") == 0 && (mark = strstr(r->err_msg, LANG_SEP)) != NULL) {
        r->err_split = (int)(mark - r->err_msg);
        return code;
    }
    if (mark) {
        /* Back to "vi / en", so that the audit log and the WebSocket keep the whole message. */
        size_t at = (size_t)(mark - r->err_msg), rest = strlen(mark + 1);
        if (at + 4 >= sizeof r->err_msg) {
            *mark = '\0'; /* no room left for the English */
            return code;
        }
        if (at + 3 + rest >= sizeof r->err_msg)
            rest = sizeof r->err_msg - at - 4;
        memmove(mark + 3, mark + 1, rest);
        memcpy(mark, LANG_SEP, 3);
        mark[3 + rest] = '\0';
        r->err_split = (int)at;
    }
    return code;
}

void yx_clear_error(struct yx_req *r)
{
    r->err = 0;
    r->err_msg[0] = '\0';
    r->err_split = -1;
    r->err_field = NULL;
    r->err_code = NULL;
    json_decref(r->err_detail);
    r->err_detail = NULL;
}

int yx_fail(struct yx_req *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int yx_fail_field(struct yx_req *r, int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, code, field, fmt, ap);
    va_end(ap);
    return code;
}

int yx_fail_code(struct yx_req *r, int code, const char *err_code, json_t *detail, const char *fmt, ...)
{
    va_list ap;
    if (!r->err) {
        r->err_code = err_code;
        r->err_detail = detail;
        detail = NULL;
    }
    json_decref(detail);
    va_start(ap, fmt);
    vfail(r, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int yx_fail_check(struct yx_req *r, const char *field, const char *check, int has_range, double min,
                  double max, const char *fmt, ...)
{
    va_list ap;
    if (!r->err) {
        r->err_code = check;
        /* Whole limits as integers, so that the app writes "2" and not "2.0". */
        if (has_range)
            r->err_detail = min == (json_int_t)min && max == (json_int_t)max
                                ? json_pack("{s:I,s:I}", "min", (json_int_t)min, "max", (json_int_t)max)
                                : json_pack("{s:f,s:f}", "min", min, "max", max);
    }
    va_start(ap, fmt);
    vfail(r, YX_EINVAL, field, fmt, ap);
    va_end(ap);
    return YX_EINVAL;
}

int yx_error_within(struct yx_req *r, int rc, const char *path)
{
    if (!rc || !r->err_field)
        return rc;
    size_t n = strlen(path) + strlen(r->err_field) + 2;
    char *f = yx_arena_alloc(&r->arena, n);
    if (f && yx_snprintf(f, n, "%s.%s", path, r->err_field) == 0)
        r->err_field = f;
    return rc;
}

/* The q-value of one Accept-Language entry's parameters (";q=0.8"): 1 when absent, 0 when broken. */
static double lang_q(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && (q = memchr(q, ';', (size_t)(end - q))) != NULL) {
        q++;
        while (q < end && *q == ' ')
            q++;
        if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
            char num[8] = {0};
            size_t n = (size_t)(end - q - 2) < sizeof num - 1 ? (size_t)(end - q - 2) : sizeof num - 1;
            memcpy(num, q + 2, n);
            char *stop;
            double v = strtod(num, &stop);
            return stop == num || v < 0 || v > 1 ? 0 : v;
        }
    }
    return 1;
}

int yx_wants_english(const struct yx_req *r)
{
    const char *p = r->accept_language;
    double q_en = -1, q_vi = -1;
    int first_en = 0, k = 0;
    /* A header longer than any browser sends is read no further than its first 40 entries. */
    for (; p && *p && k < 40; k++) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        size_t tag = strcspn(p, ";, ");
        if (tag > (size_t)(end - p))
            tag = (size_t)(end - p);
        double q = lang_q(p + tag, end);
        int is_en = tag >= 2 && strncasecmp(p, "en", 2) == 0 && (tag == 2 || p[2] == '-');
        int is_vi = tag >= 2 && strncasecmp(p, "vi", 2) == 0 && (tag == 2 || p[2] == '-');
        if (is_en && q > q_en) {
            first_en = q_vi < 0 || q > q_vi;
            q_en = q;
        }
        if (is_vi && q > q_vi)
            q_vi = q;
        p = comma ? comma + 1 : NULL;
    }
    /* English when it is asked for more than Vietnamese, or as much but named first. */
    return q_en > 0 && (q_en > q_vi || (q_en == q_vi && first_en));
}

const char *yx_error_text(const struct yx_req *r, int english, char *out, size_t n)
{
    size_t len = strlen(r->err_msg);
    const char *from = r->err_msg;
    if (r->err_split >= 0 && (size_t)r->err_split + 3 <= len) {
        if (english) {
            from = r->err_msg + r->err_split + 3;
            len -= (size_t)r->err_split + 3;
        } else {
            len = (size_t)r->err_split;
        }
    }
    if (n == 0)
        return out;
    if (len >= n)
        len = n - 1;
    memcpy(out, from, len);
    out[len] = '\0';
    return out;
}

void yx_keep_on_failure(struct yx_req *r, int (*fn)(struct yx_req *r, void *arg), void *arg)
{
    r->kept = fn;
    r->kept_arg = arg;
}

int yx_not_found(struct yx_req *r)
{
    return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy / not found.");
}

void yx_audit_target(struct yx_req *r, int64_t id)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)id);
    r->audit_resource_id = yx_arena_strdup(&r->arena, text);
}

/* An origin's parts: host in lower case, port with the scheme's default filled in. */
struct origin {
    char host[256];
    int port;
};

/* Parses host[:port] (a Host header, or what follows "scheme://" in an Origin) of n bytes. The
 * host is a name or IPv4 address, or an IPv6 address in brackets; the port 1 to 65535, or none
 * for default_port. Returns 0, or -1 for anything else (a path, user info, an empty port …). */
static int parse_authority(const char *s, size_t n, int default_port, struct origin *o)
{
    const char *end = s + n, *p = s;
    size_t len = 0;
    int bracket = n > 0 && *p == '[';
    for (; p < end && (bracket || *p != ':'); p++) {
        unsigned char c = (unsigned char)*p;
        int ok = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
                 (bracket && (c == ':' || c == '[' || c == ']'));
        if (!ok || len + 1 >= sizeof o->host)
            return -1;
        o->host[len++] = (char)tolower(c);
        if (bracket && c == ']') {
            p++;
            break;
        }
    }
    o->host[len] = '\0';
    if (len == 0 || (bracket && o->host[len - 1] != ']'))
        return -1;
    if (p == end) {
        o->port = default_port;
        return 0;
    }
    if (*p++ != ':' || p == end || end - p > 5)
        return -1;
    int port = 0;
    for (; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        port = port * 10 + (*p - '0');
    }
    if (port < 1 || port > 65535)
        return -1;
    o->port = port;
    return 0;
}

/* 80 for http, 443 for https (either case), 0 for any other scheme of n bytes. */
static int default_port(const char *scheme, size_t n)
{
    if (n == 4 && strncasecmp(scheme, "http", 4) == 0)
        return 80;
    if (n == 5 && strncasecmp(scheme, "https", 5) == 0)
        return 443;
    return 0;
}

int yx_same_origin(const char *origin, const char *scheme, const char *host)
{
    struct origin theirs, ours;
    if (!origin || !scheme || !host)
        return 0;
    const char *sep = strstr(origin, "://");
    int their_default = sep ? default_port(origin, (size_t)(sep - origin)) : 0;
    int our_default = default_port(scheme, strlen(scheme));
    if (!their_default || !our_default || their_default != our_default)
        return 0;
    if (parse_authority(sep + 3, strlen(sep + 3), their_default, &theirs) != 0 ||
        parse_authority(host, strlen(host), our_default, &ours) != 0)
        return 0;
    return theirs.port == ours.port && strcmp(theirs.host, ours.host) == 0;
}

const char *yx_header(const struct yx_req *r, const char *name)
{
    for (int i = 0; i < r->nxhdr; i++)
        if (strcmp(r->xhdr[i][0], name) == 0)
            return r->xhdr[i][1];
    return NULL;
}

int yx_reply_header(struct yx_req *r, const char *name, const char *value)
{
    if (r->nout_hdr >= (int)(sizeof r->out_hdr / sizeof r->out_hdr[0]))
        return YX_EINTERNAL;
    const char *n = yx_arena_strdup(&r->arena, name), *v = yx_arena_strdup(&r->arena, value);
    if (!n || !v)
        return YX_ENOMEM;
    r->out_hdr[r->nout_hdr][0] = n;
    r->out_hdr[r->nout_hdr][1] = v;
    r->nout_hdr++;
    return 0;
}

const char *yx_reply_header_get(const struct yx_req *r, const char *name)
{
    for (int i = 0; i < r->nout_hdr; i++)
        if (strcasecmp(r->out_hdr[i][0], name) == 0)
            return r->out_hdr[i][1];
    return NULL;
}

int yx_reply_file(struct yx_req *r, int status, const char *type, const char *path)
{
    struct stat st;
    struct yx_file_body *f = malloc(sizeof *f);
    int fd = f ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        free(f);
        return yx_fail(
            r, YX_EINTERNAL,
            "Dữ liệu của tệp không còn trên máy chủ / The file's bytes are missing on the server.");
    }
    *f = (struct yx_file_body){fd, st.st_size};
    r->status = status;
    r->out_type = type;
    r->out_file = f;
    return 0;
}

int yx_reply_raw(struct yx_req *r, int status, const char *type, char *data, size_t len)
{
    free(r->out_raw);
    r->status = status;
    r->out_raw = data;
    r->out_raw_len = len;
    r->out_type = type;
    return 0;
}

int yx_reply_text(struct yx_req *r, int status, struct yx_buf *b)
{
    size_t len;
    char *text = yx_buf_detach(b, &len);
    return text ? yx_reply_raw(r, status, YX_JSON_TYPE, text, len) : YX_ENOMEM;
}

int yx_reply(struct yx_req *r, int status, json_t *body)
{
    json_decref(r->out);
    r->status = status;
    r->out = body;
    return 0;
}

int yx_set_cookie(struct yx_req *r, const char *cookie)
{
    if (r->ncookies >= YX_MAX_COOKIES)
        return YX_EINTERNAL;
    r->cookies[r->ncookies++] = yx_arena_strdup(&r->arena, cookie);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' into the arena; NULL when the escape is broken. */
static char *url_decode(struct yx_arena *a, const char *s, size_t n)
{
    char *out = yx_arena_alloc(a, n + 1);
    size_t j = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int h, l;
            if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
                return NULL;
            out[j++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[j++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[j] = '\0';
    return out;
}

const char *yx_req_url(struct yx_req *r, const char *path)
{
    const char *host = r->host ? r->host : "localhost";
    size_t n = strlen(host) + strlen(path) + 16;
    char *u = yx_arena_alloc(&r->arena, n);
    if (u && yx_snprintf(u, n, "%s://%s%s", r->scheme ? r->scheme : "http", host, path) != 0)
        return NULL;
    return u;
}

const char *yx_query(struct yx_req *r, const char *name)
{
    size_t nl = strlen(name);
    const char *p = r->query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg > nl && p[nl] == '=' && strncmp(p, name, nl) == 0) {
            char *v = url_decode(&r->arena, p + nl + 1, seg - nl - 1);
            return v && yx_utf8_valid(v, strlen(v)) ? v : NULL;
        }
        if (seg == nl && strncmp(p, name, nl) == 0)
            return "";
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

int yx_query_at(struct yx_req *r, int i, const char **name, const char **value)
{
    const char *p = r->query;
    for (int k = 0; p && *p; k++) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (k == i) {
            const char *eq = memchr(p, '=', seg);
            size_t nl = eq ? (size_t)(eq - p) : seg;
            char *n = url_decode(&r->arena, p, nl);
            char *v = eq ? url_decode(&r->arena, eq + 1, seg - nl - 1) : yx_arena_strdup(&r->arena, "");
            if (!n || !v || !yx_utf8_valid(n, strlen(n)) || !yx_utf8_valid(v, strlen(v)))
                return yx_fail_field(r, YX_EINVAL, n && yx_utf8_valid(n, strlen(n)) ? n : "query",
                                     "Tham số không hợp lệ / a query parameter is not valid UTF-8 or "
                                     "percent-encoding.");
            *name = n;
            *value = v;
            return 1;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

int yx_param_id(struct yx_req *r, int i, int64_t *out)
{
    const char *s = i < r->nparams ? r->params[i] : NULL;
    char *end;
    if (!s || !*s || strlen(s) > 18)
        return yx_not_found(r);
    long long v = strtoll(s, &end, 10);
    if (*end || v <= 0 || s[0] == '+' || s[0] == '0')
        return yx_not_found(r);
    *out = v;
    return 0;
}

static const char *type_name(enum yx_ftype t, int english)
{
    static const char *names[] = {"a string",  "a whole number", "true or false", "a list",
                                  "an object", "a value",        "a number"};
    static const char *names_vi[] = {"chuỗi ký tự", "số nguyên", "true hoặc false", "danh sách", "đối tượng",
                                     "giá trị",     "số"};
    return english ? names[t] : names_vi[t];
}

static int type_ok(const json_t *v, enum yx_ftype t)
{
    switch (t) {
    case YX_F_STRING:
        return json_is_string(v);
    case YX_F_INT:
        return json_is_integer(v);
    case YX_F_BOOL:
        return json_is_boolean(v);
    case YX_F_ARRAY:
        return json_is_array(v);
    case YX_F_OBJECT:
        return json_is_object(v);
    case YX_F_NUMBER:
        return json_is_number(v);
    default:
        return 1;
    }
}

static int64_t utf8_chars(const char *s, size_t n)
{
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

int yx_validate(struct yx_req *r, const json_t *obj, const struct yx_field *fields)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return yx_fail(r, YX_EINVAL, "Nội dung phải là một đối tượng JSON / the body must be a JSON object.");
    json_object_foreach((json_t *)obj, key, v)
    {
        const struct yx_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name)
            return yx_fail_check(r, yx_arena_strdup(&r->arena, key), "unknown_field", 0, 0, 0,
                                 "Trường '%.60s' không có ở đây / unknown field '%.60s'.", key, key);
    }
    for (const struct yx_field *f = fields; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return yx_fail_check(r, f->name, "required", 0, 0, 0,
                                     "Cần nhập '%s' / field '%s' is required.", f->name, f->name);
            continue;
        }
        if (!type_ok(v, f->type))
            return yx_fail_check(r, f->name, "bad_type", 0, 0, 0, "'%s' phải là %s / field '%s' must be %s.",
                                 f->name, type_name(f->type, 0), f->name, type_name(f->type, 1));
        /* Every string, bounded or not: the body parser refuses \u0000, but a value validated here
         * may come from elsewhere, and a NUL would end the string early in C and in the database. */
        if (f->type == YX_F_STRING && memchr(json_string_value(v), '\0', json_string_length(v)))
            return yx_fail_check(r, f->name, "bad_format", 0, 0, 0,
                                 "'%s' có ký tự NUL / field '%s' contains a NUL character.", f->name,
                                 f->name);
        if (f->type == YX_F_STRING && (f->min || f->max)) {
            int64_t n = utf8_chars(json_string_value(v), json_string_length(v));
            if (n < f->min || (f->max && n > f->max))
                return yx_fail_check(
                    r, f->name, n < f->min ? "too_short" : "too_long", 1, (double)f->min, (double)f->max,
                    "'%s' phải có từ %lld đến %lld ký tự / field '%s' must have %lld to %lld "
                    "characters.",
                    f->name, (long long)f->min, (long long)f->max, f->name, (long long)f->min,
                    (long long)f->max);
        }
        if (f->type == YX_F_INT && (f->min || f->max)) {
            json_int_t n = json_integer_value(v);
            if (n < f->min || n > f->max)
                return yx_fail_check(r, f->name, "out_of_range", 1, (double)f->min, (double)f->max,
                                     "'%s' phải từ %lld đến %lld / field '%s' must be between %lld and %lld.",
                                     f->name, (long long)f->min, (long long)f->max, f->name,
                                     (long long)f->min, (long long)f->max);
        }
    }
    return 0;
}

int yx_body(struct yx_req *r, const struct yx_field *fields)
{
    /* The route's table is what `ytexa routes` shows and what the bad-input tests are made from:
     * checking another one here would make both lie. */
    if (r->route && r->route->fields != fields) {
        yx_log(YX_LOG_ERROR, "route %s %s checks a body table it does not declare", r->route->method,
               r->route->pattern);
        return YX_EINTERNAL;
    }
    if (!r->json)
        return yx_fail(r, YX_EINVAL, "Cần nội dung là một đối tượng JSON / a JSON object body is required.");
    return yx_validate(r, r->json, fields);
}

int yx_no_body(struct yx_req *r)
{
    if (r->json && json_object_size(r->json) > 0)
        return yx_fail(r, YX_EINVAL,
                       "Yêu cầu này không nhận trường nào; gửi nội dung rỗng hoặc {} / This request takes no "
                       "fields; send an empty body or {}.");
    return 0;
}

const char *yx_json_str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

int64_t yx_json_int(const json_t *obj, const char *name, int64_t dflt)
{
    json_t *v = json_object_get(obj, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

char *yx_like_folded(struct yx_req *r, const char *q)
{
    char *f = yx_fold(q, strlen(q));
    if (!f)
        return NULL;
    struct yx_buf b;
    yx_buf_init(&b, 4096);
    int rc = yx_buf_puts(&b, "%");
    for (const char *p = f; *p && rc == 0; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            rc = yx_buf_puts(&b, "\\");
        if (rc == 0)
            rc = yx_buf_append(&b, p, 1);
    }
    if (rc == 0)
        rc = yx_buf_puts(&b, "%");
    free(f);
    char *out = rc == 0 ? yx_arena_strdup(&r->arena, b.data) : NULL;
    yx_buf_release(&b);
    return out;
}

int yx_query_like(struct yx_req *r, const char **like)
{
    const char *q = yx_query(r, "q");
    *like = NULL;
    if (q && strlen(q) > 100)
        return yx_fail_field(
            r, YX_EINVAL, "q",
            "Nội dung tìm kiếm dài quá 100 ký tự / The search text is longer than 100 characters.");
    if (q && !(*like = yx_like_folded(r, q)))
        return yx_fail_field(r, YX_EINVAL, "q",
                             "Nội dung tìm kiếm không hợp lệ / The search text is not valid.");
    return 0;
}

int yx_query_id(struct yx_req *r, const char *name, int64_t *out)
{
    const char *v = yx_query(r, name);
    char *end;
    *out = 0;
    if (!v)
        return 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n <= 0 || strlen(v) > 18)
        return yx_fail_field(r, YX_EINVAL, name, "%s phải là mã số dương / %s must be a positive id.", name,
                             name);
    *out = n;
    return 0;
}

int yx_page_limit(struct yx_req *r, int64_t *limit)
{
    const char *l = yx_query(r, "limit");
    char *end;
    *limit = 50;
    if (l) {
        *limit = strtoll(l, &end, 10);
        if (!*l || *end || *limit < 1 || *limit > 200)
            return yx_fail_field(
                r, YX_EINVAL, "limit",
                "Số dòng mỗi trang (limit) phải từ 1 đến 200 / limit must be between 1 and 200.");
    }
    return 0;
}

int yx_page(struct yx_req *r, int64_t *after, int64_t *limit)
{
    const char *c = yx_query(r, "cursor");
    char *end;
    *after = 0;
    if (c) {
        *after = strtoll(c, &end, 10);
        if (!*c || *end || *after < 0)
            return yx_fail_field(
                r, YX_EINVAL, "cursor",
                "Con trỏ phân trang không do máy chủ này cấp / The cursor is not one this server gave.");
    }
    return yx_page_limit(r, limit);
}

json_t *yx_page_json(json_t *items, int more, int64_t last_id)
{
    char next[24];
    snprintf(next, sizeof next, "%lld", (long long)last_id);
    return json_pack("{s:o,s:o}", "items", items, "next_cursor", more ? json_string(next) : json_null());
}

json_t *yx_json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *yx_json_id_or_null(const struct yx_rows *r, int i, const char *col)
{
    int c = yx_rows_col(r, col);
    return yx_rows_isnull(r, i, c) ? json_null() : json_integer(yx_rows_int(r, i, c));
}

json_t *yx_json_time_or_null(const struct yx_rows *r, int i, const char *col)
{
    char t[32];
    int c = yx_rows_col(r, col);
    if (yx_rows_isnull(r, i, c))
        return json_null();
    yx_time_format(yx_rows_int(r, i, c), t);
    return json_string(t);
}

json_t *yx_json_rows(struct yx_db *db, const char *sql, int64_t id,
                     json_t *(*fill)(const struct yx_rows *, int))
{
    struct yx_rows *rows = NULL;
    json_t *out = json_array();
    if (YX_DB_Q(db, &rows, sql, YX_PI(id)) == 0)
        for (int i = 0; i < rows->nrows; i++)
            json_array_append_new(out, fill(rows, i));
    yx_rows_free(rows);
    return out;
}

int yx_one_of(const char *v, const char *const *list)
{
    for (int i = 0; v && list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return 1;
    return 0;
}

int yx_reply_code_list(struct yx_req *r, const char *sql)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q0(r->db, &rows, sql);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "code", yx_rows_get(rows, i, 0), "name_vi",
                                               yx_rows_get(rows, i, 1), "name_en", yx_rows_get(rows, i, 2)));
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:o}", "items", items));
}
