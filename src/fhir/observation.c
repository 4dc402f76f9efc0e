/* FHIR Observation (docs/fhir.md, "Observation"): the vital signs of a visit, one Observation a
 * measurement, conforming to R4's vital-signs profiles (LOINC code, UCUM unit, category
 * vital-signs; blood pressure one Observation with its two components). A row of vitals holds up to
 * eight measurements, so an Observation's id is the row's id × 16 + the measurement's number
 * (table below): ids stay whole numbers and the search keeps the one cursor of search.c. Read-only;
 * reading asks yx_visit_access() like the REST visit read, searching covers YX_FHIR_VISIT_SCOPE. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/patient.h"
#include "ytexa/visit.h"

/* The measurements: number, column, LOINC code and name, UCUM unit and its human form, profile. */
static const struct measure {
    int k;
    const char *column, *loinc, *name, *ucum, *unit, *profile;
} measures[] = {
    {1, "systolic", "85354-9", "Blood pressure panel with all children optional", "mm[Hg]", "mmHg", "bp"},
    {2, "pulse", "8867-4", "Heart rate", "/min", "beats/minute", "heartrate"},
    {3, "respiratory_rate", "9279-1", "Respiratory rate", "/min", "breaths/minute", "resprate"},
    {4, "temperature", "8310-5", "Body temperature", "Cel", "C", "bodytemp"},
    {5, "spo2", "2708-6", "Oxygen saturation in Arterial blood", "%", "%", "oxygensat"},
    {6, "weight", "29463-7", "Body weight", "kg", "kg", "bodyweight"},
    {7, "height", "8302-2", "Body height", "cm", "cm", "bodyheight"},
    /* Capillary glucose is no vital sign in R4: a laboratory observation, without a profile. */
    {8, "glucose", "15074-8", "Glucose [Moles/volume] in Blood", "mmol/L", "mmol/L", NULL},
};
#define NMEASURES ((int)(sizeof measures / sizeof measures[0]))

#define COLS                                                                                                 \
    "t.id AS vitals_id, t.visit_id, t.at, t.recorded_by, t.systolic, t.diastolic, t.pulse, "                 \
    "t.respiratory_rate, t.temperature, t.spo2, t.weight, t.height, t.glucose FROM vitals t WHERE t."
#define ONE(k, col) "SELECT t.id * 16 + " #k " AS id, " #k " AS k, " COLS col " IS NOT NULL"
/* One row a measurement taken, numbered as the table above. */
#define M1 ONE(1, "systolic")
#define M2 ONE(2, "pulse")
#define M3 ONE(3, "respiratory_rate")
#define M4 ONE(4, "temperature")
#define M5 ONE(5, "spo2")
#define M6 ONE(6, "weight")
#define M7 ONE(7, "height")
#define M8 ONE(8, "glucose")
#define ALL " UNION ALL "
#define OBS_FROM                                                                                             \
    "SELECT o.*, v.patient_id, pa.full_name AS patient_name FROM (" M1 ALL M2 ALL M3 ALL M4 ALL M5 ALL M6    \
        ALL M7 ALL M8 ") o JOIN visits v ON v.id = o.visit_id JOIN patients pa ON pa.id = v.patient_id "

const struct yx_fhir_param yx_fhir_observation_params[] = {
    {"_id", "token", "The Observation's id."},
    {"patient", "reference", "Patient/<id>."},
    {"encounter", "reference", "Encounter/<id>: the visit."},
    {"code", "token",
     "A LOINC code (system http://loinc.org): 85354-9 blood pressure, 8867-4 heart rate, 9279-1 "
     "respiratory rate, 8310-5 body temperature, 2708-6 oxygen saturation, 29463-7 weight, 8302-2 "
     "height, 15074-8 blood glucose."},
    {"category", "token", "vital-signs (all but glucose) or laboratory (glucose)."},
    {"date", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time)."},
    {"_include", "include", "Observation:patient"},
    {NULL, NULL, NULL},
};

static const struct measure *measure_of(int64_t k)
{
    for (int i = 0; i < NMEASURES; i++)
        if (measures[i].k == k)
            return &measures[i];
    return NULL;
}

static json_t *quantity(const struct yx_rows *rows, int i, const char *column, const struct measure *m)
{
    return json_pack("{s:f,s:s,s:s,s:s}", "value", strtod(yx_rows_str(rows, i, column), NULL), "unit",
                     m->unit, "system", YX_FHIR_UCUM, "code", m->ucum);
}

static json_t *loinc(const char *code, const char *name)
{
    return json_pack("{s:[{s:s,s:s,s:s}],s:s}", "coding", "system", YX_FHIR_LOINC, "code", code, "display",
                     name, "text", name);
}

/* Measurement m of row i of vitals as its Observation. */
static json_t *observation_of(const struct yx_rows *rows, int i, const struct measure *m)
{
    char id[24], at[32], profile[96];
    yx_snprintf(id, sizeof id, "%lld", (long long)(yx_rows_i64(rows, i, "vitals_id") * 16 + m->k));
    yx_time_format(yx_rows_i64(rows, i, "at"), at);
    json_t *meta = yx_fhir_meta_updated(yx_rows_i64(rows, i, "at"));
    if (m->profile) {
        yx_snprintf(profile, sizeof profile, "http://hl7.org/fhir/StructureDefinition/%s", m->profile);
        json_object_set_new(meta, "profile", json_pack("[s]", profile));
    }
    const char *cat = m->profile ? "vital-signs" : "laboratory";
    json_t *o = json_pack(
        "{s:s,s:s,s:o,s:s,s:[{s:[{s:s,s:s,s:s}],s:s}],s:o,s:o,s:o,s:s,s:[o]}", "resourceType", "Observation",
        "id", id, "meta", meta, "status", "final", "category", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/observation-category", "code", cat, "display",
        m->profile ? "Vital Signs" : "Laboratory", "text", m->profile ? "Vital Signs" : "Laboratory", "code",
        loinc(m->loinc, m->name), "subject",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "encounter", yx_fhir_ref("Encounter", yx_rows_i64(rows, i, "visit_id"), NULL), "effectiveDateTime",
        at, "performer", yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "recorded_by"), NULL));
    if (!o)
        return NULL;
    if (m->k == 1) {
        static const struct measure sys = {1,        "systolic", "8480-6", "Systolic blood pressure",
                                           "mm[Hg]", "mmHg",     NULL},
                                    dia = {1,        "diastolic", "8462-4", "Diastolic blood pressure",
                                           "mm[Hg]", "mmHg",      NULL};
        json_object_set_new(o, "component",
                            json_pack("[{s:o,s:o},{s:o,s:o}]", "code", loinc(sys.loinc, sys.name),
                                      "valueQuantity", quantity(rows, i, "systolic", &sys), "code",
                                      loinc(dia.loinc, dia.name), "valueQuantity",
                                      quantity(rows, i, "diastolic", &dia)));
    } else {
        json_object_set_new(o, "valueQuantity", quantity(rows, i, m->column, m));
    }
    return o;
}

static json_t *observation(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    const struct measure *m = measure_of(yx_rows_i64(rows, i, "k"));
    return m ? observation_of(rows, i, m) : NULL;
}

/* Observation id as the caller may read it (its visit's access, as a REST visit read): *o, or the
 * 404 of an absent one. */
static int observation_load(struct yx_req *r, int64_t id, json_t **o)
{
    struct yx_rows *rows = NULL;
    int rc;
    const struct measure *m = measure_of(id % 16);
    if (!m)
        return yx_not_found(r);
    char sql[1024];
    if (yx_snprintf(sql, sizeof sql,
                    "SELECT CAST(? AS INTEGER) AS k, " COLS
                    "id = ? AND t.%s IS NOT NULL) o JOIN visits v ON v.id = o.visit_id "
                    "JOIN patients pa ON pa.id = v.patient_id",
                    m->column) != 0)
        return YX_ENOMEM;
    /* The FROM above is the one row's: "SELECT o.*, … FROM (SELECT …" is put before it. */
    char full[1200];
    if (yx_snprintf(full, sizeof full, "SELECT o.*, v.patient_id, pa.full_name AS patient_name FROM (%s",
                    sql) != 0)
        return YX_ENOMEM;
    if ((rc = YX_DB_Q(r->db, &rows, full, YX_PI(m->k), YX_PI(id / 16))) != 0)
        return rc;
    if (rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0)
        rc = yx_visit_access(r, yx_rows_i64(rows, 0, "visit_id"), YX_A_READ);
    *o = rc == 0 ? observation(r, rows, 0) : NULL;
    yx_rows_free(rows);
    return rc == 0 && !*o ? YX_ENOMEM : rc;
}

/* GET /fhir/Observation/:id: the row id / 16, its measurement id % 16 (absent: the same 404). */
static int observation_read(struct yx_req *r)
{
    int64_t id;
    json_t *o = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = observation_load(r, id, &o)) != 0)
        return rc;
    return yx_reply(r, 200, o);
}

/* What an Observation create takes (docs/fhir.md, "Observation create"); any other element is
 * refused, naming it. */
const struct yx_field yx_fhir_observation_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40}, {"id", YX_F_STRING, 0, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},          {"text", YX_F_OBJECT, 0, 0, 0},
    {"status", YX_F_STRING, 1, 1, 20},       {"category", YX_F_ARRAY, 0, 0, 0},
    {"code", YX_F_OBJECT, 1, 0, 0},          {"subject", YX_F_OBJECT, 0, 0, 0},
    {"encounter", YX_F_OBJECT, 1, 0, 0},     {"effectiveDateTime", YX_F_STRING, 0, 10, 40},
    {"performer", YX_F_ARRAY, 0, 0, 0},      {"valueQuantity", YX_F_OBJECT, 0, 0, 0},
    {"component", YX_F_ARRAY, 0, 0, 0},      {NULL, 0, 0, 0, 0},
};
static const struct yx_field quantity_fields[] = {
    {"value", YX_F_NUMBER, 1, 0, 0},
    {"unit", YX_F_STRING, 0, 0, 40},
    {"system", YX_F_STRING, 0, 1, 256},
    {"code", YX_F_STRING, 0, 1, 40},
    {NULL, 0, 0, 0, 0},
};
static const struct yx_field component_fields[] = {
    {"code", YX_F_OBJECT, 1, 0, 0},
    {"valueQuantity", YX_F_OBJECT, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* The place of a measurement's column in struct yx_vitals. */
static int vital_index(const char *column)
{
    for (int k = 0; k < YX_VITALS; k++)
        if (strcmp(yx_vital_names[k], column) == 0)
            return k;
    return -1;
}

/* A valueQuantity at path in m's unit (UCUM; the system and code may be left out, not changed)
 * into slot k of v. */
static int quantity_in(struct yx_req *r, const json_t *q, const struct measure *m, const char *column,
                       const char *path, struct yx_vitals *v)
{
    int rc = yx_fhir_validate_at(r, q, quantity_fields, path);
    if (rc)
        return rc;
    const char *sys = yx_json_str(q, "system"), *code = yx_json_str(q, "code");
    if ((sys && strcmp(sys, YX_FHIR_UCUM) != 0) || (code && strcmp(code, m->ucum) != 0))
        return yx_fail_field(r, YX_EINVAL, path,
                             "%s tính bằng %s (UCUM, hệ %s) / %s must be in %s (UCUM, system %s).", path,
                             m->ucum, YX_FHIR_UCUM, path, m->ucum, YX_FHIR_UCUM);
    int k = vital_index(column);
    YX_ASSERT(k >= 0);
    v->val[k] = json_number_value(json_object_get(q, "value"));
    v->set[k] = 1;
    return 0;
}

/* Blood pressure: its two components, systolic and diastolic, each once. */
static int components_in(struct yx_req *r, const json_t *list, struct yx_vitals *v)
{
    static const struct measure parts[] = {
        {1, "systolic", "8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg", NULL},
        {1, "diastolic", "8462-4", "Diastolic blood pressure", "mm[Hg]", "mmHg", NULL},
    };
    if (json_array_size(list) != 2)
        return yx_fail_field(
            r, YX_EINVAL, "Observation.component",
            "Huyết áp có hai thành phần 8480-6 và 8462-4 / blood pressure takes two components, "
            "8480-6 and 8462-4.");
    for (size_t i = 0; i < 2; i++) {
        char at[48];
        int rc;
        const json_t *c = json_array_get(list, i);
        yx_snprintf(at, sizeof at, "Observation.component[%zu]", i);
        const char *path = yx_arena_strdup(&r->arena, at);
        if ((rc = yx_fhir_validate_at(r, c, component_fields, path)) != 0)
            return rc;
        yx_snprintf(at, sizeof at, "Observation.component[%zu].code", i);
        const char *code = yx_fhir_code_in(r, json_object_get(c, "code"), YX_FHIR_LOINC,
                                           yx_arena_strdup(&r->arena, at), &rc);
        if (!code)
            return rc;
        const struct measure *p = strcmp(code, parts[0].loinc) == 0   ? &parts[0]
                                  : strcmp(code, parts[1].loinc) == 0 ? &parts[1]
                                                                      : NULL;
        if (!p || v->set[vital_index(p->column)])
            return yx_fail_field(
                r, YX_EINVAL, yx_arena_strdup(&r->arena, at),
                "Thành phần là 8480-6 (tâm thu) và 8462-4 (tâm trương), mỗi thứ một lần / the "
                "components are 8480-6 (systolic) and 8462-4 (diastolic), once each.");
        yx_snprintf(at, sizeof at, "Observation.component[%zu].valueQuantity", i);
        if ((rc = quantity_in(r, json_object_get(c, "valueQuantity"), p, p->column,
                              yx_arena_strdup(&r->arena, at), v)) != 0)
            return rc;
    }
    return 0;
}

/* category, when given: observation-category's vital-signs (laboratory for glucose), as the read
 * side says. */
static int category_in(struct yx_req *r, const json_t *list, const struct measure *m)
{
    const char *want = m->profile ? "vital-signs" : "laboratory";
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        int rc;
        const char *code = yx_fhir_code_in(r, c, "http://terminology.hl7.org/CodeSystem/observation-category",
                                           "Observation.category", &rc);
        if (!code)
            return rc;
        if (strcmp(code, want) != 0)
            return yx_fail_field(r, YX_EINVAL, "Observation.category",
                                 "Loại của %s là %s / the category of LOINC %s is %s.", m->loinc, want,
                                 m->loinc, want);
    }
    return 0;
}

/* When the measurement was taken: a dateTime with its time and zone, at most a day ago and not in
 * the future (5 minutes for clocks); none is now. */
static int effective_in(struct yx_req *r, const char *v, int64_t *at)
{
    int64_t now = yx_now_ms();
    *at = 0;
    if (!v)
        return 0;
    if (strlen(v) < 20 || yx_time_parse(v, at) != 0 || *at > now + 300000 || *at < now - 86400000LL)
        return yx_fail_field(r, YX_EINVAL, "Observation.effectiveDateTime",
                             "effectiveDateTime là thời điểm đo (có giờ và múi giờ) trong 24 giờ qua / "
                             "effectiveDateTime is when it was measured, with time and zone, within the last "
                             "24 hours.");
    return 0;
}

/* Where a refusal of the visit's rules about a measurement is in the Observation. */
static int observation_path_of_error(struct yx_req *r, int rc, const struct measure *m)
{
    if (rc && r->err_field && vital_index(r->err_field) >= 0)
        r->err_field = m->k == 1 ? "Observation.component" : "Observation.valueQuantity";
    return rc;
}

/* The measurement of an Observation b (create or import): final, its LOINC code one ytexa records
 * (*mp), its category, its value (blood pressure: its two components) into v. */
static int measurement_in(struct yx_req *r, const json_t *b, const struct measure **mp, struct yx_vitals *v)
{
    const struct measure *m = NULL;
    int rc;
    if (strcmp(yx_json_str(b, "status"), "final") != 0)
        return yx_fail_field(
            r, YX_EINVAL, "Observation.status",
            "ytexa ghi số đo đã xong: status final / ytexa records finished measurements: status "
            "final.");
    const char *code = yx_fhir_code_in(r, json_object_get(b, "code"), YX_FHIR_LOINC, "Observation.code", &rc);
    if (!code)
        return rc;
    for (int i = 0; i < NMEASURES && !m; i++)
        m = strcmp(measures[i].loinc, code) == 0 ? &measures[i] : NULL;
    if (!m)
        return yx_fail_field(r, YX_EINVAL, "Observation.code",
                             "LOINC %s không phải một chỉ số ytexa ghi / LOINC %s is not a measurement ytexa "
                             "records (docs/fhir.md).",
                             code, code);
    *mp = m;
    if ((rc = category_in(r, json_object_get(b, "category"), m)) != 0)
        return rc;
    const json_t *value = json_object_get(b, "valueQuantity"), *comp = json_object_get(b, "component");
    if (m->k == 1 ? value != NULL : comp != NULL)
        return yx_fail_field(
            r, YX_EINVAL, m->k == 1 ? "Observation.valueQuantity" : "Observation.component",
            "Huyết áp ghi bằng component, chỉ số khác bằng valueQuantity / blood pressure is "
            "given as components, other measurements as valueQuantity.");
    if (m->k == 1)
        return components_in(r, comp, v);
    if (!value)
        return yx_fail_field(r, YX_EINVAL, "Observation.valueQuantity",
                             "Cần valueQuantity / valueQuantity is required.");
    return quantity_in(r, value, m, m->column, "Observation.valueQuantity", v);
}

int yx_fhir_observation_in(struct yx_req *r, const json_t *b, int *k, struct yx_vitals *v)
{
    const struct measure *m = NULL;
    int rc = measurement_in(r, b, &m, v);
    *k = m ? m->k : 0;
    return rc;
}

/* POST /fhir/Observation: one measurement of vital signs on a visit in progress, recorded through
 * yx_visit_record_vitals() with the REST route's rules (who, the visit's state, plausible ranges). */
static int observation_create(struct yx_req *r)
{
    const json_t *b = r->json;
    struct yx_vitals v = {{0}, {0}};
    int64_t visit = 0, patient = 0, who = 0, at = 0, row = 0;
    const struct measure *m = NULL;
    json_t *o = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    if (!b || strcmp(yx_json_str(b, "resourceType"), "Observation") != 0)
        return yx_fail_field(r, YX_EINVAL, "Observation.resourceType",
                             "Cần một Observation / send an Observation.");
    if ((rc = measurement_in(r, b, &m, &v)) != 0 ||
        (rc = yx_fhir_ref_in(r, json_object_get(b, "encounter"), "Encounter", "Observation.encounter",
                             &visit)) != 0 ||
        (json_object_get(b, "subject") && (rc = yx_fhir_ref_in(r, json_object_get(b, "subject"), "Patient",
                                                               "Observation.subject", &patient)) != 0) ||
        (rc = effective_in(r, yx_json_str(b, "effectiveDateTime"), &at)) != 0)
        return rc;
    const json_t *perf = json_object_get(b, "performer");
    if (json_array_size(perf) > 1 ||
        (json_array_size(perf) == 1 && (rc = yx_fhir_ref_in(r, json_array_get(perf, 0), "Practitioner",
                                                            "Observation.performer", &who)) != 0))
        return rc ? rc
                  : yx_fail_field(r, YX_EINVAL, "Observation.performer",
                                  "Người đo là người ghi / the performer is who records it (one).");
    if (who && who != r->who.user_id)
        return yx_fail_field(
            r, YX_EINVAL, "Observation.performer",
            "Người đo là người ghi: Practitioner/%lld / the performer is who records it: Practitioner/%lld.",
            (long long)r->who.user_id, (long long)r->who.user_id);
    if ((rc = observation_path_of_error(r, yx_visit_record_vitals(r, visit, &v, at, &row), m)) != 0 ||
        (rc = observation_load(r, row * 16 + m->k, &o)) != 0)
        return rc;
    /* Checked once the visit is known to be the caller's: before, a wrong subject would tell a visit
     * of another facility from an absent one. */
    const char *subject = json_string_value(json_object_get(json_object_get(o, "subject"), "reference"));
    char want[32];
    yx_snprintf(want, sizeof want, "Patient/%lld", (long long)patient);
    if (patient && (!subject || strcmp(subject, want) != 0)) {
        json_decref(o);
        return yx_fail_field(r, YX_EINVAL, "Observation.subject",
                             "subject là bệnh nhân của lượt khám / subject must be the visit's patient.");
    }
    return yx_fhir_reply_resource(r, 201, o, "Observation", row * 16 + m->k, 0, 1);
}

/* $import's Observation line (docs/fhir.md "Bulk import"): the create's measurement, at any past
 * time, on a visit the file or an earlier one imported, through yx_visit_record_past(). Its id
 * in ytexa is the row's × 16 + the measurement's number, as the read side's. */
int yx_fhir_observation_import(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                               struct yx_fhir_imported *out)
{
    struct yx_vitals v = {{0}, {0}};
    struct yx_visit_past p = {.kind = YX_PAST_VITALS, .facility_id = im->facility, .vitals = &v};
    const char *source, *sid;
    const struct measure *m = NULL;
    int64_t row = 0;
    int rc;
    if ((rc = yx_fhir_import_begin(r, res, yx_fhir_observation_fields, im, "Observation", &source, &sid,
                                   out)) != 0 ||
        out->id)
        return rc;
    const json_t *perf = json_object_get(res, "performer");
    if ((rc = measurement_in(r, res, &m, &v)) != 0 ||
        (rc = yx_fhir_import_time(r, yx_json_str(res, "effectiveDateTime"), "Observation.effectiveDateTime",
                                  &p.at)) != 0 ||
        (json_array_size(perf) > 0 &&
         (rc = yx_fhir_import_practitioner(r, json_array_get(perf, 0), &p.by)) != 0) ||
        (rc = yx_fhir_import_ref(r, im, source, json_object_get(res, "encounter"), "Encounter",
                                 "Observation.encounter", &p.visit_id)) != 0 ||
        (rc = yx_fhir_import_subject(r, im, source, json_object_get(res, "subject"), "Observation.subject",
                                     p.visit_id, &out->patient)) != 0)
        return rc;
    static const char *const paths[][2] = {{"at", "Observation.effectiveDateTime"}, {NULL, NULL}};
    rc = yx_fhir_field_paths(r, observation_path_of_error(r, yx_visit_record_past(r, &p, &row), m), paths);
    if (rc || (rc = yx_fhir_import_keep(r, im, source, "Observation", sid, row * 16 + m->k)) != 0)
        return rc;
    out->what = YX_IMPORT_CREATED;
    out->id = row * 16 + m->k;
    out->visit = p.visit_id;
    return 0;
}

static const struct yx_fhir_ref refs[] = {
    {"_id", "Observation", "o.id = ?"},
    {"patient", "Patient", "v.patient_id = ?"},
    {"encounter", "Encounter", "o.visit_id = ?"},
    {NULL, NULL, NULL},
};

static int take(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "Observation", v);
    if (strcmp(name, "code") == 0) {
        const char *code = yx_fhir_token(r, v, YX_FHIR_LOINC);
        for (int i = 0; code && i < NMEASURES; i++)
            if (strcmp(measures[i].loinc, code) == 0)
                return yx_fhir_where(r, q, "o.k = ?", 1, YX_PI(measures[i].k));
        return yx_fhir_nobody(q);
    }
    if (strcmp(name, "category") == 0) {
        const char *cat = yx_fhir_token(r, v, "http://terminology.hl7.org/CodeSystem/observation-category");
        if (cat && strcmp(cat, "vital-signs") == 0)
            return yx_fhir_where(r, q, "o.k < 8", 0);
        if (cat && strcmp(cat, "laboratory") == 0)
            return yx_fhir_where(r, q, "o.k = 8", 0);
        return yx_fhir_nobody(q);
    }
    return yx_fhir_instant_cond(r, q, name, v, "o.at"); /* date */
}

/* GET /fhir/Observation */
static int observation_search(struct yx_req *r)
{
    struct yx_param scope[3];
    const char *select;
    int rc, n;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_fhir_visit_select(r, OBS_FROM, &select, scope, &n)) != 0)
        return rc;
    return yx_fhir_search(r, "Observation", yx_fhir_observation_params, take, select, scope, n, "o.id",
                          observation);
}

const struct yx_route yx_fhir_observation_routes[] = {
    {"GET", "/fhir/Observation/:id", observation_read, 0, "visit.read", "visit",
     YX_CLINICIANS | YX_ROLE_SYSTEM, NULL},
    {"GET", "/fhir/Observation", observation_search, 0, "visit.list", "visit", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"POST", "/fhir/Observation", observation_create, 0, "visit.vitals", "visit", YX_CLINICIANS,
     yx_fhir_observation_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* $export's Observation: a page of rows of vitals (not of the search's union of eight, which a
 * page on its computed id would read whole), each written as its measurements' Observations with
 * the search's mapping. */
static int emit_vitals(struct yx_req *r, const struct yx_rows *rows, int i, json_t *out)
{
    (void)r;
    for (int k = 0; k < NMEASURES; k++) {
        if (yx_rows_null(rows, i, measures[k].column))
            continue;
        json_t *o = observation_of(rows, i, &measures[k]);
        if (!o || json_array_append_new(out, o) != 0)
            return YX_ENOMEM;
    }
    return 0;
}

const struct yx_fhir_export yx_fhir_observation_export = {
    "Observation",
    "SELECT t.id, t.id AS vitals_id, t.visit_id, t.at, t.recorded_by, t.systolic, t.diastolic, t.pulse, "
    "t.respiratory_rate, t.temperature, t.spo2, t.weight, t.height, t.glucose, v.patient_id, pa.full_name AS "
    "patient_name FROM vitals t JOIN visits v ON v.id = t.visit_id JOIN patients pa ON pa.id = v.patient_id "
    "WHERE 1 = 1",
    "t.id",
    "vitals t",
    "(SELECT pa.facility_id FROM visits v JOIN patients pa ON pa.id = v.patient_id WHERE v.id = t.visit_id)",
    "+t.at",
    1,
    NULL,
    emit_vitals};
