/* The SQLite engine: WAL, foreign keys, durable commits, a per-connection statement cache. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_pace.h"
#include "ytexa/store.h"

#define STMT_CACHE 64

struct sqlite_db {
    struct yx_db base;
    sqlite3 *h;
    struct {
        char *sql;
        sqlite3_stmt *st;
    } cache[STMT_CACHE];
};

static const char *sq_last_error(struct yx_db *db)
{
    return sqlite3_errmsg(((struct sqlite_db *)db)->h);
}

static void sq_close(struct yx_db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    for (int i = 0; i < STMT_CACHE; i++) {
        sqlite3_finalize(s->cache[i].st);
        free(s->cache[i].sql);
    }
    sqlite3_close_v2(s->h);
    free(s);
}

/* What SQLite is told once, before anything starts it. A write request runs in a savepoint of its
 * group's transaction (group commit, src/http/writes.c), and a savepoint keeps the original of each
 * page it changes in a statement journal, which SQLite writes to a temporary file once it passes
 * 64 KiB: a group of FHIR creates wrote 23 pages a patient there against 6 to the WAL (strace),
 * 119 KB in all. Statement journals are now kept in memory whatever their size (-1; a positive
 * threshold makes SQLite allocate the whole threshold at every journal's opening, which halved the
 * creates): 29 KB written a patient, and 35 % more creates a second (bench/README.md, session 20).
 * The memory is the pages one savepoint changes — a group of 64 creates ~4 MiB, an import group of
 * 200 lines ~12 MiB, a facility's move of province (its rollups rewritten) tens of MiB once; it is
 * freed at the savepoint's end. Temporary tables and sorts still go to files. */
#define STMT_JOURNAL_MAX (-1)

static void configure_once(void)
{
    if (sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STMT_JOURNAL_MAX) != SQLITE_OK)
        yx_log(YX_LOG_WARN, "sqlite: statement journals stay at SQLite's default spill (already started)");
}

static int sq_open(const char *url, struct yx_db **out, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    extern const struct yx_db_engine yx_sqlite_engine;
    int rc = YX_EDB;
    struct sqlite_db *s = calloc(1, sizeof *s);
    if (!s)
        return YX_ENOMEM;
    s->base.engine = &yx_sqlite_engine;
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    if (sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        yx_sqlite_vfs()) != SQLITE_OK) {
        yx_snprintf(err, errlen, "%s: %s", path, s->h ? sqlite3_errmsg(s->h) : "cannot open");
        goto out;
    }
    sqlite3_busy_timeout(s->h, 10000);
    /* WAL lets readers run beside the one writer; synchronous=FULL makes every acknowledged
     * commit survive a power cut, not only a crash of the process. Checkpoints are the job of a
     * thread of their own (yx_db_checkpointer_start); a connection does one only as a backstop. */
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                          "PRAGMA wal_autocheckpoint=16384;";
    if (sqlite3_exec(s->h, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        yx_snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->h));
        goto out;
    }
    *out = &s->base;
    s = NULL;
    rc = 0;
out:
    if (s)
        sq_close(&s->base);
    return rc;
}

/* The cache slot's hash of a statement's text: its length and its first and last 64 bytes, eight
 * at a time. Hashing every byte of the longer queries (several hundred characters, a few times a
 * request) was 2 % of a patient read's CPU; two texts alike at both ends only share a probe
 * sequence, since a slot is taken on strcmp. */
static size_t sql_hash(const char *sql)
{
    size_t n = strlen(sql);
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t head = n < 64 ? n : 64, tail = n - head < 64 ? n - head : 64;
    const char *parts[2] = {sql, sql + n - tail};
    size_t lens[2] = {head, tail};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < lens[k]; i += 8) {
            uint64_t w = 0;
            memcpy(&w, parts[k] + i, lens[k] - i < 8 ? lens[k] - i : 8);
            h = (h ^ w) * 0xff51afd7ed558ccdULL;
            h ^= h >> 32;
        }
    return (size_t)h;
}

static sqlite3_stmt *stmt_get(struct sqlite_db *s, const char *sql, int *cached)
{
    size_t h = sql_hash(sql);
    for (int k = 0; k < 8 && !s->base.plan_each; k++) {
        int i = (int)((h + (size_t)k) % STMT_CACHE);
        if (s->cache[i].sql && strcmp(s->cache[i].sql, sql) == 0) {
            *cached = 1;
            return s->cache[i].st;
        }
        if (!s->cache[i].sql) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(s->h, sql, -1, &st, NULL) != SQLITE_OK)
                return NULL;
            char *copy = strdup(sql);
            if (!copy) {
                sqlite3_finalize(st);
                return NULL;
            }
            s->cache[i].sql = copy;
            s->cache[i].st = st;
            *cached = 1;
            return st;
        }
    }
    sqlite3_stmt *st = NULL;
    *cached = 0;
    return sqlite3_prepare_v2(s->h, sql, -1, &st, NULL) == SQLITE_OK ? st : NULL;
}

static int map_error(int ext)
{
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return YX_ECONFLICT;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
        return YX_EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL: /* the disk is full: rolled back, and taken again once there is room */
        return YX_EUNAVAIL;
    default:
        return YX_EDB;
    }
}

static int rows_push(struct yx_rows *r, sqlite3_stmt *st, int *cap)
{
    if (r->nrows == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        char **c = realloc(r->cells, (size_t)ncap * (size_t)(r->ncols ? r->ncols : 1) * sizeof(char *));
        if (!c)
            return YX_ENOMEM;
        r->cells = c;
        *cap = ncap;
    }
    for (int i = 0; i < r->ncols; i++) {
        char **cell = &r->cells[r->nrows * r->ncols + i];
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
            *cell = NULL;
            continue;
        }
        const unsigned char *v = sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        if (!(*cell = yx_arena_strndup(&r->text, (const char *)v, v ? (size_t)n : 0)))
            return YX_ENOMEM;
    }
    r->nrows++;
    return 0;
}

static int sq_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    int rc = YX_EDB, cached = 0, cap = 0;
    struct yx_rows *r = NULL;
    sqlite3_stmt *st = stmt_get(s, sql, &cached);
    if (!st)
        return YX_EDB;
    for (int i = 0; i < np; i++) {
        int brc;
        if (p[i].type == YX_PINT)
            brc = sqlite3_bind_int64(st, i + 1, p[i].i);
        else if (p[i].type == YX_PTEXT && p[i].s && memchr(p[i].s, '\0', p[i].len)) {
            /* PostgreSQL's text cannot hold a NUL; SQLite's could, and C would read the value only
             * up to it. Refused alike on both engines, as bad input. */
            rc = YX_EINVAL;
            goto out;
        } else if (p[i].type == YX_PTEXT)
            brc = sqlite3_bind_text(st, i + 1, p[i].s ? p[i].s : "", (int)p[i].len, SQLITE_TRANSIENT);
        else
            brc = sqlite3_bind_null(st, i + 1);
        if (brc != SQLITE_OK)
            goto out;
    }
    if (out) {
        r = calloc(1, sizeof *r);
        if (!r) {
            rc = YX_ENOMEM;
            goto out;
        }
        r->ncols = sqlite3_column_count(st);
        if (r->ncols) {
            r->names = calloc((size_t)r->ncols, sizeof(char *));
            if (!r->names) {
                rc = YX_ENOMEM;
                goto out;
            }
            for (int i = 0; i < r->ncols; i++) {
                const char *name = sqlite3_column_name(st, i);
                if (!(r->names[i] = yx_arena_strndup(&r->text, name ? name : "", name ? strlen(name) : 0))) {
                    rc = YX_ENOMEM;
                    goto out;
                }
            }
        }
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (r && (rc = rows_push(r, st, &cap)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = map_error(sqlite3_extended_errcode(s->h));
        goto out;
    }
    if (r)
        r->changes = sqlite3_changes64(s->h);
    rc = 0;
out:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (!cached)
        sqlite3_finalize(st);
    if (rc == 0 && out) {
        *out = r;
        r = NULL;
    }
    yx_rows_free(r);
    return rc;
}

static int sq_script(struct yx_db *db, const char *sql)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    return sqlite3_exec(s->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : YX_EDB;
}

static int sq_tx_open(struct yx_db *db)
{
    return !sqlite3_get_autocommit(((struct sqlite_db *)db)->h);
}

/* The online backup API in a single step over every page: the copy is one read transaction's
 * snapshot (WAL lets the writers of other connections go on meanwhile), and its commit into the new
 * file is synced (a new file is in rollback-journal mode, synchronous=FULL). A writer holding the
 * lock for a moment makes a step busy: try again, for about ten seconds at most. */
static int sq_backup(struct yx_db *db, const char *path)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    sqlite3 *dst = NULL;
    int rc = YX_EDB, step = SQLITE_ERROR;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        sqlite3_exec(dst, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->h, "main");
    if (!b)
        goto out;
    for (int tries = 0; tries < 200; tries++) {
        step = sqlite3_backup_step(b, -1);
        if (step != SQLITE_BUSY && step != SQLITE_LOCKED)
            break;
        sqlite3_sleep(50);
    }
    if (sqlite3_backup_finish(b) == SQLITE_OK && step == SQLITE_DONE)
        rc = 0;
out:
    if (sqlite3_close(dst) != SQLITE_OK)
        rc = YX_EDB;
    return rc;
}

const struct yx_db_engine yx_sqlite_engine = {
    .name = "sqlite",
    .dialect = YX_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .script = sq_script,
    .last_error = sq_last_error,
    .tx_open = sq_tx_open,
    .backup = sq_backup,
};
