/* The gates of CPU-bound work. Password hashing (YX_R_HEAVY), image scaling (YX_R_IMAGE) and
 * reports (YX_R_REPORT) each run at most their limit of requests at once (--hash-concurrency,
 * --image-concurrency, --report-concurrency); the
 * others wait in the gate's FIFO here on the loop, not in the worker pool, so a burst of one kind
 * never holds the workers every other request needs. A full queue is answered 503. */
#include "server_internal.h"
#include "ytexa/config.h"

struct gate {
    int flag;      /* the route flag that sends a request through this gate */
    int queue_max; /* waiting beyond this: 503 with Retry-After */
    int limit;     /* running at once */
    int running, queued;
    int peak; /* the most that ran at once since the start (for /metrics) */
    struct job *head, *tail;
};
enum { GATE_HASH, GATE_IMAGE, GATE_REPORT, GATES };

static struct gate G[GATES];

void yx_gates_init(const struct yx_config *cfg)
{
    G[GATE_HASH] = (struct gate){.flag = YX_R_HEAVY, .queue_max = 256};
    /* A scaled image takes up to a second or so: beyond 32 waiting the answer comes too late to
     * be worth waiting for. */
    G[GATE_IMAGE] = (struct gate){.flag = YX_R_IMAGE, .queue_max = 32};
    /* A dashboard sends a page's requests at most 4 at a time; 64 waiting is a dozen of them. */
    G[GATE_REPORT] = (struct gate){.flag = YX_R_REPORT, .queue_max = 64};
    G[GATE_HASH].limit = cfg->hash_concurrency > 0 ? cfg->hash_concurrency : 1;
    G[GATE_REPORT].limit = cfg->report_concurrency > 0 ? cfg->report_concurrency : 1;
    G[GATE_IMAGE].limit = cfg->image_concurrency > 0 ? cfg->image_concurrency : 1;
}

/* The gate a route's requests go through, or NULL. */
static struct gate *gate_of(const struct yx_route *rt)
{
    for (int g = 0; g < GATES; g++)
        if (rt->flags & G[g].flag)
            return &G[g];
    return NULL;
}

int yx_gated(const struct yx_route *rt)
{
    return gate_of(rt) != NULL;
}

int yx_gate_full(const struct job *j)
{
    const struct gate *g = gate_of(j->r.route);
    return g && g->queued >= g->queue_max;
}

int yx_gate_enter(struct job *j)
{
    struct gate *g = gate_of(j->r.route);
    if (!g)
        return 0;
    if (g->running >= g->limit) {
        j->next = NULL;
        if (g->tail)
            g->tail->next = j;
        else
            g->head = j;
        g->tail = j;
        g->queued++;
        return 1;
    }
    if (++g->running > g->peak)
        g->peak = g->running;
    return 0;
}

void yx_gate_leave(struct job *j)
{
    struct gate *g = gate_of(j->r.route);
    if (!g)
        return;
    g->running--;
    if (g->head) {
        struct job *next = g->head;
        g->head = next->next;
        if (!g->head)
            g->tail = NULL;
        g->queued--;
        yx_srv.inflight--; /* yx_job_start counts it again */
        yx_job_start(next);
    }
}

int yx_gates_queued(void)
{
    int n = 0;
    for (int g = 0; g < GATES; g++)
        n += G[g].queued;
    return n;
}

/* /metrics runs on the loop (YX_R_LOOP), the thread that changes the gates: plain reads. */
static double reports_waiting(void)
{
    return (double)G[GATE_REPORT].queued;
}

static double reports_peak(void)
{
    return (double)G[GATE_REPORT].peak;
}

const struct yx_metric *yx_gate_metrics(void)
{
    static const struct yx_metric table[] = {
        {"ytexa_reports_waiting", "gauge", "Report requests waiting for their turn (--report-concurrency).",
         reports_waiting},
        {"ytexa_reports_running_peak", "gauge", "The most report requests computed at once since the start.",
         reports_peak},
        {NULL, NULL, NULL, NULL},
    };
    return table;
}
