/* A database for a folder's unit tests, with the real schema (yx_db_migrate), on the engine
 * YTEXA_TEST_DB names: unset, a SQLite file in a temp folder; a postgres:// URL, a fresh database
 * on that server, dropped at the end (scripts/test-postgres.sh sets it). Header-only: each test
 * program is one file. tests/unit/store_test.c sets its own up the same way. */
#ifndef YX_TESTDB_H
#define YX_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ytexa/store.h"

static struct {
    char admin_url[512], url[600], name[64], dir[256], path[300];
} testdb;

/* The server URL with its database name replaced by name (query parameters kept). */
static inline int testdb_url(const char *base, const char *name, char *out, size_t outlen)
{
    const char *host = strstr(base, "://");
    if (!host)
        return YX_EINVAL;
    host += 3;
    size_t pre = (size_t)(host - base) + strcspn(host, "/?");
    const char *query = strchr(host, '?');
    return yx_snprintf(out, outlen, "%.*s/%s%s", (int)pre, base, name, query ? query : "");
}

static inline int testdb_admin(const char *sql)
{
    struct yx_db *admin = NULL;
    char err[256];
    int rc = yx_db_open(testdb.admin_url, &admin, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "testdb: cannot connect to %s: %s\n", testdb.admin_url, err);
        return rc;
    }
    rc = YX_DB_Q0(admin, NULL, sql);
    yx_db_close(admin);
    return rc;
}

/* Opens a new, migrated database for the program called who; 0 or -1 (said on stderr). */
static inline int testdb_open(const char *who, struct yx_db **db)
{
    const char *env = getenv("YTEXA_TEST_DB");
    char err[256], sql[128];
    int first;
    if (env && (strncmp(env, "postgres://", 11) == 0 || strncmp(env, "postgresql://", 13) == 0)) {
        yx_snprintf(testdb.admin_url, sizeof testdb.admin_url, "%s", env);
        yx_snprintf(testdb.name, sizeof testdb.name, "yx_%s_%ld", who, (long)getpid());
        yx_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", testdb.name);
        if (testdb_url(env, testdb.name, testdb.url, sizeof testdb.url) != 0 || testdb_admin(sql) != 0)
            return -1;
        yx_snprintf(sql, sizeof sql, "CREATE DATABASE %s", testdb.name);
        if (testdb_admin(sql) != 0)
            return -1;
    } else {
        const char *tmp = getenv("TMPDIR");
        yx_snprintf(testdb.dir, sizeof testdb.dir, "%s/ytexa-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", who);
        if (!mkdtemp(testdb.dir))
            return -1;
        yx_snprintf(testdb.path, sizeof testdb.path, "%s/test.db", testdb.dir);
        yx_snprintf(testdb.url, sizeof testdb.url, "%s", testdb.path);
    }
    if (yx_db_open(testdb.url, db, err, sizeof err) != 0) {
        fprintf(stderr, "%s: cannot open %s: %s\n", who, testdb.url, err);
        return -1;
    }
    return yx_db_migrate(*db, &first) == 0 ? 0 : -1;
}

/* Closes the database and removes it. */
static inline int testdb_close(struct yx_db *db)
{
    char sql[128], path[320];
    yx_db_close(db);
    if (testdb.name[0]) {
        yx_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", testdb.name);
        return testdb_admin(sql) == 0 ? 0 : -1;
    }
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        yx_snprintf(path, sizeof path, "%s%s", testdb.path, suffixes[i]);
        unlink(path);
    }
    rmdir(testdb.dir);
    return 0;
}

/* The integer in the first column of the first row of sql (-1 when it fails). */
static inline int64_t testdb_int(struct yx_db *db, const char *sql)
{
    struct yx_rows *r = NULL;
    int64_t n = YX_DB_Q0(db, &r, sql) == 0 && r->nrows == 1 ? yx_rows_int(r, 0, 0) : -1;
    yx_rows_free(r);
    return n;
}

#endif
