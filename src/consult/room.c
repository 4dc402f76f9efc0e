/* The consultation's multi-site room: the requesting station, the hub's specialists, other
 * connection points, meeting at once on Janus's VideoRoom (src/realtime/janus.c). ytexa creates
 * the room when the first person enters, lets in only people who may see the case (the pin and a
 * signed Janus token are the only way in), keeps who entered, and records only when every one of
 * them consented; the chair or secretary starts and stops recording and closes the room.
 * The routes that call Janus run without a request transaction (YX_R_NOTX): a slow or dead Janus
 * must not hold the database's write lock; each of their writes stands on its own. */
#include <stdio.h>
#include <string.h>

#include "consult.h"
#include "ytexa/media.h"
#include "ytexa/realtime.h"

/* What a room may carry: a few sites sending video at once. */
#define ROOM_PUBLISHERS 6

static const char *const meeting[] = {"accepted", "scheduled", "answered", NULL};
static const int chair_or_secretary = YX_SIDE_CHAIR | YX_SIDE_SECRETARY;
#define CHAIR_OR_SECRETARY "chủ trì hoặc thư ký / the chair or the secretary"

int yx_room_find(struct yx_db *db, int64_t consult_id, struct yx_room *room)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows,
                     "SELECT id, janus_room, pin, secret, recording FROM rtc_rooms WHERE consult_id = ? AND "
                     "closed_at IS NULL",
                     YX_PI(consult_id));
    *room = (struct yx_room){0};
    if (rc == 0 && rows->nrows == 1) {
        room->id = yx_rows_i64(rows, 0, "id");
        room->janus_room = yx_rows_i64(rows, 0, "janus_room");
        yx_snprintf(room->pin, sizeof room->pin, "%s", yx_rows_str(rows, 0, "pin"));
        yx_snprintf(room->secret, sizeof room->secret, "%s", yx_rows_str(rows, 0, "secret"));
        room->recording = (int)yx_rows_i64(rows, 0, "recording");
    }
    yx_rows_free(rows);
    return rc;
}

int yx_room_pass(json_t *out, const struct yx_room *room, const char *display,
                 const struct yx_site_caps *caps)
{
    char token[192], at[32];
    int64_t expires;
    if (yx_janus_token(token, sizeof token, &expires) != 0)
        return YX_EINTERNAL;
    yx_time_format(expires * 1000, at);
    return json_object_update_new(out, json_pack("{s:I,s:s,s:i,s:b,s:s,s:{s:s,s:s,s:s}}", "janus_room",
                                                 (json_int_t)room->janus_room, "pin", room->pin,
                                                 "max_bitrate_kbps", caps->max_bitrate_kbps, "audio_only",
                                                 caps->audio_only, "display", display, "janus", "url",
                                                 yx_janus_public_url(), "token", token, "expires_at", at))
               ? YX_ENOMEM
               : 0;
}

/* The open room of the case, made (in the database and on Janus) if there is none. */
static int room_open(struct yx_req *r, const struct yx_consult *c, struct yx_room *room)
{
    int rc = yx_room_find(r->db, c->id, room);
    if (rc == 0 && room->id == 0) {
        uint64_t n;
        char pin[48], secret[48];
        yx_random(&n, sizeof n);
        yx_random_token(pin, sizeof pin, 18);
        yx_random_token(secret, sizeof secret, 24);
        /* Two people entering at once: the unique index keeps one room, and both use it. */
        rc = YX_DB_Q(
            r->db, NULL,
            "INSERT INTO rtc_rooms (consult_id, janus_room, pin, secret, created_by, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            YX_PI(c->id), YX_PI(1 + (int64_t)(n % ((1ULL << 52) - 1))), YX_PT(pin), YX_PT(secret),
            YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
        if (rc == 0)
            rc = yx_room_find(r->db, c->id, room);
        if (rc == 0 && room->id == 0)
            rc = YX_EINTERNAL;
    }
    if (rc)
        return rc;
    char what[40];
    yx_snprintf(what, sizeof what, "consult:%lld", (long long)c->id);
    struct yx_janus_room jr = {room->janus_room, room->pin,         room->secret, what,
                               ROOM_PUBLISHERS,  ROOM_BITRATE_KBPS, NULL};
    if (yx_janus_room_ensure(&jr) != 0)
        return yx_janus_fail(r);
    return 0;
}

/* Appends the items of more (taken) to a. */
static void extend(json_t *a, json_t *more)
{
    json_array_extend(a, more);
    json_decref(more);
}

/* Who entered a room (users, then guests as {guest_id, relation}) and whether they consented. */
static json_t *person_json(const struct yx_rows *rows, int i)
{
    json_t *p =
        json_pack("{s:s,s:s?,s:o,s:o}", "name", yx_rows_str(rows, i, "name"), "facility",
                  yx_rows_str(rows, i, "facility"), "entered_at", yx_json_time_or_null(rows, i, "entered_at"),
                  "recording_consent_at", yx_json_time_or_null(rows, i, "recording_consent_at"));
    int guest = yx_rows_str(rows, i, "relation") != NULL;
    json_object_set_new(p, guest ? "guest_id" : "user_id", json_integer(yx_rows_i64(rows, i, "id")));
    if (guest)
        json_object_set_new(p, "relation", json_string(yx_rows_str(rows, i, "relation")));
    return p;
}

static json_t *people_json(struct yx_db *db, int64_t room_id)
{
    json_t *people =
        yx_json_rows(db,
                     "SELECT u.id, u.full_name AS name, f.name AS facility, p.first_at AS entered_at, "
                     "p.recording_consent_at, NULL AS relation FROM "
                     "rtc_room_people p JOIN users u ON u.id = p.user_id LEFT JOIN facilities f ON "
                     "f.id = u.facility_id WHERE p.room_id = ? ORDER BY p.first_at, u.id",
                     room_id, person_json);
    extend(people,
           yx_json_rows(db,
                        "SELECT id, name, NULL AS facility, entered_at, recording_consent_at, relation "
                        "FROM rtc_guests WHERE room_id = ? ORDER BY entered_at, id",
                        room_id, person_json));
    return people;
}

/* The room as everyone on the case sees it: open or not, recording, who entered (people and
 * guests) and when they consented to recording. */
static json_t *room_json(struct yx_db *db, int64_t consult_id, const struct yx_room *room)
{
    return json_pack("{s:I,s:b,s:b,s:o}", "consult_id", (json_int_t)consult_id, "open", room->id != 0,
                     "recording", room->recording, "people",
                     room->id ? people_json(db, room->id) : json_array());
}

static const struct yx_field enter_fields[] = {
    {"recording_consent", YX_F_BOOL, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/room {recording_consent?} — anyone on the case enters its room while
 * the case is being discussed: the answer has what the browser needs to join on Janus (room,
 * pin, token, URL). While the room records, only someone who consents (recording_consent: true)
 * gets in. */
static int room_enter(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_room room;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_consult_state_in(r, &c, meeting)) != 0 ||
        (rc = yx_body(r, enter_fields)) != 0)
        return rc;
    if (!yx_janus_enabled())
        return yx_fail_code(
            r, YX_EUNAVAIL, "rooms_unavailable", NULL,
            "Máy chủ này chưa có phòng họp video / this server has no video rooms configured.");
    int consents = json_is_true(json_object_get(r->json, "recording_consent"));
    if ((rc = room_open(r, &c, &room)) != 0)
        return rc;
    if (room.recording && !consents)
        return yx_room_consent_required(r);
    int64_t now = yx_now_ms();
    if ((rc = YX_DB_Q(
             r->db, NULL,
             "INSERT INTO rtc_room_people (room_id, user_id, first_at, last_at, recording_consent_at) "
             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (room_id, user_id) DO UPDATE SET last_at = "
             "excluded.last_at, "
             "recording_consent_at = COALESCE(excluded.recording_consent_at, "
             "rtc_room_people.recording_consent_at)",
             YX_PI(room.id), YX_PI(r->who.user_id), YX_PI(now), YX_PI(now), consents ? YX_PI(now) : YX_PN)) !=
        0)
        return rc;
    struct yx_site_caps caps;
    if ((rc = yx_rtc_site_caps(r->db, r->who.facility_id, ROOM_BITRATE_KBPS, &caps)) != 0)
        return rc;
    json_t *out = room_json(r->db, c.id, &room);
    if ((rc = yx_room_pass(out, &room, r->who.full_name, &caps)) != 0) {
        json_decref(out);
        return rc;
    }
    return yx_reply(r, 200, out);
}

/* GET /api/v1/consults/:id/room — the room's state (no pin, no token). */
static int room_get(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_room room;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_room_find(r->db, c.id, &room)) != 0)
        return rc;
    return yx_reply(r, 200, room_json(r->db, c.id, &room));
}

/* The room's recording in progress ends now, by r's caller, for reason. */
static int recording_stopped(struct yx_req *r, int64_t room_id, const char *reason)
{
    return YX_DB_Q(
        r->db, NULL,
        "UPDATE rtc_recordings SET stopped_by = ?, stopped_at = ?, stop_reason = ? WHERE room_id = ? AND "
        "stopped_at IS NULL",
        r->who.user_id ? YX_PI(r->who.user_id) : YX_PN, /* a guest has no account */
        YX_PI(yx_now_ms()), YX_PT(reason), YX_PI(room_id));
}

/* Starts or stops Janus's recording of the room and keeps the record of it (on start, consents
 * lists who consented and when; taken). */
static int set_recording(struct yx_req *r, struct yx_room *room, int on, json_t *consents, const char *reason)
{
    int rc = yx_janus_room_record(room->janus_room, room->secret, on);
    if (rc) {
        json_decref(consents);
        return yx_janus_fail(r);
    }
    char *list = consents ? json_dumps(consents, JSON_COMPACT) : NULL;
    json_decref(consents);
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(r->db, NULL, "UPDATE rtc_rooms SET recording = ? WHERE id = ?", YX_PI(on), YX_PI(room->id));
    if (rc == 0 && on)
        rc = YX_DB_Q(
            r->db, NULL,
            "INSERT INTO rtc_recordings (room_id, started_by, started_at, consents) VALUES (?, ?, ?, ?)",
            YX_PI(room->id), YX_PI(r->who.user_id), YX_PI(now), YX_PT(list));
    else if (rc == 0)
        rc = recording_stopped(r, room->id, reason);
    free(list);
    room->recording = on;
    return rc;
}

int yx_room_consent(struct yx_req *r, struct yx_room *room, const char *table, const char *who_column,
                    int64_t who)
{
    struct yx_rows *rows = NULL;
    char sql[160];
    int yes = json_is_true(json_object_get(r->json, "recording_consent")), rc = 0;
    yx_snprintf(sql, sizeof sql,
                "UPDATE %s SET recording_consent_at = ? WHERE room_id = ? AND %s = ? RETURNING 1", table,
                who_column);
    if (room->id)
        rc = YX_DB_Q(r->db, &rows, sql, yes ? YX_PI(yx_now_ms()) : YX_PN, YX_PI(room->id), YX_PI(who));
    int entered = rc == 0 && rows && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc)
        return rc;
    if (!entered)
        return yx_fail_code(r, YX_ECONFLICT, "not_in_room", NULL,
                            "Hãy vào phòng họp trước / enter the room first.");
    return !yes && room->recording ? set_recording(r, room, 0, NULL, "consent_withdrawn") : 0;
}

int yx_room_consent_required(struct yx_req *r)
{
    return yx_fail_code(r, YX_ECONFLICT, "recording_consent_required", NULL,
                        "Phòng đang ghi hình: cần đồng ý ghi hình để vào / the room is recording: enter only "
                        "with your consent to it.");
}

int yx_room_not_open(struct yx_req *r)
{
    return yx_fail_code(r, YX_ECONFLICT, "room_closed", NULL, "Phòng họp chưa mở / the room is not open.");
}

static json_t *consent_json(const struct yx_rows *rows, int i)
{
    json_t *c = json_pack("{s:s,s:o}", "name", yx_rows_str(rows, i, "name"), "at",
                          yx_json_time_or_null(rows, i, "recording_consent_at"));
    json_object_set_new(c, yx_rows_i64(rows, i, "guest") ? "guest_id" : "user_id",
                        json_integer(yx_rows_i64(rows, i, "id")));
    return c;
}

/* Everyone who entered the room (people and guests) with when they consented to recording; only
 * those who have not when missing is set. A guest whose code was revoked still counts: they may
 * still be in the room. */
static json_t *consents_json(struct yx_db *db, int64_t room_id, int missing)
{
    json_t *out =
        yx_json_rows(db,
                     missing ? "SELECT u.id, u.full_name AS name, p.recording_consent_at, 0 AS guest "
                               "FROM rtc_room_people p "
                               "JOIN users u ON u.id = p.user_id WHERE p.room_id = ? AND "
                               "p.recording_consent_at IS NULL ORDER BY u.id"
                             : "SELECT u.id, u.full_name AS name, p.recording_consent_at, 0 AS guest "
                               "FROM rtc_room_people p "
                               "JOIN users u ON u.id = p.user_id WHERE p.room_id = ? ORDER BY u.id",
                     room_id, consent_json);
    extend(out, yx_json_rows(db,
                             missing ? "SELECT id, name, recording_consent_at, 1 AS guest FROM rtc_guests "
                                       "WHERE room_id = ? AND recording_consent_at IS NULL ORDER BY id"
                                     : "SELECT id, name, recording_consent_at, 1 AS guest FROM rtc_guests "
                                       "WHERE room_id = ? ORDER BY id",
                             room_id, consent_json));
    return out;
}

static const struct yx_field record_fields[] = {
    {"record", YX_F_BOOL, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/consults/:id/room/recording {record} — the chair or secretary starts recording,
 * only when everyone who entered the room consented (409 recording_consent_missing names who has
 * not), or stops it. */
static int room_record(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_room room;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, chair_or_secretary, CHAIR_OR_SECRETARY)) ||
        (rc = yx_body(r, record_fields)) != 0 || (rc = yx_room_find(r->db, c.id, &room)) != 0)
        return rc;
    int on = json_is_true(json_object_get(r->json, "record"));
    if (!room.id)
        return yx_room_not_open(r);
    if (on == room.recording)
        return yx_reply(r, 200, room_json(r->db, c.id, &room));
    if (on) {
        json_t *missing = consents_json(r->db, room.id, 1);
        if (json_array_size(missing))
            return yx_fail_code(
                r, YX_ECONFLICT, "recording_consent_missing", json_pack("{s:o}", "missing", missing),
                "Chưa phải mọi người trong phòng đã đồng ý ghi hình / not everyone who entered the "
                "room consented to recording.");
        json_decref(missing);
    }
    json_t *consents = on ? consents_json(r->db, room.id, 0) : NULL;
    if ((rc = set_recording(r, &room, on, consents, on ? NULL : "stopped")) != 0)
        return rc;
    return yx_reply(r, 200, room_json(r->db, c.id, &room));
}

static const struct yx_field consent_fields[] = {{"recording_consent", YX_F_BOOL, 1, 0, 0},
                                                 {NULL, 0, 0, 0, 0}};

/* PUT /api/v1/consults/:id/room/consent {recording_consent} — someone who entered the room gives
 * or withdraws their consent to recording; withdrawing it while the room records stops the
 * recording. */
static int room_consent(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_room room;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_body(r, consent_fields)) != 0 ||
        (rc = yx_room_find(r->db, c.id, &room)) != 0)
        return rc;
    if ((rc = yx_room_consent(r, &room, "rtc_room_people", "user_id", r->who.user_id)) != 0)
        return rc;
    return yx_reply(r, 200, room_json(r->db, c.id, &room));
}

/* DELETE /api/v1/consults/:id/room — the chair or secretary closes the room: Janus sends
 * everyone away and forgets it; a later entry opens a new room with a new pin. */
static int room_close(struct yx_req *r)
{
    struct yx_consult c;
    struct yx_room room;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 ||
        (rc = yx_consult_side(r, &c, chair_or_secretary, CHAIR_OR_SECRETARY)) ||
        (rc = yx_room_find(r->db, c.id, &room)) != 0)
        return rc;
    if (!room.id)
        return yx_room_not_open(r);
    if (yx_janus_room_destroy(room.janus_room, room.secret) != 0)
        return yx_janus_fail(r);
    int64_t now = yx_now_ms();
    if (room.recording)
        rc = recording_stopped(r, room.id, "room_closed");
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE rtc_rooms SET closed_at = ?, closed_by = ?, recording = 0 WHERE id = ?",
                     YX_PI(now), YX_PI(r->who.user_id), YX_PI(room.id));
    room = (struct yx_room){0};
    return rc ? rc : yx_reply(r, 200, room_json(r->db, c.id, &room));
}

const struct yx_route yx_consult_room_routes[] = {
    {"POST", "/api/v1/consults/:id/room", room_enter, YX_R_NOTX, "consult.room_enter", "consult",
     YX_CLINICIANS, enter_fields},
    {"GET", "/api/v1/consults/:id/room", room_get, 0, "consult.room_read", "consult", YX_CLINICIANS, NULL},
    {"POST", "/api/v1/consults/:id/room/recording", room_record, YX_R_NOTX, "consult.room_record", "consult",
     YX_CLINICIANS, record_fields},
    {"PUT", "/api/v1/consults/:id/room/consent", room_consent, YX_R_NOTX, "consult.room_consent", "consult",
     YX_CLINICIANS, consent_fields},
    {"DELETE", "/api/v1/consults/:id/room", room_close, YX_R_NOTX, "consult.room_close", "consult",
     YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
