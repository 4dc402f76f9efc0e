/* Answers of audited reads, parked until their events are durable. A read of patient data must not
 * be answered before its audit event is written, but a transaction and an fsync per read would cap
 * the reads; so its worker (or the reads thread) queues the event for the audit writer, and the
 * answer waits here. The writer's commit wakes the loop once for the whole batch, and the loop
 * sends the parked answers — or a 500 where the batch could not be written. */
#include <pthread.h>
#include <stdlib.h>

#include "dispatch.h"
#include "server_internal.h"

static struct {
    uv_async_t async; /* wakes the loop when parked jobs' audit events are durable */
    pthread_mutex_t mu;
    struct job *durable; /* parked jobs whose events are durable, to be answered on the loop */
} D = {.mu = PTHREAD_MUTEX_INITIALIZER};

void yx_audited_done(void *arg, int rc)
{
    struct job *j = arg;
    int wake = 0;
    pthread_mutex_lock(&D.mu);
    j->audit_done = 1;
    j->audit_rc = rc;
    if (j->parked) {
        j->next = D.durable;
        D.durable = j;
        wake = 1;
    }
    pthread_mutex_unlock(&D.mu);
    if (wake)
        uv_async_send(&D.async);
}

int yx_audited_park(struct job *j)
{
    if (!j->audit_wait)
        return 0;
    pthread_mutex_lock(&D.mu);
    int wait = !j->audit_done;
    j->parked = wait;
    pthread_mutex_unlock(&D.mu);
    return wait;
}

/* Patient data goes out only with its audit event written; if that failed, a 503 with Retry-After
 * when the database cannot be reached now (PostgreSQL restarting: the read may simply be asked
 * again), a 500 otherwise. */
void yx_audited_answer(struct job *j)
{
    yx_srv.inflight--;
    if (j->audit_rc != 0 && !j->r.err) {
        yx_log(YX_LOG_ERROR, "audit: event of request %s not written: %s", j->r.id, yx_err_name(j->audit_rc));
        if (j->audit_rc == YX_EUNAVAIL)
            yx_fail_unavailable(&j->r);
        else
            yx_fail(&j->r, YX_EDB, "Lỗi máy chủ (yêu cầu %s) / server error (request %s).", j->r.id, j->r.id);
        free(j->answer);
        j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
    }
    yx_job_finish(j);
}

static void on_durable(uv_async_t *a)
{
    (void)a;
    pthread_mutex_lock(&D.mu);
    struct job *list = D.durable;
    D.durable = NULL;
    pthread_mutex_unlock(&D.mu);
    for (struct job *j = list, *next; j; j = next) {
        next = j->next;
        yx_audited_answer(j);
    }
}

void yx_audited_init(uv_loop_t *loop)
{
    uv_async_init(loop, &D.async, on_durable);
}

void yx_audited_fini(void)
{
    uv_close((uv_handle_t *)&D.async, NULL);
}
