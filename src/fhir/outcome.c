/* What every FHIR answer shares: the error as an OperationOutcome (the FHIR dialect the server is
 * given, so that yx_render_answer stays the one place an error becomes a body), the format a
 * client asks for, and a resource's answer with its version headers. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"

/* FHIR's IssueType for an HTTP status (R4 valueset issue-type). */
static const char *issue_type(int status)
{
    switch (status) {
    case 400:
        return "invalid";
    case 401:
        return "login";
    case 403:
        return "forbidden";
    case 404:
        return "not-found";
    case 405:
    case 406:
    case 415:
        return "not-supported";
    case 409:
    case 412:
        return "conflict";
    case 413:
        return "too-costly";
    case 429:
        return "throttled";
    case 503:
        return "transient";
    default:
        return status >= 500 ? "exception" : "processing";
    }
}

/* The error of r as an OperationOutcome: one issue with the message in the client's language (as the
 * API's own errors), the field as its expression, the precise code as its details; a duplicate's
 * candidates follow as issues of their own, each naming the record. */
static json_t *outcome(const struct yx_req *r, int status)
{
    const char *code = r->err_code ? r->err_code : yx_err_name(r->err);
    char msg[sizeof r->err_msg];
    json_t *issue =
        json_pack("{s:s,s:s,s:{s:[{s:s,s:s}],s:s},s:s}", "severity", status >= 500 ? "fatal" : "error",
                  "code", issue_type(status), "details", "coding", "system", YX_FHIR_CS_ERROR, "code", code,
                  "text", code, "diagnostics", yx_error_text(r, yx_wants_english(r), msg, sizeof msg));
    if (issue && r->err_field)
        json_object_set_new(issue, "expression", json_pack("[s]", r->err_field));
    json_t *issues = json_array();
    json_array_append_new(issues, issue);
    json_t *cands = json_object_get(r->err_detail, "candidates");
    size_t i;
    json_t *c;
    json_array_foreach(cands, i, c)
    {
        char ref[48];
        if (yx_snprintf(ref, sizeof ref, "Patient/%lld",
                        (long long)json_integer_value(json_object_get(c, "id"))) == 0)
            json_array_append_new(issues, json_pack("{s:s,s:s,s:s}", "severity", "information", "code",
                                                    "duplicate", "diagnostics", ref));
    }
    return json_pack("{s:s,s:o}", "resourceType", "OperationOutcome", "issue", issues);
}

const struct yx_api_dialect yx_fhir_dialect = {"/fhir", "application/fhir+json; charset=utf-8", outcome};

/* Does a media type list (Accept, _format) name JSON, FHIR's or plain, or anything? */
static int names_json(const char *v)
{
    return strstr(v, "json") != NULL || strstr(v, "*/*") != NULL || strstr(v, "application/*") != NULL;
}

int yx_fhir_field_paths(struct yx_req *r, int rc, const char *const paths[][2])
{
    for (int i = 0; r->err_field && paths[i][0]; i++)
        if (strcmp(r->err_field, paths[i][0]) == 0) {
            r->err_field = paths[i][1];
            break;
        }
    return rc;
}

int yx_fhir_begin(struct yx_req *r)
{
    const char *f = yx_query(r, "_format");
    if (f && strcmp(f, "json") != 0 && strcmp(f, "application/json") != 0 &&
        strcmp(f, "application/fhir+json") != 0)
        return yx_fail_field(r, YX_ENOTACCEPT, "_format",
                             "Máy chủ chỉ trả JSON / this server answers JSON only (_format=json).");
    if (!f && r->accept && *r->accept && !names_json(r->accept))
        return yx_fail(
            r, YX_ENOTACCEPT,
            "Máy chủ chỉ trả JSON / this server answers application/fhir+json or application/json only.");
    return 0;
}

const char *yx_fhir_base(struct yx_req *r)
{
    return yx_req_url(r, "/fhir");
}

json_t *yx_fhir_meta(int64_t version, int64_t updated_ms)
{
    char v[24], at[32];
    yx_snprintf(v, sizeof v, "%lld", (long long)version);
    yx_time_format(updated_ms, at);
    return json_pack("{s:s,s:s}", "versionId", v, "lastUpdated", at);
}

/* Prefer: return=minimal asks for no body (RFC 7240, FHIR's "Prefer" on create and update). */
static int wants_minimal(struct yx_req *r)
{
    const char *p = yx_header(r, "prefer");
    return p && strstr(p, "return=minimal") != NULL;
}

int yx_fhir_reply_resource(struct yx_req *r, int status, json_t *resource, const char *type, int64_t id,
                           int64_t version, int created)
{
    char etag[32];
    if (!resource)
        return YX_ENOMEM;
    yx_snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)version);
    /* A resource ytexa keeps no version of (an Observation, a Condition) has no ETag, and its
     * Location names no version. */
    int rc = version > 0 ? yx_reply_header(r, "etag", etag) : 0;
    if (rc == 0 && created) {
        const char *base = yx_fhir_base(r);
        size_t n = (base ? strlen(base) : 0) + strlen(type) + 64;
        char *loc = yx_arena_alloc(&r->arena, n);
        if (!base || !loc ||
            (version > 0 ? yx_snprintf(loc, n, "%s/%s/%lld/_history/%lld", base, type, (long long)id,
                                       (long long)version)
                         : yx_snprintf(loc, n, "%s/%s/%lld", base, type, (long long)id)) != 0)
            rc = YX_ENOMEM;
        else
            rc = yx_reply_header(r, "location", loc);
    }
    if (rc == 0 && (status == 200 || status == 201) && r->method[0] != 'G' && wants_minimal(r)) {
        json_decref(resource);
        char *empty = malloc(1);
        return empty ? yx_reply_raw(r, status, yx_fhir_dialect.type, empty, 0) : YX_ENOMEM;
    }
    if (rc) {
        json_decref(resource);
        return rc;
    }
    return yx_reply(r, status, resource);
}

int yx_fhir_same_id(const json_t *b, int64_t id)
{
    const char *s = json_string_value(json_object_get(b, "id"));
    char want[24];
    yx_snprintf(want, sizeof want, "%lld", (long long)id);
    return s && strcmp(s, want) == 0;
}

int yx_fhir_if_match(struct yx_req *r, int64_t *want)
{
    const char *m = yx_header(r, "if-match");
    char *end = NULL;
    *want = 0;
    if (!m)
        return 0;
    if (strncmp(m, "W/", 2) == 0)
        m += 2;
    long long v = *m == '"' ? strtoll(m + 1, &end, 10) : 0;
    if (v <= 0 || *end != '"' || end[1])
        return yx_fail(r, YX_EINVAL, "If-Match là W/\"phiên bản\" / If-Match is W/\"<versionId>\".");
    *want = v;
    return 0;
}
