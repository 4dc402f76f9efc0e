/* The audit sealer: gives recorded events their places in the chain (src/audit/audit.c says why
 * PostgreSQL's events wait for it). One sealer at a time across every instance on the database:
 * each takes the chain's transaction-scoped advisory lock, and an instance that finds it taken
 * leaves the round to the other. Only sealers and the audit writers' short transactions take that
 * lock, so no request's transaction ever holds or waits on it. */
#include <string.h>

#include "ytexa/audit.h"

#define SEAL_BATCH 1000

int yx_audit_seal(struct yx_db *db, int max, int *sealed)
{
    struct yx_rows *r = NULL;
    *sealed = 0;
    int rc = yx_db_begin(db);
    if (rc)
        return rc;
    int mine = 1;
    if (yx_db_dialect(db) == YX_POSTGRES) {
        rc = YX_DB_Q0(db, &r, "SELECT pg_try_advisory_xact_lock(" YX_AUDIT_CHAIN_LOCK ")::int");
        mine = rc == 0 && yx_rows_int(r, 0, 0) == 1;
        yx_rows_free(r);
    }
    if (rc == 0 && mine)
        rc = yx_audit_seal_locked(db, max, sealed);
    if (rc == 0)
        rc = yx_db_commit(db);
    else
        yx_db_rollback(db);
    if (rc)
        *sealed = 0;
    return rc;
}

/* Seals until nothing is left; first a look without a transaction, so an idle server (and SQLite,
 * whose events are sealed as they are written) costs one indexed lookup a tick. */
static void seal_all(struct yx_db *db, void *arg)
{
    (void)arg;
    struct yx_rows *r = NULL;
    int n = 0;
    if (!db || YX_DB_Q0(db, &r, "SELECT 1 FROM audit_events WHERE seq IS NULL LIMIT 1") != 0 ||
        r->nrows == 0) {
        yx_rows_free(r);
        return;
    }
    yx_rows_free(r);
    do {
        int rc = yx_audit_seal(db, SEAL_BATCH, &n);
        if (rc) {
            yx_log(YX_LOG_ERROR, "audit: cannot seal events: %s", yx_err_name(rc));
            break;
        }
    } while (n == SEAL_BATCH);
}

static struct yx_db_job sealer;

int yx_audit_sealer_start(void)
{
    sealer = (struct yx_db_job){.tick = seal_all, .interval_ms = YX_AUDIT_SEAL_EVERY_MS};
    return yx_db_job_start(&sealer);
}

/* Stops the thread, then seals what the last requests recorded, so a stopped server leaves
 * nothing unsealed. */
void yx_audit_sealer_stop(void)
{
    int was = sealer.running;
    yx_db_job_stop(&sealer);
    if (was)
        seal_all(yx_db_thread(), NULL);
}
