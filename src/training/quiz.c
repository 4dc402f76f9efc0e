/* The quiz that closes a course: multiple-choice questions set by its trainers, a pass mark and a
 * number of attempts. A learner never sees which choice is correct; once anyone has attempted the
 * quiz it no longer changes, so every attempt was scored against the same questions. A passed
 * attempt may complete the requirements of the course's credit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "training.h"

static const char *const learner_states[] = {"published", NULL};

/* The questions of the course (position, question, choices as JSON text, correct). */
static int questions(struct yx_db *db, int64_t course_id, struct yx_rows **rows)
{
    return YX_DB_Q(
        db, rows,
        "SELECT position, question, choices, correct FROM quiz_questions WHERE course_id = ? ORDER BY "
        "position",
        YX_PI(course_id));
}

/* The quiz as the caller may see it: with the correct choices for those who run the course. */
static int quiz_answer(struct yx_req *r, const struct yx_course *c, int status)
{
    struct yx_rows *qs = NULL, *mine = NULL;
    int staff = yx_course_may(r, c, YX_COURSE_RUNS);
    int rc = questions(r->db, c->id, &qs);
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, &mine,
            "SELECT attempt, score_pct, passed, submitted_at FROM quiz_attempts WHERE course_id = ? AND "
            "user_id = ? ORDER BY attempt",
            YX_PI(c->id), YX_PI(r->who.user_id));
    json_t *items = json_array(), *attempts = json_array();
    for (int i = 0; rc == 0 && i < qs->nrows; i++) {
        json_t *q = json_pack("{s:I,s:s,s:o}", "position", (json_int_t)yx_rows_i64(qs, i, "position"),
                              "question", yx_rows_str(qs, i, "question"), "choices",
                              json_loads(yx_rows_str(qs, i, "choices"), 0, NULL));
        if (q && staff)
            json_object_set_new(q, "correct", json_integer(yx_rows_i64(qs, i, "correct")));
        json_array_append_new(items, q);
    }
    for (int i = 0; rc == 0 && i < mine->nrows; i++)
        json_array_append_new(attempts, json_pack("{s:I,s:I,s:b,s:o}", "attempt",
                                                  (json_int_t)yx_rows_i64(mine, i, "attempt"), "score_pct",
                                                  (json_int_t)yx_rows_i64(mine, i, "score_pct"), "passed",
                                                  (int)yx_rows_i64(mine, i, "passed"), "submitted_at",
                                                  yx_json_time_or_null(mine, i, "submitted_at")));
    yx_rows_free(qs);
    yx_rows_free(mine);
    if (rc) {
        json_decref(items);
        json_decref(attempts);
        return rc;
    }
    return yx_reply(r, status,
                    json_pack("{s:I,s:o,s:i,s:i,s:o}", "course_id", (json_int_t)c->id, "questions", items,
                              "pass_pct", c->quiz_pass_pct, "max_attempts", c->quiz_max_attempts,
                              "my_attempts", attempts));
}

/* GET /api/v1/courses/:id/quiz — the people enrolled (without the answers) and those who run or
 * oversee the course (with them). */
static int quiz_get(struct yx_req *r)
{
    struct yx_course c;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 ||
        (rc = yx_course_require(r, &c, YX_COURSE_ENROLLED | YX_COURSE_RUNS,
                                "người học đã ghi danh hoặc giảng viên / people enrolled and trainers")) != 0)
        return rc;
    return quiz_answer(r, &c, 200);
}

static const struct yx_field quiz_fields[] = {
    {"questions", YX_F_ARRAY, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};
static const struct yx_field question_fields[] = {
    {"question", YX_F_STRING, 1, 3, 2000},
    {"choices", YX_F_ARRAY, 1, 0, 0},
    {"correct", YX_F_INT, 1, 0, 5},
    {NULL, 0, 0, 0, 0},
};

/* Each question: its text, 2 to 6 choices (texts of 1 to 2000 bytes) and the correct one. A refusal
 * names the member it is about ("questions[1].choices[2]"), so the editor shows it there. */
static int check_questions(struct yx_req *r, json_t *qs)
{
    json_t *q, *ch;
    size_t i, k;
    char at[32], choice[24];
    if (json_array_size(qs) < 1 || json_array_size(qs) > 50)
        return yx_fail_field(r, YX_EINVAL, "questions",
                             "Bài kiểm tra có từ 1 đến 50 câu hỏi / A quiz has 1 to 50 questions.");
    json_array_foreach(qs, i, q)
    {
        if (!json_is_object(q))
            return yx_fail_field(r, YX_EINVAL, "questions",
                                 "Câu hỏi %zu không phải một đối tượng / Question %zu is not an object.",
                                 i + 1, i + 1);
        yx_snprintf(at, sizeof at, "questions[%zu]", i);
        if (yx_validate(r, q, question_fields) != 0)
            return yx_error_within(r, YX_EINVAL, at); /* the message names the member */
        json_t *choices = json_object_get(q, "choices");
        size_t n = json_array_size(choices);
        if (n < 2 || n > 6)
            return yx_error_within(
                r,
                yx_fail_field(r, YX_EINVAL, "choices",
                              "Câu hỏi %zu cần từ 2 đến 6 lựa chọn / Question %zu needs 2 to 6 choices.",
                              i + 1, i + 1),
                at);
        json_array_foreach(choices, k, ch)
        {
            const char *t = json_string_value(ch);
            size_t len = t ? strlen(t) : 0;
            yx_snprintf(choice, sizeof choice, "choices[%zu]", k);
            if (!t || !yx_utf8_valid(t, len) || len < 1 || len > 2000)
                return yx_error_within(
                    r,
                    yx_fail_field(r, YX_EINVAL, choice,
                                  "Lựa chọn %zu của câu hỏi %zu dài từ 1 đến 2000 byte / "
                                  "Choice %zu of question %zu is a text of 1 to 2000 bytes.",
                                  k + 1, i + 1, k + 1, i + 1),
                    at);
        }
        if ((size_t)json_integer_value(json_object_get(q, "correct")) >= n)
            return yx_error_within(
                r,
                yx_fail_field(r, YX_EINVAL, "correct",
                              "Câu hỏi %zu: đáp án đúng (correct) là số thứ tự (từ 0) của một "
                              "lựa chọn / Question %zu: correct is the index (from 0) of one "
                              "of its choices.",
                              i + 1, i + 1),
                at);
    }
    return 0;
}

/* PUT /api/v1/courses/:id/quiz {questions: [{question, choices, correct}]} — the trainers set the
 * quiz (replacing what was there) until someone attempts it. */
static int quiz_put(struct yx_req *r)
{
    static const char *const open_states[] = {"draft", "published", NULL};
    struct yx_course c;
    struct yx_rows *rows = NULL;
    json_t *q;
    size_t i;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 ||
        (rc = yx_course_require(r, &c, YX_COURSE_RUNS, YX_COURSE_RUNS_WHO)) != 0 ||
        (rc = yx_course_state_in(r, &c, open_states)) != 0 || (rc = yx_body(r, quiz_fields)) != 0 ||
        (rc = check_questions(r, json_object_get(r->json, "questions"))) != 0)
        return rc;
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT COUNT(*) FROM quiz_attempts WHERE course_id = ?", YX_PI(c.id))) !=
        0)
        return rc;
    int attempted = yx_rows_int(rows, 0, 0) > 0;
    yx_rows_free(rows);
    if (attempted)
        return yx_fail_code(r, YX_ECONFLICT, "quiz_locked", NULL,
                            "Đã có người làm bài; không sửa được đề nữa / someone has attempted the quiz: it "
                            "can no longer change.");
    rc = YX_DB_Q(r->db, NULL, "DELETE FROM quiz_questions WHERE course_id = ?", YX_PI(c.id));
    json_array_foreach(json_object_get(r->json, "questions"), i, q)
    {
        if (rc)
            break;
        char *choices = json_dumps(json_object_get(q, "choices"), JSON_COMPACT);
        rc = choices ? YX_DB_Q(r->db, NULL,
                               "INSERT INTO quiz_questions (course_id, position, question, choices, correct) "
                               "VALUES (?, ?, ?, ?, ?)",
                               YX_PI(c.id), YX_PI(i + 1), YX_PT(yx_json_str(q, "question")), YX_PT(choices),
                               YX_PI(json_integer_value(json_object_get(q, "correct"))))
                     : YX_ENOMEM;
        free(choices);
    }
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE courses SET updated_at = ? WHERE id = ?", YX_PI(yx_now_ms()),
                     YX_PI(c.id));
    return rc ? rc : quiz_answer(r, &c, 200);
}

static const struct yx_field attempt_fields[] = {
    {"answers", YX_F_ARRAY, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* Scores answers against the questions: 0 with *correct set, or 400 naming "answers". */
static int score(struct yx_req *r, const struct yx_rows *qs, json_t *answers, int *correct)
{
    *correct = 0;
    if (json_array_size(answers) != (size_t)qs->nrows)
        return yx_fail_field(r, YX_EINVAL, "answers",
                             "Trả lời mỗi câu một lựa chọn (số thứ tự) cho cả %d câu hỏi / Give one answer "
                             "(a choice's index) for each of the %d questions.",
                             qs->nrows, qs->nrows);
    for (int i = 0; i < qs->nrows; i++) {
        json_t *a = json_array_get(answers, (size_t)i),
               *choices = json_loads(yx_rows_str(qs, i, "choices"), 0, NULL);
        size_t n = json_array_size(choices);
        json_decref(choices);
        if (!json_is_integer(a) || json_integer_value(a) < 0 || (size_t)json_integer_value(a) >= n)
            return yx_fail_field(r, YX_EINVAL, "answers",
                                 "Câu trả lời %d là số thứ tự (từ 0) của một trong %zu lựa chọn / Answer %d "
                                 "is the index (from 0) of one of the question's %zu choices.",
                                 i + 1, n, i + 1, n);
        *correct += json_integer_value(a) == yx_rows_i64(qs, i, "correct");
    }
    return 0;
}

/* Attempts of one person at one course are numbered 1, 2, 3 … with no gap and checked against the
 * limit: on PostgreSQL two attempts sent at once take turns on a lock held to the end of the
 * transaction (SQLite's write transaction already serialises them). */
static int lock_attempts(struct yx_db *db, int64_t course_id, int64_t user_id)
{
    if (yx_db_dialect(db) != YX_POSTGRES)
        return 0;
    /* Two 32-bit keys: ids past 2^31 would only share a lock with another pair, never skip it. */
    return YX_DB_Q(db, NULL, "SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))",
                   YX_PI(course_id & 0x7fffffff), YX_PI(user_id & 0x7fffffff));
}

/* POST /api/v1/courses/:id/quiz/attempts {answers} — a person enrolled answers the quiz: 201
 * {attempt, score_pct, passed, attempts_left, credit?}; 409 "already_passed" after a pass, 409
 * "no_attempts_left" once the attempts are used up. */
static int quiz_attempt(struct yx_req *r)
{
    struct yx_course c;
    struct yx_rows *qs = NULL, *rows = NULL;
    int rc, correct = 0;
    int64_t credit = 0;
    if ((rc = yx_course_load(r, 0, &c)) != 0 ||
        (rc = yx_course_require(r, &c, YX_COURSE_ENROLLED, "người học đã ghi danh / people enrolled")) != 0 ||
        (rc = yx_course_state_in(r, &c, learner_states)) != 0 || (rc = yx_body(r, attempt_fields)) != 0 ||
        (rc = questions(r->db, c.id, &qs)) != 0)
        return rc;
    if (qs->nrows == 0)
        rc = yx_fail_code(r, YX_ECONFLICT, "no_quiz", NULL,
                          "Khoá học chưa có bài kiểm tra / the course has no quiz.");
    if (rc == 0)
        rc = score(r, qs, json_object_get(r->json, "answers"), &correct);
    int total = qs->nrows;
    yx_rows_free(qs);
    if (rc == 0)
        rc = lock_attempts(r->db, c.id, r->who.user_id);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows,
                     "SELECT COUNT(*), COALESCE(MAX(passed), 0) FROM quiz_attempts WHERE course_id = ? AND "
                     "user_id = ?",
                     YX_PI(c.id), YX_PI(r->who.user_id));
    if (rc)
        return rc;
    int64_t used = yx_rows_int(rows, 0, 0), passed_before = yx_rows_int(rows, 0, 1);
    yx_rows_free(rows);
    rows = NULL;
    if (passed_before)
        return yx_fail_code(r, YX_ECONFLICT, "already_passed", NULL,
                            "Bạn đã đạt bài kiểm tra này / you have passed this quiz already.");
    if (used >= c.quiz_max_attempts)
        return yx_fail_code(r, YX_ECONFLICT, "no_attempts_left", NULL,
                            "Bạn đã dùng hết %d lần làm bài / you have used all %d attempts.",
                            c.quiz_max_attempts, c.quiz_max_attempts);
    int pct = correct * 100 / total, passed = pct >= c.quiz_pass_pct;
    char *answers = json_dumps(json_object_get(r->json, "answers"), JSON_COMPACT);
    if (!answers)
        return YX_ENOMEM;
    /* The number is taken in the statement that inserts it; UNIQUE (course_id, user_id, attempt)
     * is the last guard. */
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO quiz_attempts (course_id, user_id, attempt, answers, score_pct, passed, submitted_at) "
        "SELECT ?, ?, COALESCE(MAX(attempt), 0) + 1, ?, ?, ?, ? FROM quiz_attempts WHERE course_id = ? "
        "AND user_id = ? RETURNING attempt",
        YX_PI(c.id), YX_PI(r->who.user_id), YX_PT(answers), YX_PI(pct), YX_PI(passed), YX_PI(yx_now_ms()),
        YX_PI(c.id), YX_PI(r->who.user_id));
    free(answers);
    int64_t attempt = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    rows = NULL;
    if (rc == 0 && passed)
        rc = yx_training_award(r->db, c.id, r->who.user_id, &credit);
    if (rc)
        return rc;
    json_t *out =
        json_pack("{s:I,s:i,s:b,s:I}", "attempt", (json_int_t)attempt, "score_pct", pct, "passed", passed,
                  "attempts_left", (json_int_t)(passed ? 0 : c.quiz_max_attempts - attempt));
    json_t *earned = credit ? yx_credit_json(r->db, credit) : NULL;
    if (earned)
        json_object_set_new(out, "credit", earned);
    return yx_reply(r, 201, out);
}

const struct yx_route yx_training_quiz_routes[] = {
    {"PUT", "/api/v1/courses/:id/quiz", quiz_put, 0, "training.quiz_set", "course", YX_COURSE_MAKERS,
     quiz_fields},
    {"GET", "/api/v1/courses/:id/quiz", quiz_get, 0, NULL, NULL, YX_STAFF, NULL},
    {"POST", "/api/v1/courses/:id/quiz/attempts", quiz_attempt, 0, "training.quiz_attempt", "course",
     YX_STAFF, attempt_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
