/* The PostgreSQL engine (libpq). SQL arrives with `?` placeholders, rewritten once per
 * connection to $1, $2 … and cached; parameters and results travel as text. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/store.h"

#define SQL_CACHE 64
#define MAX_PARAMS 64

struct pg_db {
    struct yx_db base;
    PGconn *conn;
    struct {
        char *sql, *rewritten;
    } cache[SQL_CACHE];
};

extern const struct yx_db_engine yx_postgres_engine;

static const char *pg_last_error(struct yx_db *db)
{
    return PQerrorMessage(((struct pg_db *)db)->conn);
}

static void pg_close(struct yx_db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    for (int i = 0; i < SQL_CACHE; i++) {
        free(p->cache[i].sql);
        free(p->cache[i].rewritten);
    }
    PQfinish(p->conn);
    free(p);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_open(const char *url, struct yx_db **out, char *err, size_t errlen)
{
    struct pg_db *p = calloc(1, sizeof *p);
    if (!p)
        return YX_ENOMEM;
    p->base.engine = &yx_postgres_engine;
    p->conn = PQconnectdb(url);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        yx_snprintf(err, errlen, "%s", PQerrorMessage(p->conn));
        pg_close(&p->base);
        return YX_EUNAVAIL;
    }
    /* Notices (e.g. "relation already exists, skipping") are not errors; keep them out of stderr. */
    PQsetNoticeProcessor(p->conn, ignore_notice, NULL);
    PGresult *res = PQexec(p->conn, "SET client_encoding = 'UTF8'; SET application_name = 'ytexa'");
    PQclear(res);
    *out = &p->base;
    return 0;
}

/* `?` → `$n`, leaving quoted strings and identifiers alone. */
static char *rewrite(const char *sql)
{
    struct yx_buf b;
    int n = 0;
    char quote = 0;
    yx_buf_init(&b, 1 << 20);
    for (const char *s = sql; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
        } else if (*s == '\'' || *s == '"') {
            quote = *s;
        } else if (*s == '?') {
            if (yx_buf_printf(&b, "$%d", ++n) != 0)
                goto fail;
            continue;
        }
        if (yx_buf_append(&b, s, 1) != 0)
            goto fail;
    }
    return yx_buf_detach(&b, NULL);
fail:
    yx_buf_release(&b);
    return NULL;
}

static const char *cached_rewrite(struct pg_db *p, const char *sql, char **owned)
{
    size_t h = 5381;
    *owned = NULL;
    for (const char *s = sql; *s; s++)
        h = h * 33 + (unsigned char)*s;
    for (int k = 0; k < 8; k++) {
        int i = (int)((h + (size_t)k) % SQL_CACHE);
        if (p->cache[i].sql && strcmp(p->cache[i].sql, sql) == 0)
            return p->cache[i].rewritten;
        if (!p->cache[i].sql) {
            char *r = rewrite(sql), *copy = strdup(sql);
            if (!r || !copy) {
                free(r);
                free(copy);
                return NULL;
            }
            p->cache[i].sql = copy;
            p->cache[i].rewritten = r;
            return r;
        }
    }
    return *owned = rewrite(sql);
}

static int map_sqlstate(const char *st)
{
    if (!st)
        return YX_EUNAVAIL; /* no result state: the connection failed */
    if (strcmp(st, "23505") == 0)
        return YX_ECONFLICT;
    if (strcmp(st, "23503") == 0 || strcmp(st, "23514") == 0 || strcmp(st, "23502") == 0 || strncmp(st, "22", 2) == 0)
        return YX_EINVAL;
    if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "57P01") == 0 || strncmp(st, "08", 2) == 0)
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
    int n = r->nrows * r->ncols;
    r->cells = calloc(n ? (size_t)n : 1, sizeof(char *));
    r->names = calloc(r->ncols ? (size_t)r->ncols : 1, sizeof(char *));
    if (!r->cells || !r->names)
        goto fail;
    for (int c = 0; c < r->ncols; c++)
        if (!(r->names[c] = strdup(PQfname(res, c))))
            goto fail;
    for (int i = 0; i < r->nrows; i++)
        for (int c = 0; c < r->ncols; c++) {
            if (PQgetisnull(res, i, c))
                continue;
            int len = PQgetlength(res, i, c);
            char *v = malloc((size_t)len + 1);
            if (!v)
                goto fail;
            memcpy(v, PQgetvalue(res, i, c), (size_t)len);
            v[len] = '\0';
            r->cells[i * r->ncols + c] = v;
        }
    *out = r;
    return 0;
fail:
    yx_rows_free(r);
    return YX_ENOMEM;
}

static int pg_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np, struct yx_rows **out)
{
    struct pg_db *g = (struct pg_db *)db;
    const char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    char ints[MAX_PARAMS][24];
    char *owned = NULL;
    int rc = YX_EDB;
    PGresult *res = NULL;
    if (np > MAX_PARAMS)
        return YX_EINTERNAL;
    for (int i = 0; i < np; i++) {
        values[i] = NULL;
        lengths[i] = 0;
        if (p[i].type == YX_PINT) {
            yx_snprintf(ints[i], sizeof ints[i], "%lld", (long long)p[i].i);
            values[i] = ints[i];
            lengths[i] = (int)strlen(ints[i]);
        } else if (p[i].type == YX_PTEXT) {
            /* PostgreSQL text cannot hold NUL; such input is refused, not truncated. */
            if (p[i].len && memchr(p[i].s, '\0', p[i].len))
                return YX_EINVAL;
            values[i] = p[i].s ? p[i].s : "";
            lengths[i] = (int)p[i].len;
        }
    }
    /* A dropped connection is re-opened once, never in the middle of a transaction. */
    if (PQstatus(g->conn) != CONNECTION_OK && !db->in_tx) {
        PQreset(g->conn);
        if (PQstatus(g->conn) != CONNECTION_OK)
            return YX_EUNAVAIL;
    }
    const char *text = cached_rewrite(g, sql, &owned);
    if (!text)
        return YX_ENOMEM;
    res = PQexecParams(g->conn, text, np, NULL, values, lengths, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        rc = out ? materialise(res, out) : 0;
    } else {
        rc = map_sqlstate(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
    }
    PQclear(res);
    free(owned);
    return rc;
}

static int pg_script(struct yx_db *db, const char *sql)
{
    PGresult *res = PQexec(((struct pg_db *)db)->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    PQclear(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : YX_EDB;
}

const struct yx_db_engine yx_postgres_engine = {
    .name = "postgres",
    .dialect = YX_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .script = pg_script,
    .last_error = pg_last_error,
};
