/* The HTTP server (src/http) as a library: it is given what it serves and names nothing above
 * it. src/app fills one struct yx_server_setup — the route table, the request pipeline's hooks
 * for sessions, permissions and the audit trail, and what starts and stops with the loop — and
 * hands it to yx_server_run(). WebSockets are handed to their owner by the route that accepts
 * them (yx_ws_accept, include/ytexa/http.h); the figures of /metrics are registered
 * (yx_metrics_register). */
#ifndef YTEXA_SERVER_H
#define YTEXA_SERVER_H

#include <stddef.h>

#include "ytexa/http.h"

struct yx_config;

/* What the request pipeline (src/http/dispatch.c) asks of the layers above http. Its order is
 * http's: body → authenticate → permit → the route's body fields → BEGIN → Idempotency-Key →
 * handler → audit → COMMIT → sessions_changed. Every hook runs on the request's thread (a worker,
 * the reads thread, or the loop for YX_R_LOOP routes) and must be safe there. */
struct yx_pipeline {
    /* Finds r's session (bearer token or cookie), fills r->who and sets r->authed; asked for every
     * route but a YX_R_PUBLIC one. 0, or YX_EAUTH with r's answer set. */
    int (*authenticate)(struct yx_req *r);
    /* May r's principal call r->route at all (the roles the route names)? 0, or the refusal with
     * r's answer set; the handler does not run then, and the refusal is audited. */
    int (*permit)(struct yx_req *r);
    /* After the commit of a request whose handler set r->auth_changed: sessions remembered by
     * authenticate must be forgotten. */
    void (*sessions_changed)(void);
    /* Writes the audit event of r (its route names an action) with outcome ("ok", "denied",
     * "invalid", "unavailable", "error"): inside r's transaction when it has one, so the event and
     * the change commit together. 0, or a YX_E… code (the request fails). */
    int (*audit)(struct yx_req *r, const char *outcome);
    /* Group commit of audited reads. deferrable: does a writer take events now? When it does, an
     * audited read runs without a transaction and its event (outcome in r->audit_outcome) is handed
     * to defer with those of other reads (n at most 256); done(args[i], rc) is called for each,
     * from any thread, once its event is durable (rc 0) or could not be written. The requests stay
     * untouched until then. defer returns 0, or a YX_E… code with no done called. Both NULL: every
     * audited read writes its event through audit, in a transaction of its own. */
    int (*deferrable)(void);
    int (*defer)(struct yx_req *const *reqs, size_t n, void (*done)(void *arg, int rc), void *const *args);
};

struct yx_server_setup {
    const struct yx_route *routes; /* every route, ended by one with a NULL pattern; not copied */
    struct yx_pipeline pipeline;
    /* start runs on the loop's thread once yx_loop_post(), yx_loop_work() and yx_loop_every() take
     * work (include/ytexa/loop.h), before the loop runs: what must live exactly as long as the
     * loop (the hub's bus, the audit writer). 0, or a YX_E… code once it has undone what it
     * started: the server does not serve then. stop runs after the loop has stopped (the last
     * request answered, or dropped after 20 s), while posts are still taken. Either may be NULL. */
    int (*start)(const struct yx_config *cfg);
    void (*stop)(void);
    /* The dialects of path prefixes (struct yx_api_dialect, include/ytexa/http.h), ended by NULL; NULL
     * when every answer is the API's JSON. Not copied. */
    const struct yx_api_dialect *const *dialects;
};

/* Serves setup on cfg's address until SIGTERM/SIGINT, then drains and returns 0; YX_EINTERNAL
 * when it cannot start (logged). setup is not copied: it must outlive the call. */
int yx_server_run(const struct yx_config *cfg, const struct yx_server_setup *setup);

#endif
