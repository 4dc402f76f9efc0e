/* FHIR Schedule and Slot (docs/fhir.md, "Schedule", "Slot"): a doctor's published blocks of
 * availability (schedules) and the slots each is cut into, read and searched. Slots are stored
 * rows (src/schedule/slots.c cuts a block when it is published), so a Slot's id is its row's id
 * and stays the same; pages are keyed on it like every search. Who may see them is what GET
 * /api/v1/slots lets see: any doctor's availability, for the clinicians and administrators who
 * book or plan (no patient data is in them), so these routes ask nothing of yx_authorize()
 * beyond the role. */
#include <string.h>

#include "fhir.h"

#define SCHEDULE_FROM                                                                                        \
    "SELECT s.id, s.doctor_id, u.full_name AS doctor_name, s.facility_id, f.name AS facility_name, "         \
    "s.start_at, s.end_at, s.mode, s.created_at, s.cancelled_at FROM schedules s JOIN users u ON u.id = "    \
    "s.doctor_id JOIN facilities f ON f.id = s.facility_id "
/* A slot is booked while an appointment holds it (the partial unique index allows one). */
#define SLOT_BOOKED "EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = sl.id AND a.status = 'booked')"
#define SLOT_FROM                                                                                            \
    "SELECT sl.id, sl.schedule_id, sl.start_at, sl.end_at, sl.mode, sl.cancelled, CASE WHEN " SLOT_BOOKED    \
    " THEN 1 ELSE 0 END AS booked FROM slots sl "

const struct yx_fhir_param yx_fhir_schedule_params[] = {
    {"_id", "token", "The block's id."},
    {"actor", "reference", "Practitioner/<id> (the doctor) or Location/<id> (the doctor's facility's site)."},
    {"active", "token", "true while published, false once withdrawn."},
    {"date", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time), on the block's start."},
    {NULL, NULL, NULL},
};

const struct yx_fhir_param yx_fhir_slot_params[] = {
    {"_id", "token", "The slot's id."},
    {"schedule", "reference", "Schedule/<id>: the block the slot is cut from."},
    {"start", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time)."},
    {"status", "token",
     "free (bookable), busy (booked), busy-unavailable (withdrawn, or past and not booked); "
     "busy-tentative and entered-in-error match nobody."},
    {NULL, NULL, NULL},
};

static json_t *schedule(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24], start[32], end[32];
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    yx_time_format(yx_rows_i64(rows, i, "start_at"), start);
    yx_time_format(yx_rows_i64(rows, i, "end_at"), end);
    int withdrawn = !yx_rows_null(rows, i, "cancelled_at");
    return json_pack(
        "{s:s,s:s,s:o,s:b,s:o,s:[o,o],s:{s:s,s:s}}", "resourceType", "Schedule", "id", id, "meta",
        yx_fhir_meta_updated(yx_rows_i64(rows, i, withdrawn ? "cancelled_at" : "created_at")), "active",
        !withdrawn, "serviceType", yx_fhir_visit_mode(yx_rows_str(rows, i, "mode")), "actor",
        yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "doctor_id"), yx_rows_str(rows, i, "doctor_name")),
        yx_fhir_ref("Location", yx_rows_i64(rows, i, "facility_id"), yx_rows_str(rows, i, "facility_name")),
        "planningHorizon", "start", start, "end", end);
}

/* The slot's status at now: withdrawn or gone by unbooked, it can no longer be booked. */
static const char *slot_status(const struct yx_rows *rows, int i, int64_t now)
{
    if (yx_rows_i64(rows, i, "cancelled"))
        return "busy-unavailable";
    if (yx_rows_i64(rows, i, "booked"))
        return "busy";
    return yx_rows_i64(rows, i, "start_at") < now ? "busy-unavailable" : "free";
}

static json_t *slot(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24], start[32], end[32];
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    yx_time_format(yx_rows_i64(rows, i, "start_at"), start);
    yx_time_format(yx_rows_i64(rows, i, "end_at"), end);
    return json_pack("{s:s,s:s,s:o,s:o,s:s,s:s,s:s}", "resourceType", "Slot", "id", id, "serviceType",
                     yx_fhir_visit_mode(yx_rows_str(rows, i, "mode")), "schedule",
                     yx_fhir_ref("Schedule", yx_rows_i64(rows, i, "schedule_id"), NULL), "status",
                     slot_status(rows, i, yx_now_ms()), "start", start, "end", end);
}

/* GET /fhir/Schedule/:id */
static int schedule_read(struct yx_req *r)
{
    return yx_fhir_read_one(r, NULL, SCHEDULE_FROM "WHERE s.id = ?", schedule);
}

/* GET /fhir/Slot/:id */
static int slot_read(struct yx_req *r)
{
    return yx_fhir_read_one(r, NULL, SLOT_FROM "WHERE sl.id = ?", slot);
}

static const struct yx_fhir_ref schedule_refs[] = {
    {"_id", "Schedule", "s.id = ?"},
    {NULL, NULL, NULL},
};
static const struct yx_fhir_ref slot_refs[] = {
    {"_id", "Slot", "sl.id = ?"},
    {"schedule", "Schedule", "sl.schedule_id = ?"},
    {NULL, NULL, NULL},
};
/* actor names a doctor or a site: the reference's type says which ("123" alone is a doctor). */
static const struct yx_fhir_ref actor_practitioner = {"actor", "Practitioner", "s.doctor_id = ?"};
static const struct yx_fhir_ref actor_location = {"actor", "Location", "s.facility_id = ?"};

static int take_schedule(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(schedule_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "actor") == 0)
        return yx_fhir_ref_where(r, q, yx_fhir_ref_is(v, "Location") ? &actor_location : &actor_practitioner,
                                 v);
    if (strcmp(name, "active") == 0) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return yx_fail_field(r, YX_EINVAL, name, "active là true hoặc false / active is true or false.");
        return yx_fhir_where(r, q, v[0] == 't' ? "s.cancelled_at IS NULL" : "s.cancelled_at IS NOT NULL", 0);
    }
    return yx_fhir_instant_cond(r, q, name, v, "s.start_at"); /* date */
}

static int take_slot(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(slot_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "status") == 0) {
        struct yx_param now = YX_PI(yx_now_ms());
        if (strcmp(v, "free") == 0)
            return yx_fhir_where(r, q, "(sl.cancelled = 0 AND NOT " SLOT_BOOKED " AND sl.start_at >= ?)", 1,
                                 now);
        if (strcmp(v, "busy") == 0)
            return yx_fhir_where(r, q, "(sl.cancelled = 0 AND " SLOT_BOOKED ")", 0);
        if (strcmp(v, "busy-unavailable") == 0)
            return yx_fhir_where(r, q, "(sl.cancelled = 1 OR (NOT " SLOT_BOOKED " AND sl.start_at < ?))", 1,
                                 now);
        if (strcmp(v, "busy-tentative") == 0 || strcmp(v, "entered-in-error") == 0)
            return yx_fhir_nobody(q);
        return yx_fail_field(r, YX_EINVAL, name,
                             "status là free, busy hoặc busy-unavailable / status is a Slot status of R4 "
                             "(free, busy, busy-unavailable, busy-tentative, entered-in-error).");
    }
    return yx_fhir_instant_cond(r, q, name, v, "sl.start_at"); /* start */
}

static int search(struct yx_req *r, const char *type, const struct yx_fhir_param *params,
                  int (*take)(struct yx_req *, const char *, const char *, void *), const char *select,
                  const char *key, yx_fhir_make make)
{
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    return yx_fhir_search(r, type, params, take, select, NULL, 0, key, make);
}

/* GET /fhir/Schedule */
static int schedule_search(struct yx_req *r)
{
    return search(r, "Schedule", yx_fhir_schedule_params, take_schedule, SCHEDULE_FROM "WHERE 1 = 1", "s.id",
                  schedule);
}

/* GET /fhir/Slot */
static int slot_search(struct yx_req *r)
{
    return search(r, "Slot", yx_fhir_slot_params, take_slot, SLOT_FROM "WHERE 1 = 1", "sl.id", slot);
}

#define BOOKERS (YX_CLINICIANS | YX_ROLE_FACILITY_ADMIN)

const struct yx_route yx_fhir_schedule_routes[] = {
    {"GET", "/fhir/Schedule/:id", schedule_read, 0, NULL, NULL, BOOKERS, NULL},
    {"GET", "/fhir/Schedule", schedule_search, 0, NULL, NULL, BOOKERS, NULL},
    {"GET", "/fhir/Slot/:id", slot_read, 0, NULL, NULL, BOOKERS, NULL},
    {"GET", "/fhir/Slot", slot_search, 0, NULL, NULL, BOOKERS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
