/* The same-day queue at a station (hàng đợi): a walk-in gets a token number — 1, 2, 3 … from
 * each day's start in Vietnam — from a counter row updated in the same statement that reads it,
 * so two desks (or two instances on one PostgreSQL) never hand out the same number. The list is
 * ordered by priority (emergency, pregnant, child, elderly, then everyone) and then token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "ytexa/realtime.h"

static const char *const priorities[] = {"emergency", "pregnant", "child", "elderly", "normal", NULL};

#define QUEUE_SELECT                                                                                         \
    "SELECT q.id, q.day, q.token, q.patient_id, p.full_name, p.birth_year, q.reason, q.priority, q.status, " \
    "q.created_at, q.called_at, q.done_at FROM queue_entries q JOIN patients p ON p.id = q.patient_id "

static json_t *entry_row(struct yx_req *r, const struct yx_rows *x, int i)
{
    return json_pack(
        "{s:I,s:s,s:I,s:{s:I,s:s,s:I},s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)yx_rows_i64(x, i, "id"),
        "day", yx_rows_str(x, i, "day"), "token", (json_int_t)yx_rows_i64(x, i, "token"), "patient", "id",
        (json_int_t)yx_rows_i64(x, i, "patient_id"), "full_name", yx_rows_str(x, i, "full_name"),
        "birth_year", (json_int_t)yx_rows_i64(x, i, "birth_year"), "reason", yx_rows_str(x, i, "reason"),
        "priority", yx_rows_str(x, i, "priority"), "status", yx_rows_str(x, i, "status"), "created_at",
        yx_iso(r, yx_rows_i64(x, i, "created_at")), "called_at",
        yx_rows_null(x, i, "called_at") ? json_null()
                                        : json_string(yx_iso(r, yx_rows_i64(x, i, "called_at"))),
        "done_at",
        yx_rows_null(x, i, "done_at") ? json_null() : json_string(yx_iso(r, yx_rows_i64(x, i, "done_at"))));
}

static int answer_entry(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, QUEUE_SELECT "WHERE q.id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows == 1)
        rc = yx_reply(r, status, entry_row(r, rows, 0));
    else if (rc == 0)
        rc = YX_EDB;
    yx_rows_free(rows);
    return rc;
}

static const struct yx_field enqueue_fields[] = {
    {"patient_id", YX_F_INT, 1, 1, INT64_MAX},
    {"reason", YX_F_STRING, 1, 2, 300},
    {"priority", YX_F_STRING, 0, 1, 16},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/queue {patient_id, reason, priority} — a patient of the station's own registry. */
static int queue_add(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    char day[11];
    int rc;
    if ((rc = yx_patient_registry_role(r)) != 0 || (rc = yx_body(r, enqueue_fields)) != 0)
        return rc;
    const char *priority = yx_json_str(r->json, "priority");
    if (!priority)
        priority = "normal";
    if (!yx_one_of(priority, priorities))
        return yx_fail_field(
            r, YX_EINVAL, "priority",
            "Ưu tiên là cấp cứu (emergency), có thai (pregnant), trẻ em (child), người cao tuổi (elderly) "
            "hoặc thường (normal) / priority is emergency, pregnant, child, elderly or normal.");
    int64_t patient = yx_json_int(r->json, "patient_id", 0);
    if ((rc = yx_patient_access(r, patient, YX_A_WRITE)) != 0)
        return rc;
    yx_today_vn(day);
    rc = YX_DB_Q(r->db, &rows,
                 "INSERT INTO queue_counters (facility_id, day, last_token) VALUES (?, ?, 1) ON CONFLICT "
                 "(facility_id, day) "
                 "DO UPDATE SET last_token = queue_counters.last_token + 1 RETURNING last_token",
                 YX_PI(r->who.facility_id), YX_PT(day));
    int64_t token = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    rows = NULL;
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows,
                     "INSERT INTO queue_entries (facility_id, day, token, patient_id, reason, priority, "
                     "status, created_by, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?) RETURNING id",
                     YX_PI(r->who.facility_id), YX_PT(day), YX_PI(token), YX_PI(patient),
                     YX_PT(yx_json_str(r->json, "reason")), YX_PT(priority), YX_PI(r->who.user_id),
                     YX_PI(yx_now_ms()));
    int64_t id = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    /* The station's other open queue pages refetch (the event names no patient). */
    if (rc == 0)
        rc = yx_live_changed(r->db, "facility", r->who.facility_id, "queue");
    return rc ? rc : answer_entry(r, 201, id);
}

/* GET /api/v1/queue?date — the station's queue of a day (today by default). */
static int queue_list(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    char day[11];
    int rc;
    if ((rc = yx_patient_registry_role(r)) != 0)
        return rc;
    const char *date = yx_query(r, "date");
    int y, m, d;
    if (date && (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
                 d < 1 || d > 31))
        return yx_fail_field(
            r, YX_EINVAL, "date",
            "Ngày có dạng YYYY-MM-DD (giờ Việt Nam) / date is a day YYYY-MM-DD (Vietnam time).");
    if (!date)
        yx_today_vn(day);
    rc = YX_DB_Q(r->db, &rows,
                 QUEUE_SELECT
                 "WHERE q.facility_id = ? AND q.day = ? ORDER BY CASE q.status WHEN 'called' THEN 0 "
                 "WHEN 'waiting' THEN 1 ELSE 2 END, CASE q.priority WHEN 'emergency' THEN 0 "
                 "WHEN 'pregnant' THEN 1 WHEN 'child' THEN 2 WHEN 'elderly' THEN 3 ELSE 4 END, q.token "
                 "LIMIT 500",
                 YX_PI(r->who.facility_id), YX_PT(date ? date : day));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, entry_row(r, rows, i));
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:s,s:o}", "day", date ? date : day, "items", items));
}

/* POST /api/v1/queue/:id/{call,done,skip} */
static int queue_move(struct yx_req *r, const char *to, const char *const *from)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_patient_registry_role(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = yx_no_body(r)) != 0)
        return rc;
    rc =
        YX_DB_Q(r->db, &rows, "SELECT status, patient_id FROM queue_entries WHERE id = ? AND facility_id = ?",
                YX_PI(id), YX_PI(r->who.facility_id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0 && !yx_one_of(yx_rows_get(rows, 0, 0), from))
        rc = yx_fail_code(r, YX_ECONFLICT, "queue_state", NULL,
                          "Số thứ tự này đang ở trạng thái '%s' / this entry is %s.", yx_rows_get(rows, 0, 0),
                          yx_rows_get(rows, 0, 0));
    if (rc == 0)
        r->audit_patient_id = yx_rows_int(rows, 0, 1);
    yx_rows_free(rows);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE queue_entries SET status = ?, called_at = CASE WHEN ? = 'called' THEN ? ELSE "
                     "called_at END, "
                     "done_at = CASE WHEN ? <> 'called' THEN ? ELSE done_at END WHERE id = ?",
                     YX_PT(to), YX_PT(to), YX_PI(yx_now_ms()), YX_PT(to), YX_PI(yx_now_ms()), YX_PI(id));
    if (rc == 0)
        rc = yx_live_changed(r->db, "facility", r->who.facility_id, "queue");
    return rc ? rc : answer_entry(r, 200, id);
}

static int queue_call(struct yx_req *r)
{
    static const char *const from[] = {"waiting", "called", NULL};
    return queue_move(r, "called", from);
}

static int queue_done(struct yx_req *r)
{
    static const char *const from[] = {"called", NULL};
    return queue_move(r, "done", from);
}

static int queue_skip(struct yx_req *r)
{
    static const char *const from[] = {"waiting", "called", NULL};
    return queue_move(r, "skipped", from);
}

const struct yx_route yx_queue_routes[] = {
    {"POST", "/api/v1/queue", queue_add, 0, "queue.add", "queue", YX_CLINICIANS, enqueue_fields},
    {"GET", "/api/v1/queue", queue_list, 0, "queue.list", "queue", YX_CLINICIANS, NULL},
    {"POST", "/api/v1/queue/:id/call", queue_call, 0, "queue.call", "queue", YX_CLINICIANS, NULL},
    {"POST", "/api/v1/queue/:id/done", queue_done, 0, "queue.done", "queue", YX_CLINICIANS, NULL},
    {"POST", "/api/v1/queue/:id/skip", queue_skip, 0, "queue.skip", "queue", YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
