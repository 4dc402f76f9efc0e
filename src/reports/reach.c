/* Reach (docs/reports.md, "Reach"): how many people the registry holds at the period's end and how
 * many were registered in it, how many have consented to remote care, and how many had a remote
 * visit or a consultation in the period — also per 1,000 registered — for everyone and for the
 * vulnerable groups the registry records. A person belongs to the place of the facility that
 * registered them (patients.facility_id) and counts once however many visits they had.
 *
 * A registry is large (a province holds hundreds of thousands of people), so a day, week, month,
 * quarter or year is read from the rollups that migration 0026's triggers keep (rollup_sql); any
 * other range of days from the registry itself, the database adding the people up (live_sql). Both
 * return, grouped by the place asked for and the person's ethnicity, the same sums. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The figures, for everyone and for each group. */
enum { REGISTERED, NEW, CONSENTED, REACHED, NFIG };
static const struct yx_report_column columns[] = {
    {"registered", "Người đăng ký (cuối kỳ)", "people registered (at the period's end)", YX_REPORT_COUNT,
     NULL},
    {"new", "Đăng ký mới trong kỳ", "newly registered", YX_REPORT_COUNT, NULL},
    {"consented", "Đồng ý khám chữa bệnh từ xa (cuối kỳ)",
     "with consent to remote care (at the period's end)", YX_REPORT_COUNT, NULL},
    {"reached", "Người được khám hoặc hội chẩn từ xa trong kỳ", "people with a remote visit or consultation",
     YX_REPORT_PART, "registered"},
    {"reached_per_1000", "Số người được khám từ xa trên 1.000 người đăng ký", "reached per 1,000 registered",
     YX_REPORT_PERCENT, "registered"},
    {NULL, NULL, NULL, 0, NULL},
};

/* The groups the registry records, as 0/1 flags of each person (q.<flag> in reach_sql), in the
 * order of its sums. "everyone" is first; an ethnic minority is the row's own ethnicity. */
enum { EVERYONE, OLD, YOUNG, PREGNANT, POOR, NEAR_POOR, DISABILITY, NGROUP };
static const char *const groups[NGROUP][2] = {
    {"everyone", "Tất cả / everyone"},
    {"age_60_plus", "Từ 60 tuổi / aged 60 and over"},
    {"under_6", "Dưới 6 tuổi / under 6"},
    {"pregnant", "Phụ nữ có thai / pregnant"},
    {"poor", "Hộ nghèo / poor household"},
    {"near_poor", "Hộ cận nghèo / near-poor household"},
    {"disability", "Người khuyết tật / disability"},
};

static const struct yx_report_grouping groupings[] = {
    {"facility", "f.id", "f.name", 1},
    YX_REPORT_BY_PROVINCE,
    {"group", NULL, NULL, 0}, /* added up in C (group_rows) */
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"tiep-can", "YX_REACH"};

/* A range of days that is not one of the rollups' spans (from and to): the people of the place
 * registered before the period's end, grouped by place, ethnicity (Kinh
 * and unknown as '') and three flags of each person: registered in the period, with consent to
 * remote care in force at its end, and with a remote visit started or a consultation requested in
 * it; for each group the number of people and of those in each vulnerable group. Then, by place and
 * ethnicity, the sums of each figure for each group (FLAGS). Grouping by the flags first makes each
 * person's three EXISTS probes run once: computed per person and multiplied in the outer sums, the
 * query planner copied them into every sum, seven probes of each kind a person. Each probe is one
 * seek in a covering index of migration 0022. The %s are the place's key and name. */
/* clang-format off */
#define FLAGS(g) "SUM(" g "), SUM(" g " * q.nw), SUM(" g " * q.con), SUM(" g " * q.rch)"
static const char live_sql[] =
    "SELECT %s AS gid, %s AS gname, q.eth AS eth, MIN(e.name_vi) AS eth_vi, MIN(e.name_en) AS eth_en, " FLAGS("q.n")
    ", " FLAGS("q.old") ", " FLAGS("q.young") ", " FLAGS("q.pregnant") ", " FLAGS("q.poor") ", " FLAGS("q.near_poor")
    ", " FLAGS("q.disability") " "
    "FROM (SELECT pt.facility_id, CASE WHEN pt.ethnicity IS NOT NULL AND pt.ethnicity <> '01' THEN pt.ethnicity "
    "ELSE '' END AS eth, "
    "CASE WHEN pt.created_at >= ? THEN 1 ELSE 0 END AS nw, "
    "CASE WHEN EXISTS (SELECT 1 FROM consents c WHERE c.patient_id = pt.id AND c.purpose = 'remote_care' AND "
    "c.granted_at < ? AND (c.withdrawn_at IS NULL OR c.withdrawn_at >= ?)) THEN 1 ELSE 0 END AS con, "
    "CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.patient_id = pt.id AND v.started_at >= ? AND v.started_at "
    "< ?) OR EXISTS (SELECT 1 FROM consults k WHERE k.patient_id = pt.id AND k.requested_at >= ? AND "
    "k.requested_at < ?) THEN 1 ELSE 0 END AS rch, "
    "COUNT(*) AS n, "
    "SUM(CASE WHEN (pt.birth_date IS NOT NULL AND pt.birth_date <= ?) OR (pt.birth_date IS NULL AND "
    "pt.birth_year <= ?) THEN 1 ELSE 0 END) AS old, "
    "SUM(CASE WHEN (pt.birth_date IS NOT NULL AND pt.birth_date > ?) OR (pt.birth_date IS NULL AND "
    "pt.birth_year > ?) THEN 1 ELSE 0 END) AS young, "
    "SUM(pt.pregnant) AS pregnant, SUM(pt.poor_household) AS poor, SUM(pt.near_poor_household) AS near_poor, "
    "SUM(pt.disability) AS disability "
    "FROM patients pt JOIN facilities f0 ON f0.id = pt.facility_id" YX_REPORT_PLACE_JOIN("fp0", "f0") "WHERE (? = 0 OR f0.id = ?) AND (? = 0 OR "
    YX_REPORT_IN_PROVINCE("fp0") ") AND (? = '' OR f0.level = ?) AND pt.created_at < ? GROUP BY 1, 2, 3, 4, 5) q "
    "JOIN facilities f ON f.id = q.facility_id " YX_REPORT_PLACE_JOIN("fp", "f") "LEFT JOIN ethnicities e "
    "ON e.code = NULLIF(q.eth, '') GROUP BY 1, 2, 3 ORDER BY 1, 3";
/* clang-format on */

/* A period that is a day, an ISO week, a month, a quarter or a year: the rollups of migration 0026
 * (docs/reports.md, "How it is computed, and its bound"). Each figure's rows of reach_tally, added
 * up by facility and ethnicity, then by the place asked for, in the same columns as live_sql:
 *   fig 1 (registered) and 3 (consented): every event up to the period's last day, the months
 *     before the last day's month and the days of that month up to it;
 *   fig 2 (new): the events of the period's days and months (yx_report_spans);
 *   fig 4 (reached): the one row of the period's span (grain 1 day, 2 month, 3 week, 4 quarter,
 *     5 year). */
/* clang-format off */
#define SUMS "SUM(n) AS n, SUM(over60) AS over60, SUM(under6) AS under6, SUM(pregnant) AS pregnant, SUM(poor) AS poor, " \
    "SUM(near_poor) AS near_poor, SUM(disability) AS disability"
#define UPTO(fig) "SELECT fig, facility_id, eth, " SUMS " FROM reach_tally WHERE fig = " fig " AND grain = 2 AND " \
    "span < ? GROUP BY fig, facility_id, eth UNION ALL SELECT fig, facility_id, eth, " SUMS " FROM reach_tally " \
    "WHERE fig = " fig " AND grain = 1 AND span >= ? AND span < ? GROUP BY fig, facility_id, eth"
#define RANGE(grain) "SELECT fig, facility_id, eth, " SUMS " FROM reach_tally WHERE fig = 2 AND grain = " grain \
    " AND span >= ? AND span < ? GROUP BY fig, facility_id, eth"
#define FIGS(c) "SUM(CASE WHEN t.fig = 1 THEN " c " ELSE 0 END), SUM(CASE WHEN t.fig = 2 THEN " c " ELSE 0 END), " \
    "SUM(CASE WHEN t.fig = 3 THEN " c " ELSE 0 END), SUM(CASE WHEN t.fig = 4 THEN " c " ELSE 0 END)"
static const char rollup_sql[] =
    "SELECT %s AS gid, %s AS gname, t.eth AS eth, MIN(e.name_vi) AS eth_vi, MIN(e.name_en) AS eth_en, "
    FIGS("t.n") ", " FIGS("t.over60") ", " FIGS("t.under6") ", " FIGS("t.pregnant") ", " FIGS("t.poor") ", "
    FIGS("t.near_poor") ", " FIGS("t.disability") " "
    "FROM (" UPTO("1") " UNION ALL " UPTO("3") " UNION ALL " RANGE("1") " UNION ALL " RANGE("2") " UNION ALL "
    RANGE("1") " UNION ALL SELECT fig, facility_id, eth, " SUMS " FROM reach_tally WHERE fig = 4 AND grain = ? AND "
    "span = ? GROUP BY fig, facility_id, eth) t "
    "JOIN facilities f ON f.id = t.facility_id " YX_REPORT_PLACE_JOIN("fp", "f") "LEFT JOIN ethnicities e "
    "ON e.code = NULLIF(t.eth, '') WHERE (? = 0 OR f.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE("fp") ") AND "
    "(? = '' OR f.level = ?) GROUP BY 1, 2, 3 ORDER BY 1, 3";
/* The rollup keeps the age groups of the people new in a span as they were on the day each
 * registered; the period's answer wants them on its last day. The people who differ registered in
 * the period and turned 60, or 6, after registering and by its last day: born in the one or two
 * years 60 (or 6) before the period's, a thin slice of the registry (patients_reach_birth). Their
 * birth and registration come to C, which counts them (new_ages). The unary pluses keep SQLite
 * from walking patients_reach by facility and registration instead (every person registered in the
 * period: on the bench copy, where the whole registry was registered in one day, 0.4 s against
 * 17 ms); PostgreSQL reads them as the same values. */
static const char slice_sql[] =
    "SELECT pt.birth_date, pt.birth_year, pt.created_at FROM patients pt JOIN facilities f0 ON f0.id = "
    "+pt.facility_id " YX_REPORT_PLACE_JOIN("fp0", "f0") "WHERE ((pt.birth_year >= ? AND pt.birth_year <= ?) OR (pt.birth_year >= ? AND pt.birth_year "
    "<= ?)) AND +pt.created_at >= ? AND +pt.created_at < ? AND (? = 0 OR f0.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE("fp0") ") "
    "AND (? = '' OR f0.level = ?)";
/* clang-format on */

/* The figures of a group: counts and the rate. */
static json_t *values_json(const int64_t *n)
{
    json_t *v = json_object();
    for (int i = 0; i < NFIG; i++)
        json_object_set_new(v, columns[i].key, json_integer(n[i]));
    json_object_set_new(v, "reached_per_1000",
                        n[REGISTERED]
                            ? json_real(round(10000.0 * (double)n[REACHED] / (double)n[REGISTERED]) / 10.0)
                            : json_null());
    return v;
}

/* Adds the sums of result row i for group g to n. */
static void add(const struct yx_rows *rows, int i, int g, int64_t *n)
{
    for (int f = 0; f < NFIG; f++) {
        const char *s = yx_rows_get(rows, i, 5 + g * NFIG + f);
        n[f] += s ? strtoll(s, NULL, 10) : 0;
    }
}

static void append_row(json_t *list, json_t *key, const int64_t *n)
{
    if (n[REGISTERED])
        json_array_append_new(list, json_pack("{s:o,s:o}", "key", key, "values", values_json(n)));
    else
        json_decref(key);
}

/* by=group: one row per group, the minorities first, then each minority ethnicity, then the
 * others. A person is in every group they belong to, so the rows overlap and do not add up to the
 * totals (everyone). */
static void group_rows(const struct yx_rows *rows, const int64_t *aged, json_t *list)
{
    int64_t sum[NGROUP][NFIG] = {{0}}, minority[NFIG] = {0};
    for (int i = 0; i < rows->nrows; i++) {
        for (int g = 0; g < NGROUP; g++)
            add(rows, i, g, sum[g]);
        if (*yx_rows_str(rows, i, "eth"))
            add(rows, i, EVERYONE, minority);
    }
    sum[OLD][NEW] += aged[0];
    sum[YOUNG][NEW] -= aged[1];
    append_row(
        list, json_pack("{s:s,s:s}", "id", "ethnic_minority", "name", "Dân tộc thiểu số / ethnic minorities"),
        minority);
    /* The rows come ordered by place, then ethnicity: add up each ethnicity over the places. */
    for (int i = 0; i < rows->nrows; i++) {
        const char *eth = yx_rows_str(rows, i, "eth");
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(yx_rows_str(rows, j, "eth"), eth) == 0;
        if (!*eth || seen)
            continue;
        int64_t n[NFIG] = {0};
        for (int j = i; j < rows->nrows; j++)
            if (strcmp(yx_rows_str(rows, j, "eth"), eth) == 0)
                add(rows, j, EVERYONE, n);
        char id[32], name[200];
        snprintf(id, sizeof id, "ethnicity:%s", eth);
        snprintf(name, sizeof name, "%s / %s", yx_rows_str(rows, i, "eth_vi"),
                 yx_rows_str(rows, i, "eth_en"));
        append_row(list, json_pack("{s:s,s:s}", "id", id, "name", name), n);
    }
    for (int g = OLD; g < NGROUP; g++)
        append_row(list, json_pack("{s:s,s:s}", "id", groups[g][0], "name", groups[g][1]), sum[g]);
}

/* The rows of live_sql: the whole registry of the place, for a range of days. */
static int live_rows(struct yx_req *r, const struct yx_report_period *p, const struct yx_report_grouping *g,
                     const struct yx_report_place *place, const struct yx_report_filters *filters,
                     struct yx_rows **rows)
{
    char sql[sizeof live_sql + 200], old[32], young[32];
    int rc;
    /* Ages at the period's last day: 60 or over when born on or before that day 60 years
     * earlier; under 6 when born after that day 6 years earlier. ISO dates compare as text. With
     * only a birth year, the person is taken as born on 1 January of it. */
    int year = atoi(p->to);
    snprintf(old, sizeof old, "%04d%.6s", year - 60, p->to + 4);
    snprintf(young, sizeof young, "%04d%.6s", year - 6, p->to + 4);
    struct yx_param params[] = {
        YX_PI(p->from_ms),      YX_PI(p->until_ms),     YX_PI(p->until_ms),     YX_PI(p->from_ms),
        YX_PI(p->until_ms),     YX_PI(p->from_ms),      YX_PI(p->until_ms),     YX_PT(old),
        YX_PI(year - 60),       YX_PT(young),           YX_PI(year - 6),        YX_PI(place->facility),
        YX_PI(place->facility), YX_PI(place->province), YX_PI(place->province), YX_PT(filters->level),
        YX_PT(filters->level),  YX_PI(p->until_ms)};
    if ((rc = yx_snprintf(sql, sizeof sql, live_sql, g && g->key ? g->key : "''",
                          g && g->name ? g->name : "''")) != 0)
        return rc;
    return yx_db_exec(r->db, sql, params, (int)(sizeof params / sizeof params[0]), rows);
}

/* The period as one span of reach_marks (migration 0026) into *grain and *span; YX_EINVAL when it
 * is a range of days that is none of them. */
static int mark_span(const struct yx_report_period *p, int *grain, int64_t *span)
{
    char d[16];
    int rc = yx_report_dhis2_period(p, d);
    if (rc != 0)
        return rc;
    size_t len = strlen(d);
    int year = atoi(d);
    if (len == 8) { /* 20261130 */
        *grain = 1;
        *span = YX_REPORT_VN_DAY(p->from_ms);
    } else if (strchr(d, 'W')) { /* an ISO week: its Monday */
        *grain = 3;
        *span = YX_REPORT_VN_DAY(p->from_ms);
    } else if (strchr(d, 'Q')) { /* 2026Q4, six characters like a month */
        *grain = 4;
        *span = (int64_t)year * 4 + (d[5] - '1');
    } else if (len == 6) { /* 202611 */
        *grain = 2;
        *span = yx_report_vn_month(p->from_ms);
    } else { /* 2026 */
        *grain = 5;
        *span = year;
    }
    return 0;
}

/* The people new in the period whose age group on its last day differs from the one on the day
 * they registered (slice_sql): aged[0] those who turned 60 in between, aged[1] those who turned 6. */
static int new_ages(struct yx_req *r, const struct yx_report_period *p, const struct yx_report_place *place,
                    const struct yx_report_filters *filters, int64_t aged[2])
{
    struct yx_rows *rows = NULL;
    int from = atoi(p->from), to = atoi(p->to);
    int64_t last = YX_REPORT_VN_DAY(p->until_ms) - 1;
    struct yx_param params[] = {YX_PI(from - 60),       YX_PI(to - 60),         YX_PI(from - 6),
                                YX_PI(to - 6),          YX_PI(p->from_ms),      YX_PI(p->until_ms),
                                YX_PI(place->facility), YX_PI(place->facility), YX_PI(place->province),
                                YX_PI(place->province), YX_PT(filters->level),  YX_PT(filters->level)};
    int rc = yx_db_exec(r->db, slice_sql, params, (int)(sizeof params / sizeof params[0]), &rows);
    if (rc != 0)
        return rc;
    for (int i = 0; i < rows->nrows; i++) {
        const char *date = yx_rows_get(rows, i, 0);
        int y = (int)yx_rows_int(rows, i, 1), m = 1, d = 1;
        if (date && strlen(date) == 10) {
            y = atoi(date);
            m = atoi(date + 5);
            d = atoi(date + 8);
        }
        /* The day a person turns 60 (or 6) is the first on which the live rule counts them so: a
         * 29 February of a common year is 1 March there too. */
        int64_t registered = YX_REPORT_VN_DAY(yx_rows_int(rows, i, 2)),
                sixty = yx_days_from_civil(y + 60, m, d), six = yx_days_from_civil(y + 6, m, d);
        aged[0] += registered < sixty && sixty <= last;
        aged[1] += registered < six && six <= last;
    }
    yx_rows_free(rows);
    return 0;
}

/* The rows of rollup_sql for a period that is one of the marks' spans. */
static int rollup_rows(struct yx_req *r, const struct yx_report_period *p, const struct yx_report_grouping *g,
                       const struct yx_report_place *place, const struct yx_report_filters *filters,
                       int grain, int64_t span, struct yx_rows **rows)
{
    char sql[sizeof rollup_sql + 200];
    struct yx_report_spans s;
    yx_report_spans(p, &s);
    /* The last day's month, its first day, and the day after the last. */
    int64_t until = YX_REPORT_VN_DAY(p->until_ms), month = yx_report_vn_month(p->until_ms - 1),
            first = yx_days_from_civil((int)(month / 12), (int)(month % 12) + 1, 1);
    struct yx_param params[] = {YX_PI(month),           YX_PI(first),
                                YX_PI(until),           YX_PI(month),
                                YX_PI(first),           YX_PI(until),
                                YX_PI(s.lead_from),     YX_PI(s.lead_until),
                                YX_PI(s.month_from),    YX_PI(s.month_until),
                                YX_PI(s.tail_from),     YX_PI(s.tail_until),
                                YX_PI(grain),           YX_PI(span),
                                YX_PI(place->facility), YX_PI(place->facility),
                                YX_PI(place->province), YX_PI(place->province),
                                YX_PT(filters->level),  YX_PT(filters->level)};
    int rc =
        yx_snprintf(sql, sizeof sql, rollup_sql, g && g->key ? g->key : "''", g && g->name ? g->name : "''");
    return rc ? rc : yx_db_exec(r->db, sql, params, (int)(sizeof params / sizeof params[0]), rows);
}

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL;
    int64_t all[NFIG] = {0}, aged[2] = {0, 0};
    json_t *out = NULL;
    int rc, grain;
    int64_t span;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    if (mark_span(&p, &grain, &span) != 0)
        rc = live_rows(r, &p, g, &place, &filters, &rows);
    else if ((rc = rollup_rows(r, &p, g, &place, &filters, grain, span, &rows)) == 0 && g && !g->key)
        rc = new_ages(r, &p, &place, &filters, aged); /* only by=group shows the age groups */
    if (rc != 0)
        goto out;
    rc = YX_ENOMEM;
    if (!(out = yx_report_new("reach", &p, &place, by, columns)))
        goto out;
    json_t *list = json_object_get(out, "rows");
    for (int i = 0; i < rows->nrows;) {
        int start = i;
        int64_t n[NFIG] = {0};
        for (; i < rows->nrows && strcmp(yx_rows_str(rows, i, "gid"), yx_rows_str(rows, start, "gid")) == 0;
             i++)
            add(rows, i, EVERYONE, n);
        for (int f = 0; f < NFIG; f++)
            all[f] += n[f];
        if (g && g->key) /* a place's row; the groups' rows are added up below */
            append_row(list,
                       yx_report_key(g, yx_rows_str(rows, start, "gid"), yx_rows_str(rows, start, "gname")),
                       n);
    }
    if (g && !g->key)
        group_rows(rows, aged, list);
    json_object_set_new(out, "totals", values_json(all));
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    yx_rows_free(rows);
    return rc;
}

const struct yx_report_source yx_report_reach = {
    .name = "reach",
    .title = "Tiếp cận người dân",
    .names = &names,
    .columns = columns,
    .groupings = groupings,
    .filters = YX_REPORT_BY_LEVEL,
    .build = build,
};
