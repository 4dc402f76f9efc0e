/* Unit tests of src/http: routing and the route table, query parsing and paging, search text,
 * validation against field tables, statuses, the audit target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/dispatch.h"
#include "ytexa/store.h"

static int h(struct yx_req *r)
{
    return 0;
}

static const struct yx_route routes[] = {
    {"GET", "/api/v1/users", h, 0, NULL, NULL, YX_ANYONE, NULL},
    {"POST", "/api/v1/users", h, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/api/v1/users/:id", h, 0, NULL, NULL, YX_ANYONE, NULL},
    {"POST", "/api/v1/users/:id/password", h, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/api/v1/a/:x/b/:y", h, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

static const struct yx_route *route(struct yx_req *r, const char *method, const char *path, int *code)
{
    memset(r, 0, sizeof *r);
    r->method = method;
    r->path = path;
    *code = 0;
    return yx_route_match(routes, r, code);
}

static void router_matches_and_captures(void **state)
{
    struct yx_req r;
    int code;
    assert_ptr_equal(route(&r, "GET", "/api/v1/users", &code), &routes[0]);
    assert_ptr_equal(route(&r, "POST", "/api/v1/users", &code), &routes[1]);
    assert_ptr_equal(route(&r, "GET", "/api/v1/users/42", &code), &routes[2]);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "42");
    yx_arena_release(&r.arena);
    assert_ptr_equal(route(&r, "GET", "/api/v1/a/one/b/two", &code), &routes[4]);
    assert_string_equal(r.params[0], "one");
    assert_string_equal(r.params[1], "two");
    yx_arena_release(&r.arena);
    assert_ptr_equal(route(&r, "HEAD", "/api/v1/users", &code), &routes[0]);
}

static void router_refuses_near_misses(void **state)
{
    struct yx_req r;
    int code;
    assert_null(route(&r, "DELETE", "/api/v1/users/42", &code));
    assert_int_equal(code, YX_EMETHOD);
    yx_arena_release(&r.arena);
    assert_null(route(&r, "GET", "/api/v1/users/", &code));
    assert_int_equal(code, YX_ENOTFOUND);
    assert_null(route(&r, "GET", "/api/v1/users/42/", &code));
    assert_null(route(&r, "GET", "/api/v1/userss", &code));
    assert_null(route(&r, "GET", "/api/v1/a/x/b/", &code));
    assert_null(route(&r, "GET", "", &code));
    yx_arena_release(&r.arena);
}

static void query_decodes(void **state)
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.query = "q=Nguy%E1%BB%85n+V%C4%83n&limit=5&flag&bad=%zz&inv=%ff";
    assert_string_equal(yx_query(&r, "q"), "Nguyễn Văn");
    assert_string_equal(yx_query(&r, "limit"), "5");
    assert_string_equal(yx_query(&r, "flag"), "");
    assert_null(yx_query(&r, "bad"));
    assert_null(yx_query(&r, "inv"));
    assert_null(yx_query(&r, "missing"));
    assert_null(yx_query(&r, "lim"));
    yx_arena_release(&r.arena);
}

static const struct yx_field fields[] = {
    {"name", YX_F_STRING, 1, 2, 5},
    {"age", YX_F_INT, 0, 0, 150},
    {"ok", YX_F_BOOL, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

static int validate(const char *json, const char **field)
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    static char name[64];
    int rc = yx_validate(&r, j, fields);
    /* The field name may live in the request's arena, released below. */
    snprintf(name, sizeof name, "%s", r.err_field ? r.err_field : "");
    *field = name;
    json_decref(j);
    json_decref(r.err_detail); /* a range's limits (yx_fail_check) */
    yx_arena_release(&r.arena);
    return rc;
}

static void validation_names_the_field(void **state)
{
    const char *f;
    assert_int_equal(validate("{\"name\":\"Đào\"}", &f), 0);
    assert_int_equal(validate("{\"name\":\"Đàooo\",\"age\":150,\"ok\":true}", &f), 0);
    assert_int_equal(validate("{\"name\":null}", &f), YX_EINVAL);
    assert_string_equal(f, "name");
    assert_int_equal(validate("{}", &f), YX_EINVAL);
    assert_int_equal(validate("{\"name\":\"a\"}", &f), YX_EINVAL);
    assert_int_equal(validate("{\"name\":\"Đàoooo\"}", &f), YX_EINVAL);
    assert_int_equal(validate("{\"name\":\"abc\",\"age\":151}", &f), YX_EINVAL);
    assert_string_equal(f, "age");
    assert_int_equal(validate("{\"name\":\"abc\",\"age\":\"1\"}", &f), YX_EINVAL);
    assert_int_equal(validate("{\"name\":\"abc\",\"ok\":1}", &f), YX_EINVAL);
    assert_string_equal(f, "ok");
    assert_int_equal(validate("{\"name\":\"abc\",\"extra\":1}", &f), YX_EINVAL);
    assert_string_equal(f, "extra");
    assert_int_equal(validate("[]", &f), YX_EINVAL);
}

/* Parses body as the dispatcher does for a POST; returns its code, and the message in msg. */
static int parse(const char *body, size_t len, char msg[640])
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.content_type = "application/json";
    r.body = body;
    r.body_len = len;
    int rc = yx_parse_body(&r, 65536);
    snprintf(msg, 640, "%s", r.err_msg);
    if (rc == 0)
        assert_true(json_is_object(r.json));
    else
        assert_null(r.json);
    json_decref(r.json);
    yx_arena_release(&r.arena);
    return rc;
}

/* A NUL through the server's own path: the body parser the dispatcher runs, then the validator. */
static void nul_refused_by_parser_and_validator(void **state)
{
    (void)state;
    char msg[640];
    static const char ok[] = "{\"name\":\"abc\"}", esc[] = "{\"name\":\"a\\u0000b\"}",
                      key[] = "{\"na\\u0000me\":\"abc\"}", raw[] = "{\"name\":\"a\0b\"}";
    assert_int_equal(parse(ok, sizeof ok - 1, msg), 0);
    assert_int_equal(parse(esc, sizeof esc - 1, msg), YX_EINVAL);
    assert_non_null(strstr(msg, "not valid JSON"));
    assert_int_equal(parse(key, sizeof key - 1, msg), YX_EINVAL);
    assert_int_equal(parse(raw, sizeof raw - 1, msg), YX_EINVAL);
    /* A value with a NUL that came some other way is refused by the validator, whether or not the
     * field has length bounds. */
    static const struct yx_field unbounded[] = {{"note", YX_F_STRING, 0, 0, 0}, {NULL, 0, 0, 0, 0}};
    const struct {
        const struct yx_field *table;
        const char *name;
    } cases[] = {{fields, "name"}, {unbounded, "note"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct yx_req r;
        memset(&r, 0, sizeof r);
        json_t *good = json_pack("{s:s%}", cases[i].name, "abc", (size_t)3);
        json_t *bad = json_pack("{s:s%}", cases[i].name, "a\0b", (size_t)3);
        assert_int_equal(yx_validate(&r, good, cases[i].table), 0);
        assert_int_equal(yx_validate(&r, bad, cases[i].table), YX_EINVAL);
        assert_string_equal(r.err_field, cases[i].name);
        assert_non_null(strstr(r.err_msg, "NUL"));
        json_decref(good);
        json_decref(bad);
        yx_arena_release(&r.arena);
    }
}

static void statuses_map_in_one_place(void **state)
{
    assert_int_equal(yx_http_status(YX_EINVAL), 400);
    assert_int_equal(yx_http_status(YX_EAUTH), 401);
    assert_int_equal(yx_http_status(YX_EFORBIDDEN), 403);
    assert_int_equal(yx_http_status(YX_ENOTFOUND), 404);
    assert_int_equal(yx_http_status(YX_ECONFLICT), 409);
    assert_int_equal(yx_http_status(YX_ERATELIMIT), 429);
    assert_int_equal(yx_http_status(YX_EDB), 500);
    assert_string_equal(yx_err_name(YX_EINVAL), "invalid_input");
}

static void errors_render_as_json(void **state)
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    yx_fail_field(&r, YX_EINVAL, "name", "Field '%s' is bad.", "name");
    yx_fail(&r, YX_EDB, "a later error does not hide the first");
    int status;
    size_t len;
    char *s = yx_render_answer(&r, &status, &len);
    assert_int_equal(status, 400);
    assert_string_equal(
        s,
        "{\"error\":{\"code\":\"invalid_input\",\"message\":\"Field 'name' is bad.\",\"field\":\"name\"}}");
    free(s);
}

/* A "Vietnamese / English" message answers in one language, the one Accept-Language prefers; the
 * halves are split where the format has its separator, not where a value written into it has one. */
static void errors_speak_one_language(void **state)
{
    (void)state;
    static const struct {
        const char *accept, *message;
    } cases[] = {
        {NULL, "Tên 'A / B' quá dài"},
        {"vi", "Tên 'A / B' quá dài"},
        {"en", "name 'A / B' is too long"},
        {"en-US,en;q=0.9,vi;q=0.8", "name 'A / B' is too long"},
        {"vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "Tên 'A / B' quá dài"},
        {"fr, en;q=0.5", "name 'A / B' is too long"},
        {"vi;q=0.2, en;q=0.7", "name 'A / B' is too long"},
        {"en;q=0.3, vi", "Tên 'A / B' quá dài"},
        {"en;q=0", "Tên 'A / B' quá dài"},
        {"en, vi", "name 'A / B' is too long"},
        {"vi, en", "Tên 'A / B' quá dài"},
        {"*", "Tên 'A / B' quá dài"},
        {"english", "Tên 'A / B' quá dài"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct yx_req r;
        memset(&r, 0, sizeof r);
        r.accept_language = cases[i].accept;
        yx_fail_check(&r, "name", "too_long", 1, 2, 160, "Tên '%s' quá dài / name '%s' is too long", "A / B",
                      "A / B");
        int status;
        size_t len;
        char *s = yx_render_answer(&r, &status, &len);
        json_t *j = json_loads(s, 0, NULL);
        json_t *e = json_object_get(j, "error");
        assert_string_equal(json_string_value(json_object_get(e, "message")), cases[i].message);
        assert_string_equal(json_string_value(json_object_get(e, "code")), "too_long");
        assert_string_equal(json_string_value(json_object_get(e, "field")), "name");
        assert_int_equal(json_integer_value(json_object_get(e, "min")), 2);
        assert_int_equal(json_integer_value(json_object_get(e, "max")), 160);
        /* The whole message stays for the audit log. */
        assert_string_equal(r.err_msg, "Tên 'A / B' quá dài / name 'A / B' is too long");
        json_decref(j);
        free(s);
        json_decref(r.err_detail);
    }
    /* A message of one language is itself in either. */
    struct yx_req r;
    char out[64];
    memset(&r, 0, sizeof r);
    yx_fail(&r, YX_EINVAL, "only %d", 1);
    assert_string_equal(yx_error_text(&r, 0, out, sizeof out), "only 1");
    assert_string_equal(yx_error_text(&r, 1, out, sizeof out), "only 1");
    /* A message made by a checker elsewhere, handed on as "%s", is split at its own separator. */
    memset(&r, 0, sizeof r);
    yx_fail(&r, YX_EINVAL, "%s", "Số CCCD sai / the CCCD is wrong");
    assert_string_equal(yx_error_text(&r, 0, out, sizeof out), "Số CCCD sai");
    assert_string_equal(yx_error_text(&r, 1, out, sizeof out), "the CCCD is wrong");
}

/* The Origin of a WebSocket handshake against the site's own origin (src/app/health.c). */
static void origins_compare_whole(void **state)
{
    (void)state;
    /* The same origin, however written: default ports, the host's case, the scheme's case. */
    assert_true(yx_same_origin("http://ytexa.example.vn", "http", "ytexa.example.vn"));
    assert_true(yx_same_origin("http://ytexa.example.vn:80", "http", "ytexa.example.vn"));
    assert_true(yx_same_origin("http://ytexa.example.vn", "http", "ytexa.example.vn:80"));
    assert_true(yx_same_origin("https://ytexa.example.vn", "https", "ytexa.example.vn:443"));
    assert_true(yx_same_origin("https://YTEXA.Example.vn:443", "https", "ytexa.example.VN"));
    assert_true(yx_same_origin("HTTPS://ytexa.example.vn", "https", "ytexa.example.vn"));
    assert_true(yx_same_origin("http://127.0.0.1:8080", "http", "127.0.0.1:8080"));
    assert_true(yx_same_origin("http://[::1]:8080", "http", "[::1]:8080"));
    assert_true(yx_same_origin("http://[::1]", "http", "[::1]:80"));
    /* Another scheme, port or host. */
    assert_false(yx_same_origin("https://ytexa.example.vn", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn", "https", "ytexa.example.vn"));
    assert_false(yx_same_origin("https://ytexa.example.vn:80", "http", "ytexa.example.vn:80"));
    assert_false(yx_same_origin("http://ytexa.example.vn:8080", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn", "http", "ytexa.example.vn:8080"));
    assert_false(yx_same_origin("http://evil.example", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn.evil.example", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://[::1]:8080", "http", "[::2]:8080"));
    /* Not an origin of ours at all. */
    assert_false(yx_same_origin("null", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("ytexa.example.vn", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("ws://ytexa.example.vn", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("file://ytexa.example.vn", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn/", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://user@ytexa.example.vn", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn:", "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn:0", "http", "ytexa.example.vn:0"));
    assert_false(yx_same_origin("http://ytexa.example.vn:65536", "http", "ytexa.example.vn:65536"));
    assert_false(yx_same_origin("http://ytexa.example.vn:123456", "http", "ytexa.example.vn:123456"));
    assert_false(yx_same_origin("http://ytexa.example.vn:8o", "http", "ytexa.example.vn:8o"));
    assert_false(yx_same_origin("http://", "http", ""));
    assert_false(yx_same_origin("http://[::1", "http", "[::1"));
    assert_false(yx_same_origin("http://ytexa example.vn", "http", "ytexa example.vn"));
    /* Nothing to compare with. */
    assert_false(yx_same_origin(NULL, "http", "ytexa.example.vn"));
    assert_false(yx_same_origin("http://ytexa.example.vn", "http", NULL));
    assert_false(yx_same_origin("http://ytexa.example.vn", NULL, "ytexa.example.vn"));
    assert_false(yx_same_origin("gopher://ytexa.example.vn", "gopher", "ytexa.example.vn"));
}

static struct yx_req req(const char *query)
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.query = query;
    return r;
}

static void search_text_is_folded_and_wildcards_are_plain(void **state)
{
    (void)state;
    struct yx_req r = req("");
    assert_string_equal(yx_like_folded(&r, "Lũng Cú"), "%lung cu%");
    assert_string_equal(yx_like_folded(&r, "LU\xcc\x83NG CU\xcc\x81"), "%lung cu%"); /* NFD input */
    assert_string_equal(yx_like_folded(&r, "Đồng Văn"), "%dong van%");
    assert_string_equal(yx_like_folded(&r, "50%_a\\b"), "%50\\%\\_a\\\\b%");
    assert_string_equal(yx_like_folded(&r, ""), "%%");
    yx_arena_release(&r.arena);
}

static void query_ids_are_positive_whole_numbers(void **state)
{
    (void)state;
    const char *bad[] = {"parent_id=0",  "parent_id=-1", "parent_id=x",
                         "parent_id=5x", "parent_id=",   "parent_id=9999999999999999999",
                         "parent_id"};
    int64_t v = -1;
    struct yx_req r = req("a=1&parent_id=42");
    assert_int_equal(yx_query_id(&r, "parent_id", &v), 0);
    assert_int_equal(v, 42);
    yx_arena_release(&r.arena);
    r = req("a=1");
    assert_int_equal(yx_query_id(&r, "parent_id", &v), 0);
    assert_int_equal(v, 0);
    yx_arena_release(&r.arena);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req(bad[i]);
        assert_int_equal(yx_query_id(&r, "parent_id", &v), YX_EINVAL);
        assert_string_equal(r.err_field, "parent_id");
        yx_arena_release(&r.arena);
    }
}

static void paging_defaults_and_bounds(void **state)
{
    (void)state;
    int64_t after, limit;
    struct yx_req r = req("");
    assert_int_equal(yx_page(&r, &after, &limit), 0);
    assert_int_equal(after, 0);
    assert_int_equal(limit, 50);
    r = req("cursor=17&limit=200");
    assert_int_equal(yx_page(&r, &after, &limit), 0);
    assert_int_equal(after, 17);
    assert_int_equal(limit, 200);
    yx_arena_release(&r.arena);
    const char *bad[] = {"limit=0", "limit=201", "limit=", "cursor=-1", "cursor=1.5", "cursor="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req(bad[i]);
        assert_int_equal(yx_page(&r, &after, &limit), YX_EINVAL);
        yx_arena_release(&r.arena);
    }
}

static void next_cursor_only_when_there_is_more(void **state)
{
    (void)state;
    json_t *a = yx_page_json(json_array(), 1, 99), *b = yx_page_json(json_array(), 0, 0);
    assert_string_equal(json_string_value(json_object_get(a, "next_cursor")), "99");
    assert_true(json_is_null(json_object_get(b, "next_cursor")));
    json_decref(a);
    json_decref(b);
}

/* The record an audited request names is the id's decimal text, in the request's arena. */
static void the_audit_target_is_the_ids_text(void **state)
{
    struct yx_req r = req("");
    assert_null(r.audit_resource_id);
    yx_audit_target(&r, 42);
    assert_string_equal(r.audit_resource_id, "42");
    yx_audit_target(&r, 9007199254740993LL);
    assert_string_equal(r.audit_resource_id, "9007199254740993");
    yx_arena_release(&r.arena);
}

/* A route table is refused when a route would shadow another or says nothing of who may call it. */
static void a_route_table_has_no_shadowed_route(void **state)
{
    const struct yx_route *bad = NULL;
    assert_true(yx_routes_valid(routes, &bad));
    static const struct yx_route twins[] = {
        {"GET", "/api/v1/a/:id", h, 0, NULL, NULL, YX_ANYONE, NULL},
        {"POST", "/api/v1/a/:id", h, 0, NULL, NULL, YX_ANYONE, NULL},
        {"GET", "/api/v1/a/:sid", h, 0, NULL, NULL, YX_ANYONE, NULL},
        {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
    };
    assert_false(yx_routes_valid(twins, &bad));
    assert_ptr_equal(bad, &twins[0]);
    static const struct yx_route nobody[] = {
        {"GET", "/api/v1/b", h, 0, NULL, NULL, 0, NULL},
        {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
    };
    assert_false(yx_routes_valid(nobody, &bad));
    static const struct yx_route shapes[] = {
        {"GET", "/api/v1/a/:id", h, 0, NULL, NULL, YX_ANYONE, NULL},
        {"GET", "/api/v1/a/search", h, YX_R_PUBLIC, NULL, NULL, 0, NULL},
        {"GET", "/api/v1/a/:id/b", h, 0, NULL, NULL, YX_ANYONE, NULL},
        {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
    };
    assert_true(yx_routes_valid(shapes, NULL));
}

/* The request pipeline asks the hooks it is given (include/ytexa/server.h), in its order, and
 * names no session store or audit trail of its own. Loop routes: no database is needed. */
static struct {
    int authenticated, permitted, handled, forgotten;
    int authenticate_rc, permit_rc;
} P;

static int stub_authenticate(struct yx_req *r)
{
    P.authenticated++;
    if (P.authenticate_rc)
        return yx_fail(r, P.authenticate_rc, "no session");
    r->authed = 1;
    return 0;
}

static int stub_permit(struct yx_req *r)
{
    P.permitted++;
    return P.permit_rc ? yx_fail(r, P.permit_rc, "not your role") : 0;
}

static void stub_forget(void)
{
    P.forgotten++;
}

static int stub_audit(struct yx_req *r, const char *outcome)
{
    fail_msg("a loop route writes no audit event (%s)", outcome);
    return 0;
}

static int counted_handler(struct yx_req *r)
{
    P.handled++;
    r->auth_changed = 1;
    return yx_reply(r, 200, json_object());
}

/* Dispatches a GET /x to route rt through pipeline p; the answer's status. A route off the loop
 * runs on the thread's database. */
static int dispatch_route(const struct yx_pipeline *p, const struct yx_route *rt)
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.path = "/x";
    r.route = rt;
    yx_dispatch(&r, p, 1024);
    if (!(rt->flags & YX_R_LOOP))
        assert_non_null(r.db);
    int status;
    size_t len;
    free(yx_render_answer(&r, &status, &len));
    json_decref(r.out);
    json_decref(r.err_detail);
    yx_arena_release(&r.arena);
    return status;
}

static int dispatched(int flags)
{
    static const struct yx_pipeline pipeline = {stub_authenticate, stub_permit, stub_forget,
                                                stub_audit,        NULL,        NULL};
    struct yx_route rt = {"GET", "/x", counted_handler, YX_R_LOOP | flags, NULL, NULL, YX_ANYONE, NULL};
    return dispatch_route(&pipeline, &rt);
}

static void pipeline_asks_its_hooks(void **state)
{
    (void)state;
    memset(&P, 0, sizeof P);
    assert_int_equal(dispatched(0), 200);
    assert_int_equal(P.authenticated, 1);
    assert_int_equal(P.permitted, 1);
    assert_int_equal(P.handled, 1);
    assert_int_equal(P.forgotten, 1); /* the handler changed an account */
    /* A public route asks for no session, but still for the permission. */
    assert_int_equal(dispatched(YX_R_PUBLIC), 200);
    assert_int_equal(P.authenticated, 1);
    assert_int_equal(P.permitted, 2);
    /* No session: 401, and nothing else is asked. */
    P.authenticate_rc = YX_EAUTH;
    assert_int_equal(dispatched(0), 401);
    assert_int_equal(P.permitted, 2);
    assert_int_equal(P.handled, 2);
    /* A role the route does not name: 403 before the handler. */
    P.authenticate_rc = 0;
    P.permit_rc = YX_EFORBIDDEN;
    assert_int_equal(dispatched(0), 403);
    assert_int_equal(P.handled, 2);
    assert_int_equal(P.forgotten, 2);
}

/* A handler whose database went away under it: the statement failed as unreachable, and the
 * handler, as a helper that returns NULL does, could only say "failed" (YX_EDB). */
static int outage_handler(struct yx_req *r)
{
    r->db->unreachable++;
    return YX_EDB;
}

static int plain_failure_handler(struct yx_req *r)
{
    (void)r;
    return YX_EDB;
}

static const char *audited_outcome;
static int outcome_audit(struct yx_req *r, const char *outcome)
{
    (void)r;
    audited_outcome = outcome;
    return 0;
}

/* Dispatches an audited read (no transaction) to fn, on the thread's database (an empty one in
 * memory: fn runs no statement). */
static int dispatched_audited(int (*fn)(struct yx_req *))
{
    static const struct yx_pipeline pipeline = {stub_authenticate, stub_permit, stub_forget,
                                                outcome_audit,     NULL,        NULL};
    struct yx_route rt = {"GET", "/x", fn, YX_R_NOTX, "x.read", "x", YX_ANYONE, NULL};
    yx_db_set_url(":memory:");
    return dispatch_route(&pipeline, &rt);
}

/* An outage is a 503 and is audited as one ("unavailable"), not as a server error; a failure that
 * met no outage stays a 500 "error". */
static void an_outage_is_answered_and_audited_as_one(void **state)
{
    (void)state;
    memset(&P, 0, sizeof P);
    audited_outcome = NULL;
    assert_int_equal(dispatched_audited(outage_handler), 503);
    assert_non_null(audited_outcome);
    assert_string_equal(audited_outcome, "unavailable");
    audited_outcome = NULL;
    assert_int_equal(dispatched_audited(plain_failure_handler), 500);
    assert_non_null(audited_outcome);
    assert_string_equal(audited_outcome, "error");
    yx_db_thread_close();
    yx_db_set_url(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(router_matches_and_captures),
        cmocka_unit_test(router_refuses_near_misses),
        cmocka_unit_test(query_decodes),
        cmocka_unit_test(validation_names_the_field),
        cmocka_unit_test(nul_refused_by_parser_and_validator),
        cmocka_unit_test(statuses_map_in_one_place),
        cmocka_unit_test(errors_render_as_json),
        cmocka_unit_test(origins_compare_whole),
        cmocka_unit_test(search_text_is_folded_and_wildcards_are_plain),
        cmocka_unit_test(query_ids_are_positive_whole_numbers),
        cmocka_unit_test(paging_defaults_and_bounds),
        cmocka_unit_test(errors_speak_one_language),
        cmocka_unit_test(next_cursor_only_when_there_is_more),
        cmocka_unit_test(the_audit_target_is_the_ids_text),
        cmocka_unit_test(an_outage_is_answered_and_audited_as_one),
        cmocka_unit_test(a_route_table_has_no_shadowed_route),
        cmocka_unit_test(pipeline_asks_its_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
