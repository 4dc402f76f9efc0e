/* Training (docs/reports.md, "Training"): the courses published and the sessions held by the
 * facilities of the place, and what its health workers did — attendances, people who earned a
 * credit, credit hours and certificates. Courses and sessions belong to the hosting facility
 * (courses.facility_id); every other figure to the trainee's facility and role (users) when it
 * happened, as the rollups of migration 0025 keep them.
 *
 * Each figure is one query, grouped by the database (GROUP BY the group's key); the answers are
 * merged here by key. A query returns at most one row a group (a few hundred facilities of a
 * province, seven roles), so the merge is bounded by the place, not by the period's activity. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The figures as the queries return them; MINUTES (of credit) is answered as credit_hours. */
enum { COURSES, LIVE, SELF_PACED, CASE, ATTENDANCES, TRAINED, MINUTES, CERTIFICATES, NFIG };
static const struct yx_report_column columns[] = {
    {"courses", "Khoá học đang mở", "courses published", YX_REPORT_THINGS, NULL},
    {"sessions_live", "Buổi học trực tuyến", "live sessions", YX_REPORT_THINGS, NULL},
    {"sessions_self_paced", "Buổi tự học", "self-paced sessions", YX_REPORT_THINGS, NULL},
    {"sessions_case", "Buổi trình bày ca bệnh", "case sessions", YX_REPORT_THINGS, NULL},
    {"attendances", "Lượt tham dự", "attendances", YX_REPORT_COUNT, NULL},
    {"trained", "Người được đào tạo", "people trained", YX_REPORT_COUNT, NULL},
    /* Hours add up over rows like a count; they are the hours of the people trained, so a CSV
     * cell over 1 to 4 of them is a small cell too. */
    {"credit_hours", "Số giờ tín chỉ", "credit hours earned", YX_REPORT_COUNT, "trained"},
    {"certificates", "Chứng chỉ đã cấp", "certificates issued", YX_REPORT_COUNT, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

/* The groupings: the key and name over the facility (f), its province (p) and, for the trainee's
 * figures, the person (u). Courses and sessions have no role: by=role leaves them out of the rows
 * (null) and counts them in the totals only. */
static const struct yx_report_grouping groupings[] = {
    {"role", "t.role", "t.role", 0},
    {"level", "f.level", "f.level", 0},
    {"facility", "f.id", "f.name", 1},
    YX_REPORT_BY_PROVINCE,
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"dao-tao", "YX_TRAIN"};

/* Courses and sessions belong to a facility, not to a role: grouped by role they are in the
 * totals only. */
static int has_courses(const struct yx_report_grouping *g)
{
    return g && strcmp(g->by, "role") != 0;
}

/* The place and the level, of the hosting facility for courses and sessions and of the trainee's
 * for the rest, as by=level groups them. */
#define PLACE_SQL                                                                                            \
    " AND (? = 0 OR f.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE("fp") ") AND (? = '' OR f.level = ?)"
#define ROLLUP_SQL(table)                                                                                    \
    " FROM " table " t JOIN facilities f ON f.id = t.facility_id " YX_REPORT_PLACE_JOIN(                     \
        "fp", "f") "WHERE " YX_REPORT_SPANS_SQL("t") PLACE_SQL " GROUP BY 1, 2"

/* The queries, each returning gid, gname and figures; the %s are the group's key and name. The
 * first two are of the hosting facility, the others of the trainee's. Courses published are the
 * state at the period's end, a few hundred rows read live; the rest come from the rollups of
 * migration 0025, kept by triggers (docs/reports.md, "Rollups"), over the period's spans. A group
 * whose rows a correction left at zero is skipped. */
static const char courses_sql[] =
    "SELECT %s AS gid, %s AS gname, COUNT(*) FROM courses c JOIN facilities f ON f.id = "
    "c.facility_id " YX_REPORT_PLACE_JOIN(
        "fp", "f") "WHERE c.state = 'published' AND c.created_at < ?" PLACE_SQL " GROUP BY 1, 2";
/* A live or case session is held at its start; a self-paced one has none and counts when it was
 * made available (created). A cancelled session is held by no one. */
static const char sessions_sql[] =
    "SELECT %s AS gid, %s AS gname, SUM(t.live), SUM(t.self_paced), SUM(t.kase)" ROLLUP_SQL(
        "training_session_rollup") " HAVING SUM(t.live) + SUM(t.self_paced) + SUM(t.kase) > 0";
/* An attendance: a person present for some time (online or at a site), at the session's start
 * (a self-paced session's: when the attendance was worked out), as for connection sites; a
 * certificate when it was issued (revoked later or not: the issue happened). Both by the
 * trainee's facility and role at that moment. */
static const char attendances_sql[] =
    "SELECT %s AS gid, %s AS gname, SUM(t.attendances), SUM(t.certificates)" ROLLUP_SQL(
        "training_rollup") " HAVING SUM(t.attendances) + SUM(t.certificates) > 0";
/* A person counts once however many credits in the period: a distinct count over the marks of
 * the period's days and months (one a person and span). A person is in one group of any grouping
 * unless they moved facility or role within the period. */
static const char credits_sql[] =
    "SELECT %s AS gid, %s AS gname, COUNT(DISTINCT t.user_id), SUM(t.minutes) FROM training_people t JOIN "
    "facilities f ON f.id = t.facility_id " YX_REPORT_PLACE_JOIN(
        "fp", "f") "WHERE "
                   "t.credits > 0 AND " YX_REPORT_SPANS_SQL("t") PLACE_SQL " GROUP BY 1, 2";

struct group {
    const char *gid, *gname; /* in the rows they came from */
    int64_t n[NFIG];
};

struct tally {
    struct group *groups, all;
    size_t ngroups, cap;
};

/* The group of key gid, added when new (cap is the number of rows fetched, so it never fills). */
static struct group *group_of(struct tally *t, const char *gid, const char *gname)
{
    for (size_t i = 0; i < t->ngroups; i++)
        if (strcmp(t->groups[i].gid, gid) == 0)
            return &t->groups[i];
    YX_ASSERT(t->ngroups < t->cap);
    t->groups[t->ngroups] = (struct group){.gid = gid, .gname = gname};
    return &t->groups[t->ngroups++];
}

/* Adds each row's figures (result columns col …) to figures first … of the totals and, when
 * grouped, of the row's group. */
static void merge(struct tally *t, const struct yx_rows *rows, int col, int first, int nfig, int grouped)
{
    for (int i = 0; i < rows->nrows; i++) {
        struct group *g =
            grouped ? group_of(t, yx_rows_str(rows, i, "gid"), yx_rows_str(rows, i, "gname")) : NULL;
        for (int f = 0; f < nfig; f++) {
            const char *s = yx_rows_get(rows, i, col + f);
            int64_t v = s ? strtoll(s, NULL, 10) : 0;
            t->all.n[first + f] += v;
            if (g)
                g->n[first + f] += v;
        }
    }
}

/* The keys of the counts, in the order of the enum (minutes are answered as hours). */
static const char *const count_keys[NFIG] = {
    "courses", "sessions_live", "sessions_self_paced", "sessions_case", "attendances", "trained",
    NULL,      "certificates"};

static json_t *values_json(const struct group *g, int has_courses)
{
    json_t *v = json_object();
    for (int i = 0; i < NFIG; i++)
        if (count_keys[i])
            json_object_set_new(v, count_keys[i],
                                i <= CASE && !has_courses ? json_null() : json_integer(g->n[i]));
    /* Hours to two decimals: minutes are whole, so 1/60 h is the finest step anyway. */
    json_object_set_new(v, "credit_hours", json_real(round((double)g->n[MINUTES] * 100.0 / 60.0) / 100.0));
    return v;
}

static json_t *key_json(const struct yx_report_grouping *g, const struct group *x)
{
    return yx_report_key(g, x->gid, x->gname);
}

static int cmp_groups(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    long long i = strtoll(x->gid, NULL, 10), j = strtoll(y->gid, NULL, 10);
    return i != j ? (i > j) - (i < j) : strcmp(x->gid, y->gid);
}

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    enum { QCOURSES, QSESSIONS, QATTEND, QCREDITS, NQ };
    struct yx_rows *rows[NQ] = {NULL};
    struct tally t = {.ngroups = 0};
    struct yx_report_spans spans;
    char sql[1200];
    json_t *out = NULL;
    int rc;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    static const char *const queries[NQ] = {courses_sql, sessions_sql, attendances_sql, credits_sql};
    yx_report_spans(&p, &spans);
    for (int q = 0; q < NQ; q++) {
        /* Courses and sessions have no role: by=role asks for their totals only. */
        int grouped = g && (q > QSESSIONS || has_courses(g));
        struct yx_param before[] = {YX_PI(p.until_ms),     YX_PI(place.facility), YX_PI(place.facility),
                                    YX_PI(place.province), YX_PI(place.province), YX_PT(filters.level),
                                    YX_PT(filters.level)};
        struct yx_param spanned[] = {YX_REPORT_SPANS_PARAMS(spans), YX_PI(place.facility),
                                     YX_PI(place.facility),         YX_PI(place.province),
                                     YX_PI(place.province),         YX_PT(filters.level),
                                     YX_PT(filters.level)};
        /* Courses are counted at the period's end, the others over its spans. */
        struct yx_param *params = q == QCOURSES ? before : spanned;
        int nparams = q == QCOURSES ? 7 : 12;
        if ((rc = yx_snprintf(sql, sizeof sql, queries[q], grouped ? g->key : "''",
                              grouped ? g->name : "''")) != 0 ||
            (rc = yx_db_exec(r->db, sql, params, nparams, &rows[q])) != 0)
            goto out;
        t.cap += (size_t)rows[q]->nrows;
    }
    rc = YX_ENOMEM;
    t.groups = calloc(t.cap ? t.cap : 1, sizeof *t.groups);
    out = yx_report_new("training", &p, &place, by, columns);
    if (!t.groups || !out)
        goto out;
    merge(&t, rows[QCOURSES], 2, COURSES, 1, has_courses(g));
    merge(&t, rows[QSESSIONS], 2, LIVE, 3, has_courses(g));
    merge(&t, rows[QATTEND], 2, ATTENDANCES, 1, g != NULL); /* attendances, then certificates */
    merge(&t, rows[QATTEND], 3, CERTIFICATES, 1, g != NULL);
    merge(&t, rows[QCREDITS], 2, TRAINED, 2, g != NULL); /* people trained, then their minutes */
    if (t.ngroups > 1)
        qsort(t.groups, t.ngroups, sizeof *t.groups, cmp_groups);
    json_t *list = json_object_get(out, "rows");
    for (size_t i = 0; g && i < t.ngroups; i++)
        json_array_append_new(list, json_pack("{s:o,s:o}", "key", key_json(g, &t.groups[i]), "values",
                                              values_json(&t.groups[i], has_courses(g))));
    json_object_set_new(out, "totals", values_json(&t.all, 1));
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    free(t.groups);
    for (int q = 0; q < NQ; q++)
        yx_rows_free(rows[q]);
    return rc;
}

const struct yx_report_source yx_report_training = {
    .name = "training",
    .title = "Đào tạo, chỉ đạo tuyến",
    .names = &names,
    .columns = columns,
    .groupings = groupings,
    .filters = YX_REPORT_BY_LEVEL,
    .build = build,
};
