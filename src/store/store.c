/* The storage interface: dispatch to an engine, rows, transactions, per-thread connections. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/store.h"

extern const struct yx_db_engine yx_sqlite_engine;
extern const struct yx_db_engine yx_postgres_engine;

int yx_db_url_is_postgres(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int yx_db_open(const char *url, struct yx_db **out, char *err, size_t errlen)
{
    const struct yx_db_engine *e = yx_db_url_is_postgres(url) ? &yx_postgres_engine : &yx_sqlite_engine;
    return e->open(url, out, err, errlen);
}

int yx_db_backup(struct yx_db *db, const char *path)
{
    return db->engine->backup ? db->engine->backup(db, path) : YX_EINVAL;
}

/* An event waiting for its transaction's commit (yx_db_publish), at the nesting level it was
 * queued in or released into. */
struct yx_db_event {
    struct yx_db_event *next;
    int level;
    char *channel, *text;
};

static void (*publisher)(const char *channel, const char *text);

void yx_db_set_publisher(void (*publish)(const char *channel, const char *text))
{
    publisher = publish;
}

/* Drops the events queued at level or deeper (a rollback of that level). */
static void events_drop(struct yx_db *db, int level)
{
    struct yx_db_event **at = &db->events;
    while (*at) {
        struct yx_db_event *e = *at;
        if (e->level < level) {
            at = &e->next;
            continue;
        }
        *at = e->next;
        free(e->channel);
        free(e->text);
        free(e);
    }
}

/* A savepoint released: its events now belong to the transaction around it. */
static void events_release(struct yx_db *db, int level)
{
    for (struct yx_db_event *e = db->events; e; e = e->next)
        if (e->level == level)
            e->level = level - 1;
}

/* The outermost transaction committed: every event goes out, oldest first (the list is newest
 * first, so it is reversed before). */
static void events_send(struct yx_db *db)
{
    struct yx_db_event *old = NULL;
    while (db->events) {
        struct yx_db_event *e = db->events;
        db->events = e->next;
        e->next = old;
        old = e;
    }
    for (struct yx_db_event *e = old, *next; e; e = next) {
        next = e->next;
        if (publisher)
            publisher(e->channel, e->text);
        free(e->channel);
        free(e->text);
        free(e);
    }
}

int yx_db_publish(struct yx_db *db, const char *channel, const char *text)
{
    if (!db->in_tx) {
        if (publisher)
            publisher(channel, text);
        return 0;
    }
    struct yx_db_event *e = calloc(1, sizeof *e);
    if (!e || !(e->channel = strdup(channel)) || !(e->text = strdup(text))) {
        if (e)
            free(e->channel);
        free(e);
        return YX_ENOMEM;
    }
    e->level = db->in_tx;
    e->next = db->events;
    db->events = e;
    return 0;
}

void yx_db_close(struct yx_db *db)
{
    if (db && db->in_tx)
        yx_db_rollback(db);
    if (db)
        events_drop(db, 0);
    if (db)
        db->engine->close(db);
}

enum yx_dialect yx_db_dialect(const struct yx_db *db)
{
    return db->engine->dialect;
}

const char *yx_db_error(struct yx_db *db)
{
    return db->engine->last_error(db);
}

void yx_db_plan_each(struct yx_db *db, int on)
{
    db->plan_each = on;
}

int yx_db_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out)
{
    if (out)
        *out = NULL;
    int rc = db->engine->exec(db, sql, p, np, out);
    if (rc == YX_EDB)
        yx_log(YX_LOG_ERROR, "db: %s (in: %.120s)", yx_db_error(db), sql);
    db->unreachable += rc == YX_EUNAVAIL;
    return rc;
}

int yx_db_exec_later(struct yx_db *db, const char *sql, const struct yx_param *p, int np)
{
    if (!db->engine->exec_later)
        return yx_db_exec(db, sql, p, np, NULL);
    int rc = db->engine->exec_later(db, sql, p, np);
    if (rc == YX_EDB)
        yx_log(YX_LOG_ERROR, "db: %s (in: %.120s)", yx_db_error(db), sql);
    db->unreachable += rc == YX_EUNAVAIL;
    return rc;
}

#define ROWS_MAX 128
#define ROWS_EXACT 8

/* head, n groups of placeholders, tail: "(?, ?), (?, ?)" for rows of ncols, or "?, ?" (ncols 0)
 * for an IN list. NULL when out of memory. */
static char *placeholders(const char *head, const char *tail, int ncols, int n)
{
    struct yx_buf sql;
    yx_buf_init(&sql, 1 << 20);
    int bad = yx_buf_puts(&sql, head);
    for (int i = 0; !bad && i < n; i++) {
        bad = yx_buf_puts(&sql, i ? (ncols ? ", (?" : ", ?") : (ncols ? "(?" : "?"));
        for (int k = 1; !bad && k < ncols; k++)
            bad = yx_buf_puts(&sql, ", ?");
        bad = bad || (ncols && yx_buf_puts(&sql, ")"));
    }
    bad = bad || yx_buf_puts(&sql, tail);
    char *text = bad ? NULL : yx_buf_detach(&sql, NULL);
    yx_buf_release(&sql);
    return text;
}

static int exec_rows(struct yx_db *db, const char *head, const char *tail, const struct yx_param *p,
                     int ncols, int nrows, int later)
{
    if (ncols < 1 || nrows < 0)
        return YX_EINVAL;
    int rc = 0;
    if (db->engine->dialect == YX_SQLITE) {
        /* No round trips to save: the one-row statement, prepared once and cached, run for each
         * row costs least (building and binding a statement of 128 rows cost the audit writer's
         * batches a tenth of the patient read's rate). */
        char *sql = nrows ? placeholders(head, tail, ncols, 1) : NULL;
        if (nrows && !sql)
            return YX_ENOMEM;
        for (int i = 0; rc == 0 && i < nrows; i++)
            rc = yx_db_exec(db, sql, p + (size_t)i * (size_t)ncols, ncols, NULL);
        free(sql);
        return rc;
    }
    for (int done = 0, n; rc == 0 && done < nrows; done += n) {
        /* Up to ROWS_EXACT rows in one statement of their own count (a name's few search keys in
         * one, not 4 + 1); beyond, powers of two. */
        if (nrows - done <= ROWS_EXACT)
            n = nrows - done;
        else
            for (n = ROWS_MAX; n > nrows - done; n /= 2)
                ;
        char *sql = placeholders(head, tail, ncols, n);
        const struct yx_param *q = p + (size_t)done * (size_t)ncols;
        rc = !sql    ? YX_ENOMEM
             : later ? yx_db_exec_later(db, sql, q, n * ncols)
                     : yx_db_exec(db, sql, q, n * ncols, NULL);
        free(sql);
    }
    return rc;
}

int yx_db_exec_rows(struct yx_db *db, const char *head, const char *tail, const struct yx_param *p, int ncols,
                    int nrows)
{
    return exec_rows(db, head, tail, p, ncols, nrows, 0);
}

int yx_db_exec_rows_later(struct yx_db *db, const char *head, const char *tail, const struct yx_param *p,
                          int ncols, int nrows)
{
    return exec_rows(db, head, tail, p, ncols, nrows, 1);
}

int yx_db_exec_in(struct yx_db *db, const char *head, const char *tail, const struct yx_param *pre, int npre,
                  const int64_t *ids, int n, struct yx_rows **out)
{
    struct yx_param p[YX_DB_IN_MAX + YX_DB_IN_PRE];
    int m = 1;
    while (m < n)
        m *= 2;
    if (n < 1 || m > YX_DB_IN_MAX || npre < 0 || npre > YX_DB_IN_PRE)
        return YX_EINVAL;
    for (int i = 0; i < npre; i++)
        p[i] = pre[i];
    for (int i = 0; i < m; i++)
        p[npre + i] = YX_PI(ids[i < n ? i : n - 1]);
    char *sql = placeholders(head, tail, 0, m);
    int rc = sql ? yx_db_exec(db, sql, p, npre + m, out) : YX_ENOMEM;
    free(sql);
    return rc;
}

/* SQLite has one writer at a time. Threads of this process that want to write queue on a mutex
 * instead of on SQLite's busy handler, which sleeps in steps of up to 100 ms and so turned a burst
 * of registrations into waits of over a second (bench/README.md). Other processes (the CLI)
 * still meet the busy timeout. PostgreSQL has row locks and needs none of this. */
static pthread_mutex_t sqlite_writer = PTHREAD_MUTEX_INITIALIZER;

static void writer_release(struct yx_db *db)
{
    if (db->in_tx && db->engine->dialect == YX_SQLITE)
        pthread_mutex_unlock(&sqlite_writer);
    db->in_tx = 0;
}

/* A savepoint's name: its depth, so each level has its own. */
static void savepoint_sql(char *out, size_t n, const char *verb, int depth)
{
    yx_snprintf(out, n, "%s yx_%d", verb, depth);
}

int yx_db_begin(struct yx_db *db)
{
    char sql[48];
    if (db->in_tx) {
        savepoint_sql(sql, sizeof sql, "SAVEPOINT", db->in_tx + 1);
        int rc = yx_db_exec_later(db, sql, NULL, 0);
        if (rc == 0)
            db->in_tx++;
        return rc;
    }
    int sqlite = db->engine->dialect == YX_SQLITE;
    if (sqlite)
        pthread_mutex_lock(&sqlite_writer);
    int rc = YX_DB_Q0(db, NULL, sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc == 0)
        db->in_tx = 1;
    else if (sqlite)
        pthread_mutex_unlock(&sqlite_writer);
    return rc;
}

int yx_db_commit(struct yx_db *db)
{
    char sql[48];
    if (db->in_tx > 1) {
        savepoint_sql(sql, sizeof sql, "RELEASE", db->in_tx);
        int rc = yx_db_exec_later(db, sql, NULL, 0);
        if (rc != 0) {
            yx_db_rollback(db);
            return rc;
        }
        events_release(db, db->in_tx);
        db->in_tx--;
        return 0;
    }
    int rc = YX_DB_Q0(db, NULL, "COMMIT");
    if (rc != 0)
        yx_db_rollback(db);
    writer_release(db);
    if (rc == 0)
        events_send(db);
    return rc;
}

void yx_db_rollback(struct yx_db *db)
{
    char sql[48];
    if (db->in_tx > 1) {
        /* Undone and released: the transaction around it goes on as before the savepoint. */
        savepoint_sql(sql, sizeof sql, "ROLLBACK TO", db->in_tx);
        YX_DB_Q0(db, NULL, sql);
        savepoint_sql(sql, sizeof sql, "RELEASE", db->in_tx);
        YX_DB_Q0(db, NULL, sql);
        events_drop(db, db->in_tx);
        db->in_tx--;
        return;
    }
    if (db->in_tx)
        YX_DB_Q0(db, NULL, "ROLLBACK");
    events_drop(db, 0);
    writer_release(db);
}

int yx_db_tx_alive(struct yx_db *db)
{
    return db->in_tx && db->engine->tx_open(db);
}

const char *yx_rows_get(const struct yx_rows *r, int row, int col)
{
    if (!r || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
        return NULL;
    return r->cells[row * r->ncols + col];
}

int64_t yx_rows_int(const struct yx_rows *r, int row, int col)
{
    const char *v = yx_rows_get(r, row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

int yx_rows_isnull(const struct yx_rows *r, int row, int col)
{
    return yx_rows_get(r, row, col) == NULL;
}

/* Which column each name asked for is, by the name's address (open addressing, at most half
 * full). Callers pass string literals, so after a result's first row a read by name costs a
 * multiplication and a comparison, not a strcmp over the columns. */
struct yx_rows_names {
    unsigned shift, used, next; /* next: where the next search starts, the column after the last
                                   found, since rows are mostly read in the SELECT's order */
    struct {
        const char *name;
        int col;
    } slot[];
};

static unsigned name_slot(const struct yx_rows_names *ix, const char *name)
{
    /* Fibonacci hashing: the top bits of the address times 2^64 / φ. */
    return (unsigned)(((uint64_t)(uintptr_t)name * UINT64_C(0x9E3779B97F4A7C15)) >> ix->shift);
}

/* The column called name, looking from column from on; -1 when there is none. */
static int name_find(const struct yx_rows *r, const char *name, int from)
{
    for (int k = 0, c = from; k < r->ncols; k++, c = c + 1 < r->ncols ? c + 1 : 0)
        if (strcmp(r->names[c], name) == 0)
            return c;
    return -1;
}

/* A name no column has, or two columns share, is the caller's bug (docs: store.h): a debug build
 * says which and stops. */
static void name_check(const struct yx_rows *r, const char *name, int col)
{
#ifndef NDEBUG
    int again = col >= 0 ? name_find(r, name, col + 1 < r->ncols ? col + 1 : 0) : -1;
    if (col < 0)
        yx_log(YX_LOG_ERROR, "store: no column \"%s\" in the result (%d columns)", name, r->ncols);
    else if (again != col)
        yx_log(YX_LOG_ERROR, "store: columns %d and %d are both \"%s\": alias one", col, again, name);
    YX_ASSERT(col >= 0 && again == col);
#else
    (void)r, (void)name, (void)col;
#endif
}

static struct yx_rows_names *names_index(struct yx_rows *r)
{
    unsigned bits = 4;
    while ((1u << bits) < 2u * (unsigned)r->ncols)
        bits++;
    size_t size = sizeof(struct yx_rows_names) + ((size_t)1 << bits) * sizeof r->by_name->slot[0];
    struct yx_rows_names *ix = yx_arena_alloc(&r->text, size);
    if (ix) {
        memset(ix, 0, size);
        ix->shift = 64 - bits;
    }
    return r->by_name = ix;
}

int yx_rows_col(const struct yx_rows *r, const char *name)
{
    if (!r || !name)
        return -1;
    /* The index is the result's memory, not its value: reading by name through a const pointer
     * may fill it, as a result is read by one thread at a time. */
    struct yx_rows *w = (struct yx_rows *)r;
    struct yx_rows_names *ix = w->by_name ? w->by_name : names_index(w);
    if (!ix) {
        int col = name_find(r, name, 0); /* out of memory: look every time */
        name_check(r, name, col);
        return col;
    }
    unsigned mask = (1u << (64 - ix->shift)) - 1, h = name_slot(ix, name);
    for (; ix->slot[h].name; h = (h + 1) & mask)
        if (ix->slot[h].name == name) {
            /* The same address with other text: a name that was not a literal and has changed. */
            YX_ASSERT(ix->slot[h].col < 0 || strcmp(r->names[ix->slot[h].col], name) == 0);
            return ix->slot[h].col;
        }
    int col = name_find(r, name, (int)ix->next);
    name_check(r, name, col);
    if (col >= 0)
        ix->next = col + 1 < r->ncols ? (unsigned)col + 1 : 0;
    /* Names that are not literals (the same text at new addresses) could fill it: past half, the
     * names are looked for each time. */
    if (ix->used < (mask + 1) / 2) {
        ix->slot[h].name = name;
        ix->slot[h].col = col;
        ix->used++;
    }
    return col;
}

const char *yx_rows_str(const struct yx_rows *r, int row, const char *name)
{
    return yx_rows_get(r, row, yx_rows_col(r, name));
}

int64_t yx_rows_i64(const struct yx_rows *r, int row, const char *name)
{
    return yx_rows_int(r, row, yx_rows_col(r, name));
}

int yx_rows_null(const struct yx_rows *r, int row, const char *name)
{
    return yx_rows_get(r, row, yx_rows_col(r, name)) == NULL;
}

void yx_rows_free(struct yx_rows *r)
{
    if (!r)
        return;
    yx_arena_release(&r->text);
    free(r->cells);
    free(r->names);
    free(r);
}

static char *db_url;
static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_db_free(void *p)
{
    yx_db_close(p);
}

static void thread_key_make(void)
{
    pthread_key_create(&thread_key, thread_db_free);
}

void yx_db_set_url(const char *url)
{
    free(db_url);
    db_url = url ? strdup(url) : NULL;
}

const char *yx_db_url(void)
{
    return db_url;
}

struct yx_db *yx_db_thread(void)
{
    pthread_once(&thread_once, thread_key_make);
    struct yx_db *db = pthread_getspecific(thread_key);
    if (db || !db_url)
        return db;
    char err[256];
    if (yx_db_open(db_url, &db, err, sizeof err) != 0) {
        yx_log(YX_LOG_ERROR, "db: cannot connect: %s", err);
        return NULL;
    }
    pthread_setspecific(thread_key, db);
    return db;
}

void yx_db_thread_close(void)
{
    pthread_once(&thread_once, thread_key_make);
    struct yx_db *db = pthread_getspecific(thread_key);
    if (db) {
        yx_db_close(db);
        pthread_setspecific(thread_key, NULL);
    }
}
