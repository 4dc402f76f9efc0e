/* The consultation indicators (docs/reports.md, "Consultations"): how many cases were requested,
 * accepted, concluded, cancelled, declined and escalated in a period, how long acceptance and
 * conclusion took, how many were accepted within their urgency's deadline and what the hubs
 * recommended. A case belongs to the place of the facility that asked (where the patient is).
 *
 * One query counts the cases of each group in SQL, ordered by the group asked for: the cases
 * requested, accepted and concluded in the period as three index ranges (a case touched in several
 * ways counts once in each count, as before), and the events of the period. A second query fetches
 * only the durations, one integer a case, in the same order of groups: medians and 90th
 * percentiles are computed in C from them, since SQLite has no percentile function and
 * PostgreSQL's percentile_disc is not portable (docs/reports.md, "How it is computed, and its
 * bound"). */
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
    {"accepted_in_time", "Tiếp nhận đúng hạn", "accepted within the deadline", YX_REPORT_COUNT, NULL},
    {"outcome_treat_locally", "Điều trị tại chỗ", "treated locally", YX_REPORT_COUNT, NULL},
    {"outcome_transfer", "Chuyển viện", "transferred", YX_REPORT_COUNT, NULL},
    {"outcome_more_tests", "Làm thêm xét nghiệm", "more tests", YX_REPORT_COUNT, NULL},
    {"outcome_another_consult", "Hội chẩn tiếp", "another consultation", YX_REPORT_COUNT, NULL},
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
    {"level_pair", "rf.level || '>' || COALESCE(hf.level, 'none')", "rf.level", 0},
    {"urgency", "c.urgency", "c.urgency", 0},
    {"specialty", "c.specialty", "COALESCE(s.name_vi, c.specialty)", 0},
    {"kind", "c.kind", "c.kind", 0},
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"hoi-chan", "YX_CONS"};

/* What one group (or all of them) adds up to: the counts, and its durations in ms, which are a
 * stretch of the shared arrays (the rows of a group come together). */
struct tally {
    int64_t n[NCOUNTS];
    int64_t *accept, *conclude;
    size_t naccept, nconclude;
};

/* The values of a tally. Sorts its durations. */
static json_t *values_json(struct tally *t)
{
    json_t *v = json_object();
    for (int i = 0; i < NCOUNTS; i++)
        json_object_set_new(v, columns[i].key, json_integer(t->n[i]));
    json_object_set_new(v, "accepted_in_time_pct",
                        t->n[ACCEPTED]
                            ? json_real(round(1000.0 * (double)t->n[IN_TIME] / (double)t->n[ACCEPTED]) / 10.0)
                            : json_null());
    yx_report_sort(t->accept, t->naccept);
    yx_report_sort(t->conclude, t->nconclude);
    json_object_set_new(v, "accept_median_min", yx_report_minutes(t->accept, t->naccept, 50));
    json_object_set_new(v, "accept_p90_min", yx_report_minutes(t->accept, t->naccept, 90));
    json_object_set_new(v, "conclude_median_min", yx_report_minutes(t->conclude, t->nconclude, 50));
    json_object_set_new(v, "conclude_p90_min", yx_report_minutes(t->conclude, t->nconclude, 90));
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

/* The tables a grouping's key, its name and the place's filters may name, and the filters. Each
 * part of the queries below starts from one moment of a case: its request, acceptance or
 * conclusion, each a range an index serves (migration 0020), or its events in the period. */
#define CASES_JOINS                                                                                          \
    "JOIN facilities rf ON rf.id = c.requester_facility_id " YX_REPORT_PLACE_JOIN(                           \
        "fp", "rf") "LEFT JOIN facilities hf ON hf.id = c.assigned_facility_id LEFT JOIN consult_deadlines " \
                    "d ON d.urgency "                                                                        \
                    "= "                                                                                     \
                    "c.urgency LEFT JOIN specialties s ON s.code = c.specialty "
#define CASES_FROM "FROM consults c " CASES_JOINS
#define CASES_WHERE                                                                                          \
    "WHERE c.requested_at IS NOT NULL AND (? = 0 OR rf.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE(        \
        "fp") ") AND "                                                                                       \
              "(? = '' OR rf.level = ?) AND (? = '' OR c.specialty = ?) "

/* The counts of each group, ordered by its key: the cases requested, accepted and concluded in the
 * period (three index ranges rather than one ORed condition no index serves), and the events of
 * the period: a case counts as cancelled when its first cancellation falls in the period (as
 * MIN(at) said before), declines and escalations count each event. Every %s pair is the group's
 * key and name, from the groupings table. */
static const char counts_sql[] =
    "SELECT gid, gname, SUM(req) AS requested, SUM(acc) AS accepted, SUM(intime) AS in_time, SUM(conc) AS "
    "concluded, SUM(tl) AS treat_locally, SUM(tr) AS transfer, SUM(mt) AS more_tests, SUM(ac) AS "
    "another_consult, SUM(canc) AS cancelled, SUM(decl) AS declines, SUM(esc) AS escalations FROM ("
    "SELECT %s AS gid, %s AS gname, COUNT(*) AS req, 0 AS acc, 0 AS intime, 0 AS conc, 0 AS tl, 0 AS tr, "
    "0 AS mt, 0 AS ac, 0 AS canc, 0 AS decl, 0 AS esc " CASES_FROM CASES_WHERE
    "AND c.requested_at >= ? AND c.requested_at < ? GROUP BY 1, 2 UNION ALL "
    "SELECT %s, %s, 0, COUNT(*), SUM(CASE WHEN c.accepted_at - c.requested_at <= COALESCE(d.accept_minutes, "
    "1440) * 60000 THEN 1 ELSE 0 END), 0, 0, 0, 0, 0, 0, 0, 0 " CASES_FROM CASES_WHERE
    "AND c.accepted_at >= ? AND c.accepted_at < ? GROUP BY 1, 2 UNION ALL "
    "SELECT %s, %s, 0, 0, 0, COUNT(*), SUM(CASE WHEN c.recommendation = 'treat_locally' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN c.recommendation = 'transfer' THEN 1 ELSE 0 END), SUM(CASE WHEN c.recommendation = "
    "'more_tests' THEN 1 ELSE 0 END), SUM(CASE WHEN c.recommendation = 'another_consult' THEN 1 ELSE 0 END), "
    "0, 0, 0 " CASES_FROM CASES_WHERE
    "AND c.concluded_at >= ? AND c.concluded_at < ? GROUP BY 1, 2 UNION ALL "
    "SELECT %s, %s, 0, 0, 0, 0, 0, 0, 0, 0, SUM(CASE WHEN e.action = 'cancelled' AND NOT EXISTS (SELECT 1 "
    "FROM consult_events x WHERE x.consult_id = e.consult_id AND x.action = 'cancelled' AND (x.at < e.at OR "
    "(x.at = e.at AND x.id < e.id))) THEN 1 ELSE 0 END), SUM(CASE WHEN e.action = 'declined' THEN 1 ELSE 0 "
    "END), SUM(CASE WHEN e.action = 'escalated' THEN 1 ELSE 0 END) "
    "FROM consult_events e JOIN consults c ON c.id = e.consult_id " CASES_JOINS CASES_WHERE
    "AND e.action IN ('cancelled', 'declined', 'escalated') AND e.at >= ? AND e.at < ? GROUP BY 1, 2"
    ") t GROUP BY 1, 2 ORDER BY 1";

/* The durations the medians and percentiles need (ms), kind 0 to acceptance and 1 to conclusion,
 * ordered by the same key as the counts so that each group's come together in the same order. */
static const char durations_sql[] =
    "SELECT gid, kind, ms FROM (SELECT %s AS gid, 0 AS kind, c.accepted_at - c.requested_at AS ms " CASES_FROM
        CASES_WHERE "AND c.accepted_at >= ? AND c.accepted_at < ? UNION ALL "
    "SELECT %s, 1, c.concluded_at - c.requested_at " CASES_FROM CASES_WHERE
    "AND c.concluded_at >= ? AND c.concluded_at < ?) t ORDER BY 1";

/* The counts of row i of the counts query, in the order of the columns. */
static const char *const count_names[NCOUNTS] = {
    "requested", "accepted",      "concluded", "cancelled",  "declines",       "escalations",
    "in_time",   "treat_locally", "transfer",  "more_tests", "another_consult"};

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL, *times = NULL;
    struct tally all = {.naccept = 0}, group;
    char sql[sizeof counts_sql + 1200];
    json_t *out = NULL;
    int rc;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    const char *key = g && g->key ? g->key : "''", *name = g && g->name ? g->name : "''";
#define PLACE                                                                                                \
    YX_PI(place.facility), YX_PI(place.facility), YX_PI(place.province), YX_PI(place.province),              \
        YX_PT(filters.level), YX_PT(filters.level), YX_PT(filters.specialty), YX_PT(filters.specialty),      \
        YX_PI(p.from_ms), YX_PI(p.until_ms)
    /* Each part of a query takes one PLACE: four for the counts, the first two for the durations. */
    struct yx_param params[] = {PLACE, PLACE, PLACE, PLACE};
    enum { NPLACE = sizeof params / sizeof params[0] / 4 };
#undef PLACE
    if ((rc = yx_snprintf(sql, sizeof sql, counts_sql, key, name, key, name, key, name, key, name)) != 0 ||
        (rc = yx_db_exec(r->db, sql, params, (int)(sizeof params / sizeof params[0]), &rows)) != 0 ||
        (rc = yx_snprintf(sql, sizeof sql, durations_sql, key, key)) != 0 ||
        (rc = yx_db_exec(r->db, sql, params, 2 * NPLACE, &times)) != 0)
        goto out;
    rc = YX_ENOMEM;
    size_t n = times->nrows ? (size_t)times->nrows : 1;
    all.accept = malloc(n * sizeof *all.accept);
    all.conclude = malloc(n * sizeof *all.conclude);
    out = yx_report_new("consultations", &p, &place, by, columns);
    if (!all.accept || !all.conclude || !out)
        goto out;
    json_t *list = json_object_get(out, "rows");
    for (int i = 0, t = 0; i < rows->nrows; i++) {
        /* One group: its counts, then its durations, which come in the same order of keys (a group
         * with none has no durations rows). */
        const char *gid = yx_rows_str(rows, i, "gid");
        group = (struct tally){.accept = all.accept + all.naccept, .conclude = all.conclude + all.nconclude};
        for (int c = 0; c < NCOUNTS; c++)
            group.n[c] = yx_rows_i64(rows, i, count_names[c]);
        for (; t < times->nrows && strcmp(yx_rows_str(times, t, "gid"), gid) == 0; t++) {
            if (yx_rows_i64(times, t, "kind") == 0)
                group.accept[group.naccept++] = yx_rows_i64(times, t, "ms");
            else
                group.conclude[group.nconclude++] = yx_rows_i64(times, t, "ms");
        }
        for (int c = 0; c < NCOUNTS; c++)
            all.n[c] += group.n[c];
        all.naccept += group.naccept;
        all.nconclude += group.nconclude;
        if (g)
            json_array_append_new(
                list, json_pack("{s:o,s:o}", "key", key_json(g, rows, i), "values", values_json(&group)));
    }
    json_object_set_new(out, "totals", values_json(&all));
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    free(all.accept);
    free(all.conclude);
    yx_rows_free(rows);
    yx_rows_free(times);
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
