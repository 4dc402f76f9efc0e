/* libFuzzer harness for a FHIR transaction or batch Bundle, POST /fhir (src/fhir/bundle.c): the
 * Bundle's own reading (type, entries, fullUrl, request.method, .url, .ifMatch, resource), the
 * order a transaction runs its entries in, the urn:uuid references between entries rewritten to
 * what the POSTs created (in resources and in URLs), each entry as a sub-request through the
 * router, the permission, the field table and its own savepoint, the response Bundle and a
 * transaction's failure.
 *
 * The request goes through the real pipeline (yx_dispatch: the body's JSON, the transaction, the
 * record kept on failure) on a real SQLite database in memory. The entries reach the harness's
 * own resources instead of the app's (whose handlers need the whole schema and its data): Patient
 * and Observation, each created, read, searched and updated (Observation also deleted) as rows of
 * a table, an Organization no one here may create, a Binary that cannot be an entry, and the
 * Bundle routes themselves. A resource's `status` asks its handler to fail: "refuse" (400 naming
 * the element), "conflict" (409), "broken" (the database unreachable: 503), "fails" (a database
 * failure: 500, which ends a batch too), "late" (a create's 409 after its row is written, which its
 * savepoint must undo).
 *
 * Input layout: a first byte of flags (bit 0: Prefer: return=minimal; bit 1: the caller is a
 * facility administrator, who may not touch Observations, instead of a doctor), then the body.
 *
 * Properties beyond "no crash, no sanitizer report": the transaction and its savepoints are all
 * closed; a Bundle refused as a whole leaves the rows as they were and no "ok" audit event; an
 * answered one has one response entry per entry, a transaction's all 2xx; a transaction's handlers
 * saw each entry once, DELETEs, POSTs, PUTs, GETs in that order, each with its URL and resource as
 * sent but for every urn:uuid naming a POST of the Bundle, which is what that POST created; a
 * batch's handlers saw its entries in the order given, unchanged; the rows are the ones there
 * were, plus the POSTs answered 201, less the DELETEs answered 2xx; one "ok" event per entry
 * answered 2xx. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhir.h"
#include "http/dispatch.h"
#include "http/server_internal.h"

#define SEEN_MAX 128
#define ENTRIES_MAX 128

/* ---- The harness's resources, as rows of a table ------------------------------------------- */

/* What the handlers were asked, in order: method, path with query, resource (a copy). */
static struct {
    char method[8];
    char *url;
    json_t *body;
} seen[SEEN_MAX];
static int nseen;

static void took(struct yx_req *r)
{
    if (nseen == SEEN_MAX)
        abort(); /* a Bundle has at most 100 entries */
    size_t n = strlen(r->path) + strlen(r->query) + 2;
    seen[nseen].url = malloc(n);
    snprintf(seen[nseen].url, n, "%s%s%s", r->path, *r->query ? "?" : "", r->query);
    snprintf(seen[nseen].method, sizeof seen[nseen].method, "%s", r->method);
    seen[nseen].body = r->json ? json_deep_copy(r->json) : NULL;
    nseen++;
}

static const struct yx_field thing_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40},
    {"id", YX_F_STRING, 0, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},
    {"status", YX_F_STRING, 0, 1, 20},
    {"subject", YX_F_OBJECT, 0, 0, 0},
    {"focus", YX_F_ARRAY, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* The failure a resource's status asks for, or 0. */
static int asked_to_fail(struct yx_req *r)
{
    const char *s = yx_json_str(r->json, "status");
    if (!s)
        return 0;
    if (strcmp(s, "refuse") == 0) {
        size_t n = strlen(r->route->resource_type) + 8;
        char *f = yx_arena_alloc(&r->arena, n);
        snprintf(f, n, "%s.status", r->route->resource_type);
        return yx_fail_field(r, YX_EINVAL, f, "Trạng thái bị từ chối / status refused.");
    }
    if (strcmp(s, "conflict") == 0)
        return yx_fail(r, YX_ECONFLICT, "Xung đột / conflict.");
    if (strcmp(s, "broken") == 0) {
        r->db->unreachable++;
        return YX_EDB;
    }
    return strcmp(s, "fails") == 0 ? YX_EDB : 0;
}

/* Answers a row's resource (body taken) with its id, version and meta. */
static int reply_thing(struct yx_req *r, int status, json_t *body, int64_t id, int64_t version, int created)
{
    if (!json_is_object(body)) {
        json_decref(body);
        return YX_EINTERNAL;
    }
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    json_object_set_new(body, "id", json_string(ids));
    json_object_set_new(body, "meta", yx_fhir_meta(version, 1700000000000));
    return yx_fhir_reply_resource(r, status, body, r->route->resource_type, id, version, created);
}

static int create(struct yx_req *r)
{
    took(r);
    const char *type = yx_json_str(r->json, "resourceType");
    int rc;
    if (!type || strcmp(type, r->route->resource_type) != 0)
        return yx_fail_field(r, YX_EINVAL, "resourceType", "Sai loại / wrong resourceType.");
    if ((rc = asked_to_fail(r)) != 0)
        return rc;
    char *text = json_dumps(r->json, JSON_COMPACT);
    struct yx_rows *rows = NULL;
    rc = YX_DB_Q(r->db, &rows, "INSERT INTO fz_thing(type, version, body) VALUES (?, 1, ?) RETURNING id",
                 YX_PT(type), YX_PT(text));
    free(text);
    int64_t id = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    const char *status = yx_json_str(r->json, "status");
    if (rc == 0 && status && strcmp(status, "late") == 0)
        return yx_fail(r, YX_ECONFLICT, "Xung đột sau khi ghi / conflict after writing.");
    return rc ? rc : reply_thing(r, 201, json_deep_copy(r->json), id, 1, 1);
}

/* The row of the path's id of the route's type: 0 with its version and resource, or 404. */
static int load(struct yx_req *r, int64_t *id, int64_t *version, json_t **body)
{
    struct yx_rows *rows = NULL;
    int rc = yx_param_id(r, 0, id);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows, "SELECT version, body FROM fz_thing WHERE id = ? AND type = ?", YX_PI(*id),
                     YX_PT(r->route->resource_type));
    if (rc == 0 && rows->nrows == 0)
        rc = yx_not_found(r);
    if (rc == 0) {
        *version = yx_rows_int(rows, 0, 0);
        *body = json_loads(yx_rows_get(rows, 0, 1), 0, NULL);
    }
    yx_rows_free(rows);
    return rc;
}

static int read_one(struct yx_req *r)
{
    int64_t id, version;
    json_t *body = NULL;
    took(r);
    int rc = load(r, &id, &version, &body);
    return rc ? rc : reply_thing(r, 200, body, id, version, 0);
}

static int update(struct yx_req *r)
{
    int64_t id, version, want;
    json_t *body = NULL;
    took(r);
    int rc = yx_fhir_if_match(r, &want);
    if (rc == 0 && (rc = asked_to_fail(r)) == 0)
        rc = load(r, &id, &version, &body);
    json_decref(body);
    if (rc)
        return rc;
    if (want && want != version)
        return yx_fail_code(r, YX_EPRECOND, "version_conflict", NULL, "Phiên bản đã đổi / version changed.");
    char *text = json_dumps(r->json, JSON_COMPACT);
    rc = YX_DB_Q(r->db, NULL, "UPDATE fz_thing SET version = version + 1, body = ? WHERE id = ?", YX_PT(text),
                 YX_PI(id));
    free(text);
    return rc ? rc : reply_thing(r, 200, json_deep_copy(r->json), id, version + 1, 0);
}

static int remove_one(struct yx_req *r)
{
    int64_t id, version;
    json_t *body = NULL;
    took(r);
    int rc = load(r, &id, &version, &body);
    json_decref(body);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "DELETE FROM fz_thing WHERE id = ?", YX_PI(id));
    return rc ? rc : yx_reply(r, 204, NULL);
}

static int search(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    took(r);
    int rc = yx_fhir_begin(r);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows, "SELECT count(*) FROM fz_thing WHERE type = ?",
                     YX_PT(r->route->resource_type));
    if (rc == 0)
        rc = yx_reply(r, 200,
                      json_pack("{s:s,s:s,s:I}", "resourceType", "Bundle", "type", "searchset", "total",
                                (json_int_t)yx_rows_int(rows, 0, 0)));
    yx_rows_free(rows);
    return rc;
}

#define THING(type, roles)                                                                                   \
    {"POST", "/fhir/" type, create, 0, "fz.create", type, roles, thing_fields},                              \
        {"GET", "/fhir/" type, search, 0, "fz.search", type, roles, NULL},                                   \
        {"GET", "/fhir/" type "/:id", read_one, 0, "fz.read", type, roles, NULL},                            \
    {                                                                                                        \
        "PUT", "/fhir/" type "/:id", update, 0, "fz.update", type, roles, thing_fields                       \
    }

static const struct yx_route things[] = {
    THING("Patient", YX_STAFF),
    THING("Observation", YX_CLINICIANS),
    {"DELETE", "/fhir/Observation/:id", remove_one, 0, "fz.delete", "Observation", YX_CLINICIANS, NULL},
    {"POST", "/fhir/Organization", create, 0, "fz.create", "Organization", YX_ROLE_MINISTRY_ADMIN,
     thing_fields},
    {"GET", "/fhir/Binary/:id", read_one, YX_R_NOTX, "fz.read", "Binary", YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* ---- The pipeline --------------------------------------------------------------------------- */

static int admin_calls;

static int authenticate(struct yx_req *r)
{
    r->who = (struct yx_principal){.user_id = 7, .session_id = 1, .facility_id = 3, .province_id = 1};
    snprintf(r->who.role, sizeof r->who.role, "%s", admin_calls ? "facility_admin" : "doctor");
    snprintf(r->who.full_name, sizeof r->who.full_name, "Bác sĩ Lan");
    r->authed = 1;
    return 0;
}

static int permit(struct yx_req *r)
{
    unsigned role = admin_calls ? YX_ROLE_FACILITY_ADMIN : YX_ROLE_DOCTOR;
    return r->route->roles & role ? 0 : yx_fail(r, YX_EFORBIDDEN, "Không được phép / not your role.");
}

static void sessions_changed(void) {}

static int audit(struct yx_req *r, const char *outcome)
{
    return YX_DB_Q(r->db, NULL, "INSERT INTO fz_audit(outcome) VALUES (?)", YX_PT(outcome));
}

static struct yx_route table[32];
static struct yx_server_setup setup = {
    .pipeline = {authenticate, permit, sessions_changed, audit, NULL, NULL}};

static struct yx_db *start(void)
{
    int n = 0;
    for (const struct yx_route *rt = things; rt->pattern; rt++)
        table[n++] = *rt;
    for (const struct yx_route *rt = yx_fhir_bundle_routes; rt->pattern; rt++)
        table[n++] = *rt;
    if (!yx_routes_valid(table, NULL))
        abort();
    setup.routes = yx_srv.routes = table;
    yx_srv.setup = &setup;
    yx_log_set_level(YX_LOG_ERROR + 1);
    yx_db_set_url(":memory:");
    struct yx_db *db = yx_db_thread();
    if (!db ||
        YX_DB_Q0(
            db, NULL,
            "CREATE TABLE fz_thing (id INTEGER PRIMARY KEY, type TEXT NOT NULL, version INTEGER NOT NULL, "
            "body TEXT NOT NULL)") != 0 ||
        YX_DB_Q0(db, NULL, "CREATE TABLE fz_audit (id INTEGER PRIMARY KEY, outcome TEXT NOT NULL)") != 0)
        abort();
    return db;
}

/* The two rows every run begins with: Patient/1 and Observation/2, each at version 1. */
static void reset(struct yx_db *db)
{
    if (YX_DB_Q0(db, NULL, "DELETE FROM fz_thing") != 0 || YX_DB_Q0(db, NULL, "DELETE FROM fz_audit") != 0 ||
        YX_DB_Q0(db, NULL,
                 "INSERT INTO fz_thing (id, type, version, body) VALUES "
                 "(1, 'Patient', 1, '{\"resourceType\":\"Patient\"}'), "
                 "(2, 'Observation', 1, '{\"resourceType\":\"Observation\",\"status\":\"final\"}')") != 0)
        abort();
}

static int64_t count(struct yx_db *db, const char *sql)
{
    struct yx_rows *rows = NULL;
    if (YX_DB_Q0(db, &rows, sql) != 0)
        abort();
    int64_t n = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return n;
}

/* The rows as they are: each one's id, type, version and body. */
static char *rows_now(struct yx_db *db)
{
    struct yx_rows *rows = NULL;
    if (YX_DB_Q0(db, &rows,
                 "SELECT group_concat(id || ':' || type || ':' || version || ':' || body, '\n') FROM "
                 "(SELECT * FROM fz_thing ORDER BY id)") != 0)
        abort();
    char *s = strdup(yx_rows_get(rows, 0, 0) ? yx_rows_get(rows, 0, 0) : "");
    yx_rows_free(rows);
    return s;
}

/* ---- What the handlers should have seen ----------------------------------------------------- */

struct sent {
    const char *method, *url, *full_url; /* as in the Bundle */
    json_t *resource;                    /* borrowed */
    const char *created;                 /* "Type/id" from a POST's response location, or NULL */
    int status, matched;
};

static int order_of(const char *m)
{
    return strcmp(m, "DELETE") == 0 ? 0 : strcmp(m, "POST") == 0 ? 1 : strcmp(m, "PUT") == 0 ? 2 : 3;
}

/* The POST of the Bundle whose fullUrl is ref exactly (a urn:uuid), or NULL. */
static const struct sent *post_named(const struct sent *es, int n, const char *ref, size_t len)
{
    if (len < 9 || strncmp(ref, "urn:uuid:", 9) != 0)
        return NULL;
    for (int k = 0; k < n; k++)
        if (strcmp(es[k].method, "POST") == 0 && es[k].full_url && strlen(es[k].full_url) == len &&
            strncmp(es[k].full_url, ref, len) == 0)
            return &es[k];
    return NULL;
}

/* j with each Reference to a POST of the Bundle made what that POST created. */
static void rewrite_refs(json_t *j, const struct sent *es, int n)
{
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        const char *ref = json_string_value(json_object_get(j, "reference"));
        const struct sent *to = ref ? post_named(es, n, ref, strlen(ref)) : NULL;
        if (to && to->created)
            json_object_set_new(j, "reference", json_string(to->created));
        json_object_foreach(j, key, v) rewrite_refs(v, es, n);
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) rewrite_refs(v, es, n);
    }
}

/* Where a reference in a URL ends: at anything but letters, digits and "-._~:". */
static int ends_ref(char c)
{
    return !(isalnum((unsigned char)c) || (c && strchr("-._~:", c)));
}

/* The path the handler is asked for: under /fhir, the base dropped, and in a transaction each
 * urn:uuid of a POST made what it created ("Patient/urn:uuid:…" as much as "urn:uuid:…"). */
static char *expected_url(const char *url, const struct sent *es, int n, int tx)
{
    static const char base[] = "https://fhir.test/fhir/";
    if (strncmp(url, base, sizeof base - 1) == 0)
        url += sizeof base - 1;
    size_t cap = strlen(url) * 4 + 64, len = 0;
    char *out = malloc(cap);
    len = (size_t)snprintf(out, cap, "/fhir/");
    for (const char *p = url; *p;) {
        const struct sent *to = NULL;
        size_t tl = 0;
        if (tx && strncmp(p, "urn:uuid:", 9) == 0) {
            tl = 9;
            while (!ends_ref(p[tl]))
                tl++;
            to = post_named(es, n, p, tl);
        }
        if (tl && (!to || !to->created)) {
            memcpy(out + len, p, tl); /* another's, or not one: whole */
            len += tl;
            p += tl;
            continue;
        }
        if (!to) {
            out[len++] = *p++;
            continue;
        }
        size_t type = strcspn(to->created, "/") + 1;
        if (len >= type + 1 && strncmp(out + len - type, to->created, type) == 0 &&
            strchr("/=,", out[len - type - 1]))
            len -= type;
        len += (size_t)snprintf(out + len, cap - len, "%s", to->created);
        p += tl;
    }
    out[len] = '\0';
    if (len && out[len - 1] == '?' && !strchr(out, '?')[1])
        out[len - 1] = '\0';
    return out;
}

static int same_as_seen(int k, const struct sent *x, const struct sent *es, int n, int tx)
{
    char *url = expected_url(x->url, es, n, tx);
    json_t *body = x->resource ? json_deep_copy(x->resource) : NULL;
    if (tx)
        rewrite_refs(body, es, n);
    int same = strcmp(seen[k].method, x->method) == 0 && strcmp(seen[k].url, url) == 0 &&
               (body ? seen[k].body && json_equal(body, seen[k].body) : !seen[k].body);
    free(url);
    json_decref(body);
    return same;
}

/* "Type/id" of a response location "<base>/Type/id[/_history/n]". */
static const char *created_of(const json_t *resp, char *buf, size_t n)
{
    const char *loc = json_string_value(json_object_get(resp, "location"));
    static const char base[] = "https://fhir.test/fhir/";
    if (!loc || strncmp(loc, base, sizeof base - 1) != 0)
        abort();
    loc += sizeof base - 1;
    size_t type = strcspn(loc, "/");
    size_t id = strcspn(loc + type + 1, "/");
    snprintf(buf, n, "%.*s", (int)(type + 1 + id), loc);
    return buf;
}

static void check_answered(struct yx_db *db, const json_t *sent_bundle, const json_t *out)
{
    static struct sent es[ENTRIES_MAX];
    static char created[ENTRIES_MAX][96];
    const json_t *list = json_object_get(sent_bundle, "entry"), *answers = json_object_get(out, "entry");
    int tx = strcmp(json_string_value(json_object_get(sent_bundle, "type")), "transaction") == 0;
    int n = (int)json_array_size(list), posts = 0, deletes = 0, ok = 0;
    if (n > ENTRIES_MAX || (int)json_array_size(answers) != n ||
        strcmp(json_string_value(json_object_get(out, "type")),
               tx ? "transaction-response" : "batch-response"))
        abort();
    for (int k = 0; k < n; k++) {
        const json_t *e = json_array_get(list, k), *req = json_object_get(e, "request");
        const json_t *resp = json_object_get(json_array_get(answers, k), "response");
        const char *st = json_string_value(json_object_get(resp, "status"));
        if (!st || strlen(st) != 3 || st[0] < '1' || st[0] > '5')
            abort();
        es[k] = (struct sent){.method = json_string_value(json_object_get(req, "method")),
                              .url = json_string_value(json_object_get(req, "url")),
                              .full_url = json_string_value(json_object_get(e, "fullUrl")),
                              .resource = json_object_get(e, "resource"),
                              .status = atoi(st)};
        int fine = es[k].status / 100 == 2;
        if (tx && !fine)
            abort();
        if (fine && strcmp(es[k].method, "POST") == 0)
            es[k].created = created_of(resp, created[k], sizeof created[k]);
        posts += fine && strcmp(es[k].method, "POST") == 0;
        deletes += fine && strcmp(es[k].method, "DELETE") == 0;
        ok += fine;
    }
    if (tx && nseen != n)
        abort();
    /* A transaction: each entry seen once, in R4's order; a batch: in the order given. */
    int next = 0;
    for (int s = 0; s < nseen; s++) {
        if (tx && s > 0 && order_of(seen[s].method) < order_of(seen[s - 1].method))
            abort();
        int found = -1;
        for (int k = tx ? 0 : next; k < n && found < 0; k++)
            if (!es[k].matched && same_as_seen(s, &es[k], es, n, tx))
                found = k;
        if (found < 0)
            abort();
        es[found].matched = 1;
        next = found + 1;
    }
    if (count(db, "SELECT count(*) FROM fz_thing") != 2 + posts - deletes ||
        count(db, "SELECT count(*) FROM fz_audit WHERE outcome = 'ok'") != ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct yx_db *db;
    static char *before;
    if (!db) {
        db = start();
        reset(db);
        before = rows_now(db);
    }
    if (size < 1)
        return 0;
    reset(db);
    admin_calls = data[0] & 2;
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.err_split = -1;
    r.method = "POST";
    r.path = "/fhir";
    r.query = "";
    r.host = "fhir.test";
    r.scheme = "https";
    r.route = &table[sizeof things / sizeof things[0] - 1];
    r.dialect = &yx_fhir_dialect;
    r.body = (const char *)data + 1;
    r.body_len = size - 1;
    r.content_type = "application/fhir+json";
    if (data[0] & 1) {
        r.xhdr[0][0] = "prefer";
        r.xhdr[0][1] = "return=minimal";
        r.nxhdr = 1;
    }
    nseen = 0;
    yx_dispatch(&r, &setup.pipeline, 1 << 20);
    int status;
    size_t len;
    free(yx_render_answer(&r, &status, &len));
    if (r.db != db || db->in_tx != 0)
        abort();
    if (status != 200) {
        char *now = rows_now(db);
        if (strcmp(now, before) != 0 ||
            count(db, "SELECT count(*) FROM fz_audit WHERE outcome = 'ok'") != 0 ||
            count(db, "SELECT count(*) FROM fz_audit") > 1)
            abort();
        free(now);
    } else {
        json_t *sent = json_loadb(r.body, r.body_len, JSON_REJECT_DUPLICATES, NULL);
        check_answered(db, sent, r.out);
        json_decref(sent);
    }
    for (int k = 0; k < nseen; k++) {
        free(seen[k].url);
        json_decref(seen[k].body);
    }
    json_decref(r.json);
    json_decref(r.out);
    json_decref(r.err_detail);
    free(r.out_raw);
    yx_arena_release(&r.arena);
    return 0;
}
