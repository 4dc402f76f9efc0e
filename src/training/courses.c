/* Courses: a hub's trainers or administrators make one (a draft), change it, publish it for the
 * roles and facility levels it is for, and archive it; its materials are course-material files the
 * hub stored (slides, short videos) or https links. Enrolled people read the files through the
 * files workflow, which asks the course owner (yx_course_file_owner) registered by src/app. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "training.h"
#include "ytexa/files.h"
#include "ytexa/training.h"

static const char *const target_roles[] = {"health_worker", "doctor", "specialist", NULL};
static const char *const target_levels[] = {"commune", "district", "provincial", "central", NULL};
static const int makers = YX_COURSE_TRAINER | YX_COURSE_ADMIN;
#define MAKERS "giảng viên hoặc quản trị của cơ sở mở khoá / the course's trainers or administrators"
#define MAX_MATERIALS 100

static json_t *trainer_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_int(r, i, 0), "full_name", yx_rows_get(r, i, 1));
}

static json_t *material_row(const struct yx_rows *r, int i)
{
    char url[64];
    int file = !yx_rows_null(r, i, "file_id");
    if (file)
        snprintf(url, sizeof url, "/api/v1/files/%lld", (long long)yx_rows_i64(r, i, "file_id"));
    return json_pack("{s:I,s:s,s:o,s:o,s:s}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "title",
                     yx_rows_str(r, i, "title"), "file_id", yx_json_id_or_null(r, i, "file_id"), "url",
                     yx_json_str_or_null(yx_rows_str(r, i, "url")), "download_url",
                     file ? url : yx_rows_str(r, i, "url"));
}

json_t *yx_session_row(const struct yx_rows *r, int i)
{
    return json_pack(
        "{s:I,s:I,s:s,s:s,s:o,s:i,s:s,s:o,s:o,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "course_id",
        (json_int_t)yx_rows_i64(r, i, "course_id"), "kind", yx_rows_str(r, i, "kind"), "title",
        yx_rows_str(r, i, "title"), "starts_at", yx_json_time_or_null(r, i, "starts_at"), "minutes",
        (int)yx_rows_i64(r, i, "minutes"), "state", yx_rows_str(r, i, "state"), "started_at",
        yx_json_time_or_null(r, i, "started_at"), "ended_at", yx_json_time_or_null(r, i, "ended_at"),
        "consult_id", yx_json_id_or_null(r, i, "consult_id"));
}

static json_t *json_array_text(const char *text)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    return a ? a : json_array();
}

/* Several courses' JSON is read with four queries, not four a course (yx_db_exec_in). */
/* {"<course id>": [fill(row) …]} from the rows of the courses ids; the column key holds the course
 * id. */
static json_t *grouped(struct yx_db *db, const char *head, const char *tail, const int64_t *ids, int n,
                       const char *key, json_t *(*fill)(const struct yx_rows *, int))
{
    struct yx_rows *rows = NULL;
    json_t *by = json_object();
    if (by && yx_db_exec_in(db, head, tail, NULL, 0, ids, n, &rows) == 0)
        for (int i = 0; i < rows->nrows; i++) {
            json_t *list = json_object_get(by, yx_rows_str(rows, i, key));
            if (!list && json_object_set_new(by, yx_rows_str(rows, i, key), list = json_array()) != 0)
                break;
            json_array_append_new(list, fill(rows, i));
        }
    yx_rows_free(rows);
    return by;
}

/* The course's list in by (a new reference), or an empty one. */
static json_t *part(json_t *by, int64_t id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    json_t *list = json_object_get(by, key);
    return list ? json_incref(list) : json_array();
}

static json_t *course_json(const struct yx_course *c, const struct yx_rows *rows, int i, json_t *trainers,
                           json_t *materials, json_t *sessions)
{
    int64_t questions = yx_rows_i64(rows, i, "questions");
    json_t *out = json_pack(
        "{s:I,s:s,s:s,s:o,s:o,s:o,s:f,s:i,s:i,s:i,s:{s:I,s:s},s:s,s:o,s:o}", "id", (json_int_t)c->id, "title",
        yx_rows_str(rows, i, "title"), "description", yx_rows_str(rows, i, "description"), "specialty",
        yx_json_str_or_null(yx_rows_str(rows, i, "specialty")), "target_roles",
        json_array_text(yx_rows_str(rows, i, "target_roles")), "target_levels",
        json_array_text(yx_rows_str(rows, i, "target_levels")), "credit_hours",
        yx_rows_i64(rows, i, "credit_minutes") / 60.0, "attendance_pass_pct",
        (int)yx_rows_i64(rows, i, "attendance_pass_pct"), "quiz_pass_pct",
        (int)yx_rows_i64(rows, i, "quiz_pass_pct"), "quiz_max_attempts",
        (int)yx_rows_i64(rows, i, "quiz_max_attempts"), "facility", "id",
        (json_int_t)yx_rows_i64(rows, i, "facility_id"), "name", yx_rows_str(rows, i, "facility_name"),
        "state", yx_rows_str(rows, i, "state"), "created_at", yx_json_time_or_null(rows, i, "created_at"),
        "updated_at", yx_json_time_or_null(rows, i, "updated_at"));
    if (!out) {
        json_decref(trainers);
        json_decref(materials);
        json_decref(sessions);
        return NULL;
    }
    json_object_set_new(out, "trainers", trainers);
    json_object_set_new(out, "materials", materials);
    json_object_set_new(out, "sessions", sessions);
    json_object_set_new(out, "quiz",
                        questions ? json_pack("{s:I}", "questions", (json_int_t)questions) : json_null());
    int m = c->relation;
    json_object_set_new(out, "my",
                        json_pack("{s:b,s:b,s:b,s:b,s:b,s:b}", "trainer", (m & YX_COURSE_TRAINER) != 0,
                                  "admin", (m & YX_COURSE_ADMIN) != 0, "enrolled",
                                  (m & YX_COURSE_ENROLLED) != 0, "eligible", (m & YX_COURSE_ELIGIBLE) != 0,
                                  "site", (m & YX_COURSE_SITE) != 0, "site_admin",
                                  (m & YX_COURSE_SITE_ADMIN) != 0));
    return out;
}

/* The JSON of n courses (at most YX_DB_IN_MAX), in their order; a course no longer there is
 * left out. NULL when the database fails. */
static json_t *courses_json(struct yx_req *r, const struct yx_course *cs, int n)
{
    int64_t ids[YX_DB_IN_MAX];
    struct yx_rows *rows = NULL;
    for (int i = 0; i < n && i < YX_DB_IN_MAX; i++)
        ids[i] = cs[i].id;
    if (n < 1 || n > YX_DB_IN_MAX)
        return n < 1 ? json_array() : NULL;
    if (yx_db_exec_in(
            r->db,
            "SELECT c.title, c.description, c.specialty, c.target_roles, c.target_levels, c.credit_minutes, "
            "c.attendance_pass_pct, c.quiz_pass_pct, c.quiz_max_attempts, c.facility_id, "
            "f.name AS facility_name, c.state, c.created_at, c.updated_at, "
            "(SELECT COUNT(*) FROM quiz_questions q WHERE q.course_id = c.id) AS questions, "
            "c.id FROM courses c JOIN facilities f ON f.id = c.facility_id WHERE c.id IN (",
            ")", NULL, 0, ids, n, &rows) != 0)
        return NULL;
    json_t *trainers = grouped(r->db,
                               "SELECT u.id, u.full_name, t.course_id FROM course_trainers t JOIN users u ON "
                               "u.id = t.user_id WHERE t.course_id IN (",
                               ") ORDER BY t.course_id, u.id", ids, n, "course_id", trainer_row);
    json_t *materials =
        grouped(r->db,
                "SELECT id, title, file_id, url, course_id FROM course_materials WHERE course_id "
                "IN (",
                ") ORDER BY course_id, position, id", ids, n, "course_id", material_row);
    json_t *sessions = grouped(
        r->db, "SELECT " YX_SESSION_COLUMNS " FROM course_sessions WHERE course_id IN (",
        ") ORDER BY course_id, COALESCE(starts_at, created_at), id", ids, n, "course_id", yx_session_row);
    json_t *out = json_array();
    for (int k = 0; k < n && out; k++)
        for (int i = 0; i < rows->nrows; i++)
            if (yx_rows_i64(rows, i, "id") == cs[k].id) {
                json_t *one = course_json(&cs[k], rows, i, part(trainers, cs[k].id),
                                          part(materials, cs[k].id), part(sessions, cs[k].id));
                if (one)
                    json_array_append_new(out, one);
                break;
            }
    json_decref(trainers);
    json_decref(materials);
    json_decref(sessions);
    yx_rows_free(rows);
    return out;
}

json_t *yx_course_json(struct yx_req *r, const struct yx_course *c)
{
    json_t *all = courses_json(r, c, 1);
    json_t *one = json_array_size(all) == 1 ? json_incref(json_array_get(all, 0)) : NULL;
    json_decref(all);
    return one;
}

int yx_course_state_in(struct yx_req *r, const struct yx_course *c, const char *const *states)
{
    if (yx_one_of(c->state, states))
        return 0;
    return yx_fail_code(r, YX_ECONFLICT, "course_state", json_pack("{s:s}", "state", c->state),
                        "Khoá học đang ở trạng thái '%s', không làm được việc này / the course is %s; this "
                        "cannot be done now.",
                        c->state, c->state);
}

static int answer_course(struct yx_req *r, int status, int64_t id)
{
    struct yx_course c;
    int rc = yx_course_find(r, id, &c);
    json_t *out = rc == 0 ? yx_course_json(r, &c) : NULL;
    return out ? yx_reply(r, status, out) : rc ? rc : YX_EDB;
}

/* A JSON array of distinct strings each one of allowed, 1 to max of them, as compact JSON text
 * into *text (in the arena). */
static int string_set(struct yx_req *r, const char *field, const char *const *allowed, size_t max,
                      const char *what, const char **text)
{
    json_t *a = json_object_get(r->json, field), *v;
    size_t i, n = json_array_size(a);
    if (n < 1 || n > max)
        return yx_fail_field(r, YX_EINVAL, field, "%s: từ 1 đến %zu trong số %s / %s: 1 to %zu of %s.", field,
                             max, what, field, max, what);
    json_array_foreach(a, i, v)
    {
        if (!yx_one_of(json_string_value(v), allowed))
            return yx_fail_field(r, YX_EINVAL, field, "%s: mỗi mục là một trong %s / %s: each is one of %s.",
                                 field, what, field, what);
        for (size_t k = 0; k < i; k++)
            if (json_equal(v, json_array_get(a, k)))
                return yx_fail_field(r, YX_EINVAL, field, "%s: '%s' bị lặp lại / %s: '%s' is listed twice.",
                                     field, json_string_value(v), field, json_string_value(v));
    }
    char *s = json_dumps(a, JSON_COMPACT);
    *text = s ? yx_arena_strdup(&r->arena, s) : NULL;
    free(s);
    return *text ? 0 : YX_ENOMEM;
}

/* The input of POST and PATCH checked beyond its types (absent fields are left alone). */
struct course_input {
    const char *roles, *levels;
    int credit_minutes; /* 0: absent */
};

static int check_course(struct yx_req *r, int64_t facility_id, struct course_input *in)
{
    int rc;
    *in = (struct course_input){0};
    if (json_object_get(r->json, "target_roles") &&
        (rc =
             string_set(r, "target_roles", target_roles, 3, "health_worker, doctor, specialist", &in->roles)))
        return rc;
    if (json_object_get(r->json, "target_levels") &&
        (rc = string_set(r, "target_levels", target_levels, 4, "commune, district, provincial, central",
                         &in->levels)))
        return rc;
    json_t *h = json_object_get(r->json, "credit_hours");
    if (h && !json_is_null(h)) {
        double q = json_is_number(h) ? json_number_value(h) * 4 : -1;
        if (q < 1 || q > 400 || q != floor(q))
            return yx_fail_field(
                r, YX_EINVAL, "credit_hours",
                "Số giờ tín chỉ (credit_hours): từ 0,25 đến 100, theo từng phần tư giờ (1,5; 0,75 …) / "
                "credit_hours: 0.25 to 100, in quarter hours (1.5, 0.75 …).");
        in->credit_minutes = (int)q * 15;
    }
    const char *spec = yx_json_str(r->json, "specialty");
    struct yx_rows *rows = NULL;
    if (spec) {
        rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM specialties WHERE code = ?", YX_PT(spec));
        int known = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        rows = NULL;
        if (rc)
            return rc;
        if (!known)
            return yx_fail_field(r, YX_EINVAL, "specialty",
                                 "Chuyên khoa không có trong danh mục / unknown specialty.");
    }
    json_t *ids = json_object_get(r->json, "trainer_ids"), *v;
    size_t i;
    if (json_array_size(ids) > 20)
        return yx_fail_field(r, YX_EINVAL, "trainer_ids",
                             "Giảng viên (trainer_ids): tối đa 20 người / trainer_ids: at most 20.");
    json_array_foreach(ids, i, v)
    {
        if (!json_is_integer(v))
            return yx_fail_field(
                r, YX_EINVAL, "trainer_ids",
                "Giảng viên (trainer_ids): danh sách mã người dùng / trainer_ids: a list of user ids.");
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT 1 FROM users WHERE id = ? AND facility_id = ? AND active = 1 AND role IN ('trainer', "
            "'doctor', 'specialist')",
            YX_PI(json_integer_value(v)), YX_PI(facility_id));
        int ok = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        rows = NULL;
        if (rc)
            return rc;
        if (!ok)
            return yx_fail_field(
                r, YX_EINVAL, "trainer_ids",
                "Người %lld không phải giảng viên, bác sĩ của cơ sở mở khoá / user %lld is not a "
                "trainer or doctor of the course's facility.",
                (long long)json_integer_value(v), (long long)json_integer_value(v));
    }
    return 0;
}

/* Replaces the named trainers with trainer_ids when it was given (keep: a trainer to keep). */
static int put_trainers(struct yx_req *r, int64_t course_id, int64_t keep)
{
    json_t *ids = json_object_get(r->json, "trainer_ids"), *v;
    size_t i;
    int rc = 0;
    if (!json_is_array(ids))
        ids = NULL;
    if (ids)
        rc = YX_DB_Q(r->db, NULL, "DELETE FROM course_trainers WHERE course_id = ?", YX_PI(course_id));
    if (rc == 0 && keep)
        rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO course_trainers (course_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     YX_PI(course_id), YX_PI(keep));
    json_array_foreach(ids, i, v)
    {
        if (rc)
            break;
        rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO course_trainers (course_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     YX_PI(course_id), YX_PI(json_integer_value(v)));
    }
    return rc;
}

static const struct yx_field create_fields[] = {
    {"title", YX_F_STRING, 1, 3, 200},
    {"description", YX_F_STRING, 0, 0, 8000},
    {"specialty", YX_F_STRING, 0, 1, 32},
    {"target_roles", YX_F_ARRAY, 1, 0, 0},
    {"target_levels", YX_F_ARRAY, 1, 0, 0},
    {"credit_hours", YX_F_ANY, 1, 0, 0},
    {"attendance_pass_pct", YX_F_INT, 0, 1, 100},
    {"quiz_pass_pct", YX_F_INT, 0, 1, 100},
    {"quiz_max_attempts", YX_F_INT, 0, 1, 20},
    {"trainer_ids", YX_F_ARRAY, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

static const struct yx_field change_fields[] = {
    {"title", YX_F_STRING, 0, 3, 200},
    {"description", YX_F_STRING, 0, 0, 8000},
    {"specialty", YX_F_STRING, 0, 1, 32},
    {"target_roles", YX_F_ARRAY, 0, 0, 0},
    {"target_levels", YX_F_ARRAY, 0, 0, 0},
    {"credit_hours", YX_F_ANY, 0, 0, 0},
    {"attendance_pass_pct", YX_F_INT, 0, 1, 100},
    {"quiz_pass_pct", YX_F_INT, 0, 1, 100},
    {"quiz_max_attempts", YX_F_INT, 0, 1, 20},
    {"trainer_ids", YX_F_ARRAY, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/courses — a trainer or administrator of a facility makes a draft course of it. */
static int course_create(struct yx_req *r)
{
    struct course_input in;
    struct yx_rows *rows = NULL;
    int rc;
    struct yx_resource home = {.kind = YX_RES_COURSE, .facility_id = r->who.facility_id};
    if (yx_authorize(&r->who, YX_A_ADMIN, &home) != 0)
        return yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL,
                            "Chỉ giảng viên hoặc quản trị cơ sở mở khoá học / only a trainer or a facility "
                            "administrator makes courses.");
    if ((rc = yx_body(r, create_fields)) != 0 || (rc = check_course(r, r->who.facility_id, &in)) != 0)
        return rc;
    int64_t now = yx_now_ms();
    const char *desc = yx_json_str(r->json, "description");
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO courses (title, description, specialty, target_roles, target_levels, credit_minutes, "
        "attendance_pass_pct, quiz_pass_pct, quiz_max_attempts, facility_id, state, created_by, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id",
        YX_PT(yx_json_str(r->json, "title")), YX_PT(desc ? desc : ""),
        YX_PT(yx_json_str(r->json, "specialty")), YX_PT(in.roles), YX_PT(in.levels), YX_PI(in.credit_minutes),
        YX_PI(yx_json_int(r->json, "attendance_pass_pct", 80)),
        YX_PI(yx_json_int(r->json, "quiz_pass_pct", 70)), YX_PI(yx_json_int(r->json, "quiz_max_attempts", 3)),
        YX_PI(r->who.facility_id), YX_PI(r->who.user_id), YX_PI(now), YX_PI(now));
    int64_t id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc == 0 && !id)
        rc = YX_EDB;
    /* The trainer who made it is named among its trainers, whatever trainer_ids says: a maker who is
     * a trainer of the course without being named. */
    struct yx_course_facts made = {.facility_id = r->who.facility_id, .state = "draft"};
    int trainer = (yx_course_relation(&r->who, &made) & YX_COURSE_TRAINER) != 0;
    if (rc == 0)
        rc = put_trainers(r, id, trainer ? r->who.user_id : 0);
    if (rc)
        return rc;
    yx_audit_target(r, id);
    return answer_course(r, 201, id);
}

/* GET /api/v1/courses/:id */
static int course_get(struct yx_req *r)
{
    struct yx_course c;
    int rc = yx_course_load(r, 0, &c);
    json_t *out = rc == 0 ? yx_course_json(r, &c) : NULL;
    return out ? yx_reply(r, 200, out) : rc ? rc : YX_EDB;
}

/* PATCH /api/v1/courses/:id — the fields of POST; not once archived. */
static int course_change(struct yx_req *r)
{
    static const char *const open_states[] = {"draft", "published", NULL};
    struct yx_course c;
    struct course_input in;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_body(r, change_fields)) != 0 || (rc = yx_course_state_in(r, &c, open_states)) != 0 ||
        (rc = check_course(r, c.facility_id, &in)) != 0)
        return rc;
    json_t *j = r->json;
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE courses SET title = COALESCE(?, title), description = COALESCE(?, description), "
        "specialty = COALESCE(?, specialty), target_roles = COALESCE(?, target_roles), target_levels = "
        "COALESCE(?, target_levels), credit_minutes = COALESCE(?, credit_minutes), attendance_pass_pct = "
        "COALESCE(?, attendance_pass_pct), quiz_pass_pct = COALESCE(?, quiz_pass_pct), "
        "quiz_max_attempts = COALESCE(?, quiz_max_attempts), updated_at = ? WHERE id = ?",
        YX_PT(yx_json_str(j, "title")), YX_PT(yx_json_str(j, "description")),
        YX_PT(yx_json_str(j, "specialty")), YX_PT(in.roles), YX_PT(in.levels),
        in.credit_minutes ? YX_PI(in.credit_minutes) : YX_PN,
        json_is_integer(json_object_get(j, "attendance_pass_pct"))
            ? YX_PI(yx_json_int(j, "attendance_pass_pct", 0))
            : YX_PN,
        json_is_integer(json_object_get(j, "quiz_pass_pct")) ? YX_PI(yx_json_int(j, "quiz_pass_pct", 0))
                                                             : YX_PN,
        json_is_integer(json_object_get(j, "quiz_max_attempts"))
            ? YX_PI(yx_json_int(j, "quiz_max_attempts", 0))
            : YX_PN,
        YX_PI(yx_now_ms()), YX_PI(c.id));
    if (rc == 0)
        rc = put_trainers(r, c.id, 0);
    return rc ? rc : answer_course(r, 200, c.id);
}

/* Moves the course from `from` to `to`. */
static int course_move(struct yx_req *r, const char *from, const char *to)
{
    const char *const states[] = {from, NULL};
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_no_body(r)) != 0 || (rc = yx_course_state_in(r, &c, states)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 "UPDATE courses SET state = ?, updated_at = ? WHERE id = ? AND state = ? RETURNING id",
                 YX_PT(to), YX_PI(yx_now_ms()), YX_PI(c.id), YX_PT(from));
    int moved = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !moved)
        rc =
            yx_fail_code(r, YX_ECONFLICT, "course_state", NULL,
                         "Khoá học vừa được người khác thay đổi / someone else changed the course just now.");
    return rc ? rc : answer_course(r, 200, c.id);
}

/* POST /api/v1/courses/:id/publish — draft → published: the people it is for see it. */
static int course_publish(struct yx_req *r)
{
    return course_move(r, "draft", "published");
}

/* POST /api/v1/courses/:id/archive — published → archived: no more enrolments or sessions; its
 * records and certificates stay. */
static int course_archive(struct yx_req *r)
{
    return course_move(r, "published", "archived");
}

/* The caller's facility level, or "" when they have none. */
static int caller_level(struct yx_req *r, char level[16])
{
    struct yx_rows *rows = NULL;
    level[0] = '\0';
    int rc = YX_DB_Q(r->db, &rows, "SELECT level FROM facilities WHERE id = ?", YX_PI(r->who.facility_id));
    if (rc == 0 && rows->nrows == 1)
        yx_snprintf(level, 16, "%s", yx_rows_get(rows, 0, 0));
    yx_rows_free(rows);
    return rc;
}

/* GET /api/v1/courses?scope=mine|available&cursor&limit — mine: what the caller trains,
 * administers, is enrolled in or whose site is; available: published courses the caller may
 * enrol in (themselves, or their facility for its administrator). */
static int course_list(struct yx_req *r)
{
    const char *scope = yx_query(r, "scope");
    int64_t after, limit;
    int rc;
    char level[16], role_like[40], level_like[24];
    struct yx_rows *rows = NULL;
    if (scope && strcmp(scope, "mine") != 0 && strcmp(scope, "available") != 0)
        return yx_fail_field(
            r, YX_EINVAL, "scope",
            "scope là mine (của tôi) hoặc available (có thể đăng ký) / scope is mine or available.");
    if ((rc = yx_page(r, &after, &limit)) != 0 || (rc = caller_level(r, level)) != 0)
        return rc;
    int available = scope && strcmp(scope, "available") == 0;
    const struct yx_principal *w = &r->who;
    snprintf(role_like, sizeof role_like, "%%\"%s\"%%", w->role);
    snprintf(level_like, sizeof level_like, "%%\"%s\"%%", level);
    /* The candidates are found by what yx_course_relation() then decides on: the courses of the
     * caller's facility when it runs them, those of an administrator's scope, those its facility
     * may enrol in. */
    int runs = yx_runs_facility_courses(w), site = yx_enrols_facility(w);
    struct yx_scope over = {YX_SCOPE_FACILITY, 0};
    if (yx_scope(w, YX_RES_COURSE, &over) != 0)
        over = (struct yx_scope){YX_SCOPE_FACILITY, 0};
    /* Available leaves out, in the query so that a page is full, what the caller is in already:
     * their facility's enrolment, or their own (unless they could still enrol their facility). */
    if (available)
        rc = YX_DB_Q(r->db, &rows,
                     "SELECT c.id FROM courses c WHERE c.id > ? AND c.state = 'published' AND ? > 0 AND "
                     "(c.target_levels = '[]' OR c.target_levels LIKE ?) AND (c.target_roles = '[]' OR "
                     "c.target_roles LIKE ? OR ? = 1) AND NOT EXISTS (SELECT 1 FROM enrolments e "
                     "WHERE e.course_id = c.id AND e.facility_id = ? AND e.withdrawn_at IS NULL) AND (? = 1 "
                     "OR NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND "
                     "e.user_id = ? AND e.withdrawn_at IS NULL)) ORDER BY c.id LIMIT ?",
                     YX_PI(after), YX_PI(w->facility_id), YX_PT(level_like), YX_PT(role_like), YX_PI(site),
                     YX_PI(w->facility_id), YX_PI(site), YX_PI(w->user_id), YX_PI(limit + 1));
    else
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT c.id FROM courses c JOIN facilities f ON f.id = c.facility_id WHERE c.id > ? AND (EXISTS "
            "(SELECT 1 FROM course_trainers t WHERE t.course_id = c.id AND t.user_id = ?) OR (c.facility_id "
            "= "
            "? AND ? = 1) OR ? = 1 OR (? = 1 AND "
            "f.province_id = ?) OR (c.state <> 'draft' AND EXISTS (SELECT 1 FROM enrolments e WHERE "
            "e.course_id = c.id AND e.withdrawn_at IS NULL AND (e.user_id = ? OR e.facility_id = ?)))) ORDER "
            "BY c.id LIMIT ?",
            YX_PI(after), YX_PI(w->user_id), YX_PI(w->facility_id), YX_PI(runs),
            YX_PI(over.kind == YX_SCOPE_ALL), YX_PI(over.kind == YX_SCOPE_PROVINCE), YX_PI(over.id),
            YX_PI(w->user_id), YX_PI(w->facility_id), YX_PI(limit + 1));
    if (rc)
        return rc;
    struct yx_course *kept = calloc((size_t)limit + 1, sizeof *kept);
    int64_t ids[YX_DB_IN_MAX];
    int n = 0, found = 0;
    for (int i = 0; i < rows->nrows && i < limit && i < YX_DB_IN_MAX; i++)
        ids[n++] = yx_rows_int(rows, i, 0);
    if (kept && (rc = yx_course_find_many(r, ids, n, kept, &found)) != 0) {
        free(kept);
        yx_rows_free(rows);
        return rc;
    }
    n = 0;
    for (int i = 0; kept && i < found; i++) {
        /* Available: not yet enrolled (or, for a site's administrator, the site not yet). */
        int m = kept[i].relation;
        if (!available || (m & YX_COURSE_ELIGIBLE && !(m & YX_COURSE_ENROLLED)) ||
            (m & YX_COURSE_SITE_ADMIN && !(m & YX_COURSE_SITE)))
            kept[n++] = kept[i];
    }
    json_t *items = kept ? courses_json(r, kept, n) : NULL;
    int oom = !kept;
    free(kept);
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_int(rows, (int)limit - 1, 0) : 0;
    yx_rows_free(rows);
    if (!items)
        return oom ? YX_ENOMEM : YX_EDB;
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

static const struct yx_field material_fields[] = {
    {"title", YX_F_STRING, 1, 1, 200},
    {"file_id", YX_F_INT, 0, 1, INT64_MAX},
    {"url", YX_F_STRING, 0, 12, 2000},
    {NULL, 0, 0, 0, 0},
};

/* An https link with no spaces or control characters. */
static int url_ok(const char *u)
{
    if (strncmp(u, "https://", 8) != 0 || !u[8] || u[8] == '/')
        return 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

/* A file a course may take: stored by the course's facility as course material, and readable by
 * the caller (their own upload, or a material of a course they run). A file the caller may not
 * read — a consultation's X-ray among them — answers like one that does not exist; a clinical
 * file the caller may read is refused by name: it can never become course material. */
static int material_file(struct yx_req *r, const struct yx_course *c, int64_t file)
{
    struct yx_file_ref f;
    int rc = yx_file_readable(r, file, &f);
    if ((rc == 0 && f.facility_id != c->facility_id) || rc == YX_ENOTFOUND)
        return yx_fail_field(r, YX_EINVAL, "file_id",
                             "Không có tệp %lld do cơ sở mở khoá lưu / no file %lld stored by the course's "
                             "facility.",
                             (long long)file, (long long)file);
    if (rc == 0 && strcmp(f.purpose, "course_material") != 0)
        return yx_fail_code(
            r, YX_ECONFLICT, "not_course_material", json_pack("{s:s}", "field", "file_id"),
            "Tệp %lld là tệp chuyên môn của người bệnh, không dùng làm tài liệu khoá học; hãy "
            "tải lên tài liệu với purpose course_material / file %lld is part of a patient's "
            "care and can never be course material: upload the material with purpose "
            "course_material.",
            (long long)file, (long long)file);
    return rc;
}

/* POST /api/v1/courses/:id/materials {title, file_id | url} */
static int material_add(struct yx_req *r)
{
    static const char *const open_states[] = {"draft", "published", NULL};
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_body(r, material_fields)) != 0 || (rc = yx_course_state_in(r, &c, open_states)) != 0)
        return rc;
    int64_t file = yx_json_int(r->json, "file_id", 0);
    const char *url = yx_json_str(r->json, "url");
    if ((file != 0) == (url != NULL))
        return yx_fail_field(
            r, YX_EINVAL, file ? "url" : "file_id",
            "Một tài liệu là một tệp (file_id) hoặc một đường dẫn (url) / a material is either a "
            "file_id or a url.");
    if (url && !url_ok(url))
        return yx_fail_field(
            r, YX_EINVAL, "url",
            "url: một liên kết https:// không có dấu cách / url: an https:// link without spaces.");
    if (file && (rc = material_file(r, &c, file)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO course_materials (course_id, position, title, file_id, url, added_by, added_at) "
        "SELECT ?, COALESCE(MAX(position), 0) + 1, ?, ?, ?, ?, ? FROM course_materials WHERE course_id "
        "= ? HAVING COUNT(*) < ? RETURNING id, title, file_id, url",
        YX_PI(c.id), YX_PT(yx_json_str(r->json, "title")), file ? YX_PI(file) : YX_PN, YX_PT(url),
        YX_PI(r->who.user_id), YX_PI(yx_now_ms()), YX_PI(c.id), YX_PI(MAX_MATERIALS));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_code(r, YX_ECONFLICT, "too_many_materials", NULL,
                          "Một khoá học có tối đa %d tài liệu / a course has at most %d materials.",
                          MAX_MATERIALS, MAX_MATERIALS);
    json_t *out = rc == 0 ? material_row(rows, 0) : NULL;
    yx_rows_free(rows);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE courses SET updated_at = ? WHERE id = ?", YX_PI(yx_now_ms()),
                     YX_PI(c.id));
    if (rc) {
        json_decref(out);
        return rc;
    }
    return yx_reply(r, 201, out);
}

/* DELETE /api/v1/courses/:id/materials/:mid */
static int material_delete(struct yx_req *r)
{
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t mid;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_param_id(r, 1, &mid)) != 0 || (rc = yx_no_body(r)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows, "DELETE FROM course_materials WHERE id = ? AND course_id = ? RETURNING id",
                 YX_PI(mid), YX_PI(c.id));
    int gone = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !gone)
        rc = yx_fail(r, YX_ENOTFOUND, "Không có tài liệu này / no such material.");
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE courses SET updated_at = ? WHERE id = ?", YX_PI(yx_now_ms()),
                     YX_PI(c.id));
    return rc ? rc : yx_reply(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)mid, "deleted", 1));
}

/* A course material is read by the people of a course it belongs to: its trainers, the
 * administrators over its facility and those enrolled, wherever they work. */
static int reads_file(struct yx_req *r, int64_t file_id, int *attached, int *yes)
{
    struct yx_rows *rows = NULL;
    struct yx_course c;
    *yes = 0;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT DISTINCT course_id FROM course_materials WHERE file_id = ? ORDER BY course_id",
                     YX_PI(file_id));
    *attached = rc == 0 && rows->nrows > 0;
    for (int i = 0; rc == 0 && i < rows->nrows && !*yes; i++) {
        int found = yx_course_find(r, yx_rows_int(rows, i, 0), &c);
        if (found != 0 && found != YX_ENOTFOUND)
            rc = found;
        *yes = found == 0 && yx_course_may(r, &c, YX_COURSE_TRAINER | YX_COURSE_ADMIN | YX_COURSE_ENROLLED);
    }
    yx_rows_free(rows);
    return rc;
}

const struct yx_file_owner yx_course_file_owner = {"course_material", reads_file};

const struct yx_route yx_course_routes[] = {
    {"POST", "/api/v1/courses", course_create, 0, "training.course_create", "course",
     YX_ROLE_TRAINER | YX_ROLE_FACILITY_ADMIN, create_fields},
    {"GET", "/api/v1/courses", course_list, 0, NULL, NULL, YX_STAFF, NULL},
    {"GET", "/api/v1/courses/:id", course_get, 0, NULL, NULL, YX_STAFF, NULL},
    {"PATCH", "/api/v1/courses/:id", course_change, 0, "training.course_change", "course", YX_COURSE_MAKERS,
     change_fields},
    {"POST", "/api/v1/courses/:id/publish", course_publish, 0, "training.course_publish", "course",
     YX_COURSE_MAKERS, NULL},
    {"POST", "/api/v1/courses/:id/archive", course_archive, 0, "training.course_archive", "course",
     YX_COURSE_MAKERS, NULL},
    {"POST", "/api/v1/courses/:id/materials", material_add, 0, "training.material_add", "course",
     YX_COURSE_MAKERS, material_fields},
    {"DELETE", "/api/v1/courses/:id/materials/:mid", material_delete, 0, "training.material_delete", "course",
     YX_COURSE_MAKERS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
