/* Storage: one interface, two engines (SQLite by default, PostgreSQL for a province or a nation).
 *
 * SQL is written once with `?` placeholders; the PostgreSQL engine renumbers them to $1, $2 ….
 * Where the dialects differ, callers ask yx_db_dialect(). Results are materialised as text cells
 * owned by the yx_rows, so callers never see an engine's own types.
 *
 * A connection belongs to one thread at a time. The server gives each worker thread its own
 * (yx_db_thread()), so a query never runs on the event loop unless the caller chose that. */
#ifndef YTEXA_STORE_H
#define YTEXA_STORE_H

#include <stdint.h>
#include <string.h>

#include "ytexa/core.h"

enum yx_dialect { YX_SQLITE = 1, YX_POSTGRES = 2 };

enum yx_param_type { YX_PNULL, YX_PINT, YX_PTEXT };
struct yx_param {
    enum yx_param_type type;
    int64_t i;
    const char *s; /* for YX_PTEXT: not owned */
    size_t len;
};
#define YX_PI(v) ((struct yx_param){YX_PINT, (int64_t)(v), NULL, 0})
/* A NUL-terminated string, or NULL for SQL NULL. */
static inline struct yx_param yx_param_text(const char *s)
{
    return (struct yx_param){s ? YX_PTEXT : YX_PNULL, 0, s, s ? strlen(s) : 0};
}
#define YX_PT(v) yx_param_text(v)
/* A slice whose text ends with a NUL at its length (libpq reads text parameters to the NUL). */
#define YX_PS(sl) ((struct yx_param){YX_PTEXT, 0, (sl).ptr, (sl).len})
#define YX_PN ((struct yx_param){YX_PNULL, 0, NULL, 0})

/* A result: nrows × ncols cells, each NULL (SQL NULL) or a NUL-terminated string, and each
 * column's name as the engine reports it.
 *
 * Read a row by its columns' names, not by their positions, wherever the SELECT has more than
 * three columns: yx_rows_str(r, i, "full_name"), not yx_rows_get(r, i, 3). A column added to or
 * taken from the SELECT then moves nothing that reads the others. One to three columns ("SELECT
 * id FROM …", a count, a pair) may be read by position. The names are the engines':
 *
 *   p.full_name             "full_name" on both (a column: its name, without the table)
 *   f.name AS facility_name "facility_name" (an alias: the alias; write aliases in lower case,
 *                           since PostgreSQL folds them and SQLite does not)
 *   COUNT(*)                SQLite "COUNT(*)", PostgreSQL "count": an expression, a literal or a
 *                           parameter needs an alias (PostgreSQL names many "?column?")
 *   u.id, f.id              "id" twice: alias all but one of two columns of the same name
 *
 * Names are string literals: a result remembers which column each name it was asked for is, keyed
 * by the name's address, so only the first read of a name in a result looks for it (a page of 20
 * patients looks each column up once, not 20 times). A name that is not in the result, or that
 * two columns share, is a bug: debug builds say which and stop (YX_ASSERT); release builds read a
 * missing one as NULL. A result is read by one thread at a time, as it always was. */
struct yx_rows_names;
struct yx_rows {
    int nrows, ncols;
    char **cells;
    char **names;
    int64_t changes;               /* rows changed by an INSERT/UPDATE/DELETE */
    struct yx_arena text;          /* the cells' and names' text: a few blocks, not a malloc a cell (a
                                      30-column row was 30 mallocs and frees, and 20 such rows a search) */
    struct yx_rows_names *by_name; /* the columns of the names read so far (src/store/store.c) */
};
/* By position: cell (row, col), NULL for SQL NULL or outside the result. */
const char *yx_rows_get(const struct yx_rows *r, int row, int col);
int64_t yx_rows_int(const struct yx_rows *r, int row, int col); /* 0 for NULL */
int yx_rows_isnull(const struct yx_rows *r, int row, int col);
/* The column called name (a string literal, or a string that lives and stays unchanged as long as
 * r), or -1 when there is none (a debug build stops there: a bug), or when r is NULL. */
int yx_rows_col(const struct yx_rows *r, const char *name);
/* By name: the cell of row in the column called name (yx_rows_col), as text (NULL for SQL NULL),
 * as an integer (0 for NULL), or whether it is NULL. */
const char *yx_rows_str(const struct yx_rows *r, int row, const char *name);
int64_t yx_rows_i64(const struct yx_rows *r, int row, const char *name);
int yx_rows_null(const struct yx_rows *r, int row, const char *name);
void yx_rows_free(struct yx_rows *r);

struct yx_db;

/* The engine's table of operations; each engine defines one (sqlite.c, postgres.c). */
struct yx_db_engine {
    const char *name;
    enum yx_dialect dialect;
    int (*open)(const char *url, struct yx_db **out, char *err, size_t errlen);
    void (*close)(struct yx_db *db);
    /* Runs one statement; *out may be NULL when the caller wants no rows. */
    int (*exec)(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out);
    /* Runs a script of several statements without parameters (migrations). */
    int (*script)(struct yx_db *db, const char *sql);
    const char *(*last_error)(struct yx_db *db);
    /* Is a transaction open on the connection (the engine's own view, which an error that rolls
     * back by itself, e.g. SQLite's SQLITE_FULL, has changed behind yx_db_begin's back)? */
    int (*tx_open)(struct yx_db *db);
    /* Optional: runs a statement whose answer the caller does not need with the next one that
     * needs an answer (PostgreSQL's pipeline); exec when absent. */
    int (*exec_later)(struct yx_db *db, const char *sql, const struct yx_param *p, int np);
    /* Optional: copies the whole database, as one snapshot, into a new file (yx_db_backup). */
    int (*backup)(struct yx_db *db, const char *path);
};

struct yx_db {
    const struct yx_db_engine *engine;
    int in_tx;                  /* transactions open: 1 the outermost, 2 and more savepoints inside it */
    int plan_each;              /* yx_db_plan_each */
    struct yx_db_event *events; /* yx_db_publish: waiting for the commit, newest first */
    /* Statements that failed because the database could not be reached (YX_EUNAVAIL), ever: a
     * request that compares it before and after knows whether its failure met an outage. */
    unsigned long unreachable;
};

/* Is url a PostgreSQL one (postgres:// or postgresql://)? Anything else is a SQLite file. */
int yx_db_url_is_postgres(const char *url);
/* Opens a connection: a postgres:// or postgresql:// URL selects PostgreSQL, anything else is a
 * SQLite file path. */
int yx_db_open(const char *url, struct yx_db **out, char *err, size_t errlen);
void yx_db_close(struct yx_db *db);
enum yx_dialect yx_db_dialect(const struct yx_db *db);
const char *yx_db_error(struct yx_db *db);

/* While on is 1, each statement is planned with its own values and not kept among the
 * connection's prepared statements (PostgreSQL: sent unnamed; SQLite: prepared for the one call).
 * For statements whose best plan depends on their values — the reports' filters that are either off
 * or one value ("? = 0 OR f.id = ?"), which a prepared statement's generic plan, chosen after five
 * executions, turns into a loop over every facility (minutes instead of a second) — and for texts
 * used once (an export page's keys written in it). Not the connection's default: planning every
 * statement (plan_cache_mode = force_custom_plan) cut PostgreSQL's patient reads from 2.9 k to 1.1 k
 * a second (bench/README.md, session 15 review). Set it around such statements, then back to 0. */
void yx_db_plan_each(struct yx_db *db, int on);

/* Runs sql with params. Unique-constraint violations return YX_ECONFLICT, other failures YX_EDB
 * (the engine's message is logged, never shown to a user). */
int yx_db_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out);
#define YX_DB_Q(db, out, sql, ...)                                                                           \
    yx_db_exec((db), (sql), (const struct yx_param[]){__VA_ARGS__},                                          \
               (int)(sizeof((const struct yx_param[]){__VA_ARGS__}) / sizeof(struct yx_param)), (out))
#define YX_DB_Q0(db, out, sql) yx_db_exec((db), (sql), NULL, 0, (out))

/* A multi-row statement: head (e.g. "INSERT INTO t (a, b) VALUES "), nrows groups of ncols
 * placeholders, then tail (e.g. an ON CONFLICT clause, or ""). p holds the nrows × ncols values
 * row after row. Runs as few statements as the sizes allow (up to 8 rows in one statement, more in
 * groups of 128, 64 … 16, 8, so that the statement caches see at most twelve shapes), stopping at the first
 * error. One round trip a group instead of one a row on PostgreSQL; SQLite, which has no round trips, runs
 * the one-row statement for each row. Wrap it in a transaction for all or nothing. */
int yx_db_exec_rows(struct yx_db *db, const char *head, const char *tail, const struct yx_param *p, int ncols,
                    int nrows);
/* A statement inside a transaction whose only answer the caller needs is "it worked": an audit
 * event, a search key, a savepoint. On PostgreSQL it waits and goes with the next statement that
 * needs an answer, or with the COMMIT, in one round trip (libpq's pipeline; a transaction's BEGIN
 * waits so too); its error is then reported by that statement, and the transaction is lost, so
 * the caller gives up on any error as it would on this one's. Outside a transaction, and on
 * SQLite, it runs at once. Never for a statement whose failure the caller tells apart (a unique
 * key's YX_ECONFLICT meant as "taken"): that one's error would surface elsewhere. */
int yx_db_exec_later(struct yx_db *db, const char *sql, const struct yx_param *p, int np);
#define YX_DB_LATER(db, sql, ...)                                                                            \
    yx_db_exec_later((db), (sql), (const struct yx_param[]){__VA_ARGS__},                                    \
                     (int)(sizeof((const struct yx_param[]){__VA_ARGS__}) / sizeof(struct yx_param)))
/* yx_db_exec_rows whose statements are sent later (yx_db_exec_later). */
int yx_db_exec_rows_later(struct yx_db *db, const char *head, const char *tail, const struct yx_param *p,
                          int ncols, int nrows);

/* A statement over a list of ids: head, npre parameters pre, then "?, ?, …" for ids, then tail
 * ("SELECT … WHERE c.id IN (" … ")"). The list is padded to a power of two with the last id, so
 * the statement caches see a few shapes rather than one per list length. At most YX_DB_IN_MAX ids
 * and YX_DB_IN_PRE leading parameters (YX_EINVAL otherwise). */
#define YX_DB_IN_MAX 256
#define YX_DB_IN_PRE 8
int yx_db_exec_in(struct yx_db *db, const char *head, const char *tail, const struct yx_param *pre, int npre,
                  const int64_t *ids, int n, struct yx_rows **out);

/* How many groups of a checkpoint's pages SQLite's paced VFS (src/store/sqlite_pace.c) has
 * written back since the process started: more than zero once a checkpoint has copied 64 pages,
 * unless the database file could not be paced; 0 on PostgreSQL. */
long yx_db_paced_writebacks(void);
/* PostgreSQL's round trips (a pipeline of several statements is one) and statements run since
 * the process started; 0 on SQLite. */
long yx_db_round_trips(void);
long yx_db_statements(void);

/* Transactions. begin takes the write lock at once on SQLite (BEGIN IMMEDIATE) so two writers
 * never deadlock upgrading a read lock. commit is durable when it returns 0.
 *
 * They nest: begin inside a transaction opens a savepoint, whose commit releases it into the
 * transaction around it (durable only with that one's commit) and whose rollback undoes its own
 * statements alone. Group commit (src/http/writes.c) runs each request in a savepoint of one
 * transaction that many requests share. */
int yx_db_begin(struct yx_db *db);
int yx_db_commit(struct yx_db *db);
void yx_db_rollback(struct yx_db *db);
/* Is the outermost transaction still open? 0 once an error has made the engine roll it back by
 * itself: what its savepoints did is lost. */
int yx_db_tx_alive(struct yx_db *db);

/* Live events that wait for a commit (docs/realtime.md, "Records that change"). A change another
 * person's page shows is announced only once it is committed: a reader refetching on the event
 * must find it, and a change rolled back must announce nothing. publish queues text (copied) for
 * channel ("consult:12") on db's transaction: a savepoint's rollback drops what was queued in it,
 * its release hands it to the transaction around it, and the outermost commit hands everything to
 * the publisher, in the order queued; its rollback (or a failed commit) drops everything. Outside
 * a transaction the text goes to the publisher at once. 0, or YX_ENOMEM. */
int yx_db_publish(struct yx_db *db, const char *channel, const char *text);
/* Who receives what commits announce: the real-time hub (src/app sets it before serving; called on
 * the committing thread). NULL, the default: the events are dropped. */
void yx_db_set_publisher(void (*publish)(const char *channel, const char *text));

/* Copies the whole database into a new SQLite file at path, as one consistent snapshot taken while
 * other connections keep writing, and makes it durable (`ytexa backup`). 0; YX_EDB when the copy
 * failed (path is then left for the caller to remove); YX_EINVAL on an engine that has no such copy
 * (PostgreSQL: pg_dump, docs/operations.md). */
int yx_db_backup(struct yx_db *db, const char *path);

/* Applies the numbered migrations not yet applied; returns how many ran in *applied. */
int yx_db_migrate(struct yx_db *db, int *applied);

/* The process-wide database URL, and a connection owned by the calling thread (opened on first
 * use, closed by yx_db_thread_close()). Returns NULL when it cannot connect. */
void yx_db_set_url(const char *url);
const char *yx_db_url(void);
struct yx_db *yx_db_thread(void);
void yx_db_thread_close(void);

/* A background job: a thread with its own connection (yx_db_thread()) that runs tick at once and
 * then every interval_ms until stopped, e.g. the notification sender and the consultation
 * escalator. tick gets NULL when the database cannot be reached. */
#include <pthread.h>
struct yx_db_job {
    void (*tick)(struct yx_db *db, void *arg);
    void *arg;
    int interval_ms;
    int no_db; /* the job needs no database: tick always gets NULL and no connection is opened */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, stopping;
};
/* Starts job (tick, arg and interval_ms filled in by the caller). */
int yx_db_job_start(struct yx_db_job *job);
/* Stops it after the tick in progress and joins the thread; does nothing if it is not running. */
void yx_db_job_stop(struct yx_db_job *job);
/* SQLite only (nothing with PostgreSQL): copies the WAL back into the database file on a thread
 * of its own, so no request's commit does it (src/store/job.c). */
int yx_db_checkpointer_start(void);
void yx_db_checkpointer_stop(void);

#endif
