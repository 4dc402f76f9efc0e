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
/* Statements waiting to go with the next one (exec_later): a transaction's worth of them. */
#define LATER_MAX 64

struct pg_db {
    struct yx_db base;
    PGconn *conn;
    const char *note;  /* an error found by the engine rather than by libpq */
    char message[512]; /* a pipeline's first error, kept for note */
    /* Statements to send with the next one that needs an answer, in order, their parameters
     * copied (the caller's go away): a transaction's BEGIN, then what exec_later queued. */
    struct pg_later {
        int slot, np; /* its cache slot, or -1 and its own rewritten text */
        char *text;
        char **values;
        int *lengths;
    } later[LATER_MAX];
    int nlater;
    int tx_sent; /* has any of the open transaction reached the server? */
    struct {
        char *sql, *rewritten;
        int prepared; /* prepared on this connection as "s<slot>" (0 after a reset) */
    } cache[SQL_CACHE];
};

extern const struct yx_db_engine yx_postgres_engine;

/* Round trips to the server and statements run, since the process started (/metrics). */
static long round_trips, statements;
#define COUNT(var, n) __atomic_fetch_add(&(var), (n), __ATOMIC_RELAXED)

long yx_db_round_trips(void)
{
    return __atomic_load_n(&round_trips, __ATOMIC_RELAXED);
}

long yx_db_statements(void)
{
    return __atomic_load_n(&statements, __ATOMIC_RELAXED);
}
static void later_free(struct pg_db *g);
static int pg_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out);

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
    later_free(g);
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
    /* The URL may override the timeout, the application name and the server options, never the
     * encoding: every string this program hands over or reads back is UTF-8. Without a timeout an
     * unreachable host would hold a worker thread for minutes. JIT is off: ytexa's queries are
     * index walks of milliseconds, and PostgreSQL compiles a query whenever the planner's cost
     * passes jit_above_cost, which correlated subplans that never run inflate — the connection
     * sites report at province scale spent 2.2 s compiling for 40–55 ms of work (bench/README.md,
     * session 14). */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "options",
                          "dbname",          "client_encoding",           NULL};
    const char *vals[] = {"10", "ytexa", "-c jit=off", url, "UTF8", NULL};
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
 * cache's probe window is full or the connection plans each statement (yx_db_plan_each): the text
 * is then rewritten for this call only and handed back in *owned (NULL and -1 when out of memory). */
static int cached(struct pg_db *g, const char *sql, char **owned)
{
    size_t h = 5381;
    *owned = NULL;
    if (g->base.plan_each) {
        *owned = rewrite(sql);
        return -1;
    }
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
    /* A transaction whose BEGIN still waits has lost nothing. */
    if (g->base.in_tx && g->tx_sent)
        return YX_EUNAVAIL;
    PQreset(g->conn);
    forget_prepared(g);
    return PQstatus(g->conn) == CONNECTION_OK ? 0 : YX_EUNAVAIL;
}

/* Text parameters as libpq takes them: integers printed into ints, NULL for SQL NULL. A text
 * value must be NUL-terminated at its length (libpq reads text parameters up to the NUL). */
static int bind_params(const struct yx_param *p, int np, const char **values, int *lengths, char (*ints)[24])
{
    for (int i = 0; i < np; i++) {
        values[i] = NULL;
        lengths[i] = 0;
        if (p[i].type == YX_PINT) {
            yx_snprintf(ints[i], sizeof ints[i], "%lld", (long long)p[i].i);
            values[i] = ints[i];
            lengths[i] = (int)strlen(ints[i]);
        } else if (p[i].type == YX_PTEXT) {
            /* PostgreSQL text cannot hold NUL; such input is refused, not truncated. */
            if (p[i].len > INT_MAX || (p[i].len && (!p[i].s || memchr(p[i].s, '\0', p[i].len))))
                return YX_EINVAL;
            values[i] = p[i].s ? p[i].s : "";
            lengths[i] = (int)p[i].len;
        }
    }
    return 0;
}

/* One statement of a pipeline: its cache slot (or -1 and its own rewritten text) and values. */
struct pg_stmt {
    int slot, np;
    const char *text;
    const char *const *values;
    const int *lengths;
};

static void later_free(struct pg_db *g)
{
    for (int i = 0; i < g->nlater; i++) {
        free(g->later[i].text);
        free(g->later[i].values); /* one block: the pointers, the lengths, the values */
    }
    g->nlater = 0;
}

static const char *slot_text(struct pg_db *g, const struct pg_stmt *s)
{
    return s->slot >= 0 ? g->cache[s->slot].rewritten : s->text;
}

/* Sends s (preparing it first when this connection has not), noting in cmd what each command
 * sent was: the slot prepared (>= 0) or -1 for an execution. 0, or -1 when libpq refused. */
static int send_stmt(struct pg_db *g, const struct pg_stmt *s, int *cmd, int *ncmd)
{
    char name[16];
    if (s->slot < 0) {
        cmd[(*ncmd)++] = -1;
        return PQsendQueryParams(g->conn, s->text, s->np, NULL, s->values, s->lengths, NULL, 0) ? 0 : -1;
    }
    yx_snprintf(name, sizeof name, "s%d", s->slot);
    if (!g->cache[s->slot].prepared) {
        if (!PQsendPrepare(g->conn, name, g->cache[s->slot].rewritten, s->np, NULL))
            return -1;
        g->cache[s->slot].prepared = 1; /* undone below if the server refuses it */
        cmd[(*ncmd)++] = s->slot;
    }
    cmd[(*ncmd)++] = -1;
    return PQsendQueryPrepared(g->conn, name, s->np, s->values, s->lengths, NULL, 0) ? 0 : -1;
}

/* The first error of a pipeline, kept: later results overwrite libpq's own message. */
static int pipeline_error(struct pg_db *g, const PGresult *res, const char *text)
{
    const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(g->conn);
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    yx_snprintf(g->message, sizeof g->message, "%.*s (in a statement sent with the next: %.80s)",
                (int)(n < 300 ? n : 300), m, text);
    g->note = g->message;
    return map_error(g->conn, res);
}

/* Sends the statements queued by exec_later, then last (if any), with one sync, and reads every
 * answer: one round trip. The first error is the result (those after it are not run); last's
 * result is kept in *res when it succeeded. */
static int pipeline(struct pg_db *g, const struct pg_stmt *last, PGresult **res)
{
    int cmd[2 * (LATER_MAX + 1)], ncmd = 0, sent = 0, rc;
    const char *texts[LATER_MAX + 1];
    *res = NULL;
    if ((rc = ensure_connected(g)) != 0 || !PQenterPipelineMode(g->conn)) {
        later_free(g);
        return rc ? rc : YX_EUNAVAIL;
    }
    for (int i = 0; i <= g->nlater; i++) {
        struct pg_stmt s;
        if (i < g->nlater) {
            struct pg_later *l = &g->later[i];
            s = (struct pg_stmt){l->slot, l->np, l->text, (const char *const *)l->values, l->lengths};
        } else if (last) {
            s = *last;
        } else {
            break;
        }
        int before = ncmd;
        if (send_stmt(g, &s, cmd, &ncmd) != 0) {
            ncmd = before;
            rc = YX_EUNAVAIL;
            break;
        }
        texts[sent++] = slot_text(g, &s);
    }
    if (!PQpipelineSync(g->conn) && rc == 0)
        rc = YX_EUNAVAIL;
    COUNT(round_trips, 1);
    COUNT(statements, sent);
    g->tx_sent = g->tx_sent || g->base.in_tx;
    for (int i = 0, q = 0; i < ncmd; i++) {
        PGresult *r = PQgetResult(g->conn);
        if (!r) { /* the connection was lost under the pipeline */
            rc = rc ? rc : YX_EUNAVAIL;
            break;
        }
        ExecStatusType st = PQresultStatus(r);
        int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (!ok && cmd[i] >= 0)
            g->cache[cmd[i]].prepared = 0;
        if (!ok && st != PGRES_PIPELINE_ABORTED && rc == 0)
            rc = pipeline_error(g, r, texts[q]);
        if (cmd[i] < 0 && ++q == sent && last && ok && rc == 0) {
            *res = r;
            r = NULL;
        }
        PQclear(r);
        PGresult *end = PQgetResult(g->conn); /* NULL: the end of this command's results */
        PQclear(end);
    }
    PGresult *sync = PQgetResult(g->conn);
    int synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    later_free(g);
    if (!synced || !PQexitPipelineMode(g->conn)) {
        /* Out of step with the server: this connection is of no further use. The transaction,
         * if any, is lost with it, which the caller learns from rc. */
        if (*res) {
            PQclear(*res);
            *res = NULL;
        }
        PQreset(g->conn);
        forget_prepared(g);
        g->tx_sent = 0;
        return rc ? rc : YX_EUNAVAIL;
    }
    return rc;
}

/* Queues sql to be sent with the next statement that needs an answer (pipeline). */
static int queue(struct pg_db *g, const char *sql, const struct yx_param *p, int np)
{
    PGresult *none;
    int rc;
    if (np < 0 || np > MAX_PARAMS)
        return YX_EINTERNAL;
    if (g->nlater == LATER_MAX && (rc = pipeline(g, NULL, &none)) != 0)
        return rc;
    size_t size = (size_t)np * (sizeof(char *) + sizeof(int) + 24);
    for (int i = 0; i < np; i++)
        if (p[i].type == YX_PTEXT) {
            if (p[i].len > INT_MAX || (p[i].len && (!p[i].s || memchr(p[i].s, '\0', p[i].len))))
                return YX_EINVAL;
            size += p[i].len + 1;
        }
    struct pg_later *l = &g->later[g->nlater];
    char *block = malloc(size ? size : 1), *text;
    if (!block)
        return YX_ENOMEM;
    l->values = (char **)block;
    l->lengths = (int *)(l->values + np);
    text = (char *)(l->lengths + np);
    for (int i = 0; i < np; i++) {
        l->values[i] = NULL;
        l->lengths[i] = 0;
        if (p[i].type == YX_PINT) {
            yx_snprintf(text, 24, "%lld", (long long)p[i].i);
            l->lengths[i] = (int)strlen(text);
            l->values[i] = text;
            text += 24;
        } else if (p[i].type == YX_PTEXT) {
            if (p[i].len)
                memcpy(text, p[i].s, p[i].len);
            text[p[i].len] = '\0';
            l->values[i] = text;
            l->lengths[i] = (int)p[i].len;
            text += p[i].len + 1;
        }
    }
    l->slot = cached(g, sql, &l->text);
    if (l->slot < 0 && !l->text) {
        free(block);
        return YX_ENOMEM;
    }
    l->np = np;
    g->nlater++;
    return 0;
}

static int pg_exec_later(struct yx_db *db, const char *sql, const struct yx_param *p, int np)
{
    struct pg_db *g = (struct pg_db *)db;
    g->note = NULL;
    return g->base.in_tx ? queue(g, sql, p, np) : pg_exec(db, sql, p, np, NULL);
}

static int pg_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out)
{
    struct pg_db *g = (struct pg_db *)db;
    const char *vstack[STACK_PARAMS], **values = vstack;
    int lstack[STACK_PARAMS], *lengths = lstack;
    char nstack[STACK_PARAMS][24], (*ints)[24] = nstack;
    void *heap = NULL;
    char *owned = NULL;
    PGresult *res = NULL;
    ExecStatusType st;
    int rc = YX_EINTERNAL;
    int commit = np == 0 && strcmp(sql, "COMMIT") == 0, rollback = np == 0 && strcmp(sql, "ROLLBACK") == 0;
    g->note = NULL;
    if (np < 0 || np > MAX_PARAMS)
        goto out;
    /* A transaction's BEGIN waits for its first statement and goes with it; its end needs no
     * round trip when nothing was sent; a rollback drops what was waiting. */
    if (!g->base.in_tx && np == 0 && !out && strcmp(sql, "BEGIN") == 0) {
        later_free(g); /* nothing can wait outside a transaction */
        g->tx_sent = 0;
        return queue(g, sql, p, np);
    }
    if (g->base.in_tx && !g->tx_sent && (rollback || (commit && g->nlater <= 1))) {
        later_free(g); /* nothing but the BEGIN, if that, had been asked */
        return 0;
    }
    if (rollback) {
        later_free(g);
    } else if (np == 0 && strncmp(sql, "ROLLBACK TO ", 12) == 0 && g->nlater) {
        /* What waits before the savepoint's rollback runs first: its error is the one the
         * rollback undoes. */
        pipeline(g, NULL, &res);
        PQclear(res);
        res = NULL;
    }
    if (np > STACK_PARAMS) {
        rc = YX_ENOMEM;
        if (!(heap = malloc((size_t)np * (sizeof *values + sizeof *ints + sizeof *lengths))))
            goto out;
        values = heap;
        ints = (char(*)[24])(values + np);
        lengths = (int *)(ints + np);
    }
    if ((rc = bind_params(p, np, values, lengths, ints)) != 0)
        goto out;
    if (!g->nlater && (rc = ensure_connected(g)) != 0)
        goto out;
    rc = YX_ENOMEM;
    int slot = cached(g, sql, &owned);
    if (slot < 0 && !owned)
        goto out;
    struct pg_stmt s = {slot, np, owned, values, lengths};
    if (g->nlater) {
        if ((rc = pipeline(g, &s, &res)) != 0)
            goto out;
    } else {
        if (slot >= 0) {
            char name[16];
            yx_snprintf(name, sizeof name, "s%d", slot);
            /* Prepared once per connection; a statement whose preparation fails (bad SQL) is
             * tried again next time and fails the same way, as the plain execution would. */
            if (!g->cache[slot].prepared) {
                res = PQprepare(g->conn, name, slot_text(g, &s), np, NULL);
                COUNT(round_trips, 1);
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
            res = PQexecParams(g->conn, owned, np, NULL, values, lengths, NULL, 0);
        }
        g->tx_sent = g->tx_sent || g->base.in_tx;
        COUNT(round_trips, 1);
        COUNT(statements, 1);
        st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            rc = map_error(g->conn, res);
            goto out;
        }
    }
    /* COMMIT of a transaction that an earlier error aborted answers "ROLLBACK", not an error;
     * reporting success would tell the caller that writes were kept when none were. */
    if (commit && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        g->note = "COMMIT rolled back: an earlier statement of the transaction failed";
        rc = YX_EDB;
        goto out;
    }
    rc = out ? materialise(res, out) : 0;
out:
    if (commit || rollback) { /* over, unless a failed COMMIT left it for the ROLLBACK to end */
        PGTransactionStatusType t = PQtransactionStatus(g->conn);
        g->tx_sent = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
    }
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
    PGresult *res = NULL;
    if (g->nlater) { /* a waiting BEGIN goes first */
        rc = pipeline(g, NULL, &res);
        PQclear(res);
        if (rc)
            return rc;
    }
    if ((rc = ensure_connected(g)) != 0)
        return rc;
    res = PQexec(g->conn, sql);
    COUNT(round_trips, 1);
    ExecStatusType st = PQresultStatus(res);
    rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ? 0
                                                                                    : map_error(g->conn, res);
    PQclear(res);
    return rc;
}

static int pg_tx_open(struct yx_db *db)
{
    struct pg_db *g = (struct pg_db *)db;
    if (g->base.in_tx && !g->tx_sent)
        return 1; /* its BEGIN waits for its first statement */
    PGTransactionStatusType t = PQtransactionStatus(g->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

const struct yx_db_engine yx_postgres_engine = {
    .name = "postgres",
    .dialect = YX_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .exec_later = pg_exec_later,
    .script = pg_script,
    .last_error = pg_last_error,
    .tx_open = pg_tx_open,
};
