/* Who is what to a course: its trainers, the administrators over its facility, the people
 * enrolled (by name, or with their whole facility when their role is one the course is for), and
 * the people who may enrol themselves. Every course handler starts from yx_course_load(). */
#include <stdio.h>
#include <string.h>

#include "training.h"

#define COURSE_SELECT                                                                                        \
    "SELECT c.id, c.facility_id, f.province_id, c.credit_minutes, c.attendance_pass_pct, c.quiz_pass_pct, "  \
    "c.quiz_max_attempts, c.state, c.title, c.target_roles, c.target_levels FROM courses c JOIN facilities " \
    "f "                                                                                                     \
    "ON f.id = c.facility_id WHERE c.id = ?"

/* Is s one of the strings of the JSON array text (an empty array means any)? */
static int listed(const char *array_text, const char *s)
{
    json_t *a = json_loads(array_text ? array_text : "[]", 0, NULL);
    size_t i;
    json_t *v;
    int yes = json_array_size(a) == 0;
    json_array_foreach(a, i, v) yes |= s && json_is_string(v) && strcmp(json_string_value(v), s) == 0;
    json_decref(a);
    return yes;
}

/* The course row into *c; *rows keeps it (the target roles and levels, for the relation). */
static int load_row(struct yx_db *db, int64_t id, struct yx_course *c, struct yx_rows **rows)
{
    int rc = YX_DB_Q(db, rows, COURSE_SELECT, YX_PI(id));
    if (rc == 0 && (*rows)->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc)
        return rc;
    *c = (struct yx_course){yx_rows_int(*rows, 0, 0),
                            yx_rows_int(*rows, 0, 1),
                            yx_rows_int(*rows, 0, 2),
                            0,
                            (int)yx_rows_int(*rows, 0, 3),
                            (int)yx_rows_int(*rows, 0, 4),
                            (int)yx_rows_int(*rows, 0, 5),
                            (int)yx_rows_int(*rows, 0, 6),
                            "",
                            ""};
    yx_snprintf(c->state, sizeof c->state, "%s", yx_rows_get(*rows, 0, 7));
    yx_snprintf(c->title, sizeof c->title, "%s", yx_rows_get(*rows, 0, 8));
    return 0;
}

int yx_course_enrolled(struct yx_db *db, int64_t course_id, int64_t user_id, int *yes)
{
    struct yx_rows *rows = NULL;
    *yes = 0;
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT u.role, c.target_roles, (SELECT COUNT(*) FROM enrolments e WHERE e.course_id = c.id "
        "AND e.withdrawn_at IS NULL AND e.user_id = u.id), (SELECT COUNT(*) FROM enrolments e WHERE "
        "e.course_id = c.id AND e.withdrawn_at IS NULL AND e.facility_id = u.facility_id) FROM users u, "
        "courses c WHERE u.id = ? AND c.id = ? AND u.active = 1",
        YX_PI(user_id), YX_PI(course_id));
    if (rc == 0 && rows->nrows == 1)
        *yes = yx_rows_int(rows, 0, 2) > 0 ||
               (yx_rows_int(rows, 0, 3) > 0 && listed(yx_rows_get(rows, 0, 1), yx_rows_get(rows, 0, 0)));
    yx_rows_free(rows);
    return rc;
}

/* The caller's relation to the course (c->relation). */
static int relation(struct yx_req *r, struct yx_course *c, const struct yx_rows *course)
{
    const struct yx_principal *w = &r->who;
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT (SELECT COUNT(*) FROM course_trainers WHERE course_id = ? AND user_id = ?), (SELECT "
        "level FROM facilities WHERE id = ?), (SELECT COUNT(*) FROM enrolments WHERE course_id = ? AND "
        "facility_id = ? AND withdrawn_at IS NULL)",
        YX_PI(c->id), YX_PI(w->user_id), YX_PI(w->facility_id), YX_PI(c->id), YX_PI(w->facility_id));
    if (rc)
        return rc;
    int named = yx_rows_int(rows, 0, 0) > 0, enrolled = 0;
    int site = w->facility_id && yx_rows_int(rows, 0, 2) > 0;
    char level[16];
    yx_snprintf(level, sizeof level, "%s", yx_rows_get(rows, 0, 1) ? yx_rows_get(rows, 0, 1) : "");
    yx_rows_free(rows);
    if ((rc = yx_course_enrolled(r->db, c->id, w->user_id, &enrolled)) != 0)
        return rc;
    int trainer = named || (strcmp(w->role, "trainer") == 0 && w->facility_id == c->facility_id);
    int admin = yx_admin_over(w, c->facility_id, c->province_id);
    int eligible = strcmp(c->state, "published") == 0 && w->facility_id &&
                   listed(yx_rows_get(course, 0, 9), w->role) && listed(yx_rows_get(course, 0, 10), level) &&
                   strcmp(w->role, "patient") != 0;
    /* Another facility's administrator enrols their facility in a course made for its level. */
    int site_admin = strcmp(w->role, "facility_admin") == 0 && w->facility_id &&
                     w->facility_id != c->facility_id && strcmp(c->state, "draft") != 0 &&
                     (site || listed(yx_rows_get(course, 0, 10), level));
    c->relation = (trainer ? YX_COURSE_TRAINER : 0) | (admin ? YX_COURSE_ADMIN : 0) |
                  (enrolled ? YX_COURSE_ENROLLED : 0) | (eligible ? YX_COURSE_ELIGIBLE : 0) |
                  (site ? YX_COURSE_SITE : 0) | (site_admin ? YX_COURSE_SITE_ADMIN : 0);
    return 0;
}

int yx_course_find(struct yx_req *r, int64_t id, struct yx_course *c)
{
    struct yx_rows *rows = NULL;
    *c = (struct yx_course){0};
    int rc = load_row(r->db, id, c, &rows);
    if (rc == 0)
        rc = relation(r, c, rows);
    yx_rows_free(rows);
    /* A draft is its makers' business; an archived course stays visible to those related to it. */
    int makers = c->relation & (YX_COURSE_TRAINER | YX_COURSE_ADMIN);
    if (rc == 0 && (!c->relation || (strcmp(c->state, "draft") == 0 && !makers)))
        rc = YX_ENOTFOUND;
    return rc;
}

int yx_course_load_id(struct yx_req *r, int64_t id, struct yx_course *c)
{
    int rc = yx_course_find(r, id, c);
    if (rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không có khoá học này / no such course.");
    if (rc == 0) {
        char ids[24];
        snprintf(ids, sizeof ids, "%lld", (long long)c->id);
        r->audit_resource_id = yx_arena_strdup(&r->arena, ids);
    }
    return rc;
}

int yx_course_load(struct yx_req *r, int param, struct yx_course *c)
{
    int64_t id;
    *c = (struct yx_course){0};
    int rc = yx_param_id(r, param, &id);
    return rc ? rc : yx_course_load_id(r, id, c);
}

int yx_course_relation(struct yx_req *r, const struct yx_course *c, int relations, const char *who_may)
{
    if (c->relation & relations)
        return 0;
    return yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL, "Việc này do %s làm / this is done by %s.",
                        who_may, who_may);
}
