/* Training records (hồ sơ đào tạo liên tục): the credit hours a person earned, for the person, the
 * administrators over their facility and the trainers of the courses in it; and the summary an
 * administrator reads of their facility, province or the country. */
#include <stdio.h>
#include <string.h>

#include "training.h"

#define DAY_MS (24LL * 3600 * 1000)

/* Query parameter name as a day (YYYY-MM-DD, in Vietnam: UTC+7) or an ISO time: its first
 * millisecond, or with end set the last one of the day. */
static int day_or_time(struct yx_req *r, const char *name, int end, int64_t *ms)
{
    const char *v = yx_query(r, name);
    char iso[40];
    if (!v)
        return 0;
    int day = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    if (day && yx_snprintf(iso, sizeof iso, "%sT00:00:00+07:00", v) == 0 && yx_time_parse(iso, ms) == 0) {
        *ms += end ? DAY_MS - 1 : 0;
        return 0;
    }
    if (!day && strlen(v) < 40 && yx_time_parse(v, ms) == 0)
        return 0;
    return yx_fail_field(r, YX_EINVAL, name,
                         "%s là một ngày (2026-01-31) hoặc giờ kèm múi giờ / %s is a day (2026-01-31) or a "
                         "time with its offset.",
                         name, name);
}

/* The period of from and to (both optional, to inclusive). */
static int period(struct yx_req *r, int64_t *from, int64_t *to)
{
    int rc;
    *from = 0;
    *to = INT64_MAX / 2;
    if ((rc = day_or_time(r, "from", 0, from)) != 0 || (rc = day_or_time(r, "to", 1, to)) != 0)
        return rc;
    return *from <= *to
               ? 0
               : yx_fail_field(r, YX_EINVAL, "to",
                               "Ngày kết thúc (to) trước ngày bắt đầu (from) / to comes before from.");
}

/* Which of a person's credits the caller sees: all of them (first parameter 1: the person, or an
 * administrator over them), or those of courses the caller runs (named among the trainers, or of
 * the caller's facility when it runs its facility's courses: yx_runs_facility_courses()). Then the
 * caller's id, facility and whether it runs its facility's courses. */
#define VISIBLE                                                                                              \
    " AND (? = 1 OR c.course_id IN (SELECT course_id FROM course_trainers WHERE user_id = ?) OR "            \
    "(co.facility_id = ? AND ? = 1))"

/* GET /api/v1/training/records?user_id&from&to&cursor&limit — a person's credits, newest first,
 * with the total hours of the period. */
static int records(struct yx_req *r)
{
    const struct yx_principal *w = &r->who;
    struct yx_rows *person = NULL, *rows = NULL, *sum = NULL;
    int64_t user, from, to, after, limit;
    int rc;
    if ((rc = yx_query_id(r, "user_id", &user)) != 0 || (rc = period(r, &from, &to)) != 0 ||
        (rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    user = user ? user : w->user_id;
    if ((rc = YX_DB_Q(r->db, &person,
                      "SELECT u.id, u.full_name, u.facility_id, f.name AS facility_name, f.province_id "
                      "FROM users u LEFT JOIN "
                      "facilities f ON f.id = u.facility_id WHERE u.id = ?",
                      YX_PI(user))) != 0)
        return rc;
    int found = person->nrows == 1;
    int all = found && (user == w->user_id || yx_admin_over(w, yx_rows_i64(person, 0, "facility_id"),
                                                            yx_rows_i64(person, 0, "province_id")));
#define SEEN YX_PI(all), YX_PI(w->user_id), YX_PI(w->facility_id), YX_PI(yx_runs_facility_courses(w))
    if (found)
        rc = YX_DB_Q(r->db, &rows,
                     YX_CREDIT_SELECT
                     " WHERE c.user_id = ? AND c.earned_at >= ? AND c.earned_at <= ? AND (? = 0 OR "
                     "c.id < ?)" VISIBLE " ORDER BY c.id DESC LIMIT ?",
                     YX_PI(user), YX_PI(from), YX_PI(to), YX_PI(after), YX_PI(after), SEEN, YX_PI(limit + 1));
    if (found && rc == 0)
        rc = YX_DB_Q(
            r->db, &sum,
            "SELECT (SELECT COUNT(*) FROM credits c JOIN courses co ON co.id = c.course_id WHERE "
            "c.user_id = ?" VISIBLE "), COALESCE(SUM(c.minutes), 0) FROM credits c JOIN courses co ON "
            "co.id = c.course_id WHERE c.user_id = ? AND c.earned_at >= ? AND c.earned_at <= ?" VISIBLE,
            YX_PI(user), SEEN, YX_PI(user), YX_PI(from), YX_PI(to), SEEN);
#undef SEEN
    /* Someone who may see none of it (ever) learns nothing; an administrator is told it is not theirs. */
    if (rc == 0 && (!found || (!all && yx_rows_int(sum, 0, 0) == 0)))
        rc = yx_role_is_admin(w->role) && found
                 ? yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL,
                                "Người này không thuộc phạm vi quản lý của bạn / this person is outside your "
                                "scope.")
                 : yx_fail(r, YX_ENOTFOUND, "Không có người này / no such person.");
    if (rc == 0) {
        json_t *items = json_array();
        int more = rows->nrows > limit;
        for (int i = 0; i < rows->nrows && i < limit; i++)
            json_array_append_new(items, yx_credit_row_json(rows, i));
        int64_t minutes = yx_rows_int(sum, 0, 1);
        json_t *out = yx_page_json(items, more, more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0);
        json_object_set_new(
            out, "user",
            json_pack("{s:I,s:s,s:o}", "id", (json_int_t)user, "full_name",
                      yx_rows_str(person, 0, "full_name"), "facility",
                      yx_rows_null(person, 0, "facility_id")
                          ? json_null()
                          : json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(person, 0, "facility_id"),
                                      "name", yx_rows_str(person, 0, "facility_name"))));
        json_object_set_new(out, "total_minutes", json_integer(minutes));
        json_object_set_new(out, "total_hours", json_real((double)minutes / 60.0));
        yx_audit_target(r, user);
        rc = yx_reply(r, 200, out);
    }
    yx_rows_free(person);
    yx_rows_free(rows);
    yx_rows_free(sum);
    return rc;
}

/* The scope of a summary: one facility, the facilities of one province, or every province. */
struct scope {
    int64_t facility, province;
    int by_province;
};

/* Reads facility_id / province_id and checks them against the caller's scope (yx_scope(): the
 * people an administrator oversees). */
static int summary_scope(struct yx_req *r, struct scope *s)
{
    const struct yx_principal *w = &r->who;
    struct yx_rows *rows = NULL;
    struct yx_scope mine;
    int64_t facility, province, unit_province = 0;
    int rc;
    *s = (struct scope){0};
    if ((rc = yx_query_id(r, "facility_id", &facility)) != 0 ||
        (rc = yx_query_id(r, "province_id", &province)) != 0)
        return rc;
    if (facility && province)
        return yx_fail_field(r, YX_EINVAL, "province_id",
                             "Chọn cơ sở (facility_id) hoặc tỉnh (province_id), không chọn cả hai / Give "
                             "facility_id or province_id, not both.");
    if ((rc = yx_scope(w, YX_RES_CREDIT, &mine)) != 0)
        return yx_deny(r, rc);
    if (facility)
        rc = YX_DB_Q(r->db, &rows, "SELECT province_id FROM facilities WHERE id = ?", YX_PI(facility));
    else if (province)
        rc = YX_DB_Q(r->db, &rows, "SELECT id FROM admin_units WHERE id = ? AND level = 'province'",
                     YX_PI(province));
    if (rc == 0 && rows && rows->nrows != 1)
        rc = yx_fail_field(r, YX_ENOTFOUND, facility ? "facility_id" : "province_id",
                           facility ? "Không có cơ sở này / no such facility."
                                    : "Không có tỉnh này / no such province.");
    if (rc == 0 && rows)
        unit_province = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    if (rc)
        return rc;
    /* The facility or province asked for is the caller's to see when it oversees its people. */
    if ((facility || province) && !yx_admin_over(w, facility, facility ? unit_province : province))
        return yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL,
                            "Ngoài phạm vi quản lý của bạn / outside your scope.");
    s->facility = facility ? facility : mine.kind == YX_SCOPE_FACILITY ? mine.id : 0;
    s->province = facility ? 0 : province ? province : mine.kind == YX_SCOPE_PROVINCE ? mine.id : 0;
    s->by_province = !s->facility && !s->province;
    return 0;
}

/* GET /api/v1/training/summary?from&to&facility_id|province_id — credit hours earned by the people
 * of each facility (of the caller's facility or province, or the one asked), or of each province
 * for the ministry. */
static int summary(struct yx_req *r)
{
    struct scope s;
    struct yx_rows *rows = NULL;
    int64_t from, to;
    int rc;
    if ((rc = period(r, &from, &to)) != 0 || (rc = summary_scope(r, &s)) != 0)
        return rc;
    if (s.by_province)
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT p.id, p.name, COUNT(DISTINCT c.user_id) AS people, COUNT(*) AS credits, "
            "SUM(c.minutes) AS minutes FROM credits c "
            "JOIN users u ON u.id = c.user_id JOIN facilities f ON f.id = u.facility_id JOIN admin_units "
            "p ON p.id = f.province_id WHERE c.earned_at >= ? AND c.earned_at <= ? GROUP BY p.id, p.name "
            "ORDER BY 5 DESC, p.id LIMIT 1000",
            YX_PI(from), YX_PI(to));
    else
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT f.id, f.name, COUNT(DISTINCT c.user_id) AS people, COUNT(*) AS credits, "
            "SUM(c.minutes) AS minutes FROM credits c "
            "JOIN users u ON u.id = c.user_id JOIN facilities f ON f.id = u.facility_id WHERE "
            "c.earned_at >= ? AND c.earned_at <= ? AND (? = 0 OR f.id = ?) AND (? = 0 OR f.province_id "
            "= ?) GROUP BY f.id, f.name ORDER BY 5 DESC, f.id LIMIT 1000",
            YX_PI(from), YX_PI(to), YX_PI(s.facility), YX_PI(s.facility), YX_PI(s.province),
            YX_PI(s.province));
    if (rc)
        return rc;
    json_t *items = json_array();
    int64_t people = 0, credits = 0, minutes = 0;
    for (int i = 0; i < rows->nrows; i++) {
        int64_t m = yx_rows_i64(rows, i, "minutes");
        json_array_append_new(
            items, json_pack("{s:{s:I,s:s},s:I,s:I,s:I,s:f}", s.by_province ? "province" : "facility", "id",
                             (json_int_t)yx_rows_i64(rows, i, "id"), "name", yx_rows_str(rows, i, "name"),
                             "people", (json_int_t)yx_rows_i64(rows, i, "people"), "credits",
                             (json_int_t)yx_rows_i64(rows, i, "credits"), "minutes", (json_int_t)m, "hours",
                             (double)m / 60.0));
        people += yx_rows_i64(rows, i, "people");
        credits += yx_rows_i64(rows, i, "credits");
        minutes += m;
    }
    yx_rows_free(rows);
    return yx_reply(r, 200,
                    json_pack("{s:s,s:o,s:{s:I,s:I,s:I,s:f}}", "by", s.by_province ? "province" : "facility",
                              "items", items, "total", "people", (json_int_t)people, "credits",
                              (json_int_t)credits, "minutes", (json_int_t)minutes, "hours",
                              (double)minutes / 60.0));
}

const struct yx_route yx_training_record_routes[] = {
    {"GET", "/api/v1/training/records", records, 0, "training.records", "user", YX_STAFF, NULL},
    {"GET", "/api/v1/training/summary", summary, 0, NULL, NULL, YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
