/* The middle of every API request, on a worker thread: database connection, body, session,
 * transaction, Idempotency-Key, the handler, the audit event, the JSON answer. The session, the
 * route's permission and the audit event are asked of the hooks the server was given
 * (struct yx_pipeline, include/ytexa/server.h): http names no session store and no audit trail. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "server_internal.h"

int yx_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

int yx_parse_body(struct yx_req *r, size_t max)
{
    if (r->body_len == 0)
        return 0;
    if (yx_safe_method(r->method))
        return yx_fail(r, YX_EINVAL, "Yêu cầu %s không có nội dung / A %s request takes no body.", r->method,
                       r->method);
    if (r->body_len > max)
        return yx_fail(r, YX_ETOOBIG, "Nội dung lớn hơn %zu byte / The body is larger than %zu bytes.", max,
                       max);
    const char *ct = r->content_type ? r->content_type : "";
    if (strncmp(ct, "application/json", 16) != 0 && strncmp(ct, "application/fhir+json", 21) != 0)
        return yx_fail(r, YX_EMEDIA,
                       "Gửi nội dung dạng application/json / Send the body as application/json.");
    json_error_t e;
    /* Jansson rejects invalid UTF-8, and \u0000 in a string or a key without JSON_ALLOW_NUL, which
     * is never given: no NUL reaches a handler or the database. Duplicate keys are refused so a
     * field cannot be smuggled. */
    r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!r->json)
        return yx_fail(r, YX_EINVAL,
                       "Nội dung không phải JSON hợp lệ: %s (dòng %d, cột %d) / The body is not valid JSON: "
                       "%s (line %d, column %d).",
                       e.text, e.line, e.column, e.text, e.line, e.column);
    if (!json_is_object(r->json))
        return yx_fail(r, YX_EINVAL, "Nội dung phải là một đối tượng JSON / The body must be a JSON object.");
    return 0;
}

/* A replayed write answers as the first one did. Returns 1 when an answer was found. */
static int idempotent_replay(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int rc = 0;
    /* A retry sent while the first is still running must wait for it and then replay its answer.
     * SQLite's one writer (or the group's one transaction) orders them already; on PostgreSQL both
     * would find no key and both run, the second failing on what the first created. A lock on the
     * account's key, to the end of the transaction, orders them there. */
    if (yx_db_dialect(r->db) == YX_POSTGRES)
        rc = YX_DB_Q(
            r->db, NULL,
            "SELECT pg_advisory_xact_lock(hashtextextended(CAST(? AS TEXT) || ':' || CAST(? AS TEXT), 0))",
            YX_PI(r->who.user_id), YX_PT(r->idempotency_key));
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT method, path, request_hash, status, body FROM idempotency_keys WHERE user_id = ? AND "
            "key = ?",
            YX_PI(r->who.user_id), YX_PT(r->idempotency_key));
    if (rc == 0 && rows->nrows == 1) {
        const char *hash = yx_rows_str(rows, 0, "request_hash");
        char mine[65];
        yx_sha256_hex(r->body ? r->body : "", r->body ? r->body_len : 0, mine);
        if (strcmp(yx_rows_str(rows, 0, "method"), r->method) != 0 ||
            strcmp(yx_rows_str(rows, 0, "path"), r->path) != 0 || (hash && strcmp(hash, mine) != 0)) {
            rc = yx_fail_code(r, YX_ECONFLICT, "idempotency_key_reused", NULL,
                              "Idempotency-Key này đã dùng cho một yêu cầu khác / This Idempotency-Key was "
                              "used for another request.");
        } else {
            json_t *body = json_loads(yx_rows_str(rows, 0, "body"), 0, NULL);
            yx_reply(r, (int)yx_rows_i64(rows, 0, "status"), body ? body : json_object());
            rc = 1;
        }
    }
    yx_rows_free(rows);
    return rc;
}

static int idempotent_store(struct yx_req *r)
{
    char *body = json_dumps(r->out ? r->out : json_object(), JSON_COMPACT);
    if (!body)
        return YX_ENOMEM;
    char hash[65];
    yx_sha256_hex(r->body ? r->body : "", r->body ? r->body_len : 0, hash);
    int rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, body, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     YX_PI(r->who.user_id), YX_PT(r->idempotency_key), YX_PT(r->method), YX_PT(r->path),
                     YX_PT(hash), YX_PI(r->status ? r->status : 200), YX_PT(body), YX_PI(yx_now_ms()));
    free(body);
    return rc;
}

static const char *outcome_of(int rc)
{
    switch (rc) {
    case YX_EUNAVAIL:
        return "unavailable";
    case YX_ENOTFOUND:
    case YX_EFORBIDDEN:
    case YX_EAUTH:
        return "denied";
    case YX_EINVAL:
    case YX_ECONFLICT:
    case YX_ETOOBIG:
    case YX_EMEDIA:
    case YX_EPRECOND:
    case YX_ENOTACCEPT:
        return "invalid";
    default:
        return "error";
    }
}

int yx_fail_unavailable(struct yx_req *r)
{
    if (!yx_reply_header_get(r, "retry-after"))
        yx_reply_header(r, "retry-after", "5");
    return yx_fail(r, YX_EUNAVAIL,
                   "Tạm thời chưa kết nối được cơ sở dữ liệu; hãy thử lại sau ít giây / the database cannot "
                   "be reached just now; try again in a few seconds.");
}

/* The error a failed request (or Bundle entry) answers: the handler's own, or the server's when it
 * set none; a failure of the server itself says only what to quote to an operator (the cause is
 * in the log), whatever the handler had set before it. */
static void settle_error(struct yx_req *r, int rc)
{
    /* A database that cannot be reached (PostgreSQL restarting, a lock held too long) is said as
     * such; every 503 tells the client when to try again. */
    if (rc == YX_EUNAVAIL && !r->err)
        yx_fail_unavailable(r);
    if (rc != 0 && !r->err)
        yx_fail(r, rc, "Máy chủ gặp lỗi (yêu cầu %s) / something went wrong on the server (request %s).",
                r->id, r->id);
    if (r->err == YX_EUNAVAIL && !yx_reply_header_get(r, "retry-after"))
        yx_reply_header(r, "retry-after", "5");
    if (rc == YX_EDB || rc == YX_EINTERNAL || rc == YX_ENOMEM) {
        yx_clear_error(r);
        yx_fail(r, rc, "Lỗi máy chủ (yêu cầu %s) / server error (request %s).", r->id, r->id);
    }
}

static atomic_int storage_low;

int yx_storage_low(void)
{
    return atomic_load_explicit(&storage_low, memory_order_relaxed);
}

void yx_storage_low_set(int low)
{
    atomic_store_explicit(&storage_low, low != 0, memory_order_relaxed);
}

/* A write while the data folder is nearly full: refused before it runs, so the space left keeps
 * the reads' audit events and the sessions going until the operator frees some. */
static int refuse_when_full(struct yx_req *r)
{
    yx_reply_header(r, "retry-after", "60");
    return yx_fail_code(r, YX_EUNAVAIL, "storage_full", NULL,
                        "Máy chủ sắp hết chỗ lưu trữ nên tạm thời chưa nhận dữ liệu mới; dữ liệu cũ vẫn xem "
                        "được. Hãy thử lại sau / the server is nearly out of storage and takes no new data "
                        "for now; what is stored can still be read. Try again later.");
}

int yx_route_writes(const struct yx_req *r, const struct yx_route *rt)
{
    return !yx_safe_method(r->method) || (rt->flags & YX_R_WRITES);
}

/* The body against the fields the route declares, before the handler and before any record is
 * looked at: bad input gets the same 400 naming the field whatever the record, its owner or its
 * state, and writes nothing. A route that declares no fields takes none. A missing body is the
 * handler's to judge (a few take an optional one). */
static int declared_body(struct yx_req *r, const struct yx_route *rt)
{
    if (!r->json || (rt->flags & YX_R_RAW) || yx_safe_method(r->method))
        return 0;
    return rt->fields ? yx_validate(r, r->json, rt->fields) : yx_no_body(r);
}

/* The record a failed request keeps (yx_keep_on_failure), in a transaction of its own; its
 * failure does not change the answer, which already says why the request failed. */
static void keep_on_failure(struct yx_req *r)
{
    int rc = yx_db_begin(r->db);
    if (rc == 0) {
        if ((rc = r->kept(r, r->kept_arg)) == 0)
            rc = yx_db_commit(r->db);
        else
            yx_db_rollback(r->db);
    }
    if (rc != 0)
        yx_log(YX_LOG_ERROR, "request %s: the record kept on failure was not written: %s", r->id,
               yx_err_name(rc));
    r->kept = NULL;
}

/* A failure that met an unreachable database (its count of such statements moved from before) is
 * an outage whatever the handler made of it (a helper that returns NULL can only say "failed"):
 * 503, try again, and audited as such. */
static int as_outage(struct yx_req *r, unsigned long before, int rc)
{
    if (rc != YX_EDB || !r->db || r->db->unreachable == before)
        return rc;
    yx_clear_error(r);
    return YX_EUNAVAIL;
}

static int run_handler(struct yx_req *r, const struct yx_route *rt, const struct yx_pipeline *p)
{
    int write = yx_route_writes(r, rt);
    /* An audited read needs no transaction of its own: its event goes to the audit writer, which
     * commits the events of many reads at once, and the server answers when it is durable. */
    int defer = !write && rt->audit && !(rt->flags & YX_R_LOOP) && p->deferrable && p->deferrable();
    int tx = !(rt->flags & (YX_R_NOTX | YX_R_LOOP)) && (write || (rt->audit && !defer));
    int idem = write && r->authed && r->idempotency_key && *r->idempotency_key;
    unsigned long unreachable = r->db ? r->db->unreachable : 0;
    int rc;
    if (idem && strlen(r->idempotency_key) > 200)
        return yx_fail(r, YX_EINVAL,
                       "Tiêu đề Idempotency-Key dài quá 200 ký tự / The Idempotency-Key header is longer "
                       "than 200 characters.");
    /* A role the route does not name, or a body its table refuses, is refused before anything is
     * read or written; the refusal is audited like any other. */
    if ((rc = p->permit(r)) != 0 || (rc = declared_body(r, rt)) != 0 ||
        (write && !(rt->flags & YX_R_SESSION) && yx_storage_low() && (rc = refuse_when_full(r)) != 0))
        tx = 0;
    if (tx && (rc = yx_db_begin(r->db)) != 0)
        return rc;
    if (rc == 0 && idem && (rc = idempotent_replay(r)) != 0) {
        if (tx && rc == 1)
            rc = yx_db_commit(r->db);
        else if (tx)
            yx_db_rollback(r->db);
        return rc == 1 ? 0 : rc;
    }
    if (rc == 0)
        rc = rt->fn(r);
    if (rc == 0 && tx && rt->audit)
        rc = p->audit(r, "ok");
    if (rc == 0 && idem)
        rc = idempotent_store(r);
    if (tx) {
        if (rc == 0)
            rc = yx_db_commit(r->db);
        else
            yx_db_rollback(r->db);
    }
    rc = as_outage(r, unreachable, rc);
    if (rc != 0 && r->kept && r->db)
        keep_on_failure(r);
    if (r->auth_changed)
        p->sessions_changed();
    if (defer && (r->authed || rc == 0 || (rt->flags & YX_R_PUBLIC))) {
        r->audit_deferred = 1;
        r->audit_outcome = rc == 0 ? "ok" : outcome_of(rc);
    } else if (rt->audit && (rc != 0 || !tx) && r->db &&
               (r->authed || rc == 0 || (rt->flags & YX_R_PUBLIC))) {
        p->audit(r, rc == 0 ? "ok" : outcome_of(rc));
    }
    return rc;
}

/* Sub-requests (a FHIR transaction's or batch's entries). The sub-request borrows its parent's
 * arena while it runs and hands it back after, so what it allocates lives as long as the parent
 * and nothing of it needs releasing but its JSON. */
static void borrow_arena(struct yx_req *parent, struct yx_req *sub)
{
    sub->arena = parent->arena;
    parent->arena.head = NULL;
}

static void return_arena(struct yx_req *parent, struct yx_req *sub)
{
    parent->arena = sub->arena;
    sub->arena.head = NULL;
}

/* Writes the refusal of a failed sub-request: the record its handler asked to keep, then its audit
 * event. In the parent's transaction (a batch keeps its other entries), or after its rollback (a
 * transaction's failure, run as the parent's record kept on failure). */
static void sub_failed(struct yx_req *parent, struct yx_req *sub)
{
    const struct yx_pipeline *p = &yx_srv.setup->pipeline;
    borrow_arena(parent, sub);
    if (sub->kept)
        keep_on_failure(sub);
    if (sub->route && sub->route->audit && (sub->authed || (sub->route->flags & YX_R_PUBLIC)))
        p->audit(sub, outcome_of(sub->err ? sub->err : YX_EINTERNAL));
    return_arena(parent, sub);
}

static int sub_failed_kept(struct yx_req *parent, void *arg)
{
    sub_failed(parent, arg);
    yx_subrequest_release(arg);
    return 0;
}

int yx_subrequest(struct yx_req *parent, struct yx_req *sub, const char *method, const char *url,
                  json_t *body, const char *if_match, int all_or_nothing)
{
    const struct yx_pipeline *p = yx_srv.setup ? &yx_srv.setup->pipeline : NULL;
    int rc, code = YX_ENOTFOUND;
    *sub = (struct yx_req){0};
    borrow_arena(parent, sub);
    const char *q = strchr(url, '?');
    sub->method = yx_arena_strdup(&sub->arena, method);
    sub->path = q ? yx_arena_strndup(&sub->arena, url, (size_t)(q - url)) : yx_arena_strdup(&sub->arena, url);
    sub->query = q ? yx_arena_strdup(&sub->arena, q + 1) : "";
    sub->json = json_incref(body);
    sub->content_type = body ? "application/fhir+json" : NULL;
    sub->host = parent->host;
    sub->scheme = parent->scheme;
    sub->accept_language = parent->accept_language;
    memcpy(sub->addr, parent->addr, sizeof sub->addr);
    sub->proxied = parent->proxied;
    /* The entries' audit events carry the request id of the request that brought them. */
    memcpy(sub->id, parent->id, sizeof sub->id);
    sub->db = parent->db;
    sub->who = parent->who;
    sub->authed = parent->authed;
    sub->dialect = parent->dialect;
    /* Prefer (return=minimal, handling=lenient) holds for every entry; If-Match is the entry's own. */
    const char *prefer = yx_header(parent, "prefer");
    if (prefer) {
        sub->xhdr[sub->nxhdr][0] = "prefer";
        sub->xhdr[sub->nxhdr++][1] = prefer;
    }
    if (if_match) {
        sub->xhdr[sub->nxhdr][0] = "if-match";
        sub->xhdr[sub->nxhdr++][1] = yx_arena_strdup(&sub->arena, if_match);
    }
    if (!p || !sub->method || !sub->path || !sub->query) {
        rc = YX_ENOMEM;
        goto out;
    }
    const struct yx_route *rt = sub->route = yx_route_match(yx_srv.routes, sub, &code);
    if (!rt) {
        rc = code == YX_EMETHOD
                 ? yx_fail(sub, YX_EMETHOD, "Không có thao tác %s ở %s / %s is not served on %s.", method,
                           sub->path, method, sub->path)
                 : yx_not_found(sub);
        goto out;
    }
    /* What has its own transaction, its own body, its own thread or its own queue (a login, an
     * upload, a report, a Bundle itself) runs only as a request of its own. */
    if ((parent->route && rt->fn == parent->route->fn) || (rt->flags & (YX_R_NOTX | YX_R_RAW | YX_R_LOOP)) ||
        yx_gated(rt)) {
        rc =
            yx_fail(sub, YX_EINVAL, "%s %s không đi trong một Bundle / %s %s cannot be an entry of a Bundle.",
                    method, sub->path, method, sub->path);
        goto out;
    }
    if ((rc = p->permit(sub)) != 0 || (rc = declared_body(sub, rt)) != 0)
        goto out;
    /* Its own savepoint in the parent's transaction: a failed entry undoes its own writes alone. */
    if ((rc = yx_db_begin(sub->db)) != 0)
        goto out;
    unsigned long unreachable = sub->db->unreachable;
    rc = as_outage(sub, unreachable, rt->fn(sub));
    if (rc == 0 && rt->audit)
        rc = p->audit(sub, "ok");
    if (rc == 0)
        rc = yx_db_commit(sub->db);
    else
        yx_db_rollback(sub->db);
out:
    settle_error(sub, rc);
    parent->auth_changed |= sub->auth_changed;
    return_arena(parent, sub);
    if (rc != 0 && p) {
        if (all_or_nothing)
            yx_keep_on_failure(parent, sub_failed_kept, sub);
        else
            sub_failed(parent, sub);
    }
    return rc;
}

void yx_subrequest_release(struct yx_req *sub)
{
    json_decref(sub->json);
    json_decref(sub->out);
    json_decref(sub->err_detail);
    free(sub->out_raw);
    if (sub->out_file) {
        close(sub->out_file->fd);
        free(sub->out_file);
    }
    sub->json = sub->out = sub->err_detail = NULL;
    sub->out_raw = NULL;
    sub->out_file = NULL;
}

void yx_dispatch(struct yx_req *r, const struct yx_pipeline *p, size_t max_body)
{
    const struct yx_route *rt = r->route;
    int rc;
    if (!(rt->flags & YX_R_LOOP) && !(r->db = yx_db_thread())) {
        rc = YX_EUNAVAIL; /* said in settle_error */
        goto out;
    }
    if (rt->flags & YX_R_RAW) {
        if (r->body_len > YX_RAW_BODY_MAX) {
            rc = yx_fail(r, YX_ETOOBIG, "Mỗi yêu cầu gửi tối đa %d byte / Send at most %d bytes a request.",
                         YX_RAW_BODY_MAX, YX_RAW_BODY_MAX);
            goto out;
        }
    } else if ((rc = yx_parse_body(r, max_body)) != 0) {
        goto out;
    }
    if (!(rt->flags & YX_R_PUBLIC) && (rc = p->authenticate(r)) != 0)
        goto out;
    rc = run_handler(r, rt, p);
out:
    settle_error(r, rc);
}

char *yx_render_answer(struct yx_req *r, int *status, size_t *len)
{
    json_t *body;
    if (r->err && r->dialect && r->dialect->error && (body = r->dialect->error(r, yx_http_status(r->err)))) {
        *status = yx_http_status(r->err);
    } else if (r->err) {
        char msg[sizeof r->err_msg];
        *status = yx_http_status(r->err);
        /* One language, the one the client asks for (docs/api.md, "Errors"). */
        json_t *e = json_pack("{s:s,s:s}", "code", r->err_code ? r->err_code : yx_err_name(r->err), "message",
                              yx_error_text(r, yx_wants_english(r), msg, sizeof msg));
        if (e && r->err_field)
            json_object_set_new(e, "field", json_string(r->err_field));
        if (e && json_is_object(r->err_detail))
            json_object_update_missing(e, r->err_detail);
        body = json_pack("{s:o}", "error", e ? e : json_object());
    } else if (r->out_raw) {
        /* The caller frees what it gets: hand over the raw body itself. */
        char *raw = r->out_raw;
        *status = r->status ? r->status : 200;
        *len = r->out_raw_len;
        r->out_raw = NULL;
        return raw;
    } else {
        *status = r->status ? r->status : 200;
        body = r->out ? json_incref(r->out) : json_object();
    }
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    *len = s ? strlen(s) : 0;
    return s;
}
