/* POST /fhir: a Bundle of type transaction or batch (R4 http.html#transaction). Each entry is run
 * by yx_subrequest() (src/http) through the app's own route table: the handler a request of its
 * own reaches, with its permission, its field table, yx_authorize() and its own audit event, in a
 * savepoint of this request's one transaction. Nothing here knows which types exist.
 *
 * A transaction is all or nothing: its entries run in R4's order (DELETE, POST, PUT, GET), a POST
 * after the POSTs whose urn:uuid fullUrl it refers to, each such reference rewritten to the id
 * created; the first entry that fails fails the Bundle with its own OperationOutcome and status,
 * and everything is rolled back. A batch runs its entries in the order given, each kept or rolled
 * back alone; a failure is the entry's response.outcome. docs/fhir.md, "Transaction and batch". */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"

/* The most entries a Bundle takes, checked before any entry runs. */
#define BUNDLE_MAX_ENTRIES 100

static const struct yx_field bundle_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40}, {"id", YX_F_STRING, 0, 1, 64},  {"meta", YX_F_OBJECT, 0, 0, 0},
    {"type", YX_F_STRING, 1, 1, 40},         {"entry", YX_F_ARRAY, 0, 0, 0}, {NULL, 0, 0, 0, 0},
};

static const struct yx_field entry_fields[] = {
    {"fullUrl", YX_F_STRING, 0, 1, 2048},
    {"resource", YX_F_OBJECT, 0, 0, 0},
    {"request", YX_F_OBJECT, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

static const struct yx_field request_fields[] = {
    {"method", YX_F_STRING, 1, 1, 8},
    {"url", YX_F_STRING, 1, 1, 2048},
    {"ifMatch", YX_F_STRING, 0, 1, 64},
    {NULL, 0, 0, 0, 0},
};

struct entry {
    int index;            /* its place in the Bundle (Bundle.entry[index]) */
    const char *method;   /* GET, POST, PUT, DELETE */
    const char *url;      /* the path under this server, with its query ("/fhir/Patient?…") */
    const char *full_url; /* the entry's fullUrl, or NULL */
    const char *if_match; /* request.ifMatch, or NULL */
    json_t *resource;     /* borrowed from the Bundle, or NULL */
    const char *created;  /* "Type/id" once a POST has created it */
    int order, rc, ran;
    struct yx_req sub;
};

/* R4's processing order of a transaction's entries: DELETE, POST, PUT, then GET. */
static int order_of(const char *m)
{
    return strcmp(m, "DELETE") == 0 ? 0 : strcmp(m, "POST") == 0 ? 1 : strcmp(m, "PUT") == 0 ? 2 : 3;
}

/* Names Bundle.entry[i] (and what follows, when more) as the field of a refusal. */
static const char *entry_path(struct yx_req *r, int i, const char *more)
{
    size_t n = 64 + (more ? strlen(more) : 0);
    char *s = yx_arena_alloc(&r->arena, n);
    if (s && yx_snprintf(s, n, "Bundle.entry[%d]%s%s", i, more ? "." : "", more ? more : "") != 0)
        s = NULL;
    return s ? s : "Bundle.entry";
}

/* An object of fields checked as yx_validate does, the field of a refusal named within the entry. */
static int validate_in(struct yx_req *r, const json_t *o, const struct yx_field *fields, int i,
                       const char *at)
{
    int rc = yx_validate(r, o, fields);
    if (rc && r->err_field) {
        size_t n = strlen(at) + strlen(r->err_field) + 2;
        char *f = yx_arena_alloc(&r->arena, n);
        if (f && yx_snprintf(f, n, "%s%s%s", at, *at ? "." : "", r->err_field) == 0)
            r->err_field = entry_path(r, i, f);
    }
    return rc;
}

/* The entry's request.url as a path under /fhir: relative to the base ("Patient", "Patient/12",
 * "Observation?patient=3") or the base itself followed by one. Anything else — another server, a
 * path outside /fhir, a step up — is refused. */
static int entry_url(struct yx_req *r, int i, const char *url, const char **out)
{
    const char *base = yx_fhir_base(r);
    size_t bl = base ? strlen(base) : 0;
    if (base && strncmp(url, base, bl) == 0 && url[bl] == '/')
        url += bl + 1;
    size_t pl = strcspn(url, "?");
    /* A NUL decoded from %00 would end the path or a query value early, as the server refuses it
     * in a request's own URL (src/http/h2o_req.c). */
    int bad = *url == '\0' || *url == '/' || *url == '?' || strstr(url, "://") != NULL ||
              strstr(url, "%00") != NULL;
    /* Each segment of the path something: not empty, not "." nor "..". */
    for (const char *s = url; !bad && s < url + pl;) {
        size_t seg = strcspn(s, "/?");
        bad = seg == 0 || (seg <= 2 && strncmp(s, "..", seg) == 0);
        s += seg;
        if (*s != '/')
            break;
        s++;
        bad |= s == url + pl; /* a trailing slash */
    }
    if (bad)
        return yx_fail_field(r, YX_EINVAL, entry_path(r, i, "request.url"),
                             "request.url là đường dẫn tương đối dưới /fhir (vd. Patient, Patient/12) / "
                             "request.url must be relative to this server's /fhir (Patient, Patient/12).");
    size_t n = strlen(url) + 8;
    char *p = yx_arena_alloc(&r->arena, n);
    if (!p || yx_snprintf(p, n, "/fhir/%s", url) != 0)
        return YX_ENOMEM;
    *out = p;
    return 0;
}

/* Checks the whole Bundle before any entry runs: its type, the number of entries, each entry's
 * shape, method, URL and resource, and that no fullUrl is given twice. */
static int read_entries(struct yx_req *r, int *tx, struct entry **out, int *n)
{
    const json_t *b = r->json;
    const char *type = yx_json_str(b, "type");
    if (!yx_json_str(b, "resourceType") || strcmp(yx_json_str(b, "resourceType"), "Bundle") != 0)
        return yx_fail_field(r, YX_EINVAL, "Bundle.resourceType",
                             "Cần một Bundle / send a Bundle of type transaction or batch.");
    if (strcmp(type, "transaction") != 0 && strcmp(type, "batch") != 0)
        return yx_fail_field(
            r, YX_EINVAL, "Bundle.type",
            "Bundle.type là transaction hoặc batch / Bundle.type must be transaction or batch.");
    *tx = strcmp(type, "transaction") == 0;
    const json_t *list = json_object_get(b, "entry");
    size_t count = json_array_size(list);
    if (count > BUNDLE_MAX_ENTRIES)
        return yx_fail_field(r, YX_ETOOBIG, "Bundle.entry",
                             "Một Bundle có tối đa %d mục / a Bundle takes at most %d entries.",
                             BUNDLE_MAX_ENTRIES, BUNDLE_MAX_ENTRIES);
    struct entry *es = count ? yx_arena_alloc(&r->arena, count * sizeof *es) : NULL;
    if (count && !es)
        return YX_ENOMEM;
    for (size_t k = 0; k < count; k++) {
        int i = (int)k, rc;
        const json_t *e = json_array_get(list, k), *req = json_object_get(e, "request");
        if (!json_is_object(e))
            return yx_fail_field(r, YX_EINVAL, entry_path(r, i, NULL),
                                 "Mỗi mục là một đối tượng / each "
                                 "entry must be an object.");
        if ((rc = validate_in(r, e, entry_fields, i, "")) != 0 ||
            (rc = validate_in(r, req, request_fields, i, "request")) != 0)
            return rc;
        struct entry *x = &es[k];
        *x = (struct entry){.index = i,
                            .method = yx_json_str(req, "method"),
                            .full_url = yx_json_str(e, "fullUrl"),
                            .if_match = yx_json_str(req, "ifMatch"),
                            .resource = json_object_get(e, "resource")};
        static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", NULL};
        if (!yx_one_of(x->method, methods))
            return yx_fail_field(r, YX_EINVAL, entry_path(r, i, "request.method"),
                                 "request.method là GET, POST, PUT hoặc DELETE / request.method must be GET, "
                                 "POST, PUT or DELETE.");
        const char *rt = yx_json_str(x->resource, "resourceType");
        if (x->resource && rt && strcmp(rt, "Bundle") == 0)
            return yx_fail_field(r, YX_EINVAL, entry_path(r, i, "resource"),
                                 "Không lồng Bundle trong Bundle / a Bundle cannot be an entry of a Bundle.");
        int writes = strcmp(x->method, "POST") == 0 || strcmp(x->method, "PUT") == 0;
        if (writes != (x->resource != NULL))
            return yx_fail_field(r, YX_EINVAL, entry_path(r, i, "resource"),
                                 "POST và PUT cần resource, GET và DELETE thì không / POST and PUT take a "
                                 "resource, GET and DELETE none.");
        if ((rc = entry_url(r, i, yx_json_str(req, "url"), &x->url)) != 0)
            return rc;
        x->order = order_of(x->method);
        for (size_t j = 0; x->full_url && j < k; j++)
            if (es[j].full_url && strcmp(es[j].full_url, x->full_url) == 0)
                return yx_fail_field(r, YX_EINVAL, entry_path(r, i, "fullUrl"),
                                     "fullUrl '%s' đã có ở Bundle.entry[%d] / fullUrl '%s' given twice (also "
                                     "Bundle.entry[%d]).",
                                     x->full_url, (int)j, x->full_url, (int)j);
    }
    *out = es;
    *n = (int)count;
    return 0;
}

static int is_urn(const char *s)
{
    return s && strncmp(s, "urn:uuid:", 9) == 0;
}

/* The entry whose fullUrl is ref, or NULL. */
static struct entry *entry_named(struct entry *es, int n, const char *ref)
{
    for (int k = 0; ref && k < n; k++)
        if (es[k].full_url && strcmp(es[k].full_url, ref) == 0)
            return &es[k];
    return NULL;
}

/* Does j refer (in any element that is a Reference: an object with a reference) to a POST of the
 * Bundle not yet created? With rewrite, each reference to one created becomes its "Type/id". */
static int refers_to_pending(json_t *j, struct entry *es, int n, int rewrite)
{
    int pending = 0;
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        const char *ref = json_string_value(json_object_get(j, "reference"));
        struct entry *to = is_urn(ref) ? entry_named(es, n, ref) : NULL;
        if (to && to->created && rewrite)
            json_object_set_new(j, "reference", json_string(to->created));
        else if (to && !to->created && to->order == 1)
            pending = 1;
        json_object_foreach(j, key, v) pending |= refers_to_pending(v, es, n, rewrite);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) pending |= refers_to_pending(v, es, n, rewrite);
    }
    return pending;
}

/* A urn:uuid in a URL runs over letters, digits and "-._~:" (a UUID's and more), and ends at
 * anything else: the URL's end, what separates path segments, parameters, a list's values or a
 * token's system and code, a percent sign. */
static int ends_ref(char c)
{
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c && strchr("-._~:", c)));
}

/* The entry's URL with each urn:uuid that is the whole fullUrl of a POST created so far replaced
 * by its "Type/id" (R4: a search or update may name what the transaction creates); a urn:uuid that
 * only begins like one ("urn:uuid:ab" when "urn:uuid:a" was created) is another's, and stays. */
static const char *rewrite_url(struct yx_req *r, const char *url, struct entry *es, int n)
{
    const char *at = strstr(url, "urn:uuid:");
    if (!at)
        return url;
    struct yx_buf b;
    yx_buf_init(&b, 8192);
    const char *from = url;
    for (; at; at = strstr(from, "urn:uuid:")) {
        size_t len = 9;
        while (!ends_ref(at[len]))
            len++;
        struct entry *to = NULL;
        for (int k = 0; k < n && !to; k++)
            if (es[k].created && es[k].full_url && strlen(es[k].full_url) == len &&
                strncmp(at, es[k].full_url, len) == 0)
                to = &es[k];
        size_t keep = (size_t)(at - from);
        /* "Patient/urn:uuid:…" (a read or an update of what was created, a reference in a search)
         * is "Patient/<id>". */
        size_t type = to ? strcspn(to->created, "/") + 1 : 0;
        if (to && keep > type && strncmp(at - type, to->created, type) == 0 &&
            strchr("/=,", *(at - type - 1)))
            keep -= type;
        yx_buf_append(&b, from, keep);
        if (to)
            yx_buf_puts(&b, to->created);
        else
            yx_buf_append(&b, at, len);
        from = at + len;
    }
    yx_buf_puts(&b, from);
    const char *out = b.data ? yx_arena_strdup(&r->arena, b.data) : NULL;
    yx_buf_release(&b);
    return out ? out : url;
}

/* "Type/id" of what a POST created, from its Location ("<base>/Type/id/_history/n"). */
static const char *created_ref(struct yx_req *r, const struct yx_req *sub)
{
    const char *loc = yx_reply_header_get(sub, "location"), *base = yx_fhir_base(r);
    if (!loc || !base || strncmp(loc, base, strlen(base)) != 0)
        return NULL;
    loc += strlen(base) + 1;
    const char *slash = strchr(loc, '/');
    size_t n = slash ? strcspn(slash + 1, "/") + (size_t)(slash - loc) + 1 : 0;
    return n ? yx_arena_strndup(&r->arena, loc, n) : NULL;
}

/* The next entry a transaction runs: the first not run of the lowest order, a POST only once the
 * POSTs it refers to are created. NULL when all have run; *cycle when POSTs refer to each other. */
static struct entry *next_entry(struct entry *es, int n, int tx, int *cycle)
{
    *cycle = 0;
    for (int order = 0; order < 4; order++) {
        int waiting = 0;
        for (int k = 0; k < n; k++) {
            struct entry *x = &es[k];
            if (x->ran || (tx && x->order != order))
                continue;
            if (!tx || x->order != 1 || !refers_to_pending(x->resource, es, n, 0))
                return x;
            waiting = 1;
        }
        if (waiting) {
            *cycle = 1;
            return NULL;
        }
        if (!tx)
            break;
    }
    return NULL;
}

/* The response entry of x: response.status, location, etag, lastModified; the resource (unless
 * Prefer: return=minimal left none); a failure's OperationOutcome. */
static json_t *response_entry(struct yx_req *r, struct entry *x)
{
    struct yx_req *s = &x->sub;
    int status = s->err ? yx_http_status(s->err) : s->status ? s->status : 200;
    char st[8];
    yx_snprintf(st, sizeof st, "%d", status);
    json_t *resp = json_pack("{s:s}", "status", st), *e = json_object();
    if (s->err) {
        json_object_set_new(resp, "outcome", yx_fhir_dialect.error(s, status));
        json_object_set_new(e, "response", resp);
        return e;
    }
    const char *loc = yx_reply_header_get(s, "location"), *etag = yx_reply_header_get(s, "etag");
    if (loc)
        json_object_set_new(resp, "location", json_string(loc));
    if (etag)
        json_object_set_new(resp, "etag", json_string(etag));
    json_t *res = json_is_object(s->out) && json_object_get(s->out, "resourceType") ? s->out : NULL;
    const char *updated = json_string_value(json_object_get(json_object_get(res, "meta"), "lastUpdated"));
    if (updated)
        json_object_set_new(resp, "lastModified", json_string(updated));
    const char *id = json_string_value(json_object_get(res, "id"));
    const char *base = yx_fhir_base(r);
    /* A write's entry is named by the resource's URL; a read's is not, so that a Bundle that reads
     * what it wrote does not name one resource twice (R4's bdl-7). */
    if (res && id && base && (strcmp(x->method, "POST") == 0 || strcmp(x->method, "PUT") == 0)) {
        size_t n = strlen(base) + strlen(id) + 64;
        char *full = yx_arena_alloc(&r->arena, n);
        if (full && yx_snprintf(full, n, "%s/%s/%s", base,
                                json_string_value(json_object_get(res, "resourceType")), id) == 0)
            json_object_set_new(e, "fullUrl", json_string(full));
    }
    if (res)
        json_object_set(e, "resource", res);
    json_object_set_new(e, "response", resp);
    return e;
}

/* A transaction's failure is the Bundle's: the entry's status, code and message, which entry it
 * was, and the element at fault within it. */
static int fail_with(struct yx_req *r, struct entry *x)
{
    struct yx_req *s = &x->sub;
    const char *f = s->err_field;
    const char *type_end = f ? strchr(f, '.') : NULL;
    /* A field named as a FHIR path of the entry's resource ("Observation.code") is where it is in
     * the Bundle; any other (a search parameter) is the entry's. */
    const char *field =
        f && type_end && x->resource && f[0] >= 'A' && f[0] <= 'Z' ? entry_path(r, x->index, NULL) : NULL;
    if (field) {
        size_t n = strlen(field) + strlen(type_end) + 16;
        char *p = yx_arena_alloc(&r->arena, n);
        field = p && yx_snprintf(p, n, "%s.resource%s", field, type_end) == 0 ? p : NULL;
    }
    char vi[sizeof s->err_msg], en[sizeof s->err_msg];
    yx_fail_code(r, s->err, s->err_code, json_incref(s->err_detail),
                 "Mục Bundle.entry[%d] (%s %s): %s / Bundle.entry[%d] (%s %s): %s", x->index, x->method,
                 x->url, yx_error_text(s, 0, vi, sizeof vi), x->index, x->method, x->url,
                 yx_error_text(s, 1, en, sizeof en));
    r->err_field = field ? field : entry_path(r, x->index, NULL);
    return s->err;
}

/* POST /fhir and POST /fhir/ */
static int bundle_post(struct yx_req *r)
{
    struct entry *es = NULL;
    int n = 0, tx = 0, rc, cycle = 0;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    if (!r->json)
        return yx_fail(r, YX_EINVAL, "Cần một Bundle / send a Bundle of type transaction or batch.");
    if ((rc = read_entries(r, &tx, &es, &n)) != 0)
        return rc;
    struct entry *x;
    while (rc == 0 && (x = next_entry(es, n, tx, &cycle)) != NULL) {
        x->ran = 1;
        if (tx && x->resource)
            refers_to_pending(x->resource, es, n, 1);
        if (tx)
            x->url = rewrite_url(r, x->url, es, n);
        x->rc = yx_subrequest(r, &x->sub, x->method, x->url, x->resource, x->if_match, tx);
        if (x->rc == 0 && strcmp(x->method, "POST") == 0)
            x->created = created_ref(r, &x->sub);
        if (x->rc != 0 && tx)
            rc = fail_with(r, x); /* the pipeline releases x->sub after the rollback */
        else if (x->rc == YX_EDB || x->rc == YX_EINTERNAL || x->rc == YX_ENOMEM || !yx_db_tx_alive(r->db))
            rc = x->rc ? x->rc : YX_EDB; /* the batch's transaction is lost with its other entries */
    }
    if (rc == 0 && cycle)
        rc =
            yx_fail_field(r, YX_EINVAL, "Bundle.entry",
                          "Các mục POST tham chiếu vòng tròn đến nhau / the POST entries refer to each other "
                          "in a cycle.");
    json_t *entries = rc == 0 ? json_array() : NULL;
    for (int k = 0; k < n; k++) {
        if (entries)
            json_array_append_new(entries, response_entry(r, &es[k]));
        if (es[k].ran && !(tx && es[k].rc != 0))
            yx_subrequest_release(&es[k].sub);
    }
    if (rc)
        return rc;
    json_t *out = json_pack("{s:s,s:s,s:o}", "resourceType", "Bundle", "type",
                            tx ? "transaction-response" : "batch-response", "entry", entries);
    return out ? yx_reply(r, 200, out) : YX_ENOMEM;
}

const struct yx_route yx_fhir_bundle_routes[] = {
    {"POST", "/fhir", bundle_post, 0, NULL, NULL, YX_ANYONE, bundle_fields},
    {"POST", "/fhir/", bundle_post, 0, NULL, NULL, YX_ANYONE, bundle_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
