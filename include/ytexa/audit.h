/* The audit trail: every read or write of patient data and every administrative action. Events
 * form a hash chain (each stores SHA-256 of its content and of the previous event), so editing,
 * deleting or reordering rows is detected by yx_audit_verify(). No API changes or deletes them. */
#ifndef YTEXA_AUDIT_H
#define YTEXA_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "ytexa/http.h"
#include "ytexa/store.h"

struct yx_audit_event {
    int64_t at;
    const char *request_id;
    int64_t actor_id;
    const char *actor_role;
    int64_t actor_facility_id;
    const char *action;        /* "user.create" */
    const char *resource_type; /* "user" */
    const char *resource_id;
    int64_t patient_id;
    const char *addr;
    const char *outcome; /* "ok", "denied", "invalid", "error" */
    const char *detail;
};

/* Appends an event to the chain. Call inside a transaction to make the event part of the write it
 * records; outside one it makes its own. */
int yx_audit_append(struct yx_db *db, const struct yx_audit_event *ev);
/* The same for n events at once, read and move the chain's head once (the audit writer's batch). */
int yx_audit_append_many(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n);
/* The event of a request whose route is audited, with the given outcome. */
int yx_audit_request(struct yx_req *r, const char *outcome);
/* Fills ev for such a request; its strings live in the request (and its arena). */
void yx_audit_request_event(struct yx_req *r, const char *outcome, struct yx_audit_event *ev);

/* The audit writer (src/audit/writer.c): a thread that appends queued events in batches, one
 * transaction per batch. The server starts it; reads queue their events and answer only after
 * done(arg, rc) has been called (on the writer thread) with rc 0. The event's strings must stay
 * valid until then. enqueue fails with YX_EUNAVAIL when the writer is not running. stop() writes
 * what is queued, then ends the thread. */
int yx_audit_writer_start(void);
void yx_audit_writer_stop(void);
int yx_audit_writer_running(void);
/* How many events are queued for the writer's next commit. */
size_t yx_audit_writer_pending(void);
int yx_audit_enqueue(const struct yx_audit_event *ev, void (*done)(void *arg, int rc), void *arg);
/* The same for n events at once (one lock, one wake-up): done(args[i], rc) for each. */
int yx_audit_enqueue_many(const struct yx_audit_event *evs, size_t n, void (*done)(void *arg, int rc),
                          void *const *args);
/* The pipeline's group commit (struct yx_pipeline.defer, include/ytexa/server.h): queues the
 * events of n audited reads (n at most YX_AUDIT_DEFER_MAX), each with its request's
 * audit_outcome, as yx_audit_enqueue_many() does. */
#define YX_AUDIT_DEFER_MAX 256
int yx_audit_defer(struct yx_req *const *reqs, size_t n, void (*done)(void *arg, int rc), void *const *args);
/* The audit trail's figures for /metrics (yx_metrics_register): events waiting for the writer. */
const struct yx_metric *yx_audit_metrics(void);
/* Walks the chain; returns 0 when whole. On a break, *bad_id is the first event that does not fit
 * (or the position where one is missing) and why says what is wrong. */
int yx_audit_verify(struct yx_db *db, int64_t *checked, int64_t *bad_id, char *why, size_t whylen);

#endif
