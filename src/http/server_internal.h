/* Internal to src/http: what the files of the server share. Each file does one job:
 *
 *   server.c      start and stop: the listener, TLS, signals, draining
 *   h2o_req.c     h2o's request → struct yx_req, and the answer back to h2o
 *   job.c         a request's trip from the loop to a worker (or the reads thread) and back
 *   gate.c        the FIFO gates of CPU-bound routes (hashing, images)
 *   reads.c       the reads thread (YX_R_BATCH routes)
 *   writes.c      the writes thread: group commit of write requests on SQLite
 *   audited.c     answers of audited reads, parked until their events are durable
 *   access_log.c  the access log, one write a turn of the loop
 *   file_send.c   a file as an answer's body, with byte ranges
 *   static.c      the web app's files and their headers
 *   loop.c        the loop's helpers for the rest of the program (include/ytexa/loop.h)
 *   websocket.c   WebSocket connections
 *   dispatch.c    the request pipeline on the worker (dispatch.h)
 */
#ifndef YTEXA_HTTP_SERVER_INTERNAL_H
#define YTEXA_HTTP_SERVER_INTERNAL_H

#include <h2o.h>
#include <h2o/websocket.h>
#include <uv.h>

#include "ytexa/http.h"

#include "ytexa/server.h"

struct yx_config;

/* One API request on its way: the request as handlers see it, the h2o request it answers, and
 * where it waits. */
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
    /* An audited read waits for its event to be committed by the audit writer (guarded by the
     * parking's lock, audited.c): done once committed, parked once the worker has finished with
     * the job. */
    int audit_wait, audit_done, audit_rc, parked;
};

/* The server's state, owned by server.c. */
struct yx_http_server {
    uv_loop_t *loop;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    const struct yx_route *routes;
    const struct yx_config *cfg;
    const struct yx_server_setup *setup;
    int (*deferrable)(void); /* the pipeline's, or one that says no when it has none */
    int shutting_down;
    int inflight;      /* requests and loop work not finished: the drain waits for 0 */
    uint32_t instance; /* random, in every request id of this instance */
    uint64_t counter;  /* requests so far */
};
extern struct yx_http_server yx_srv;

/* h2o_req.c. The handler h2o calls for every request (API requests; the rest falls through to the
 * web app's files). */
int yx_on_request(h2o_handler_t *self, h2o_req_t *req);
/* Answers j on its h2o request when the client is still there (or upgrades it to a WebSocket),
 * then frees j. */
void yx_job_finish(struct job *j);
void yx_job_free(struct job *j);

/* job.c. Sends j on its way: through its gate, to the reads thread or to a worker. */
void yx_job_start(struct job *j);
/* Runs j's request and renders its answer, on any thread but the loop. 1 when the answer must wait
 * for its audit event to be durable: the caller hands the request to the pipeline's defer. */
int yx_job_run(struct job *j);

/* gate.c. The gates' limits come from cfg. */
void yx_gates_init(const struct yx_config *cfg);
/* Is the gate of j's route full, so that the request is refused (503) rather than queued? */
int yx_gate_full(const struct job *j);
/* Takes a place in the gate of j's route: 1 when j waits in its queue (counted in flight), 0 when
 * it may run now (or its route has no gate). */
int yx_gate_enter(struct job *j);
/* Gives back the place j held and starts the next job that waited for it. */
void yx_gate_leave(struct job *j);
/* Does rt's requests pass a gate? */
int yx_gated(const struct yx_route *rt);
/* How many requests wait in the gates. */
int yx_gates_queued(void);

/* reads.c. The reads thread(s): 1 on SQLite, 4 on PostgreSQL. start 0 or YX_EINTERNAL; stop runs
 * what is queued, then ends the threads. queue (on the loop) is 0 when j was queued. */
int yx_reads_start(const struct yx_config *cfg);
void yx_reads_stop(void);
int yx_reads_queue(struct job *j);

/* writes.c. Group commit of writes on SQLite: one thread runs the queued write requests in one
 * transaction. take (on the loop): does j go there? queue: 0 when j was queued. stop runs what is
 * queued, then ends the thread. */
int yx_writes_start(const struct yx_config *cfg);
void yx_writes_stop(void);
int yx_writes_take(const struct job *j);
int yx_writes_queue(struct job *j);
/* Groups committed and write requests run by the writes thread so far. */
void yx_writes_counts(double *groups, double *writes);

/* audited.c. Answers of audited reads wait here for their event. */
void yx_audited_init(uv_loop_t *loop);
void yx_audited_fini(void);
/* On the audit writer's thread (or any): j's event is durable (rc 0) or could not be written. */
void yx_audited_done(void *arg, int rc);
/* On the loop, once the worker has finished with j: 1 when j waits for its event (it is answered
 * when the event is durable), 0 when it may be answered now with yx_audited_answer(). */
int yx_audited_park(struct job *j);
/* Answers j, with a 500 instead of the data when its event could not be written. */
void yx_audited_answer(struct job *j);

/* access_log.c. One JSON line a request, gathered for a turn of the loop and written at its end. */
void yx_access_log_init(uv_loop_t *loop);
void yx_access_log_fini(void);
void yx_access_log(struct yx_req *r, int status, uint64_t start);

/* file_send.c. Starts the answer with the open file f (status and other headers already set),
 * taking it; serves a "Range: bytes=" request with 206 or 416. */
void yx_send_file(h2o_req_t *req, struct yx_file_body *f, const char *type);

/* static.c. The web app's files under cfg->web_dir on host, behind yx_on_request. */
void yx_static_register(h2o_hostconf_t *host, const struct yx_config *cfg);

/* loop.c. Opens yx_loop_post() and yx_loop_work() on loop, and closes them (what was posted
 * before still runs). */
void yx_loop_open(uv_loop_t *loop);
void yx_loop_close(void);

/* websocket.c. Upgrades an authorized /ws request to a WebSocket connection. */
void yx_ws_upgrade(h2o_req_t *req, const char *client_key, struct yx_req *r);
/* The same socket on a connection made otherwise (fuzz/fuzz_ws.c: its frames come from the fuzzer's
 * bytes): conn's wslay context is set up, and its callbacks call conn->cb, as h2o's do; conn's data
 * and cb are set here, and the owner h is told the socket opened. The connection ends, as h2o ends
 * one, by calling conn->cb(conn, NULL), which closes conn (h2o_websocket_close). NULL when out of
 * memory. */
struct yx_ws *yx_ws_adopt(h2o_websocket_conn_t *conn, const struct yx_ws_handler *h,
                          const struct yx_principal *who, const char *token, const char *addr);
/* Sets up the sockets' flushing and keepalive on the loop, with the per-socket message rate and
 * burst; fini closes those handles. */
void yx_ws_init(uv_loop_t *loop, int rate, int burst);
void yx_ws_fini(void);
/* Closes every WebSocket with the given status (1001 when the server goes away). */
void yx_ws_close_all(int code, const char *reason);
/* The value of cookie `name` in a Cookie header, copied into the arena; NULL when absent. */
const char *yx_cookie_value(struct yx_arena *a, const char *header, const char *name);

#endif
