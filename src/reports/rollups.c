/* The rollup tables (migrations 0024–0026, 0029, 0033–0035, 0040) recomputed from the events they count,
 * for `ytexa reports check` and `ytexa reports rebuild` (docs/operations.md, "Report rollups").
 *
 * Each table is described once here: its key after (grain, span), its figures, and its facts — a
 * SELECT of one row per event (or per event and key) with the event's Vietnam day, its key and
 * what it adds, read from the same facts views the triggers read where the migrations have one
 * (consult_rollup_facts, training_*_facts, visit_dx_facts, visit_wait_facts, reach_events). The
 * day rows are the facts summed by day, the month rows the day rows summed by month, the year rows
 * (grain 3, the per-facility wait histograms of 0033) the same by year: the rule of every
 * trigger. This is the one statement of what a rollup must hold besides the migrations' backfills,
 * which ran once and are never read again; tests/api/reports_rollups_check.test.mjs checks every
 * table of a database written through the API and the triggers against it. */
#include <string.h>

#include "report.h"
#include "rollups.h"
#include "ytexa/core.h"
#include "ytexa/store.h"

/* The chapter counts of a visit_dx_facts row x (visit_rollup's ch01 … ch22) and the zeros of a
 * row that is not a diagnosis. */
#define CH(n) "CASE WHEN x.chapter = " #n " THEN 1 ELSE 0 END"
#define CHAPTERS                                                                                             \
    CH(1)                                                                                                    \
    ", " CH(2) ", " CH(3) ", " CH(4) ", " CH(5) ", " CH(6) ", " CH(7) ", " CH(8) ", " CH(9) ", " CH(         \
        10) ", " CH(11) ", " CH(12) ", " CH(13) ", " CH(14) ", " CH(15) ", " CH(16) ", " CH(17) ", " CH(18) ", " CH(19) ", " CH(20) ", " CH(21) ", " CH(22)
#define NAMED_NO_CHAPTERS                                                                                    \
    "0 AS ch01, 0 AS ch02, 0 AS ch03, 0 AS ch04, 0 AS ch05, 0 AS ch06, 0 AS ch07, 0 AS ch08, 0 AS ch09, 0 "  \
    "AS "                                                                                                    \
    "ch10, 0 AS ch11, 0 AS ch12, 0 AS ch13, 0 AS ch14, 0 AS ch15, 0 AS ch16, 0 AS ch17, 0 AS ch18, 0 AS "    \
    "ch19, "                                                                                                 \
    "0 AS ch20, 0 AS ch21, 0 AS ch22"
#define NO_CHAPTERS "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0"
#define VN_DAY(ms) "((" ms " + 25200000) / 86400000)"

/* The figures of visit_rollup, which visit_rollup_fac keeps by facility alone. */
#define VISIT_FIGURES                                                                                        \
    "booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, "      \
    "ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22"
#define CONSULT_FIGURES                                                                                      \
    "requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, "        \
    "cancelled, declined, escalated"
/* A consultation's facts once per grouping of the rollups without the facility (0025). */
#define CONSULT_DIMS                                                                                         \
    "FROM consult_rollup_facts f CROSS JOIN (SELECT 'all' AS dim UNION ALL SELECT 'hub' UNION ALL SELECT "   \
    "'urgency' UNION ALL SELECT 'kind') d"
#define CONSULT_DIM_VALUE                                                                                    \
    "CASE d.dim WHEN 'hub' THEN f.hub_level WHEN 'urgency' THEN f.urgency WHEN 'kind' THEN f.kind ELSE '' "  \
    "END"

struct rollup {
    const char *table;
    const char *keys;    /* the key's columns after (grain, span) */
    const char *figures; /* the columns that add up */
    const char *facts;   /* SELECT day, <keys>, <figures>: what each event adds, on its Vietnam day */
    const char *spans;   /* NULL, or SELECT grain, span, <keys>, <figures> of rows not made of days */
    int years;           /* grain-3 rows follow the month rows through a trigger (0033) */
    /* NULL, or the table whose month, quarter and year rows follow this table's month rows through a
     * trigger (0034): emptied with this one before a rebuild, which writes it again through that
     * trigger (it has no delete path: month rows are never deleted while serving). */
    const char *derived;
};

/* The rows of a table of 0034 from the month rows of table `from`, keyed by the columns `keys` of both. */
#define FAC_SPANS(keys, sums, from)                                                                          \
    "SELECT g.grain, CASE g.grain WHEN 2 THEN w.span WHEN 3 THEN w.span / 12 ELSE w.span / 3 END AS "        \
    "span, " keys ", " sums " FROM " from                                                                    \
    " w CROSS JOIN (SELECT 2 AS grain UNION ALL SELECT 3 UNION ALL SELECT 4) g "                             \
    "WHERE w.grain = 2 GROUP BY g.grain, CASE g.grain WHEN 2 THEN w.span WHEN 3 THEN w.span / 12 ELSE "      \
    "w.span / 3 END, " keys

static const struct rollup rollups[] = {
    {"visit_rollup", "facility_id, mode", VISIT_FIGURES,
     "SELECT " VN_DAY(
         "created_at") " AS day, facility_id, mode, 1 AS booked, 0 AS started, 0 AS completed, "
                       "0 AS no_show, 0 AS cancelled, 0 AS signed, 0 AS diagnoses, " NAMED_NO_CHAPTERS
                       " FROM visits "
                       "UNION ALL SELECT " VN_DAY(
                           "started_at") ", facility_id, mode, 0, 1, 0, 0, 0, 0, 0, " NO_CHAPTERS
                                         " FROM visits WHERE started_at IS NOT NULL "
                                         "UNION ALL SELECT " VN_DAY(
                                             "ended_at") ", facility_id, mode, 0, 0, CASE WHEN state = "
                                                         "'finished' THEN 1 "
                                                         "ELSE 0 END, CASE WHEN state = 'no_show' THEN 1 "
                                                         "ELSE 0 END, CASE WHEN state = 'cancelled' THEN 1 "
                                                         "ELSE 0 "
                                                         "END, 0, 0, " NO_CHAPTERS
                                                         " FROM visits WHERE ended_at IS NOT NULL "
                                                         "UNION ALL SELECT " VN_DAY(
                                                             "s.signed_at") ", v.facility_id, v.mode, 0, 0, "
                                                                            "0, 0, 0, 1, 0, " NO_CHAPTERS
                                                                            " FROM prescriptions s JOIN "
                                                                            "visits v ON v.id = s.visit_id "
                                                                            "WHERE s.status = 'signed' AND "
                                                                            "s.signed_at IS "
                                                                            "NOT NULL "
                                                                            "UNION ALL SELECT x.day, "
                                                                            "x.facility_id, x.mode, 0, 0, 0, "
                                                                            "0, 0, 0, 1, " CHAPTERS
                                                                            " FROM visit_dx_facts x",
     NULL, 0, "visit_rollup_fac"},
    {"visit_rollup_dx", "facility_id, mode, code", "n",
     "SELECT day, facility_id, mode, code, 1 AS n FROM visit_dx_facts", NULL, 0, NULL},
    {"visit_rollup_wait", "facility_id, mode, minutes", "n",
     "SELECT day, facility_id, mode, minutes, 1 AS n FROM visit_wait_facts", NULL, 1, "visit_waits_fac"},
    {"visit_dx_by", "province_id, level, mode, code", "n",
     "SELECT day, province_id, level, mode, code, 1 AS n FROM visit_dx_facts", NULL, 0, NULL},
    {"visit_waits_by", "province_id, level, mode, minutes", "n",
     "SELECT day, province_id, level, mode, minutes, 1 AS n FROM visit_wait_facts", NULL, 0, NULL},
    {"consult_rollup", "facility_id, hub_level, urgency, specialty, kind", CONSULT_FIGURES,
     "SELECT day, facility_id, hub_level, urgency, specialty, kind, " CONSULT_FIGURES
     " FROM consult_rollup_facts",
     NULL, 0, "consult_rollup_fac"},
    {"consult_waits", "facility_id, hub_level, urgency, specialty, kind, what, minutes", "n",
     "SELECT day, facility_id, hub_level, urgency, specialty, kind, what, minutes, 1 AS n FROM "
     "consult_rollup_facts WHERE what IS NOT NULL",
     NULL, 1, "consult_waits_fac"},
    {"consult_rollup_by", "province_id, level, specialty, dim, value", CONSULT_FIGURES,
     "SELECT f.day, f.province_id, f.level, f.specialty, d.dim, " CONSULT_DIM_VALUE " AS value, f.requested, "
     "f.accepted, f.in_time, f.concluded, f.treat_locally, f.transfer, f.more_tests, f.another_consult, "
     "f.cancelled, f.declined, f.escalated " CONSULT_DIMS,
     NULL, 0, NULL},
    {"consult_waits_by", "province_id, level, specialty, dim, value, what, minutes", "n",
     "SELECT f.day, f.province_id, f.level, f.specialty, d.dim, " CONSULT_DIM_VALUE " AS value, f.what, "
     "f.minutes, 1 AS n " CONSULT_DIMS " WHERE f.what IS NOT NULL",
     NULL, 0, NULL},
    {"training_session_rollup", "facility_id", "live, self_paced, kase",
     "SELECT day, facility_id, live, self_paced, kase FROM training_session_facts", NULL, 0, NULL},
    {"training_rollup", "facility_id, role", "attendances, certificates",
     "SELECT day, facility_id, role, attendances, certificates FROM training_attendance_facts UNION ALL "
     "SELECT day, facility_id, role, attendances, certificates FROM training_certificate_facts",
     NULL, 0, NULL},
    {"training_people", "user_id, facility_id, role", "credits, minutes",
     "SELECT day, user_id, facility_id, role, credits, minutes FROM training_credit_facts", NULL, 0, NULL},
    /* Figures 1–3 from the events of 0026; figure 4 (people reached) from the marks, one a person
     * and span, which are checked here as the tally's source, not recomputed. */
    {"reach_tally", "fig, facility_id, eth", "n, over60, under6, pregnant, poor, near_poor, disability",
     "SELECT day, fig, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability FROM "
     "reach_events",
     "SELECT grain, span, 4 AS fig, facility_id, eth, COUNT(*) AS n, SUM(over60) AS over60, SUM(under6) AS "
     "under6, SUM(pregnant) AS pregnant, SUM(poor) AS poor, SUM(near_poor) AS near_poor, SUM(disability) AS "
     "disability FROM reach_mark_events GROUP BY grain, span, facility_id, eth",
     0, NULL},
    /* 0034: the month rows of the tables by facility summed by facility alone, by month (2), year
     * (3, span / 12) and quarter (4, span / 3 = y * 4 + q - 1) — what their triggers keep. */
    {"visit_waits_fac", "facility_id, minutes", "n", NULL,
     FAC_SPANS("facility_id, minutes", "SUM(w.n) AS n", "visit_rollup_wait"), 0, NULL},
    {"consult_waits_fac", "facility_id, what, minutes", "n", NULL,
     FAC_SPANS("facility_id, what, minutes", "SUM(w.n) AS n", "consult_waits"), 0, NULL},
    {"consult_rollup_fac", "facility_id", CONSULT_FIGURES, NULL,
     FAC_SPANS(
         "facility_id",
         "SUM(w.requested) AS requested, SUM(w.accepted) AS accepted, SUM(w.in_time) AS in_time, "
         "SUM(w.concluded) AS concluded, SUM(w.treat_locally) AS treat_locally, SUM(w.transfer) AS transfer, "
         "SUM(w.more_tests) AS more_tests, SUM(w.another_consult) AS another_consult, SUM(w.cancelled) AS "
         "cancelled, SUM(w.declined) AS declined, SUM(w.escalated) AS escalated",
         "consult_rollup"),
     0, NULL},
    /* 0040: visit_rollup's month rows by facility alone, the same way. */
    {"visit_rollup_fac", "facility_id", VISIT_FIGURES, NULL,
     FAC_SPANS(
         "facility_id",
         "SUM(w.booked) AS booked, SUM(w.started) AS started, SUM(w.completed) AS completed, "
         "SUM(w.no_show) AS no_show, SUM(w.cancelled) AS cancelled, SUM(w.signed) AS signed, "
         "SUM(w.diagnoses) AS diagnoses, SUM(w.ch01) AS ch01, SUM(w.ch02) AS ch02, SUM(w.ch03) AS ch03, "
         "SUM(w.ch04) AS ch04, SUM(w.ch05) AS ch05, SUM(w.ch06) AS ch06, SUM(w.ch07) AS ch07, "
         "SUM(w.ch08) AS ch08, SUM(w.ch09) AS ch09, SUM(w.ch10) AS ch10, SUM(w.ch11) AS ch11, "
         "SUM(w.ch12) AS ch12, SUM(w.ch13) AS ch13, SUM(w.ch14) AS ch14, SUM(w.ch15) AS ch15, "
         "SUM(w.ch16) AS ch16, SUM(w.ch17) AS ch17, SUM(w.ch18) AS ch18, SUM(w.ch19) AS ch19, "
         "SUM(w.ch20) AS ch20, SUM(w.ch21) AS ch21, SUM(w.ch22) AS ch22",
         "visit_rollup"),
     0, NULL},
};
#define NROLLUPS (sizeof rollups / sizeof rollups[0])

/* The longest statement built here: a table's comparison, about 4 kB for the widest. */
#define SQL_MAX (64 * 1024)
/* The differing keys a table's check reads at most (a table broken everywhere is reported as
 * "more than" this many; a rebuild mends it either way) and prints at most. */
#define DIFFER_MAX 10000
#define PRINT_MAX 20

/* Appends fmt once for each column of the comma-separated list, joined by sep; fmt names the
 * column as %1$s, as often as it needs. */
static int each_sep(struct yx_buf *b, const char *list, const char *fmt, const char *sep)
{
    int rc = 0;
    for (const char *p = list; *p && rc == 0;) {
        size_t n = strcspn(p, ",");
        char col[64];
        while (n && p[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof col)
            return YX_EINTERNAL;
        memcpy(col, p, n);
        col[n] = 0;
        if (p != list)
            rc = yx_buf_puts(b, sep);
        if (rc == 0)
            rc = yx_buf_printf(b, fmt, col);
        p += strcspn(p, ",");
        p += strspn(p, ", ");
    }
    return rc;
}

static int each(struct yx_buf *b, const char *list, const char *fmt)
{
    return each_sep(b, list, fmt, ", ");
}

/* The month (y * 12 + m - 1) of the Vietnam day number in column day, as each engine writes it
 * (the migrations' expression: the calendar month of the day's midnight in UTC). */
static const char *month_of_day(const struct yx_db *db)
{
    return yx_db_dialect(db) == YX_POSTGRES
               ? "(CAST(extract(year FROM to_timestamp(day * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + "
                 "CAST(extract(month FROM to_timestamp(day * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1)"
               : "(CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', day "
                 "* "
                 "86400, 'unixepoch') AS INTEGER) - 1)";
}

/* The rows table t must hold, as one SELECT of grain, span, <keys>, <figures>: the facts summed
 * by day, the days by month (and by year where t has year rows); without the year rows when
 * with_years is 0 (a rebuild, where 0033's trigger writes them from the months). */
static int expected_sql(const struct yx_db *db, const struct rollup *t, int with_years, struct yx_buf *b)
{
    const char *month = month_of_day(db);
    if (!t->facts) /* a table of other tables' rows (0034) */
        return yx_buf_printf(b, "(%s)", t->spans);
    int rc = yx_buf_puts(b, "(WITH d AS (SELECT day, ");
    if (rc == 0 && (rc = yx_buf_printf(b, "%s, ", t->keys)) == 0 &&
        (rc = each(b, t->figures, "SUM(%1$s) AS %1$s")) == 0)
        rc = yx_buf_printf(b, " FROM (%s) f GROUP BY day, %s) SELECT 1 AS grain, day AS span, %s, %s FROM d",
                           t->facts, t->keys, t->keys, t->figures);
    int last = with_years && t->years ? YX_REPORT_GRAIN_YEAR : YX_REPORT_GRAIN_MONTH;
    for (int grain = YX_REPORT_GRAIN_MONTH; rc == 0 && grain <= last; grain++) {
        const char *per = grain == YX_REPORT_GRAIN_YEAR ? " / 12" : "";
        if ((rc = yx_buf_printf(b, " UNION ALL SELECT %d, %s%s, %s, ", grain, month, per, t->keys)) == 0 &&
            (rc = each(b, t->figures, "SUM(%1$s)")) == 0)
            rc = yx_buf_printf(b, " FROM d GROUP BY %s%s, %s", month, per, t->keys);
    }
    if (rc == 0 && t->spans)
        rc = yx_buf_printf(b, " UNION ALL %s", t->spans);
    if (rc == 0)
        rc = yx_buf_puts(b, ")");
    return rc;
}

static const struct rollup *find(const char *only, FILE *out)
{
    for (size_t i = 0; i < NROLLUPS; i++)
        if (strcmp(rollups[i].table, only) == 0)
            return &rollups[i];
    fprintf(out, "no rollup table '%s'; the rollups are:", only);
    for (size_t i = 0; i < NROLLUPS; i++)
        fprintf(out, " %s", rollups[i].table);
    fprintf(out, "\n");
    return NULL;
}

/* Prints row i of a comparison: the key, then each figure that differs, held and expected. */
static void print_difference(FILE *out, const struct rollup *t, const struct yx_rows *rows, int i)
{
    int col = 0;
    fprintf(out, "  %s (grain %s, span %s", t->table, yx_rows_get(rows, i, 0), yx_rows_get(rows, i, 1));
    for (col = 2; col < rows->ncols && strncmp(rows->names[col], "held_", 5) != 0; col++)
        fprintf(out, ", %s '%s'", rows->names[col], yx_rows_get(rows, i, col));
    fprintf(out, "):");
    for (; col + 1 < rows->ncols; col += 2)
        if (strcmp(yx_rows_get(rows, i, col), yx_rows_get(rows, i, col + 1)) != 0)
            fprintf(out, " %s %s, expected %s;", rows->names[col] + 5, yx_rows_get(rows, i, col),
                    yx_rows_get(rows, i, col + 1));
    fprintf(out, "\n");
}

/* Compares table t with what its events say; adds its rows to *nrows and its differing keys to
 * *differ, printing each (at most PRINT_MAX). */
static int check_one(struct yx_db *db, const struct rollup *t, FILE *out, long *nrows, long *differ)
{
    struct yx_buf b;
    struct yx_rows *count = NULL, *rows = NULL;
    char sql[128];
    int rc = YX_EDB;
    yx_buf_init(&b, SQL_MAX);
    /* One statement: the table's rows with their figures as held_, the recomputed ones as want_, and
     * the keys whose sums differ. A row left at zero by a move and a key with no events are equal. */
    if ((rc = yx_buf_printf(&b, "SELECT grain, span, %s, ", t->keys)) != 0 ||
        (rc = each(&b, t->figures, "SUM(held_%1$s) AS held_%1$s, SUM(want_%1$s) AS want_%1$s")) != 0 ||
        (rc = yx_buf_printf(&b, " FROM (SELECT grain, span, %s, ", t->keys)) != 0 ||
        (rc = each(&b, t->figures, "%1$s AS held_%1$s, 0 AS want_%1$s")) != 0 ||
        (rc = yx_buf_printf(&b, " FROM %s UNION ALL SELECT grain, span, %s, ", t->table, t->keys)) != 0 ||
        (rc = each(&b, t->figures, "0, %1$s")) != 0 || (rc = yx_buf_puts(&b, " FROM ")) != 0 ||
        (rc = expected_sql(db, t, 1, &b)) != 0 ||
        (rc = yx_buf_printf(&b, " e) u GROUP BY grain, span, %s HAVING ", t->keys)) != 0 ||
        (rc = each_sep(&b, t->figures, "SUM(held_%1$s) <> SUM(want_%1$s)", " OR ")) != 0 ||
        (rc = yx_buf_printf(&b, " ORDER BY grain, span, %s LIMIT %d", t->keys, DIFFER_MAX + 1)) != 0)
        goto out;
    if ((rc = yx_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", t->table)) != 0 ||
        (rc = YX_DB_Q0(db, &count, sql)) != 0 || (rc = yx_db_exec(db, b.data, NULL, 0, &rows)) != 0)
        goto out;
    *nrows += yx_rows_int(count, 0, 0);
    *differ += rows->nrows;
    for (int i = 0; i < rows->nrows && i < PRINT_MAX; i++)
        print_difference(out, t, rows, i);
    if (rows->nrows > PRINT_MAX)
        fprintf(out, "  %s: %s%d keys differ in all\n", t->table,
                rows->nrows > DIFFER_MAX ? "more than " : "",
                rows->nrows > DIFFER_MAX ? DIFFER_MAX : rows->nrows);
out:
    yx_rows_free(count);
    yx_rows_free(rows);
    yx_buf_release(&b);
    return rc;
}

int yx_report_rollups_check(struct yx_db *db, const char *only, FILE *out, long *differ)
{
    const struct rollup *one = only ? find(only, out) : NULL;
    long nrows = 0;
    size_t ntables = 0;
    int rc = 0;
    *differ = 0;
    if (only && !one)
        return YX_ENOTFOUND;
    for (size_t i = 0; i < NROLLUPS && rc == 0; i++) {
        if (one && one != &rollups[i])
            continue;
        rc = check_one(db, &rollups[i], out, &nrows, differ);
        ntables++;
    }
    if (rc == 0)
        fprintf(out, "%zu tables, %ld rows, %ld differ\n", ntables, nrows, *differ);
    return rc;
}

/* Replaces table t's rows with the recomputed ones in one transaction. */
static int rebuild_one(struct yx_db *db, const struct rollup *t, FILE *out)
{
    struct yx_buf b;
    struct yx_rows *done = NULL;
    char sql[128];
    int rc, began = 0;
    yx_buf_init(&b, SQL_MAX);
    if ((rc = yx_buf_printf(&b, "INSERT INTO %s (grain, span, %s, %s) SELECT grain, span, %s, %s FROM ",
                            t->table, t->keys, t->figures, t->keys, t->figures)) != 0 ||
        (rc = expected_sql(db, t, 0, &b)) != 0 || (rc = yx_buf_puts(&b, " e")) != 0 ||
        (rc = yx_db_begin(db)) != 0)
        goto out;
    began = 1;
    /* PostgreSQL: writers of the table wait from here to the commit (a write that was under way
     * is waited for first, so the recount sees it); readers go on. SQLite's transaction holds the
     * database's write lock already. */
    if (yx_db_dialect(db) == YX_POSTGRES &&
        ((rc = yx_snprintf(sql, sizeof sql, "LOCK TABLE %s IN EXCLUSIVE MODE", t->table)) != 0 ||
         (rc = YX_DB_Q0(db, NULL, sql)) != 0))
        goto out;
    if (t->derived && ((rc = yx_snprintf(sql, sizeof sql, "DELETE FROM %s", t->derived)) != 0 ||
                       (rc = YX_DB_Q0(db, NULL, sql)) != 0))
        goto out;
    if ((rc = yx_snprintf(sql, sizeof sql, "DELETE FROM %s", t->table)) != 0 ||
        (rc = YX_DB_Q0(db, NULL, sql)) != 0 || (rc = yx_db_exec(db, b.data, NULL, 0, NULL)) != 0 ||
        (rc = yx_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", t->table)) != 0 ||
        (rc = YX_DB_Q0(db, &done, sql)) != 0 || (rc = yx_db_commit(db)) != 0)
        goto out;
    began = 0;
    fprintf(out, "%s: %lld rows written\n", t->table, (long long)yx_rows_int(done, 0, 0));
out:
    if (began)
        yx_db_rollback(db);
    yx_rows_free(done);
    yx_buf_release(&b);
    return rc;
}

/* Is t written by another rollup's trigger (0034), so that rebuilding that one rebuilds t? */
static int derived(const struct rollup *t)
{
    for (size_t i = 0; i < NROLLUPS; i++)
        if (rollups[i].derived && strcmp(rollups[i].derived, t->table) == 0)
            return 1;
    return 0;
}

int yx_report_rollups_rebuild(struct yx_db *db, const char *only, FILE *out)
{
    const struct rollup *one = only ? find(only, out) : NULL;
    int rc = 0;
    if (only && !one)
        return YX_ENOTFOUND;
    for (size_t i = 0; i < NROLLUPS && rc == 0; i++)
        if (one ? one == &rollups[i] : !derived(&rollups[i]))
            rc = rebuild_one(db, &rollups[i], out);
    return rc;
}
