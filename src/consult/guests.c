/* Guests of a consultation's room: a family member who can say what the patient cannot, or an
 * interpreter for a patient who speaks H'Mông or Dao. They have no account. A clinician of the
 * case (the requesting station, or the chair or secretary) invites one by name and gets a code to
 * pass on (by phone, by SMS); with it the guest enters the case's open room from a link, until it
 * expires or is revoked. A guest sees the room and nothing else of the case, and counts for
 * recording consent like anyone who entered. Only the code's hash is kept. */
#include <stdio.h>
#include <string.h>

#include "consult.h"
#include "ytexa/media.h"
#include "ytexa/realtime.h"

/* A code is good for a day: enough for a session planned for this afternoon or tomorrow morning. */
#define GUEST_TTL_MS (24LL * 3600 * 1000)

/* Who invites and revokes guests. */
static const int inviters = YX_SIDE_REQUESTER | YX_SIDE_CHAIR | YX_SIDE_SECRETARY;
#define INVITERS "trạm gửi ca, chủ trì hoặc thư ký / the requesting side, the chair or the secretary"

static const struct yx_field invite_fields[] = {
    {"name", YX_F_STRING, 1, 2, 160},
    {"relation", YX_F_STRING, 1, 1, 16},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/room/guests {name, relation} — the requesting side, the chair or the
 * secretary invites a guest while the case is being discussed; 201 with the code, shown once. */
static int guest_invite(struct yx_req *r)
{
    static const char *const meeting[] = {"accepted", "scheduled", "answered", NULL};
    static const char *const relations[] = {"family", "interpreter", "other", NULL};
    struct yx_consult c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_consult_side(r, &c, inviters, INVITERS)) != 0 ||
        (rc = yx_consult_state_in(r, &c, meeting)) != 0 || (rc = yx_body(r, invite_fields)) != 0)
        return rc;
    const char *name = yx_json_str(r->json, "name"), *relation = yx_json_str(r->json, "relation");
    if (!yx_one_of(relation, relations))
        return yx_fail_field(r, YX_EINVAL, "relation",
                             "Quan hệ là người nhà (family), phiên dịch (interpreter) hoặc khác (other) / "
                             "relation is family, interpreter or other.");
    if (!yx_utf8_valid(name, strlen(name)))
        return yx_fail_field(r, YX_EINVAL, "name", "Tên có ký tự không hợp lệ / The name is not valid text.");
    char code[32], hash[65], at[32];
    yx_random_token(code, sizeof code, 15); /* 120 bits: not guessed, not enumerated */
    yx_sha256_hex(code, strlen(code), hash);
    int64_t now = yx_now_ms(), expires = now + GUEST_TTL_MS;
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO rtc_guests (consult_id, name, relation, code_hash, invited_by, invited_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        YX_PI(c.id), YX_PT(name), YX_PT(relation), YX_PT(hash), YX_PI(r->who.user_id), YX_PI(now),
        YX_PI(expires));
    int64_t id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc)
        return rc;
    yx_time_format(expires, at);
    return yx_reply(r, 201,
                    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "name", name, "relation",
                              relation, "code", code, "link_path", "/#/guest/", "expires_at", at));
}

static json_t *guest_json(const struct yx_rows *rows, int i)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)yx_rows_i64(rows, i, "id"), "name",
                     yx_rows_str(rows, i, "name"), "relation", yx_rows_str(rows, i, "relation"), "invited_at",
                     yx_json_time_or_null(rows, i, "invited_at"), "expires_at",
                     yx_json_time_or_null(rows, i, "expires_at"), "revoked_at",
                     yx_json_time_or_null(rows, i, "revoked_at"), "entered_at",
                     yx_json_time_or_null(rows, i, "entered_at"));
}

/* GET /api/v1/consults/:id/room/guests — who was invited (never their codes). */
static int guest_list(struct yx_req *r)
{
    struct yx_consult c;
    int rc = yx_consult_load(r, &c);
    if (rc)
        return rc;
    json_t *items =
        yx_json_rows(r->db,
                     "SELECT id, name, relation, invited_at, expires_at, revoked_at, entered_at FROM "
                     "rtc_guests WHERE consult_id = ? ORDER BY id",
                     c.id, guest_json);
    return yx_reply(r, 200, json_pack("{s:o}", "items", items));
}

/* DELETE /api/v1/consults/:id/room/guests/:guest — the code stops working (a guest already in
 * the room stays until the room closes). */
static int guest_revoke(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_rows *rows = NULL;
    int64_t guest;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_consult_side(r, &c, inviters, INVITERS)) != 0 ||
        (rc = yx_param_id(r, 1, &guest)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 "UPDATE rtc_guests SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND consult_id = ? "
                 "RETURNING id",
                 YX_PI(yx_now_ms()), YX_PI(guest), YX_PI(c.id));
    int found = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !found)
        rc = yx_not_found(r);
    return rc ? rc : yx_reply(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)guest, "revoked", 1));
}

struct guest {
    int64_t id, consult_id;
    char name[168], relation[16];
    int consented;
};

/* The guest whose code this is, if it is still good; 404 otherwise (the same answer for a wrong,
 * expired or revoked code, so that none can be told from another). */
static int guest_by_code(struct yx_req *r, struct guest *g)
{
    struct yx_rows *rows = NULL;
    const char *code = yx_json_str(r->json, "code");
    char hash[65];
    yx_sha256_hex(code, strlen(code), hash);
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT id, consult_id, name, relation, recording_consent_at FROM rtc_guests WHERE code_hash = ? "
        "AND revoked_at IS NULL AND expires_at > ?",
        YX_PT(hash), YX_PI(yx_now_ms()));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail(r, YX_ENOTFOUND,
                     "Mã mời không đúng hoặc đã hết hạn / the invitation code is wrong or expired.");
    if (rc == 0) {
        *g = (struct guest){yx_rows_i64(rows, 0, "id"), yx_rows_i64(rows, 0, "consult_id"), "", "",
                            !yx_rows_null(rows, 0, "recording_consent_at")};
        yx_snprintf(g->name, sizeof g->name, "%s", yx_rows_str(rows, 0, "name"));
        yx_snprintf(g->relation, sizeof g->relation, "%s", yx_rows_str(rows, 0, "relation"));
        yx_audit_target(r, g->consult_id);
    }
    yx_rows_free(rows);
    return rc;
}

static const struct yx_field enter_fields[] = {
    {"code", YX_F_STRING, 1, 10, 64},
    {"recording_consent", YX_F_BOOL, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/guest/room {code, recording_consent?} — no session: a guest enters the open room of
 * the case that invited them (409 room_closed until the clinicians open it). The answer is the
 * Janus pass and ICE servers; nothing about the case or the patient. */
static int guest_enter(struct yx_req *r)
{
    struct guest g;
    struct yx_room room;
    int rc;
    if ((rc = yx_body(r, enter_fields)) != 0 || (rc = guest_by_code(r, &g)) != 0 ||
        (rc = yx_room_find(r->db, g.consult_id, &room)) != 0)
        return rc;
    int consents = json_is_true(json_object_get(r->json, "recording_consent"));
    if (!room.id || !yx_janus_enabled())
        return yx_room_not_open(r);
    if (room.recording && !consents && !g.consented)
        return yx_room_consent_required(r);
    int64_t now = yx_now_ms();
    if ((rc = YX_DB_Q(
             r->db, NULL,
             "UPDATE rtc_guests SET room_id = ?, entered_at = ?, recording_consent_at = CASE WHEN ? = 1 "
             "THEN COALESCE(recording_consent_at, ?) ELSE recording_consent_at END WHERE id = ?",
             YX_PI(room.id), YX_PI(now), YX_PI(consents), YX_PI(now), YX_PI(g.id))) != 0)
        return rc;
    static const char *const labels[][2] = {
        {"family", "người nhà"}, {"interpreter", "phiên dịch"}, {"other", "khách"}};
    const char *label = "khách";
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(g.relation, labels[i][0]) == 0)
            label = labels[i][1];
    char display[200], who[24];
    yx_snprintf(display, sizeof display, "%s (%s)", g.name, label);
    yx_snprintf(who, sizeof who, "g%lld", (long long)g.id);
    struct yx_site_caps caps = {ROOM_BITRATE_KBPS, 0};
    json_t *out = json_pack("{s:I,s:s,s:s,s:b,s:b,s:o?}", "guest_id", (json_int_t)g.id, "name", g.name,
                            "relation", g.relation, "recording", room.recording, "recording_consent",
                            consents || g.consented, "ice", yx_rtc_ice_json(who));
    if ((rc = yx_room_pass(out, &room, display, &caps)) != 0) {
        json_decref(out);
        return rc;
    }
    return yx_reply(r, 200, out);
}

static const struct yx_field consent_fields[] = {
    {"code", YX_F_STRING, 1, 10, 64},
    {"recording_consent", YX_F_BOOL, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* PUT /api/v1/guest/room/consent {code, recording_consent} — a guest who entered gives or
 * withdraws consent; withdrawing it while the room records stops the recording. */
static int guest_consent(struct yx_req *r)
{
    struct guest g;
    struct yx_room room;
    int rc;
    if ((rc = yx_body(r, consent_fields)) != 0 || (rc = guest_by_code(r, &g)) != 0 ||
        (rc = yx_room_find(r->db, g.consult_id, &room)) != 0)
        return rc;
    if ((rc = yx_room_consent(r, &room, "rtc_guests", "id", g.id)) != 0)
        return rc;
    int yes = json_is_true(json_object_get(r->json, "recording_consent"));
    return yx_reply(r, 200, json_pack("{s:b,s:b}", "recording", room.recording, "recording_consent", yes));
}

static const struct yx_field state_fields[] = {
    {"code", YX_F_STRING, 1, 10, 64},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/guest/room/state {code} — what a guest's page shows while in the room: whether it
 * is open and recording, and their own consent (a POST, so that the code stays out of logs). */
static int guest_state(struct yx_req *r)
{
    struct guest g;
    struct yx_room room;
    int rc;
    if ((rc = yx_body(r, state_fields)) != 0 || (rc = guest_by_code(r, &g)) != 0 ||
        (rc = yx_room_find(r->db, g.consult_id, &room)) != 0)
        return rc;
    return yx_reply(r, 200,
                    json_pack("{s:b,s:b,s:b}", "open", room.id != 0, "recording", room.recording,
                              "recording_consent", g.consented));
}

const struct yx_route yx_consult_guest_routes[] = {
    {"POST", "/api/v1/guest/room/state", guest_state, YX_R_PUBLIC, NULL, NULL, 0, state_fields},
    {"POST", "/api/v1/consults/:id/room/guests", guest_invite, 0, "consult.guest_invite", "consult",
     YX_CLINICIANS, invite_fields},
    {"GET", "/api/v1/consults/:id/room/guests", guest_list, 0, "consult.guest_list", "consult", YX_CLINICIANS,
     NULL},
    {"DELETE", "/api/v1/consults/:id/room/guests/:guest", guest_revoke, 0, "consult.guest_revoke", "consult",
     YX_CLINICIANS, NULL},
    {"POST", "/api/v1/guest/room", guest_enter, YX_R_PUBLIC | YX_R_NOTX, "consult.guest_enter", "consult", 0,
     enter_fields},
    {"PUT", "/api/v1/guest/room/consent", guest_consent, YX_R_PUBLIC | YX_R_NOTX, "consult.guest_consent",
     "consult", 0, consent_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
