/* Reach (docs/reports.md, "Reach"): how many people the registry holds at the period's end and how
 * many were registered in it, how many have consented to remote care, and how many had a remote
 * visit or a consultation in the period — also per 1,000 registered — for everyone and for the
 * vulnerable groups the registry records. A person belongs to the place of the facility that
 * registered them (patients.facility_id) and counts once however many visits they had.
 *
 * Unlike visits and consultations, a registry is large (a province holds hundreds of thousands of
 * people), so the database adds the people up: one query, grouped by the place asked for and the
 * person's ethnicity, returns for each group sums of 0/1 flags computed per person. */
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
     YX_REPORT_COUNT, NULL},
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

/* The people of the place registered before the period's end, grouped by place, ethnicity (Kinh
 * and unknown as '') and three flags of each person: registered in the period, with consent to
 * remote care in force at its end, and with a remote visit started or a consultation requested in
 * it; for each group the number of people and of those in each vulnerable group. Then, by place and
 * ethnicity, the sums of each figure for each group (FLAGS). Grouping by the flags first makes each
 * person's three EXISTS probes run once: computed per person and multiplied in the outer sums, the
 * query planner copied them into every sum, seven probes of each kind a person. Each probe is one
 * seek in a covering index of migration 0022. The %s are the place's key and name. */
/* clang-format off */
#define FLAGS(g) "SUM(" g "), SUM(" g " * q.nw), SUM(" g " * q.con), SUM(" g " * q.rch)"
static const char reach_sql[] =
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
static void group_rows(const struct yx_rows *rows, json_t *list)
{
    int64_t sum[NGROUP][NFIG] = {{0}}, minority[NFIG] = {0};
    for (int i = 0; i < rows->nrows; i++) {
        for (int g = 0; g < NGROUP; g++)
            add(rows, i, g, sum[g]);
        if (*yx_rows_str(rows, i, "eth"))
            add(rows, i, EVERYONE, minority);
    }
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

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL;
    char sql[sizeof reach_sql + 200], old[32], young[32];
    int64_t all[NFIG] = {0};
    json_t *out = NULL;
    int rc;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    /* Ages at the period's last day: 60 or over when born on or before that day 60 years
     * earlier; under 6 when born after that day 6 years earlier. ISO dates compare as text. With
     * only a birth year, the person is taken as born on 1 January of it. */
    int year = atoi(p.to);
    snprintf(old, sizeof old, "%04d%.6s", year - 60, p.to + 4);
    snprintf(young, sizeof young, "%04d%.6s", year - 6, p.to + 4);
    struct yx_param params[] = {
        YX_PI(p.from_ms),      YX_PI(p.until_ms),     YX_PI(p.until_ms),     YX_PI(p.from_ms),
        YX_PI(p.until_ms),     YX_PI(p.from_ms),      YX_PI(p.until_ms),     YX_PT(old),
        YX_PI(year - 60),      YX_PT(young),          YX_PI(year - 6),       YX_PI(place.facility),
        YX_PI(place.facility), YX_PI(place.province), YX_PI(place.province), YX_PT(filters.level),
        YX_PT(filters.level),  YX_PI(p.until_ms)};
    if ((rc = yx_snprintf(sql, sizeof sql, reach_sql, g && g->key ? g->key : "''",
                          g && g->name ? g->name : "''")) != 0 ||
        (rc = yx_db_exec(r->db, sql, params, (int)(sizeof params / sizeof params[0]), &rows)) != 0)
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
        group_rows(rows, list);
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
