/* libFuzzer harness for an NDJSON body of FHIR $import (src/fhir/import.c) read as the import
 * reads it, without its database: the Content-Type, the body cut into lines, each line that is not
 * blank read as a JSON object of a type a line may hold, then that type's own reading in the
 * import's order with the lookups that need the database left out (a Patient: its element table
 * and its mapping to the patient body; an Encounter, Observation or Condition: its element table,
 * its source and id, then its status, class and period, its measurement, or its ICD-10 code,
 * category and note, and its dateTime), and a refused line's OperationOutcome as the answer
 * carries it. ytexa reads no CSV from outside: its one CSV, the communes, is built into the
 * program. Input layout: a Content-Type, 0x00, the body (no 0x00: the whole input is the body,
 * without a Content-Type). Properties checked beyond "no crash, no sanitizer report": the lines
 * cover the body exactly, each ending at a newline or at the end; a line is read exactly when it
 * is an object of one of the four types; a dateTime read, written back in UTC and read again is the
 * same instant; a measurement fills exactly its own vital signs, with the value given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhir.h"
#include "ytexa/visit.h"

#define LINES_MAX 4 /* lines read an input (a longer body is cut into lines all the same) */

static const char *const types[] = {"Patient", "Encounter", "Observation", "Condition", NULL};

/* The body's lines: each starts where the one before ended, past its newline. */
static void lines_cover(const char *body, size_t len)
{
    const char *line;
    size_t at = 0, n, before = 0;
    while (yx_fhir_import_next(body, len, &at, &line, &n)) {
        if (line != body + before || before + n > len || memchr(line, '\n', n) ||
            (before + n < len && body[before + n] != '\n') || at != before + n + 1)
            abort();
        before = at;
    }
    if (before < len || (len && body[len - 1] == '\n' && before != len) || at < len)
        abort();
}

/* A dateTime read, written back in UTC and read again, is the same instant. Years 1900 to 2200 are
 * read, in the time's own zone: its UTC form may fall a day outside them (2200-12-31T23:00-14:00 is
 * in 2201), and is then not read again. */
static void instant(struct yx_req *r, const char *v, const char *path)
{
    int64_t at, again;
    char back[32];
    if (yx_fhir_import_time(r, v, path, &at) != 0 || !v)
        return;
    yx_time_format(at, back);
    if (strncmp(back, "1900", 4) > 0 && strncmp(back, "2200", 4) < 0 &&
        (yx_time_parse(back, &again) != 0 || again != at))
        abort();
}

static void patient(struct yx_req *r, const json_t *res)
{
    json_t *copy = json_copy((json_t *)res), *body = json_object();
    json_object_del(copy, "managingOrganization");
    if (yx_validate(r, copy, yx_fhir_patient_fields) == 0)
        yx_fhir_patient_body(r, copy, body, 1, 3);
    json_decref(body);
    json_decref(copy);
}

static void encounter(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im)
{
    struct yx_visit_past p = {.kind = YX_PAST_VISIT, .facility_id = im->facility};
    const char *source, *sid;
    if (yx_fhir_import_start(r, res, yx_fhir_encounter_import_fields, im, &source, &sid) != 0 ||
        yx_fhir_encounter_in(r, res, &p) != 0)
        return;
    /* The mode may be NULL (ytexa's system named without a code): the visit's own rules refuse it. */
    if (!p.start || !p.end || !p.reason)
        abort();
    const json_t *period = json_object_get(res, "period");
    instant(r, json_string_value(json_object_get(period, "start")), "Encounter.period.start");
    instant(r, json_string_value(json_object_get(period, "end")), "Encounter.period.end");
}

/* A measurement fills its own slots of the vital signs, and only those: blood pressure (1) its two,
 * each other one (2 … 8) the slot of the same number, with the value the resource gives. */
static void measured(const json_t *res, int k, const struct yx_vitals *v)
{
    for (int i = 0; i < YX_VITALS; i++)
        if (v->set[i] != (k == 1 ? i < 2 : i == k))
            abort();
    const json_t *value = json_object_get(json_object_get(res, "valueQuantity"), "value");
    if (k > 1 && v->val[k] != json_number_value(value))
        abort();
}

static void observation(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im)
{
    struct yx_vitals v = {{0}, {0}};
    const char *source, *sid;
    int k;
    if (yx_fhir_import_start(r, res, yx_fhir_observation_fields, im, &source, &sid) != 0 ||
        yx_fhir_observation_in(r, res, &k, &v) != 0)
        return;
    if (k < 1 || k > 8)
        abort();
    measured(res, k, &v);
    instant(r, yx_json_str(res, "effectiveDateTime"), "Observation.effectiveDateTime");
}

static void condition(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im)
{
    const char *source, *sid, *code;
    int rc;
    if (yx_fhir_import_start(r, res, yx_fhir_condition_import_fields, im, &source, &sid) != 0 ||
        !(code = yx_fhir_condition_in(r, res, &rc)))
        return;
    instant(r, yx_json_str(res, "recordedDate"), "Condition.recordedDate");
}

/* A line read; the first refused line's OperationOutcome made as the answer's (each is made alike). */
static void line(struct yx_req *r, const char *text, size_t n, const struct yx_fhir_import *im, int *outcomes)
{
    json_t *res = NULL;
    size_t type = 0;
    int rc = yx_fhir_import_read(r, text, n, &res, &type);
    /* Read: an object of the type said. Refused: not one of those (the line parsed again to see). */
    json_t *probe = rc && n <= 65536 ? json_loadb(text, n, JSON_REJECT_DUPLICATES, NULL) : json_incref(res);
    const char *name = json_string_value(json_object_get(probe, "resourceType"));
    int one_of = json_is_object(probe) && name && yx_one_of(name, types);
    if ((rc == 0) != one_of || (rc == 0 && (type > 3 || strcmp(types[type], name) != 0)) || (rc && res))
        abort();
    json_decref(probe);
    if (rc == 0) {
        yx_fhir_import_source(im, res);
        if (type == 0)
            patient(r, res);
        else if (type == 1)
            encounter(r, res, im);
        else if (type == 2)
            observation(r, res, im);
        else
            condition(r, res, im);
    }
    if (r->err && !(*outcomes)++)
        json_decref(yx_fhir_dialect.error(r, yx_http_status(r->err)));
    yx_clear_error(r);
    json_decref(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data, *nul = memchr(data, 0, size);
    size_t len = size;
    char *type = NULL;
    if (nul) {
        type = strndup(body, (size_t)(nul - body));
        len = size - (size_t)(nul - body) - 1;
        body = nul + 1;
    }
    yx_fhir_ndjson_type(type);
    lines_cover(body, len);

    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.err_split = -1;
    const struct yx_fhir_import im = {3, "user:7"};
    const char *text;
    size_t at = 0, n;
    int outcomes = 0;
    for (int read = 0; read < LINES_MAX && yx_fhir_import_next(body, len, &at, &text, &n);)
        if (!yx_fhir_import_blank(text, n)) {
            line(&r, text, n, &im, &outcomes);
            read++;
        }
    yx_arena_release(&r.arena);
    free(type);
    return 0;
}
