/* A course and what the caller is to it: the facts of the course and of the caller found here in
 * one query, the relation decided by yx_course_relation() (src/auth/policy.c: its trainers, the
 * administrators over its facility, the people enrolled, those who may enrol themselves …) and
 * what the caller may do asked of yx_authorize(). Every course handler starts from
 * yx_course_load(). */
#include <stdio.h>
#include <string.h>

#include "training.h"

/* A course and what the caller is to it, in one row: the course, whether the caller is one of its
 * named trainers, whether the caller's facility is enrolled, whether the caller is enrolled by
 * name, and the caller's facility's level. Parameters: user, facility, user, facility, then the
 * courses' ids (yx_db_exec_in). */
#define COURSE_HEAD                                                                                          \
    "SELECT c.id, c.facility_id, f.province_id, c.credit_minutes, c.attendance_pass_pct, c.quiz_pass_pct, "  \
    "c.quiz_max_attempts, c.state, c.title, c.target_roles, c.target_levels, (SELECT COUNT(*) FROM "         \
    "course_trainers t WHERE t.course_id = c.id AND t.user_id = ?) AS named_trainer, (SELECT COUNT(*) FROM " \
    "enrolments e WHERE e.course_id = c.id AND e.facility_id = ? AND e.withdrawn_at IS NULL) AS "            \
    "site_enrolled, (SELECT COUNT(*) FROM enrolments e WHERE e.course_id = c.id AND e.user_id = ? AND "      \
    "e.withdrawn_at IS NULL) AS named_enrolled, (SELECT level FROM facilities WHERE id = ?) AS "             \
    "caller_level FROM courses c JOIN facilities f ON f.id = c.facility_id WHERE c.id IN ("
enum {
    C_ID,
    C_FACILITY,
    C_PROVINCE,
    C_MINUTES,
    C_ATT_PCT,
    C_QUIZ_PCT,
    C_QUIZ_MAX,
    C_STATE,
    C_TITLE,
    C_ROLES,
    C_LEVELS,
    C_NAMED_TRAINER,
    C_SITE,
    C_NAMED_ENROLLED,
    C_LEVEL
};

int yx_course_enrolled(struct yx_db *db, int64_t course_id, int64_t user_id, int *yes)
{
    struct yx_rows *rows = NULL;
    *yes = 0;
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT u.role, c.target_roles, (SELECT COUNT(*) FROM enrolments e WHERE e.course_id = c.id "
        "AND e.withdrawn_at IS NULL AND e.user_id = u.id) AS named_enrolled, (SELECT COUNT(*) FROM "
        "enrolments e WHERE e.course_id = c.id AND e.withdrawn_at IS NULL AND e.facility_id = u.facility_id) "
        "AS site_enrolled, u.facility_id "
        "FROM users u, courses c WHERE u.id = ? AND c.id = ? AND u.active = 1",
        YX_PI(user_id), YX_PI(course_id));
    if (rc == 0 && rows->nrows == 1) {
        /* The person as a principal: their relation to the course says whether they are enrolled. */
        struct yx_principal p = {.user_id = user_id, .facility_id = yx_rows_i64(rows, 0, "facility_id")};
        yx_snprintf(p.role, sizeof p.role, "%s", yx_rows_str(rows, 0, "role"));
        struct yx_course_facts f = {.target_roles = yx_rows_str(rows, 0, "target_roles"),
                                    .named_enrolled = yx_rows_i64(rows, 0, "named_enrolled") > 0,
                                    .site_enrolled = yx_rows_i64(rows, 0, "site_enrolled") > 0};
        *yes = (yx_course_relation(&p, &f) & YX_COURSE_ENROLLED) != 0;
    }
    yx_rows_free(rows);
    return rc;
}

/* The course of row i, with the caller's relation to it (c->relation), which yx_course_relation()
 * decides from what the row says of the course and of the caller. */
static void course_from_row(const struct yx_req *r, const struct yx_rows *rows, int i, struct yx_course *c)
{
    *c = (struct yx_course){yx_rows_i64(rows, i, "id"),
                            yx_rows_i64(rows, i, "facility_id"),
                            yx_rows_i64(rows, i, "province_id"),
                            0,
                            (int)yx_rows_i64(rows, i, "credit_minutes"),
                            (int)yx_rows_i64(rows, i, "attendance_pass_pct"),
                            (int)yx_rows_i64(rows, i, "quiz_pass_pct"),
                            (int)yx_rows_i64(rows, i, "quiz_max_attempts"),
                            "",
                            ""};
    yx_snprintf(c->state, sizeof c->state, "%s", yx_rows_str(rows, i, "state"));
    yx_snprintf(c->title, sizeof c->title, "%s", yx_rows_str(rows, i, "title"));
    const char *level = yx_rows_str(rows, i, "caller_level");
    struct yx_course_facts f = {.facility_id = c->facility_id,
                                .province_id = c->province_id,
                                .state = c->state,
                                .target_roles = yx_rows_str(rows, i, "target_roles"),
                                .target_levels = yx_rows_str(rows, i, "target_levels"),
                                .level = level ? level : "",
                                .named_trainer = yx_rows_i64(rows, i, "named_trainer") > 0,
                                .named_enrolled = yx_rows_i64(rows, i, "named_enrolled") > 0,
                                .site_enrolled = yx_rows_i64(rows, i, "site_enrolled") > 0};
    c->relation = yx_course_relation(&r->who, &f);
}

struct yx_resource yx_course_resource(const struct yx_course *c, int need)
{
    return (struct yx_resource){.kind = YX_RES_COURSE,
                                .facility_id = c->facility_id,
                                .province_id = c->province_id,
                                .state = c->state,
                                .relation = c->relation,
                                .need = need};
}

int yx_course_may(const struct yx_req *r, const struct yx_course *c, int relations)
{
    struct yx_resource res = yx_course_resource(c, relations);
    return yx_authorize(&r->who, YX_A_WRITE, &res) == 0;
}

int yx_course_find_many(struct yx_req *r, const int64_t *ids, int n, struct yx_course *out, int *found)
{
    const struct yx_principal *w = &r->who;
    struct yx_param pre[] = {YX_PI(w->user_id), YX_PI(w->facility_id), YX_PI(w->user_id),
                             YX_PI(w->facility_id)};
    struct yx_rows *rows = NULL;
    *found = 0;
    if (n < 1)
        return 0;
    int rc = yx_db_exec_in(r->db, COURSE_HEAD, ")", pre, 4, ids, n, &rows);
    for (int k = 0; rc == 0 && k < n; k++)
        for (int i = 0; i < rows->nrows; i++) {
            if (yx_rows_i64(rows, i, "id") != ids[k])
                continue;
            struct yx_course *c = &out[*found];
            course_from_row(r, rows, i, c);
            struct yx_resource res = yx_course_resource(c, 0);
            if (yx_authorize(&r->who, YX_A_READ, &res) == 0)
                (*found)++;
            break;
        }
    yx_rows_free(rows);
    return rc;
}

int yx_course_find(struct yx_req *r, int64_t id, struct yx_course *c)
{
    int found = 0;
    int rc = yx_course_find_many(r, &id, 1, c, &found);
    return rc ? rc : found ? 0 : YX_ENOTFOUND;
}

int yx_course_load_id(struct yx_req *r, int64_t id, struct yx_course *c)
{
    int rc = yx_course_find(r, id, c);
    if (rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không có khoá học này / no such course.");
    if (rc == 0)
        yx_audit_target(r, c->id);
    return rc;
}

int yx_course_load(struct yx_req *r, int param, struct yx_course *c)
{
    int64_t id;
    *c = (struct yx_course){0};
    int rc = yx_param_id(r, param, &id);
    return rc ? rc : yx_course_load_id(r, id, c);
}

int yx_course_require(struct yx_req *r, const struct yx_course *c, int relations, const char *who_may)
{
    struct yx_resource res = yx_course_resource(c, relations);
    int rc = yx_authorize(&r->who, YX_A_WRITE, &res);
    if (rc != YX_EFORBIDDEN)
        return rc ? yx_deny(r, rc) : 0;
    return yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL, "Việc này do %s làm / this is done by %s.",
                        who_may, who_may);
}
