/* Unit tests of the migrations (src/store/migrate.c, src/store/migrations/): both engines end with
 * one schema. A fresh SQLite file and, when YTEXA_TEST_DB names a PostgreSQL server, a fresh
 * database on it are migrated; each is read back as a sorted list of facts (a table's columns in
 * order with their types, nullability and defaults, its primary key, unique constraints, indexes
 * and foreign keys), written the same way for both engines; the two lists must be equal but for
 * the few genuine dialect differences in `allowed` below. Without PostgreSQL only the SQLite side
 * is read and checked against a few facts, so the reader itself is tested in every run. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "ytexa/store.h"

/* Facts that may be on one side only: a difference between the dialects that cannot be avoided,
 * each with the reason. An entry no longer seen fails the test too, so the list only holds what
 * is true. Two more differences are absorbed where the facts are written: a primary key's columns
 * are NOT NULL on both (SQLite accepts a NULL in a primary key column other than an INTEGER
 * PRIMARY KEY, for compatibility with its old versions; nothing stores one), and the indexes that
 * back a primary key or a UNIQUE constraint are compared by table and columns, not by name (SQLite
 * calls them sqlite_autoindex_<table>_<n>, PostgreSQL <table>_<columns>_key). CHECK constraints
 * are not compared: PostgreSQL rewrites their text. */
static const struct {
    const char *fact, *why;
} allowed[] = {
    /* Its rows live for milliseconds (the bus between instances); SQLite has no such tables and
     * never uses this one (migration 0013). */
    {"table hub_bus unlogged", "PostgreSQL's UNLOGGED"},
    /* SQLite compares text byte by byte (BINARY) unless told otherwise, and does not report a
     * column's collation; PostgreSQL's default follows the database's locale, so the column a
     * prefix search ranges over says "C", SQLite's order (COLLATE BINARY in migration 0002). */
    {"collation patient_name_keys.name_key C", "SQLite does not report collations"},
    {NULL, NULL},
};

struct facts {
    char **v;
    size_t n, cap;
};

static void fact_add(struct facts *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fact_add(struct facts *f, const char *fmt, ...)
{
    struct yx_buf b;
    va_list ap;
    yx_buf_init(&b, 4096);
    va_start(ap, fmt);
    assert_int_equal(yx_buf_vprintf(&b, fmt, ap), 0);
    va_end(ap);
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->v = realloc(f->v, f->cap * sizeof *f->v);
        assert_non_null(f->v);
    }
    f->v[f->n++] = yx_buf_detach(&b, NULL);
}

static void facts_release(struct facts *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
    memset(f, 0, sizeof *f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int facts_has(const struct facts *f, const char *fact)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i], fact) == 0)
            return 1;
    return 0;
}

/* An expression as both engines can be compared on: outside string literals, lower case, without
 * parentheses, double quotes and PostgreSQL's casts ('booked'::text), blanks collapsed. */
static void normalize_expr(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < outlen; p++) {
        if (*p == '\'') {
            /* A literal is copied as it is, '' included. */
            const char *end = p + 1;
            while (*end && !(*end == '\'' && end[1] != '\''))
                end += *end == '\'' ? 2 : 1;
            size_t n = (size_t)(end - p) + (*end ? 1 : 0);
            if (o + n >= outlen)
                break;
            memcpy(out + o, p, n);
            o += n;
            p += n - 1;
        } else if (p[0] == ':' && p[1] == ':') {
            const char *word = p + 2;
            for (p = word; isalnum((unsigned char)p[1]) || p[1] == '_'; p++)
                ;
            if (strncmp(word, "double precision", 16) == 0)
                p = word + 15;
        } else if (isspace((unsigned char)*p)) {
            if (o > 0 && out[o - 1] != ' ')
                out[o++] = ' ';
        } else if (*p != '(' && *p != ')' && *p != '"') {
            out[o++] = (char)tolower((unsigned char)*p);
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* A SQLite column's declared type as the PostgreSQL type it stands for; anything else is kept as
 * it is, so a type without a counterpart shows up as a difference. */
static const char *sqlite_type(const char *declared)
{
    static const struct {
        const char *sqlite, *pg;
    } map[] = {
        {"INTEGER", "bigint"},        {"INT", "bigint"}, {"BIGINT", "bigint"}, {"TEXT", "text"},
        {"REAL", "double precision"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(declared, map[i].sqlite) == 0)
            return map[i].pg;
    return declared;
}

static struct yx_rows *query(struct yx_db *db, const char *sql, const char *arg)
{
    struct yx_rows *r = NULL;
    int rc = arg ? YX_DB_Q(db, &r, sql, YX_PT(arg)) : YX_DB_Q0(db, &r, sql);
    if (rc != 0)
        fail_msg("%s: %s", sql, yx_db_error(db));
    return r;
}

/* The columns of a SQLite result joined with ", " (NULL cells as "?"). */
static void join_col(const struct yx_rows *r, int col, char *out, size_t outlen)
{
    struct yx_buf b;
    yx_buf_init(&b, outlen);
    for (int i = 0; i < r->nrows; i++)
        yx_buf_printf(&b, "%s%s", i ? ", " : "", yx_rows_isnull(r, i, col) ? "?" : yx_rows_get(r, i, col));
    yx_snprintf(out, outlen, "%s", b.len ? b.data : "");
    yx_buf_release(&b);
}

static void sqlite_table(struct yx_db *db, const char *t, struct facts *f)
{
    char cols[512], to[512], pred[512];
    struct yx_rows *r = query(db,
                              "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) "
                              "ORDER BY cid",
                              t);
    int npk = 0;
    for (int i = 0; i < r->nrows; i++)
        npk += yx_rows_int(r, i, 4) > 0;
    for (int i = 0; i < r->nrows; i++) {
        int pk = yx_rows_int(r, i, 4) > 0;
        /* An INTEGER PRIMARY KEY alone is the rowid: the engine numbers new rows. */
        int autonum = pk && npk == 1 && strcasecmp(yx_rows_get(r, i, 1), "INTEGER") == 0;
        const char *dflt = yx_rows_get(r, i, 3);
        if (dflt)
            normalize_expr(dflt, pred, sizeof pred);
        fact_add(f, "column %s.%s #%d %s%s%s%s%s", t, yx_rows_get(r, i, 0), i + 1,
                 sqlite_type(yx_rows_get(r, i, 1)), yx_rows_int(r, i, 2) || pk ? " not null" : "",
                 dflt ? " default " : "", dflt ? pred : "", autonum ? " numbered" : "");
    }
    yx_rows_free(r);
    r = query(db, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", t);
    join_col(r, 0, cols, sizeof cols);
    if (r->nrows)
        fact_add(f, "primary key %s (%s)", t, cols);
    yx_rows_free(r);

    r = query(db, "SELECT name, \"unique\", origin FROM pragma_index_list(?)", t);
    for (int i = 0; i < r->nrows; i++) {
        const char *name = yx_rows_get(r, i, 0), *origin = yx_rows_get(r, i, 2);
        if (strcmp(origin, "pk") == 0)
            continue;
        struct yx_rows *c = query(db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", name);
        join_col(c, 0, cols, sizeof cols);
        yx_rows_free(c);
        if (strcmp(origin, "u") == 0) {
            fact_add(f, "unique %s (%s)", t, cols);
            continue;
        }
        c = query(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", name);
        const char *sql = yx_rows_get(c, 0, 0), *where = NULL;
        for (const char *p = sql; p && *p; p++)
            if (strncasecmp(p, " WHERE ", 7) == 0)
                where = p + 7;
        /* An index on an expression has no column name for it (pragma_index_info says NULL): its
         * keys are read from the statement that made it, as PostgreSQL's pg_get_indexdef gives
         * them, and compared normalized. */
        const char *on = NULL, *open = NULL;
        for (const char *p = sql; p && *p && !on; p++)
            if (strncasecmp(p, " ON ", 4) == 0)
                on = p;
        open = on ? strchr(on, '(') : NULL;
        if (strchr(cols, '?') && open) {
            int depth = 0;
            const char *close = open;
            for (; *close && (close == open || depth > 0); close++)
                depth += *close == '(' ? 1 : *close == ')' ? -1 : 0;
            char keys[512];
            yx_snprintf(keys, sizeof keys, "%.*s", (int)(close - open), open);
            normalize_expr(keys, cols, sizeof cols);
        }
        normalize_expr(where ? where : "", pred, sizeof pred);
        fact_add(f, "index %s on %s (%s)%s%s%s", name, t, cols, yx_rows_int(r, i, 1) ? " unique" : "",
                 where ? " where " : "", pred);
        yx_rows_free(c);
    }
    yx_rows_free(r);

    r = query(db, "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq",
              t);
    for (int i = 0; i < r->nrows;) {
        int j = i;
        struct yx_buf from, dest;
        yx_buf_init(&from, 512);
        yx_buf_init(&dest, 512);
        for (; j < r->nrows && yx_rows_int(r, j, 0) == yx_rows_int(r, i, 0); j++) {
            yx_buf_printf(&from, "%s%s", j > i ? ", " : "", yx_rows_get(r, j, 2));
            yx_buf_printf(&dest, "%s%s", j > i ? ", " : "",
                          yx_rows_isnull(r, j, 3) ? "?" : yx_rows_get(r, j, 3));
        }
        if (yx_rows_isnull(r, i, 3)) {
            /* REFERENCES t without columns: the referenced table's primary key. */
            struct yx_rows *k = query(db, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
                                      yx_rows_get(r, i, 1));
            join_col(k, 0, to, sizeof to);
            yx_rows_free(k);
        } else {
            yx_snprintf(to, sizeof to, "%s", dest.data);
        }
        fact_add(f, "foreign key %s (%s) references %s (%s)", t, from.data, yx_rows_get(r, i, 1), to);
        yx_buf_release(&from);
        yx_buf_release(&dest);
        i = j;
    }
    yx_rows_free(r);
}

static void sqlite_facts(struct yx_db *db, struct facts *f)
{
    struct yx_rows *r =
        query(db,
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
              "ESCAPE '\\' ORDER BY name",
              NULL);
    for (int i = 0; i < r->nrows; i++) {
        fact_add(f, "table %s", yx_rows_get(r, i, 0));
        sqlite_table(db, yx_rows_get(r, i, 0), f);
    }
    yx_rows_free(r);
    qsort(f->v, f->n, sizeof *f->v, cmp_str);
}

static void pg_facts(struct yx_db *db, struct facts *f)
{
    char dflt[512], pred[512];
    struct yx_rows *r = query(db,
                              "SELECT c.relname, c.relpersistence FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')",
                              NULL);
    for (int i = 0; i < r->nrows; i++) {
        fact_add(f, "table %s", yx_rows_get(r, i, 0));
        if (strcmp(yx_rows_get(r, i, 1), "u") == 0)
            fact_add(f, "table %s unlogged", yx_rows_get(r, i, 0));
    }
    yx_rows_free(r);

    /* Collations other than the type's default (which follows the database's locale). */
    r = query(
        db,
        "SELECT c.relname, a.attname, o.collname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
        "JOIN pg_collation o ON o.oid = a.attcollation "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
        "AND NOT a.attisdropped AND a.attcollation <> t.typcollation",
        NULL);
    for (int i = 0; i < r->nrows; i++)
        fact_add(f, "collation %s.%s %s", yx_rows_get(r, i, 0), yx_rows_get(r, i, 1), yx_rows_get(r, i, 2));
    yx_rows_free(r);

    r = query(db,
              "SELECT c.relname, a.attname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), "
              "format_type(a.atttypid, NULL), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity "
              "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
              "JOIN pg_namespace n ON n.oid = c.relnamespace "
              "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
              "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
              "AND NOT a.attisdropped",
              NULL);
    for (int i = 0; i < r->nrows; i++) {
        const char *def = yx_rows_get(r, i, 5);
        int autonum = yx_rows_get(r, i, 6)[0] != '\0' || (def && strncmp(def, "nextval(", 8) == 0);
        if (def && !autonum)
            normalize_expr(def, dflt, sizeof dflt);
        fact_add(f, "column %s.%s #%s %s%s%s%s%s", yx_rows_get(r, i, 0), yx_rows_get(r, i, 1),
                 yx_rows_get(r, i, 2), yx_rows_get(r, i, 3),
                 strcmp(yx_rows_get(r, i, 4), "t") == 0 ? " not null" : "",
                 def && !autonum ? " default " : "", def && !autonum ? dflt : "", autonum ? " numbered" : "");
    }
    yx_rows_free(r);

    r = query(db,
              "SELECT t.relname, i.relname, x.indisunique, x.indisprimary, "
              "(SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), ', ' ORDER BY k) "
              " FROM generate_series(1, x.indnkeyatts) AS k), "
              "pg_get_expr(x.indpred, x.indrelid, true), "
              "EXISTS (SELECT 1 FROM pg_constraint o WHERE o.conindid = x.indexrelid AND o.contype = 'u') "
              "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
              "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()",
              NULL);
    for (int i = 0; i < r->nrows; i++) {
        char cols[512];
        normalize_expr(yx_rows_get(r, i, 4), cols, sizeof cols);
        if (strcmp(yx_rows_get(r, i, 3), "t") == 0) {
            fact_add(f, "primary key %s (%s)", yx_rows_get(r, i, 0), cols);
        } else if (strcmp(yx_rows_get(r, i, 6), "t") == 0) {
            fact_add(f, "unique %s (%s)", yx_rows_get(r, i, 0), cols);
        } else {
            const char *where = yx_rows_get(r, i, 5);
            normalize_expr(where ? where : "", pred, sizeof pred);
            fact_add(f, "index %s on %s (%s)%s%s%s", yx_rows_get(r, i, 1), yx_rows_get(r, i, 0), cols,
                     strcmp(yx_rows_get(r, i, 2), "t") == 0 ? " unique" : "", where ? " where " : "", pred);
        }
    }
    yx_rows_free(r);

    /* Each side's columns in the constraint's order (conkey and confkey are arrays of attnums). */
    r = query(
        db,
        "SELECT t.relname, (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(o.conkey) "
        " WITH ORDINALITY AS k(att, n) JOIN pg_attribute a ON a.attrelid = o.conrelid AND a.attnum = k.att), "
        "d.relname, (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(o.confkey) "
        " WITH ORDINALITY AS k(att, n) JOIN pg_attribute a ON a.attrelid = o.confrelid AND a.attnum = k.att) "
        "FROM pg_constraint o JOIN pg_class t ON t.oid = o.conrelid JOIN pg_class d ON d.oid = o.confrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE o.contype = 'f' AND n.nspname = "
        "current_schema()",
        NULL);
    for (int i = 0; i < r->nrows; i++)
        fact_add(f, "foreign key %s (%s) references %s (%s)", yx_rows_get(r, i, 0), yx_rows_get(r, i, 1),
                 yx_rows_get(r, i, 2), yx_rows_get(r, i, 3));
    yx_rows_free(r);
    qsort(f->v, f->n, sizeof *f->v, cmp_str);
}

static int allowed_seen[sizeof allowed / sizeof allowed[0]];

static int is_allowed(const char *fact)
{
    for (size_t i = 0; allowed[i].fact; i++)
        if (strcmp(allowed[i].fact, fact) == 0) {
            allowed_seen[i] = 1;
            return 1;
        }
    return 0;
}

/* Prints every fact on one side only (and not allowed); returns how many. */
static int differences(const struct facts *a, const char *aname, const struct facts *b, const char *bname)
{
    size_t i = 0, j = 0;
    int n = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        const char *fact = c < 0 ? a->v[i++] : b->v[j++];
        if (is_allowed(fact))
            continue;
        print_message("only on %-8s  %s\n", c < 0 ? aname : bname, fact);
        n++;
    }
    for (size_t k = 0; allowed[k].fact; k++)
        if (!allowed_seen[k]) {
            print_message("allowed but not seen: %s (%s)\n", allowed[k].fact, allowed[k].why);
            n++;
        }
    return n;
}

static char tmp_dir[256], sqlite_path[300], admin_url[512], pg_url[600], pg_name[64];

static int admin_sql(const char *sql)
{
    struct yx_db *admin = NULL;
    char err[256];
    int rc = yx_db_open(admin_url, &admin, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "migrate_test: cannot connect to %s: %s\n", admin_url, err);
        return rc;
    }
    rc = YX_DB_Q0(admin, NULL, sql);
    yx_db_close(admin);
    return rc;
}

/* Opens url and applies every migration. */
static struct yx_db *migrated(const char *url)
{
    struct yx_db *db = NULL;
    char err[256];
    if (yx_db_open(url, &db, err, sizeof err) != 0)
        fail_msg("cannot open %s: %s", url, err);
    assert_int_equal(yx_db_migrate(db, NULL), 0);
    return db;
}

static int group_setup(void **state)
{
    const char *tmp = getenv("TMPDIR"), *env = getenv("YTEXA_TEST_DB");
    yx_snprintf(tmp_dir, sizeof tmp_dir, "%s/ytexa-migrate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir))
        return -1;
    yx_snprintf(sqlite_path, sizeof sqlite_path, "%s/schema.db", tmp_dir);
    if (!env || !yx_db_url_is_postgres(env))
        return 0;
    /* A database of its own on the server, with the base URL's parameters. */
    char sql[128];
    const char *host = strstr(env, "://");
    if (!host)
        return -1;
    host += 3;
    const char *query_part = strchr(host, '?');
    yx_snprintf(admin_url, sizeof admin_url, "%s", env);
    yx_snprintf(pg_name, sizeof pg_name, "yx_migrate_test_%ld", (long)getpid());
    if (yx_snprintf(pg_url, sizeof pg_url, "%.*s/%s%s", (int)((size_t)(host - env) + strcspn(host, "/?")),
                    env, pg_name, query_part ? query_part : "") != 0)
        return -1;
    yx_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", pg_name);
    if (admin_sql(sql) != 0)
        return -1;
    yx_snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_name);
    return admin_sql(sql) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    char path[320];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        yx_snprintf(path, sizeof path, "%s%s", sqlite_path, suffixes[i]);
        unlink(path);
    }
    rmdir(tmp_dir);
    if (pg_name[0]) {
        char sql[128];
        yx_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_name);
        return admin_sql(sql) == 0 ? 0 : -1;
    }
    return 0;
}

/* The reader sees what the SQLite migrations say, written as the comparison expects. */
static void sqlite_schema_reads_as_facts(void **state)
{
    struct facts f = {0};
    struct yx_db *db = migrated(sqlite_path);
    sqlite_facts(db, &f);
    yx_db_close(db);
    const char *expected[] = {
        "table visits",
        "column visits.id #1 bigint not null numbered",
        "column visits.scheduled_at #10 bigint",
        "column facilities.site_profile #12 text not null default 'video'",
        "column vitals.temperature #9 double precision",
        "primary key patient_name_keys (facility_id, name_key, patient_id)",
        "unique support_links (hub_id, site_id, specialty)",
        "index appointments_one_per_slot on appointments (slot_id) unique where status = 'booked'",
        "index visits_patient on visits (patient_id, id)",
        "foreign key visits (patient_id) references patients (id)",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!facts_has(&f, expected[i]))
            fail_msg("no fact \"%s\"", expected[i]);
    assert_true(f.n > 500);
    facts_release(&f);
}

/* A fresh database on each engine ends with the same schema. */
static void engines_have_one_schema(void **state)
{
    if (!pg_name[0])
        skip(); /* PostgreSQL only: set YTEXA_TEST_DB=postgres://… (scripts/test-postgres.sh) */
    struct facts lite = {0}, pg = {0};
    struct yx_db *db = migrated(sqlite_path);
    sqlite_facts(db, &lite);
    yx_db_close(db);
    db = migrated(pg_url);
    pg_facts(db, &pg);
    yx_db_close(db);
    assert_true(lite.n > 500);
    int n = differences(&lite, "sqlite", &pg, "postgres");
    facts_release(&lite);
    facts_release(&pg);
    if (n)
        fail_msg("%d differences between the engines' schemas (listed above)", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sqlite_schema_reads_as_facts),
        cmocka_unit_test(engines_have_one_schema),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
