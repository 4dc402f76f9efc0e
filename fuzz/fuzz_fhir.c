/* libFuzzer harness for what a FHIR client sends ytexa to be read into its own fields:
 *
 * - a search: one of the FHIR search routes (every GET /fhir/<Type> the API serves), its handler
 *   run from the query string to the statement it would send: _format, the ceilings on parameters,
 *   _count, _cursor, Prefer: handling=lenient, the type's own parameters (tokens system|code,
 *   references, dates with their prefixes, names, _include) and the SQL conditions they make. Its
 *   database is an engine of this harness (include/ytexa/store.h's table of operations) that sends
 *   nothing: each statement is recorded, a query answered with no rows (so the handler goes on to
 *   write an empty Bundle with its self link), a write as if the database were unreachable (the
 *   $export kick-offs, whose parameters are read as a search's);
 * - a resource, as the creates, updates and $import read it before any database: a Patient
 *   (element table, then the create's and the update's mapping to the REST body), an Observation
 *   (element table, measurement, references), a Condition (code, category, note, references), an
 *   Encounter ($import's element table, status, class, period, mode, reason), an Appointment (a
 *   booking: status, its one slot, its participants), a Consent (the REST body it records).
 *
 * Input layout: a first byte choosing the search route, then three parts separated by 0x00 bytes:
 * the query string, the Prefer header, the resource (JSON). Properties checked beyond "no crash, no
 * sanitizer report": every statement has as many parameters as placeholders; a search sent again
 * with the query of its Bundle's self link (its parameters written back, _count and _cursor added)
 * sends the same statements with the same parameters; an update's mapping of a Patient is its
 * create's with the elements the resource leaves out set to null; a measurement fills exactly its
 * own vital signs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhir.h"
#include "ytexa/visit.h"

#define RECORD_MAX (256 * 1024)
#define INTS_MAX 4096
#define ROUTES_MAX 32

/* ---- The database that sends nothing ------------------------------------------------------ */

/* What the statements of one run were: their text and their parameters (the integers apart). */
static struct {
    char *data;
    size_t len;
    int64_t ints[INTS_MAX];
    int nints;
    int full;
} rec;

static void put(const void *p, size_t n)
{
    if (rec.len + n > RECORD_MAX) {
        rec.full = 1;
        return;
    }
    memcpy(rec.data + rec.len, p, n);
    rec.len += n;
}

/* The placeholders of sql outside its literals. */
static int placeholders(const char *sql)
{
    int n = 0;
    for (const char *s = sql; *s; s++)
        if (*s == '\'')
            s = strchr(s + 1, '\'') ? strchr(s + 1, '\'') : s + strlen(s) - 1;
        else
            n += *s == '?';
    return n;
}

static int stub_exec(struct yx_db *db, const char *sql, const struct yx_param *p, int np,
                     struct yx_rows **out)
{
    if (placeholders(sql) != np)
        abort();
    put(sql, strlen(sql) + 1);
    for (int i = 0; i < np; i++) {
        char t = (char)('0' + p[i].type); /* the integers are kept apart, in rec.ints */
        put(&t, 1);
        if (p[i].type == YX_PINT && rec.nints < INTS_MAX)
            rec.ints[rec.nints++] = p[i].i;
        else if (p[i].type == YX_PINT)
            rec.full = 1;
        else if (p[i].type == YX_PTEXT && (!p[i].s || strlen(p[i].s) != p[i].len))
            abort(); /* libpq reads a text parameter to its NUL */
        else if (p[i].type == YX_PTEXT)
            put(p[i].s, p[i].len + 1);
    }
    /* A query finds nothing; a write (an $export's job) meets a database that cannot be reached, as
     * a write answered with no row (INSERT … RETURNING) never is. */
    if (strncmp(sql, "SELECT ", 7) != 0)
        return YX_EUNAVAIL;
    if (out && !(*out = calloc(1, sizeof **out)))
        return YX_ENOMEM;
    return 0;
}

static const char *stub_error(struct yx_db *db)
{
    return "no database";
}

static int stub_tx_open(struct yx_db *db)
{
    return db->in_tx > 0;
}

static const struct yx_db_engine stub = {.name = "stub",
                                         .dialect = YX_SQLITE,
                                         .exec = stub_exec,
                                         .last_error = stub_error,
                                         .tx_open = stub_tx_open};

/* ---- Searches ----------------------------------------------------------------------------- */

static const struct yx_route *searches[ROUTES_MAX];
static int nsearches;

static void find_searches(void)
{
    const struct yx_route *const tables[] = {
        yx_fhir_patient_routes,   yx_fhir_organization_routes, yx_fhir_practitioner_routes,
        yx_fhir_encounter_routes, yx_fhir_observation_routes,  yx_fhir_medication_routes,
        yx_fhir_consult_routes,   yx_fhir_document_routes,     yx_fhir_audit_event_routes,
        yx_fhir_schedule_routes,  yx_fhir_appointment_routes,  yx_fhir_location_routes,
        yx_fhir_consent_routes,   yx_fhir_export_routes};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct yx_route *rt = tables[t]; rt->pattern; rt++)
            if (strcmp(rt->method, "GET") == 0 && !strchr(rt->pattern, ':') && nsearches < ROUTES_MAX)
                searches[nsearches++] = rt;
}

/* A request of the route's, by a doctor of facility 3 (an administrator where doctors may not). */
static void request(struct yx_req *r, struct yx_db *db, const struct yx_route *rt, const char *query,
                    const char *prefer)
{
    memset(r, 0, sizeof *r);
    r->err_split = -1;
    r->method = "GET";
    r->path = rt->pattern;
    r->query = query;
    r->host = "fhir.test";
    r->scheme = "https";
    r->route = rt;
    r->dialect = &yx_fhir_dialect;
    r->db = db;
    r->who = (struct yx_principal){.user_id = 7, .session_id = 1, .facility_id = 3, .province_id = 1};
    memcpy(r->who.role, rt->roles & YX_ROLE_DOCTOR ? "doctor" : "facility_admin",
           rt->roles & YX_ROLE_DOCTOR ? 7 : 15);
    memcpy(r->who.full_name, "Bác sĩ Lan", sizeof "Bác sĩ Lan");
    if (prefer) {
        r->xhdr[0][0] = "prefer";
        r->xhdr[0][1] = prefer;
        r->nxhdr = 1;
    }
}

static void release(struct yx_req *r)
{
    json_decref(r->out);
    json_decref(r->err_detail);
    free(r->out_raw);
    yx_arena_release(&r->arena);
}

/* Runs the route's search; 0 with what it sent in rec and, when it answered a Bundle, the query of
 * its self link in *self (malloc'd). */
static int search(const struct yx_route *rt, const char *query, const char *prefer, char **self)
{
    struct yx_db db = {.engine = &stub};
    struct yx_req r;
    request(&r, &db, rt, query, prefer);
    rec.len = 0;
    rec.nints = 0;
    rec.full = 0;
    *self = NULL;
    int rc = rt->fn(&r);
    if (rc == 0) {
        const char *url =
            json_string_value(json_object_get(json_array_get(json_object_get(r.out, "link"), 0), "url"));
        const char *q = url ? strchr(url, '?') : NULL;
        if (q)
            *self = strdup(q + 1);
    } else if (r.err) {
        json_decref(yx_fhir_dialect.error(&r, yx_http_status(r.err)));
    }
    release(&r);
    return rc;
}

/* The search, then again with its self link's query: the same statements, with the same
 * parameters. An integer may differ by the time between the two runs: a handler's clock (a
 * consent in force now, a slot not yet begun) has moved on. */
static void search_twice(const struct yx_route *rt, const char *query, const char *prefer)
{
    static int64_t ints[INTS_MAX];
    char *self = NULL, *again = NULL, *first = NULL;
    int64_t began = yx_now_ms();
    if (search(rt, query, prefer, &self) != 0 || !self || rec.full)
        goto out;
    size_t len = rec.len;
    int nints = rec.nints;
    if (!(first = malloc(len + 1)))
        goto out;
    memcpy(first, rec.data, len);
    memcpy(ints, rec.ints, (size_t)nints * sizeof ints[0]);
    if (search(rt, self, prefer, &again) != 0 || rec.len != len || memcmp(first, rec.data, len) != 0 ||
        rec.nints != nints)
        abort();
    int64_t moved = yx_now_ms() - began;
    for (int i = 0; i < nints; i++)
        if (llabs(rec.ints[i] - ints[i]) > moved)
            abort();
out:
    free(first);
    free(self);
    free(again);
}

/* ---- Resources ---------------------------------------------------------------------------- */

/* The create's mapping and the update's: the update's has every element the create's has, with the
 * same value, and the others null. */
static void patient(struct yx_req *r, const json_t *res)
{
    json_t *create = json_object(), *update = json_object();
    const char *key;
    json_t *v;
    if (yx_validate(r, res, yx_fhir_patient_fields) == 0) {
        int a = yx_fhir_patient_body(r, res, create, 0, 3), a_err = r->err;
        const char *a_field = r->err_field;
        yx_clear_error(r);
        int b = yx_fhir_patient_body(r, res, update, 1, 3);
        if (a != b || a_err != r->err || (a && (!a_field) != (!r->err_field)))
            abort();
        json_object_foreach(create, key, v)
        {
            if (a == 0 && !json_equal(v, json_object_get(update, key)))
                abort();
        }
        json_object_foreach(update, key, v)
        {
            if (a == 0 && !json_object_get(create, key) && !json_is_null(v))
                abort();
        }
    }
    json_decref(create);
    json_decref(update);
}

static void observation(struct yx_req *r, const json_t *res)
{
    struct yx_vitals v = {{0}, {0}};
    int64_t visit, patient_id;
    int k;
    if (yx_validate(r, res, yx_fhir_observation_fields) != 0 || yx_fhir_observation_in(r, res, &k, &v) != 0)
        return;
    for (int i = 0; i < YX_VITALS; i++)
        if (v.set[i] != (k == 1 ? i < 2 : i == k))
            abort();
    if (k > 1 &&
        v.val[k] != json_number_value(json_object_get(json_object_get(res, "valueQuantity"), "value")))
        abort();
    if (yx_fhir_ref_in(r, json_object_get(res, "encounter"), "Encounter", "Observation.encounter", &visit) ==
            0 &&
        json_object_get(res, "subject"))
        yx_fhir_ref_in(r, json_object_get(res, "subject"), "Patient", "Observation.subject", &patient_id);
}

static void condition(struct yx_req *r, const json_t *res)
{
    int64_t visit, who;
    int rc;
    if (!yx_fhir_condition_in(r, res, &rc))
        return;
    if (yx_fhir_ref_in(r, json_object_get(res, "encounter"), "Encounter", "Condition.encounter", &visit) ==
            0 &&
        json_object_get(res, "recorder"))
        yx_fhir_ref_in(r, json_object_get(res, "recorder"), "Practitioner", "Condition.recorder", &who);
}

static void encounter(struct yx_req *r, const json_t *res)
{
    struct yx_visit_past p = {.kind = YX_PAST_VISIT, .facility_id = 3};
    if (yx_validate(r, res, yx_fhir_encounter_import_fields) == 0)
        yx_fhir_encounter_in(r, res, &p);
}

static void appointment(struct yx_req *r, const json_t *res)
{
    int64_t slot, patient_id, doctor;
    if (yx_validate(r, res, yx_fhir_appointment_fields) == 0)
        yx_fhir_appointment_in(r, res, &slot, &patient_id, &doctor);
}

static void consent(struct yx_req *r, const json_t *res)
{
    json_t *body = json_object();
    int64_t patient_id;
    if (yx_validate(r, res, yx_fhir_consent_fields) == 0)
        yx_fhir_consent_body(r, res, body, &patient_id);
    json_decref(body);
}

static void resource(const char *text, size_t len)
{
    json_t *res = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    const char *type = json_string_value(json_object_get(res, "resourceType"));
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.err_split = -1;
    if (json_is_object(res) && type) {
        if (strcmp(type, "Patient") == 0)
            patient(&r, res);
        else if (strcmp(type, "Observation") == 0)
            observation(&r, res);
        else if (strcmp(type, "Condition") == 0)
            condition(&r, res);
        else if (strcmp(type, "Encounter") == 0)
            encounter(&r, res);
        else if (strcmp(type, "Appointment") == 0)
            appointment(&r, res);
        else if (strcmp(type, "Consent") == 0)
            consent(&r, res);
    }
    if (r.err)
        json_decref(yx_fhir_dialect.error(&r, yx_http_status(r.err)));
    yx_clear_error(&r);
    yx_arena_release(&r.arena);
    json_decref(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nsearches) {
        find_searches();
        rec.data = malloc(RECORD_MAX);
        yx_log_set_level(YX_LOG_ERROR + 1);
    }
    if (size == 0)
        return 0;
    const struct yx_route *rt = searches[data[0] % nsearches];
    char *part[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0}, start = 1;
    int n = 0;
    for (size_t i = 1; i <= size && n < 3; i++)
        if (i == size || (data[i] == 0 && n < 2)) {
            size_t end = n == 2 ? size : i;
            len[n] = end - start;
            part[n] = strndup((const char *)data + start, len[n]);
            start = end + 1;
            n++;
            if (end == size)
                break;
        }
    search_twice(rt, part[0] ? part[0] : "", n > 1 && len[1] ? part[1] : NULL);
    if (n > 2)
        resource((const char *)data + (size - len[2]), len[2]);
    for (int i = 0; i < n; i++)
        free(part[i]);
    return 0;
}
