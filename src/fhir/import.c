/* FHIR bulk import ($import; docs/fhir.md "Bulk import"): an NDJSON body of Patients, Encounters,
 * Observations and Conditions, one a line, into one facility. The Bulk Data IG's import manifest is
 * still a draft, so the body is the data itself and the answer comes at once: a file is at most
 * MAX_LINES lines and YX_RAW_BODY_MAX bytes, written in about a second on SQLite, and a larger
 * registry is sent as several files. Who may import into the facility is asked once of
 * yx_authorize() (YX_RES_IMPORT); each line then goes through its workflow's own function (a
 * Patient: yx_patient_import(), the record's rules, its CCCD or BHYT card matching a record of the
 * facility, likely duplicates refused; the others: yx_visit_record_past(), a finished past visit,
 * its vitals, its diagnoses) in a savepoint of its own, so a line is written whole or not at all
 * and the good lines are kept when others are refused (R4 bulk semantics). The lines refer to each
 * other by the source system's ids, which fhir_imported maps to ytexa's for this request and the
 * later ones (and which makes a file imported again write nothing new). The lines are committed in
 * groups (GROUP_LINES), each with its records' audit events: a server that stops mid-file keeps the
 * groups before, and the file sent again finds them unchanged. The answer is NDJSON: a Parameters
 * resource with the counts, then an OperationOutcome a refused line. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/audit.h"
#include "ytexa/auth.h"
#include "ytexa/store.h"

/* Outside input has a ceiling before any of it is looked at: the lines of a file and the bytes of
 * a line (the body's bytes are YX_RAW_BODY_MAX, which the dispatcher holds). */
#define MAX_LINES 10000
#define MAX_LINE_BYTES (64 * 1024)
/* Lines a transaction: each group is committed with its records' audit events before the next
 * begins. On PostgreSQL every registration also updates the reach rollup row of its facility and
 * day (migration 0026's trigger), and one row updated thousands of times in one transaction leaves
 * a chain of versions each update walks: 3,000 lines took 27-47 s in one transaction, 7 s in
 * groups of 200 (bench/README.md "Session 15: $import"). */
#define GROUP_LINES 200

struct tally {
    int created, updated, unchanged, refused;
};

/* The facility named by ?facility=<id> in *res, asked of yx_authorize(): a facility outside the
 * caller's places is the 404 of an absent one. */
static int target(struct yx_req *r, struct yx_resource *res)
{
    struct yx_rows *rows = NULL;
    int64_t id = 0;
    int rc;
    if ((rc = yx_query_id(r, "facility", &id)) != 0)
        return rc;
    if (!id)
        return yx_fail_field(r, YX_EINVAL, "facility",
                             "Cần ?facility=<mã cơ sở> nhận hồ sơ / name the facility whose registry takes "
                             "the patients: ?facility=<id>.");
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT id, province_id FROM facilities WHERE id = ?", YX_PI(id))) != 0)
        return rc;
    if (rows->nrows != 1)
        rc = yx_not_found(r);
    else
        *res = (struct yx_resource){
            .kind = YX_RES_IMPORT, .facility_id = id, .province_id = yx_rows_i64(rows, 0, "province_id")};
    yx_rows_free(rows);
    if (rc == 0 && (rc = yx_authorize(&r->who, YX_A_WRITE, res)) != 0)
        rc = yx_deny(r, rc);
    return rc;
}

int yx_fhir_ndjson_type(const char *t)
{
    size_t n = t ? strcspn(t, ";") : 0;
    while (n && t[n - 1] == ' ')
        n--;
    return t && ((n == 23 && strncmp(t, "application/fhir+ndjson", n) == 0) ||
                 (n == 18 && strncmp(t, "application/ndjson", n) == 0));
}

/* Is the body NDJSON (application/fhir+ndjson or application/ndjson)? */
static int ndjson(struct yx_req *r)
{
    if (yx_fhir_ndjson_type(r->content_type))
        return 0;
    return yx_fail(r, YX_EMEDIA,
                   "$import nhận NDJSON (Content-Type: application/fhir+ndjson), một tài nguyên một dòng / "
                   "$import takes NDJSON (Content-Type: application/fhir+ndjson), one resource a line.");
}

/* Does the line of len bytes hold only blanks? (Bounded: the body need not end in a NUL.) */
static int blank(const char *line, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (line[k] != ' ' && line[k] != '\t' && line[k] != '\r')
            return 0;
    return 1;
}

int yx_fhir_import_next(const char *body, size_t len, size_t *at, const char **line, size_t *n)
{
    if (*at >= len)
        return 0;
    const char *nl = memchr(body + *at, '\n', len - *at);
    *line = body + *at;
    *n = nl ? (size_t)(nl - *line) : len - *at;
    *at += *n + 1;
    return 1;
}

int yx_fhir_import_blank(const char *line, size_t len)
{
    return blank(line, len);
}

/* Counts the lines of the body that hold something (a last line without its newline counts). */
static int count_lines(const char *p, size_t len)
{
    const char *line;
    size_t at = 0, n;
    int count = 0;
    while (yx_fhir_import_next(p, len, &at, &line, &n))
        count += !blank(line, n);
    return count;
}

/* ---- What the lines share: the ids of the source, and its references ------------------------- */

const char *yx_fhir_import_source(const struct yx_fhir_import *im, const json_t *res)
{
    const char *s = json_string_value(json_object_get(json_object_get(res, "meta"), "source"));
    return s && *s && strlen(s) <= 200 ? s : im->source;
}

int yx_fhir_import_find(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                        const char *type, const char *source_id, int64_t *local)
{
    struct yx_rows *rows = NULL;
    *local = 0;
    int rc =
        YX_DB_Q(r->db, &rows,
                "SELECT local_id FROM fhir_imported WHERE facility_id = ? AND source = ? AND type = ? AND "
                "source_id = ?",
                YX_PI(im->facility), YX_PT(source), YX_PT(type), YX_PT(source_id));
    if (rc == 0 && rows->nrows == 1)
        *local = yx_rows_i64(rows, 0, "local_id");
    yx_rows_free(rows);
    return rc;
}

int yx_fhir_import_start(struct yx_req *r, const json_t *res, const struct yx_field *fields,
                         const struct yx_fhir_import *im, const char **source, const char **sid)
{
    int rc;
    *source = yx_fhir_import_source(im, res);
    if ((rc = yx_validate(r, res, fields)) != 0)
        return rc;
    if (!(*sid = yx_json_str(res, "id")))
        return yx_fail_field(r, YX_EINVAL, "id",
                             "Cần id của hệ thống nguồn / the line's id (its source's) is required.");
    return 0;
}

int yx_fhir_import_begin(struct yx_req *r, const json_t *res, const struct yx_field *fields,
                         const struct yx_fhir_import *im, const char *type, const char **source,
                         const char **sid, struct yx_fhir_imported *out)
{
    int rc;
    if ((rc = yx_fhir_import_start(r, res, fields, im, source, sid)) != 0)
        return rc;
    if ((rc = yx_fhir_import_find(r, im, *source, type, *sid, &out->id)) != 0)
        return rc;
    if (out->id)
        out->what = YX_IMPORT_UNCHANGED;
    return 0;
}

int yx_fhir_import_keep(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                        const char *type, const char *source_id, int64_t local)
{
    /* A Patient line found again may name another record than before (the registry's matching
     * decides): the latest says where the source's patient is now. The same one writes nothing
     * (every Patient line of a file sent again comes here). */
    return YX_DB_Q(
        r->db, NULL,
        "INSERT INTO fhir_imported (facility_id, source, type, source_id, local_id, created_at) VALUES "
        "(?, ?, ?, ?, ?, ?) ON CONFLICT (facility_id, source, type, source_id) DO UPDATE SET local_id = "
        "excluded.local_id WHERE fhir_imported.local_id <> excluded.local_id",
        YX_PI(im->facility), YX_PT(source), YX_PT(type), YX_PT(source_id), YX_PI(local), YX_PI(yx_now_ms()));
}

int yx_fhir_import_keep_primary(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                                const char *encounter, const char *condition)
{
    return YX_DB_Q(
        r->db, NULL,
        "UPDATE fhir_imported SET primary_condition = ? WHERE facility_id = ? AND source = ? AND type = "
        "'Encounter' AND source_id = ?",
        YX_PT(condition), YX_PI(im->facility), YX_PT(source), YX_PT(encounter));
}

int yx_fhir_import_primary(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                           const json_t *encounter, const char **condition)
{
    const char *text = json_string_value(json_object_get(encounter, "reference"));
    struct yx_rows *rows = NULL;
    *condition = NULL;
    if (!text || strncmp(text, "Encounter/", 10) != 0)
        return 0;
    int rc =
        YX_DB_Q(r->db, &rows,
                "SELECT primary_condition FROM fhir_imported WHERE facility_id = ? AND source = ? AND type = "
                "'Encounter' AND source_id = ?",
                YX_PI(im->facility), YX_PT(source), YX_PT(text + 10));
    if (rc == 0 && rows->nrows == 1 && !yx_rows_null(rows, 0, "primary_condition") &&
        !(*condition = yx_arena_strdup(&r->arena, yx_rows_str(rows, 0, "primary_condition"))))
        rc = YX_ENOMEM;
    yx_rows_free(rows);
    return rc;
}

/* A patient of the facility by an identifier of the reference (CCCD, or BHYT card), as a Patient
 * line is matched; *local 0 when none. */
static int patient_by_identifier(struct yx_req *r, const struct yx_fhir_import *im, const json_t *id,
                                 int64_t *local)
{
    const char *sys = json_string_value(json_object_get(id, "system")),
               *value = json_string_value(json_object_get(id, "value"));
    const char *column = !sys || !value                   ? NULL
                         : !strcmp(sys, YX_FHIR_SID_CCCD) ? "cccd"
                         : !strcmp(sys, YX_FHIR_SID_BHYT) ? "bhyt"
                                                          : NULL;
    struct yx_rows *rows = NULL;
    char sql[128];
    *local = 0;
    if (!column)
        return 0;
    if (yx_snprintf(sql, sizeof sql, "SELECT id FROM patients WHERE facility_id = ? AND %s = ? LIMIT 2",
                    column) != 0)
        return YX_ENOMEM;
    int rc = YX_DB_Q(r->db, &rows, sql, YX_PI(im->facility), YX_PT(value));
    if (rc == 0 && rows->nrows == 1)
        *local = yx_rows_i64(rows, 0, "id");
    yx_rows_free(rows);
    return rc;
}

int yx_fhir_import_ref(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                       const json_t *ref, const char *type, const char *path, int64_t *local)
{
    const char *text = json_string_value(json_object_get(ref, "reference"));
    size_t n = strlen(type);
    int rc;
    *local = 0;
    if (!json_is_object(ref))
        return yx_fail_field(r, YX_EINVAL, path, "%s là một tham chiếu / %s must be a Reference.", path,
                             path);
    if (text && strncmp(text, type, n) == 0 && text[n] == '/' && text[n + 1] &&
        (rc = yx_fhir_import_find(r, im, source, type, text + n + 1, local)) != 0)
        return rc;
    if (!*local && strcmp(type, "Patient") == 0 &&
        (rc = patient_by_identifier(r, im, json_object_get(ref, "identifier"), local)) != 0)
        return rc;
    if (*local)
        return 0;
    rc = yx_fail_code(r, YX_EINVAL, "unknown_reference", NULL,
                      "%s: %s không có trong tệp hay trên máy chủ (nhập %s trước) / %s: %s is neither in the "
                      "file nor imported before (import the %s first).",
                      path, text ? text : type, type, path, text ? text : type, type);
    r->err_field = path;
    return rc;
}

int yx_fhir_import_subject(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                           const json_t *subject, const char *path, int64_t visit, int64_t *patient)
{
    struct yx_rows *rows = NULL;
    int64_t named = 0;
    int rc;
    *patient = 0;
    if ((subject && (rc = yx_fhir_import_ref(r, im, source, subject, "Patient", path, &named)) != 0) ||
        (rc = YX_DB_Q(r->db, &rows, "SELECT patient_id FROM visits WHERE id = ?", YX_PI(visit))) != 0)
        return rc;
    *patient = rows->nrows == 1 ? yx_rows_i64(rows, 0, "patient_id") : 0;
    yx_rows_free(rows);
    if (subject && named != *patient)
        return yx_fail_field(r, YX_EINVAL, path,
                             "subject là bệnh nhân của lượt khám / subject must be the encounter's patient.");
    return 0;
}

int yx_fhir_import_practitioner(struct yx_req *r, const json_t *ref, int64_t *user)
{
    const json_t *id = json_object_get(ref, "identifier");
    const char *sys = json_string_value(json_object_get(id, "system")),
               *value = json_string_value(json_object_get(id, "value"));
    struct yx_rows *rows = NULL;
    *user = 0;
    if (!sys || !value || strcmp(sys, YX_FHIR_SID_LICENCE) != 0)
        return 0;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT id FROM users WHERE licence_no = ? AND active = 1 AND role IN ('doctor', 'specialist') "
        "LIMIT 2",
        YX_PT(value));
    if (rc == 0 && rows->nrows == 1)
        *user = yx_rows_i64(rows, 0, "id");
    yx_rows_free(rows);
    return rc;
}

int yx_fhir_import_time(struct yx_req *r, const char *v, const char *path, int64_t *at)
{
    *at = 0;
    if (!v)
        return 0;
    if (strlen(v) < 20 || yx_time_parse(v, at) != 0)
        return yx_fail_field(
            r, YX_EINVAL, path,
            "%s là thời điểm có giờ và múi giờ (2026-11-23T09:00:00+07:00) / %s is a dateTime "
            "with its time and zone (2026-11-23T09:00:00+07:00).",
            path, path);
    return 0;
}

/* ---- A line ------------------------------------------------------------------------------- */

/* A Patient line through the registry; its id, when it has one, remembered for the lines that
 * refer to it. */
static int patient_line(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                        struct yx_fhir_imported *out)
{
    int rc = yx_fhir_patient_import(r, res, im->facility, &out->what, &out->id);
    const char *sid = json_string_value(json_object_get(res, "id"));
    out->patient = out->id;
    if (rc == 0 && sid && *sid && strlen(sid) <= 64)
        rc = yx_fhir_import_keep(r, im, yx_fhir_import_source(im, res), "Patient", sid, out->id);
    return rc;
}

/* The types a line may hold, each with its mapping. */
static const struct line_type {
    const char *name;
    int (*import)(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                  struct yx_fhir_imported *out);
} line_types[] = {
    {"Patient", patient_line},
    {"Encounter", yx_fhir_encounter_import},
    {"Observation", yx_fhir_observation_import},
    {"Condition", yx_fhir_condition_import},
};
#define NTYPES (sizeof line_types / sizeof line_types[0])

int yx_fhir_import_read(struct yx_req *r, const char *line, size_t len, json_t **res, size_t *type)
{
    json_error_t jerr;
    *res = NULL;
    if (len > MAX_LINE_BYTES)
        return yx_fail_code(r, YX_ETOOBIG, "line_too_long", NULL,
                            "Một dòng tối đa %d byte / a line has at most %d bytes.", MAX_LINE_BYTES,
                            MAX_LINE_BYTES);
    if (!(*res = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_object(*res)) {
        json_decref(*res);
        *res = NULL;
        return yx_fail(r, YX_EINVAL, "Dòng không phải một đối tượng JSON / the line is not a JSON object.");
    }
    const char *name = json_string_value(json_object_get(*res, "resourceType"));
    for (*type = 0; name && *type < NTYPES && strcmp(line_types[*type].name, name) != 0; (*type)++)
        ;
    if (name && *type < NTYPES)
        return 0;
    json_decref(*res);
    *res = NULL;
    return yx_fail_field(r, YX_EINVAL, "resourceType",
                         "$import nhận Patient, Encounter, Observation, Condition / $import takes Patient, "
                         "Encounter, Observation and Condition resources (docs/fhir.md).");
}

/* One line into the facility, refused as r's error: line bytes, the resource, its savepoint. */
static int import_line(struct yx_req *r, const char *line, size_t len, const struct yx_fhir_import *im,
                       size_t *type, struct yx_fhir_imported *out)
{
    json_t *res = NULL;
    int rc;
    if ((rc = yx_fhir_import_read(r, line, len, &res, type)) != 0)
        return rc;
    if ((rc = yx_db_begin(r->db)) == 0) {
        rc = line_types[*type].import(r, res, im, out);
        if (rc == 0)
            rc = yx_db_commit(r->db);
        else
            yx_db_rollback(r->db);
    }
    json_decref(res);
    return rc;
}

/* Is rc a refusal of the line (its input), which the file goes on after, rather than a failure of
 * the server, which ends the request and its transaction? */
static int refusal(int rc)
{
    return rc == YX_EINVAL || rc == YX_ECONFLICT || rc == YX_ENOTFOUND || rc == YX_EFORBIDDEN ||
           rc == YX_ETOOBIG;
}

/* The refused line's OperationOutcome, made by the FHIR dialect from r's error (the one error
 * path), its diagnostics prefixed with the line's number, as a line of out; r's error is then
 * cleared for the next line. */
static int refused_line(struct yx_req *r, int n, struct yx_buf *out)
{
    json_t *o = yx_fhir_dialect.error(r, yx_http_status(r->err));
    json_t *issue = json_array_get(json_object_get(o, "issue"), 0);
    int rc = YX_ENOMEM;
    char *text = NULL;
    if (issue) {
        char msg[sizeof r->err_msg];
        int en = yx_wants_english(r);
        json_object_set_new(
            issue, "diagnostics",
            json_sprintf(en ? "line %d: %s" : "Dòng %d: %s", n, yx_error_text(r, en, msg, sizeof msg)));
        json_object_set_new(o, "extension",
                            json_pack("[{s:s,s:i}]", "url", YX_FHIR_NS "import-line", "valueInteger", n));
        if ((text = json_dumps(o, JSON_COMPACT)) != NULL)
            rc = yx_buf_printf(out, "%s\n", text);
    }
    free(text);
    json_decref(o);
    yx_clear_error(r);
    return rc;
}

/* The audit event of a record the import created or updated, as its own REST write would be:
 * a patient's, or a visit's for an Encounter and the measurements and diagnoses written on it. */
static void record_event(struct yx_req *r, struct yx_audit_event *ev, size_t type,
                         const struct yx_fhir_imported *in)
{
    static const char *const actions[][2] = {{"patient.create", "patient.update"},
                                             {"visit.create", "visit.create"},
                                             {"visit.vitals", "visit.vitals"},
                                             {"visit.diagnosis", "visit.diagnosis"}};
    int64_t target = type == 0 ? in->id : in->visit;
    char *rid = yx_arena_alloc(&r->arena, 24);
    yx_audit_request_event(r, "ok", ev);
    ev->action = actions[type][in->what == YX_IMPORT_CREATED ? 0 : 1];
    ev->resource_type = type == 0 ? "patient" : "visit";
    ev->resource_id = rid && yx_snprintf(rid, 24, "%lld", (long long)target) == 0 ? rid : NULL;
    ev->patient_id = in->patient;
}

/* The summary, the answer's first line: a Parameters resource of the four counts. */
static int summary(const struct tally *t, struct yx_buf *out)
{
    json_t *p = json_pack("{s:s,s:[{s:s,s:i},{s:s,s:i},{s:s,s:i},{s:s,s:i}]}", "resourceType", "Parameters",
                          "parameter", "name", "created", "valueInteger", t->created, "name", "updated",
                          "valueInteger", t->updated, "name", "unchanged", "valueInteger", t->unchanged,
                          "name", "refused", "valueInteger", t->refused);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    int rc = text ? yx_buf_printf(out, "%s\n", text) : YX_ENOMEM;
    free(text);
    json_decref(p);
    return rc;
}

/* Commits the open group of lines with the audit events of the records it created or updated. */
static int commit_group(struct yx_req *r, const struct yx_audit_event **evp, int *nev, int *in_tx)
{
    int rc = *nev ? yx_audit_append_many(r->db, evp, (size_t)*nev) : 0;
    if (rc)
        return rc; /* the caller rolls the group back */
    *in_tx = 0;    /* a commit that fails has ended the transaction */
    *nev = 0;
    return yx_db_commit(r->db);
}

/* POST /fhir/$import?facility=<id> */
static int import_patients(struct yx_req *r)
{
    struct yx_resource res;
    struct tally t = {0, 0, 0, 0};
    struct yx_buf issues, answer;
    struct yx_audit_event *events = NULL;
    const struct yx_audit_event **evp = NULL;
    int nev = 0, rc, lines, in_tx = 0;
    yx_buf_init(&issues, 64 * 1024 * 1024);
    yx_buf_init(&answer, 64 * 1024 * 1024);
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = ndjson(r)) != 0 || (rc = target(r, &res)) != 0)
        goto out;
    /* The request's own event names the facility, whatever the lines do. */
    yx_audit_target(r, res.facility_id);
    /* A line without meta.source comes from the importing account. */
    char *source = yx_arena_alloc(&r->arena, 32);
    if (!source || yx_snprintf(source, 32, "user:%lld", (long long)r->who.user_id) != 0) {
        rc = YX_ENOMEM;
        goto out;
    }
    const struct yx_fhir_import im = {res.facility_id, source};
    if ((lines = count_lines(r->body, r->body_len)) == 0) {
        rc = yx_fail(r, YX_EINVAL, "Tệp không có dòng nào / the file has no lines.");
        goto out;
    }
    if (lines > MAX_LINES) {
        rc = yx_fail_code(r, YX_ETOOBIG, "import_too_big", NULL,
                          "Một tệp tối đa %d dòng; chia tệp ra / a file has at most %d lines: split it.",
                          MAX_LINES, MAX_LINES);
        goto out;
    }
    events = calloc(GROUP_LINES, sizeof *events);
    evp = calloc(GROUP_LINES, sizeof *evp);
    if (!events || !evp) {
        rc = YX_ENOMEM;
        goto out;
    }
    int n = 0, done = 0;
    const char *line;
    size_t at = 0, line_len;
    while (yx_fhir_import_next(r->body, r->body_len, &at, &line, &line_len)) {
        n++;
        if (blank(line, line_len))
            continue;
        if (!in_tx && (rc = yx_db_begin(r->db)) != 0)
            goto out;
        in_tx = 1;
        struct yx_fhir_imported done_line = {YX_IMPORT_UNCHANGED, 0, 0, 0};
        size_t type = 0;
        rc = import_line(r, line, line_len, &im, &type, &done_line);
        if (rc != 0 && (!refusal(rc) || !yx_db_tx_alive(r->db)))
            goto out;
        if (rc != 0) {
            t.refused++;
            if ((rc = refused_line(r, n, &issues)) != 0)
                goto out;
        } else if (done_line.what == YX_IMPORT_UNCHANGED) {
            t.unchanged++;
        } else {
            done_line.what == YX_IMPORT_CREATED ? t.created++ : t.updated++;
            record_event(r, &events[nev], type, &done_line);
            evp[nev] = &events[nev];
            nev++;
        }
        if (++done % GROUP_LINES == 0 && (rc = commit_group(r, evp, &nev, &in_tx)) != 0)
            goto out;
    }
    if (in_tx && (rc = commit_group(r, evp, &nev, &in_tx)) != 0)
        goto out;
    if ((rc = summary(&t, &answer)) != 0 || (rc = yx_buf_append(&answer, issues.data, issues.len)) != 0)
        goto out;
    size_t len;
    char *data = yx_buf_detach(&answer, &len);
    rc = data ? yx_reply_raw(r, 200, "application/fhir+ndjson", data, len) : YX_ENOMEM;
out:
    /* A failure of the server keeps the groups committed before it; sending the file again is
     * harmless (their lines are found unchanged). */
    if (in_tx)
        yx_db_rollback(r->db);
    free(events);
    free(evp);
    yx_buf_release(&issues);
    yx_buf_release(&answer);
    return rc;
}

const struct yx_route yx_fhir_import_routes[] = {
    /* A file of 10 000 lines is seconds of work (21 s on PostgreSQL): it waits its turn at the gate of
     * bulk work with the reports (YX_R_REPORT, --report-concurrency) instead of holding a worker the
     * clinical requests need. */
    {"POST", "/fhir/$import", import_patients, YX_R_RAW | YX_R_NOTX | YX_R_REPORT, "patient.import", "import",
     YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
