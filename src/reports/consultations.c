/* The consultation indicators (docs/reports.md, "Consultations"): how many cases were requested,
 * accepted, concluded, cancelled, declined and escalated in a period, how long acceptance and
 * conclusion took, how many were accepted within their urgency's deadline and what the hubs
 * recommended. A case belongs to the place of the facility that asked (where the patient is).
 *
 * The figures come from the rollups of migration 0025, kept by triggers on consults and
 * consult_events (docs/reports.md, "Rollups") — by facility for by=facility and a facility's own
 * report (by facility alone, migration 0034, over whole months without a specialty filter), else by province
 * and requesting level, one dimension at a time: one query sums the counts of each group over the period's
 * spans (lead days, whole months, tail days), ordered by the group asked for; a second fetches the waits'
 * histograms in the same order of groups, whose medians and 90th percentiles are the buckets that hold their
 * ranks (yx_report_wait_percentile). A year reads 12 month rows a key however many cases it had. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The columns, in the order of the answer. Counts add up over rows; the minutes and the
 * percentage are computed over each row's cases and again over all of them for the totals. */
enum {
    REQUESTED,
    ACCEPTED,
    CONCLUDED,
    CANCELLED,
    DECLINED,
    ESCALATED,
    IN_TIME,
    TREAT_LOCALLY,
    TRANSFER,
    MORE_TESTS,
    ANOTHER_CONSULT,
    NCOUNTS
};
static const struct yx_report_column columns[] = {
    {"requested", "Yêu cầu hội chẩn", "requested", YX_REPORT_COUNT, NULL},
    {"accepted", "Được tiếp nhận", "accepted", YX_REPORT_COUNT, NULL},
    {"concluded", "Có kết luận", "concluded", YX_REPORT_COUNT, NULL},
    {"cancelled", "Bị huỷ", "cancelled", YX_REPORT_COUNT, NULL},
    {"declined", "Lượt từ chối", "declines", YX_REPORT_COUNT, NULL},
    {"escalated", "Lượt chuyển tuyến trên", "escalations", YX_REPORT_COUNT, NULL},
    {"accepted_in_time", "Tiếp nhận đúng hạn", "accepted within the deadline", YX_REPORT_PART, "accepted"},
    {"outcome_treat_locally", "Điều trị tại chỗ", "treated locally", YX_REPORT_PART, "concluded"},
    {"outcome_transfer", "Chuyển viện", "transferred", YX_REPORT_PART, "concluded"},
    {"outcome_more_tests", "Làm thêm xét nghiệm", "more tests", YX_REPORT_PART, "concluded"},
    {"outcome_another_consult", "Hội chẩn tiếp", "another consultation", YX_REPORT_PART, "concluded"},
    {"accepted_in_time_pct", "% tiếp nhận đúng hạn", "% accepted within the deadline", YX_REPORT_PERCENT,
     "accepted"},
    {"accept_median_min", "Trung vị thời gian đến tiếp nhận (phút)", "median minutes to acceptance",
     YX_REPORT_MINUTES, "accepted"},
    {"accept_p90_min", "Bách phân vị 90 thời gian đến tiếp nhận (phút)",
     "90th percentile minutes to acceptance", YX_REPORT_MINUTES, "accepted"},
    {"conclude_median_min", "Trung vị thời gian đến kết luận (phút)", "median minutes to conclusion",
     YX_REPORT_MINUTES, "concluded"},
    {"conclude_p90_min", "Bách phân vị 90 thời gian đến kết luận (phút)",
     "90th percentile minutes to conclusion", YX_REPORT_MINUTES, "concluded"},
    {NULL, NULL, NULL, 0, NULL},
};

/* The groupings: what the rows are keyed by (fixed SQL, chosen from this table, never from the
 * query's text), whether the key is a number, and its name. */
static const struct yx_report_grouping groupings[] = {
    {"facility", "rf.id", "rf.name", 1},
    YX_REPORT_BY_PROVINCE,
    {"level_pair", "rf.level || '>' || t.hub_level", "rf.level", 0},
    {"urgency", "t.urgency", "t.urgency", 0},
    {"specialty", "t.specialty", "COALESCE(s.name_vi, t.specialty)", 0},
    {"kind", "t.kind", "t.kind", 0},
    YX_REPORT_BY_MONTH,
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"hoi-chan", "YX_CONS"};

/* What one group (or all of them) adds up to: the counts, and its waits' histograms, which are a
 * stretch of the shared arrays (the rows of a group come together). */
struct tally {
    int64_t n[NCOUNTS];
    struct yx_report_wait *accept, *conclude;
    size_t naccept, nconclude;
};

/* The values of a tally, its histograms in ascending order of minutes. */
static json_t *values_json(struct tally *t)
{
    json_t *v = json_object();
    for (int i = 0; i < NCOUNTS; i++)
        json_object_set_new(v, columns[i].key, json_integer(t->n[i]));
    json_object_set_new(v, "accepted_in_time_pct",
                        t->n[ACCEPTED]
                            ? json_real(round(1000.0 * (double)t->n[IN_TIME] / (double)t->n[ACCEPTED]) / 10.0)
                            : json_null());
    json_object_set_new(v, "accept_median_min", yx_report_wait_percentile(t->accept, t->naccept, 50));
    json_object_set_new(v, "accept_p90_min", yx_report_wait_percentile(t->accept, t->naccept, 90));
    json_object_set_new(v, "conclude_median_min", yx_report_wait_percentile(t->conclude, t->nconclude, 50));
    json_object_set_new(v, "conclude_p90_min", yx_report_wait_percentile(t->conclude, t->nconclude, 90));
    return v;
}

/* A row's key: {id, name}; a level pair is named from both ends, a specialty by its own name. */
static json_t *key_json(const struct yx_report_grouping *g, const struct yx_rows *rows, int i)
{
    const char *id = yx_rows_str(rows, i, "gid"), *name = yx_rows_str(rows, i, "gname");
    if (strcmp(g->by, "level_pair") == 0) {
        const char *arrow = strchr(id, '>');
        char from[16] = "", to[16] = "", shown[120];
        if (arrow && (size_t)(arrow - id) < sizeof from) {
            memcpy(from, id, (size_t)(arrow - id));
            yx_snprintf(to, sizeof to, "%s", arrow + 1);
        }
        yx_snprintf(shown, sizeof shown, "%s → %s", yx_report_code_name(from, from),
                    yx_report_code_name(to, to));
        return json_pack("{s:s,s:s}", "id", id, "name", shown);
    }
    return strcmp(g->by, "specialty") == 0 ? json_pack("{s:s,s:s}", "id", id, "name", name)
                                           : yx_report_key(g, id, name);
}

/* The rollups (migration 0025) with the tables a grouping's key, its name and the place's filters
 * may name, and the filters: the requesting facility (rf) and its province, the specialty. */
#define ROLLUP_JOINS                                                                                         \
    "JOIN facilities rf ON rf.id = t.facility_id " YX_REPORT_PLACE_JOIN("fp",                                \
                                                                        "rf") "LEFT JOIN "                   \
                                                                              "specialties s ON s.code = "   \
                                                                              "t.specialty "
#define ROLLUP_FILTERS                                                                                       \
    " AND (? = 0 OR rf.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE(                                        \
        "fp") ") AND (? = '' OR rf.level = ?) "                                                              \
              "AND (? = '' OR t.specialty = ?) "
#define ROLLUP_WHERE "WHERE " YX_REPORT_SPANS_SQL("t") ROLLUP_FILTERS

/* Every counts query sums the same eleven counts over a rollup t and lists a group when any case
 * of it moved in the period (rows a case's move between keys left at zero are skipped); every
 * waits query reads the histograms, what 0 to acceptance and 1 to conclusion, by the same key and
 * in the same order as the counts, each group's buckets by ascending minutes. The %s are the
 * group's key and name (the counts) or key (the waits), from the groupings table. */
#define COUNTS_SQL(table, joins, where)                                                                      \
    "SELECT %s AS gid, %s AS gname, SUM(t.requested) AS requested, SUM(t.accepted) AS accepted, "            \
    "SUM(t.in_time) AS in_time, SUM(t.concluded) AS concluded, SUM(t.treat_locally) AS treat_locally, "      \
    "SUM(t.transfer) AS transfer, SUM(t.more_tests) AS more_tests, SUM(t.another_consult) AS "               \
    "another_consult, SUM(t.cancelled) AS cancelled, SUM(t.declined) AS declines, SUM(t.escalated) AS "      \
    "escalations FROM " table " t " joins where "GROUP BY 1, 2 HAVING SUM(t.requested) + SUM(t.accepted) + " \
    "SUM(t.concluded) + SUM(t.cancelled) + SUM(t.declined) + SUM(t.escalated) > 0 ORDER BY 1"
#define WAITS_SQL(table, joins, where)                                                                       \
    "SELECT %s AS gid, t.what AS what, t.minutes AS minutes, SUM(t.n) AS n FROM " table " t " joins where    \
    "GROUP BY 1, 2, 3 HAVING SUM(t.n) > 0 ORDER BY 1, 2, 3"

/* The eleven counts of the rollups, as their tables name them. */
#define CONSULT_FIGURES                                                                                      \
    "requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, "        \
    "cancelled, declined, escalated"

/* The counts and waits of each group in the period by facility (migration 0025); the per-facility
 * waits of a whole calendar year read its year rows (migration 0033). */
static const char counts_sql[] = COUNTS_SQL("consult_rollup", ROLLUP_JOINS, ROLLUP_WHERE);
static const char waits_sql[] =
    WAITS_SQL("consult_waits", ROLLUP_JOINS, "WHERE " YX_REPORT_SPANS_Y_SQL("t") ROLLUP_FILTERS);

/* The same from the rollups without the facility (consult_rollup_by, consult_waits_by), for a
 * province or the country asked for anything but by=facility: the rows of one dimension (dim) by
 * the requesting facility's filed province and level, the specialty (s) and the dimension's value.
 * The filed province counts as today's (its successor when the 2025 reform abolished it, p0 → ps),
 * as facility_places does; the provinces before the reform depend on each facility's commune, so
 * as=pre2025 and an old province as the place read the tables by facility instead. */
#define BY_JOINS YX_REPORT_FILED_JOIN("t") "LEFT JOIN specialties s ON s.code = t.specialty "
#define BY_WHERE                                                                                             \
    "WHERE " YX_REPORT_SPANS_SQL("t") " AND t.dim = ? AND (? = 0 OR " YX_REPORT_FILED_PROVINCE               \
                                      " = ?) AND (? = '' OR "                                                \
                                      "t.level = ?) AND (? = '' OR t.specialty = ?) "
static const char by_counts_sql[] = COUNTS_SQL("consult_rollup_by", BY_JOINS, BY_WHERE);
static const char by_waits_sql[] = WAITS_SQL("consult_waits_by", BY_JOINS, BY_WHERE);
/* The same from the rollups by facility alone (migration 0034: consult_rollup_fac,
 * consult_waits_fac; months, quarters and years), when nothing finer than the requesting facility
 * is asked over whole months (yx_report_facility_alone): a year is one count row a facility and
 * its buckets, in the key's order, where consult_rollup and consult_waits hold a row for each hub
 * level, urgency, specialty and kind the facility had. */
#define FAC_JOINS "JOIN facilities rf ON rf.id = t.facility_id " YX_REPORT_PLACE_JOIN("fp", "rf")
#define FAC_WHERE                                                                                            \
    "WHERE (? = 0 OR rf.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE("fp") ") AND (? = '' OR rf.level = "   \
                                                                            "?) "
static const char fac_counts_sql[] = COUNTS_SQL(
    YX_REPORT_QUARTERS_FROM("consult_rollup_fac", "facility_id, " CONSULT_FIGURES), FAC_JOINS, FAC_WHERE);
static const char fac_waits_sql[] = WAITS_SQL(
    YX_REPORT_QUARTERS_FROM("consult_waits_fac", "facility_id, what, minutes, n"), FAC_JOINS, FAC_WHERE);

/* Each grouping's dimension, key and name there (NULL by: the totals). */
static const struct {
    const char *by, *dim, *key, *name;
} by_groupings[] = {
    {NULL, "all", "''", "''"},
    {"province", "all", YX_REPORT_FILED_PROVINCE, YX_REPORT_FILED_PROVINCE_NAME},
    {"level_pair", "hub", "t.level || '>' || t.value", "t.level"},
    {"urgency", "urgency", "t.value", "t.value"},
    {"specialty", "all", "t.specialty", "COALESCE(s.name_vi, t.specialty)"},
    {"kind", "kind", "t.value", "t.value"},
};

/* The counts of row i of the counts query, in the order of the columns. */
static const char *const count_names[NCOUNTS] = {
    "requested", "accepted",      "concluded", "cancelled",  "declines",       "escalations",
    "in_time",   "treat_locally", "transfer",  "more_tests", "another_consult"};

static int cmp_waits(const void *a, const void *b)
{
    const struct yx_report_wait *x = a, *y = b;
    return (x->minutes > y->minutes) - (x->minutes < y->minutes);
}

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL, *waits = NULL;
    struct tally all = {.naccept = 0}, group;
    struct yx_report_spans spans;
    char sql[sizeof fac_counts_sql + sizeof counts_sql + 400];
    json_t *out = NULL;
    int rc;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    const char *key = g && g->key ? g->key : "''", *name = g && g->name ? g->name : "''";
    yx_report_spans(&p, &spans);
    /* A province or the country, grouped by anything but facility: the rollups without the
     * facility, one dimension's rows. */
    int coarse;
    if ((rc = yx_report_coarse(r, &place, g, &coarse)) != 0)
        return rc;
    const char *dim = NULL;
    for (size_t i = 0; coarse && i < sizeof by_groupings / sizeof by_groupings[0]; i++)
        if (by ? by_groupings[i].by && strcmp(by_groupings[i].by, by) == 0 : !by_groupings[i].by) {
            dim = by_groupings[i].dim;
            key = by_groupings[i].key;
            name = by_groupings[i].name;
        }
    YX_ASSERT(!coarse || dim);
    struct yx_param by_params[] = {YX_REPORT_SPANS_PARAMS(spans), YX_PT(dim),
                                   YX_PI(place.province),         YX_PI(place.province),
                                   YX_PT(filters.level),          YX_PT(filters.level),
                                   YX_PT(filters.specialty),      YX_PT(filters.specialty)};
    struct yx_param params[] = {
        YX_REPORT_SPANS_PARAMS(spans), YX_PI(place.facility),    YX_PI(place.facility),
        YX_PI(place.province),         YX_PI(place.province),    YX_PT(filters.level),
        YX_PT(filters.level),          YX_PT(filters.specialty), YX_PT(filters.specialty)};
    /* The per-facility waits of a whole calendar year read its year rows (migration 0033). */
    struct yx_report_spans yspans = spans;
    int64_t year;
    yx_report_spans_years(&yspans, &year);
    struct yx_param wparams[] = {YX_REPORT_SPANS_Y_PARAMS(yspans, year),
                                 YX_PI(place.facility),
                                 YX_PI(place.facility),
                                 YX_PI(place.province),
                                 YX_PI(place.province),
                                 YX_PT(filters.level),
                                 YX_PT(filters.level),
                                 YX_PT(filters.specialty),
                                 YX_PT(filters.specialty)};
    struct yx_report_quarters quarters;
    int alone = !coarse && yx_report_facility_alone(&p, g, &filters, &quarters);
    struct yx_param fac_params[] = {YX_REPORT_QUARTERS_PARAMS(quarters),
                                    YX_PI(place.facility),
                                    YX_PI(place.facility),
                                    YX_PI(place.province),
                                    YX_PI(place.province),
                                    YX_PT(filters.level),
                                    YX_PT(filters.level)};
    /* Which rollups answer: without the facility, by facility alone, or by facility. */
    const struct yx_report_query family[3][2] = {
        {YX_REPORT_QUERY(by_counts_sql, by_params), YX_REPORT_QUERY(by_waits_sql, by_params)},
        {YX_REPORT_QUERY(fac_counts_sql, fac_params), YX_REPORT_QUERY(fac_waits_sql, fac_params)},
        {YX_REPORT_QUERY(counts_sql, params), YX_REPORT_QUERY(waits_sql, wparams)},
    };
    const struct yx_report_query *counts = family[coarse ? 0 : alone ? 1 : 2], *wq = counts + 1;
    if ((rc = yx_snprintf(sql, sizeof sql, counts->sql, key, name)) != 0 ||
        (rc = yx_db_exec(r->db, sql, counts->params, counts->n, &rows)) != 0 ||
        (rc = yx_snprintf(sql, sizeof sql, wq->sql, key)) != 0 ||
        (rc = yx_db_exec(r->db, sql, wq->params, wq->n, &waits)) != 0)
        goto out;
    rc = YX_ENOMEM;
    size_t n = waits->nrows ? (size_t)waits->nrows : 1;
    all.accept = malloc(n * sizeof *all.accept);
    all.conclude = malloc(n * sizeof *all.conclude);
    out = yx_report_new("consultations", &p, &place, by, columns);
    if (!all.accept || !all.conclude || !out)
        goto out;
    json_t *list = json_object_get(out, "rows");
    for (int i = 0, t = 0; i < rows->nrows; i++) {
        /* One group: its counts, then its buckets, which come in the same order of keys (a group
         * with no wait has no buckets). */
        const char *gid = yx_rows_str(rows, i, "gid");
        group = (struct tally){.accept = all.accept + all.naccept, .conclude = all.conclude + all.nconclude};
        for (int c = 0; c < NCOUNTS; c++)
            group.n[c] = yx_rows_i64(rows, i, count_names[c]);
        for (; t < waits->nrows && strcmp(yx_rows_str(waits, t, "gid"), gid) == 0; t++) {
            struct yx_report_wait w = {yx_rows_i64(waits, t, "minutes"), yx_rows_i64(waits, t, "n")};
            if (yx_rows_i64(waits, t, "what") == 0)
                group.accept[group.naccept++] = w;
            else
                group.conclude[group.nconclude++] = w;
        }
        for (int c = 0; c < NCOUNTS; c++)
            all.n[c] += group.n[c];
        all.naccept += group.naccept;
        all.nconclude += group.nconclude;
        if (g)
            json_array_append_new(
                list, json_pack("{s:o,s:o}", "key", key_json(g, rows, i), "values", values_json(&group)));
    }
    /* The totals' histograms are every group's buckets, put back in order of minutes. */
    qsort(all.accept, all.naccept, sizeof *all.accept, cmp_waits);
    qsort(all.conclude, all.nconclude, sizeof *all.conclude, cmp_waits);
    json_object_set_new(out, "totals", values_json(&all));
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    free(all.accept);
    free(all.conclude);
    yx_rows_free(rows);
    yx_rows_free(waits);
    return rc;
}

const struct yx_report_source yx_report_consultations = {
    .name = "consultations",
    .title = "Hội chẩn từ xa",
    .names = &names,
    .columns = columns,
    .groupings = groupings,
    .filters = YX_REPORT_BY_LEVEL | YX_REPORT_BY_SPECIALTY,
    .build = build,
};
