/* A request's trip off the loop and back. The loop sends an API request through its gate (if its
 * route has one), then to the reads thread (YX_R_BATCH) or to libuv's worker pool, where
 * yx_dispatch() runs it with the worker's own database connection; the answer comes back to the
 * loop, where it is sent at once or, for an audited read, once its event is durable. Writes on
 * SQLite go to the writes thread (writes.c), which commits them in groups. */
#include "dispatch.h"
#include "server_internal.h"
#include "ytexa/config.h"

int yx_job_run(struct job *j)
{
    yx_dispatch(&j->r, &yx_srv.setup->pipeline, (size_t)yx_srv.cfg->max_body);
    j->answer = yx_render_answer(&j->r, &j->status, &j->answer_len);
    if (!j->r.audit_deferred)
        return 0;
    j->audit_wait = 1;
    return 1;
}

static void on_work(uv_work_t *w)
{
    struct job *j = w->data;
    struct yx_req *r = &j->r;
    void *arg = j;
    if (yx_job_run(j) && yx_srv.setup->pipeline.defer(&r, 1, yx_audited_done, &arg) != 0)
        yx_audited_done(j, YX_EUNAVAIL);
}

static void on_work_done(uv_work_t *w, int status)
{
    (void)status;
    struct job *j = w->data;
    yx_gate_leave(j);
    if (yx_audited_park(j))
        return; /* answered once its event is durable */
    yx_audited_answer(j);
}

void yx_job_start(struct job *j)
{
    yx_srv.inflight++;
    if (yx_gate_enter(j))
        return;
    if ((j->r.route->flags & YX_R_BATCH) && yx_srv.deferrable() && yx_reads_queue(j) == 0)
        return;
    if (yx_writes_take(j) && yx_writes_queue(j) == 0)
        return;
    j->work.data = j;
    uv_queue_work(yx_srv.loop, &j->work, on_work, on_work_done);
}
