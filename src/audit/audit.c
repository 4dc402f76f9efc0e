/* The audit trail as a hash chain. An event's hash covers every field of it and the hash of the
 * event before it in the chain; `seq` is its position there (1, 2, 3 … without gaps), and
 * audit_head holds the last position and its hash, so that removing the last events is seen too.
 *
 * Where an event gets its place depends on the engine. SQLite has one writer at a time anyway:
 * the event is sealed at once, in the transaction of the write it records. On PostgreSQL several
 * workers and instances write at once, and a chain built inside their transactions made every
 * write of every instance wait for the one before to commit (one lock to the end of each
 * transaction): there an event of a write is recorded unsealed (seq NULL, no hashes) in the
 * write's transaction, and the sealer (src/audit/seal.c) gives the recorded events their places
 * in batches, one sealer at a time across instances. Events appended in a transaction of their
 * own — the audit writer's batches of reads, most events by far — are sealed at once under the
 * chain's lock, which that short transaction alone holds. Either way the event is durable when
 * the write is, and the chain is the same shape, so yx_audit_verify() reads both alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/audit.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The recorded events' columns, as the INSERTs write them and the sealer and verify read them. */
#define EVENT_COLUMNS                                                                                        \
    "at, request_id, actor_id, actor_role, actor_facility_id, action, resource_type, resource_id, "          \
    "patient_id, addr, outcome, detail"
#define EVENT_PARAMS 12

/* Each field is written as <length>:<bytes>| so no two different events hash the same text. */
static int put(struct yx_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char len[24];
    int k = snprintf(len, sizeof len, "%zu:", n);
    return yx_buf_append(b, len, (size_t)k) || yx_buf_append(b, s ? s : "", n) || yx_buf_append(b, "|", 1);
}

/* The text hashed for an event: f[] holds its fields in table order, from id to detail, and a
 * NULL (a field the first version reserved). The position is not hashed: the chain's links
 * (prev) fix the order, and an event moved to another position no longer follows its prev. */
static int event_hash(const char *const f[14], const char *prev, char out[65])
{
    struct yx_buf b;
    int rc = 0;
    yx_buf_init(&b, 1 << 20);
    rc |= yx_buf_puts(&b, "ytexa-audit-v1|");
    for (int i = 0; i < 14; i++)
        rc |= put(&b, f[i]);
    rc |= put(&b, prev);
    if (rc == 0)
        yx_sha256_hex(b.data, b.len, out);
    yx_buf_release(&b);
    return rc ? YX_ENOMEM : 0;
}

/* The hashed fields of a recorded event read back from a result whose columns are id followed by
 * EVENT_COLUMNS. */
static void row_fields(const struct yx_rows *rows, int i, const char *f[14])
{
    static const char *const names[13] = {"id",          "at",
                                          "request_id",  "actor_id",
                                          "actor_role",  "actor_facility_id",
                                          "action",      "resource_type",
                                          "resource_id", "patient_id",
                                          "addr",        "outcome",
                                          "detail"};
    for (int c = 0; c < 13; c++)
        f[c] = yx_rows_str(rows, i, names[c]);
    f[13] = NULL;
}

int yx_audit_head(struct yx_db *db, struct yx_audit_chain *c)
{
    struct yx_rows *r = NULL;
    *c = (struct yx_audit_chain){0, GENESIS};
    int rc = YX_DB_Q0(db, &r, "SELECT last_seq, last_hash FROM audit_head WHERE one = 1");
    if (rc == 0 && r->nrows == 1) {
        c->seq = yx_rows_int(r, 0, 0);
        snprintf(c->hash, sizeof c->hash, "%s", yx_rows_get(r, 0, 1));
    }
    yx_rows_free(r);
    return rc;
}

/* Goes with the COMMIT on PostgreSQL (yx_db_exec_later), as do the events' INSERT and UPDATE. */
static int write_head(struct yx_db *db, const struct yx_audit_chain *c)
{
    return YX_DB_LATER(
        db,
        "INSERT INTO audit_head (one, last_seq, last_hash) VALUES (1, ?, ?) "
        "ON CONFLICT (one) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
        YX_PI(c->seq), YX_PT(c->hash));
}

/* The twelve parameters of ev, in EVENT_COLUMNS' order, from p[0]. */
static void event_params(const struct yx_audit_event *ev, struct yx_param *p)
{
    struct yx_param q[EVENT_PARAMS] = {YX_PI(ev->at),
                                       YX_PT(ev->request_id),
                                       YX_PI(ev->actor_id),
                                       YX_PT(ev->actor_role),
                                       YX_PI(ev->actor_facility_id),
                                       YX_PT(ev->action),
                                       YX_PT(ev->resource_type),
                                       YX_PT(ev->resource_id),
                                       YX_PI(ev->patient_id),
                                       YX_PT(ev->addr),
                                       YX_PT(ev->outcome),
                                       YX_PT(ev->detail)};
    memcpy(p, q, sizeof q);
}

/* The ids of n new events: SQLite numbers them after the largest (its one writer holds the lock);
 * PostgreSQL takes them from the identity's sequence, which writers recording unsealed events
 * draw from at the same time. */
static int new_ids(struct yx_db *db, size_t n, int64_t *ids)
{
    struct yx_rows *r = NULL;
    int pg = yx_db_dialect(db) == YX_POSTGRES;
    int rc =
        pg ? YX_DB_Q(
                 db, &r,
                 "SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) FROM generate_series(1, ?)",
                 YX_PI((int64_t)n))
           : YX_DB_Q0(db, &r, "SELECT COALESCE(MAX(id), 0) FROM audit_events");
    for (size_t i = 0; rc == 0 && i < n; i++)
        ids[i] = pg ? yx_rows_int(r, (int)i, 0) : yx_rows_int(r, 0, 0) + (int64_t)i + 1;
    yx_rows_free(r);
    return rc;
}

/* One event sealed at once: its fields as text, and its place. */
struct sealed_row {
    char id[24], at[24], actor[24], fac[24], patient[24], prev[65], hash[65];
};

/* Sealed at once: each event takes a new id and the chain's next place, all in one INSERT, under
 * the lock the caller holds (SQLite's write lock; on PostgreSQL the chain's advisory lock). */
static int append_sealed(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n)
{
    enum { COLS = EVENT_PARAMS + 4 };
    struct yx_audit_chain c;
    struct sealed_row *t = calloc(n, sizeof *t);
    struct yx_param *p = calloc(n * COLS, sizeof *p);
    int64_t *ids = calloc(n, sizeof *ids);
    int rc = t && p && ids ? yx_audit_head(db, &c) : YX_ENOMEM;
    if (rc == 0)
        rc = new_ids(db, n, ids);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct yx_audit_event *ev = evs[i];
        snprintf(t[i].id, sizeof t[i].id, "%lld", (long long)ids[i]);
        snprintf(t[i].at, sizeof t[i].at, "%lld", (long long)ev->at);
        snprintf(t[i].actor, sizeof t[i].actor, "%lld", (long long)ev->actor_id);
        snprintf(t[i].fac, sizeof t[i].fac, "%lld", (long long)ev->actor_facility_id);
        snprintf(t[i].patient, sizeof t[i].patient, "%lld", (long long)ev->patient_id);
        const char *f[14] = {t[i].id,         t[i].at,      ev->request_id, t[i].actor,
                             ev->actor_role,  t[i].fac,     ev->action,     ev->resource_type,
                             ev->resource_id, t[i].patient, ev->addr,       ev->outcome,
                             ev->detail,      NULL};
        memcpy(t[i].prev, c.hash, sizeof c.hash);
        if ((rc = event_hash(f, c.hash, t[i].hash)) != 0)
            break;
        c.seq++;
        memcpy(c.hash, t[i].hash, sizeof c.hash);
        struct yx_param *q = p + i * COLS;
        q[0] = YX_PI(ids[i]); /* integers bound as such: SQLite need not convert text */
        event_params(ev, q + 1);
        q[EVENT_PARAMS + 1] = YX_PI(c.seq);
        q[EVENT_PARAMS + 2] = YX_PT(t[i].prev);
        q[EVENT_PARAMS + 3] = YX_PT(t[i].hash);
    }
    if (rc == 0)
        rc = yx_db_exec_rows_later(
            db, "INSERT INTO audit_events (id, " EVENT_COLUMNS ", seq, prev_hash, hash) VALUES ", "", p, COLS,
            (int)n);
    if (rc == 0)
        rc = write_head(db, &c);
    free(t);
    free(p);
    free(ids);
    return rc;
}

/* Unsealed events, as few statements as yx_db_exec_rows makes of them (a batch of the audit
 * writer is a few round trips rather than one an event). */
static int insert_unsealed(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n)
{
    enum { COLS = EVENT_PARAMS + 2 };
    struct yx_param *p = calloc(n * COLS, sizeof *p);
    if (!p)
        return YX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        event_params(evs[i], p + i * COLS);
        p[i * COLS + EVENT_PARAMS] = YX_PT("");
        p[i * COLS + EVENT_PARAMS + 1] = YX_PT("");
    }
    /* In a request's transaction it goes with the COMMIT (or the next statement) on PostgreSQL. */
    int rc = yx_db_exec_rows_later(
        db, "INSERT INTO audit_events (" EVENT_COLUMNS ", prev_hash, hash) VALUES ", "", p, COLS, (int)n);
    free(p);
    return rc;
}

int yx_audit_record(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n)
{
    return n ? insert_unsealed(db, evs, n) : 0;
}

int yx_audit_append_many(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n)
{
    int own = !db->in_tx, rc;
    if (own && (rc = yx_db_begin(db)) != 0)
        return rc;
    /* In a request's transaction on PostgreSQL the event waits for the sealer: a lock there would
     * be held to the request's commit. In a transaction of its own (the audit writer's batch of
     * reads, an event outside any write) the lock lasts only that short transaction, so the
     * events are sealed at once, saving the sealer's second write of each. */
    if (yx_db_dialect(db) == YX_SQLITE)
        rc = append_sealed(db, evs, n);
    else if (!own)
        rc = insert_unsealed(db, evs, n);
    else if ((rc = yx_db_exec_later(db, "SELECT pg_advisory_xact_lock(" YX_AUDIT_CHAIN_LOCK ")", NULL, 0)) ==
             0)
        rc = append_sealed(db, evs, n);
    if (own) {
        if (rc == 0)
            rc = yx_db_commit(db);
        else
            yx_db_rollback(db);
    }
    if (rc)
        yx_log(YX_LOG_ERROR, "audit: cannot append %zu event(s) (%s): %s", n, evs[0]->action,
               yx_err_name(rc));
    return rc;
}

int yx_audit_append(struct yx_db *db, const struct yx_audit_event *ev)
{
    return yx_audit_append_many(db, &ev, 1);
}

/* The places given to the sealed events, in one statement a group of rows: id, seq, prev, hash. */
static int write_places(struct yx_db *db, const struct yx_param *p, int n)
{
    return n ? yx_db_exec_rows_later(
                   db,
                   "UPDATE audit_events SET seq = CAST(v.column2 AS BIGINT), prev_hash = v.column3, "
                   "hash = v.column4 FROM (VALUES ",
                   ") AS v WHERE audit_events.id = CAST(v.column1 AS BIGINT)", p, 4, n)
             : 0;
}

/* The sealer's step (its thread and its lock are in src/audit/seal.c): the recorded events after
 * the head, oldest id first, take the next places. */
int yx_audit_seal_locked(struct yx_db *db, int max, int *sealed)
{
    struct yx_audit_chain c;
    struct yx_rows *rows = NULL;
    struct yx_param *p = NULL;
    char(*text)[2][65] = NULL; /* each row's seq and hash as text, for the parameters */
    char(*prev)[65] = NULL;
    *sealed = 0;
    int rc = yx_audit_head(db, &c);
    if (rc == 0)
        rc = YX_DB_Q(db, &rows,
                     "SELECT id, " EVENT_COLUMNS " FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT ?",
                     YX_PI(max));
    int n = rc == 0 ? rows->nrows : 0;
    if (n && (!(p = calloc((size_t)n * 4, sizeof *p)) || !(text = calloc((size_t)n, sizeof *text)) ||
              !(prev = calloc((size_t)n, sizeof *prev))))
        rc = YX_ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *f[14];
        row_fields(rows, i, f);
        memcpy(prev[i], c.hash, 65);
        if ((rc = event_hash(f, c.hash, text[i][1])) != 0)
            break;
        c.seq++;
        memcpy(c.hash, text[i][1], 65);
        snprintf(text[i][0], 65, "%lld", (long long)c.seq);
        p[i * 4] = YX_PT(f[0]);
        p[i * 4 + 1] = YX_PT(text[i][0]);
        p[i * 4 + 2] = YX_PT(prev[i]);
        p[i * 4 + 3] = YX_PT(text[i][1]);
    }
    if (rc == 0 && (rc = write_places(db, p, n)) == 0)
        *sealed = n;
    if (rc == 0 && n)
        rc = write_head(db, &c);
    free(p);
    free(text);
    free(prev);
    yx_rows_free(rows);
    if (rc)
        *sealed = 0;
    return rc;
}

void yx_audit_request_event(struct yx_req *r, const char *outcome, struct yx_audit_event *ev)
{
    const struct yx_route *rt = r->route;
    char *detail = NULL;
    size_t n = sizeof r->err_msg + 48; /* the error's name, then its whole message */
    if (r->err && (detail = yx_arena_alloc(&r->arena, n)) != NULL)
        snprintf(detail, n, "%s: %s", yx_err_name(r->err), r->err_msg);
    *ev = (struct yx_audit_event){
        .at = yx_now_ms(),
        .request_id = r->id,
        /* A registered system acts as itself: its id, with the role "system" saying whose id. */
        .actor_id = r->who.system_id ? r->who.system_id : r->who.user_id,
        .actor_role = r->who.role[0] ? r->who.role : NULL,
        .actor_facility_id = r->who.facility_id,
        .action = rt->audit,
        .resource_type = rt->resource_type ? rt->resource_type : "",
        .resource_id = r->audit_resource_id ? r->audit_resource_id : (r->nparams ? r->params[0] : NULL),
        .patient_id = r->audit_patient_id,
        .addr = r->addr,
        .outcome = outcome,
        .detail = detail,
    };
}

int yx_audit_request(struct yx_req *r, const char *outcome)
{
    struct yx_audit_event ev;
    yx_audit_request_event(r, outcome, &ev);
    return yx_audit_append(r->db, &ev);
}

/* Checks the sealed event at row i (columns: id, EVENT_COLUMNS, seq, prev_hash, hash) against
 * the hash of the event before it (prev), and moves prev on. */
static int check_row(const struct yx_rows *rows, int i, char prev[65], char *why, size_t whylen)
{
    const char *f[14];
    char hash[65];
    row_fields(rows, i, f);
    const char *stored_prev = yx_rows_str(rows, i, "prev_hash"), *stored = yx_rows_str(rows, i, "hash");
    if (!stored_prev || strcmp(stored_prev, prev) != 0) {
        yx_snprintf(why, whylen, "does not follow the event before it (an event was removed or reordered)");
        return YX_ECONFLICT;
    }
    if (event_hash(f, prev, hash) != 0)
        return YX_ENOMEM;
    if (!stored || strcmp(stored, hash) != 0) {
        yx_snprintf(why, whylen, "its content does not match its hash (it was edited)");
        return YX_ECONFLICT;
    }
    snprintf(prev, 65, "%s", stored);
    return 0;
}

/* Walks the sealed events by position; on a break *bad_id is the event's id, or the position
 * where one is missing. */
static int verify_sealed(struct yx_db *db, struct yx_audit_verdict *v, char prev[65], int64_t *next_seq)
{
    int64_t after = 0, expect = 1;
    int rc = 0;
    for (;;) {
        struct yx_rows *rows = NULL;
        rc = YX_DB_Q(db, &rows,
                     "SELECT id, " EVENT_COLUMNS ", seq, prev_hash, hash FROM audit_events "
                     "WHERE seq > ? ORDER BY seq LIMIT 1000",
                     YX_PI(after));
        if (rc)
            return rc;
        for (int i = 0; i < rows->nrows && rc == 0; i++) {
            int64_t seq = yx_rows_i64(rows, i, "seq");
            if (seq != expect) {
                v->bad_id = expect;
                yx_snprintf(v->why, sizeof v->why,
                            "event %lld of the chain is missing (an event was removed or reordered)",
                            (long long)expect);
                rc = YX_ECONFLICT;
            } else if ((rc = check_row(rows, i, prev, v->why, sizeof v->why)) != 0) {
                v->bad_id = yx_rows_i64(rows, i, "id");
            }
            after = seq;
            expect = seq + 1;
            if (rc == 0)
                v->checked++;
        }
        int n = rows->nrows;
        yx_rows_free(rows);
        if (rc || n < 1000)
            break;
    }
    *next_seq = expect;
    return rc;
}

/* The head must name the last sealed event, so that events cut from the end are seen. */
static int verify_head(struct yx_db *db, struct yx_audit_verdict *v, const char *prev, int64_t next_seq)
{
    struct yx_audit_chain head;
    int rc = yx_audit_head(db, &head);
    if (rc)
        return rc;
    if (head.seq != next_seq - 1 || strcmp(head.hash, prev) != 0) {
        v->bad_id = head.seq > next_seq - 1 ? next_seq : head.seq;
        yx_snprintf(v->why, sizeof v->why,
                    "the chain ends at event %lld but the head records event %lld (events were removed "
                    "from the end)",
                    (long long)(next_seq - 1), (long long)head.seq);
        return YX_ECONFLICT;
    }
    return 0;
}

/* Events waiting for the sealer: a few for a moment are normal; one waiting longer than
 * YX_AUDIT_SEAL_GRACE_MS was never sealed (no sealer ran, or it was slipped in past it). */
static int verify_unsealed(struct yx_db *db, struct yx_audit_verdict *v, int64_t now)
{
    /* Counted and judged by the oldest, never loaded: a sealer stopped for days leaves millions. */
    struct yx_rows *r = NULL;
    int rc = YX_DB_Q(db, &r,
                     "SELECT (SELECT COUNT(*) FROM audit_events WHERE seq IS NULL), id, at FROM audit_events "
                     "WHERE seq IS NULL AND at < ? ORDER BY id LIMIT 1",
                     YX_PI(now - YX_AUDIT_SEAL_GRACE_MS));
    if (rc == 0 && r->nrows == 1) {
        v->unsealed = yx_rows_int(r, 0, 0);
        v->bad_id = yx_rows_int(r, 0, 1);
        yx_snprintf(v->why, sizeof v->why,
                    "it was recorded %lld s ago and never sealed into the chain (no sealer has run, "
                    "or it was added past the sealer)",
                    (long long)((now - yx_rows_int(r, 0, 2)) / 1000));
        rc = YX_ECONFLICT;
    }
    yx_rows_free(r);
    if (rc)
        return rc;
    if ((rc = YX_DB_Q0(db, &r, "SELECT COUNT(*) FROM audit_events WHERE seq IS NULL")) == 0)
        v->unsealed = yx_rows_int(r, 0, 0);
    yx_rows_free(r);
    return rc;
}

int yx_audit_verify(struct yx_db *db, struct yx_audit_verdict *v)
{
    char prev[65] = GENESIS;
    int64_t next_seq = 1;
    *v = (struct yx_audit_verdict){0};
    int rc = verify_sealed(db, v, prev, &next_seq);
    if (rc == 0)
        rc = verify_head(db, v, prev, next_seq);
    if (rc == 0)
        rc = verify_unsealed(db, v, yx_now_ms());
    return rc;
}
