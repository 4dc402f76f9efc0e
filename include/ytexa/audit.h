/* The audit trail: every read or write of patient data and every administrative action. Events
 * form a hash chain (each stores SHA-256 of its content and of the previous event, and its
 * position `seq`), so editing, deleting or reordering rows is detected by yx_audit_verify(). No
 * API changes or deletes them. On SQLite an event takes its place in the chain in the transaction
 * that records it; on PostgreSQL it is recorded unsealed and the sealer places it a moment later
 * (src/audit/audit.c says why). */
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

/* Appends an event to the trail. Call inside a transaction to make the event part of the write it
 * records (sealed at once on SQLite, recorded for the sealer on PostgreSQL); outside one it makes
 * its own, and the event is sealed at once on both. */
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
/* The chain's head: the last position sealed (0 for none) and its hash. */
struct yx_audit_chain {
    int64_t seq;
    char hash[65];
};
int yx_audit_head(struct yx_db *db, struct yx_audit_chain *c);

/* Records n events unsealed, in the caller's transaction, whatever the engine: what
 * yx_audit_append does on PostgreSQL (tests use it to make unsealed events on SQLite too). */
int yx_audit_record(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n);

/* The sealer (src/audit/seal.c). yx_audit_seal gives up to max unsealed events, oldest id first,
 * the chain's next places in one transaction of its own; *sealed says how many (0 as well when
 * another instance's sealer holds the chain just then). yx_audit_seal_locked is its step inside
 * a transaction that already has the chain to itself. The server runs a sealer thread that seals
 * every YX_AUDIT_SEAL_EVERY_MS while there is anything to seal. */
#define YX_AUDIT_SEAL_EVERY_MS 50
/* The chain's advisory lock on PostgreSQL: sealers and transactions that append sealed events take
 * it; no request's transaction does. */
#define YX_AUDIT_CHAIN_LOCK "7746602"
int yx_audit_seal(struct yx_db *db, int max, int *sealed);
int yx_audit_seal_locked(struct yx_db *db, int max, int *sealed);
int yx_audit_sealer_start(void);
void yx_audit_sealer_stop(void);

/* What yx_audit_verify found: events checked along the chain, events still unsealed, and on a
 * break the first event that does not fit (its id; for a missing one its position) and why. */
struct yx_audit_verdict {
    int64_t checked, unsealed, bad_id;
    char why[300];
};
/* An event left unsealed longer than this was never sealed: verify names it. */
#define YX_AUDIT_SEAL_GRACE_MS 60000
/* Walks the chain by position, then the head, then the unsealed events; returns 0 when whole,
 * YX_ECONFLICT on a break. */
int yx_audit_verify(struct yx_db *db, struct yx_audit_verdict *v);

/* The events an administrator reads (GET /api/v1/audit, FHIR AuditEvent): " AND <condition>" on
 * audit_events' columns for the scope yx_scope(YX_RES_AUDIT) gave — the ministry all, a province
 * the acts of users of its facilities, a facility its own users' acts — with one parameter, s->id. */
struct yx_scope;
const char *yx_audit_scope_sql(const struct yx_scope *s);

#endif
