/* Unit tests of the storage interface (src/store/), run on the engine YTEXA_TEST_DB names: unset,
 * a SQLite file in a temp folder; a postgres:// URL, a fresh database on that server, dropped at
 * the end. The tables are the real schema's, made by yx_db_migrate. Then the hub's bus
 * (src/store/bus.c) without a database of its own: it does nothing for SQLite; with a PostgreSQL
 * that cannot be reached, what is published is bounded (the oldest dropped and counted) and
 * stopping does not wait for the connection. The messages themselves crossing between instances
 * are tested in tests/api/realtime_cluster.test.mjs. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/migrations.h"
#include "ytexa/bus.h"
#include "ytexa/store.h"

static struct yx_db *db;
static int first_applied = -1;
static char admin_url[512], test_url[600], test_name[64], tmp_dir[256], sqlite_path[300];

static int is_pg(void)
{
    return yx_db_dialect(db) == YX_POSTGRES;
}

/* The base URL with its database name replaced by `name` (query parameters kept). */
static int url_with_db(const char *base, const char *name, char *out, size_t outlen)
{
    const char *host = strstr(base, "://");
    if (!host)
        return YX_EINVAL;
    host += 3;
    size_t pre = (size_t)(host - base) + strcspn(host, "/?");
    const char *query = strchr(host, '?');
    return yx_snprintf(out, outlen, "%.*s/%s%s", (int)pre, base, name, query ? query : "");
}

static int admin_sql(const char *sql)
{
    struct yx_db *admin = NULL;
    char err[256];
    int rc = yx_db_open(admin_url, &admin, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "store_test: cannot connect to %s: %s\n", admin_url, err);
        return rc;
    }
    rc = YX_DB_Q0(admin, NULL, sql);
    yx_db_close(admin);
    return rc;
}

static int group_setup(void **state)
{
    const char *env = getenv("YTEXA_TEST_DB");
    char err[256], sql[128];
    const char *url = sqlite_path;
    if (env && (strncmp(env, "postgres://", 11) == 0 || strncmp(env, "postgresql://", 13) == 0)) {
        yx_snprintf(admin_url, sizeof admin_url, "%s", env);
        yx_snprintf(test_name, sizeof test_name, "yx_store_test_%ld", (long)getpid());
        if (url_with_db(admin_url, test_name, test_url, sizeof test_url) != 0)
            return -1;
        yx_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", test_name);
        if (admin_sql(sql) != 0)
            return -1;
        yx_snprintf(sql, sizeof sql, "CREATE DATABASE %s", test_name);
        if (admin_sql(sql) != 0)
            return -1;
        url = test_url;
    } else {
        const char *tmp = getenv("TMPDIR");
        yx_snprintf(tmp_dir, sizeof tmp_dir, "%s/ytexa-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(tmp_dir))
            return -1;
        yx_snprintf(sqlite_path, sizeof sqlite_path, "%s/store.db", tmp_dir);
    }
    if (yx_db_open(url, &db, err, sizeof err) != 0) {
        fprintf(stderr, "store_test: cannot open %s: %s\n", url, err);
        return -1;
    }
    return yx_db_migrate(db, &first_applied) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    char sql[128], path[320];
    yx_db_close(db);
    db = NULL;
    if (test_name[0]) {
        yx_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", test_name);
        return admin_sql(sql) == 0 ? 0 : -1;
    }
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        yx_snprintf(path, sizeof path, "%s%s", sqlite_path, suffixes[i]);
        unlink(path);
    }
    rmdir(tmp_dir);
    return 0;
}

/* Each test starts from empty tables, children before parents. */
static int wipe(void **state)
{
    const char *tables[] = {"support_links", "facility_specialties", "facilities", "admin_units",
                            "specialties"};
    char sql[64];
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        yx_snprintf(sql, sizeof sql, "DELETE FROM %s", tables[i]);
        if (YX_DB_Q0(db, NULL, sql) != 0)
            return -1;
    }
    return 0;
}

static int64_t count(const char *sql)
{
    struct yx_rows *r = NULL;
    assert_int_equal(YX_DB_Q0(db, &r, sql), 0);
    int64_t n = yx_rows_int(r, 0, 0);
    yx_rows_free(r);
    return n;
}

static int add_unit(int64_t id, const char *code, const char *level, struct yx_param parent)
{
    return YX_DB_Q(db, NULL,
                   "INSERT INTO admin_units (id, code, name, name_folded, level, parent_id, valid_from) "
                   "VALUES (?, ?, ?, ?, ?, ?, '2025-07-01')",
                   YX_PI(id), YX_PT(code), YX_PT(code), YX_PT(code), YX_PT(level), parent);
}

static void migrate_applies_once(void **state)
{
    int n = 0;
    for (const struct yx_migration *m = is_pg() ? yx_migrations_postgres : yx_migrations_sqlite; m->sql; m++)
        n++;
    assert_true(n > 0);
    assert_int_equal(first_applied, n);
    assert_int_equal(count("SELECT COUNT(*) FROM schema_migrations"), n);
    int again = -1;
    assert_int_equal(yx_db_migrate(db, &again), 0);
    assert_int_equal(again, 0);
    assert_int_equal(count("SELECT COUNT(*) FROM schema_migrations"), n);
}

static void text_round_trips_verbatim(void **state)
{
    const char *name = "Nguyễn Thị Đào", *evil = "'; DROP TABLE users; --",
               *question = "Đau ở đâu? Từ khi nào?";
    assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                             YX_PT("tim-mach"), YX_PT(name), YX_PT(evil)),
                     0);
    assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                             YX_PT(evil), YX_PT(question), YX_PS(YX_STR_LIT("a\tb\nc\\d"))),
                     0);
    struct yx_rows *r = NULL;
    assert_int_equal(YX_DB_Q(db, &r, "SELECT name_vi AS vi, name_en AS en FROM specialties WHERE code = ?",
                             YX_PT("tim-mach")),
                     0);
    assert_int_equal(r->nrows, 1);
    assert_int_equal(r->ncols, 2);
    assert_string_equal(r->names[0], "vi");
    assert_string_equal(r->names[1], "en");
    assert_string_equal(yx_rows_get(r, 0, 0), name);
    assert_string_equal(yx_rows_get(r, 0, 1), evil);
    yx_rows_free(r);
    r = NULL;
    /* A `?` inside a literal or a comment (with an apostrophe) is not a placeholder. */
    assert_int_equal(YX_DB_Q(db, &r,
                             "SELECT 'it''s ?' AS lit, name_vi, name_en -- the patient's question?\n"
                             "FROM specialties /* code? */ WHERE code = ?",
                             YX_PT(evil)),
                     0);
    assert_int_equal(r->nrows, 1);
    assert_string_equal(yx_rows_get(r, 0, 0), "it's ?");
    assert_string_equal(yx_rows_get(r, 0, 1), question);
    assert_string_equal(yx_rows_get(r, 0, 2), "a\tb\nc\\d");
    yx_rows_free(r);
    r = NULL;
    if (is_pg()) {
        assert_int_equal(YX_DB_Q(db, &r, "SELECT E'it\\'s ?\\\\', 'a\\', ?", YX_PT("b?")), 0);
        assert_string_equal(yx_rows_get(r, 0, 0), "it's ?\\");
        assert_string_equal(yx_rows_get(r, 0, 1), "a\\");
        assert_string_equal(yx_rows_get(r, 0, 2), "b?");
        yx_rows_free(r);
    }
    assert_int_equal(count("SELECT COUNT(*) FROM users"), 0); /* the table is still there */
}

static void nulls_go_in_and_come_out(void **state)
{
    assert_int_equal(YX_DB_Q(db, NULL,
                             "INSERT INTO admin_units (id, code, name, name_folded, level, parent_id, "
                             "valid_from, valid_to, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             YX_PI(1), YX_PT("01"), YX_PT("Hà Nội"), YX_PT("ha noi"), YX_PT("province"),
                             YX_PN, YX_PT("2025-07-01"), YX_PT(NULL), YX_PT("")),
                     0);
    struct yx_rows *r = NULL;
    assert_int_equal(YX_DB_Q(db, &r,
                             "SELECT parent_id, valid_to, note, id, ? FROM admin_units WHERE code = ?", YX_PN,
                             YX_PT("01")),
                     0);
    assert_int_equal(r->nrows, 1);
    assert_true(yx_rows_isnull(r, 0, 0));
    assert_true(yx_rows_isnull(r, 0, 1));
    assert_false(yx_rows_isnull(r, 0, 2)); /* an empty string is not NULL */
    assert_string_equal(yx_rows_get(r, 0, 2), "");
    assert_string_equal(yx_rows_get(r, 0, 3), "1");
    assert_int_equal(yx_rows_int(r, 0, 3), 1);
    assert_true(yx_rows_isnull(r, 0, 4));
    assert_int_equal(yx_rows_int(r, 0, 0), 0);
    yx_rows_free(r);
    r = NULL;
    assert_int_equal(
        YX_DB_Q(db, &r, "SELECT code FROM admin_units WHERE parent_id IS NULL AND valid_to IS NULL"), 0);
    assert_int_equal(r->nrows, 1);
    yx_rows_free(r);
    r = NULL;
    assert_int_equal(YX_DB_Q(db, &r, "SELECT code FROM admin_units WHERE code = ?", YX_PT("none")), 0);
    assert_int_equal(r->nrows, 0);
    assert_int_equal(r->ncols, 1);
    yx_rows_free(r);
}

/* Reads by name: columns, aliases of columns, aliased expressions and parameters, two tables'
 * columns of one name told apart by an alias, the same rows read in any order and more than
 * once. */
static void rows_are_read_by_name(void **state)
{
    (void)state;
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(add_unit(2, "001", "commune", YX_PI(1)), 0);
    assert_int_equal(add_unit(3, "002", "commune", YX_PI(1)), 0);
    struct yx_rows *r = NULL;
    assert_int_equal(
        YX_DB_Q(db, &r,
                "SELECT u.id, u.code, u.level, p.id AS parent, p.name AS parent_name, u.valid_to, "
                "(SELECT COUNT(*) FROM admin_units c WHERE c.parent_id = u.id) AS children, "
                "u.id * 10 AS tenfold, ? AS asked FROM admin_units u "
                "LEFT JOIN admin_units p ON p.id = u.parent_id ORDER BY u.id",
                YX_PT("x")),
        0);
    assert_int_equal(r->nrows, 3);
    assert_int_equal(yx_rows_col(r, "id"), 0);
    assert_int_equal(yx_rows_col(r, "parent"), 3);
    assert_int_equal(yx_rows_col(r, "asked"), 8);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(yx_rows_i64(r, i, "id"), i + 1);
        assert_int_equal(yx_rows_i64(r, i, "tenfold"), (i + 1) * 10);
        assert_string_equal(yx_rows_str(r, i, "asked"), "x");
        assert_true(yx_rows_null(r, i, "valid_to"));
        assert_false(yx_rows_null(r, i, "level"));
    }
    assert_true(yx_rows_null(r, 0, "parent"));
    assert_null(yx_rows_str(r, 0, "parent_name"));
    assert_int_equal(yx_rows_i64(r, 0, "parent"), 0);
    assert_int_equal(yx_rows_i64(r, 0, "children"), 2);
    assert_int_equal(yx_rows_i64(r, 1, "children"), 0);
    assert_int_equal(yx_rows_i64(r, 1, "parent"), 1);
    assert_string_equal(yx_rows_str(r, 2, "parent_name"), "01");
    assert_string_equal(yx_rows_str(r, 1, "code"), "001");
    assert_string_equal(yx_rows_str(r, 0, "level"), "province");
    /* The same name at another address is the same column. */
    char level[] = "level";
    assert_int_equal(yx_rows_col(r, level), 2);
    assert_string_equal(yx_rows_str(r, 2, level), "commune");
    /* Past the last row, NULL as by position. */
    assert_null(yx_rows_str(r, 3, "code"));
    assert_int_equal(yx_rows_i64(r, -1, "id"), 0);
    yx_rows_free(r);
    r = NULL;

    /* Names are known without rows; RETURNING names its columns too. */
    assert_int_equal(YX_DB_Q(db, &r, "SELECT id, code, name, level FROM admin_units WHERE id = ?", YX_PI(9)),
                     0);
    assert_int_equal(r->nrows, 0);
    assert_int_equal(yx_rows_col(r, "level"), 3);
    assert_null(yx_rows_str(r, 0, "level"));
    yx_rows_free(r);
    r = NULL;
    assert_int_equal(
        YX_DB_Q(db, &r, "UPDATE admin_units SET note = ? WHERE id = ? RETURNING id, note, code AS unit_code",
                YX_PT("n"), YX_PI(2)),
        0);
    assert_string_equal(yx_rows_str(r, 0, "unit_code"), "001");
    assert_string_equal(yx_rows_str(r, 0, "note"), "n");
    yx_rows_free(r);
    r = NULL;
    assert_int_equal(yx_rows_col(NULL, "id"), -1);
    assert_null(yx_rows_str(NULL, 0, "id"));
    assert_int_equal(yx_rows_i64(NULL, 0, "id"), 0);

    /* A wide result, read backwards and then forwards: every name finds its own column. */
    char sql[1024];
    size_t at = (size_t)snprintf(sql, sizeof sql, "SELECT 0 AS c0");
    for (int k = 1; k < 40; k++)
        at += (size_t)snprintf(sql + at, sizeof sql - at, ", %d AS c%d", k * 3, k);
    assert_true(at < sizeof sql);
    static const char *const wide[] = {"c0",  "c1",  "c2",  "c3",  "c4",  "c5",  "c6",  "c7",  "c8",  "c9",
                                       "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19",
                                       "c20", "c21", "c22", "c23", "c24", "c25", "c26", "c27", "c28", "c29",
                                       "c30", "c31", "c32", "c33", "c34", "c35", "c36", "c37", "c38", "c39"};
    assert_int_equal(YX_DB_Q0(db, &r, sql), 0);
    for (int k = 39; k >= 0; k--)
        assert_int_equal(yx_rows_i64(r, 0, wide[k]), k * 3);
    for (int k = 0; k < 40; k++)
        assert_int_equal(yx_rows_col(r, wide[k]), k);
    yx_rows_free(r);
}

/* What the engines call a column that has no alias: why an expression is read by name only through
 * one, and aliases are written in lower case. */
static void engines_name_expressions_differently(void **state)
{
    (void)state;
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    struct yx_rows *r = NULL;
    assert_int_equal(
        YX_DB_Q0(db, &r,
                 "SELECT COUNT(*), 1 + 1, MAX(u.code), u.level AS Level FROM admin_units u GROUP BY u.level"),
        0);
    assert_int_equal(r->ncols, 4);
    assert_string_equal(r->names[0], is_pg() ? "count" : "COUNT(*)");
    assert_string_equal(r->names[1], is_pg() ? "?column?" : "1 + 1");
    assert_string_equal(r->names[2], is_pg() ? "max" : "MAX(u.code)");
    assert_string_equal(r->names[3], is_pg() ? "level" : "Level");
    yx_rows_free(r);
}

/* What yx_rows_col(r, name) answers in a child process: its exit status is the column + 1 (0 when
 * there is none), or it was stopped by a signal. */
static int col_in_child(const struct yx_rows *r, const char *name)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(yx_rows_col(r, name) + 1);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* A name the result does not have, or that two of its columns share, is a bug: a debug build
 * stops there (YX_ASSERT); a release build reads it as missing, or as the first of the two. */
static void a_missing_or_shared_name_is_a_bug(void **state)
{
    (void)state;
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    struct yx_rows *r = NULL;
    assert_int_equal(YX_DB_Q0(db, &r,
                              "SELECT u.id, u.code, p.id, u.name FROM admin_units u "
                              "LEFT JOIN admin_units p ON p.id = u.parent_id"),
                     0);
    int missing = col_in_child(r, "full_name"), shared = col_in_child(r, "id");
#ifdef NDEBUG
    assert_true(WIFEXITED(missing) && WEXITSTATUS(missing) == 0);
    assert_true(WIFEXITED(shared) && WEXITSTATUS(shared) == 1);
    assert_int_equal(yx_rows_col(r, "full_name"), -1);
    assert_null(yx_rows_str(r, 0, "full_name"));
    assert_int_equal(yx_rows_i64(r, 0, "full_name"), 0);
    assert_true(yx_rows_null(r, 0, "full_name"));
#else
    assert_true(WIFSIGNALED(missing) && WTERMSIG(missing) == SIGABRT);
    assert_true(WIFSIGNALED(shared) && WTERMSIG(shared) == SIGABRT);
#endif
    /* The others read as ever. */
    assert_string_equal(yx_rows_str(r, 0, "code"), "01");
    assert_string_equal(yx_rows_str(r, 0, "name"), "01");
    yx_rows_free(r);
}

static void duplicates_are_conflicts(void **state)
{
    const char *sql = "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)";
    assert_int_equal(YX_DB_Q(db, NULL, sql, YX_PT("nhi"), YX_PT("Nhi khoa"), YX_PT("Paediatrics")), 0);
    assert_int_equal(YX_DB_Q(db, NULL, sql, YX_PT("nhi"), YX_PT("Nhi"), YX_PT("Children")), YX_ECONFLICT);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(add_unit(2, "01", "province", YX_PN), YX_ECONFLICT); /* UNIQUE code */
    assert_int_equal(add_unit(1, "02", "province", YX_PN), YX_ECONFLICT); /* primary key */
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM specialties"), 1);
}

static void broken_rules_are_invalid_input(void **state)
{
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(add_unit(2, "001", "district", YX_PI(1)), 0);
    assert_int_equal(add_unit(3, "002", "district", YX_PI(999999)), YX_EINVAL); /* foreign key */
    assert_int_equal(add_unit(4, "003", "planet", YX_PN), YX_EINVAL);           /* CHECK */
    assert_int_equal(add_unit(5, "004", NULL, YX_PN), YX_EINVAL);               /* NOT NULL */
    assert_int_equal(YX_DB_Q(db, NULL, "DELETE FROM admin_units WHERE id = ?", YX_PI(1)), YX_EINVAL);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 2);
    /* A text with a NUL is refused on both engines (PostgreSQL's text cannot hold one), and
     * nothing is written; the same text without it goes in. */
    const char nul[] = "a\0b";
    assert_int_equal(YX_DB_Q(db, NULL, "SELECT ?", YX_PS(((yx_str){nul, 3}))), YX_EINVAL);
    assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                             YX_PT("nul"), YX_PS(((yx_str){nul, 3})), YX_PT("")),
                     YX_EINVAL);
    assert_int_equal(count("SELECT COUNT(*) FROM specialties WHERE code = 'nul'"), 0);
    assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                             YX_PT("nul"), YX_PS(((yx_str){nul, 1})), YX_PT("")),
                     0);
    if (is_pg()) {
        /* A non-number for a BIGINT is a data exception. */
        assert_int_equal(YX_DB_Q(db, NULL, "SELECT id FROM admin_units WHERE id = ?", YX_PT("x")), YX_EINVAL);
    }
}

static void rollback_leaves_nothing(void **state)
{
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(add_unit(2, "001", "district", YX_PI(1)), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 2); /* visible inside */
    yx_db_rollback(db);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 0);

    /* After a failed statement the transaction is rolled back whole and the connection works. */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(add_unit(2, "01", "province", YX_PN), YX_ECONFLICT);
    yx_db_rollback(db);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 0);

    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 1);
}

/* Group commit's footing: a transaction inside a transaction is a savepoint. Rolled back, it
 * undoes its own statements alone (a failed statement's included, on PostgreSQL too, where it
 * would otherwise doom the whole transaction); released, its rows commit or roll back with the
 * transaction around it. */
static void nested_transactions_are_savepoints(void **state)
{
    assert_int_equal(yx_db_tx_alive(db), 0);
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(yx_db_begin(db), 0); /* a request that fails */
    assert_int_equal(db->in_tx, 2);
    assert_int_equal(add_unit(2, "02", "province", YX_PN), 0);
    assert_int_equal(add_unit(3, "01", "province", YX_PN), YX_ECONFLICT);
    yx_db_rollback(db);
    assert_int_equal(db->in_tx, 1);
    assert_int_equal(yx_db_tx_alive(db), 1);
    assert_int_equal(yx_db_begin(db), 0); /* one that succeeds */
    assert_int_equal(add_unit(4, "04", "province", YX_PN), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 2);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(db->in_tx, 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id IN (1, 4)"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id IN (2, 3)"), 0);

    /* A released savepoint is undone with the transaction around it. */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(5, "05", "province", YX_PN), 0);
    assert_int_equal(yx_db_commit(db), 0);
    yx_db_rollback(db);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id = 5"), 0);
    assert_int_equal(yx_db_tx_alive(db), 0);
}

/* add_unit, sent later (yx_db_exec_later). */
static int add_unit_later(int64_t id, const char *code)
{
    return YX_DB_LATER(db,
                       "INSERT INTO admin_units (id, code, name, name_folded, level, parent_id, valid_from) "
                       "VALUES (?, ?, ?, ?, 'province', NULL, '2025-07-01')",
                       YX_PI(id), YX_PT(code), YX_PT(code), YX_PT(code));
}

/* Statements sent later: on PostgreSQL they wait for the next statement that needs an answer (or
 * the COMMIT) and go with it in one round trip, their error reported there; on SQLite they run at
 * once. Either way what a transaction holds is all or nothing. */
static void later_statements_go_with_the_next(void **state)
{
    /* Seen by the transaction's next statement, kept by its commit: on PostgreSQL two round
     * trips for six statements (BEGIN, two INSERTs and the SELECT; the third INSERT and COMMIT). */
    long trips = yx_db_round_trips(), run = yx_db_statements();
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(1, "01"), 0);
    assert_int_equal(add_unit_later(2, "02"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 2);
    assert_int_equal(add_unit_later(3, "03"), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(yx_db_round_trips() - trips, is_pg() ? 2 : 0);
    assert_int_equal(yx_db_statements() - run, is_pg() ? 6 : 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 3);

    /* A failure is reported by the next statement (PostgreSQL) or at once (SQLite). */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(4, "04"), 0);
    int rc = add_unit_later(5, "01");
    if (is_pg()) {
        assert_int_equal(rc, 0);
        struct yx_rows *r = NULL;
        assert_int_equal(YX_DB_Q0(db, &r, "SELECT COUNT(*) FROM admin_units"), YX_ECONFLICT);
        assert_null(r);
    } else {
        assert_int_equal(rc, YX_ECONFLICT);
    }
    yx_db_rollback(db);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 3);

    /* ... or by the COMMIT, which then keeps nothing. */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(6, "06"), 0);
    rc = add_unit_later(7, "02");
    assert_int_equal(rc, is_pg() ? 0 : YX_ECONFLICT);
    if (rc == 0)
        assert_int_not_equal(yx_db_commit(db), 0);
    else
        yx_db_rollback(db);
    assert_int_equal(db->in_tx, 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 3);

    /* A rollback drops what waits; a transaction with nothing in it commits. */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(8, "08"), 0);
    yx_db_rollback(db);
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id = 8"), 0);

    /* A savepoint's rollback undoes a failure that waited inside it; the transaction goes on. */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(9, "09"), 0);
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(10, "10"), 0);
    (void)add_unit_later(11, "09");
    yx_db_rollback(db);
    assert_int_equal(yx_db_tx_alive(db), 1);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id >= 9"), 1);

    /* More than wait at once (64 on PostgreSQL) are sent in turn; outside a transaction a later
     * statement runs at once; bad text is refused before anything is sent. */
    assert_int_equal(yx_db_begin(db), 0);
    char code[16];
    for (int i = 100; i < 250; i++) {
        yx_snprintf(code, sizeof code, "%d", i);
        assert_int_equal(add_unit_later(i, code), 0);
    }
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id >= 100"), 150);
    assert_int_equal(add_unit_later(12, "12"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id = 12"), 1);
    struct yx_param nul = {YX_PTEXT, 0, "a\0b", 3};
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_db_exec_later(db, "SELECT ?", &nul, 1), YX_EINVAL);
    yx_db_rollback(db);
}

static void commit_after_a_failure_is_not_success(void **state)
{
    if (!is_pg())
        skip(); /* SQLite undoes only the failed statement and commits the rest */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    assert_int_equal(add_unit(2, "01", "province", YX_PN), YX_ECONFLICT);
    assert_int_not_equal(yx_db_commit(db), 0);
    assert_int_equal(db->in_tx, 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 0);
}

/* What yx_db_publish handed on, in order ("channel=text;" each). */
static char published[256];
static void record_published(const char *channel, const char *text)
{
    size_t at = strlen(published);
    snprintf(published + at, sizeof published - at, "%s=%s;", channel, text);
}

/* A live event goes out only once its transaction commits: a reader refetching on it must find the
 * change, and a change undone must announce nothing. A savepoint's events go with the transaction
 * around it; a failed commit announces nothing (PostgreSQL: a failed statement dooms it). */
static void events_wait_for_the_commit(void **state)
{
    yx_db_set_publisher(record_published);
    published[0] = 0;
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_db_publish(db, "consult:1", "a"), 0);
    assert_int_equal(yx_db_begin(db), 0); /* a request of a group that fails */
    assert_int_equal(yx_db_publish(db, "consult:2", "b"), 0);
    yx_db_rollback(db);
    assert_int_equal(yx_db_begin(db), 0); /* one that succeeds */
    assert_int_equal(yx_db_publish(db, "visit:3", "c"), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_string_equal(published, ""); /* nothing before the COMMIT */
    assert_int_equal(yx_db_commit(db), 0);
    assert_string_equal(published, "consult:1=a;visit:3=c;");

    published[0] = 0;
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_db_publish(db, "visit:4", "d"), 0);
    assert_int_equal(yx_db_commit(db), 0);
    yx_db_rollback(db); /* the group's transaction is lost: its released savepoints too */
    assert_string_equal(published, "");

    if (is_pg()) {
        assert_int_equal(yx_db_begin(db), 0);
        assert_int_equal(yx_db_publish(db, "visit:5", "e"), 0);
        assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
        assert_int_equal(add_unit(2, "01", "province", YX_PN), YX_ECONFLICT);
        assert_int_not_equal(yx_db_commit(db), 0);
        assert_string_equal(published, "");
    }

    /* Outside a transaction the statement before it is committed already. */
    assert_int_equal(yx_db_publish(db, "facility:6", "f"), 0);
    assert_string_equal(published, "facility:6=f;");
    yx_db_set_publisher(NULL);
}

static void terminate_own_backend(void)
{
    char sql[128];
    int64_t pid = count("SELECT pg_backend_pid()");
    yx_snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld, 5000)", (long long)pid);
    assert_int_equal(admin_sql(sql), 0);
}

static void dropped_connection_is_reopened_outside_transactions(void **state)
{
    if (!is_pg())
        skip(); /* a SQLite file cannot be disconnected */
    /* The statement that meets the dead connection fails; it may have been a write, so it is not
     * retried. The next one reconnects. */
    terminate_own_backend();
    assert_int_equal(YX_DB_Q0(db, NULL, "SELECT 1"), YX_EUNAVAIL);
    assert_int_equal(count("SELECT 2"), 2);

    /* Inside a transaction the reconnect would silently lose the transaction's writes. */
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit(1, "01", "province", YX_PN), 0);
    terminate_own_backend();
    assert_int_equal(add_unit(2, "02", "province", YX_PN), YX_EUNAVAIL);
    assert_int_equal(add_unit(3, "03", "province", YX_PN), YX_EUNAVAIL);
    yx_db_rollback(db);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 0);
}

/* A transaction whose BEGIN still waits has sent nothing: the statement that finds the connection
 * gone fails (it may not be retried blindly), the connection is opened again, and the next
 * transaction, statements sent later and all, commits. */
static void a_waiting_begin_meets_a_dropped_connection(void **state)
{
    char sql[128];
    if (!is_pg())
        skip();
    int64_t pid = count("SELECT pg_backend_pid()");
    assert_int_equal(yx_db_begin(db), 0);
    yx_snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld, 5000)", (long long)pid);
    assert_int_equal(admin_sql(sql), 0);
    assert_int_equal(add_unit_later(1, "01"), 0);
    assert_int_equal(add_unit(2, "02", "province", YX_PN), YX_EUNAVAIL);
    yx_db_rollback(db);
    assert_int_equal(db->in_tx, 0);
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(add_unit_later(3, "03"), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM admin_units WHERE id = 3"), 1);
}

static void update_reports_changed_rows(void **state)
{
    const char *codes[] = {"da-lieu", "mat", "rang-ham-mat", "noi"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(YX_DB_Q(db, NULL,
                                 "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                                 YX_PT(codes[i]), YX_PT(codes[i]), YX_PT("")),
                         0);
    struct yx_rows *r = NULL;
    assert_int_equal(
        YX_DB_Q(db, &r, "UPDATE specialties SET name_en = ? WHERE code LIKE ?", YX_PT("x"), YX_PT("%a%")), 0);
    assert_int_equal(r->changes, 3);
    assert_int_equal(r->nrows, 0);
    yx_rows_free(r);
    r = NULL;
    assert_int_equal(
        YX_DB_Q(db, &r, "UPDATE specialties SET name_en = ? WHERE code = ?", YX_PT("y"), YX_PT("none")), 0);
    assert_int_equal(r->changes, 0);
    yx_rows_free(r);
    r = NULL;
    assert_int_equal(YX_DB_Q(db, &r, "DELETE FROM specialties WHERE name_en = ?", YX_PT("x")), 0);
    assert_int_equal(r->changes, 3);
    yx_rows_free(r);
    assert_int_equal(count("SELECT COUNT(*) FROM specialties"), 1);
}

static void many_parameters(void **state)
{
    /* More parameters than the PostgreSQL engine keeps on its stack. */
    assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                             YX_PT("c7"), YX_PT("n"), YX_PT("n")),
                     0);
    struct yx_rows *r = NULL;
    assert_int_equal(
        YX_DB_Q(db, &r,
                "SELECT COUNT(*) FROM specialties WHERE code IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?)",
                YX_PT("c1"), YX_PT("c2"), YX_PT("c3"), YX_PT("c4"), YX_PT("c5"), YX_PT("c6"), YX_PT("c7"),
                YX_PT("c8"), YX_PT("c9"), YX_PT("c10"), YX_PT("c11"), YX_PT("c12"), YX_PT("c13"),
                YX_PT("c14"), YX_PT("c15"), YX_PT("c16"), YX_PT("c17"), YX_PT("c18"), YX_PT("c19"),
                YX_PT("c20")),
        0);
    assert_int_equal(yx_rows_int(r, 0, 0), 1);
    yx_rows_free(r);
}

/* A checkpoint on SQLite goes through the paced VFS (src/store/sqlite_pace.c): its pages reach
 * the disk in groups, and what was committed is all there after the WAL is folded back and the
 * database opened again. If the VFS could not find the database file's descriptor (a SQLite whose
 * file object changed), no group is written back and this fails. */
static void checkpoint_writes_back_in_groups(void **state)
{
    if (is_pg())
        skip();
    long before = yx_db_paced_writebacks();
    assert_int_equal(YX_DB_Q0(db, NULL, "CREATE TABLE pace_probe (id INTEGER PRIMARY KEY, pad BLOB)"), 0);
    assert_int_equal(yx_db_begin(db), 0);
    for (int i = 1; i <= 400; i++)
        assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO pace_probe VALUES (?, zeroblob(3000))", YX_PI(i)), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(YX_DB_Q0(db, NULL, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
    assert_true(yx_db_paced_writebacks() - before >= 400 / 64);

    char err[256];
    yx_db_close(db);
    assert_int_equal(yx_db_open(sqlite_path, &db, err, sizeof err), 0);
    assert_int_equal(count("SELECT count(*) FROM pace_probe WHERE length(pad) = 3000"), 400);
    assert_int_equal(YX_DB_Q0(db, NULL, "DROP TABLE pace_probe"), 0);
}

/* yx_db_exec_rows and yx_db_exec_in: 300 rows go in as groups of 128, 128, 32, 8 and 4, each with its own
 * values; the same call with a conflict clause replaces what is there; a row the table refuses stops it with
 * the engine's error; no rows run nothing; no columns is refused. */
static void many_rows_in_one_call(void **state)
{
    enum { N = 300 };
    static struct yx_param p[2 * N];
    char names[N][16];
    assert_int_equal(
        YX_DB_Q0(db, NULL, "CREATE TABLE rows_probe (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"), 0);
    for (int i = 0; i < N; i++) {
        yx_snprintf(names[i], sizeof names[i], "Hàng %d", i + 1);
        p[2 * i] = YX_PI(i + 1);
        p[2 * i + 1] = YX_PT(names[i]);
    }
    const char *head = "INSERT INTO rows_probe (id, name) VALUES ";
    const char *upsert = " ON CONFLICT (id) DO UPDATE SET name = excluded.name || ' (mới)'";
    assert_int_equal(yx_db_exec_rows(db, head, "", p, 2, N), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM rows_probe"), N);
    assert_int_equal(count("SELECT COUNT(*) FROM rows_probe WHERE name = 'Hàng ' || id"), N);
    assert_int_equal(yx_db_exec_rows(db, head, upsert, p + 2 * 100, 2, 5), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM rows_probe WHERE name LIKE '% (mới)'"), 5);
    assert_int_equal(count("SELECT MIN(id) * 1000 + MAX(id) FROM rows_probe WHERE name LIKE '% (mới)'"),
                     101105);
    assert_int_equal(yx_db_exec_rows(db, head, "", p, 2, 1), YX_ECONFLICT);
    p[1] = YX_PN;
    assert_int_not_equal(yx_db_exec_rows(db, head, upsert, p, 2, 1), 0);
    p[1] = YX_PT(names[0]);
    assert_int_equal(yx_db_exec_rows(db, head, "", p, 2, 0), 0);
    assert_int_equal(yx_db_exec_rows(db, head, "", p, 0, 1), YX_EINVAL);
    assert_int_equal(count("SELECT COUNT(*) FROM rows_probe"), N);
    /* An IN list of three ids is padded to four with the last: still three rows, after the leading
     * parameter; none, or more than the limit, is refused. */
    static const int64_t ids[YX_DB_IN_MAX + 1] = {7, 5, 9};
    struct yx_param before[] = {YX_PT("Hàng 5")};
    struct yx_rows *r = NULL;
    assert_int_equal(yx_db_exec_in(db, "SELECT id FROM rows_probe WHERE name <> ? AND id IN (",
                                   ") ORDER BY id", before, 1, ids, 3, &r),
                     0);
    assert_int_equal(r->nrows, 2);
    assert_int_equal(yx_rows_int(r, 0, 0) * 100 + yx_rows_int(r, 1, 0), 709);
    yx_rows_free(r);
    assert_int_equal(yx_db_exec_in(db, "SELECT id FROM rows_probe WHERE id IN (", ")", NULL, 0, ids, 0, &r),
                     YX_EINVAL);
    assert_int_equal(
        yx_db_exec_in(db, "SELECT id FROM rows_probe WHERE id IN (", ")", NULL, 0, ids, YX_DB_IN_MAX + 1, &r),
        YX_EINVAL);
    assert_int_equal(YX_DB_Q0(db, NULL, "DROP TABLE rows_probe"), 0);
}

static int received;

static void on_message(const char *channel, int64_t to_user, const char *text, void *arg)
{
    (void)channel, (void)to_user, (void)text, (void)arg;
    received++;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void bus_does_nothing_for_sqlite(void **state)
{
    (void)state;
    assert_int_equal(yx_bus_start("/tmp/ytexa-test.db", on_message, NULL), 0);
    assert_false(yx_bus_active());
    yx_bus_publish("visit:1", 0, "{\"type\":\"chat\"}");
    assert_int_equal(yx_bus_dropped(), 0);
    yx_bus_stop();
    yx_bus_stop();
}

static void bus_queue_is_bounded_while_the_database_is_unreachable(void **state)
{
    (void)state;
    yx_log_set_level(YX_LOG_ERROR); /* the bus says each failed attempt */
    /* Port 1 on loopback refuses at once: the bus keeps trying, and meanwhile the queue fills. */
    assert_int_equal(yx_bus_start("postgres://ytexa@127.0.0.1:1/ytexa?connect_timeout=1", on_message, NULL),
                     0);
    assert_true(yx_bus_active());
    for (int i = 0; i < 5000; i++)
        yx_bus_publish("visit:1", i % 3, "{\"type\":\"presence\",\"status\":\"online\"}");
    assert_int_equal(yx_bus_dropped(), 5000 - 4096);
    int64_t t0 = mono_ms();
    yx_bus_stop();
    assert_true(mono_ms() - t0 < 2000);
    assert_false(yx_bus_active());
    assert_int_equal(yx_bus_dropped(), 5000);
    yx_bus_publish("visit:1", 0, "{}");
    assert_int_equal(yx_bus_dropped(), 5000);
    assert_int_equal(received, 0);
}

/* A statement run while the connection plans each one with its values is never prepared, so
 * PostgreSQL never swaps in a generic plan after its fifth run; the same statement outside is
 * prepared once and kept. Each run answers alike either way. */
static void statements_planned_with_their_values_are_not_prepared(void **state)
{
    static const char sql[] = "SELECT COUNT(*) FROM specialties WHERE CAST(? AS TEXT) = '' OR code = ?";
    static const char seen[] = "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE "
                               "'SELECT COUNT(*) FROM specialties WHERE CAST($1 AS TEXT)%'";
    (void)state;
    assert_int_equal(YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                             YX_PT("mat"), YX_PT("Mắt"), YX_PT("eyes")),
                     0);
    yx_db_plan_each(db, 1);
    for (int i = 0; i < 7; i++) {
        struct yx_rows *r = NULL;
        assert_int_equal(YX_DB_Q(db, &r, sql, YX_PT(i % 2 ? "" : "x"), YX_PT("none")), 0);
        assert_int_equal(yx_rows_int(r, 0, 0), i % 2 ? count("SELECT COUNT(*) FROM specialties") : 0);
        yx_rows_free(r);
    }
    yx_db_plan_each(db, 0);
    if (!is_pg())
        return;
    assert_int_equal(count(seen), 0);
    assert_int_equal(YX_DB_Q(db, NULL, sql, YX_PT("x"), YX_PT("mat")), 0);
    assert_int_equal(count(seen), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, wipe)
    const struct CMUnitTest tests[] = {
        T(migrate_applies_once),
        T(text_round_trips_verbatim),
        T(nulls_go_in_and_come_out),
        T(rows_are_read_by_name),
        T(engines_name_expressions_differently),
        T(a_missing_or_shared_name_is_a_bug),
        T(duplicates_are_conflicts),
        T(broken_rules_are_invalid_input),
        T(rollback_leaves_nothing),
        T(nested_transactions_are_savepoints),
        T(later_statements_go_with_the_next),
        T(commit_after_a_failure_is_not_success),
        T(events_wait_for_the_commit),
        T(dropped_connection_is_reopened_outside_transactions),
        T(a_waiting_begin_meets_a_dropped_connection),
        T(update_reports_changed_rows),
        T(many_parameters),
        T(checkpoint_writes_back_in_groups),
        T(many_rows_in_one_call),
        T(statements_planned_with_their_values_are_not_prepared),
        cmocka_unit_test(bus_does_nothing_for_sqlite),
        cmocka_unit_test(bus_queue_is_bounded_while_the_database_is_unreachable),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
