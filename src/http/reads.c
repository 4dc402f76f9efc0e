/* The reads thread (YX_R_BATCH routes). On this kind of machine a thread hand-off costs more
 * than the read itself: through the worker pool, an audited read woke a worker, the audit writer
 * and the loop, each a context switch. The loop queues such reads here; one thread takes all that
 * are queued, runs them on its own connection, and hands their events to the audit writer at once;
 * the writer's commit answers them all with one wake-up of the loop (audited.c). */
#include <pthread.h>

#include "server_internal.h"
#include "ytexa/config.h"

#define READS_THREADS_MAX 4
#define READS_BATCH 256

static struct {
    pthread_t thread[READS_THREADS_MAX];
    int nthreads; /* 1 on SQLite (one reader does not wait on the disk); 4 on PostgreSQL, where each
                     query waits on the network */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    int queued, waiting, stopping;
} RD = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* On the reads thread: every job of the batch run, their events handed to the audit writer at
 * once; a job with no event to wait for goes straight back to the loop. */
static void reads_run(struct job *batch)
{
    struct yx_req *reqs[READS_BATCH];
    void *args[READS_BATCH];
    size_t n = 0;
    for (struct job *j = batch, *next; j; j = next) {
        next = j->next;
        j->parked = 1;
        if (yx_job_run(j)) {
            reqs[n] = &j->r;
            args[n++] = j;
        } else {
            yx_audited_done(j, 0);
        }
    }
    if (n && yx_srv.setup->pipeline.defer(reqs, n, yx_audited_done, args) != 0)
        for (size_t i = 0; i < n; i++)
            yx_audited_done(args[i], YX_EUNAVAIL);
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

/* On the loop: queue j for the reads thread, waking it only if it sleeps. */
int yx_reads_queue(struct job *j)
{
    pthread_mutex_lock(&RD.mu);
    int ok = RD.nthreads > 0 && !RD.stopping;
    if (ok) {
        j->next = NULL;
        if (RD.tail)
            RD.tail->next = j;
        else
            RD.head = j;
        RD.tail = j;
        RD.queued++;
        if (RD.waiting)
            pthread_cond_signal(&RD.cv);
    }
    pthread_mutex_unlock(&RD.mu);
    return ok ? 0 : -1;
}

int yx_reads_start(const struct yx_config *cfg)
{
    int want = yx_db_url_is_postgres(cfg->db_url) ? READS_THREADS_MAX : 1;
    RD.stopping = 0;
    for (; RD.nthreads < want; RD.nthreads++)
        if (pthread_create(&RD.thread[RD.nthreads], NULL, reads_main, NULL) != 0)
            return YX_EINTERNAL;
    return 0;
}

/* Runs what is queued, then ends the thread; the answers reach the loop while it drains. */
void yx_reads_stop(void)
{
    pthread_mutex_lock(&RD.mu);
    RD.stopping = 1;
    pthread_cond_broadcast(&RD.cv);
    pthread_mutex_unlock(&RD.mu);
    for (; RD.nthreads > 0; RD.nthreads--)
        pthread_join(RD.thread[RD.nthreads - 1], NULL);
}
