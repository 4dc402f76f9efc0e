/* Group commit of writes (SQLite). SQLite has one writer at a time and makes each commit durable
 * with an fsync of its log, so writes were as fast as the disk syncs: about 2k creates a second,
 * every worker waiting for the write lock in turn. Here the loop queues write requests for one
 * writes thread, which takes all that are queued (up to the group-commit setting, 64), runs each in a
 * savepoint of one transaction (yx_db_begin nests), and commits once: one sync for the whole group. A request
 * that fails rolls back its own savepoint alone, its refusal audited in the group; the answers go out only
 * after the commit, so every acknowledged write (and its audit event) is durable. If the commit fails, or an
 * error makes SQLite drop the transaction midway, every request of the group that had run is answered 503 and
 * nothing of it stays.
 *
 * PostgreSQL needs none of this: its connections write side by side and PostgreSQL groups their
 * commits' log flushes itself, so writes there stay on the worker pool. Routes that manage their
 * own transactions (YX_R_NOTX), take raw bodies (uploads), run on the loop or pass a gate keep
 * their own path too. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "server_internal.h"
#include "ytexa/config.h"

static struct {
    pthread_t thread;
    int running, stopping, waiting;
    int batch; /* writes a commit at most (the group-commit setting) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    _Atomic unsigned long long groups, writes; /* commits made, requests run (/metrics) */
} WR = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Answers every job from first up to (not including) stop 503: their work was lost. */
static void lost(struct job *first, struct job *stop)
{
    for (struct job *j = first; j != stop; j = j->next) {
        if (!j->r.err)
            yx_reply_header(&j->r, "retry-after", "5");
        yx_fail(&j->r, YX_EUNAVAIL,
                "Máy chủ chưa lưu được; hãy thử lại (yêu cầu %s) / The server could not save this; try again "
                "(request %s).",
                j->r.id, j->r.id);
        free(j->answer);
        j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
    }
}

/* Hands the jobs from first up to stop back to the loop. */
static void deliver(struct job *first, struct job *stop)
{
    for (struct job *j = first, *next; j != stop; j = next) {
        next = j->next;
        j->parked = 1;
        yx_audited_done(j, 0);
    }
}

/* On the writes thread: the batch in one transaction. A job whose answer is ready is held until
 * the commit; when the transaction is lost midway, the jobs before are answered 503 and a new
 * one starts for the rest. */
static void writes_run(struct job *batch)
{
    struct yx_db *db = yx_db_thread();
    struct job *group = batch; /* the first job of the open transaction */
    int auth_changed = 0;
    int open = db && yx_db_begin(db) == 0;
    for (struct job *j = batch, *rest; j; j = rest) {
        rest = j->next; /* j may be answered (and freed) below */
        WR.writes++;
        /* Without the shared transaction the request runs in one of its own, as on a worker. */
        yx_job_run(j);
        auth_changed |= j->r.auth_changed;
        if (open && !yx_db_tx_alive(db)) {
            yx_db_rollback(db);
            lost(group, rest);
            deliver(group, rest);
            group = rest;
            open = yx_db_begin(db) == 0;
        }
    }
    if (open && group && yx_db_commit(db) != 0)
        lost(group, NULL);
    else if (open && !group)
        yx_db_rollback(db);
    WR.groups++;
    /* Sessions forgotten at each request's release may have been read again before the commit. */
    if (auth_changed)
        yx_srv.setup->pipeline.sessions_changed();
    deliver(group, NULL);
}

static void *writes_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&WR.mu);
    for (;;) {
        while (!WR.head && !WR.stopping) {
            WR.waiting = 1;
            pthread_cond_wait(&WR.cv, &WR.mu);
            WR.waiting = 0;
        }
        if (!WR.head)
            break;
        struct job *batch = WR.head, *last = batch;
        for (int k = 1; last->next && k < WR.batch; k++)
            last = last->next;
        WR.head = last->next;
        if (!WR.head)
            WR.tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&WR.mu);
        writes_run(batch);
        pthread_mutex_lock(&WR.mu);
    }
    pthread_mutex_unlock(&WR.mu);
    yx_db_thread_close();
    return NULL;
}

void yx_writes_counts(double *groups, double *writes)
{
    *groups = (double)WR.groups;
    *writes = (double)WR.writes;
}

int yx_writes_take(const struct job *j)
{
    const struct yx_route *rt = j->r.route;
    return WR.running && yx_route_writes(&j->r, rt) && !j->ws_key &&
           !(rt->flags & (YX_R_NOTX | YX_R_LOOP | YX_R_RAW | YX_R_BATCH)) && !yx_gated(rt);
}

int yx_writes_queue(struct job *j)
{
    pthread_mutex_lock(&WR.mu);
    int ok = WR.running && !WR.stopping;
    if (ok) {
        j->next = NULL;
        if (WR.tail)
            WR.tail->next = j;
        else
            WR.head = j;
        WR.tail = j;
        if (WR.waiting)
            pthread_cond_signal(&WR.cv);
    }
    pthread_mutex_unlock(&WR.mu);
    return ok ? 0 : -1;
}

int yx_writes_start(const struct yx_config *cfg)
{
    if (yx_db_url_is_postgres(cfg->db_url) || cfg->group_commit <= 0)
        return 0;
    WR.stopping = 0;
    WR.batch = cfg->group_commit;
    if (pthread_create(&WR.thread, NULL, writes_main, NULL) != 0)
        return YX_EINTERNAL;
    WR.running = 1;
    return 0;
}

/* Runs what is queued, then ends the thread. */
void yx_writes_stop(void)
{
    pthread_mutex_lock(&WR.mu);
    WR.stopping = 1;
    int running = WR.running;
    pthread_cond_signal(&WR.cv);
    pthread_mutex_unlock(&WR.mu);
    if (running)
        pthread_join(WR.thread, NULL);
    WR.running = 0;
}
