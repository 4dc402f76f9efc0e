/* The audit writer: group commit for the events of reads. A read of patient data must not be
 * answered before its audit event is durable, but a transaction (and an fsync) per read would cap
 * reads at the disk's commit rate. Readers queue their events here; one thread appends every
 * queued event in one transaction and then tells each reader, so one commit covers a whole batch
 * (the way PostgreSQL's WAL writer and SQLite applications group commits). Writes still record
 * their event inside their own transaction (src/http/dispatch.c). */
#include <pthread.h>
#include <stdlib.h>

#include "ytexa/audit.h"

#define BATCH_MAX 512

struct pending {
    struct yx_audit_event ev;
    void (*done)(void *arg, int rc);
    void *arg;
    struct pending *next;
};

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pending *head, *tail;
    size_t pending; /* events queued */
    int running, stopping;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Takes up to BATCH_MAX events off the queue, waiting for one; NULL when stopping and empty. */
static struct pending *take_batch(void)
{
    pthread_mutex_lock(&W.mu);
    while (!W.head && !W.stopping)
        pthread_cond_wait(&W.cv, &W.mu);
    struct pending *batch = W.head, *last = W.head;
    size_t n = last ? 1 : 0;
    for (; last && last->next && n < BATCH_MAX; n++)
        last = last->next;
    W.pending -= n;
    if (last) {
        W.head = last->next;
        if (!W.head)
            W.tail = NULL;
        last->next = NULL;
    }
    pthread_mutex_unlock(&W.mu);
    return batch;
}

/* Appends the batch in one transaction. If that fails, each event is tried on its own, so one
 * event the database refuses does not take the others with it. */
static void write_batch(struct yx_db *db, struct pending *batch)
{
    const struct yx_audit_event *evs[BATCH_MAX] = {0};
    size_t n = 0;
    for (struct pending *p = batch; p && n < BATCH_MAX; p = p->next)
        evs[n++] = &p->ev;
    int rc = db ? yx_audit_append_many(db, evs, n) : YX_EUNAVAIL;
    for (struct pending *p = batch, *next; p; p = next) {
        next = p->next;
        int one = rc == 0 ? 0 : db && n > 1 ? yx_audit_append(db, &p->ev) : rc;
        p->done(p->arg, one);
        free(p);
    }
}

static void *writer_main(void *unused)
{
    (void)unused;
    struct pending *batch;
    while ((batch = take_batch()) != NULL)
        write_batch(yx_db_thread(), batch);
    yx_db_thread_close();
    return NULL;
}

int yx_audit_writer_start(void)
{
    pthread_mutex_lock(&W.mu);
    W.stopping = 0;
    int rc = W.running ? 0 : pthread_create(&W.thread, NULL, writer_main, NULL);
    if (rc == 0)
        W.running = 1;
    pthread_mutex_unlock(&W.mu);
    return rc == 0 ? 0 : YX_EINTERNAL;
}

void yx_audit_writer_stop(void)
{
    pthread_mutex_lock(&W.mu);
    int running = W.running;
    W.stopping = 1;
    pthread_cond_signal(&W.cv);
    pthread_mutex_unlock(&W.mu);
    if (running)
        pthread_join(W.thread, NULL);
    pthread_mutex_lock(&W.mu);
    W.running = 0;
    pthread_mutex_unlock(&W.mu);
}

int yx_audit_writer_running(void)
{
    pthread_mutex_lock(&W.mu);
    int running = W.running && !W.stopping;
    pthread_mutex_unlock(&W.mu);
    return running;
}

static void free_pending(struct pending *p)
{
    for (struct pending *next; p; p = next) {
        next = p->next;
        free(p);
    }
}

/* Queues n events under one lock and one wake-up (a batch of reads run together). On an error
 * nothing was queued and no done is called. */
int yx_audit_enqueue_many(const struct yx_audit_event *evs, size_t n, void (*done)(void *arg, int rc),
                          void *const *args)
{
    struct pending *first = NULL, **link = &first, *last = NULL;
    for (size_t i = 0; i < n; i++, link = &last->next) {
        if (!(last = malloc(sizeof *last))) {
            free_pending(first);
            return YX_ENOMEM;
        }
        *last = (struct pending){evs[i], done, args[i], NULL};
        *link = last;
    }
    pthread_mutex_lock(&W.mu);
    int running = W.running;
    if (running && first) {
        if (W.tail)
            W.tail->next = first;
        else
            W.head = first;
        W.tail = last;
        W.pending += n;
        pthread_cond_signal(&W.cv);
    }
    pthread_mutex_unlock(&W.mu);
    if (!running)
        free_pending(first);
    return running ? 0 : YX_EUNAVAIL;
}

int yx_audit_enqueue(const struct yx_audit_event *ev, void (*done)(void *arg, int rc), void *arg)
{
    return yx_audit_enqueue_many(ev, 1, done, &arg);
}

size_t yx_audit_writer_pending(void)
{
    pthread_mutex_lock(&W.mu);
    size_t n = W.pending;
    pthread_mutex_unlock(&W.mu);
    return n;
}

int yx_audit_defer(struct yx_req *const *reqs, size_t n, void (*done)(void *arg, int rc), void *const *args)
{
    struct yx_audit_event evs[YX_AUDIT_DEFER_MAX];
    if (n > YX_AUDIT_DEFER_MAX)
        return YX_EINVAL;
    for (size_t i = 0; i < n; i++)
        yx_audit_request_event(reqs[i], reqs[i]->audit_outcome, &evs[i]);
    return yx_audit_enqueue_many(evs, n, done, args);
}

static double pending(void)
{
    return (double)yx_audit_writer_pending();
}

const struct yx_metric *yx_audit_metrics(void)
{
    static const struct yx_metric table[] = {
        {"ytexa_audit_queue", "gauge", "Audit events of reads waiting for the audit writer's commit.",
         pending},
        {NULL, NULL, NULL, NULL},
    };
    return table;
}
