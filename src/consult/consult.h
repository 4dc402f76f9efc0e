/* Internal to src/consult: what its files share. A case (struct yx_consult) is loaded once per
 * request with the caller's relation to it; handlers then ask for a side and a state. */
#ifndef YTEXA_CONSULT_INTERNAL_H
#define YTEXA_CONSULT_INTERNAL_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* The caller's relation to a case (bits). */
enum {
    YX_SIDE_REQUESTER = 1,   /* a clinician of the facility that asked */
    YX_SIDE_HUB = 2,         /* a clinician of the hub that has the case now */
    YX_SIDE_PARTICIPANT = 4, /* named on the case, or of a site taking part */
    YX_SIDE_CHAIR = 8,       /* the chair */
    YX_SIDE_SECRETARY = 16,  /* the secretary */
};

struct yx_consult {
    int64_t id, patient_id, requester, assigned, chair_id, secretary_id;
    int side;
    char state[20], urgency[12], specialty[32];
};

/* Loads case :id (path parameter 0) with the caller's side; 404 when it does not exist or the
 * caller may not see it (yx_authorize, YX_RES_CONSULT). Names the case and its patient in the
 * audit event. */
int yx_consult_load(struct yx_req *r, struct yx_consult *c);

/* Loads a case by id without a caller (the escalator); YX_ENOTFOUND when there is none. */
int yx_consult_load_db(struct yx_db *db, int64_t id, struct yx_consult *c);

/* 403 "not_your_part" unless the caller is on one of the sides (bits), as yx_authorize() decides;
 * who_may names them for the message. */
int yx_consult_side(struct yx_req *r, const struct yx_consult *c, int sides, const char *who_may);

/* 409 "consult_state" unless the case is in one of the states (NULL-terminated). */
int yx_consult_state_in(struct yx_req *r, const struct yx_consult *c, const char *const *states);

/* Records an event (a transition or a routing step); by 0 means the server itself. */
struct yx_consult_event {
    const char *action, *from_state, *to_state, *reason;
    int64_t from_facility, to_facility, by;
};
int yx_consult_event(struct yx_db *db, int64_t id, const struct yx_consult_event *e);

/* Moves the case from its state to `to` (only if it is still in it: 409 otherwise), stamps the
 * matching time column and records the event. */
int yx_consult_set_state(struct yx_req *r, struct yx_consult *c, const char *action, const char *to,
                         const char *reason);

/* The case as the API shows it. */
json_t *yx_consult_json(struct yx_db *db, int64_t id);
/* Answers with the case. */
int yx_consult_answer(struct yx_req *r, int status, int64_t id);

/* Adds a participant (ON CONFLICT nothing) and shares the patient with a site. */
int yx_consult_participant_add(struct yx_db *db, const struct yx_consult *c, int64_t user, int64_t facility,
                               const char *role, int64_t by);

/* Routing (routing.c). The first hub that supports `site` for the case's specialty and has not
 * had the case yet; *hub = 0 when there is none. */
int yx_consult_route(struct yx_db *db, const struct yx_consult *c, int64_t site, int64_t *hub);
/* Gives the case to hub: state requested, a new acceptance deadline, the patient shared with the
 * hub and no longer with the hub that had it (unless it takes part), chair and secretary cleared,
 * and the event. */
int yx_consult_move(struct yx_db *db, struct yx_consult *c, int64_t hub, const struct yx_consult_event *e);
/* Escalates every case past its deadline (the escalator's tick, also run by tests through the
 * clock offset and a restart). Returns how many moved. */
int yx_consult_escalate_due(struct yx_db *db, int64_t now, int *moved);

/* The case's multi-site room on Janus (room.c; guests in guests.c). */
struct yx_room {
    int64_t id, janus_room; /* id 0: the case has no open room */
    int recording;
    char pin[48], secret[48];
};
/* A publisher in a room sends at most this much (less on a thin site). */
#define ROOM_BITRATE_KBPS 512
/* The case's open room into *room (room->id = 0 when it has none). */
int yx_room_find(struct yx_db *db, int64_t consult_id, struct yx_room *room);
/* Adds to out what a browser needs to join on Janus: janus_room, pin, display, the caps and
 * janus {url, token, expires_at}. */
struct yx_site_caps;
int yx_room_pass(json_t *out, const struct yx_room *room, const char *display,
                 const struct yx_site_caps *caps);
/* Sets or clears, from the body's recording_consent, the consent of who (the row of table whose
 * who_column is who: a person in rtc_room_people, a guest in rtc_guests) in the open room;
 * withdrawing it while the room records stops the recording. 409 not_in_room unless they entered. */
int yx_room_consent(struct yx_req *r, struct yx_room *room, const char *table, const char *who_column,
                    int64_t who);
/* The room's two refusals: it records and the caller did not consent (409
 * recording_consent_required); it is not open (409 room_closed). They return their codes. */
int yx_room_consent_required(struct yx_req *r);
int yx_room_not_open(struct yx_req *r);

#endif
