/* The caller's own day on the home page (docs/reports.md, "Numbers on the home page"):
 * GET /api/v1/me/today answers counts only — a station's queue, visits and cases waiting, a hub
 * doctor's inbox and turnaround, a trainer's sessions of the week — never a patient.
 *
 * It lives with the reports because it is one: counts over several workflows' records (the
 * queue, visits, consultations, training) in Vietnam's day and ISO week, with the nearest-rank
 * median the reports define. Reading those tables here keeps each workflow from having to know
 * about the home page, as the other reports do.
 *
 * Which parts an answer holds follows from the caller's role and the level of their facility, in
 * the table `parts` below — the same kind of statement as a route's roles, so no handler here
 * compares role names. An administrator has no part: the answer is an empty object. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define DAY_MS (86400LL * 1000)
/* The window of a hub doctor's own turnaround. */
#define TURNAROUND_DAYS 30
/* The most cases a turnaround is taken over: a doctor accepts a few a day, so this is far above
 * any real month and bounds the work on a bad one. Past it the median is over the latest ones. */
#define TURNAROUND_MAX 2000

/* The caller's day and week in Vietnam time, as half-open intervals of ms, and the moment asked. */
struct today {
    int64_t now, day_from, day_until, week_from, week_until;
    char day[11], week[9];
    int64_t facility, user;
};

/* A count of one query (a single number in the first column). */
static int count(struct yx_req *r, const char *sql, const struct yx_param *params, int n, int64_t *out)
{
    struct yx_rows *rows = NULL;
    int rc = yx_db_exec(r->db, sql, params, n, &rows);
    if (rc == 0)
        *out = rows->nrows && !yx_rows_isnull(rows, 0, 0) ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc;
}

/* Minutes from the oldest time to now, rounded down; null when there is none. */
static json_t *wait_minutes(int64_t now, int64_t oldest, int any)
{
    return any ? json_integer((json_int_t)((now - oldest) / 60000)) : json_null();
}

/* The visits dated today — their appointment's time, or when they were made if they have none, as
 * the visit list's `date` reads them — of a facility (facility != 0) or of a doctor. */
#define VISITS_TODAY_SQL                                                                                     \
    "SELECT COALESCE(SUM(CASE WHEN v.state <> 'cancelled' THEN 1 ELSE 0 END), 0) AS booked, "                \
    "COALESCE(SUM(CASE WHEN v.state = 'finished' THEN 1 ELSE 0 END), 0) AS completed FROM visits v WHERE "   \
    "(v.facility_id = ? OR v.doctor_id = ?) AND COALESCE(v.scheduled_at, v.created_at) >= ? AND "            \
    "COALESCE(v.scheduled_at, v.created_at) < ?"

static int visits_today(struct yx_req *r, const struct today *d, int64_t facility, int64_t doctor,
                        json_t *part)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, VISITS_TODAY_SQL, YX_PI(facility), YX_PI(doctor), YX_PI(d->day_from),
                     YX_PI(d->day_until));
    if (rc == 0) {
        json_object_set_new(part, "visits_booked", json_integer(yx_rows_int(rows, 0, 0)));
        json_object_set_new(part, "visits_completed", json_integer(yx_rows_int(rows, 0, 1)));
    }
    yx_rows_free(rows);
    return rc;
}

/* A station: the facility's queue today, its visits today and the cases it sent that no hub has
 * accepted yet, with the longest of their waits. */
static int station(struct yx_req *r, const struct today *d, json_t *part)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT COALESCE(SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END), 0) AS waiting, "
                     "COALESCE(SUM(CASE WHEN status = 'called' THEN 1 ELSE 0 END), 0) AS called FROM "
                     "queue_entries WHERE facility_id = ? AND day = ?",
                     YX_PI(d->facility), YX_PT(d->day));
    if (rc)
        goto out;
    json_object_set_new(part, "queue_waiting", json_integer(yx_rows_int(rows, 0, 0)));
    json_object_set_new(part, "queue_in_progress", json_integer(yx_rows_int(rows, 0, 1)));
    yx_rows_free(rows);
    rows = NULL;
    if ((rc = visits_today(r, d, d->facility, 0, part)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows,
                      "SELECT COUNT(*) AS n, MIN(requested_at) AS oldest FROM consults WHERE "
                      "requester_facility_id = ? AND state = 'requested'",
                      YX_PI(d->facility))) != 0)
        goto out;
    int64_t n = yx_rows_int(rows, 0, 0);
    json_object_set_new(part, "consults_waiting", json_integer(n));
    json_object_set_new(part, "consults_oldest_wait_min",
                        wait_minutes(d->now, yx_rows_int(rows, 0, 1), n > 0));
out:
    yx_rows_free(rows);
    return rc;
}

/* The last acceptance of a case, when the caller made it: what "cases they accepted" means. */
#define MINE_SQL                                                                                             \
    "JOIN consult_events e ON e.consult_id = c.id AND e.action = 'accepted' AND e.at = c.accepted_at AND "   \
    "e.by_user = ? "

/* A hub's doctor or specialist: the facility's inbox by urgency, the cases the caller accepted
 * that are still open, their own turnaround over 30 days and their visits today. */
static int hub(struct yx_req *r, const struct today *d, json_t *part)
{
    static const char *const urgencies[] = {"emergency", "urgent", "routine"};
    struct yx_rows *rows = NULL;
    int64_t *waits = NULL, open = 0, oldest = 0, total = 0;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT urgency, COUNT(*) AS n, MIN(requested_at) AS oldest FROM consults WHERE "
                     "assigned_facility_id = ? AND state = 'requested' GROUP BY urgency",
                     YX_PI(d->facility));
    if (rc)
        goto out;
    json_t *inbox = json_object();
    json_object_set_new(part, "inbox", inbox);
    for (size_t u = 0; u < sizeof urgencies / sizeof urgencies[0]; u++)
        json_object_set_new(inbox, urgencies[u], json_integer(0));
    for (int i = 0; i < rows->nrows; i++) {
        int64_t n = yx_rows_int(rows, i, 1), at = yx_rows_int(rows, i, 2);
        json_object_set_new(inbox, yx_rows_get(rows, i, 0), json_integer(n));
        oldest = total == 0 || at < oldest ? at : oldest;
        total += n;
    }
    json_object_set_new(inbox, "total", json_integer(total));
    json_object_set_new(part, "inbox_oldest_wait_min", wait_minutes(d->now, oldest, total > 0));
    yx_rows_free(rows);
    rows = NULL;

    if ((rc = count(r,
                    "SELECT COUNT(*) FROM consults c " MINE_SQL
                    "WHERE c.state IN ('accepted', 'scheduled', 'answered')",
                    (struct yx_param[]){YX_PI(d->user)}, 1, &open)) != 0)
        goto out;
    json_object_set_new(part, "accepted_open", json_integer(open));

    /* Durations come sorted from the database; the median is taken in C, as the reports do. */
    if ((rc = YX_DB_Q(r->db, &rows,
                      "SELECT c.accepted_at - c.requested_at AS wait FROM consults c " MINE_SQL
                      "WHERE c.accepted_at >= ? AND c.accepted_at <= ? AND c.requested_at IS NOT NULL "
                      "ORDER BY c.accepted_at DESC LIMIT ?",
                      YX_PI(d->user), YX_PI(d->now - TURNAROUND_DAYS * DAY_MS), YX_PI(d->now),
                      YX_PI(TURNAROUND_MAX))) != 0)
        goto out;
    rc = YX_ENOMEM;
    if (rows->nrows && !(waits = malloc((size_t)rows->nrows * sizeof *waits)))
        goto out;
    for (int i = 0; i < rows->nrows; i++)
        waits[i] = yx_rows_int(rows, i, 0);
    yx_report_sort(waits, (size_t)rows->nrows);
    json_object_set_new(part, "turnaround_median_min", yx_report_minutes(waits, (size_t)rows->nrows, 50));
    json_object_set_new(part, "turnaround_cases", json_integer(rows->nrows));
    json_object_set_new(part, "turnaround_days", json_integer(TURNAROUND_DAYS));
    rc = visits_today(r, d, 0, d->user, part);
out:
    free(waits);
    yx_rows_free(rows);
    return rc;
}

/* A trainer: the live and case sessions of this week (by their planned start, or their start when
 * none was planned) of courses the caller teaches or their facility runs, and the attendances
 * worked out for them so far. A self-paced session has no time in any week. */
static int trainer(struct yx_req *r, const struct today *d, json_t *part)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(r->db, &rows,
                "SELECT COUNT(*) AS sessions, COALESCE(SUM((SELECT COUNT(*) FROM attendance a WHERE "
                "a.session_id = s.id AND a.seconds > 0)), 0) AS attendances FROM course_sessions s JOIN "
                "courses c ON c.id = s.course_id WHERE s.kind <> 'self_paced' AND s.state <> 'cancelled' "
                "AND COALESCE(s.starts_at, s.started_at) >= ? AND COALESCE(s.starts_at, s.started_at) < ? "
                "AND (c.facility_id = ? OR EXISTS (SELECT 1 FROM course_trainers t WHERE t.course_id = "
                "c.id AND t.user_id = ?))",
                YX_PI(d->week_from), YX_PI(d->week_until), YX_PI(d->facility), YX_PI(d->user));
    if (rc == 0) {
        json_object_set_new(part, "week", json_string(d->week));
        json_object_set_new(part, "sessions", json_integer(yx_rows_int(rows, 0, 0)));
        json_object_set_new(part, "attendances", json_integer(yx_rows_int(rows, 0, 1)));
    }
    yx_rows_free(rows);
    return rc;
}

/* Who gets which part: the roles it is for and the levels of facility (NULL: any; a leading '!'
 * means any level but that one). A health worker runs a station's day wherever they work; a doctor
 * at a commune does too, while one at a hub answers cases. */
static const struct part {
    const char *name;
    unsigned roles;
    const char *level;
    int (*fill)(struct yx_req *r, const struct today *d, json_t *part);
} parts[] = {
    {"station", YX_ROLE_HEALTH_WORKER, NULL, station},
    {"station", YX_DOCTORS, "commune", station},
    {"hub", YX_DOCTORS, "!commune", hub},
    {"training", YX_ROLE_TRAINER, NULL, trainer},
};

static int level_fits(const char *want, const char *level)
{
    if (!want)
        return 1;
    if (want[0] == '!')
        return strcmp(want + 1, level) != 0;
    return strcmp(want, level) == 0;
}

/* Today and this ISO week in Vietnam, as the reports' calendar reckons them. */
static int today_init(struct today *d, const struct yx_principal *who)
{
    struct yx_report_period day, week;
    d->now = yx_now_ms();
    yx_report_day_week(d->now, &day, &week, d->week);
    d->day_from = day.from_ms;
    d->day_until = day.until_ms;
    d->week_from = week.from_ms;
    d->week_until = week.until_ms;
    memcpy(d->day, day.from, sizeof d->day);
    d->facility = who->facility_id;
    d->user = who->user_id;
    return 0;
}

/* GET /api/v1/me/today */
static int me_today(struct yx_req *r)
{
    struct today d;
    struct yx_rows *rows = NULL;
    json_t *out = json_object();
    unsigned bit = yx_role_bit(r->who.role);
    const char *level = "";
    int rc = YX_ENOMEM;
    if (!out || (rc = today_init(&d, &r->who)) != 0)
        goto out;
    if (d.facility &&
        (rc = YX_DB_Q(r->db, &rows, "SELECT level FROM facilities WHERE id = ?", YX_PI(d.facility))) != 0)
        goto out;
    if (rows && rows->nrows)
        level = yx_rows_get(rows, 0, 0);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!(parts[i].roles & bit) || !d.facility || !level_fits(parts[i].level, level))
            continue;
        json_t *part = json_object();
        json_object_set_new(out, parts[i].name, part);
        if ((rc = parts[i].fill(r, &d, part)) != 0)
            goto out;
    }
    if (json_object_size(out)) {
        json_object_set_new(out, "day", json_string(d.day));
        json_object_set_new(out, "tz", json_string("Asia/Ho_Chi_Minh"));
    }
    rc = yx_reply(r, 200, out);
    out = NULL;
out:
    json_decref(out);
    yx_rows_free(rows);
    return rc;
}

const struct yx_route yx_today_routes[] = {
    {"GET", "/api/v1/me/today", me_today, 0, NULL, NULL, YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
