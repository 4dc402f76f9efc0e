/* The translation between h2o and the rest of the program: an API request from h2o becomes a
 * struct yx_req (its headers, body, address and id copied into the request's arena), is matched
 * against the routes and sent on its way (job.c); its answer goes back to h2o as status, headers
 * and body. Requests that are not the API's fall through to the web app's files (static.c). */
#include <arpa/inet.h>
#include <ctype.h>
#include <h2o/websocket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "server_internal.h"
#include "ytexa/config.h"

void yx_job_free(struct job *j)
{
    json_decref(j->r.json);
    json_decref(j->r.out);
    json_decref(j->r.err_detail);
    free(j->r.out_raw);
    if (j->r.out_file) { /* an answer that was never sent */
        close(j->r.out_file->fd);
        free(j->r.out_file);
    }
    yx_arena_release(&j->r.arena);
    free(j->answer);
    free(j);
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status < 300 ? "OK" : status < 500 ? "Client Error" : "Internal Server Error";
    }
}

static void add_header(h2o_req_t *req, const h2o_token_t *token, const char *v, size_t len)
{
    h2o_add_header(&req->pool, &req->res.headers, token, NULL, h2o_strdup(&req->pool, v, len).base, len);
}

/* Sends the answer of r on h2o's request; the body is copied into the request's pool. */
static void send_answer(h2o_req_t *req, struct yx_req *r, int status, const char *body, size_t len,
                        uint64_t start)
{
    int file = r->out_file && !r->err;
    req->res.status = status;
    req->res.reason = reason_of(status);
    /* yx_send_file() names a file's type itself. */
    if (!file && r->out_type && !r->err)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, r->out_type, strlen(r->out_type));
    else if (!file && r->dialect)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, r->dialect->type, strlen(r->dialect->type));
    else if (!file)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT(YX_JSON_TYPE));
    add_header(req, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"));
    /* An error's message is in one language, chosen by Accept-Language (yx_render_answer). */
    if (r->err) {
        add_header(req, H2O_TOKEN_CONTENT_LANGUAGE, yx_wants_english(r) ? "en" : "vi", 2);
        add_header(req, H2O_TOKEN_VARY, H2O_STRLIT("Accept-Language"));
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, r->id,
                          strlen(r->id));
    for (int i = 0; i < r->ncookies; i++)
        add_header(req, H2O_TOKEN_SET_COOKIE, r->cookies[i], strlen(r->cookies[i]));
    for (int i = 0; i < r->nout_hdr; i++)
        h2o_add_header_by_str(&req->pool, &req->res.headers, r->out_hdr[i][0], strlen(r->out_hdr[i][0]), 1,
                              NULL, h2o_strdup(&req->pool, r->out_hdr[i][1], SIZE_MAX).base,
                              strlen(r->out_hdr[i][1]));
    if (yx_srv.shutting_down)
        add_header(req, H2O_TOKEN_CONNECTION, H2O_STRLIT("close"));
    if (status == 401)
        add_header(req, H2O_TOKEN_WWW_AUTHENTICATE, H2O_STRLIT("Bearer realm=\"ytexa\""));
    if (file) {
        yx_send_file(req, r->out_file, r->out_type);
        r->out_file = NULL;
        yx_access_log(r, req->res.status, start);
        return;
    }
    req->res.content_length = len;
    h2o_send_inline(req, body, len);
    yx_access_log(r, status, start);
}

void yx_job_finish(struct job *j)
{
    if (j->hreq) {
        *j->alive = NULL;
        if (j->r.upgrade_ws && j->ws_key && !j->r.err)
            yx_ws_upgrade(j->hreq, j->ws_key, &j->r);
        else
            send_answer(j->hreq, &j->r, j->status, j->answer ? j->answer : "{}",
                        j->answer ? j->answer_len : 2, j->start);
    }
    yx_job_free(j);
}

/* Called when h2o frees the request (answer sent, or client gone). */
static void on_req_dispose(void *p)
{
    struct job **slot = p;
    if (*slot)
        (*slot)->hreq = NULL;
}

static const char *header(h2o_req_t *req, struct yx_req *r, const char *name, size_t len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, len, -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    return yx_arena_strndup(&r->arena, v.base, v.len);
}

/* The scheme the client reached the site with: https when this server speaks TLS; behind a proxy
 * trusted with --trust-proxy, the last entry of its X-Forwarded-Proto (nginx ending TLS sets it);
 * http otherwise. An untrusted X-Forwarded-Proto is ignored: anyone could send one. */
static const char *request_scheme(h2o_req_t *req, struct yx_req *r)
{
    if (yx_srv.accept_ctx.ssl_ctx)
        return "https";
    const char *xfp = yx_srv.cfg->trust_proxy ? header(req, r, H2O_STRLIT("x-forwarded-proto")) : NULL;
    if (!xfp)
        return "http";
    const char *last = strrchr(xfp, ',');
    last = last ? last + 1 : xfp;
    while (*last == ' ')
        last++;
    size_t n = strcspn(last, " ");
    return n == 5 && strncasecmp(last, "https", 5) == 0 ? "https" : "http";
}

static void fill_request(h2o_req_t *req, struct yx_req *r)
{
    r->method = yx_arena_strndup(&r->arena, req->method.base, req->method.len);
    r->path = yx_arena_strndup(&r->arena, req->path_normalized.base, req->path_normalized.len);
    r->query = req->query_at != SIZE_MAX ? yx_arena_strndup(&r->arena, req->path.base + req->query_at + 1,
                                                            req->path.len - req->query_at - 1)
                                         : "";
    r->content_type = header(req, r, H2O_STRLIT("content-type"));
    r->csrf_header = header(req, r, H2O_STRLIT("x-csrf-token"));
    r->idempotency_key = header(req, r, H2O_STRLIT("idempotency-key"));
    r->origin = header(req, r, H2O_STRLIT("origin"));
    /* Without a Host header h2o fills in the name of our one host configuration ("default"), and
     * that would pass for a Host: the same bytes, so the same pointer, mean the client sent none. */
    int no_host =
        !req->authority.base || req->authority.base == yx_srv.config.hosts[0]->authority.hostport.base;
    r->host = no_host ? NULL : yx_arena_strndup(&r->arena, req->authority.base, req->authority.len);
    r->ws_protocol = header(req, r, H2O_STRLIT("sec-websocket-protocol"));
    r->accept = header(req, r, H2O_STRLIT("accept"));
    r->accept_language = header(req, r, H2O_STRLIT("accept-language"));
    for (size_t i = 0; i < req->headers.size; i++) {
        h2o_iovec_t n = *req->headers.entries[i].name, v = req->headers.entries[i].value;
        int ours = (n.len > 4 && strncasecmp(n.base, "tus-", 4) == 0) ||
                   (n.len > 7 && strncasecmp(n.base, "upload-", 7) == 0) ||
                   (n.len == 6 && strncasecmp(n.base, "prefer", 6) == 0) ||
                   (n.len == 8 && strncasecmp(n.base, "if-match", 8) == 0);
        if (ours && r->nxhdr < (int)(sizeof r->xhdr / sizeof r->xhdr[0])) {
            char *name = yx_arena_strndup(&r->arena, n.base, n.len);
            for (char *c = name; c && *c; c++)
                *c = (char)tolower((unsigned char)*c);
            r->xhdr[r->nxhdr][0] = name;
            r->xhdr[r->nxhdr][1] = yx_arena_strndup(&r->arena, v.base, v.len);
            if (name && r->xhdr[r->nxhdr][1])
                r->nxhdr++;
        }
    }
    const char *auth = header(req, r, H2O_STRLIT("authorization"));
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        r->bearer = auth + 7;
    r->cookie_token = yx_cookie_value(&r->arena, header(req, r, H2O_STRLIT("cookie")), "ytexa_session");
    /* A request the page made by itself (a refresh, the day's sync) with nobody at the keyboard:
     * not activity, so it does not keep an idle session alive (docs/api.md, "Sessions"). */
    const char *bg = header(req, r, H2O_STRLIT("x-ytexa-background"));
    r->no_touch = bg && strcmp(bg, "1") == 0;
    if (req->entity.base) {
        r->body = yx_arena_strndup(&r->arena, req->entity.base, req->entity.len);
        r->body_len = req->entity.len;
    }
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, r->addr, sizeof r->addr);
    else if (sl && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, r->addr, sizeof r->addr);
    /* Behind a proxy the peer is the proxy; the client is the last address it appended. Only
     * trusted when configured, or anyone could choose the address their rate limit counts. */
    const char *xff = header(req, r, H2O_STRLIT("x-forwarded-for"));
    r->proxied = xff != NULL;
    r->scheme = request_scheme(req, r);
    if (!yx_srv.cfg->trust_proxy)
        xff = NULL;
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        if (*last && strlen(last) < sizeof r->addr)
            snprintf(r->addr, sizeof r->addr, "%s", last);
    }
    snprintf(r->id, sizeof r->id, "%08x-%llx", yx_srv.instance, (unsigned long long)++yx_srv.counter);
}

/* Whether the query string carries a NUL (%00, the only way one can arrive there). */
static int query_has_nul(h2o_req_t *req)
{
    if (req->query_at == SIZE_MAX)
        return 0;
    const char *q = req->path.base + req->query_at;
    size_t n = req->path.len - req->query_at;
    for (size_t i = 0; i + 2 < n; i++)
        if (q[i] == '%' && q[i + 1] == '0' && q[i + 2] == '0')
            return 1;
    return 0;
}

int yx_on_request(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    h2o_iovec_t p = req->path_normalized;
    int api =
        (p.len >= 5 && memcmp(p.base, "/api/", 5) == 0) || (p.len >= 6 && memcmp(p.base, "/fhir/", 6) == 0) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/fhir")) || h2o_memis(p.base, p.len, H2O_STRLIT("/healthz")) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/readyz")) || h2o_memis(p.base, p.len, H2O_STRLIT("/metrics")) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/ws")) || h2o_memis(p.base, p.len, H2O_STRLIT("/api")) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/.well-known/smart-configuration"));
    /* h2o decodes %00 into the normalised path, and everything after it treats the path as a C
     * string: a file name or an id would end at the NUL and the rest be dropped without a word
     * (/index.html%00.js was the page served as JavaScript, /patients/7%00x patient 7). Refused
     * here, before any handler reads the path; the query's values are decoded as C strings too. */
    int nul = memchr(p.base, '\0', p.len) != NULL || (api && query_has_nul(req));
    if (nul && !api) {
        h2o_send_error_400(req, "Bad Request", "The path contains a NUL character.", 0);
        return 0;
    }
    if (!api)
        return -1; /* the web app's files */
    struct job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->start = uv_hrtime();
    fill_request(req, &j->r);
    for (const struct yx_api_dialect *const *d = yx_srv.setup->dialects; d && *d && !j->r.dialect; d++)
        if (p.len >= strlen((*d)->prefix) && memcmp(p.base, (*d)->prefix, strlen((*d)->prefix)) == 0)
            j->r.dialect = *d;
    int code = 0;
    j->r.route = nul ? NULL : yx_route_match(yx_srv.routes, &j->r, &code);
    if (!j->r.route || yx_srv.shutting_down) {
        if (yx_srv.shutting_down)
            yx_fail(&j->r, YX_EUNAVAIL,
                    "Máy chủ đang khởi động lại; hãy thử lại sau giây lát / The server is restarting; try "
                    "again in a moment.");
        else if (nul)
            yx_fail(&j->r, YX_EINVAL,
                    "Đường dẫn chứa ký tự NUL (%%00) / the URL contains a NUL character (%%00).");
        else if (code == YX_EMETHOD)
            yx_fail(&j->r, code, "Không dùng được %s với %s / %s is not allowed on %s.", j->r.method,
                    j->r.path, j->r.method, j->r.path);
        else
            yx_fail(&j->r, code, "Không có địa chỉ API này: %s / No such endpoint: %s.", j->r.path,
                    j->r.path);
        char *a = yx_render_answer(&j->r, &j->status, &j->answer_len);
        send_answer(req, &j->r, j->status, a ? a : "{}", a ? j->answer_len : 2, j->start);
        free(a);
        yx_job_free(j);
        return 0;
    }
    if (h2o_memis(p.base, p.len, H2O_STRLIT("/ws"))) {
        j->r.no_touch = 1; /* the page opens (and reopens) its socket by itself: not activity */
        if (h2o_is_websocket_handshake(req, &j->ws_key) != 0)
            j->ws_key = NULL;
    }
    if (j->r.route->flags & YX_R_LOOP) {
        yx_dispatch(&j->r, &yx_srv.setup->pipeline, (size_t)yx_srv.cfg->max_body);
        j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
        j->hreq = req;
        struct job *slot = j;
        j->alive = &slot;
        yx_job_finish(j);
        return 0;
    }
    if (yx_gate_full(j)) {
        yx_reply_header(&j->r, "retry-after", "2");
        yx_fail(&j->r, YX_EUNAVAIL,
                "Máy chủ đang bận; thử lại sau vài giây / the server is busy; try again in a few "
                "seconds.");
        char *a = yx_render_answer(&j->r, &j->status, &j->answer_len);
        send_answer(req, &j->r, j->status, a ? a : "{}", a ? j->answer_len : 2, j->start);
        free(a);
        yx_job_free(j);
        return 0;
    }
    j->hreq = req;
    j->alive = h2o_mem_alloc_shared(&req->pool, sizeof(struct job *), on_req_dispose);
    *j->alive = j;
    yx_job_start(j);
    return 0;
}
