/* FHIR Bulk Data Access ($export, the IG's v2 asynchronous request pattern; docs/fhir.md "Bulk
 * Data"). A kick-off is checked and authorized at once — its place through yx_authorize()
 * (YX_RES_EXPORT), each type a system asks for against its token's scopes — and written as a job
 * (fhir_exports, migration 0038); the answer is 202 with the job's status URL. The exporter thread
 * takes the jobs one at a time: each type's rows are read in pages on its key, as a search pages
 * them, and each resource is written as a line with the type's own mapping (struct yx_fhir_export,
 * beside the type's read and search), so memory holds a page, never the export. Files are synced
 * before the job is marked complete. A job's row carries a lease the thread renews each page: a
 * server that stops leaves a lease that runs out, and the next exporter takes the job again from
 * its start. The status, the files and the cancellation are only the requester's (another client's
 * job is the 404 of an absent one); files are removed when the job is cancelled or expires. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fhir.h"
#include "ytexa/auth.h"
#include "ytexa/fhir.h"
#include "ytexa/store.h"

/* Rows read a page: what memory holds of an export at a time. */
#define PAGE_ROWS 1000
/* A running job's lease, renewed every page: a job whose lease ran out was left by a server that
 * stopped, and is taken again. */
#define LEASE_MS (60 * 1000LL)
/* How long a finished job's files are kept (docs/fhir.md). */
#define KEEP_MS (24 * 3600 * 1000LL)
/* The largest export: past this many bytes of files the job fails (413 at its status). */
#define MAX_BYTES (16LL * 1024 * 1024 * 1024)
/* Outside input has a ceiling before any of it is looked at. */
#define MAX_PARAMS 8
#define MAX_VALUE 1000
#define MAX_TYPES 16
/* Seconds a client waits: for a second job while one runs, between two polls of a status. */
#define RETRY_BUSY "60"
#define RETRY_POLL "2"

/* The types an export can write, each with its rows and mapping; a type is exported only while the
 * route tables serve its search (served()), so an export never holds what the API does not. */
static const struct yx_fhir_export *const sources[] = {&yx_fhir_patient_export,
                                                       &yx_fhir_encounter_export,
                                                       &yx_fhir_condition_export,
                                                       &yx_fhir_observation_export,
                                                       &yx_fhir_medication_request_export,
                                                       &yx_fhir_organization_export,
                                                       NULL};

static struct {
    char dir[600]; /* <data folder>/exports: a job's files are in <dir>/<id>/ */
    struct yx_db_job job;
} X;

/* Is type's search among the FHIR route tables' routes (what the CapabilityStatement lists)? */
static int served(const char *type)
{
    char want[80];
    if (yx_snprintf(want, sizeof want, "/fhir/%s", type) != 0)
        return 0;
    for (int k = 0; yx_fhir_route_tables[k]; k++)
        for (const struct yx_route *rt = yx_fhir_route_tables[k]; rt->pattern; rt++)
            if (strcmp(rt->method, "GET") == 0 && strcmp(rt->pattern, want) == 0)
                return 1;
    return 0;
}

/* The source of the type named by the n bytes at name, or NULL when none is exported. */
static int source_index(const char *name, size_t n)
{
    for (int i = 0; sources[i]; i++)
        if (strlen(sources[i]->type) == n && strncmp(sources[i]->type, name, n) == 0 &&
            served(sources[i]->type))
            return i;
    return -1;
}

/* May r's principal read type? A user's role was asked by the route; a system's token must grant a
 * read of the type (SMART's system/<Type>.r), as GET /fhir/<Type>/:id asks. */
static int reads_type(struct yx_req *r, const char *type)
{
    char pattern[80];
    if (!r->who.system_id)
        return 1;
    return yx_snprintf(pattern, sizeof pattern, "/fhir/%s/:id", type) == 0 &&
           yx_system_permits(&r->who, "GET", pattern) == 0;
}

static const char *client_of(struct yx_req *r)
{
    char c[40];
    if (yx_snprintf(c, sizeof c, "%s:%lld", r->who.system_id ? "system" : "user",
                    (long long)(r->who.system_id ? r->who.system_id : r->who.user_id)) != 0)
        return NULL;
    return yx_arena_strdup(&r->arena, c);
}

enum level { SYSTEM_LEVEL, PATIENT_LEVEL, GROUP_LEVEL };

struct kickoff {
    unsigned types; /* bits of sources[] */
    int64_t since;  /* _since in ms, 0 when none */
};

/* _type: a comma-separated list of exported types. */
static int take_types(struct yx_req *r, const char *v, struct kickoff *k)
{
    int n = 0;
    for (const char *p = v;; n++) {
        size_t len = strcspn(p, ",");
        int i = n < MAX_TYPES ? source_index(p, len) : -1;
        if (i < 0)
            return yx_fail_field(
                r, YX_EINVAL, "_type",
                "_type gồm các loại được xuất, cách nhau bằng dấu phẩy (không xuất \"%.*s\") / "
                "_type lists exported types, comma-separated: Patient, Encounter, "
                "Observation, Condition, MedicationRequest, Organization (not \"%.*s\").",
                (int)(len > 60 ? 60 : len), p, (int)(len > 60 ? 60 : len), p);
        k->types |= 1u << i;
        if (!p[len])
            break;
        p += len + 1;
    }
    return 0;
}

/* One parameter of the kick-off: _type, _since, _outputFormat (any other is unknown). */
static int take_param(struct yx_req *r, const char *name, const char *value, void *ctx)
{
    struct kickoff *k = ctx;
    if (strcmp(name, "_type") == 0)
        return take_types(r, value, k);
    if (strcmp(name, "_since") == 0) {
        if (yx_time_parse(value, &k->since) != 0 || k->since <= 0)
            return yx_fail_field(r, YX_EINVAL, name,
                                 "_since là một thời điểm có múi giờ / _since is an instant with its "
                                 "offset (2026-11-23T09:00:00+07:00, the + sent as %%2B).");
        return 0;
    }
    if (strcmp(name, "_outputFormat") == 0) {
        static const char *const ndjson[] = {"application/fhir+ndjson", "application/ndjson", "ndjson", NULL};
        return yx_one_of(value, ndjson) ? 0
                                        : yx_fail_field(r, YX_EINVAL, name,
                                                        "Chỉ xuất ndjson / the only output format is "
                                                        "application/fhir+ndjson.");
    }
    return YX_FHIR_UNKNOWN;
}

/* The place a Group names: "facility-<id>" or "province-<id>" (docs/fhir.md). 404 for any other
 * id, or one that names nothing. */
static int group_place(struct yx_req *r, struct yx_resource *res)
{
    const char *id = r->nparams ? r->params[0] : "";
    int facility = strncmp(id, "facility-", 9) == 0, province = strncmp(id, "province-", 9) == 0;
    const char *digits = id + 9;
    struct yx_rows *rows = NULL;
    if ((!facility && !province) || !*digits || strlen(digits) > 18 ||
        strspn(digits, "0123456789") != strlen(digits))
        return yx_not_found(r);
    int64_t n = strtoll(digits, NULL, 10);
    int rc = facility ? YX_DB_Q(r->db, &rows, "SELECT id, province_id FROM facilities WHERE id = ?", YX_PI(n))
                      : YX_DB_Q(r->db, &rows,
                                "SELECT 0 AS id, province_id FROM facilities WHERE province_id = ? LIMIT 1",
                                YX_PI(n));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0)
        *res = (struct yx_resource){.kind = YX_RES_EXPORT,
                                    .facility_id = yx_rows_i64(rows, 0, "id"),
                                    .province_id = yx_rows_i64(rows, 0, "province_id")};
    yx_rows_free(rows);
    return rc;
}

/* The facilities the export covers, as a JSON array of ids in out (NULL: every facility): the
 * Group's, or the principal's whole scope (yx_scope(): a system's places, an administrator's
 * province or facility). res is the place asked of yx_authorize(). */
static int export_place(struct yx_req *r, enum level level, struct yx_resource *res, const char **out)
{
    struct yx_scope s;
    struct yx_rows *rows = NULL;
    const char *where = NULL;
    int rc;
    *out = NULL;
    if (level == GROUP_LEVEL) {
        if ((rc = group_place(r, res)) != 0)
            return rc;
        where = res->facility_id ? "id = ?" : "province_id = ?";
    } else {
        if (yx_scope(&r->who, YX_RES_EXPORT, &s) != 0)
            return yx_deny(r, YX_EFORBIDDEN);
        *res = (struct yx_resource){.kind = YX_RES_EXPORT};
        if (s.kind == YX_SCOPE_PROVINCE) {
            res->province_id = s.id;
            where = "province_id = ?";
        } else if (s.kind == YX_SCOPE_FACILITY) {
            res->facility_id = s.id;
            res->province_id = r->who.province_id;
            where = "id = ?";
        } else if (s.kind == YX_SCOPE_SYSTEM && !(where = yx_scope_places_sql(r, "id", "province_id"))) {
            return YX_ENOMEM;
        }
    }
    if ((rc = yx_authorize(&r->who, YX_A_READ, res)) != 0)
        return yx_deny(r, rc);
    if (!where)
        return 0; /* the ministry's: every facility, also those made while it runs */
    char sql[64 * 1024];
    if (yx_snprintf(sql, sizeof sql, "SELECT id FROM facilities WHERE %s ORDER BY id", where) != 0)
        return YX_ENOMEM;
    int64_t id = res->facility_id ? res->facility_id : res->province_id;
    struct yx_param p = YX_PI(id);
    if ((rc = yx_db_exec(r->db, sql, &p, strchr(where, '?') ? 1 : 0, &rows)) != 0)
        return rc;
    struct yx_buf b;
    yx_buf_init(&b, 1024 * 1024);
    rc = yx_buf_puts(&b, "[");
    for (int i = 0; rc == 0 && i < rows->nrows; i++)
        rc = yx_buf_printf(&b, "%s%lld", i ? "," : "", (long long)yx_rows_i64(rows, i, "id"));
    if (rc == 0 && (rc = yx_buf_puts(&b, "]")) == 0 && !(*out = yx_arena_strndup(&r->arena, b.data, b.len)))
        rc = YX_ENOMEM;
    yx_buf_release(&b);
    yx_rows_free(rows);
    return rc;
}

/* The types of the job as a JSON array: those asked for (each one a system's token must read), or
 * every exported type the caller reads (a Patient- or Group-level export: the Patient
 * compartment's). */
static int export_types(struct yx_req *r, enum level level, const struct kickoff *k, const char **out)
{
    struct yx_buf b;
    int rc = 0, n = 0;
    yx_buf_init(&b, 4096);
    rc = yx_buf_puts(&b, "[");
    for (int i = 0; rc == 0 && sources[i]; i++) {
        const char *t = sources[i]->type;
        if (k->types) {
            if (!(k->types & (1u << i)))
                continue;
            if (!reads_type(r, t)) {
                yx_buf_release(&b);
                return yx_fail_code(r, YX_EFORBIDDEN, "insufficient_scope", NULL,
                                    "Phạm vi của mã truy cập không gồm đọc %s / the token's scopes do not "
                                    "grant reading %s.",
                                    t, t);
            }
        } else if (!served(t) || !reads_type(r, t) || (level != SYSTEM_LEVEL && !sources[i]->compartment)) {
            continue;
        }
        rc = yx_buf_printf(&b, "%s\"%s\"", n++ ? "," : "", t);
    }
    if (rc == 0 && n == 0) {
        yx_buf_release(&b);
        return yx_fail_code(r, YX_EFORBIDDEN, "insufficient_scope", NULL,
                            "Phạm vi của mã truy cập không gồm loại nào được xuất / the token's scopes grant "
                            "reading none of the exported types.");
    }
    if (rc == 0 && (rc = yx_buf_puts(&b, "]")) == 0 && !(*out = yx_arena_strndup(&r->arena, b.data, b.len)))
        rc = YX_ENOMEM;
    yx_buf_release(&b);
    return rc;
}

/* Wakes the exporter (a job to run, or a cancelled one's files to remove). */
static void wake(void)
{
    if (!X.job.running)
        return;
    pthread_mutex_lock(&X.job.mu);
    pthread_cond_signal(&X.job.cv);
    pthread_mutex_unlock(&X.job.mu);
}

/* An informational OperationOutcome, the body of a 202. */
static int reply_info(struct yx_req *r, int status, const char *text)
{
    json_t *o = json_pack("{s:s,s:[{s:s,s:s,s:s}]}", "resourceType", "OperationOutcome", "issue", "severity",
                          "information", "code", "informational", "diagnostics", text);
    return o ? yx_reply(r, status, o) : YX_ENOMEM;
}

static int kickoff(struct yx_req *r, enum level level)
{
    struct kickoff k = {0, 0};
    struct yx_resource res;
    struct yx_rows *rows = NULL;
    const char *facilities = NULL, *types = NULL, *client, *prefer = yx_header(r, "prefer");
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    if (!prefer || !strstr(prefer, "respond-async"))
        return yx_fail_field(r, YX_EINVAL, "Prefer",
                             "$export cần Prefer: respond-async / $export needs the header Prefer: "
                             "respond-async (it answers 202 and runs in the background).");
    if ((rc = yx_fhir_params_each(r, MAX_PARAMS, MAX_VALUE, take_param, &k)) != 0 ||
        (rc = export_place(r, level, &res, &facilities)) != 0 ||
        (rc = export_types(r, level, &k, &types)) != 0)
        return rc;
    if (!(client = client_of(r)))
        return YX_ENOMEM;
    const char *url = yx_req_url(r, r->path);
    size_t n = (url ? strlen(url) : 0) + strlen(r->query) + 2;
    char *request = yx_arena_alloc(&r->arena, n);
    if (!url || !request || yx_snprintf(request, n, "%s%s%s", url, *r->query ? "?" : "", r->query) != 0)
        return YX_ENOMEM;
    int64_t now = yx_now_ms();
    /* One job a client at a time: the unique index on a client's open job refuses a second. */
    rc = YX_DB_Q(r->db, &rows,
                 "INSERT INTO fhir_exports (client, system_id, user_id, state, request, types, facility_ids, "
                 "since, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?) RETURNING id",
                 YX_PT(client), r->who.system_id ? YX_PI(r->who.system_id) : YX_PN,
                 r->who.system_id ? YX_PN : YX_PI(r->who.user_id), YX_PT(request), YX_PT(types),
                 facilities ? YX_PT(facilities) : YX_PN, k.since ? YX_PI(k.since) : YX_PN, YX_PI(now),
                 YX_PI(now));
    if (rc == YX_ECONFLICT) {
        yx_rows_free(rows);
        yx_reply_header(r, "retry-after", RETRY_BUSY);
        return yx_fail_code(r, YX_ERATELIMIT, "export_running", NULL,
                            "Một lần xuất của bạn đang chạy; chờ nó xong hoặc huỷ nó / an export of yours is "
                            "running: wait for it to finish, or cancel it (DELETE its status URL).");
    }
    if (rc)
        return rc;
    int64_t id = yx_rows_i64(rows, 0, "id");
    yx_rows_free(rows);
    yx_audit_target(r, id);
    char path[64];
    yx_snprintf(path, sizeof path, "/fhir/bulkstatus/%lld", (long long)id);
    const char *status = yx_req_url(r, path);
    if (!status || (rc = yx_reply_header(r, "content-location", status)) != 0)
        return rc ? rc : YX_ENOMEM;
    wake();
    return reply_info(r, 202,
                      "Đã nhận yêu cầu xuất; hỏi trạng thái ở Content-Location / the export was accepted: "
                      "poll the URL in Content-Location.");
}

/* GET /fhir/$export: everything the caller reads (a system's places, an administrator's scope). */
static int export_system(struct yx_req *r)
{
    return kickoff(r, SYSTEM_LEVEL);
}

/* GET /fhir/Patient/$export: the Patient compartment's types, over the same places. */
static int export_patients(struct yx_req *r)
{
    return kickoff(r, PATIENT_LEVEL);
}

/* GET /fhir/Group/:id/$export: a facility's or a province's patients and their records. */
static int export_group(struct yx_req *r)
{
    return kickoff(r, GROUP_LEVEL);
}

/* The caller's job of the path's id: its row, or the 404 of an absent one (another client's, a
 * cancelled one, an expired one). */
static int load_job(struct yx_req *r, struct yx_rows **rows, int64_t *id)
{
    const char *client = client_of(r);
    int rc;
    if (!client)
        return YX_ENOMEM;
    if ((rc = yx_param_id(r, 0, id)) != 0 ||
        (rc = YX_DB_Q(r->db, rows,
                      "SELECT id, state, request, progress, output, error, error_code, transaction_time FROM "
                      "fhir_exports WHERE id = ? AND client = ? AND state <> 'cancelled' AND (expires_at IS "
                      "NULL OR expires_at > ?)",
                      YX_PI(*id), YX_PT(client), YX_PI(yx_now_ms()))) != 0)
        return rc;
    if ((*rows)->nrows != 1) {
        yx_rows_free(*rows);
        *rows = NULL;
        return yx_not_found(r);
    }
    return 0;
}

/* The complete job's manifest: the files of the types that had resources, each with its URL. */
static int reply_manifest(struct yx_req *r, const struct yx_rows *rows, int64_t id)
{
    char at[32], path[160];
    json_t *output = json_array(), *kept = json_loads(yx_rows_str(rows, 0, "output"), 0, NULL), *f;
    size_t i;
    yx_time_format(yx_rows_i64(rows, 0, "transaction_time"), at);
    json_array_foreach(kept, i, f)
    {
        const char *type = json_string_value(json_object_get(f, "type"));
        if (!type ||
            yx_snprintf(path, sizeof path, "/fhir/bulkstatus/%lld/files/%s.ndjson", (long long)id, type) != 0)
            continue;
        const char *url = yx_req_url(r, path);
        json_array_append_new(output, json_pack("{s:s,s:s,s:O}", "type", type, "url", url ? url : "", "count",
                                                json_object_get(f, "count")));
    }
    json_decref(kept);
    json_t *m =
        json_pack("{s:s,s:s,s:b,s:o,s:[]}", "transactionTime", at, "request", yx_rows_str(rows, 0, "request"),
                  "requiresAccessToken", 1, "output", output, "error");
    char *text = m ? json_dumps(m, JSON_COMPACT) : NULL;
    json_decref(m);
    /* The IG answers the manifest as application/json, not as a FHIR resource. */
    return text ? yx_reply_raw(r, 200, "application/json", text, strlen(text)) : YX_ENOMEM;
}

/* GET /fhir/bulkstatus/:id: 202 with X-Progress while it runs, the manifest when complete, an
 * OperationOutcome with the failure's status (never a 5xx) when it failed. */
static int export_status(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int64_t id;
    int rc;
    if ((rc = load_job(r, &rows, &id)) != 0)
        return rc;
    const char *state = yx_rows_str(rows, 0, "state");
    if (strcmp(state, "complete") == 0) {
        rc = reply_manifest(r, rows, id);
    } else if (strcmp(state, "failed") == 0) {
        const char *code = yx_rows_str(rows, 0, "error_code");
        rc = yx_fail_code(r, code && strcmp(code, "export_too_big") == 0 ? YX_ETOOBIG : YX_ECONFLICT,
                          code ? code : "export_failed", NULL, "%s", yx_rows_str(rows, 0, "error"));
    } else {
        const char *progress = yx_rows_str(rows, 0, "progress");
        char *empty = malloc(1);
        if (!empty || yx_reply_header(r, "x-progress", progress ? progress : "queued") != 0 ||
            yx_reply_header(r, "retry-after", RETRY_POLL) != 0) {
            free(empty);
            rc = YX_ENOMEM;
        } else {
            rc = yx_reply_raw(r, 202, yx_fhir_dialect.type, empty, 0);
        }
    }
    yx_rows_free(rows);
    return rc;
}

/* DELETE /fhir/bulkstatus/:id: the job is cancelled at once (its status and files are 404 from
 * now); the exporter stops it at its next page and removes its files. */
static int export_cancel(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int64_t id;
    int rc;
    if ((rc = load_job(r, &rows, &id)) != 0)
        return rc;
    yx_rows_free(rows);
    yx_audit_target(r, id);
    int64_t now = yx_now_ms();
    if ((rc = YX_DB_Q(
             r->db, NULL,
             "UPDATE fhir_exports SET state = 'cancelled', expires_at = ?, ended_at = COALESCE(ended_at, ?), "
             "updated_at = ? WHERE id = ?",
             YX_PI(now), YX_PI(now), YX_PI(now), YX_PI(id))) != 0)
        return rc;
    wake();
    return reply_info(r, 202, "Đã huỷ lần xuất / the export was cancelled; its files are removed.");
}

/* GET /fhir/bulkstatus/:id/files/:name: a file of the caller's complete job, as it is read. */
static int export_file(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int64_t id;
    int rc, found = 0;
    if ((rc = load_job(r, &rows, &id)) != 0)
        return rc;
    const char *name = r->nparams > 1 ? r->params[1] : "";
    if (strcmp(yx_rows_str(rows, 0, "state"), "complete") == 0) {
        json_t *kept = json_loads(yx_rows_str(rows, 0, "output"), 0, NULL), *f;
        size_t i;
        char want[80];
        json_array_foreach(kept, i, f)
        {
            const char *type = json_string_value(json_object_get(f, "type"));
            found |=
                type && yx_snprintf(want, sizeof want, "%s.ndjson", type) == 0 && strcmp(want, name) == 0;
        }
        json_decref(kept);
    }
    yx_rows_free(rows);
    if (!found)
        return yx_not_found(r);
    yx_audit_target(r, id);
    char path[800];
    if (yx_snprintf(path, sizeof path, "%s/%lld/%s", X.dir, (long long)id, name) != 0)
        return YX_ENOMEM;
    return yx_reply_file(r, 200, "application/fhir+ndjson", path);
}

const struct yx_route yx_fhir_export_routes[] = {
    {"GET", "/fhir/$export", export_system, YX_R_WRITES, "export.start", "export", YX_ADMINS | YX_ROLE_SYSTEM,
     NULL},
    {"GET", "/fhir/Patient/$export", export_patients, YX_R_WRITES, "export.start", "export",
     YX_ADMINS | YX_ROLE_SYSTEM, NULL},
    {"GET", "/fhir/Group/:id/$export", export_group, YX_R_WRITES, "export.start", "export",
     YX_ADMINS | YX_ROLE_SYSTEM, NULL},
    {"GET", "/fhir/bulkstatus/:id", export_status, 0, NULL, NULL, YX_ADMINS | YX_ROLE_SYSTEM, NULL},
    {"DELETE", "/fhir/bulkstatus/:id", export_cancel, 0, "export.cancel", "export",
     YX_ADMINS | YX_ROLE_SYSTEM, NULL},
    {"GET", "/fhir/bulkstatus/:id/files/:name", export_file, 0, "export.download", "export",
     YX_ADMINS | YX_ROLE_SYSTEM, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* ---- The exporter thread. ---- */

static int stopping(void)
{
    return __atomic_load_n(&X.job.stopping, __ATOMIC_RELAXED);
}

/* Removes a job's folder and what is in it (only the exporter's files are there). */
static void remove_files(int64_t id)
{
    char dir[700], path[800];
    if (yx_snprintf(dir, sizeof dir, "%s/%lld", X.dir, (long long)id) != 0)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && yx_snprintf(path, sizeof path, "%s/%s", dir, e->d_name) == 0)
            unlink(path);
    closedir(d);
    rmdir(dir);
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return YX_EINTERNAL;
    int rc = fsync(fd) == 0 ? 0 : YX_EINTERNAL;
    close(fd);
    return rc;
}

/* Cancelled jobs and those whose files have expired: their files, then their rows (in that order,
 * so that a crash between leaves a row the next pass removes, never files nobody knows of). */
static void sweep(struct yx_db *db)
{
    struct yx_rows *rows = NULL;
    if (YX_DB_Q(
            db, &rows,
            "SELECT id FROM fhir_exports WHERE state = 'cancelled' OR expires_at <= ? ORDER BY id LIMIT 100",
            YX_PI(yx_now_ms())) != 0)
        return;
    for (int i = 0; i < rows->nrows; i++) {
        int64_t id = yx_rows_i64(rows, i, "id");
        remove_files(id);
        YX_DB_Q(db, NULL, "DELETE FROM fhir_exports WHERE id = ?", YX_PI(id));
    }
    yx_rows_free(rows);
}

/* What a run of a job reads and writes. */
struct run {
    struct yx_db *db;
    int64_t id;
    const char *facilities; /* "1, 2, 3", or NULL: every facility */
    int64_t since;
    int64_t bytes;
    json_t *output; /* [{type, count}] */
    char error[300];
    const char *error_code;
};

/* Renews the lease and says how far it is; YX_ECONFLICT when the job is no longer running here
 * (cancelled), YX_EUNAVAIL when the server is stopping. */
static int renew(struct run *x, const char *type, int64_t count, int k, int ntypes)
{
    struct yx_rows *rows = NULL;
    char progress[120];
    int64_t now = yx_now_ms();
    if (stopping())
        return YX_EUNAVAIL;
    yx_snprintf(progress, sizeof progress, "%s: %lld (%d/%d)", type, (long long)count, k, ntypes);
    int rc = YX_DB_Q(
        x->db, &rows,
        "UPDATE fhir_exports SET lease_until = ?, progress = ?, updated_at = ? WHERE id = ? AND state "
        "= 'running'",
        YX_PI(now + LEASE_MS), YX_PT(progress), YX_PI(now), YX_PI(x->id));
    if (rc == 0 && rows->changes != 1)
        rc = YX_ECONFLICT;
    yx_rows_free(rows);
    return rc;
}

/* Writes one resource as a line. */
static int write_line(struct run *x, FILE *f, json_t *o)
{
    if (!o)
        return YX_ENOMEM;
    int rc = json_dumpf(o, f, JSON_COMPACT) == 0 && fputc('\n', f) != EOF ? 0 : YX_EINTERNAL;
    json_decref(o);
    if (rc)
        snprintf(x->error, sizeof x->error, "Không ghi được tệp / a file could not be written: %s",
                 strerror(errno));
    return rc;
}

/* The keys of the next page after last, as "k1, k2, …" in keys (emptied first), read from the
 * key's own table alone with the place and _since (keysql, its parameters last, since, limit): a
 * page walks the key whatever the engine's planner makes of the mapping's joins. *n is how many. */
static int page_keys(struct run *x, const char *keysql, int64_t last, struct yx_buf *keys, int *n,
                     int64_t *last_key)
{
    struct yx_rows *rows = NULL;
    struct yx_param p[3];
    int np = 0, rc;
    p[np++] = YX_PI(last);
    if (x->since)
        p[np++] = YX_PI(x->since);
    p[np++] = YX_PI(PAGE_ROWS);
    keys->len = 0;
    if ((rc = yx_db_exec(x->db, keysql, p, np, &rows)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < rows->nrows; i++) {
        *last_key = yx_rows_int(rows, i, 0);
        rc = yx_buf_printf(keys, "%s%lld", i ? ", " : "", (long long)*last_key);
    }
    *n = rows->nrows;
    yx_rows_free(rows);
    return rc;
}

/* Writes a page's rows as lines. */
static int write_rows(struct run *x, const struct yx_fhir_export *src, struct yx_req *r, FILE *f,
                      const struct yx_rows *rows, int64_t *count)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < rows->nrows; i++) {
        if (src->make) {
            rc = write_line(x, f, src->make(r, rows, i));
            ++*count;
            continue;
        }
        json_t *many = json_array(), *o;
        size_t j;
        rc = many ? src->emit(r, rows, i, many) : YX_ENOMEM;
        json_array_foreach(many, j, o)
        {
            if (rc == 0)
                rc = write_line(x, f, json_incref(o));
            ++*count;
        }
        json_decref(many);
    }
    return rc;
}

/* Writes the type's file, page by page; its count is added to x->output (a type with no resource
 * has no file, as the IG asks). */
static int export_type(struct run *x, const struct yx_fhir_export *src, const char *dir, int k, int ntypes)
{
    char path[800];
    struct yx_req *r = calloc(1, sizeof *r);
    struct yx_buf keysql, keys, sql;
    FILE *f = NULL;
    int64_t count = 0, last = 0;
    int rc = YX_ENOMEM, n = 0;
    yx_buf_init(&keysql, 4 * 1024 * 1024);
    yx_buf_init(&keys, 64 * 1024);
    yx_buf_init(&sql, 64 * 1024);
    if (!r)
        goto out;
    r->db = x->db;
    if (yx_snprintf(path, sizeof path, "%s/%s.ndjson", dir, src->type) != 0 ||
        yx_buf_printf(&keysql, "SELECT %s FROM %s WHERE %s > ?", src->key, src->from, src->key) ||
        (x->facilities && yx_buf_printf(&keysql, " AND %s IN (%s)", src->facility, x->facilities)) ||
        (x->since && yx_buf_printf(&keysql, " AND %s > ?", src->updated)) ||
        yx_buf_printf(&keysql, " ORDER BY %s LIMIT ?", src->key))
        goto out;
    if (x->facilities && !*x->facilities) {
        rc = 0; /* no facility: nothing to write */
        goto out;
    }
    if (!(f = fopen(path, "w"))) {
        snprintf(x->error, sizeof x->error, "Không tạo được tệp / a file could not be made: %s",
                 strerror(errno));
        rc = YX_EINTERNAL;
        goto out;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    for (rc = 0; rc == 0;) {
        struct yx_rows *rows = NULL;
        if ((rc = page_keys(x, keysql.data, last, &keys, &n, &last)) != 0 || n == 0)
            break;
        /* The page's rows by their keys, with the type's own select and mapping. */
        sql.len = 0;
        if (yx_buf_printf(&sql, "%s AND %s IN (%s) ORDER BY %s", src->select, src->key, keys.data,
                          src->key)) {
            rc = YX_ENOMEM;
            break;
        }
        /* Its text (its keys written in it) is used once: not kept among the prepared statements,
         * where each page would take a place its own recurring statements need. */
        yx_db_plan_each(x->db, 1);
        rc = yx_db_exec(x->db, sql.data, NULL, 0, &rows);
        yx_db_plan_each(x->db, 0);
        if (rc)
            break;
        rc = write_rows(x, src, r, f, rows, &count);
        yx_rows_free(rows);
        yx_arena_release(&r->arena);
        if (rc)
            break;
        off_t at = ftello(f);
        if (x->bytes + at > MAX_BYTES) {
            snprintf(
                x->error, sizeof x->error,
                "Lần xuất vượt %lld GiB; hãy chia nhỏ theo _type, _since hoặc Group / the export is over "
                "%lld GiB: split it by _type, _since or Group.",
                MAX_BYTES >> 30, MAX_BYTES >> 30);
            x->error_code = "export_too_big";
            rc = YX_ETOOBIG;
            break;
        }
        if ((rc = renew(x, src->type, count, k, ntypes)) != 0 || n < PAGE_ROWS)
            break;
    }
    if (rc == 0 && f && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
        snprintf(x->error, sizeof x->error, "Không ghi được tệp / a file could not be synced: %s",
                 strerror(errno));
        rc = YX_EINTERNAL;
    }
    if (rc == 0 && f) {
        x->bytes += ftello(f);
        if (count)
            json_array_append_new(x->output,
                                  json_pack("{s:s,s:I}", "type", src->type, "count", (json_int_t)count));
    }
out:
    if (f && fclose(f) != 0 && rc == 0)
        rc = YX_EINTERNAL;
    if (rc == 0 && f && count == 0)
        unlink(path);
    if (r)
        yx_arena_release(&r->arena);
    yx_buf_release(&keysql);
    yx_buf_release(&keys);
    yx_buf_release(&sql);
    free(r);
    return rc;
}

/* Runs the job, which this thread holds (its lease), from its start. */
static void run_job(struct yx_db *db, int64_t id)
{
    struct yx_rows *rows = NULL;
    struct run x = {.db = db, .id = id, .output = json_array()};
    char dir[700];
    json_t *types = NULL, *fac = NULL;
    struct yx_buf ids;
    yx_buf_init(&ids, 1024 * 1024);
    int rc =
        YX_DB_Q(db, &rows, "SELECT types, facility_ids, since FROM fhir_exports WHERE id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        types = json_loads(yx_rows_str(rows, 0, "types"), 0, NULL);
        /* NULL is every facility; a list that does not read back is no job to run, never every
         * facility. */
        if (!yx_rows_null(rows, 0, "facility_ids"))
            fac = json_loads(yx_rows_str(rows, 0, "facility_ids"), 0, NULL);
        if (!yx_rows_null(rows, 0, "facility_ids") && !json_is_array(fac))
            rc = YX_EINTERNAL; /* json_is_array is a macro: its argument is evaluated twice */
        x.since = yx_rows_i64(rows, 0, "since");
        size_t i;
        json_t *v;
        json_array_foreach(fac, i, v) rc =
            rc ? rc : yx_buf_printf(&ids, "%s%lld", i ? ", " : "", (long long)json_integer_value(v));
        x.facilities = fac ? (ids.data ? ids.data : "") : NULL;
        rc = rc ? rc : !json_is_array(types) ? YX_EINTERNAL : 0;
    }
    yx_rows_free(rows);
    /* A job taken again (its server stopped while it ran) starts from nothing. */
    remove_files(id);
    if (rc == 0 && (yx_snprintf(dir, sizeof dir, "%s/%lld", X.dir, (long long)id) != 0 ||
                    (mkdir(dir, 0700) != 0 && errno != EEXIST)))
        rc = YX_EINTERNAL;
    size_t k, ntypes = json_array_size(types);
    json_t *t;
    json_array_foreach(types, k, t)
    {
        const char *name = json_string_value(t);
        int i = name ? source_index(name, strlen(name)) : -1;
        if (rc == 0 && i >= 0)
            rc = export_type(&x, sources[i], dir, (int)k + 1, (int)ntypes);
    }
    if (rc == 0 && (sync_dir(dir) != 0 || sync_dir(X.dir) != 0))
        rc = YX_EINTERNAL;
    int64_t now = yx_now_ms();
    char *output = json_dumps(x.output, JSON_COMPACT);
    if (rc == 0 && output)
        rc = YX_DB_Q(db, NULL,
                     "UPDATE fhir_exports SET state = 'complete', output = ?, progress = NULL, ended_at = ?, "
                     "expires_at = ?, lease_until = 0, updated_at = ? WHERE id = ? AND state = 'running'",
                     YX_PT(output), YX_PI(now), YX_PI(now + KEEP_MS), YX_PI(now), YX_PI(id));
    if (rc == YX_EUNAVAIL) {
        /* The server stops: the job is left to the next exporter, which takes it at once. */
        YX_DB_Q(db, NULL, "UPDATE fhir_exports SET lease_until = 0 WHERE id = ? AND state = 'running'",
                YX_PI(id));
        remove_files(id);
    } else if (rc != 0 && rc != YX_ECONFLICT) {
        if (!x.error[0])
            snprintf(x.error, sizeof x.error,
                     "Lần xuất thất bại (%s); hãy bắt đầu lại / the export failed (%s): start it again.",
                     yx_err_name(rc), yx_err_name(rc));
        yx_log(YX_LOG_ERROR, "fhir export %lld failed: %s", (long long)id, x.error);
        YX_DB_Q(db, NULL,
                "UPDATE fhir_exports SET state = 'failed', error = ?, error_code = ?, progress = NULL, "
                "expires_at = ?, ended_at = ?, lease_until = 0, updated_at = ? WHERE id = ? AND state = "
                "'running'",
                YX_PT(x.error), YX_PT(x.error_code ? x.error_code : "export_failed"), YX_PI(now + KEEP_MS),
                YX_PI(now), YX_PI(now), YX_PI(id));
        remove_files(id);
    } else if (rc == YX_ECONFLICT) {
        remove_files(id); /* cancelled while it ran */
    }
    free(output);
    json_decref(x.output);
    json_decref(types);
    json_decref(fac);
    yx_buf_release(&ids);
}

/* Takes the oldest job waiting, or one whose lease ran out; 1 with its id when taken. */
static int claim(struct yx_db *db, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    int taken = 0;
    if (YX_DB_Q(db, &rows,
                "SELECT id FROM fhir_exports WHERE state IN ('queued', 'running') AND lease_until < ? ORDER "
                "BY id "
                "LIMIT 1",
                YX_PI(now)) != 0)
        return 0;
    if (rows->nrows == 1) {
        *id = yx_rows_i64(rows, 0, "id");
        yx_rows_free(rows);
        rows = NULL;
        if (YX_DB_Q(db, &rows,
                    "UPDATE fhir_exports SET state = 'running', lease_until = ?, transaction_time = ?, "
                    "progress = "
                    "'started', updated_at = ? WHERE id = ? AND state IN ('queued', 'running') AND "
                    "lease_until < ?",
                    YX_PI(now + LEASE_MS), YX_PI(now), YX_PI(now), YX_PI(*id), YX_PI(now)) == 0)
            taken = rows->changes == 1;
    }
    yx_rows_free(rows);
    return taken;
}

static void exporter_tick(struct yx_db *db, void *unused)
{
    int64_t id;
    (void)unused;
    if (!db)
        return;
    sweep(db);
    while (!stopping() && claim(db, &id))
        run_job(db, id);
}

int yx_fhir_exporter_start(const char *data_dir)
{
    if (yx_snprintf(X.dir, sizeof X.dir, "%s/exports", data_dir) != 0 ||
        (mkdir(X.dir, 0700) != 0 && errno != EEXIST))
        return YX_EINTERNAL;
    X.job = (struct yx_db_job){.tick = exporter_tick, .interval_ms = 1000};
    return yx_db_job_start(&X.job);
}

void yx_fhir_exporter_stop(void)
{
    yx_db_job_stop(&X.job);
}
