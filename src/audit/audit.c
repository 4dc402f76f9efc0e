/* The audit trail as a hash chain. An event's hash covers every field of it and the hash of the
 * event before; audit_head holds the newest id and hash so that removing the last events is seen
 * too. Appends are serialised (SQLite: the write transaction; PostgreSQL: an advisory lock held
 * to the end of the transaction), so the chain has no forks even with several instances. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/audit.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Each field is written as <length>:<bytes>| so no two different events hash the same text. */
static int put(struct yx_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char len[24];
    int k = snprintf(len, sizeof len, "%zu:", n);
    return yx_buf_append(b, len, (size_t)k) || yx_buf_append(b, s ? s : "", n) || yx_buf_append(b, "|", 1);
}

/* The text hashed for an event: f[] holds its fields in table order, from id to detail. */
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

/* Inserts ev as event *id + 1 after the hash prev; on success *id and prev are the new head. */
static int insert_event(struct yx_db *db, const struct yx_audit_event *ev, int64_t *id, char prev[65])
{
    char hash[65], ids[24], at[24], actor[24], fac[24], patient[24];
    int64_t next = *id + 1;
    snprintf(ids, sizeof ids, "%lld", (long long)next);
    snprintf(at, sizeof at, "%lld", (long long)ev->at);
    snprintf(actor, sizeof actor, "%lld", (long long)ev->actor_id);
    snprintf(fac, sizeof fac, "%lld", (long long)ev->actor_facility_id);
    snprintf(patient, sizeof patient, "%lld", (long long)ev->patient_id);
    const char *f[14] = {ids,
                         at,
                         ev->request_id,
                         actor,
                         ev->actor_role,
                         fac,
                         ev->action,
                         ev->resource_type,
                         ev->resource_id,
                         patient,
                         ev->addr,
                         ev->outcome,
                         ev->detail,
                         NULL};
    int rc = event_hash(f, prev, hash);
    if (rc == 0)
        rc = YX_DB_Q(
            db, NULL,
            "INSERT INTO audit_events (id, at, request_id, actor_id, actor_role, actor_facility_id, action, "
            "resource_type, resource_id, patient_id, addr, outcome, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            YX_PI(next), YX_PI(ev->at), YX_PT(ev->request_id), YX_PI(ev->actor_id), YX_PT(ev->actor_role),
            YX_PI(ev->actor_facility_id), YX_PT(ev->action), YX_PT(ev->resource_type), YX_PT(ev->resource_id),
            YX_PI(ev->patient_id), YX_PT(ev->addr), YX_PT(ev->outcome), YX_PT(ev->detail), YX_PT(prev),
            YX_PT(hash));
    if (rc == 0) {
        *id = next;
        memcpy(prev, hash, 65);
    }
    return rc;
}

/* Appends n events after the chain's head, in the caller's transaction, and moves the head once. */
static int append_locked(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n)
{
    struct yx_rows *r = NULL;
    char prev[65] = GENESIS;
    int64_t id = 0;
    int rc = YX_DB_Q0(db, &r, "SELECT last_id, last_hash FROM audit_head WHERE one = 1");
    if (rc == 0 && r->nrows == 1) {
        id = yx_rows_int(r, 0, 0);
        snprintf(prev, sizeof prev, "%s", yx_rows_get(r, 0, 1));
    }
    yx_rows_free(r);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = insert_event(db, evs[i], &id, prev);
    if (rc == 0)
        rc = YX_DB_Q(
            db, NULL,
            "INSERT INTO audit_head (one, last_id, last_hash) VALUES (1, ?, ?) "
            "ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash",
            YX_PI(id), YX_PT(prev));
    return rc;
}

int yx_audit_append_many(struct yx_db *db, const struct yx_audit_event *const *evs, size_t n)
{
    int own = !db->in_tx, rc;
    if (own && (rc = yx_db_begin(db)) != 0)
        return rc;
    if (yx_db_dialect(db) == YX_POSTGRES &&
        (rc = YX_DB_Q0(db, NULL, "SELECT pg_advisory_xact_lock(7746602)")) != 0)
        goto out;
    rc = append_locked(db, evs, n);
out:
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

void yx_audit_request_event(struct yx_req *r, const char *outcome, struct yx_audit_event *ev)
{
    const struct yx_route *rt = r->route;
    char *detail = NULL;
    if (r->err && (detail = yx_arena_alloc(&r->arena, 400)) != NULL)
        snprintf(detail, 400, "%s: %s", yx_err_name(r->err), r->err_msg);
    *ev = (struct yx_audit_event){
        .at = yx_now_ms(),
        .request_id = r->id,
        .actor_id = r->who.user_id,
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

static int check_row(const struct yx_rows *rows, int i, char prev[65], char *why, size_t whylen)
{
    /* The hashed fields, in the hash's order. */
    static const char *const fields[13] = {"id",          "at",
                                           "request_id",  "actor_id",
                                           "actor_role",  "actor_facility_id",
                                           "action",      "resource_type",
                                           "resource_id", "patient_id",
                                           "addr",        "outcome",
                                           "detail"};
    const char *f[14];
    char hash[65];
    for (int c = 0; c < 13; c++)
        f[c] = yx_rows_str(rows, i, fields[c]);
    f[13] = NULL;
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

int yx_audit_verify(struct yx_db *db, int64_t *checked, int64_t *bad_id, char *why, size_t whylen)
{
    char prev[65] = GENESIS;
    int64_t after = 0, expect_id = 1;
    int rc = 0;
    *checked = 0;
    *bad_id = 0;
    for (;;) {
        struct yx_rows *rows = NULL;
        rc = YX_DB_Q(
            db, &rows,
            "SELECT id, at, request_id, actor_id, actor_role, actor_facility_id, action, resource_type, "
            "resource_id, patient_id, addr, outcome, detail, prev_hash, hash FROM audit_events "
            "WHERE id > ? ORDER BY id LIMIT 1000",
            YX_PI(after));
        if (rc)
            return rc;
        for (int i = 0; i < rows->nrows && rc == 0; i++) {
            int64_t id = yx_rows_i64(rows, i, "id");
            if (id != expect_id) {
                *bad_id = expect_id;
                yx_snprintf(why, whylen, "event %lld is missing", (long long)expect_id);
                rc = YX_ECONFLICT;
            } else if ((rc = check_row(rows, i, prev, why, whylen)) != 0) {
                *bad_id = id;
            }
            after = id;
            expect_id = id + 1;
            if (rc == 0)
                (*checked)++;
        }
        int n = rows->nrows;
        yx_rows_free(rows);
        if (rc || n < 1000)
            break;
    }
    if (rc)
        return rc;
    struct yx_rows *head = NULL;
    if ((rc = YX_DB_Q0(db, &head, "SELECT last_id, last_hash FROM audit_head WHERE one = 1")) != 0)
        return rc;
    int64_t last = head->nrows ? yx_rows_int(head, 0, 0) : 0;
    const char *last_hash = head->nrows ? yx_rows_get(head, 0, 1) : GENESIS;
    if (last != expect_id - 1 || strcmp(last_hash, prev) != 0) {
        *bad_id = last > expect_id - 1 ? expect_id : last;
        yx_snprintf(why, whylen,
                    "the chain ends at event %lld but the head records event %lld (events were removed "
                    "from the end)",
                    (long long)(expect_id - 1), (long long)last);
        rc = YX_ECONFLICT;
    }
    yx_rows_free(head);
    return rc;
}
