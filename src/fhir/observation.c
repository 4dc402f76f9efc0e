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

/* GET /fhir/Observation/:id: the row id / 16, its measurement id % 16 (absent: the same 404). */
static int observation_read(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0)
        return rc;
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
    json_t *o = rc == 0 ? observation(r, rows, 0) : NULL;
    yx_rows_free(rows);
    if (rc)
        return rc;
    return o ? yx_reply(r, 200, o) : YX_ENOMEM;
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
    struct yx_fhir_query q;
    struct yx_fhir_search s;
    struct yx_param scope[3];
    const char *select;
    int rc, n;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_fhir_visit_select(r, OBS_FROM, &select, scope, &n)) != 0)
        return rc;
    yx_fhir_query_init(&q);
    if ((rc = yx_fhir_search_parse(r, yx_fhir_observation_params, &s, take, &q)) != 0) {
        yx_buf_release(&q.sql);
        return rc;
    }
    return yx_fhir_run_search(r, "Observation", &s, &q, select, scope, n, "o.id", observation);
}

const struct yx_route yx_fhir_observation_routes[] = {
    {"GET", "/fhir/Observation/:id", observation_read, 0, "visit.read", "visit", YX_CLINICIANS, NULL},
    {"GET", "/fhir/Observation", observation_search, 0, "visit.list", "visit", YX_CLINICIANS, NULL},
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
    "id",
    "vitals t",
    "(SELECT pa.facility_id FROM visits v JOIN patients pa ON pa.id = v.patient_id WHERE v.id = t.visit_id)",
    "+t.at",
    1,
    NULL,
    emit_vitals};
