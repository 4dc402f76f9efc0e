/* Remote consultation between facilities (src/consult): what the rest of the program starts. */
#ifndef YTEXA_CONSULT_H
#define YTEXA_CONSULT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The escalator: a background job that moves every case nobody accepted in time one level up the
 * support network (at start, then every 5 s). Call once from the main thread before serving. */
int yx_consult_escalator_start(void);
/* Stops it after the pass in progress. */
void yx_consult_escalator_stop(void);

struct yx_req;
/* The owner of clinical files (include/ytexa/files.h): a file attached to consultations is read by
 * exactly those who may read one of them. src/app registers it with the files workflow. */
struct yx_file_owner;
extern const struct yx_file_owner yx_consult_file_owner;

/* The channel "consult:<id>" (include/ytexa/realtime.h), the case's chat and calls: for those who
 * may see the case; its author and its chair are told of messages they miss. src/app registers it
 * with the hub. */
struct yx_channel_kind;
extern const struct yx_channel_kind yx_consult_channel;

/* GET /api/v1/verify/:code for signed minutes (src/app/verify.c asks each kind of document): 0
 * with the answer set when code (as printed, XXXXX-XXXXX) is one of them; YX_ENOTFOUND, with no
 * answer set, when it is not; another code when the database fails. */
int yx_consult_verify(struct yx_req *r, const char *code);

/* A concluded consultation (concluded, outcome recorded or closed), de-identified for teaching as
 * GET /api/v1/consults/:id/export answers it; NULL when there is none or it is not concluded.
 * Training's case sessions show it to a course's people (who do not see the case itself). */
struct yx_db;
json_t *yx_consult_deidentified(struct yx_db *db, int64_t id);

/* For the FHIR mapping of cases (src/fhir): may r's principal read case id, as GET
 * /api/v1/consults/:id decides (yx_authorize, YX_RES_CONSULT)? 0, or the same 404 for a case that
 * is not the caller's business as for an absent one. Names the case and its patient in the audit
 * event, as the REST read does. */
int yx_consult_access(struct yx_req *r, int64_t id);
/* Is the caller a clinician of a facility, who opens and reads cases (yx_scope())? 0, or r's 403:
 * others have no business with consultations (the REST case list and create, FHIR's searches). */
int yx_consult_clinician(struct yx_req *r);
/* The cases a clinician reads, as a condition on consults aliased c: the requesting facility's,
 * the hub's that has it now, and those the caller or its facility takes part in (what
 * yx_consult_access allows, for a list). Four parameters: the facility, the facility, the user,
 * the facility. */
#define YX_CONSULT_SEEN_BY                                                                                   \
    "(c.requester_facility_id = ? OR c.assigned_facility_id = ? OR EXISTS (SELECT 1 FROM "                   \
    "consult_participants cp WHERE cp.consult_id = c.id AND (cp.user_id = ? OR (cp.user_id IS NULL AND "     \
    "cp.facility_id = ?))))"
/* Renders signed minutes (consult_minutes.id) as the PDF GET /api/v1/consults/:id/minutes/:version/pdf
 * answers, byte for byte; *pdf is malloc'd. YX_ENOTFOUND when there are none. */
int yx_consult_minutes_pdf(struct yx_db *db, int64_t minutes_id, char **pdf, size_t *len);

#endif
