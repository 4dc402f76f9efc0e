/* Where a case goes: along the support network (support_links) to a hub that supports the
 * requesting facility for the case's specialty, one level up when no one accepts it in time, to
 * another hub when one declines, or wherever a hub or the requester reassigns it. Every move is an
 * event with the hub before and after, so the requester sees it happen. */
#include <stdio.h>
#include <string.h>

#include "consult.h"
#include "ytexa/consult.h"
#include "ytexa/patient.h"

int yx_consult_route(struct yx_db *db, const struct yx_consult *c, int64_t site, int64_t *hub)
{
    struct yx_rows *rows = NULL;
    /* The nearest level first (a district centre before the province), then the hub with the
     * fewest open cases; never a hub that has had this case. */
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT l.hub_id FROM support_links l JOIN facilities f ON f.id = l.hub_id WHERE l.site_id = ? AND "
        "l.specialty = ? AND f.active = 1 AND l.hub_id <> ? AND NOT EXISTS (SELECT 1 FROM consult_events e "
        "WHERE e.consult_id = ? AND e.to_facility_id = l.hub_id) ORDER BY CASE f.level WHEN 'district' THEN "
        "1 "
        "WHEN 'provincial' THEN 2 WHEN 'private' THEN 2 ELSE 3 END, (SELECT COUNT(*) FROM consults o WHERE "
        "o.assigned_facility_id = l.hub_id AND o.state IN ('requested', 'accepted', 'scheduled', "
        "'answered')), "
        "l.hub_id LIMIT 1",
        YX_PI(site), YX_PT(c->specialty), YX_PI(c->requester), YX_PI(c->id));
    *hub = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc;
}

/* When a case of this urgency must be accepted, from now. */
static int deadline(struct yx_db *db, const char *urgency, int64_t now, int64_t *due)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(db, &rows, "SELECT accept_minutes FROM consult_deadlines WHERE urgency = ?", YX_PT(urgency));
    *due = now + (rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 1440) * 60000;
    yx_rows_free(rows);
    return rc;
}

/* Tells the hub's doctors and specialists that a case waits for them (pushed live to their open
 * pages, listed in their notifications). The text names no patient: it may show on a locked
 * phone. */
static int notify_hub(struct yx_db *db, const struct yx_consult *c, int64_t hub, int escalated)
{
    struct yx_rows *rows = NULL;
    char text[1024], text_en[1024]; /* a facility's name: 200 characters, up to 4 bytes each, never cut */
    int64_t now = yx_now_ms();
    /* The specialty by its name, as people read it ("Chẩn đoán hình ảnh"), never its code. */
    int rc = YX_DB_Q(db, &rows,
                     "SELECT f.name, (SELECT s.name_vi FROM specialties s WHERE s.code = ?) AS specialty, "
                     "(SELECT s.name_en FROM specialties s WHERE s.code = ?) AS specialty_en "
                     "FROM facilities f WHERE f.id = ?",
                     YX_PT(c->specialty), YX_PT(c->specialty), YX_PI(c->requester));
    int found = rc == 0 && rows->nrows == 1;
    const char *from = found ? yx_rows_get(rows, 0, 0) : "";
    const char *specialty = found && yx_rows_get(rows, 0, 1) ? yx_rows_get(rows, 0, 1) : "";
    const char *specialty_en = found && yx_rows_get(rows, 0, 2) ? yx_rows_get(rows, 0, 2) : "";
    int level = strcmp(c->urgency, "emergency") == 0 ? 0 : strcmp(c->urgency, "urgent") == 0 ? 1 : 2;
    static const char *const urgency[][2] = {
        {"cấp cứu", "emergency"}, {"khẩn", "urgent"}, {"thường quy", "routine"}};
    snprintf(text, sizeof text, "Ca hội chẩn #%lld (%s, %s) từ %s %s.", (long long)c->id, urgency[level][0],
             specialty, from,
             escalated ? "được chuyển lên vì tuyến dưới chưa tiếp nhận kịp: chờ tiếp nhận" : "chờ tiếp nhận");
    snprintf(text_en, sizeof text_en, "Consultation #%lld (%s, %s) from %s %s.", (long long)c->id,
             urgency[level][1], specialty_en, from,
             escalated ? "moved up because the level below did not accept it in time: waiting to be accepted"
                       : "waiting to be accepted");
    yx_rows_free(rows);
    if (rc == 0)
        rc = YX_DB_Q(
            db, NULL,
            "INSERT INTO notifications (user_id, consult_id, channel, kind, text_vi, text_en, due_at, "
            "created_at, "
            "status, next_attempt_at, delivered_at) SELECT id, ?, 'app', ?, ?, ?, ?, ?, 'delivered', ?, ? "
            "FROM users WHERE facility_id = ? AND active = 1 AND role IN ('doctor', 'specialist')",
            YX_PI(c->id), YX_PT(escalated ? "consult_escalated" : "consult_assigned"), YX_PT(text),
            YX_PT(text_en), YX_PI(now), YX_PI(now), YX_PI(now), YX_PI(now), YX_PI(hub));
    return rc;
}

int yx_consult_move(struct yx_db *db, struct yx_consult *c, int64_t hub, const struct yx_consult_event *e)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms(), due, old = c->assigned;
    int up = strcmp(e->action, "escalated") == 0;
    int rc = deadline(db, c->urgency, now, &due);
    if (rc == 0)
        rc =
            YX_DB_Q(db, &rows,
                    "UPDATE consults SET assigned_facility_id = ?, state = 'requested', accept_due_at = ?, "
                    "chair_id = NULL, secretary_id = NULL, escalation_level = escalation_level + ?, "
                    "requested_at = COALESCE(requested_at, ?), updated_at = ? WHERE id = ? AND state = ? AND "
                    "COALESCE(assigned_facility_id, 0) = ? RETURNING id",
                    YX_PI(hub), YX_PI(due), YX_PI(up), YX_PI(now), YX_PI(now), YX_PI(c->id), YX_PT(c->state),
                    YX_PI(old));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ECONFLICT; /* moved by someone else meanwhile */
    yx_rows_free(rows);
    /* The hub that had the case no longer sees it or its patient; what its people wrote stays. */
    if (rc == 0 && old)
        rc = YX_DB_Q(db, NULL, "DELETE FROM consult_participants WHERE consult_id = ? AND facility_id = ?",
                     YX_PI(c->id), YX_PI(old));
    if (rc == 0 && old)
        rc = YX_DB_Q(
            db, NULL,
            "DELETE FROM patient_shares WHERE patient_id = ? AND facility_id = ? AND reason = 'consult' "
            "AND ref_id = ?",
            YX_PI(c->patient_id), YX_PI(old), YX_PI(c->id));
    if (rc == 0)
        rc = yx_patient_share(db, c->patient_id, hub, "consult", c->id, 0);
    if (rc == 0) {
        struct yx_consult_event ev = *e;
        ev.from_state = c->state;
        ev.to_state = "requested";
        ev.from_facility = old;
        ev.to_facility = hub;
        rc = yx_consult_event(db, c->id, &ev);
    }
    if (rc == 0)
        rc = notify_hub(db, c, hub, up);
    if (rc == 0) {
        snprintf(c->state, sizeof c->state, "requested");
        c->assigned = hub;
        c->chair_id = c->secretary_id = 0;
    }
    return rc;
}

/* One case past its deadline, in its own transaction. */
static int escalate_one(struct yx_db *db, int64_t id, int64_t now, int *moved)
{
    struct yx_consult c;
    struct yx_rows *rows = NULL;
    int64_t hub = 0;
    int rc = yx_db_begin(db);
    if (rc)
        return rc;
    /* Still due? Another instance may have moved it, or someone accepted it. */
    rc = YX_DB_Q(db, &rows,
                 "SELECT 1 FROM consults WHERE id = ? AND state = 'requested' AND accept_due_at IS NOT NULL "
                 "AND accept_due_at <= ?",
                 YX_PI(id), YX_PI(now));
    int due = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && due)
        rc = yx_consult_load_db(db, id, &c);
    if (rc == 0 && due)
        rc = yx_consult_route(db, &c, c.assigned, &hub);
    if (rc == 0 && due && hub) {
        rc = yx_consult_move(
            db, &c, hub,
            &(struct yx_consult_event){"escalated", NULL, NULL,
                                       "Không có ai nhận ca trong thời hạn / not accepted in time", 0, 0, 0});
        *moved += rc == 0;
    } else if (rc == 0 && due) {
        /* Nowhere higher to go: the case stays with its hub and the requester is told so. */
        rc = YX_DB_Q(db, NULL, "UPDATE consults SET accept_due_at = NULL, updated_at = ? WHERE id = ?",
                     YX_PI(now), YX_PI(id));
        if (rc == 0)
            rc = yx_consult_event(
                db, id,
                &(struct yx_consult_event){"escalation_exhausted", "requested", "requested",
                                           "Không còn tuyến trên hỗ trợ chuyên khoa này / no "
                                           "higher hub supports this specialty",
                                           c.assigned, c.assigned, 0});
    }
    if (rc == 0)
        rc = yx_db_commit(db);
    else
        yx_db_rollback(db);
    return rc;
}

int yx_consult_escalate_due(struct yx_db *db, int64_t now, int *moved)
{
    struct yx_rows *rows = NULL;
    *moved = 0;
    int rc = YX_DB_Q(db, &rows,
                     "SELECT id FROM consults WHERE state = 'requested' AND accept_due_at IS NOT NULL AND "
                     "accept_due_at <= ? ORDER BY accept_due_at LIMIT 200",
                     YX_PI(now));
    for (int i = 0; rc == 0 && i < rows->nrows; i++)
        if (escalate_one(db, yx_rows_int(rows, i, 0), now, moved) != 0)
            yx_log(YX_LOG_WARN, "consult: cannot escalate case %lld now; will retry",
                   (long long)yx_rows_int(rows, i, 0));
    yx_rows_free(rows);
    return rc;
}

static struct yx_db_job escalator;

static void escalator_tick(struct yx_db *db, void *unused)
{
    int moved = 0;
    (void)unused;
    if (db && yx_consult_escalate_due(db, yx_now_ms(), &moved) == 0 && moved)
        yx_log(YX_LOG_INFO, "consult: %d case(s) escalated", moved);
}

int yx_consult_escalator_start(void)
{
    escalator = (struct yx_db_job){.tick = escalator_tick, .interval_ms = 5000};
    return yx_db_job_start(&escalator);
}

void yx_consult_escalator_stop(void)
{
    yx_db_job_stop(&escalator);
}

/* The hub acts on a case it has; its doctors accept or decline it (the routes' roles). */
static int hub_doctor(struct yx_req *r, const struct yx_consult *c)
{
    return yx_consult_side(r, c, YX_SIDE_HUB,
                           "bác sĩ của nơi nhận ca / a doctor of the hub that has the case");
}

/* A user named in the body as chair or secretary must be a clinician of the hub. */
static int hub_member(struct yx_req *r, const struct yx_consult *c, const char *field, int64_t *user,
                      int doctor)
{
    struct yx_rows *rows = NULL;
    *user = yx_json_int(r->json, field, 0);
    if (!*user)
        return 0;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT role FROM users WHERE id = ? AND facility_id = ? AND active = 1 AND role IN "
                     "('doctor', 'specialist', 'health_worker')",
                     YX_PI(*user), YX_PI(c->assigned));
    int ok =
        rc == 0 && rows->nrows == 1 && (!doctor || strcmp(yx_rows_get(rows, 0, 0), "health_worker") != 0);
    yx_rows_free(rows);
    if (rc == 0 && !ok)
        rc = yx_fail_field(r, YX_EINVAL, field,
                           "Phải là %s đang làm việc tại nơi nhận ca / must be an active %s of the hub.",
                           doctor ? "bác sĩ" : "nhân viên y tế", doctor ? "doctor" : "clinician");
    return rc;
}

static const struct yx_field accept_fields[] = {
    {"chair_id", YX_F_INT, 0, 1, INT64_MAX},
    {"secretary_id", YX_F_INT, 0, 1, INT64_MAX},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/accept {chair_id?, secretary_id?} — the hub takes the case; the chair
 * is the doctor who accepts unless another is named. */
static int consult_accept(struct yx_req *r)
{
    static const char *const open[] = {"requested", NULL};
    struct yx_consult c;
    int64_t chair, secretary;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = hub_doctor(r, &c)) != 0 ||
        (rc = yx_consult_state_in(r, &c, open)) != 0 || (rc = yx_body(r, accept_fields)) != 0 ||
        (rc = hub_member(r, &c, "chair_id", &chair, 1)) != 0 ||
        (rc = hub_member(r, &c, "secretary_id", &secretary, 0)) != 0)
        return rc;
    chair = chair ? chair : r->who.user_id;
    if (secretary == chair)
        return yx_fail_field(r, YX_EINVAL, "secretary_id",
                             "Thư ký phải khác chủ trì / the secretary is not the chair.");
    if ((rc = YX_DB_Q(r->db, NULL,
                      "UPDATE consults SET chair_id = ?, secretary_id = ?, accept_due_at = NULL WHERE id = ?",
                      YX_PI(chair), secretary ? YX_PI(secretary) : YX_PN, YX_PI(c.id))) != 0 ||
        (rc = yx_consult_set_state(r, &c, "accepted", "accepted", NULL)) != 0 ||
        (rc = yx_consult_participant_add(r->db, &c, chair, c.assigned, "chair", r->who.user_id)) != 0 ||
        (secretary && (rc = yx_consult_participant_add(r->db, &c, secretary, c.assigned, "secretary",
                                                       r->who.user_id)) != 0) ||
        (rc = yx_consult_participant_add(r->db, &c, 0, c.assigned, "site", r->who.user_id)) != 0)
        return rc;
    return yx_consult_answer(r, 200, c.id);
}

static const struct yx_field reason_fields[] = {
    {"reason", YX_F_STRING, 1, 5, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/decline {reason} — the hub cannot take it: the case goes to the next
 * hub that supports the requester, or one level up; with nowhere to go the hub must reassign. */
static int consult_decline(struct yx_req *r)
{
    static const char *const open[] = {"requested", "accepted", NULL};
    struct yx_consult c;
    int64_t hub = 0;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = hub_doctor(r, &c)) != 0 ||
        (rc = yx_consult_state_in(r, &c, open)) != 0 || (rc = yx_body(r, reason_fields)) != 0 ||
        (rc = yx_consult_route(r->db, &c, c.requester, &hub)) != 0 ||
        (!hub && (rc = yx_consult_route(r->db, &c, c.assigned, &hub)) != 0))
        return rc;
    if (!hub)
        return yx_fail_code(
            r, YX_ECONFLICT, "no_other_hub", NULL,
            "Không còn nơi nào khác trong mạng lưới nhận ca này; hãy chuyển cho một cơ sở cụ "
            "thể / no other hub in the network can take this case: reassign it to a facility.");
    rc = yx_consult_move(r->db, &c, hub,
                         &(struct yx_consult_event){"declined", NULL, NULL, yx_json_str(r->json, "reason"), 0,
                                                    0, r->who.user_id});
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

static const struct yx_field reassign_fields[] = {
    {"facility_id", YX_F_INT, 1, 1, INT64_MAX},
    {"reason", YX_F_STRING, 1, 5, 500},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/reassign {facility_id, reason} — the hub hands the case to another
 * facility that offers the specialty; the requester may too while no one has accepted it. */
static int consult_reassign(struct yx_req *r)
{
    static const char *const open[] = {"requested", "accepted", NULL};
    struct yx_consult c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_consult_state_in(r, &c, open)) != 0 ||
        (rc = yx_consult_side(
             r, &c, strcmp(c.state, "requested") == 0 ? YX_SIDE_HUB | YX_SIDE_REQUESTER : YX_SIDE_HUB,
             "nơi đang giữ ca (hoặc nơi gửi, khi chưa ai nhận) / the hub that has the case (or "
             "the requester, before it is accepted)")) != 0 ||
        (rc = yx_body(r, reassign_fields)) != 0)
        return rc;
    int64_t to = yx_json_int(r->json, "facility_id", 0);
    if ((rc = YX_DB_Q(r->db, &rows,
                      "SELECT 1 FROM facilities f JOIN facility_specialties s ON s.facility_id = f.id AND "
                      "s.specialty = ? WHERE f.id = ? AND f.active = 1 AND f.level <> 'commune'",
                      YX_PT(c.specialty), YX_PI(to))) != 0)
        return rc;
    int offers = rows->nrows == 1;
    yx_rows_free(rows);
    if (!offers || to == c.requester || to == c.assigned)
        return yx_fail_field(
            r, YX_EINVAL, "facility_id",
            "Cơ sở này không nhận được ca (không có chuyên khoa %s, hoặc là nơi gửi hay đang giữ "
            "ca) / that facility cannot take the case (no %s specialty, or it is the requester "
            "or the current hub).",
            c.specialty, c.specialty);
    rc = yx_consult_move(r->db, &c, to,
                         &(struct yx_consult_event){"reassigned", NULL, NULL, yx_json_str(r->json, "reason"),
                                                    0, 0, r->who.user_id});
    return rc ? rc : yx_consult_answer(r, 200, c.id);
}

/* GET /api/v1/consult-deadlines — how long a hub has to accept, per urgency. */
static int deadlines_get(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT urgency, accept_minutes FROM consult_deadlines ORDER BY accept_minutes");
    if (rc)
        return rc;
    json_t *out = json_object();
    for (int i = 0; i < rows->nrows; i++)
        json_object_set_new(out, yx_rows_get(rows, i, 0), json_integer(yx_rows_int(rows, i, 1)));
    yx_rows_free(rows);
    return yx_reply(r, 200, out);
}

static const struct yx_field deadline_fields[] = {
    {"emergency", YX_F_INT, 0, 1, 10080},
    {"urgent", YX_F_INT, 0, 1, 10080},
    {"routine", YX_F_INT, 0, 1, 10080},
    {NULL, 0, 0, 0, 0},
};

/* PUT /api/v1/consult-deadlines {emergency?, urgent?, routine?} in minutes — the ministry's. */
static int deadlines_put(struct yx_req *r)
{
    int rc;
    if ((rc = yx_body(r, deadline_fields)) != 0)
        return rc;
    int64_t e = yx_json_int(r->json, "emergency", 0), u = yx_json_int(r->json, "urgent", 0),
            o = yx_json_int(r->json, "routine", 0);
    if (!e && !u && !o)
        return yx_fail(r, YX_EINVAL,
                       "Nhập ít nhất một thời hạn (phút): cấp cứu (emergency), khẩn (urgent), thường "
                       "(routine) / Give at least one of emergency, urgent, routine (minutes).");
    const char *names[] = {"emergency", "urgent", "routine"};
    int64_t mins[] = {e, u, o};
    for (int i = 0; rc == 0 && i < 3; i++)
        if (mins[i])
            rc = YX_DB_Q(
                r->db, NULL,
                "UPDATE consult_deadlines SET accept_minutes = ?, updated_by = ?, updated_at = ? WHERE "
                "urgency = ?",
                YX_PI(mins[i]), YX_PI(r->who.user_id), YX_PI(yx_now_ms()), YX_PT(names[i]));
    return rc ? rc : deadlines_get(r);
}

const struct yx_route yx_consult_routing_routes[] = {
    {"POST", "/api/v1/consults/:id/accept", consult_accept, 0, "consult.accept", "consult", YX_DOCTORS,
     accept_fields},
    {"POST", "/api/v1/consults/:id/decline", consult_decline, 0, "consult.decline", "consult", YX_DOCTORS,
     reason_fields},
    {"POST", "/api/v1/consults/:id/reassign", consult_reassign, 0, "consult.reassign", "consult",
     YX_CLINICIANS, reassign_fields},
    {"GET", "/api/v1/consult-deadlines", deadlines_get, 0, NULL, NULL, YX_STAFF, NULL},
    {"PUT", "/api/v1/consult-deadlines", deadlines_put, 0, "consult.deadlines", "consult_deadlines",
     YX_ROLE_MINISTRY_ADMIN, deadline_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
