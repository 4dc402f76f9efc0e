/* FHIR Encounter and Condition (docs/fhir.md, "Encounter", "Condition"): remote visits and their
 * ICD-10 diagnoses, read-only. Reading asks yx_visit_access() as the REST visit read does (the
 * patient's facility, the visit's doctor, a facility a live share lets read); searching covers the
 * visits the REST visit list covers (YX_FHIR_VISIT_SCOPE). */
#include <string.h>

#include "fhir.h"
#include "ytexa/patient.h"
#include "ytexa/visit.h"

#define ENC_FROM                                                                                             \
    "SELECT v.id, v.patient_id, pa.full_name AS patient_name, v.doctor_id, d.full_name AS doctor_name, "     \
    "v.doctor_facility_id, df.name AS doctor_facility_name, v.mode, v.state, v.reason, v.started_at, "       \
    "v.ended_at, v.updated_at, (SELECT COUNT(*) FROM appointments ea WHERE ea.visit_id = v.id) AS "          \
    "appointments, (SELECT MIN(ea.id) FROM appointments ea WHERE ea.visit_id = v.id) AS appointment_id "     \
    "FROM visits v JOIN patients pa ON pa.id = v.patient_id JOIN users d ON d.id = v.doctor_id JOIN "        \
    "facilities df ON df.id = v.doctor_facility_id "
#define COND_FROM                                                                                            \
    "SELECT x.id, x.visit_id, x.code, x.is_primary, x.note, x.created_by, cu.full_name AS recorder_name, "   \
    "x.created_at, COALESCE(i.name_vi, c.name_vi) AS code_name, v.patient_id, pa.full_name AS patient_name " \
    "FROM visit_diagnoses x JOIN visits v ON v.id = x.visit_id JOIN patients pa ON pa.id = v.patient_id "    \
    "JOIN users cu ON cu.id = x.created_by LEFT JOIN icd10 i ON i.code = x.code LEFT JOIN icd10 c ON "       \
    "c.code = SUBSTR(x.code, 1, 3) "
/* When a visit happens, for a date search: its start, else when it is planned for, else its making. */
#define ENC_DATE "COALESCE(v.started_at, v.scheduled_at, v.created_at)"

const struct yx_fhir_param yx_fhir_encounter_params[] = {
    {"_id", "token", "The visit's id."},
    {"patient", "reference", "Patient/<id>."},
    {"date", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time), on the visit's start, "
     "else the time it is planned for, else its creation."},
    {"status", "token", "planned, arrived, in-progress, finished, cancelled (a no-show is cancelled)."},
    {"_lastUpdated", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time)."},
    {"_include", "include", "Encounter:patient"},
    {NULL, NULL, NULL},
};

const struct yx_fhir_param yx_fhir_condition_params[] = {
    {"_id", "token", "The diagnosis's id."},
    {"patient", "reference", "Patient/<id>."},
    {"encounter", "reference", "Encounter/<id>: the visit."},
    {"code", "token", "An ICD-10 code (system " YX_FHIR_SID_ICD10 "), exactly."},
    {"category", "token", "encounter-diagnosis (every diagnosis ytexa holds is one)."},
    {"recorded-date", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time)."},
    {"_include", "include", "Condition:patient"},
    {NULL, NULL, NULL},
};

/* ytexa's visit states as Encounter.status; R4 has no no-show for an encounter (Appointment has),
 * so a visit the patient did not come to is cancelled. */
static const char *const statuses[][2] = {
    {"planned", "planned"},   {"arrived", "arrived"},     {"in_progress", "in-progress"},
    {"finished", "finished"}, {"cancelled", "cancelled"}, {"no_show", "cancelled"},
};

static const char *status_of(const char *state)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(statuses[i][0], state) == 0)
            return statuses[i][1];
    return "unknown";
}

static const char *mode_display(const char *mode)
{
    return strcmp(mode, "chat") == 0    ? "Nhắn tin / chat"
           : strcmp(mode, "audio") == 0 ? "Gọi thoại / audio call"
           : strcmp(mode, "video") == 0 ? "Gọi video / video call"
                                        : "Có nhân viên y tế tại trạm hỗ trợ / assisted by a health worker";
}

/* The mode as Encounter.type, and as Appointment, Schedule and Slot serviceType. */
json_t *yx_fhir_visit_mode(const char *mode)
{
    return json_pack("[{s:[{s:s,s:s,s:s}],s:s}]", "coding", "system", YX_FHIR_CS_VISIT_MODE, "code", mode,
                     "display", mode_display(mode), "text", mode_display(mode));
}

static json_t *encounter(struct yx_req *r, const struct yx_rows *rows, int i)
{
    char id[24], at[32];
    int64_t vid = yx_rows_i64(rows, i, "id");
    yx_snprintf(id, sizeof id, "%lld", (long long)vid);
    const char *mode = yx_rows_str(rows, i, "mode");
    json_t *e = json_pack(
        "{s:s,s:s,s:o,s:s,s:{s:s,s:s,s:s},s:o,s:o,s:[{s:[{s:[{s:s,s:s,s:s}]}],s:o}],"
        "s:o,s:[{s:s}]}",
        "resourceType", "Encounter", "id", id, "meta",
        yx_fhir_meta_updated(yx_rows_i64(rows, i, "updated_at")), "status",
        status_of(yx_rows_str(rows, i, "state")), "class", "system",
        "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code", "VR", "display", "virtual", "type",
        yx_fhir_visit_mode(mode), "subject",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "participant", "type", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code", "PPRF", "display",
        "primary performer", "individual",
        yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "doctor_id"), yx_rows_str(rows, i, "doctor_name")),
        "serviceProvider",
        yx_fhir_ref("Organization", yx_rows_i64(rows, i, "doctor_facility_id"),
                    yx_rows_str(rows, i, "doctor_facility_name")),
        "reasonCode", "text", yx_rows_str(rows, i, "reason"));
    if (!e)
        return NULL;
    if (!yx_rows_null(rows, i, "started_at")) {
        json_t *period = json_object();
        yx_time_format(yx_rows_i64(rows, i, "started_at"), at);
        json_object_set_new(period, "start", json_string(at));
        if (!yx_rows_null(rows, i, "ended_at")) {
            yx_time_format(yx_rows_i64(rows, i, "ended_at"), at);
            json_object_set_new(period, "end", json_string(at));
        }
        json_object_set_new(e, "period", period);
    }
    /* The diagnoses, the primary one ranked first (Condition has no rank in R4; the encounter's
     * diagnosis list does). */
    struct yx_rows *dx = NULL;
    if (YX_DB_Q(r->db, &dx, "SELECT id, is_primary FROM visit_diagnoses WHERE visit_id = ? ORDER BY id",
                YX_PI(vid)) == 0 &&
        dx->nrows > 0) {
        json_t *list = json_array();
        for (int k = 0; k < dx->nrows; k++)
            json_array_append_new(list, json_pack("{s:o,s:i}", "condition",
                                                  yx_fhir_ref("Condition", yx_rows_i64(dx, k, "id"), NULL),
                                                  "rank", yx_rows_i64(dx, k, "is_primary") ? 1 : 2));
        json_object_set_new(e, "diagnosis", list);
    }
    yx_rows_free(dx);
    /* The bookings the visit came from (Encounter.appointment is R4's link; Appointment has none
     * back): the one booked, and those it was moved from. The row counts them and names the first
     * (migration 0036's index, no query a row); only a moved booking's visit asks for the list. */
    int64_t booked = yx_rows_i64(rows, i, "appointments");
    if (booked == 1)
        json_object_set_new(
            e, "appointment",
            json_pack("[o]", yx_fhir_ref("Appointment", yx_rows_i64(rows, i, "appointment_id"), NULL)));
    struct yx_rows *ap = NULL;
    if (booked > 1 &&
        YX_DB_Q(r->db, &ap, "SELECT id FROM appointments WHERE visit_id = ? ORDER BY id", YX_PI(vid)) == 0 &&
        ap->nrows > 0) {
        json_t *list = json_array();
        for (int k = 0; k < ap->nrows; k++)
            json_array_append_new(list, yx_fhir_ref("Appointment", yx_rows_i64(ap, k, "id"), NULL));
        json_object_set_new(e, "appointment", list);
    }
    yx_rows_free(ap);
    return e;
}

static json_t *condition(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24], at[32];
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    yx_time_format(yx_rows_i64(rows, i, "created_at"), at);
    const char *code = yx_rows_str(rows, i, "code"), *name = yx_rows_str(rows, i, "code_name");
    json_t *coding = json_pack("{s:s,s:s}", "system", YX_FHIR_SID_ICD10, "code", code);
    if (name)
        json_object_set_new(coding, "display", json_string(name));
    json_t *c = json_pack(
        "{s:s,s:s,s:o,s:[{s:[{s:s,s:s,s:s}]}],s:{s:[o],s:s},s:o,s:o,s:s,s:o}", "resourceType", "Condition",
        "id", id, "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "created_at")), "category", "coding",
        "system", "http://terminology.hl7.org/CodeSystem/condition-category", "code", "encounter-diagnosis",
        "display", "Encounter Diagnosis", "code", "coding", coding, "text", name ? name : code, "subject",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "encounter", yx_fhir_ref("Encounter", yx_rows_i64(rows, i, "visit_id"), NULL), "recordedDate", at,
        "recorder",
        yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "created_by"),
                    yx_rows_str(rows, i, "recorder_name")));
    const char *note = yx_rows_str(rows, i, "note");
    if (c && note && *note)
        json_object_set_new(c, "note", json_pack("[{s:s}]", "text", note));
    return c;
}

/* Reads the row of select "… WHERE <alias>.id = ?" and answers it if the caller may read its visit. */
static int read_one(struct yx_req *r, const char *select, yx_fhir_make make, const char *visit_column)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows, select, YX_PI(id))) != 0)
        return rc;
    if (rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0)
        rc = yx_visit_access(r, yx_rows_i64(rows, 0, visit_column), YX_A_READ);
    json_t *o = rc == 0 ? make(r, rows, 0) : NULL;
    yx_rows_free(rows);
    if (rc)
        return rc;
    return o ? yx_reply(r, 200, o) : YX_ENOMEM;
}

/* GET /fhir/Encounter/:id */
static int encounter_read(struct yx_req *r)
{
    return read_one(r, ENC_FROM "WHERE v.id = ?", encounter, "id");
}

/* GET /fhir/Condition/:id */
static int condition_read(struct yx_req *r)
{
    return read_one(r, COND_FROM "WHERE x.id = ?", condition, "visit_id");
}

/* What a Condition create takes (docs/fhir.md, "Condition create"); any other element is refused,
 * naming it. */
static const struct yx_field condition_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40},
    {"id", YX_F_STRING, 0, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},
    {"text", YX_F_OBJECT, 0, 0, 0},
    {"category", YX_F_ARRAY, 0, 0, 0},
    {"code", YX_F_OBJECT, 1, 0, 0},
    {"subject", YX_F_OBJECT, 0, 0, 0},
    {"encounter", YX_F_OBJECT, 1, 0, 0},
    {"recorder", YX_F_OBJECT, 0, 0, 0},
    {"note", YX_F_ARRAY, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};
static const struct yx_field note_fields[] = {
    {"text", YX_F_STRING, 1, 1, 500},
    {NULL, 0, 0, 0, 0},
};

/* category, when given: condition-category's encounter-diagnosis, the one ytexa records. */
static int category_in(struct yx_req *r, const json_t *list)
{
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        int rc;
        const char *cat = yx_fhir_code_in(r, c, "http://terminology.hl7.org/CodeSystem/condition-category",
                                          "Condition.category", &rc);
        if (!cat)
            return rc;
        if (strcmp(cat, "encounter-diagnosis") != 0)
            return yx_fail_field(r, YX_EINVAL, "Condition.category",
                                 "ytexa ghi chẩn đoán của lượt khám: encounter-diagnosis / ytexa records "
                                 "encounter diagnoses (encounter-diagnosis).");
    }
    return 0;
}

/* note, when given: one, with its text. */
static int note_in(struct yx_req *r, const json_t *b)
{
    const json_t *notes = json_object_get(b, "note");
    if (json_array_size(notes) > 1)
        return yx_fail_field(r, YX_EINVAL, "Condition.note", "Một ghi chú / one note at most.");
    if (json_array_size(notes) == 1)
        return yx_fhir_validate_at(r, json_array_get(notes, 0), note_fields, "Condition.note[0]");
    return 0;
}

const char *yx_fhir_condition_in(struct yx_req *r, const json_t *b, int *rc)
{
    const char *code =
        yx_fhir_code_in(r, json_object_get(b, "code"), YX_FHIR_SID_ICD10, "Condition.code", rc);
    if (code && ((*rc = category_in(r, json_object_get(b, "category"))) != 0 || (*rc = note_in(r, b)) != 0))
        return NULL;
    return code;
}

/* POST /fhir/Condition: an ICD-10 diagnosis of a visit in progress, added through
 * yx_visit_add_diagnosis() with the REST route's rules (the visit's doctor, its state, the code's
 * form). A secondary diagnosis: R4's Condition has no rank; the primary one is chosen in the app. */
static int condition_create(struct yx_req *r)
{
    const json_t *b = r->json;
    int64_t visit = 0, patient = 0, who = 0, id = 0;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    if (!b || strcmp(yx_json_str(b, "resourceType"), "Condition") != 0)
        return yx_fail_field(r, YX_EINVAL, "Condition.resourceType", "Cần một Condition / send a Condition.");
    const char *code = yx_fhir_condition_in(r, b, &rc);
    if (!code)
        return rc;
    const json_t *notes = json_object_get(b, "note");
    if ((rc = yx_fhir_ref_in(r, json_object_get(b, "encounter"), "Encounter", "Condition.encounter",
                             &visit)) != 0 ||
        (json_object_get(b, "subject") && (rc = yx_fhir_ref_in(r, json_object_get(b, "subject"), "Patient",
                                                               "Condition.subject", &patient)) != 0) ||
        (json_object_get(b, "recorder") &&
         (rc = yx_fhir_ref_in(r, json_object_get(b, "recorder"), "Practitioner", "Condition.recorder",
                              &who)) != 0))
        return rc;
    if (who && who != r->who.user_id)
        return yx_fail_field(
            r, YX_EINVAL, "Condition.recorder",
            "Người ghi là người gửi: Practitioner/%lld / the recorder is who records it: Practitioner/%lld.",
            (long long)r->who.user_id, (long long)r->who.user_id);
    const char *note = yx_json_str(json_array_get(notes, 0), "text");
    static const char *const paths[][2] = {{"icd10", "Condition.code"}, {NULL, NULL}};
    if ((rc = yx_fhir_field_paths(r, yx_visit_add_diagnosis(r, visit, code, 0, note, &id), paths)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows, COND_FROM "WHERE x.id = ?", YX_PI(id))) != 0)
        return rc;
    json_t *o = rows->nrows == 1 ? condition(r, rows, 0) : NULL;
    /* Checked once the visit is known to be the caller's: before, a wrong subject would tell a visit
     * of another facility from an absent one. */
    if (o && patient && yx_rows_i64(rows, 0, "patient_id") != patient)
        rc = yx_fail_field(r, YX_EINVAL, "Condition.subject",
                           "subject là bệnh nhân của lượt khám / subject must be the visit's patient.");
    yx_rows_free(rows);
    if (rc || !o) {
        json_decref(o);
        return rc ? rc : YX_ENOMEM;
    }
    return yx_fhir_reply_resource(r, 201, o, "Condition", id, 0, 1);
}

/* ---- $import (docs/fhir.md "Bulk import") ----------------------------------------------------- */

/* What an Encounter line takes; the line's id is required (its source's, what the lines that refer
 * to it name). diagnosis, appointment, serviceProvider and identifier are not read: the file's
 * Conditions name their encounter, and the facility is the one the import names. */
const struct yx_field yx_fhir_encounter_import_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40},
    {"id", YX_F_STRING, 1, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},
    {"text", YX_F_OBJECT, 0, 0, 0},
    {"identifier", YX_F_ARRAY, 0, 0, 0},
    {"status", YX_F_STRING, 1, 1, 20},
    {"class", YX_F_OBJECT, 1, 0, 0},
    {"type", YX_F_ARRAY, 0, 0, 0},
    {"subject", YX_F_OBJECT, 1, 0, 0},
    {"participant", YX_F_ARRAY, 0, 0, 0},
    {"period", YX_F_OBJECT, 1, 0, 0},
    {"reasonCode", YX_F_ARRAY, 0, 0, 0},
    {"diagnosis", YX_F_ARRAY, 0, 0, 0},
    {"appointment", YX_F_ARRAY, 0, 0, 0},
    {"serviceProvider", YX_F_OBJECT, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};
const struct yx_field yx_fhir_condition_import_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40},
    {"id", YX_F_STRING, 1, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},
    {"text", YX_F_OBJECT, 0, 0, 0},
    {"category", YX_F_ARRAY, 0, 0, 0},
    {"code", YX_F_OBJECT, 1, 0, 0},
    {"subject", YX_F_OBJECT, 0, 0, 0},
    {"encounter", YX_F_OBJECT, 1, 0, 0},
    {"recordedDate", YX_F_STRING, 0, 10, 40},
    {"recorder", YX_F_OBJECT, 0, 0, 0},
    {"note", YX_F_ARRAY, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* The mode: the type coded in ytexa's visit modes; another system's file without one was a video
 * call (class VR). */
static const char *mode_in(const json_t *types)
{
    size_t i, k;
    json_t *t, *c;
    json_array_foreach(types, i, t)
    {
        json_array_foreach(json_object_get(t, "coding"), k, c)
        {
            const char *sys = json_string_value(json_object_get(c, "system"));
            if (sys && strcmp(sys, YX_FHIR_CS_VISIT_MODE) == 0)
                return json_string_value(json_object_get(c, "code"));
        }
    }
    return "video";
}

/* The reason: the first reasonCode's text, else its first coding's display. */
static const char *reason_in(const json_t *codes)
{
    const json_t *c = json_array_get(codes, 0);
    const char *text = json_string_value(json_object_get(c, "text"));
    if (text)
        return text;
    text = json_string_value(json_object_get(json_array_get(json_object_get(c, "coding"), 0), "display"));
    return text ? text : "Khám từ xa (nhập từ hệ thống khác)";
}

/* The Condition the diagnosis list ranks 1 (its source id), remembered for its line. */
static int primary_in(struct yx_req *r, const struct yx_fhir_import *im, const char *source, const char *sid,
                      const json_t *list)
{
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d)
    {
        const char *ref = json_string_value(json_object_get(json_object_get(d, "condition"), "reference"));
        if (json_integer_value(json_object_get(d, "rank")) == 1 && ref &&
            strncmp(ref, "Condition/", 10) == 0 && ref[10])
            return yx_fhir_import_keep_primary(r, im, source, sid, ref + 10);
    }
    return 0;
}

int yx_fhir_encounter_import(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                             struct yx_fhir_imported *out)
{
    static const char *const paths[][2] = {{"mode", "Encounter.type"},
                                           {"reason", "Encounter.reasonCode"},
                                           {"start", "Encounter.period.start"},
                                           {"end", "Encounter.period.end"},
                                           {"doctor_id", "Encounter.participant"},
                                           {NULL, NULL}};
    struct yx_visit_past p = {.kind = YX_PAST_VISIT, .facility_id = im->facility};
    const char *source, *sid;
    int rc;
    if ((rc = yx_fhir_import_begin(r, res, yx_fhir_encounter_import_fields, im, "Encounter", &source, &sid,
                                   out)) != 0 ||
        out->id)
        return rc;
    if ((rc = yx_fhir_encounter_in(r, res, &p)) != 0)
        return rc;
    size_t i;
    json_t *part;
    json_array_foreach(json_object_get(res, "participant"), i, part)
    {
        if (!p.by && (rc = yx_fhir_import_practitioner(r, json_object_get(part, "individual"), &p.by)) != 0)
            return rc;
    }
    if ((rc = yx_fhir_import_ref(r, im, source, json_object_get(res, "subject"), "Patient",
                                 "Encounter.subject", &p.patient_id)) != 0 ||
        (rc = yx_fhir_field_paths(r, yx_visit_record_past(r, &p, &out->id), paths)) != 0 ||
        (rc = yx_fhir_import_keep(r, im, source, "Encounter", sid, out->id)) != 0 ||
        (rc = primary_in(r, im, source, sid, json_object_get(res, "diagnosis"))) != 0)
        return rc;
    out->what = YX_IMPORT_CREATED;
    out->visit = out->id;
    out->patient = p.patient_id;
    return 0;
}

int yx_fhir_encounter_in(struct yx_req *r, const json_t *res, struct yx_visit_past *p)
{
    int rc;
    if (strcmp(yx_json_str(res, "status"), "finished") != 0)
        return yx_fail_field(r, YX_EINVAL, "Encounter.status",
                             "Chỉ nhập lượt khám đã xong: status finished / an import takes finished "
                             "encounters (status finished).");
    const json_t *cls = json_object_get(res, "class");
    const char *cls_sys = json_string_value(json_object_get(cls, "system")),
               *cls_code = json_string_value(json_object_get(cls, "code"));
    if (!cls_code || strcmp(cls_code, "VR") != 0 ||
        (cls_sys && strcmp(cls_sys, "http://terminology.hl7.org/CodeSystem/v3-ActCode") != 0))
        return yx_fail_field(r, YX_EINVAL, "Encounter.class",
                             "ytexa giữ lượt khám từ xa: class VR / ytexa holds remote visits: class VR "
                             "(v3-ActCode).");
    const json_t *period = json_object_get(res, "period");
    if ((rc = yx_fhir_import_time(r, json_string_value(json_object_get(period, "start")),
                                  "Encounter.period.start", &p->start)) != 0 ||
        (rc = yx_fhir_import_time(r, json_string_value(json_object_get(period, "end")),
                                  "Encounter.period.end", &p->end)) != 0)
        return rc;
    if (!p->start || !p->end)
        return yx_fail_field(r, YX_EINVAL, p->start ? "Encounter.period.end" : "Encounter.period.start",
                             "Lượt khám đã xong có giờ bắt đầu và kết thúc / a finished encounter has its "
                             "period's start and end.");
    p->mode = mode_in(json_object_get(res, "type"));
    p->reason = reason_in(json_object_get(res, "reasonCode"));
    return 0;
}

int yx_fhir_condition_import(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                             struct yx_fhir_imported *out)
{
    static const char *const paths[][2] = {
        {"icd10", "Condition.code"}, {"at", "Condition.recordedDate"}, {NULL, NULL}};
    struct yx_visit_past p = {.kind = YX_PAST_DIAGNOSIS, .facility_id = im->facility};
    const char *source, *sid;
    int rc;
    if ((rc = yx_fhir_import_begin(r, res, yx_fhir_condition_import_fields, im, "Condition", &source, &sid,
                                   out)) != 0 ||
        out->id)
        return rc;
    if (!(p.icd10 = yx_fhir_condition_in(r, res, &rc)) ||
        (rc = yx_fhir_import_time(r, yx_json_str(res, "recordedDate"), "Condition.recordedDate", &p.at)) !=
            0 ||
        (rc = yx_fhir_import_practitioner(r, json_object_get(res, "recorder"), &p.by)) != 0)
        return rc;
    p.note = yx_json_str(json_array_get(json_object_get(res, "note"), 0), "text");
    /* Primary when its Encounter ranked it first; with no ranks, the visit's first diagnosis. */
    const char *primary = NULL;
    if ((rc = yx_fhir_import_primary(r, im, source, json_object_get(res, "encounter"), &primary)) != 0)
        return rc;
    p.primary = primary ? strcmp(primary, sid) == 0 : -1;
    if ((rc = yx_fhir_import_ref(r, im, source, json_object_get(res, "encounter"), "Encounter",
                                 "Condition.encounter", &p.visit_id)) != 0 ||
        (rc = yx_fhir_import_subject(r, im, source, json_object_get(res, "subject"), "Condition.subject",
                                     p.visit_id, &out->patient)) != 0 ||
        (rc = yx_fhir_field_paths(r, yx_visit_record_past(r, &p, &out->id), paths)) != 0 ||
        (rc = yx_fhir_import_keep(r, im, source, "Condition", sid, out->id)) != 0)
        return rc;
    out->what = YX_IMPORT_CREATED;
    out->visit = p.visit_id;
    return 0;
}

static const struct yx_fhir_ref encounter_refs[] = {
    {"_id", "Encounter", "v.id = ?"},
    {"patient", "Patient", "v.patient_id = ?"},
    {NULL, NULL, NULL},
};
static const struct yx_fhir_ref condition_refs[] = {
    {"_id", "Condition", "x.id = ?"},
    {"patient", "Patient", "v.patient_id = ?"},
    {"encounter", "Encounter", "x.visit_id = ?"},
    {NULL, NULL, NULL},
};

static int take_encounter(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(encounter_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "Encounter", v);
    if (strcmp(name, "status") == 0) {
        static const char *const others[] = {"triaged", "onleave", "entered-in-error", "unknown", NULL};
        if (strcmp(v, "cancelled") == 0)
            return yx_fhir_where(r, q, "v.state IN ('cancelled', 'no_show')", 0);
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
            if (strcmp(statuses[i][1], v) == 0)
                return yx_fhir_where(r, q, "v.state = ?", 1, YX_PT(statuses[i][0]));
        if (yx_one_of(v, others))
            return yx_fhir_nobody(q); /* an R4 status no visit of ytexa has */
        return yx_fail_field(
            r, YX_EINVAL, name,
            "status là planned, arrived, in-progress, finished hoặc cancelled / status is "
            "an Encounter status of R4 (planned, arrived, in-progress, finished, cancelled).");
    }
    if (strcmp(name, "date") == 0)
        return yx_fhir_instant_cond(r, q, name, v, ENC_DATE);
    return yx_fhir_instant_cond(r, q, name, v, "v.updated_at"); /* _lastUpdated */
}

static int take_condition(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(condition_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "Condition", v);
    if (strcmp(name, "code") == 0) {
        const char *code = yx_fhir_token(r, v, YX_FHIR_SID_ICD10);
        return code && *code ? yx_fhir_where(r, q, "x.code = ?", 1, YX_PT(code)) : yx_fhir_nobody(q);
    }
    if (strcmp(name, "category") == 0) {
        const char *cat = yx_fhir_token(r, v, "http://terminology.hl7.org/CodeSystem/condition-category");
        return cat && strcmp(cat, "encounter-diagnosis") == 0 ? 0 : yx_fhir_nobody(q);
    }
    return yx_fhir_instant_cond(r, q, name, v, "x.created_at"); /* recorded-date */
}

static int search(struct yx_req *r, const char *type, const struct yx_fhir_param *params,
                  int (*take)(struct yx_req *, const char *, const char *, void *), const char *from,
                  const char *key, yx_fhir_make make)
{
    struct yx_param scope[3];
    const char *select;
    int rc, n;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_fhir_visit_select(r, from, &select, scope, &n)) != 0)
        return rc;
    return yx_fhir_search(r, type, params, take, select, scope, n, key, make);
}

/* GET /fhir/Encounter */
static int encounter_search(struct yx_req *r)
{
    return search(r, "Encounter", yx_fhir_encounter_params, take_encounter, ENC_FROM, "v.id", encounter);
}

/* GET /fhir/Condition */
static int condition_search(struct yx_req *r)
{
    return search(r, "Condition", yx_fhir_condition_params, take_condition, COND_FROM, "x.id", condition);
}

const struct yx_route yx_fhir_encounter_routes[] = {
    {"GET", "/fhir/Encounter/:id", encounter_read, 0, "visit.read", "visit", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"GET", "/fhir/Encounter", encounter_search, 0, "visit.list", "visit", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"GET", "/fhir/Condition/:id", condition_read, 0, "visit.read", "visit", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"GET", "/fhir/Condition", condition_search, 0, "visit.list", "visit", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"POST", "/fhir/Condition", condition_create, 0, "visit.diagnosis", "visit", YX_DOCTORS,
     condition_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* $export's Encounter and Condition: the searches' rows and mappings, every visit of the export's
 * places (the patient's facility, as a system's search). */
const struct yx_fhir_export yx_fhir_encounter_export = {
    "Encounter",
    ENC_FROM "WHERE 1 = 1",
    "v.id",
    "visits v",
    "(SELECT pa.facility_id FROM patients pa WHERE pa.id = v.patient_id)",
    "+v.updated_at",
    1,
    encounter,
    NULL};
const struct yx_fhir_export yx_fhir_condition_export = {
    "Condition",
    COND_FROM "WHERE 1 = 1",
    "x.id",
    "visit_diagnoses x",
    "(SELECT pa.facility_id FROM visits v JOIN patients pa ON pa.id = v.patient_id WHERE v.id = x.visit_id)",
    "+x.created_at",
    1,
    condition,
    NULL};
