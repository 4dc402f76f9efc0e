/* FHIR bulk import ($import; docs/fhir.md "Bulk import"): an NDJSON body of Patients, one a line,
 * into one facility's registry. The Bulk Data IG's import manifest is still a draft, so the body is
 * the data itself and the answer comes at once: a file is at most MAX_LINES lines and
 * YX_RAW_BODY_MAX bytes, written in about a second on SQLite, and a larger registry is sent as
 * several files. Who may import into the facility
 * is asked once of yx_authorize() (YX_RES_IMPORT); each line then goes through the registry's own
 * function (yx_patient_import(): the record's rules, its CCCD or BHYT card matching a record of the
 * facility, likely duplicates refused) in a savepoint of its own, so a line is written whole or
 * not at all and the good lines are kept when others are refused (R4 bulk semantics). The lines
 * are committed in groups (GROUP_LINES), each with its records' audit events: a server that stops
 * mid-file keeps the groups before, and the file sent again finds them unchanged. The answer is
 * NDJSON: a Parameters resource with the counts, then an OperationOutcome a refused line. */
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

/* Is the body NDJSON (application/fhir+ndjson or application/ndjson)? */
static int ndjson(struct yx_req *r)
{
    const char *t = r->content_type;
    size_t n = t ? strcspn(t, ";") : 0;
    while (n && t[n - 1] == ' ')
        n--;
    if (t && ((n == 23 && strncmp(t, "application/fhir+ndjson", n) == 0) ||
              (n == 18 && strncmp(t, "application/ndjson", n) == 0)))
        return 0;
    return yx_fail(r, YX_EMEDIA,
                   "$import nhận NDJSON (Content-Type: application/fhir+ndjson), một Patient một dòng / "
                   "$import takes NDJSON (Content-Type: application/fhir+ndjson), one Patient a line.");
}

/* Does the line of len bytes hold only blanks? (Bounded: the body need not end in a NUL.) */
static int blank(const char *line, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (line[k] != ' ' && line[k] != '\t' && line[k] != '\r')
            return 0;
    return 1;
}

/* Counts the lines of the body that hold something (a last line without its newline counts). */
static int count_lines(const char *p, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(p + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - p) : len;
        if (!blank(p + i, end - i))
            n++;
        i = end + 1;
    }
    return n;
}

/* One line into the facility, refused as r's error: line bytes, the Patient, its savepoint. */
static int import_line(struct yx_req *r, const char *line, size_t len, int64_t facility,
                       enum yx_patient_imported *what, int64_t *id)
{
    json_error_t jerr;
    json_t *res = NULL;
    int rc;
    if (len > MAX_LINE_BYTES)
        return yx_fail_code(r, YX_ETOOBIG, "line_too_long", NULL,
                            "Một dòng tối đa %d byte / a line has at most %d bytes.", MAX_LINE_BYTES,
                            MAX_LINE_BYTES);
    if (!(res = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_object(res)) {
        json_decref(res);
        return yx_fail(r, YX_EINVAL, "Dòng không phải một đối tượng JSON / the line is not a JSON object.");
    }
    const char *type = json_string_value(json_object_get(res, "resourceType"));
    if (!type || strcmp(type, "Patient") != 0) {
        rc = yx_fail_field(r, YX_EINVAL, "resourceType",
                           "$import nhận Patient / $import takes Patient resources (docs/fhir.md).");
    } else if ((rc = yx_db_begin(r->db)) == 0) {
        rc = yx_fhir_patient_import(r, res, facility, what, id);
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

/* The audit event of a record the import created or updated, as its own REST write would be. */
static void record_event(struct yx_req *r, struct yx_audit_event *ev, enum yx_patient_imported what,
                         int64_t id)
{
    char *rid = yx_arena_alloc(&r->arena, 24);
    yx_audit_request_event(r, "ok", ev);
    ev->action = what == YX_IMPORT_CREATED ? "patient.create" : "patient.update";
    ev->resource_type = "patient";
    ev->resource_id = rid && yx_snprintf(rid, 24, "%lld", (long long)id) == 0 ? rid : NULL;
    ev->patient_id = id;
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
    for (size_t i = 0; i < r->body_len;) {
        const char *line = r->body + i, *nl = memchr(line, '\n', r->body_len - i);
        size_t len = nl ? (size_t)(nl - line) : r->body_len - i;
        i += len + 1;
        n++;
        if (blank(line, len))
            continue;
        if (!in_tx && (rc = yx_db_begin(r->db)) != 0)
            goto out;
        in_tx = 1;
        enum yx_patient_imported what = YX_IMPORT_UNCHANGED;
        int64_t id = 0;
        rc = import_line(r, line, len, res.facility_id, &what, &id);
        if (rc != 0 && (!refusal(rc) || !yx_db_tx_alive(r->db)))
            goto out;
        if (rc != 0) {
            t.refused++;
            if ((rc = refused_line(r, n, &issues)) != 0)
                goto out;
        } else if (what == YX_IMPORT_UNCHANGED) {
            t.unchanged++;
        } else {
            what == YX_IMPORT_CREATED ? t.created++ : t.updated++;
            record_event(r, &events[nev], what, id);
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
