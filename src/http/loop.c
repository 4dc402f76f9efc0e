/* The event loop's helpers for the rest of the program (include/ytexa/loop.h): work handed to a
 * worker thread and answered on the loop (yx_loop_work), functions posted to the loop from other
 * threads (yx_loop_post), and timers on the loop (yx_loop_every). */
#include <pthread.h>
#include <stdlib.h>

#include "server_internal.h"
#include "ytexa/loop.h"

/* What other threads post to the loop. Apart from the server's state: background jobs may post
 * before the server starts or after it stopped, and are refused then. */
static struct {
    pthread_mutex_t mu;
    struct loop_post *head, **tail;
    int open;
    uv_async_t async; /* wakes the loop for yx_loop_post() */
} P = {PTHREAD_MUTEX_INITIALIZER, NULL, &P.head, 0, {0}};

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
    yx_srv.inflight--;
    l->done(l->arg);
    free(l);
}

int yx_loop_work(void (*work)(struct yx_db *db, void *arg), void (*done)(void *arg), void *arg)
{
    if (!yx_srv.loop)
        return YX_EUNAVAIL;
    struct loop_work *l = calloc(1, sizeof *l);
    if (!l)
        return YX_ENOMEM;
    *l = (struct loop_work){.work = work, .done = done, .arg = arg};
    l->w.data = l;
    yx_srv.inflight++;
    if (uv_queue_work(yx_srv.loop, &l->w, loop_work_run, loop_work_done) != 0) {
        yx_srv.inflight--;
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
    uv_async_send(&P.async);
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

void yx_loop_open(uv_loop_t *loop)
{
    uv_async_init(loop, &P.async, on_post_async);
    pthread_mutex_lock(&P.mu);
    P.open = 1;
    pthread_mutex_unlock(&P.mu);
}

void yx_loop_close(void)
{
    pthread_mutex_lock(&P.mu);
    P.open = 0;
    pthread_mutex_unlock(&P.mu);
    on_post_async(NULL); /* what was posted before the door closed still runs */
    uv_close((uv_handle_t *)&P.async, NULL);
}

/* Timers on the loop (yx_loop_every): a few, kept here rather than by their owners so that their
 * owners need not know libuv. A cancelled timer's place is free again once libuv has closed it. */
#define TIMERS_MAX 8
static struct loop_timer {
    uv_timer_t t;
    void (*fn)(void *arg);
    void *arg;
    int used; /* 1 running, 2 closing */
} T[TIMERS_MAX];

static void on_timer(uv_timer_t *t)
{
    struct loop_timer *lt = t->data;
    lt->fn(lt->arg);
}

static void on_timer_closed(uv_handle_t *h)
{
    ((struct loop_timer *)h->data)->used = 0;
}

int yx_loop_every(uint64_t interval_ms, void (*fn)(void *arg), void *arg)
{
    if (!yx_srv.loop)
        return YX_EUNAVAIL;
    for (int i = 0; i < TIMERS_MAX; i++) {
        struct loop_timer *lt = &T[i];
        if (lt->used)
            continue;
        *lt = (struct loop_timer){.fn = fn, .arg = arg, .used = 1};
        uv_timer_init(yx_srv.loop, &lt->t);
        lt->t.data = lt;
        uv_timer_start(&lt->t, on_timer, interval_ms, interval_ms);
        uv_unref((uv_handle_t *)&lt->t);
        return i;
    }
    return YX_ENOMEM;
}

void yx_loop_cancel(int id)
{
    if (id < 0 || id >= TIMERS_MAX || T[id].used != 1)
        return;
    T[id].used = 2;
    uv_close((uv_handle_t *)&T[id].t, on_timer_closed);
}
