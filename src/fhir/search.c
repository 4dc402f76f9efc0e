/* What every FHIR search shares: its parameters checked against the type's table (FHIR's handling
 * rules: an unknown one is refused, or left out under Prefer: handling=lenient), the page size
 * and the cursor, the searchset Bundle with its links, and the ranges of date parameters. Pages
 * are keyed on the resource's id (the cursor is the last id shown), or for a keyed search (Patient
 * by name) on a text key and the id (the cursor carries both), so a row added between two pages
 * neither repeats nor hides another: each match is on exactly one page. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir.h"

/* Outside input has a ceiling before any of it is looked at: a search takes MAX_PARAMS parameters
 * of its type, and MAX_PARAMS + 2 in all, room for the _count and _cursor its Bundle's links add
 * to them (a search of MAX_PARAMS parameters gave links that were refused). */
#define MAX_PARAMS 20
#define MAX_VALUE 200
#define COUNT_DEFAULT 20
#define COUNT_MAX 100
/* A keyed cursor holds a name key (at most 160 bytes of name, folded) in base64url and an id. */
#define CURSOR_MAX 512

/* Appends s percent-encoded (RFC 3986 unreserved characters kept) for a link's query. */
static int put_encoded(struct yx_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *c = (const unsigned char *)s; rc == 0 && *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c)) {
            rc = yx_buf_append(b, c, 1);
        } else {
            char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};
            rc = yx_buf_append(b, e, 3);
        }
    }
    return rc;
}

static const struct yx_fhir_param *find_param(const struct yx_fhir_param *params, const char *name)
{
    for (const struct yx_fhir_param *p = params; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static int lenient(struct yx_req *r)
{
    const char *p = yx_header(r, "prefer");
    return p && strstr(p, "handling=lenient") != NULL;
}

static int read_positive(struct yx_req *r, const char *name, const char *v, int64_t *out)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n <= 0 || strspn(v, "0123456789") != strlen(v))
        return yx_fail_field(r, YX_EINVAL, name, "%s là số nguyên dương / %s is a positive whole number.",
                             name, name);
    *out = n;
    return 0;
}

int yx_fhir_params_each(struct yx_req *r, int max_params, size_t max_value,
                        int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx),
                        void *ctx)
{
    const char *name, *value;
    int rc, got, i;
    for (i = 0; (got = yx_query_at(r, i, &name, &value)) == 1; i++) {
        if (i >= max_params)
            return yx_fail(r, YX_EINVAL, "Tối đa %d tham số / at most %d parameters.", max_params,
                           max_params);
        size_t cap = strcmp(name, "_cursor") == 0 ? CURSOR_MAX : max_value;
        if (strlen(value) > cap)
            return yx_fail_field(r, YX_EINVAL, name,
                                 "Giá trị dài quá %zu byte / a value is longer than %zu bytes.", cap, cap);
        if (strcmp(name, "_format") == 0)
            continue; /* checked by yx_fhir_begin */
        if ((rc = take(r, name, value, ctx)) == YX_FHIR_UNKNOWN) {
            if (lenient(r))
                continue;
            return yx_fail_field(
                r, YX_EINVAL, name,
                "Không hỗ trợ tham số \"%.60s\" (xem /fhir/metadata) / the parameter \"%.60s\" is not "
                "supported here (see /fhir/metadata); send Prefer: handling=lenient to have it ignored.",
                name, name);
        }
        if (rc != 0)
            return rc;
    }
    return got < 0 ? got : 0;
}

/* A search's parameters: _count, _cursor, and those of the type's table, each handed to the
 * type's take and re-encoded for the Bundle's links. */
struct search_params {
    const struct yx_fhir_param *params;
    struct yx_fhir_search *s;
    int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx);
    void *ctx;
    int taken; /* the type's parameters taken so far */
};

static int take_search(struct yx_req *r, const char *name, const char *value, void *arg)
{
    struct search_params *sp = arg;
    struct yx_fhir_search *s = sp->s;
    int rc;
    if (strcmp(name, "_count") == 0) {
        if ((rc = read_positive(r, name, value, &s->count)) != 0)
            return rc;
        if (s->count > COUNT_MAX)
            s->count = COUNT_MAX; /* FHIR lets a server give fewer than asked */
        return 0;
    }
    if (strcmp(name, "_cursor") == 0) {
        /* Read once every parameter is taken: whether it is an id or a key and an id depends on
         * them. */
        s->cursor = yx_arena_strdup(&r->arena, value);
        return s->cursor ? 0 : YX_ENOMEM;
    }
    if (!find_param(sp->params, name))
        return YX_FHIR_UNKNOWN;
    if (++sp->taken > MAX_PARAMS)
        return yx_fail(r, YX_EINVAL, "Tối đa %d tham số / at most %d parameters.", MAX_PARAMS, MAX_PARAMS);
    if ((rc = sp->take(r, name, value, sp->ctx)) != 0)
        return rc;
    if (yx_buf_puts(&s->link, s->link.len ? "&" : "") || put_encoded(&s->link, name) ||
        yx_buf_puts(&s->link, "=") || put_encoded(&s->link, value))
        return YX_ENOMEM;
    return 0;
}

/* A keyed cursor, "<base64url of the key>.<id>", as the key (in the arena) and the id; the key must
 * be valid UTF-8 and one check_key accepts. */
static int read_key_cursor(struct yx_req *r, struct yx_fhir_search *s)
{
    const char *c = s->cursor, *dot = strrchr(c, '.');
    size_t n = dot ? (size_t)(dot - c) : 0, len = 0;
    unsigned char *key = n ? yx_arena_alloc(&r->arena, n + 1) : NULL;
    char *end = NULL;
    long long id = 0;
    int ok =
        key && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1) && strlen(dot + 1) < 19 &&
        sodium_base642bin(key, n, c, n, NULL, &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
        len > 0;
    if (ok) {
        key[len] = '\0';
        id = strtoll(dot + 1, &end, 10);
        ok = *end == '\0' && id > 0 && strlen((char *)key) == len && yx_utf8_valid((char *)key, len) &&
             (!s->check_key || s->check_key((char *)key, s->check_ctx));
    }
    if (!ok)
        return yx_fail_field(
            r, YX_EINVAL, "_cursor",
            "Con trỏ trang không phải do máy chủ này cấp cho tìm kiếm này / the cursor is not "
            "one this server gave for this search: follow the Bundle's next link.");
    s->after_key = (char *)key;
    s->after = id;
    return 0;
}

int yx_fhir_search_parse(struct yx_req *r, const struct yx_fhir_param *params, struct yx_fhir_search *s,
                         int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx),
                         void *ctx)
{
    s->count = COUNT_DEFAULT;
    s->after = 0;
    s->cursor = s->after_key = s->next_key = NULL;
    s->keyed = 0;
    s->check_key = NULL;
    s->check_ctx = NULL;
    yx_buf_init(&s->link, 64 * 1024);
    struct search_params sp = {params, s, take, ctx, 0};
    int rc = yx_fhir_params_each(r, MAX_PARAMS + 2, MAX_VALUE, take_search, &sp);
    if (rc == 0 && s->cursor)
        rc = s->keyed ? read_key_cursor(r, s) : read_positive(r, "_cursor", s->cursor, &s->after);
    if (rc)
        yx_buf_release(&s->link);
    return rc;
}

/* The URL of a page of this search: base/type?params&_count=n[&_cursor=after], the cursor of a
 * keyed search its key and id. */
static json_t *page_link(struct yx_req *r, const char *relation, const char *type, struct yx_fhir_search *s,
                         int64_t after, const char *key)
{
    struct yx_buf b;
    const char *base = yx_fhir_base(r);
    yx_buf_init(&b, 128 * 1024);
    json_t *out = NULL;
    int rc = !base || yx_buf_printf(&b, "%s/%s?", base, type) != 0 ||
             yx_buf_append(&b, s->link.data ? s->link.data : "", s->link.len) != 0 ||
             yx_buf_printf(&b, "%s_count=%lld", s->link.len ? "&" : "", (long long)s->count) != 0;
    if (rc == 0 && after != 0 && s->keyed && key) {
        size_t n = strlen(key), cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        char *enc = yx_arena_alloc(&r->arena, cap);
        rc = !enc || yx_buf_puts(&b, "&_cursor=") != 0 ||
             yx_buf_puts(&b, sodium_bin2base64(enc, cap, (const unsigned char *)key, n,
                                               sodium_base64_VARIANT_URLSAFE_NO_PADDING)) != 0 ||
             yx_buf_printf(&b, ".%lld", (long long)after) != 0;
    } else if (rc == 0 && after != 0) {
        rc = yx_buf_printf(&b, "&_cursor=%lld", (long long)after) != 0;
    }
    if (rc == 0)
        out = json_pack("{s:s,s:s%}", "relation", relation, "url", b.data, b.len);
    yx_buf_release(&b);
    return out;
}

int yx_fhir_reply_bundle(struct yx_req *r, const char *type, struct yx_fhir_search *s, json_t *entries,
                         int more, int64_t last_id)
{
    json_t *links = json_array();
    json_array_append_new(links, page_link(r, "self", type, s, s->after, s->after_key));
    if (more)
        json_array_append_new(links, page_link(r, "next", type, s, last_id, s->next_key));
    json_t *bundle = json_pack("{s:s,s:s,s:o}", "resourceType", "Bundle", "type", "searchset", "link", links);
    /* FHIR allows no empty arrays: an empty page has no entry at all. */
    if (bundle && json_array_size(entries))
        json_object_set(bundle, "entry", entries);
    json_decref(entries);
    yx_buf_release(&s->link);
    return bundle ? yx_reply(r, 200, bundle) : YX_ENOMEM;
}

json_t *yx_fhir_entry(struct yx_req *r, const char *type, int64_t id, json_t *resource)
{
    char url[512];
    const char *base = yx_fhir_base(r);
    if (!base || yx_snprintf(url, sizeof url, "%s/%s/%lld", base, type, (long long)id) != 0) {
        json_decref(resource);
        return NULL;
    }
    return json_pack("{s:s,s:o,s:{s:s}}", "fullUrl", url, "resource", resource, "search", "mode", "match");
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int yx_fhir_date_range(struct yx_req *r, const char *name, const char *v, char prefix[3], char lo[11],
                       char hi[11])
{
    static const char *const prefixes[] = {"eq", "ne", "gt", "lt", "ge", "le", NULL};
    memcpy(prefix, "eq", 3);
    if (v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z') {
        memcpy(prefix, v, 2);
        prefix[2] = '\0';
        v += 2;
        if (!yx_one_of(prefix, prefixes))
            return yx_fail_field(
                r, YX_EINVAL, name,
                "Tiền tố ngày là eq, ne, gt, lt, ge hoặc le / a date prefix is eq, ne, gt, lt, ge "
                "or le (sa, eb and ap are not supported).");
    }
    size_t n = strlen(v);
    int y, m, d;
    int ok = (n == 4 || n == 7 || n == 10) && digits(v, 4) && (n < 7 || (v[4] == '-' && digits(v + 5, 2))) &&
             (n < 10 || (v[7] == '-' && digits(v + 8, 2)));
    if (ok && n == 10)
        ok = sscanf(v, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
    if (ok && n == 7)
        ok = sscanf(v, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12;
    if (!ok)
        return yx_fail_field(
            r, YX_EINVAL, name,
            "Ngày dạng YYYY, YYYY-MM hoặc YYYY-MM-DD, có thể kèm tiền tố / a date is YYYY, YYYY-MM "
            "or YYYY-MM-DD, with an optional prefix (ge1980).");
    /* The range the value names: a year is its first to its last day, a month likewise (day 31
     * stands for its last day: these compare as text). */
    snprintf(lo, 11, "%.4s-%.2s-%.2s", v, n >= 7 ? v + 5 : "01", n >= 10 ? v + 8 : "01");
    snprintf(hi, 11, "%.4s-%.2s-%.2s", v, n >= 7 ? v + 5 : "12", n >= 10 ? v + 8 : "31");
    return 0;
}
