/* The PostgreSQL engine (libpq). SQL arrives with `?` placeholders, rewritten once per
 * connection to $1, $2 … and prepared there as a named statement the first time it runs, so the
 * server parses and analyses it once per connection rather than on every call (as the SQLite
 * engine keeps its prepared statements); parameters and results travel as text.
 *
 * The rewrite knows literals ('' and E''), quoted identifiers and comments, but not
 * dollar-quoted strings nor the jsonb `?` operators: callers write neither. */
#include <ctype.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/store.h"

/* Statements kept prepared per connection: more than the distinct statements a worker runs in a
 * day's mix of requests, so they stay (each costs the server a few KB of plan cache). */
#define SQL_CACHE 256
#define STACK_PARAMS 16
#define MAX_PARAMS 65535 /* the protocol's limit */

struct pg_db {
    struct yx_db base;
    PGconn *conn;
    const char *note; /* an error found by the engine rather than by libpq */
    struct {
        char *sql, *rewritten;
        int prepared; /* prepared on this connection as "s<slot>" (0 after a reset) */
    } cache[SQL_CACHE];
};

extern const struct yx_db_engine yx_postgres_engine;

static const char *pg_last_error(struct yx_db *db)
{
    struct pg_db *g = (struct pg_db *)db;
    return g->note ? g->note : PQerrorMessage(g->conn);
}

static void pg_close(struct yx_db *db)
{
    struct pg_db *g = (struct pg_db *)db;
    for (int i = 0; i < SQL_CACHE; i++) {
        free(g->cache[i].sql);
        free(g->cache[i].rewritten);
    }
    PQfinish(g->conn);
    free(g);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_open(const char *url, struct yx_db **out, char *err, size_t errlen)
{
    /* The URL may override the timeout and the application name, never the encoding: every
     * string this program hands over or reads back is UTF-8. Without a timeout an unreachable
     * host would hold a worker thread for minutes. */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", NULL};
    const char *vals[] = {"10", "ytexa", url, "UTF8", NULL};
    int rc = YX_EUNAVAIL;
    struct pg_db *g = calloc(1, sizeof *g);
    if (!g)
        return YX_ENOMEM;
    g->base.engine = &yx_postgres_engine;
    g->conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(g->conn) != CONNECTION_OK) {
        const char *m = PQerrorMessage(g->conn);
        size_t n = strlen(m);
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
            n--;
        yx_snprintf(err, errlen, "%.*s", (int)(n < 1000 ? n : 1000), m);
        goto out;
    }
    /* Notices ("relation already exists, skipping") are not errors; keep them out of stderr. */
    PQsetNoticeProcessor(g->conn, ignore_notice, NULL);
    *out = &g->base;
    g = NULL;
    rc = 0;
out:
    if (g)
        pg_close(&g->base);
    return rc;
}

/* Where the literal, quoted identifier or comment starting at s ends, or NULL when none starts
 * there. A doubled quote ('it''s') ends one literal and starts another, which comes to the same;
 * only an E'' string escapes with backslashes. */
static const char *skipped_span(const char *sql, const char *s)
{
    if (s[0] == '-' && s[1] == '-')
        return s + strcspn(s, "\n");
    if (s[0] == '/' && s[1] == '*') {
        const char *e = strstr(s + 2, "*/");
        return e ? e + 2 : s + strlen(s);
    }
    if (*s != '\'' && *s != '"')
        return NULL;
    int backslash = *s == '\'' && s > sql && (s[-1] == 'E' || s[-1] == 'e') &&
                    (s - 1 == sql || !(isalnum((unsigned char)s[-2]) || s[-2] == '_'));
    const char *e = s + 1;
    while (*e && *e != *s)
        e += backslash && e[0] == '\\' && e[1] ? 2 : 1;
    return *e ? e + 1 : e;
}

/* `?` → `$n` outside literals, quoted identifiers and comments. */
static char *rewrite(const char *sql)
{
    struct yx_buf b;
    int n = 0, rc = 0;
    yx_buf_init(&b, 1 << 20);
    for (const char *s = sql; *s && rc == 0;) {
        const char *end = skipped_span(sql, s);
        if (end) {
            rc = yx_buf_append(&b, s, (size_t)(end - s));
            s = end;
        } else if (*s == '?') {
            rc = yx_buf_printf(&b, "$%d", ++n);
            s++;
        } else {
            rc = yx_buf_append(&b, s++, 1);
        }
    }
    if (rc != 0) {
        yx_buf_release(&b);
        return NULL;
    }
    return b.len ? yx_buf_detach(&b, NULL) : strdup("");
}

/* The cache slot of sql on this connection (its text rewritten on first use), or -1 when the
 * cache's probe window is full: the text is then rewritten for this call only and handed back in
 * *owned (NULL and -1 when out of memory). */
static int cached(struct pg_db *g, const char *sql, char **owned)
{
    size_t h = 5381;
    *owned = NULL;
    for (const char *s = sql; *s; s++)
        h = h * 33 + (unsigned char)*s;
    for (int k = 0; k < 8; k++) {
        int i = (int)((h + (size_t)k) % SQL_CACHE);
        if (g->cache[i].sql && strcmp(g->cache[i].sql, sql) == 0)
            return i;
        if (!g->cache[i].sql) {
            char *r = rewrite(sql), *copy = strdup(sql);
            if (!r || !copy) {
                free(r);
                free(copy);
                return -1;
            }
            g->cache[i].sql = copy;
            g->cache[i].rewritten = r;
            g->cache[i].prepared = 0;
            return i;
        }
    }
    *owned = rewrite(sql);
    return -1;
}

/* A connection that was reset lost its prepared statements with its session. */
static void forget_prepared(struct pg_db *g)
{
    for (int i = 0; i < SQL_CACHE; i++)
        g->cache[i].prepared = 0;
}

static int map_error(PGconn *conn, const PGresult *res)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!st) /* libpq's own failure: a lost connection, or memory */
        return PQstatus(conn) != CONNECTION_OK ? YX_EUNAVAIL : YX_EDB;
    if (strcmp(st, "23505") == 0)
        return YX_ECONFLICT;
    if (strcmp(st, "23503") == 0 || strcmp(st, "23514") == 0 || strcmp(st, "23502") == 0 ||
        strncmp(st, "22", 2) == 0)
        return YX_EINVAL;
    /* 08P01 is a protocol violation, such as a wrong number of parameters: a bug, not an outage. */
    if (strcmp(st, "08P01") == 0)
        return YX_EDB;
    /* Serialization failures, deadlocks, lock timeouts, a server shutting down or short of
     * resources, a lost connection: trying again later may succeed. */
    if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0 ||
        strncmp(st, "57P0", 4) == 0 || strncmp(st, "53", 2) == 0 || strncmp(st, "08", 2) == 0)
        return YX_EUNAVAIL;
    return YX_EDB;
}

static int materialise(PGresult *res, struct yx_rows **out)
{
    struct yx_rows *r = calloc(1, sizeof *r);
    if (!r)
        return YX_ENOMEM;
    r->nrows = PQntuples(res);
    r->ncols = PQnfields(res);
    const char *changed = PQcmdTuples(res);
    r->changes = changed && *changed ? strtoll(changed, NULL, 10) : 0;
    size_t n = (size_t)r->nrows * (size_t)r->ncols;
    r->cells = calloc(n ? n : 1, sizeof(char *));
    r->names = calloc(r->ncols ? (size_t)r->ncols : 1, sizeof(char *));
    if (!r->cells || !r->names)
        goto fail;
    for (int c = 0; c < r->ncols; c++)
        if (!(r->names[c] = yx_arena_strndup(&r->text, PQfname(res, c), strlen(PQfname(res, c)))))
            goto fail;
    for (int i = 0; i < r->nrows; i++)
        for (int c = 0; c < r->ncols; c++) {
            if (PQgetisnull(res, i, c))
                continue;
            char *v = yx_arena_strndup(&r->text, PQgetvalue(res, i, c), (size_t)PQgetlength(res, i, c));
            if (!v)
                goto fail;
            r->cells[(size_t)i * (size_t)r->ncols + (size_t)c] = v;
        }
    *out = r;
    return 0;
fail:
    yx_rows_free(r);
    return YX_ENOMEM;
}

/* A connection found broken is re-opened once, never inside a transaction: the transaction died
 * with the old connection and the caller must learn that. */
static int ensure_connected(struct pg_db *g)
{
    if (PQstatus(g->conn) == CONNECTION_OK)
        return 0;
    if (g->base.in_tx)
        return YX_EUNAVAIL;
    PQreset(g->conn);
    forget_prepared(g);
    return PQstatus(g->conn) == CONNECTION_OK ? 0 : YX_EUNAVAIL;
}

static int pg_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out)
{
    struct pg_db *g = (struct pg_db *)db;
    const char *vstack[STACK_PARAMS], **values = vstack;
    int lstack[STACK_PARAMS], *lengths = lstack;
    char nstack[STACK_PARAMS][24], (*ints)[24] = nstack;
    void *heap = NULL;
    char *owned = NULL;
    const char *text;
    PGresult *res = NULL;
    ExecStatusType st;
    int rc = YX_EINTERNAL;
    g->note = NULL;
    if (np < 0 || np > MAX_PARAMS)
        goto out;
    if (np > STACK_PARAMS) {
        rc = YX_ENOMEM;
        if (!(heap = malloc((size_t)np * (sizeof *values + sizeof *ints + sizeof *lengths))))
            goto out;
        values = heap;
        ints = (char(*)[24])(values + np);
        lengths = (int *)(ints + np);
    }
    for (int i = 0; i < np; i++) {
        values[i] = NULL;
        lengths[i] = 0;
        if (p[i].type == YX_PINT) {
            yx_snprintf(ints[i], sizeof ints[i], "%lld", (long long)p[i].i);
            values[i] = ints[i];
            lengths[i] = (int)strlen(ints[i]);
        } else if (p[i].type == YX_PTEXT) {
            /* PostgreSQL text cannot hold NUL; such input is refused, not truncated. */
            rc = YX_EINVAL;
            if (p[i].len > INT_MAX || (p[i].len && (!p[i].s || memchr(p[i].s, '\0', p[i].len))))
                goto out;
            values[i] = p[i].s ? p[i].s : "";
            lengths[i] = (int)p[i].len;
        }
    }
    if ((rc = ensure_connected(g)) != 0)
        goto out;
    rc = YX_ENOMEM;
    int slot = cached(g, sql, &owned);
    if (slot < 0 && !owned)
        goto out;
    text = slot >= 0 ? g->cache[slot].rewritten : owned;
    if (slot >= 0) {
        char name[16];
        yx_snprintf(name, sizeof name, "s%d", slot);
        /* Prepared once per connection; a statement whose preparation fails (bad SQL) is tried
         * again next time and fails the same way, as the plain execution would. */
        if (!g->cache[slot].prepared) {
            res = PQprepare(g->conn, name, text, np, NULL);
            st = PQresultStatus(res);
            if (st != PGRES_COMMAND_OK) {
                rc = map_error(g->conn, res);
                goto out;
            }
            PQclear(res);
            res = NULL;
            g->cache[slot].prepared = 1;
        }
        res = PQexecPrepared(g->conn, name, np, values, lengths, NULL, 0);
    } else {
        res = PQexecParams(g->conn, text, np, NULL, values, lengths, NULL, 0);
    }
    st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = map_error(g->conn, res);
        goto out;
    }
    /* COMMIT of a transaction that an earlier error aborted answers "ROLLBACK", not an error;
     * reporting success would tell the caller that writes were kept when none were. */
    if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0 && strncmp(text, "COMMIT", 6) == 0) {
        g->note = "COMMIT rolled back: an earlier statement of the transaction failed";
        rc = YX_EDB;
        goto out;
    }
    rc = out ? materialise(res, out) : 0;
out:
    PQclear(res);
    free(owned);
    free(heap);
    return rc;
}

static int pg_script(struct yx_db *db, const char *sql)
{
    struct pg_db *g = (struct pg_db *)db;
    int rc;
    g->note = NULL;
    if ((rc = ensure_connected(g)) != 0)
        return rc;
    PGresult *res = PQexec(g->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ? 0
                                                                                    : map_error(g->conn, res);
    PQclear(res);
    return rc;
}

static int pg_tx_open(struct yx_db *db)
{
    PGTransactionStatusType t = PQtransactionStatus(((struct pg_db *)db)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

const struct yx_db_engine yx_postgres_engine = {
    .name = "postgres",
    .dialect = YX_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .script = pg_script,
    .last_error = pg_last_error,
    .tx_open = pg_tx_open,
};
