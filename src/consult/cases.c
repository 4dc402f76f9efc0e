/* The consultation case (hội chẩn từ xa): who may see it, its state and history, and the case as
 * the API shows it. The handlers that open, list and change a case are in requests.c, routing.c
 * and discussion.c. */
#include <stdio.h>
#include <string.h>

#include "consult.h"
#include "ytexa/consult.h"
#include "ytexa/files.h"
#include "ytexa/patient.h"
#include "ytexa/realtime.h"

#define CASE_LOAD                                                                                            \
    "SELECT c.id, c.patient_id, c.requester_facility_id, c.assigned_facility_id, c.chair_id, "               \
    "c.secretary_id, c.state, c.urgency, c.specialty, "                                                      \
    "(SELECT COUNT(*) FROM consult_participants p WHERE p.consult_id = c.id AND (p.user_id = ? OR "          \
    "(p.user_id IS NULL AND p.facility_id = ?))) AS participant FROM consults c WHERE c.id = ?"

static int load_row(struct yx_db *db, int64_t id, int64_t user, int64_t facility, struct yx_consult *c,
                    int *participant)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows, CASE_LOAD, YX_PI(user), YX_PI(facility), YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        *c = (struct yx_consult){.id = yx_rows_i64(rows, 0, "id"),
                                 .patient_id = yx_rows_i64(rows, 0, "patient_id"),
                                 .requester = yx_rows_i64(rows, 0, "requester_facility_id"),
                                 .assigned = yx_rows_i64(rows, 0, "assigned_facility_id"),
                                 .chair_id = yx_rows_i64(rows, 0, "chair_id"),
                                 .secretary_id = yx_rows_i64(rows, 0, "secretary_id")};
        snprintf(c->state, sizeof c->state, "%s", yx_rows_str(rows, 0, "state"));
        snprintf(c->urgency, sizeof c->urgency, "%s", yx_rows_str(rows, 0, "urgency"));
        snprintf(c->specialty, sizeof c->specialty, "%s", yx_rows_str(rows, 0, "specialty"));
        *participant = yx_rows_i64(rows, 0, "participant") > 0;
    }
    yx_rows_free(rows);
    return rc;
}

int yx_consult_load_db(struct yx_db *db, int64_t id, struct yx_consult *c)
{
    int participant;
    return load_row(db, id, 0, 0, c, &participant);
}

/* The case as yx_authorize() decides on it: the caller's sides of it as its relation, need the
 * sides an act needs. */
static struct yx_resource consult_resource(const struct yx_consult *c, int need)
{
    return (struct yx_resource){.kind = YX_RES_CONSULT,
                                .facility_id = c->requester,
                                .shared = (c->side & (YX_SIDE_HUB | YX_SIDE_PARTICIPANT)) != 0,
                                .patient_id = c->patient_id,
                                .relation = c->side,
                                .need = need};
}

/* The caller's relation to the case, and the resource yx_authorize() decides on. */
static void caller_side(const struct yx_principal *w, struct yx_consult *c, int participant,
                        struct yx_resource *res)
{
    int fac = w->facility_id != 0;
    c->side = (fac && w->facility_id == c->requester ? YX_SIDE_REQUESTER : 0) |
              (fac && w->facility_id == c->assigned ? YX_SIDE_HUB : 0) |
              (participant ? YX_SIDE_PARTICIPANT : 0) | (c->chair_id == w->user_id ? YX_SIDE_CHAIR : 0) |
              (c->secretary_id == w->user_id ? YX_SIDE_SECRETARY : 0);
    *res = consult_resource(c, 0);
}

/* Loads the case with the caller's side and asks yx_authorize(); no answer is set. */
static int load_quiet(struct yx_req *r, int64_t id, struct yx_consult *c)
{
    struct yx_resource res;
    int participant = 0;
    int rc = load_row(r->db, id, r->who.user_id, r->who.facility_id, c, &participant);
    if (rc)
        return rc;
    caller_side(&r->who, c, participant, &res);
    rc = yx_authorize(&r->who, YX_A_READ, &res);
    return rc == YX_EAUTH ? rc : rc ? YX_ENOTFOUND : 0;
}

static int load_for(struct yx_req *r, int64_t id, struct yx_consult *c)
{
    int rc = load_quiet(r, id, c);
    if (rc == YX_ENOTFOUND || rc == YX_EAUTH)
        return yx_deny(r, rc);
    return rc;
}

int yx_consult_load(struct yx_req *r, struct yx_consult *c)
{
    int64_t id;
    int rc = yx_param_id(r, 0, &id);
    if (rc == 0)
        rc = load_for(r, id, c);
    if (rc == 0) {
        yx_audit_target(r, c->id);
        r->audit_patient_id = c->patient_id;
    }
    return rc;
}

int yx_consult_access(struct yx_req *r, int64_t id)
{
    struct yx_consult c;
    int rc = load_for(r, id, &c);
    if (rc == 0) {
        yx_audit_target(r, c.id);
        r->audit_patient_id = c.patient_id;
    }
    return rc;
}

/* Its channel is for those who may see the case (the API's decision). */
static int may_join(struct yx_req *r, int64_t id, int64_t *patient_id)
{
    struct yx_consult c;
    int rc = load_for(r, id, &c);
    *patient_id = rc == 0 ? c.patient_id : 0;
    return rc;
}

const struct yx_channel_kind yx_consult_channel = {
    .name = "consult",
    .may_join = may_join,
    .keeps_chat = 1,
    .chat_column = "consult_id",
    /* The case's author and its chair hear of messages they miss. */
    .chat_people =
        "SELECT u.id FROM consults c JOIN users u ON u.id IN (c.created_by, c.chair_id) WHERE c.id = ?",
    .chat_label_vi = "ca hội chẩn",
    .chat_label_en = "consultation",
};

/* A clinical file attached to consultations is read by exactly those who read one of them: the
 * decision of yx_consult_load(), nobody else. */
static int reads_file(struct yx_req *r, int64_t file_id, int *attached, int *yes)
{
    struct yx_rows *rows = NULL;
    struct yx_consult c;
    *yes = 0;
    int rc =
        YX_DB_Q(r->db, &rows, "SELECT consult_id FROM consult_files WHERE file_id = ? ORDER BY consult_id",
                YX_PI(file_id));
    *attached = rc == 0 && rows->nrows > 0;
    for (int i = 0; rc == 0 && i < rows->nrows && !*yes; i++) {
        int seen = load_quiet(r, yx_rows_int(rows, i, 0), &c);
        if (seen != 0 && seen != YX_ENOTFOUND && seen != YX_EAUTH)
            rc = seen;
        *yes = seen == 0;
    }
    yx_rows_free(rows);
    return rc;
}

const struct yx_file_owner yx_consult_file_owner = {"clinical", reads_file};

int yx_consult_side(struct yx_req *r, const struct yx_consult *c, int sides, const char *who_may)
{
    struct yx_resource res = consult_resource(c, sides);
    int rc = yx_authorize(&r->who, YX_A_WRITE, &res);
    if (rc != YX_EFORBIDDEN)
        return rc ? yx_deny(r, rc) : 0;
    return yx_fail_code(r, YX_EFORBIDDEN, "not_your_part", NULL, "Việc này do %s làm / this is done by %s.",
                        who_may, who_may);
}

int yx_consult_state_in(struct yx_req *r, const struct yx_consult *c, const char *const *states)
{
    if (yx_one_of(c->state, states))
        return 0;
    return yx_fail_code(r, YX_ECONFLICT, "consult_state", json_pack("{s:s}", "state", c->state),
                        "Ca hội chẩn đang ở trạng thái '%s', không làm được việc này / the consultation "
                        "is %s; this cannot be done now.",
                        c->state, c->state);
}

/* Every change of a case records an event here, so here its open pages are told of it: the case's
 * channel gets the action; the inbox of the hub that has the case now (and of the one it left, when
 * it moved) and the requesting facility's list of sent cases are told to refetch. Sent only once
 * committed (yx_live_changed). */
static int tell_pages(struct yx_db *db, int64_t id, const struct yx_consult_event *e)
{
    struct yx_rows *rows = NULL;
    int rc = yx_live_changed(db, "consult", id, e->action);
    if (rc == 0)
        rc = YX_DB_Q(
            db, &rows,
            "SELECT COALESCE(assigned_facility_id, 0), requester_facility_id FROM consults WHERE id = ?",
            YX_PI(id));
    int64_t hub = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    int64_t requester = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 1) : 0;
    yx_rows_free(rows);
    if (rc == 0 && hub)
        rc = yx_live_changed(db, "facility", hub, "inbox");
    if (rc == 0 && e->from_facility && e->from_facility != hub)
        rc = yx_live_changed(db, "facility", e->from_facility, "inbox");
    if (rc == 0 && requester)
        rc = yx_live_changed(db, "facility", requester, "outbox");
    return rc;
}

int yx_consult_event(struct yx_db *db, int64_t id, const struct yx_consult_event *e)
{
    int rc = YX_DB_Q(
        db, NULL,
        "INSERT INTO consult_events (consult_id, action, from_state, to_state, from_facility_id, "
        "to_facility_id, at, by_user, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        YX_PI(id), YX_PT(e->action), YX_PT(e->from_state), YX_PT(e->to_state),
        e->from_facility ? YX_PI(e->from_facility) : YX_PN, e->to_facility ? YX_PI(e->to_facility) : YX_PN,
        YX_PI(yx_now_ms()), e->by ? YX_PI(e->by) : YX_PN, YX_PT(e->reason));
    return rc ? rc : tell_pages(db, id, e);
}

int yx_consult_set_state(struct yx_req *r, struct yx_consult *c, const char *action, const char *to,
                         const char *reason)
{
    static const char *const stamped[][2] = {{"requested", "requested_at"},
                                             {"accepted", "accepted_at"},
                                             {"concluded", "concluded_at"},
                                             {"outcome_recorded", "outcome_at"},
                                             {"closed", "closed_at"}};
    const char *column = NULL;
    for (size_t i = 0; i < sizeof stamped / sizeof stamped[0]; i++)
        if (strcmp(stamped[i][0], to) == 0)
            column = stamped[i][1];
    /* The state's own time column, when it has one (PostgreSQL refuses a column set twice). */
    char sql[200];
    snprintf(sql, sizeof sql,
             "UPDATE consults SET state = ?, updated_at = ?%s%s%s WHERE id = ? AND state = ? RETURNING id",
             column ? ", " : "", column ? column : "", column ? " = ?" : "");
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    struct yx_param with[] = {YX_PT(to), YX_PI(now), YX_PI(now), YX_PI(c->id), YX_PT(c->state)};
    struct yx_param without[] = {YX_PT(to), YX_PI(now), YX_PI(c->id), YX_PT(c->state)};
    int rc = column ? yx_db_exec(r->db, sql, with, 5, &rows) : yx_db_exec(r->db, sql, without, 4, &rows);
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_code(r, YX_ECONFLICT, "consult_state", NULL,
                          "Ca hội chẩn vừa được người khác thay đổi / someone else changed the consultation "
                          "just now; reload it.");
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_consult_event(r->db, c->id,
                              &(struct yx_consult_event){action, c->state, to, reason, 0, 0, r->who.user_id});
    /* The hubs and sites read the patient for the sake of the case: that ends with it. They keep
     * the case itself (what they wrote is theirs too). */
    if (rc == 0 && (strcmp(to, "closed") == 0 || strcmp(to, "cancelled") == 0))
        rc = yx_patient_unshare(r->db, "consult", c->id);
    if (rc == 0)
        snprintf(c->state, sizeof c->state, "%s", to);
    return rc;
}

int yx_consult_participant_add(struct yx_db *db, const struct yx_consult *c, int64_t user, int64_t facility,
                               const char *role, int64_t by)
{
    int rc = YX_DB_Q(db, NULL,
                     "INSERT INTO consult_participants (consult_id, user_id, facility_id, role, added_by, "
                     "added_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     YX_PI(c->id), user ? YX_PI(user) : YX_PN, YX_PI(facility), YX_PT(role), YX_PI(by),
                     YX_PI(yx_now_ms()));
    /* A site taking part sees the patient for the sake of this case. */
    if (rc == 0 && !user)
        rc = yx_patient_share(db, c->patient_id, facility, "consult", c->id, 0);
    return rc;
}

/* A {id, <label>: name} pair from two columns, or null when the id is NULL. */
static json_t *ref(const struct yx_rows *r, int i, const char *id, const char *name, const char *label)
{
    if (yx_rows_null(r, i, id))
        return json_null();
    return json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(r, i, id), label, yx_rows_str(r, i, name));
}

static json_t *question_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:I,s:s,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "position",
                     (json_int_t)yx_rows_i64(r, i, "position"), "question", yx_rows_str(r, i, "question"),
                     "conclusion", yx_json_str_or_null(yx_rows_str(r, i, "conclusion")));
}

static json_t *event_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "action", yx_rows_str(r, i, "action"), "from_state",
                     yx_json_str_or_null(yx_rows_str(r, i, "from_state")), "to_state",
                     yx_rows_str(r, i, "to_state"), "from_facility",
                     ref(r, i, "from_facility_id", "from_facility_name", "name"), "to_facility",
                     ref(r, i, "to_facility_id", "to_facility_name", "name"), "at",
                     yx_json_time_or_null(r, i, "at"), "by", ref(r, i, "by_user", "full_name", "full_name"),
                     "reason", yx_json_str_or_null(yx_rows_str(r, i, "reason")));
}

static json_t *participant_row(const struct yx_rows *r, int i)
{
    json_t *user = yx_rows_null(r, i, "user_id")
                       ? json_null()
                       : json_pack("{s:I,s:s,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "user_id"),
                                   "full_name", yx_rows_str(r, i, "full_name"), "licence_no",
                                   yx_json_str_or_null(yx_rows_str(r, i, "licence_no")));
    return json_pack("{s:I,s:s,s:o,s:{s:I,s:s,s:o}}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "role",
                     yx_rows_str(r, i, "role"), "user", user, "facility", "id",
                     (json_int_t)yx_rows_i64(r, i, "facility_id"), "name", yx_rows_str(r, i, "name"),
                     "site_name", yx_json_str_or_null(yx_rows_str(r, i, "site_name")));
}

static json_t *opinion_row(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:o,s:o,s:s,s:o,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "author",
                     ref(r, i, "author_id", "full_name", "full_name"), "facility",
                     ref(r, i, "facility_id", "name", "name"), "opinion", yx_rows_str(r, i, "opinion"),
                     "created_at", yx_json_time_or_null(r, i, "created_at"), "updated_at",
                     yx_json_time_or_null(r, i, "updated_at"));
}

static json_t *minutes_row(const struct yx_rows *r, int i)
{
    char url[96];
    snprintf(url, sizeof url, "/api/v1/consults/%lld/minutes/%lld/pdf",
             (long long)yx_rows_i64(r, i, "consult_id"), (long long)yx_rows_i64(r, i, "version"));
    return json_pack("{s:I,s:I,s:o,s:s,s:s,s:s,s:o,s:o,s:s}", "id", (json_int_t)yx_rows_i64(r, i, "id"),
                     "version", (json_int_t)yx_rows_i64(r, i, "version"), "amendment_reason",
                     yx_json_str_or_null(yx_rows_str(r, i, "amendment_reason")), "content_hash",
                     yx_rows_str(r, i, "content_hash"), "verify_code", yx_rows_str(r, i, "verify_code"),
                     "signer_name", yx_rows_str(r, i, "signer_name"), "signed_at",
                     yx_json_time_or_null(r, i, "signed_at"), "superseded",
                     json_boolean(yx_rows_i64(r, i, "superseded") > 0), "pdf_url", url);
}

#define CASE_JSON                                                                                            \
    "SELECT c.id, c.state, c.urgency, c.specialty, s.name_vi AS specialty_name, s.name_en AS "               \
    "specialty_name_en, c.kind, c.summary, "                                                                 \
    "c.requester_facility_id, rf.name AS requester_name, c.assigned_facility_id, af.name AS assigned_name, " \
    "af.level AS assigned_level, c.escalation_level, c.accept_due_at, c.chair_id, ch.full_name AS "          \
    "chair_name, c.secretary_id, se.full_name AS secretary_name, c.session_at, c.recommendation, "           \
    "c.recommendation_note, c.outcome, c.outcome_note, c.requested_at, c.accepted_at, c.concluded_at, "      \
    "c.outcome_at, c.closed_at, c.created_at, c.updated_at, c.patient_id, c.created_by, "                    \
    "cb.full_name AS created_by_name "                                                                       \
    "FROM consults c JOIN specialties s ON s.code = c.specialty JOIN facilities rf ON rf.id = "              \
    "c.requester_facility_id LEFT JOIN facilities af ON af.id = c.assigned_facility_id LEFT JOIN users ch "  \
    "ON ch.id = c.chair_id LEFT JOIN users se ON se.id = c.secretary_id JOIN users cb ON cb.id = "           \
    "c.created_by WHERE c.id = ?"

static json_t *case_head(struct yx_db *db, const struct yx_rows *r)
{
    json_t *assigned =
        yx_rows_null(r, 0, "assigned_facility_id")
            ? json_null()
            : json_pack("{s:I,s:s,s:s}", "id", (json_int_t)yx_rows_i64(r, 0, "assigned_facility_id"), "name",
                        yx_rows_str(r, 0, "assigned_name"), "level", yx_rows_str(r, 0, "assigned_level"));
    json_t *patient = yx_patient_brief(db, yx_rows_i64(r, 0, "patient_id"));
    json_t *c =
        json_pack("{s:I,s:s,s:s,s:{s:s,s:s,s:s},s:s,s:s,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o}", "id",
                  (json_int_t)yx_rows_i64(r, 0, "id"), "state", yx_rows_str(r, 0, "state"), "urgency",
                  yx_rows_str(r, 0, "urgency"), "specialty", "code", yx_rows_str(r, 0, "specialty"),
                  "name_vi", yx_rows_str(r, 0, "specialty_name"), "name_en",
                  yx_rows_str(r, 0, "specialty_name_en"), "kind", yx_rows_str(r, 0, "kind"), "summary",
                  yx_rows_str(r, 0, "summary"), "patient", patient ? patient : json_null(), "requester",
                  ref(r, 0, "requester_facility_id", "requester_name", "name"), "assigned", assigned,
                  "escalation_level", (json_int_t)yx_rows_i64(r, 0, "escalation_level"), "accept_due_at",
                  yx_json_time_or_null(r, 0, "accept_due_at"), "chair",
                  ref(r, 0, "chair_id", "chair_name", "full_name"), "secretary",
                  ref(r, 0, "secretary_id", "secretary_name", "full_name"), "created_by",
                  ref(r, 0, "created_by", "created_by_name", "full_name"));
    json_object_set_new(c, "session_at", yx_json_time_or_null(r, 0, "session_at"));
    json_object_set_new(c, "recommendation",
                        json_pack("{s:o,s:o}", "kind",
                                  yx_json_str_or_null(yx_rows_str(r, 0, "recommendation")), "note",
                                  yx_json_str_or_null(yx_rows_str(r, 0, "recommendation_note"))));
    json_object_set_new(c, "outcome",
                        json_pack("{s:o,s:o}", "kind", yx_json_str_or_null(yx_rows_str(r, 0, "outcome")),
                                  "note", yx_json_str_or_null(yx_rows_str(r, 0, "outcome_note"))));
    static const char *const times[] = {"requested_at", "accepted_at", "concluded_at", "outcome_at",
                                        "closed_at",    "created_at",  "updated_at"};
    for (int k = 0; k < 7; k++)
        json_object_set_new(c, times[k], yx_json_time_or_null(r, 0, times[k]));
    return c;
}

json_t *yx_consult_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *rows = NULL;
    json_t *c = NULL;
    if (YX_DB_Q(db, &rows, CASE_JSON, YX_PI(id)) == 0 && rows->nrows == 1)
        c = case_head(db, rows);
    yx_rows_free(rows);
    if (!c)
        return NULL;
    json_object_set_new(c, "questions",
                        yx_json_rows(db,
                                     "SELECT id, position, question, conclusion FROM consult_questions WHERE "
                                     "consult_id = ? ORDER BY position",
                                     id, question_row));
    json_object_set_new(
        c, "participants",
        yx_json_rows(
            db,
            "SELECT p.id, p.user_id, u.full_name, u.licence_no, p.role, p.facility_id, f.name, f.site_name "
            "FROM consult_participants p JOIN facilities f ON f.id = p.facility_id LEFT JOIN users u ON "
            "u.id = p.user_id WHERE p.consult_id = ? ORDER BY p.id",
            id, participant_row));
    json_object_set_new(
        c, "opinions",
        yx_json_rows(
            db,
            "SELECT o.id, o.author_id, u.full_name, o.facility_id, f.name, o.opinion, o.created_at, "
            "o.updated_at FROM consult_opinions o JOIN users u ON u.id = o.author_id JOIN facilities f ON "
            "f.id = o.facility_id WHERE o.consult_id = ? ORDER BY o.id",
            id, opinion_row));
    json_object_set_new(
        c, "events",
        yx_json_rows(
            db,
            "SELECT e.action, e.from_state, e.to_state, e.from_facility_id, ff.name AS from_facility_name, "
            "e.to_facility_id, tf.name AS to_facility_name, e.at, e.by_user, u.full_name, e.reason "
            "FROM consult_events e LEFT JOIN facilities "
            "ff ON ff.id = e.from_facility_id LEFT JOIN facilities tf ON tf.id = e.to_facility_id LEFT "
            "JOIN users u ON u.id = e.by_user WHERE e.consult_id = ? ORDER BY e.id",
            id, event_row));
    json_object_set_new(
        c, "minutes",
        yx_json_rows(
            db,
            "SELECT m.id, m.version, m.amendment_reason, m.content_hash, m.verify_code, m.signer_name, "
            "m.signed_at, m.consult_id, (SELECT COUNT(*) FROM consult_minutes n WHERE n.replaces_id = "
            "m.id) AS superseded FROM consult_minutes m WHERE m.consult_id = ? ORDER BY m.version",
            id, minutes_row));
    struct yx_rows *files = NULL;
    json_t *list = json_array();
    if (YX_DB_Q(db, &files,
                "SELECT file_id FROM consult_files WHERE consult_id = ? ORDER BY added_at, file_id",
                YX_PI(id)) == 0)
        for (int i = 0; i < files->nrows; i++) {
            json_t *f = yx_files_json(db, yx_rows_int(files, i, 0));
            if (f)
                json_array_append_new(list, f);
        }
    yx_rows_free(files);
    json_object_set_new(c, "files", list);
    return c;
}

int yx_consult_answer(struct yx_req *r, int status, int64_t id)
{
    json_t *c = yx_consult_json(r->db, id);
    if (!c)
        return YX_EDB;
    /* What the caller may do is the client's to show, the server's to enforce. */
    struct yx_consult k;
    if (load_quiet(r, id, &k) == 0)
        json_object_set_new(c, "my_side",
                            json_pack("{s:b,s:b,s:b,s:b,s:b}", "requester", (k.side & YX_SIDE_REQUESTER) != 0,
                                      "hub", (k.side & YX_SIDE_HUB) != 0, "participant",
                                      (k.side & YX_SIDE_PARTICIPANT) != 0, "chair",
                                      (k.side & YX_SIDE_CHAIR) != 0, "secretary",
                                      (k.side & YX_SIDE_SECRETARY) != 0));
    return yx_reply(r, status, c);
}
