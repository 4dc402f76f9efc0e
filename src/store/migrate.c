/* Runs the numbered migrations of the connection's dialect that have not run yet, each in its
 * own transaction, so a failed one leaves the schema at the previous version. */
#include <stdlib.h>
#include <string.h>

#include "migrations.h"
#include "ytexa/store.h"

static int migration_applied(struct yx_db *db, int version, int *applied)
{
    struct yx_rows *r = NULL;
    int rc = YX_DB_Q(db, &r, "SELECT 1 FROM schema_migrations WHERE version = ?", YX_PI(version));
    if (rc == 0)
        *applied = r->nrows > 0;
    yx_rows_free(r);
    return rc;
}

int yx_db_migrate(struct yx_db *db, int *applied)
{
    int pg = yx_db_dialect(db) == YX_POSTGRES;
    const struct yx_migration *m = pg ? yx_migrations_postgres : yx_migrations_sqlite;
    int rc = YX_DB_Q0(db, NULL,
                      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    if (applied)
        *applied = 0;
    if (rc)
        return rc;
    /* Several instances may start at once on one PostgreSQL; an advisory lock lets one migrate
     * while the others wait. */
    if (pg && (rc = YX_DB_Q0(db, NULL, "SELECT pg_advisory_lock(7746601)")) != 0)
        return rc;
    for (; m->sql; m++) {
        int done = 0;
        if ((rc = migration_applied(db, m->version, &done)) != 0)
            break;
        if (done)
            continue;
        if ((rc = yx_db_begin(db)) != 0)
            break;
        rc = db->engine->script(db, m->sql);
        if (rc == 0)
            rc = YX_DB_Q(db, NULL,
                         "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                         YX_PI(m->version), YX_PT(m->name), YX_PI(yx_now_ms()));
        if (rc != 0) {
            yx_log(YX_LOG_ERROR, "migration %s failed: %s", m->name, yx_db_error(db));
            yx_db_rollback(db);
            break;
        }
        if ((rc = yx_db_commit(db)) != 0)
            break;
        yx_log(YX_LOG_INFO, "migration %s applied", m->name);
        if (applied)
            (*applied)++;
    }
    if (pg)
        YX_DB_Q0(db, NULL, "SELECT pg_advisory_unlock(7746601)");
    return rc;
}
