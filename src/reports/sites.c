/* Connection sites (docs/reports.md, "Connection sites"): of the facilities of the place, how many
 * were active in the period — a remote visit started there, a consultation's video room opened
 * with it taking part, or a training session attended by one of its staff — and how many have never
 * been active up to the period's end.
 *
 * A facility is one row of the query, with two 0/1 flags worked out by the database one facility
 * at a time; a province holds a few hundred facilities, so C adds the rows up by group. Every facility of the
 * place gets a row in by=facility, active or not: the point of the report is to show the ones that are not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum { SITES, ACTIVE, NEVER, NFIG };
static const struct yx_report_column columns[] = {
    {"sites", "Điểm kết nối", "connection sites", YX_REPORT_THINGS, NULL},
    {"active", "Điểm hoạt động trong kỳ", "active in the period", YX_REPORT_THINGS, NULL},
    {"never_active", "Điểm chưa từng hoạt động", "never active", YX_REPORT_THINGS, NULL},
    {"active_pct", "Tỷ lệ điểm hoạt động (%)", "% active", YX_REPORT_PERCENT, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const struct yx_report_grouping groupings[] = {
    {"facility", "f.id", "f.name", 1},
    {"level", "f.level", "f.level", 0},
    YX_REPORT_BY_PROVINCE,
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"diem-ket-noi", "YX_SITES"};

/* Whether a facility of the place (f) had an event that makes it active (docs/reports.md) with its
 * moment in a range; AT(column) is the range's condition on the moment. The events: a remote visit
 * started, for the patient's facility and the doctor's; a consultation's video room opened, for the
 * facility that asked, the hub that has it and every facility taking part; a training session
 * attended (some time present) by someone of the facility, at the session's start (a self-paced
 * one at the time its attendance was worked out).
 *
 * The CASE asks the cheapest question first and stops at the first that answers, one facility at a
 * time. Visits cost two index lookups (facility, started_at) and answer for nearly every active
 * facility. Rooms and attendances are then walked through the facility's consultations and its
 * staff, which costs nothing for a facility that never had any — the usual never-active site — and
 * finds the first room or attendance of a long history at once for a range up to the period's end.
 * A facility with a history but nothing in the range walks all of it, so each kind is first asked
 * once for the whole range (one index lookup, answered once a request): a period before any room
 * or attendance skips the walks (without it, a period before any event took 39 s). Gathering
 * instead the facilities of every room and attendance of the range would cost a year's
 * attendances (a second of SQLite) whenever a single site was never active. The unary + on a
 * room's time keeps it from choosing an index: SQLite otherwise walked every room of the range for
 * each facility instead of the facility's consultations (the hub's index leads with the state). */
/* clang-format off */
#define ROOMS_IN_RANGE(AT) "EXISTS (SELECT 1 FROM rtc_rooms m0 WHERE " AT("m0.created_at") ")"
#define ATTENDED_IN_RANGE(AT)                                                                                \
    "(EXISTS (SELECT 1 FROM course_sessions s0 WHERE " AT("s0.started_at") ") OR EXISTS (SELECT 1 FROM "      \
    "course_sessions s0 JOIN attendance a0 ON a0.session_id = s0.id WHERE s0.started_at IS NULL AND "         \
    AT("a0.computed_at") "))"
#define HAD_EVENT_SQL(AT)                                                                                    \
    "CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.facility_id = f.id AND " AT("v.started_at") ") "        \
    "THEN 1 WHEN EXISTS (SELECT 1 FROM visits v WHERE v.doctor_facility_id = f.id AND "                       \
    AT("v.started_at") ") "                                                                                   \
    "THEN 1 WHEN " ROOMS_IN_RANGE(AT) " AND EXISTS (SELECT 1 FROM consults k JOIN rtc_rooms m ON "            \
    "m.consult_id = k.id WHERE k.requester_facility_id = f.id AND " AT("+m.created_at") ") "                   \
    "THEN 1 WHEN " ROOMS_IN_RANGE(AT) " AND EXISTS (SELECT 1 FROM consults k JOIN rtc_rooms m ON "            \
    "m.consult_id = k.id WHERE k.assigned_facility_id = f.id AND " AT("+m.created_at") ") "                    \
    "THEN 1 WHEN " ROOMS_IN_RANGE(AT) " AND EXISTS (SELECT 1 FROM consult_participants cp JOIN rtc_rooms m "  \
    "ON m.consult_id = cp.consult_id WHERE cp.facility_id = f.id AND " AT("+m.created_at") ") "                \
    "THEN 1 WHEN " ATTENDED_IN_RANGE(AT) " AND EXISTS (SELECT 1 FROM users u JOIN attendance a ON "           \
    "a.user_id = u.id JOIN course_sessions s ON s.id = a.session_id WHERE u.facility_id = f.id AND "          \
    "a.seconds > 0 AND " AT("COALESCE(s.started_at, a.computed_at)") ") "                                     \
    "THEN 1 ELSE 0 END"
#define IN_PERIOD(at) at " >= ? AND " at " < ?"
#define BEFORE_END(at) at " < ?"
/* The number of ranges in HAD_EVENT_SQL, each with its parameters. */
enum { NKINDS = 11 };

/* One row a facility of the place (in service today), ordered by its group; the two %s are the
 * group's key and name. Active: an event in the period; ever: one before the period's end. */
static const char sites_sql[] =
    "SELECT %s AS gid, %s AS gname, " HAD_EVENT_SQL(IN_PERIOD) " AS act, " HAD_EVENT_SQL(BEFORE_END) " AS ever "
    "FROM facilities f " YX_REPORT_PLACE_JOIN("fp", "f") "WHERE f.active = 1 AND (? = 0 OR f.id = ?) "
    "AND (? = 0 OR " YX_REPORT_IN_PROVINCE("fp") ") AND (? = '' OR f.level = ?) ORDER BY 1, f.id";
/* clang-format on */

static json_t *values_json(const int64_t *n)
{
    json_t *v = json_object();
    json_object_set_new(v, "sites", json_integer(n[SITES]));
    json_object_set_new(v, "active", json_integer(n[ACTIVE]));
    json_object_set_new(v, "never_active", json_integer(n[NEVER]));
    json_object_set_new(v, "active_pct",
                        n[SITES] ? json_real(round(1000.0 * (double)n[ACTIVE] / (double)n[SITES]) / 10.0)
                                 : json_null());
    return v;
}

static json_t *key_json(const struct yx_report_grouping *g, const struct yx_rows *rows, int i)
{
    return yx_report_key(g, yx_rows_str(rows, i, "gid"), yx_rows_str(rows, i, "gname"));
}

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL;
    char sql[sizeof sites_sql + 200];
    int64_t all[NFIG] = {0};
    json_t *out = NULL;
    int rc;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    struct yx_param params[3 * NKINDS + 6];
    int np = 0;
    for (int k = 0; k < NKINDS; k++) {
        params[np++] = YX_PI(p.from_ms);
        params[np++] = YX_PI(p.until_ms);
    }
    for (int k = 0; k < NKINDS; k++)
        params[np++] = YX_PI(p.until_ms);
    params[np++] = YX_PI(place.facility);
    params[np++] = YX_PI(place.facility);
    params[np++] = YX_PI(place.province);
    params[np++] = YX_PI(place.province);
    params[np++] = YX_PT(filters.level);
    params[np++] = YX_PT(filters.level);
    if ((rc = yx_snprintf(sql, sizeof sql, sites_sql, g && g->key ? g->key : "''",
                          g && g->name ? g->name : "''")) != 0 ||
        (rc = yx_db_exec(r->db, sql, params, np, &rows)) != 0)
        goto out;
    rc = YX_ENOMEM;
    if (!(out = yx_report_new("sites", &p, &place, by, columns)))
        goto out;
    json_t *list = json_object_get(out, "rows");
    for (int i = 0; i < rows->nrows;) {
        int start = i;
        int64_t n[NFIG] = {0};
        for (; i < rows->nrows && strcmp(yx_rows_str(rows, i, "gid"), yx_rows_str(rows, start, "gid")) == 0;
             i++) {
            n[SITES]++;
            n[ACTIVE] += yx_rows_i64(rows, i, "act");
            n[NEVER] += !yx_rows_i64(rows, i, "ever");
        }
        for (int f = 0; f < NFIG; f++)
            all[f] += n[f];
        if (g)
            json_array_append_new(
                list, json_pack("{s:o,s:o}", "key", key_json(g, rows, start), "values", values_json(n)));
    }
    json_object_set_new(out, "totals", values_json(all));
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    yx_rows_free(rows);
    return rc;
}

const struct yx_report_source yx_report_sites = {
    .name = "sites",
    .title = "Điểm kết nối",
    .names = &names,
    .columns = columns,
    .groupings = groupings,
    .filters = YX_REPORT_BY_LEVEL,
    .build = build,
};
