/* The HTTP server: h2o on one libuv loop. API requests hop to libuv's worker pool, where
 * yx_dispatch() runs them with a database connection of the worker's own; the answer is sent
 * back on the loop. Static files of the web app and WebSockets are served on the same port. */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <h2o.h>
#include <h2o/websocket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "dispatch.h"
#include "server_internal.h"
#include "ytexa/audit.h"
#include "ytexa/config.h"
#include "ytexa/realtime.h"

struct job {
    uv_work_t work;
    struct yx_req r;
    h2o_req_t *hreq;    /* NULL once the client has gone */
    struct job **alive; /* slot in the h2o request's pool that points back here */
    const char *ws_key; /* WebSocket handshake key, for /ws */
    uint64_t start;
    char *answer;
    size_t answer_len;
    int status;
    struct job *next; /* in a gate's queue, or among the jobs whose audit event is durable */
    /* An audited read waits for its event to be committed by the audit writer (guarded by
     * S.audit_mu): done once committed, parked once the worker has finished with the job. */
    int audit_wait, audit_done, audit_rc, parked;
};

/* CPU-bound work is rationed by its kind: password hashing (YX_R_HEAVY) and image scaling
 * (YX_R_IMAGE) each run at most their limit of requests at once; the others wait in the gate's
 * FIFO here on the loop, not in the worker pool, so a burst of one kind never holds the workers
 * every other request needs. */
struct gate {
    int flag;      /* the route flag that sends a request through this gate */
    int queue_max; /* waiting beyond this: 503 with Retry-After */
    int running, queued;
    struct job *head, *tail;
};
enum { GATE_HASH, GATE_IMAGE, GATES };

static struct {
    uv_loop_t *loop;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    uv_signal_t sigterm, sigint;
    uv_timer_t drain_timer;
    const struct yx_route *routes;
    const struct yx_config *cfg;
    int shutting_down;
    uint64_t shutdown_at;
    int inflight;
    struct gate gates[GATES];
    uint32_t instance;
    uint64_t counter;
    uv_async_t audit_async; /* wakes the loop when parked jobs' audit events are durable */
    pthread_mutex_t audit_mu;
    struct job *audited;   /* parked jobs whose events are durable, to be answered on the loop */
    uv_async_t post_async; /* wakes the loop for yx_loop_post() */
    struct yx_buf access;  /* access-log lines of this turn of the loop, written once at its end */
    uv_prepare_t access_flush;
} S;

/* The reads thread (YX_R_BATCH routes). On this kind of machine a thread hand-off costs more
 * than the read itself: through the worker pool, an audited read woke a worker, the audit writer
 * and the loop, each a context switch. The loop queues such reads here; one thread takes all that
 * are queued, runs them on its own connection, and hands their events to the audit writer at once;
 * the writer's commit answers them all with one wake-up of the loop. */
#define READS_THREADS_MAX 4
static struct {
    pthread_t thread[READS_THREADS_MAX];
    int nthreads; /* 1 on SQLite (one reader does not wait on the disk); 4 on PostgreSQL, where each
                     query waits on the network */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    int queued, waiting, stopping;
} RD = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* What other threads post to the loop. Outside S: background jobs may post before the server
 * starts or after it stopped, and are refused then. */
static struct {
    pthread_mutex_t mu;
    struct loop_post *head, **tail;
    int open;
} P = {PTHREAD_MUTEX_INITIALIZER, NULL, &P.head, 0};

struct loop_post {
    void (*fn)(void *arg);
    void *arg;
    struct loop_post *next;
};

struct loop_work {
    uv_work_t w;
    void (*work)(struct yx_db *db, void *arg);
    void (*done)(void *arg);
    void *arg;
};

static void loop_work_run(uv_work_t *w)
{
    struct loop_work *l = w->data;
    l->work(yx_db_thread(), l->arg);
}

static void loop_work_done(uv_work_t *w, int status)
{
    (void)status;
    struct loop_work *l = w->data;
    S.inflight--;
    l->done(l->arg);
    free(l);
}

int yx_loop_work(void (*work)(struct yx_db *db, void *arg), void (*done)(void *arg), void *arg)
{
    if (!S.loop)
        return YX_EUNAVAIL;
    struct loop_work *l = calloc(1, sizeof *l);
    if (!l)
        return YX_ENOMEM;
    *l = (struct loop_work){.work = work, .done = done, .arg = arg};
    l->w.data = l;
    S.inflight++;
    if (uv_queue_work(S.loop, &l->w, loop_work_run, loop_work_done) != 0) {
        S.inflight--;
        free(l);
        return YX_EUNAVAIL;
    }
    return 0;
}

int yx_loop_post(void (*fn)(void *arg), void *arg)
{
    struct loop_post *p = calloc(1, sizeof *p);
    if (!p)
        return YX_ENOMEM;
    *p = (struct loop_post){fn, arg, NULL};
    pthread_mutex_lock(&P.mu);
    int open = P.open;
    if (open) {
        *P.tail = p;
        P.tail = &p->next;
    }
    pthread_mutex_unlock(&P.mu);
    if (!open) {
        free(p);
        return YX_EUNAVAIL;
    }
    uv_async_send(&S.post_async);
    return 0;
}

static void on_post_async(uv_async_t *a)
{
    (void)a;
    pthread_mutex_lock(&P.mu);
    struct loop_post *list = P.head;
    P.head = NULL;
    P.tail = &P.head;
    pthread_mutex_unlock(&P.mu);
    for (struct loop_post *p = list, *next; p; p = next) {
        next = p->next;
        p->fn(p->arg);
        free(p);
    }
}

static void job_free(struct job *j)
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
        return status < 500 ? "Client Error" : "Internal Server Error";
    }
}

static void add_header(h2o_req_t *req, const h2o_token_t *token, const char *v, size_t len)
{
    h2o_add_header(&req->pool, &req->res.headers, token, NULL, h2o_strdup(&req->pool, v, len).base, len);
}

/* The access log is written once a turn of the loop, before it waits for I/O: one system call
 * for all the requests answered in that turn instead of one each. */
static void access_flush(uv_prepare_t *p)
{
    (void)p;
    yx_log_lines(S.access.data, S.access.len);
    S.access.len = 0;
}

/* One JSON line per request, written by hand: it runs for every request, and building it through
 * jansson cost a quarter of the throughput of a cheap request. */
static void access_log(struct yx_req *r, int status, uint64_t start)
{
    char ts[32], head[160];
    struct yx_buf *b = &S.access;
    yx_time_format(yx_now_ms(), ts);
    snprintf(head, sizeof head, "{\"ts\":\"%s\",\"level\":\"info\",\"rid\":\"%s\",\"method\":", ts, r->id);
    yx_buf_puts(b, head);
    yx_buf_json_str(b, r->method);
    /* The query is left out on purpose: it can carry a patient's name or id. */
    yx_buf_puts(b, ",\"path\":");
    yx_buf_json_str(b, r->path);
    uint64_t ns = uv_hrtime() - start;
    yx_metrics_observe(status, ns);
    yx_buf_printf(b, ",\"status\":%d,\"ms\":%.3f,\"user\":%lld,\"addr\":\"%s\"}\n", status, (double)ns / 1e6,
                  (long long)r->who.user_id, r->addr);
    if (b->len >= 64 * 1024)
        access_flush(NULL);
}

/* A file answer, read as the client takes it: 64 KiB at a time from the file, never the whole
 * file in memory. The descriptor is closed with the request's pool. */
struct file_gen {
    h2o_generator_t super;
    int fd;
    off_t off, end;
    char buf[64 * 1024];
};

static void file_gen_dispose(void *p)
{
    struct file_gen *g = p;
    if (g->fd >= 0)
        close(g->fd);
}

static void file_gen_stop(h2o_generator_t *self, h2o_req_t *req)
{
    (void)self; /* the client went away: the pool's disposal closes the file */
    (void)req;
}

static void file_gen_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct file_gen *g = (struct file_gen *)self;
    size_t want = (size_t)(g->end - g->off) < sizeof g->buf ? (size_t)(g->end - g->off) : sizeof g->buf;
    ssize_t n = want ? pread(g->fd, g->buf, want, g->off) : 0;
    if (n < 0)
        n = 0; /* a read error ends the body short; the client sees the length mismatch */
    g->off += n;
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)n);
    h2o_send(req, &v, 1, g->off >= g->end || n == 0 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

/* One "bytes=N-" or "bytes=N-M" range of a file of size bytes: 1 and [*from, *to) when it is
 * one, 0 when there is no range header or it is not one we serve (the whole file then), -1 when
 * it starts past the end (416). */
static int byte_range(h2o_req_t *req, off_t size, off_t *from, off_t *to)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_RANGE, -1);
    if (i < 0)
        return 0;
    h2o_iovec_t v = req->headers.entries[i].value;
    char spec[64];
    if (v.len < 7 || v.len >= sizeof spec || strncmp(v.base, "bytes=", 6) != 0)
        return 0;
    memcpy(spec, v.base + 6, v.len - 6);
    spec[v.len - 6] = '\0';
    char *end;
    long long a = strtoll(spec, &end, 10), b = size - 1;
    if (end == spec || *end != '-' || a < 0)
        return 0;
    if (end[1]) {
        char *end2;
        b = strtoll(end + 1, &end2, 10);
        if (*end2 || b < a)
            return 0;
    }
    if (a >= size)
        return -1;
    *from = a;
    *to = (b >= size ? size - 1 : b) + 1;
    return 1;
}

/* Starts the answer with the open file f (status and other headers already set), taking it. */
static void send_file(h2o_req_t *req, struct yx_file_body *f, const char *type)
{
    int fd = f->fd;
    off_t size = (off_t)f->size;
    free(f);
    off_t from = 0, to = size;
    int ranged = byte_range(req, size, &from, &to);
    char cr[80];
    add_header(req, H2O_TOKEN_ACCEPT_RANGES, H2O_STRLIT("bytes"));
    if (ranged < 0) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%lld", (long long)size);
        req->res.status = 416;
        req->res.reason = "Range Not Satisfiable";
        add_header(req, H2O_TOKEN_CONTENT_RANGE, h2o_strdup(&req->pool, cr, SIZE_MAX).base, strlen(cr));
        h2o_send_inline(req, NULL, 0);
        return;
    }
    if (ranged) {
        snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", (long long)from, (long long)to - 1, (long long)size);
        req->res.status = 206;
        req->res.reason = "Partial Content";
        add_header(req, H2O_TOKEN_CONTENT_RANGE, h2o_strdup(&req->pool, cr, SIZE_MAX).base, strlen(cr));
    }
    add_header(req, H2O_TOKEN_CONTENT_TYPE, type, strlen(type));
    struct file_gen *g = h2o_mem_alloc_shared(&req->pool, sizeof *g, file_gen_dispose);
    g->super = (h2o_generator_t){file_gen_proceed, file_gen_stop};
    g->fd = fd;
    g->off = from;
    g->end = to;
    req->res.content_length = (size_t)(to - from);
    h2o_start_response(req, &g->super);
    file_gen_proceed(&g->super, req);
}

/* Sends the answer of r on h2o's request; the body is copied into the request's pool. */
static void send_answer(h2o_req_t *req, struct yx_req *r, int status, const char *body, size_t len,
                        uint64_t start)
{
    int file = r->out_file && !r->err;
    req->res.status = status;
    req->res.reason = reason_of(status);
    /* send_file() names a file's type itself. */
    if (!file && r->out_type && !r->err)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, r->out_type, strlen(r->out_type));
    else if (!file)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT(YX_JSON_TYPE));
    add_header(req, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, r->id,
                          strlen(r->id));
    for (int i = 0; i < r->ncookies; i++)
        add_header(req, H2O_TOKEN_SET_COOKIE, r->cookies[i], strlen(r->cookies[i]));
    for (int i = 0; i < r->nout_hdr; i++)
        h2o_add_header_by_str(&req->pool, &req->res.headers, r->out_hdr[i][0], strlen(r->out_hdr[i][0]), 1,
                              NULL, h2o_strdup(&req->pool, r->out_hdr[i][1], SIZE_MAX).base,
                              strlen(r->out_hdr[i][1]));
    if (S.shutting_down)
        add_header(req, H2O_TOKEN_CONNECTION, H2O_STRLIT("close"));
    if (status == 401)
        add_header(req, H2O_TOKEN_WWW_AUTHENTICATE, H2O_STRLIT("Bearer realm=\"ytexa\""));
    if (file) {
        send_file(req, r->out_file, r->out_type);
        r->out_file = NULL;
        access_log(r, req->res.status, start);
        return;
    }
    req->res.content_length = len;
    h2o_send_inline(req, body, len);
    access_log(r, status, start);
}

static void finish(struct job *j)
{
    if (j->hreq) {
        *j->alive = NULL;
        if (j->r.upgrade_ws && j->ws_key && !j->r.err)
            yx_ws_upgrade(j->hreq, j->ws_key, &j->r);
        else
            send_answer(j->hreq, &j->r, j->status, j->answer ? j->answer : "{}",
                        j->answer ? j->answer_len : 2, j->start);
    }
    job_free(j);
}

/* On the audit writer's thread: the job's event is durable (or could not be written). */
static void on_audited(void *arg, int rc)
{
    struct job *j = arg;
    int wake = 0;
    pthread_mutex_lock(&S.audit_mu);
    j->audit_done = 1;
    j->audit_rc = rc;
    if (j->parked) {
        j->next = S.audited;
        S.audited = j;
        wake = 1;
    }
    pthread_mutex_unlock(&S.audit_mu);
    if (wake)
        uv_async_send(&S.audit_async);
}

/* Runs j's request and renders its answer, on any thread but the loop. 1 with *ev filled when the
 * answer must wait for its audit event to be durable. */
static int run_job(struct job *j, struct yx_audit_event *ev)
{
    yx_dispatch(&j->r, (size_t)S.cfg->max_body);
    j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
    if (!j->r.audit_deferred)
        return 0;
    yx_audit_request_event(&j->r, j->r.audit_outcome, ev);
    j->audit_wait = 1;
    return 1;
}

static void on_work(uv_work_t *w)
{
    struct job *j = w->data;
    struct yx_audit_event ev;
    if (run_job(j, &ev) && yx_audit_enqueue(&ev, on_audited, j) != 0)
        on_audited(j, YX_EUNAVAIL);
}

/* Patient data goes out only with its audit event written; if that failed, a 500 instead. */
static void finish_audited(struct job *j)
{
    S.inflight--;
    if (j->audit_rc != 0 && !j->r.err) {
        yx_log(YX_LOG_ERROR, "audit: event of request %s not written: %s", j->r.id, yx_err_name(j->audit_rc));
        yx_fail(&j->r, YX_EDB, "Lỗi máy chủ / server error (request %s).", j->r.id);
        free(j->answer);
        j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
    }
    finish(j);
}

static void on_audit_async(uv_async_t *a)
{
    (void)a;
    pthread_mutex_lock(&S.audit_mu);
    struct job *list = S.audited;
    S.audited = NULL;
    pthread_mutex_unlock(&S.audit_mu);
    for (struct job *j = list, *next; j; j = next) {
        next = j->next;
        finish_audited(j);
    }
}

/* Appends j to the queue head..tail (the heavy jobs' on the loop, the reads thread's). */
static void fifo_push(struct job **head, struct job **tail, struct job *j)
{
    j->next = NULL;
    if (*tail)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;
}

#define READS_BATCH 256

/* On the reads thread: every job of the batch run, their events handed to the audit writer at
 * once; a job with no event to wait for goes straight back to the loop. */
static void reads_run(struct job *batch)
{
    struct yx_audit_event evs[READS_BATCH];
    void *args[READS_BATCH];
    size_t n = 0;
    for (struct job *j = batch, *next; j; j = next) {
        next = j->next;
        j->parked = 1;
        if (run_job(j, &evs[n]))
            args[n++] = j;
        else
            on_audited(j, 0);
    }
    if (n && yx_audit_enqueue_many(evs, n, on_audited, args) != 0)
        for (size_t i = 0; i < n; i++)
            on_audited(args[i], YX_EUNAVAIL);
}

static void *reads_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&RD.mu);
    for (;;) {
        while (!RD.head && !RD.stopping) {
            RD.waiting++;
            pthread_cond_wait(&RD.cv, &RD.mu);
            RD.waiting--;
        }
        if (!RD.head)
            break;
        /* A share of what is queued, so that several threads (PostgreSQL) each take some. */
        int take = RD.queued / RD.nthreads + 1, k = 1;
        struct job *batch = RD.head, *last = batch;
        for (; last->next && k < take && k < READS_BATCH; k++)
            last = last->next;
        RD.queued -= k;
        RD.head = last->next;
        if (!RD.head)
            RD.tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&RD.mu);
        reads_run(batch);
        pthread_mutex_lock(&RD.mu);
    }
    pthread_mutex_unlock(&RD.mu);
    yx_db_thread_close();
    return NULL;
}

/* On the loop: queue j for the reads thread, waking it only if it sleeps. 0 when queued. */
static int reads_queue(struct job *j)
{
    pthread_mutex_lock(&RD.mu);
    int ok = RD.nthreads > 0 && !RD.stopping;
    if (ok) {
        fifo_push(&RD.head, &RD.tail, j);
        RD.queued++;
        if (RD.waiting)
            pthread_cond_signal(&RD.cv);
    }
    pthread_mutex_unlock(&RD.mu);
    return ok ? 0 : -1;
}

static int reads_start(void)
{
    int want = yx_db_url_is_postgres(S.cfg->db_url) ? READS_THREADS_MAX : 1;
    RD.stopping = 0;
    for (; RD.nthreads < want; RD.nthreads++)
        if (pthread_create(&RD.thread[RD.nthreads], NULL, reads_main, NULL) != 0)
            return YX_EINTERNAL;
    return 0;
}

/* Runs what is queued, then ends the thread; the answers reach the loop while it drains. */
static void reads_stop(void)
{
    pthread_mutex_lock(&RD.mu);
    RD.stopping = 1;
    pthread_cond_broadcast(&RD.cv);
    pthread_mutex_unlock(&RD.mu);
    for (; RD.nthreads > 0; RD.nthreads--)
        pthread_join(RD.thread[RD.nthreads - 1], NULL);
}

static void start_job(struct job *j);

/* The gate a route's requests go through, or NULL. */
static struct gate *gate_of(const struct yx_route *rt)
{
    for (int g = 0; g < GATES; g++)
        if (rt->flags & S.gates[g].flag)
            return &S.gates[g];
    return NULL;
}

static int gate_limit(const struct gate *g)
{
    int n = g == &S.gates[GATE_HASH] ? S.cfg->hash_concurrency : S.cfg->image_concurrency;
    return n > 0 ? n : 1;
}

static int gates_queued(void)
{
    int n = 0;
    for (int g = 0; g < GATES; g++)
        n += S.gates[g].queued;
    return n;
}

static void on_work_done(uv_work_t *w, int status)
{
    (void)status;
    struct job *j = w->data;
    struct gate *g = gate_of(j->r.route);
    if (g) {
        g->running--;
        if (g->head) {
            struct job *next = g->head;
            g->head = next->next;
            if (!g->head)
                g->tail = NULL;
            g->queued--;
            S.inflight--; /* start_job counts it again */
            start_job(next);
        }
    }
    if (j->audit_wait) {
        pthread_mutex_lock(&S.audit_mu);
        int wait = !j->audit_done;
        j->parked = wait;
        pthread_mutex_unlock(&S.audit_mu);
        if (wait)
            return; /* on_audit_async answers it */
    }
    finish_audited(j);
}

static void start_job(struct job *j)
{
    S.inflight++;
    struct gate *g = gate_of(j->r.route);
    if (g) {
        if (g->running >= gate_limit(g)) {
            fifo_push(&g->head, &g->tail, j);
            g->queued++;
            return;
        }
        g->running++;
    }
    if ((j->r.route->flags & YX_R_BATCH) && yx_audit_writer_running() && reads_queue(j) == 0)
        return;
    j->work.data = j;
    uv_queue_work(S.loop, &j->work, on_work, on_work_done);
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
    if (S.accept_ctx.ssl_ctx)
        return "https";
    const char *xfp = S.cfg->trust_proxy ? header(req, r, H2O_STRLIT("x-forwarded-proto")) : NULL;
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
    int no_host = !req->authority.base || req->authority.base == S.config.hosts[0]->authority.hostport.base;
    r->host = no_host ? NULL : yx_arena_strndup(&r->arena, req->authority.base, req->authority.len);
    r->ws_protocol = header(req, r, H2O_STRLIT("sec-websocket-protocol"));
    for (size_t i = 0; i < req->headers.size; i++) {
        h2o_iovec_t n = *req->headers.entries[i].name, v = req->headers.entries[i].value;
        int ours = (n.len > 4 && strncasecmp(n.base, "tus-", 4) == 0) ||
                   (n.len > 7 && strncasecmp(n.base, "upload-", 7) == 0);
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
    if (!S.cfg->trust_proxy)
        xff = NULL;
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        if (*last && strlen(last) < sizeof r->addr)
            snprintf(r->addr, sizeof r->addr, "%s", last);
    }
    snprintf(r->id, sizeof r->id, "%08x-%llx", S.instance, (unsigned long long)++S.counter);
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

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    h2o_iovec_t p = req->path_normalized;
    int api =
        (p.len >= 5 && memcmp(p.base, "/api/", 5) == 0) || (p.len >= 6 && memcmp(p.base, "/fhir/", 6) == 0) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/healthz")) || h2o_memis(p.base, p.len, H2O_STRLIT("/readyz")) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/metrics")) || h2o_memis(p.base, p.len, H2O_STRLIT("/ws")) ||
        h2o_memis(p.base, p.len, H2O_STRLIT("/api"));
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
    int code = 0;
    j->r.route = nul ? NULL : yx_route_match(S.routes, &j->r, &code);
    if (!j->r.route || S.shutting_down) {
        if (S.shutting_down)
            yx_fail(&j->r, YX_EUNAVAIL, "The server is restarting; try again in a moment.");
        else if (nul)
            yx_fail(&j->r, YX_EINVAL,
                    "Đường dẫn chứa ký tự NUL (%%00) / the URL contains a NUL character (%%00).");
        else if (code == YX_EMETHOD)
            yx_fail(&j->r, code, "%s is not allowed on %s.", j->r.method, j->r.path);
        else
            yx_fail(&j->r, code, "No such endpoint: %s.", j->r.path);
        char *a = yx_render_answer(&j->r, &j->status, &j->answer_len);
        send_answer(req, &j->r, j->status, a ? a : "{}", a ? j->answer_len : 2, j->start);
        free(a);
        job_free(j);
        return 0;
    }
    if (h2o_memis(p.base, p.len, H2O_STRLIT("/ws")) && h2o_is_websocket_handshake(req, &j->ws_key) != 0)
        j->ws_key = NULL;
    if (j->r.route->flags & YX_R_LOOP) {
        yx_dispatch(&j->r, (size_t)S.cfg->max_body);
        j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
        j->hreq = req;
        struct job *slot = j;
        j->alive = &slot;
        finish(j);
        return 0;
    }
    struct gate *g = gate_of(j->r.route);
    if (g && g->queued >= g->queue_max) {
        yx_reply_header(&j->r, "retry-after", "2");
        yx_fail(&j->r, YX_EUNAVAIL,
                "Máy chủ đang bận; thử lại sau vài giây / the server is busy; try again in a few "
                "seconds.");
        char *a = yx_render_answer(&j->r, &j->status, &j->answer_len);
        send_answer(req, &j->r, j->status, a ? a : "{}", a ? j->answer_len : 2, j->start);
        free(a);
        job_free(j);
        return 0;
    }
    j->hreq = req;
    j->alive = h2o_mem_alloc_shared(&req->pool, sizeof(struct job *), on_req_dispose);
    *j->alive = j;
    start_job(j);
    return 0;
}

static void on_accept(uv_stream_t *listener, int status)
{
    if (status != 0)
        return;
    uv_tcp_t *conn = h2o_mem_alloc(sizeof *conn);
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    uv_tcp_nodelay(conn, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free);
    h2o_accept(&S.accept_ctx, sock);
}

static void on_drain_tick(uv_timer_t *t)
{
    /* Exit when nothing is in flight, or after 20 s whatever is left. */
    if ((S.inflight == 0 && gates_queued() == 0 && uv_hrtime() - S.shutdown_at > 200000000ull) ||
        uv_hrtime() - S.shutdown_at > 20000000000ull) {
        uv_timer_stop(t);
        uv_stop(S.loop);
    }
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    if (S.shutting_down)
        return;
    yx_log(YX_LOG_INFO, "signal %d: no new connections, finishing %d requests in flight", signum, S.inflight);
    S.shutting_down = 1;
    S.shutdown_at = uv_hrtime();
    uv_close((uv_handle_t *)&S.listener, NULL);
    h2o_context_request_shutdown(&S.ctx);
    yx_ws_close_all(1001, "server shutting down");
    uv_timer_start(&S.drain_timer, on_drain_tick, 50, 50);
}

/* The page's Content-Security-Policy. It connects to its own origin and the hub's WebSocket, and
 * to Janus's HTTP API when that is on another origin (--janus-public-url with a scheme): the
 * browser then needs Janus's origin named. */
static h2o_iovec_t content_security_policy(const struct yx_config *cfg)
{
    static char csp[640];
    char janus[300] = "";
    const char *u = cfg->janus_public_url;
    if (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) {
        const char *host = strstr(u, "//") + 2;
        size_t n = (size_t)(host - u) + strcspn(host, "/?#");
        yx_snprintf(janus, sizeof janus, " %.*s", (int)n, u);
    }
    yx_snprintf(
        csp, sizeof csp,
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: "
        "wss:%s; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        janus);
    return h2o_iovec_init(csp, strlen(csp));
}

static void register_static(h2o_hostconf_t *host, const struct yx_config *cfg)
{
    const char *web_dir = cfg->web_dir;
    static const char *index_files[] = {"index.html", NULL};
    static h2o_iovec_t nosniff_name = {H2O_STRLIT("x-content-type-options")};
    static h2o_iovec_t csp_name = {H2O_STRLIT("content-security-policy")};
    static h2o_iovec_t referrer_name = {H2O_STRLIT("referrer-policy")};
    static h2o_headers_command_t common[] = {
        {H2O_HEADERS_CMD_SETIFEMPTY, &nosniff_name, {H2O_STRLIT("nosniff")}},
        {H2O_HEADERS_CMD_SETIFEMPTY, &referrer_name, {H2O_STRLIT("no-referrer")}},
        {H2O_HEADERS_CMD_SETIFEMPTY, &csp_name, {NULL, 0}},
        {H2O_HEADERS_CMD_SETIFEMPTY, (h2o_iovec_t *)&H2O_TOKEN_CACHE_CONTROL->buf, {H2O_STRLIT("no-cache")}},
        {H2O_HEADERS_CMD_NULL, NULL, {NULL, 0}},
    };
    common[2].value = content_security_policy(cfg);
    /* Vite names built assets by content hash, so they can be cached for a year. */
    h2o_pathconf_t *assets = h2o_config_register_path(host, "/assets", 0);
    h2o_expires_args_t year = {H2O_EXPIRES_MODE_MAX_AGE, {.max_age = 31536000}};
    char assets_dir[600];
    snprintf(assets_dir, sizeof assets_dir, "%s/assets", web_dir);
    /* Ahead of the files here too, for its refusal of a NUL in the path; it passes the rest on. */
    h2o_handler_t *guard = h2o_create_handler(assets, sizeof *guard);
    guard->on_req = on_req;
    h2o_file_register(assets, assets_dir, index_files, NULL, 0);
    h2o_expires_register(assets, &year);
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *api = h2o_create_handler(root, sizeof *api);
    api->on_req = on_req;
    h2o_file_register(root, web_dir, index_files, NULL, 0);
    h2o_headers_register(root, common);
}

static SSL_CTX *tls_context(const struct yx_config *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
        yx_log(YX_LOG_ERROR, "tls: cannot load %s / %s", cfg->tls_cert, cfg->tls_key);
        SSL_CTX_free(ctx);
        return NULL;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    return ctx;
}

int yx_server_run(const struct yx_config *cfg)
{
    int rc = YX_EINTERNAL;
    struct sockaddr_storage addr;
    memset(&S, 0, sizeof S);
    S.cfg = cfg;
    S.gates[GATE_HASH] = (struct gate){.flag = YX_R_HEAVY, .queue_max = 256};
    /* A scaled image takes up to a second or so: beyond 32 waiting the answer comes too late to
     * be worth waiting for. */
    S.gates[GATE_IMAGE] = (struct gate){.flag = YX_R_IMAGE, .queue_max = 32};
    S.routes = yx_app_routes();
    yx_metrics_configure(cfg->metrics_token);
    yx_random(&S.instance, sizeof S.instance);
    S.loop = uv_default_loop();
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&S.config);
    /* h2o 2.2 buffers a whole body before our handler sees it and answers larger ones itself,
     * in plain text. Up to this size we answer 413 in JSON (bodies over --max-body), and upload
     * chunks fit under it. */
    S.config.max_request_entity_size = 16 * 1024 * 1024;
    h2o_hostconf_t *host = h2o_config_register_host(&S.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    register_static(host, cfg);
    h2o_context_init(&S.ctx, S.loop, &S.config);
    S.accept_ctx.ctx = &S.ctx;
    S.accept_ctx.hosts = S.config.hosts;
    if (cfg->tls_cert[0] && !(S.accept_ctx.ssl_ctx = tls_context(cfg)))
        goto out;

    if (uv_ip4_addr(cfg->host, cfg->port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(cfg->host, cfg->port, (struct sockaddr_in6 *)&addr) != 0) {
        yx_log(YX_LOG_ERROR, "cannot parse listen address %s", cfg->host);
        goto out;
    }
    uv_tcp_init(S.loop, &S.listener);
    int e;
    if ((e = uv_tcp_bind(&S.listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (e = uv_listen((uv_stream_t *)&S.listener, 1024, on_accept)) != 0) {
        yx_log(YX_LOG_ERROR, "cannot listen on %s:%d: %s", cfg->host, cfg->port, uv_strerror(e));
        uv_close((uv_handle_t *)&S.listener, NULL);
        goto out;
    }
    uv_signal_init(S.loop, &S.sigterm);
    uv_signal_start(&S.sigterm, on_signal, SIGTERM);
    uv_signal_init(S.loop, &S.sigint);
    uv_signal_start(&S.sigint, on_signal, SIGINT);
    uv_timer_init(S.loop, &S.drain_timer);
    pthread_mutex_init(&S.audit_mu, NULL);
    uv_async_init(S.loop, &S.audit_async, on_audit_async);
    uv_async_init(S.loop, &S.post_async, on_post_async);
    yx_buf_init(&S.access, 1 << 20);
    uv_prepare_init(S.loop, &S.access_flush);
    uv_prepare_start(&S.access_flush, access_flush);
    uv_unref((uv_handle_t *)&S.access_flush);
    pthread_mutex_lock(&P.mu);
    P.open = 1;
    pthread_mutex_unlock(&P.mu);
    yx_ws_init(S.loop, cfg->ws_rate, cfg->ws_burst);
    /* The bus posts the other instances' messages to the loop: it starts once posts are taken,
     * and stops when the loop has, before posts are refused. */
    if (yx_hub_attach(cfg->db_url) != 0) {
        yx_log(YX_LOG_ERROR, "cannot start the hub's bus");
        goto out;
    }
    if (yx_audit_writer_start() != 0 || reads_start() != 0) {
        yx_log(YX_LOG_ERROR, "cannot start the audit writer and the reads thread");
        reads_stop();
        yx_audit_writer_stop();
        yx_hub_detach();
        goto out;
    }
    yx_log(YX_LOG_INFO, "listening on %s://%s:%d", S.accept_ctx.ssl_ctx ? "https" : "http", cfg->host,
           cfg->port);
    uv_run(S.loop, UV_RUN_DEFAULT);
    yx_hub_detach();
    uv_close((uv_handle_t *)&S.sigterm, NULL);
    uv_close((uv_handle_t *)&S.sigint, NULL);
    uv_close((uv_handle_t *)&S.drain_timer, NULL);
    reads_stop();
    yx_audit_writer_stop();
    uv_close((uv_handle_t *)&S.audit_async, NULL);
    pthread_mutex_lock(&P.mu);
    P.open = 0;
    pthread_mutex_unlock(&P.mu);
    on_post_async(NULL); /* what was posted before the door closed still runs */
    uv_close((uv_handle_t *)&S.post_async, NULL);
    yx_ws_fini();
    access_flush(NULL);
    uv_close((uv_handle_t *)&S.access_flush, NULL);
    yx_buf_release(&S.access);
    yx_log(YX_LOG_INFO, "stopped");
    rc = 0;
out:
    if (S.accept_ctx.ssl_ctx)
        SSL_CTX_free(S.accept_ctx.ssl_ctx);
    return rc;
}
