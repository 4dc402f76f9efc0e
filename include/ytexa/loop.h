/* The server's event loop, as the rest of the program may use it (src/http/loop.c): hand work to
 * a worker thread and have the answer back on the loop, post to the loop from another thread, run
 * something on the loop at an interval. WebSockets (struct yx_ws, include/ytexa/http.h) live on
 * the loop: whoever serves them does its work through these. */
#ifndef YTEXA_LOOP_H
#define YTEXA_LOOP_H

#include <stdint.h>

struct yx_db;

/* From the loop: runs work(db, arg) on a worker thread with that thread's database connection
 * (NULL when the database cannot be reached), then done(arg) on the loop. The server's drain
 * waits for it. 0, or YX_ENOMEM / YX_EUNAVAIL (the server is not running) without running
 * anything. */
int yx_loop_work(void (*work)(struct yx_db *db, void *arg), void (*done)(void *arg), void *arg);

/* From any thread: has fn(arg) run on the loop soon; posts from one thread run in order. 0, or
 * YX_ENOMEM / YX_EUNAVAIL (the server does not take posts: not started yet, or stopped) without
 * running anything. */
int yx_loop_post(void (*fn)(void *arg), void *arg);

/* From the loop (or from the server's start hook, struct yx_server_setup): runs fn(arg) on the
 * loop every interval_ms, the first time after interval_ms. The timer does not keep the loop
 * running when the server stops. A timer id (>= 0), or YX_EUNAVAIL when the server is not running,
 * YX_ENOMEM when 8 timers run already. */
int yx_loop_every(uint64_t interval_ms, void (*fn)(void *arg), void *arg);
/* Stops timer id (from yx_loop_every; a negative id is ignored). */
void yx_loop_cancel(int id);

#endif
