/* The consultation itself, after a hub accepted the case: who takes part (people and connection
 * points, a chair and a secretary), a live session or opinions sent at leisure (store-and-forward),
 * the chair's conclusion for each question and the recommendation; then the requester's outcome
 * (Circular 49/2017/TT-BYT) and closing. */
#include <stdio.h>
#include <string.h>

#include "consult.h"
#include "ytexa/realtime.h"

/* The number sql (SELECT COUNT(*) … WHERE consult_id = ?) counts for the case. */
static int count(struct yx_db *db, const char *sql, int64_t id, int64_t *n)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows, sql, YX_PI(id));
    *n = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc;
}

static const char *const discussing[] = {"accepted", "scheduled", "answered", NULL};

static const int chair_or_secretary = YX_SIDE_CHAIR | YX_SIDE_SECRETARY;
#define CHAIR_OR_SECRETARY "chủ trì hoặc thư ký / the chair or the secretary"

static const struct yx_field participant_fields[] = {
    {"user_id", YX_F_INT, 0, 1, INT64_MAX},
    {"facility_id", YX_F_INT, 0, 1, INT64_MAX},
    {"role", YX_F_STRING, 1, 1, 16},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/participants {user_id, role} or {facility_id, role: "site"} — the chair
 * or secretary invites a specialist or observer (of any facility) or a connection point. */
static int consult_participant_add(struct yx_req *r)
{
    static const char *const people[] = {"specialist", "observer", NULL};
    struct yx_consult c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, chair_or_secretary, CHAIR_OR_SECRETARY)) != 0 ||
        (rc = yx_consult_state_in(r, &c, discussing)) != 0 || (rc = yx_body(r, participant_fields)) != 0)
        return rc;
    const char *role = yx_json_str(r->json, "role");
    int64_t user = yx_json_int(r->json, "user_id", 0), facility = yx_json_int(r->json, "facility_id", 0);
    int site = strcmp(role, "site") == 0;
    if (!site && !yx_one_of(role, people))
        return yx_fail_field(r, YX_EINVAL, "role",
                             "Vai trò là chuyên gia (specialist), người dự (observer) hoặc cơ sở (site) / "
                             "role is specialist, observer or site.");
    if (site ? (!facility || user) : (!user || facility))
        return yx_fail(r, YX_EINVAL,
                       "Mời một cơ sở bằng facility_id, một người bằng user_id (không cả hai) / A site is "
                       "named by facility_id; a person by user_id (not both).");
    if (site)
        rc = YX_DB_Q(r->db, &rows, "SELECT id FROM facilities WHERE id = ? AND active = 1", YX_PI(facility));
    else
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT facility_id FROM users WHERE id = ? AND active = 1 AND facility_id IS NOT NULL AND "
            "role IN ('doctor', 'specialist', 'health_worker')",
            YX_PI(user));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_field(r, YX_EINVAL, site ? "facility_id" : "user_id",
                           site ? "Không có cơ sở đang hoạt động này / no such active facility."
                                : "Không phải nhân viên y tế đang làm việc / not an active clinician.");
    if (rc == 0)
        facility = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_consult_participant_add(r->db, &c, user, facility, role, r->who.user_id);
    if (rc == 0)
        rc = yx_consult_event(r->db, c.id,
                              &(struct yx_consult_event){site ? "site_added" : "participant_added", c.state,
                                                         c.state, role, 0, facility, r->who.user_id});
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

static const struct yx_field session_fields[] = {
    {"at", YX_F_STRING, 1, 16, 40},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/session {at} — a live session (video room in issue 5) at a time. */
static int consult_session(struct yx_req *r)
{
    static const char *const ok[] = {"accepted", "answered", "scheduled", NULL};
    struct yx_consult c;
    int64_t at;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, chair_or_secretary, CHAIR_OR_SECRETARY)) != 0 ||
        (rc = yx_consult_state_in(r, &c, ok)) != 0 || (rc = yx_body(r, session_fields)) != 0)
        return rc;
    if (yx_time_parse(yx_json_str(r->json, "at"), &at) != 0)
        return yx_fail_field(r, YX_EINVAL, "at",
                             "Thời điểm (at) là giờ ISO kèm múi giờ, ví dụ 2026-11-23T09:00:00+07:00 / at is "
                             "an ISO time with its offset, e.g. 2026-11-23T09:00:00+07:00.");
    if (at < yx_now_ms() - 3600000)
        return yx_fail_field(r, YX_EINVAL, "at", "Giờ hội chẩn đã qua / the session time is in the past.");
    if ((rc = YX_DB_Q(r->db, NULL, "UPDATE consults SET session_at = ? WHERE id = ?", YX_PI(at),
                      YX_PI(c.id))) != 0)
        return rc;
    if (strcmp(c.state, "scheduled") == 0)
        rc = yx_consult_event(
            r->db, c.id,
            &(struct yx_consult_event){"rescheduled", c.state, c.state, NULL, 0, 0, r->who.user_id});
    else
        rc = yx_consult_set_state(r, &c, "scheduled", "scheduled", NULL);
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

static const struct yx_field opinion_fields[] = {
    {"opinion", YX_F_STRING, 1, 5, 8000},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/opinions {opinion} — a doctor taking part (or of the hub) gives or
 * revises their opinion until the conclusion. The first opinion on an accepted case without a
 * session makes it answered (store-and-forward). */
static int consult_opinion(struct yx_req *r)
{
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_HUB | YX_SIDE_PARTICIPANT,
                              "bác sĩ tham gia hội chẩn / a doctor taking part")) != 0 ||
        (rc = yx_consult_state_in(r, &c, discussing)) != 0 || (rc = yx_body(r, opinion_fields)) != 0)
        return rc;
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(
        r->db, NULL,
        "INSERT INTO consult_opinions (consult_id, author_id, facility_id, opinion, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (consult_id, author_id) DO UPDATE SET opinion = "
        "excluded.opinion, updated_at = excluded.updated_at",
        YX_PI(c.id), YX_PI(r->who.user_id), YX_PI(r->who.facility_id), YX_PT(yx_json_str(r->json, "opinion")),
        YX_PI(now), YX_PI(now));
    if (rc == 0)
        rc = yx_consult_participant_add(r->db, &c, r->who.user_id, r->who.facility_id, "specialist",
                                        r->who.user_id);
    if (rc == 0 && strcmp(c.state, "accepted") == 0)
        rc = yx_consult_set_state(r, &c, "answered", "answered", NULL);
    /* A second opinion changes no state and records no event: its pages are told here. */
    else if (rc == 0)
        rc = yx_live_changed(r->db, "consult", c.id, "opinion");
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

static const char *const recommendations[] = {"treat_locally", "transfer", "more_tests", "another_consult",
                                              NULL};

static const struct yx_field conclusion_fields[] = {
    {"answers", YX_F_ARRAY, 1, 0, 0},
    {"recommendation", YX_F_STRING, 1, 1, 20},
    {"recommendation_note", YX_F_STRING, 0, 0, 4000},
    {NULL, 0, 0, 0, 0},
};

/* Writes each {question_id, conclusion} of answers; the case must have questions, and every one of
 * them must be answered. */
static int put_answers(struct yx_req *r, const struct yx_consult *c)
{
    json_t *answers = json_object_get(r->json, "answers"), *a;
    struct yx_rows *rows = NULL;
    size_t i;
    int rc = 0;
    json_array_foreach(answers, i, a)
    {
        const char *text = json_string_value(json_object_get(a, "conclusion"));
        json_t *q = json_object_get(a, "question_id");
        if (!json_is_object(a) || json_object_size(a) != 2 || !json_is_integer(q) || !text ||
            !yx_utf8_valid(text, strlen(text)) || strlen(text) < 2 || strlen(text) > 4000)
            return yx_fail_field(
                r, YX_EINVAL, "answers",
                "Mỗi câu trả lời là {question_id, conclusion}, kết luận dài từ 2 đến 4000 byte / Each answer "
                "is {question_id, conclusion} with a conclusion of 2 to 4000 bytes.");
        if ((rc = YX_DB_Q(
                 r->db, &rows,
                 "UPDATE consult_questions SET conclusion = ? WHERE id = ? AND consult_id = ? RETURNING id",
                 YX_PT(text), YX_PI(json_integer_value(q)), YX_PI(c->id))) != 0)
            return rc;
        int found = rows->nrows == 1;
        yx_rows_free(rows);
        rows = NULL;
        if (!found)
            return yx_fail_field(
                r, YX_EINVAL, "answers",
                "Câu hỏi %lld không thuộc ca hội chẩn này / Question %lld is not one of this case's.",
                (long long)json_integer_value(q), (long long)json_integer_value(q));
    }
    /* "Every question answered" would hold over a case with none: a conclusion needs a question. */
    if ((rc = YX_DB_Q(r->db, &rows,
                      "SELECT COUNT(*), MIN(CASE WHEN conclusion IS NULL THEN position END) FROM "
                      "consult_questions WHERE consult_id = ?",
                      YX_PI(c->id))) != 0)
        return rc;
    int64_t asked = yx_rows_int(rows, 0, 0), open = yx_rows_isnull(rows, 0, 1) ? 0 : yx_rows_int(rows, 0, 1);
    yx_rows_free(rows);
    if (!asked)
        return yx_fail_code(r, YX_ECONFLICT, "no_questions", NULL,
                            "Ca hội chẩn không có câu hỏi nào để kết luận / the case has no question to "
                            "conclude.");
    if (open)
        return yx_fail_code(r, YX_EINVAL, "question_unanswered",
                            json_pack("{s:I}", "position", (json_int_t)open),
                            "Câu hỏi %lld chưa có kết luận / question %lld has no conclusion.",
                            (long long)open, (long long)open);
    return 0;
}

/* POST /api/v1/consults/:id/conclusion {answers: [{question_id, conclusion}], recommendation,
 * recommendation_note} — the chair concludes after at least one opinion. Before the outcome is
 * recorded the chair may amend it; signed minutes then need a new version. */
static int consult_conclude(struct yx_req *r)
{
    static const char *const ok[] = {"scheduled", "answered", "concluded", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_CHAIR, "chủ trì / the chair")) != 0 ||
        (rc = yx_consult_state_in(r, &c, ok)) != 0 || (rc = yx_body(r, conclusion_fields)) != 0)
        return rc;
    if (!yx_one_of(yx_json_str(r->json, "recommendation"), recommendations))
        return yx_fail_field(r, YX_EINVAL, "recommendation",
                             "Khuyến nghị là điều trị tại chỗ (treat_locally), chuyển tuyến (transfer), làm "
                             "thêm xét nghiệm (more_tests) hoặc hội chẩn thêm (another_consult) / "
                             "recommendation is treat_locally, transfer, more_tests or another_consult.");
    int64_t opinions;
    if ((rc = count(r->db, "SELECT COUNT(*) FROM consult_opinions WHERE consult_id = ?", c.id, &opinions)) !=
        0)
        return rc;
    if (!opinions)
        return yx_fail_code(r, YX_ECONFLICT, "no_opinion", NULL,
                            "Chưa có ý kiến chuyên môn nào / no opinion has been given yet.");
    if ((rc = put_answers(r, &c)) != 0 ||
        (rc = YX_DB_Q(r->db, NULL,
                      "UPDATE consults SET recommendation = ?, recommendation_note = ?, updated_at = ? "
                      "WHERE id = ?",
                      YX_PT(yx_json_str(r->json, "recommendation")),
                      YX_PT(yx_json_str(r->json, "recommendation_note")), YX_PI(yx_now_ms()), YX_PI(c.id))) !=
            0)
        return rc;
    if (strcmp(c.state, "concluded") == 0)
        rc = yx_consult_event(
            r->db, c.id,
            &(struct yx_consult_event){"conclusion_amended", c.state, c.state, NULL, 0, 0, r->who.user_id});
    else
        rc = yx_consult_set_state(r, &c, "concluded", "concluded", NULL);
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

static const char *const outcomes[] = {"improved", "stable", "worse", "transferred", "died", "other", NULL};

static const struct yx_field outcome_fields[] = {
    {"outcome", YX_F_STRING, 1, 1, 16},
    {"note", YX_F_STRING, 0, 0, 4000},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/outcome {outcome, note} — the requester tells the consultant what
 * became of the patient (Circular 49/2017/TT-BYT), once the minutes are signed. */
static int consult_outcome(struct yx_req *r)
{
    static const char *const ok[] = {"concluded", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_REQUESTER, "nơi gửi ca / the requesting facility")) != 0 ||
        (rc = yx_consult_state_in(r, &c, ok)) != 0 || (rc = yx_body(r, outcome_fields)) != 0)
        return rc;
    if (!yx_one_of(yx_json_str(r->json, "outcome"), outcomes))
        return yx_fail_field(r, YX_EINVAL, "outcome",
                             "Kết quả là đỡ (improved), ổn định (stable), nặng hơn (worse), đã chuyển tuyến "
                             "(transferred), tử vong (died) hoặc khác (other) / outcome is improved, stable, "
                             "worse, transferred, died or other.");
    int64_t signed_;
    if ((rc = count(r->db, "SELECT COUNT(*) FROM consult_minutes WHERE consult_id = ?", c.id, &signed_)) != 0)
        return rc;
    if (!signed_)
        return yx_fail_code(r, YX_ECONFLICT, "minutes_unsigned", NULL,
                            "Biên bản hội chẩn chưa được ký / the minutes are not signed yet.");
    if ((rc = YX_DB_Q(r->db, NULL, "UPDATE consults SET outcome = ?, outcome_note = ? WHERE id = ?",
                      YX_PT(yx_json_str(r->json, "outcome")), YX_PT(yx_json_str(r->json, "note")),
                      YX_PI(c.id))) != 0 ||
        (rc = yx_consult_set_state(r, &c, "outcome_recorded", "outcome_recorded", NULL)) != 0)
        return rc;
    return yx_consult_answer(r, 200, c.id);
}

/* POST /api/v1/consults/:id/close — either side closes a case whose outcome is known. */
static int consult_close(struct yx_req *r)
{
    static const char *const ok[] = {"outcome_recorded", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, YX_SIDE_REQUESTER | YX_SIDE_HUB,
                              "nơi gửi hoặc nơi nhận ca / the requester or the hub")) != 0 ||
        (rc = yx_consult_state_in(r, &c, ok)) != 0 || (rc = yx_no_body(r)) != 0 ||
        (rc = yx_consult_set_state(r, &c, "closed", "closed", NULL)) != 0)
        return rc;
    return yx_consult_answer(r, 200, c.id);
}

const struct yx_route yx_consult_discussion_routes[] = {
    {"POST", "/api/v1/consults/:id/participants", consult_participant_add, 0, "consult.participant",
     "consult", YX_CLINICIANS, participant_fields},
    {"POST", "/api/v1/consults/:id/session", consult_session, 0, "consult.session", "consult", YX_CLINICIANS,
     session_fields},
    {"POST", "/api/v1/consults/:id/opinions", consult_opinion, 0, "consult.opinion", "consult", YX_DOCTORS,
     opinion_fields},
    {"POST", "/api/v1/consults/:id/conclusion", consult_conclude, 0, "consult.conclude", "consult",
     YX_DOCTORS, conclusion_fields},
    {"POST", "/api/v1/consults/:id/outcome", consult_outcome, 0, "consult.outcome", "consult", YX_CLINICIANS,
     outcome_fields},
    {"POST", "/api/v1/consults/:id/close", consult_close, 0, "consult.close", "consult", YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
