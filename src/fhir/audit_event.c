/* FHIR AuditEvent (docs/fhir.md, "AuditEvent"): the audit trail, read-only, as GET /api/v1/audit
 * lets an administrator read it — yx_scope(YX_RES_AUDIT) and its condition
 * (yx_audit_scope_sql): the ministry all, a province the acts of its facilities' users, a facility
 * its own users' acts. Another scope's event is the same 404 as an absent one; a role that does not
 * read the trail is refused by the route as the REST route refuses it. Reading it is audited too. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/audit.h"
#include "ytexa/auth.h"

#define EVENT_FROM                                                                                           \
    "SELECT id, at, actor_id, actor_role, action, resource_type, resource_id, patient_id, addr, outcome, "   \
    "detail FROM audit_events WHERE 1 = 1"

const struct yx_fhir_param yx_fhir_audit_event_params[] = {
    {"_id", "token", "The event's id."},
    {"date", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time): when it was recorded."},
    {"agent", "reference", "Practitioner/<id> or <id>: the account that acted (a system: its id)."},
    {"patient", "reference", "Patient/<id>: the patient whose record it touched."},
    {"action", "token", "C, R, U, D or E, from the act's verb (docs/fhir.md)."},
    {"subtype", "token", "ytexa's act exactly (system " YX_FHIR_CS_AUDIT_ACTION "), e.g. prescription.pdf."},
    {NULL, NULL, NULL},
};

/* R4's AuditEvent.action from the verb of ytexa's act ("prescription.pdf" → pdf), or from the act
 * itself where the verb means more than one thing ("export.cancel"): reading (a bulk export's
 * start and its files too), making (an import), changing, deleting; every other act (accept,
 * submit, login …) is E, execute. */
static const char *const verbs[][2] = {
    {"read", "R"},
    {"list", "R"},
    {"patient_list", "R"},
    {"search", "R"},
    {"pdf", "R"},
    {"minutes_pdf", "R"},
    {"certificate_pdf", "R"},
    {"export", "R"},
    {"records", "R"},
    {"summary", "R"},
    {"guest_list", "R"},
    {"room_read", "R"},
    {"course_cases", "R"},
    {"session_case", "R"},
    {"start", "R"},
    {"download", "R"},
    {"create", "C"},
    {"add", "C"},
    {"attach", "C"},
    {"sign", "C"},
    {"revise", "C"},
    {"course_create", "C"},
    {"session_create", "C"},
    {"material_add", "C"},
    {"diagnosis", "C"},
    {"vitals", "C"},
    {"referral", "C"},
    {"opinion", "C"},
    {"participant", "C"},
    {"enrol", "C"},
    {"guest_invite", "C"},
    {"certificate_issue", "C"},
    {"credit_award", "C"},
    {"account", "C"},
    {"link", "C"},
    {"import", "C"},
    {"update", "U"},
    {"append", "U"},
    {"course_change", "U"},
    {"deadlines", "U"},
    {"follow_up", "U"},
    {"notes", "U"},
    {"quiz_set", "U"},
    {"keys", "U"},
    {"guest_consent", "U"},
    {"room_consent", "U"},
    {"set_password", "U"},
    {"delete", "D"},
    {"unlink", "D"},
    {"material_delete", "D"},
    {"guest_revoke", "D"},
    {"export.cancel", "D"}, /* the job and its files go; another cancel (a booking's) is E */
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

const char *yx_fhir_audit_action(const char *act)
{
    const char *dot = strrchr(act, '.');
    const char *verb = dot ? dot + 1 : act;
    for (size_t i = 0; i < NVERBS; i++)
        if (strcmp(verbs[i][0], strchr(verbs[i][0], '.') ? act : verb) == 0)
            return verbs[i][1];
    return "E";
}

/* ytexa's outcome as R4's: 0 success, 4 minor failure (refused, bad input), 8 serious failure. */
static const char *outcome_of(const char *o)
{
    return strcmp(o, "ok") == 0 ? "0" : strcmp(o, "error") == 0 || strcmp(o, "unavailable") == 0 ? "8" : "4";
}

static json_t *audit_event(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24], at[32], what[160];
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    yx_time_format(yx_rows_i64(rows, i, "at"), at);
    const char *act = yx_rows_str(rows, i, "action"), *role = yx_rows_str(rows, i, "actor_role");
    json_t *who = json_object();
    if (!yx_rows_null(rows, i, "actor_id"))
        json_object_set_new(
            who, "identifier",
            json_pack("{s:s,s:s}", "system",
                      role && strcmp(role, "system") == 0 ? YX_FHIR_SID_SYSTEM : YX_FHIR_SID_USER, "value",
                      yx_rows_str(rows, i, "actor_id")));
    json_object_set_new(who, "display", json_string(role ? role : "không đăng nhập / not signed in"));
    json_t *agent = json_pack("{s:o,s:b}", "who", who, "requestor", 1);
    if (agent && yx_rows_str(rows, i, "addr"))
        json_object_set_new(agent, "network",
                            json_pack("{s:s,s:s}", "address", yx_rows_str(rows, i, "addr"), "type", "2"));
    json_t *e = json_pack(
        "{s:s,s:s,s:o,s:{s:s,s:s,s:s},s:[{s:s,s:s}],s:s,s:s,s:s,s:[o],s:{s:{s:s},s:[{s:s,s:s,s:s}]}}",
        "resourceType", "AuditEvent", "id", id, "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "at")),
        "type", "system", "http://terminology.hl7.org/CodeSystem/audit-event-type", "code", "rest", "display",
        "RESTful Operation", "subtype", "system", YX_FHIR_CS_AUDIT_ACTION, "code", act, "action",
        yx_fhir_audit_action(act), "recorded", at, "outcome", outcome_of(yx_rows_str(rows, i, "outcome")),
        "agent", agent, "source", "observer", "display", "ytexa", "type", "system",
        "http://terminology.hl7.org/CodeSystem/security-source-type", "code", "4", "display",
        "Application Server");
    if (!e)
        return NULL;
    if (yx_rows_str(rows, i, "detail"))
        json_object_set_new(e, "outcomeDesc", json_string(yx_rows_str(rows, i, "detail")));
    /* The record acted on, as ytexa names it ("consult/12"), and the patient it concerns. */
    json_t *entities = json_array();
    const char *type = yx_rows_str(rows, i, "resource_type"), *rid = yx_rows_str(rows, i, "resource_id");
    if (type && *type && rid && *rid && yx_snprintf(what, sizeof what, "%s/%s", type, rid) == 0)
        json_array_append_new(entities, json_pack("{s:{s:{s:s,s:s}}}", "what", "identifier", "system",
                                                  YX_FHIR_SID_AUDIT_RESOURCE, "value", what));
    if (!yx_rows_null(rows, i, "patient_id") && yx_rows_i64(rows, i, "patient_id") > 0)
        json_array_append_new(
            entities, json_pack("{s:o,s:{s:s,s:s,s:s}}", "what",
                                yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), NULL), "type",
                                "system", "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code",
                                "1", "display", "Person"));
    if (json_array_size(entities))
        json_object_set_new(e, "entity", entities);
    else
        json_decref(entities);
    return e;
}

/* The caller's scope of the trail; the REST route's refusal when it has none. */
static int scope_of(struct yx_req *r, struct yx_scope *s)
{
    if (yx_scope(&r->who, YX_RES_AUDIT, s) != 0)
        return yx_fail(
            r, YX_EFORBIDDEN,
            "Chỉ quản trị viên được xem nhật ký truy cập / Only administrators read the audit trail.");
    return 0;
}

/* GET /fhir/AuditEvent/:id */
static int audit_event_read(struct yx_req *r)
{
    struct yx_scope s;
    struct yx_rows *rows = NULL;
    int64_t id;
    char sql[512];
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = scope_of(r, &s)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0)
        return rc;
    if (yx_snprintf(sql, sizeof sql, EVENT_FROM " AND id = ?%s", yx_audit_scope_sql(&s)) != 0)
        return YX_ENOMEM;
    if ((rc = YX_DB_Q(r->db, &rows, sql, YX_PI(id), YX_PI(s.id))) != 0)
        return rc;
    json_t *e = rows->nrows == 1 ? audit_event(r, rows, 0) : NULL;
    int found = rows->nrows == 1;
    yx_rows_free(rows);
    if (!found)
        return yx_not_found(r);
    return e ? yx_reply(r, 200, e) : YX_ENOMEM;
}

static int take(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    static const struct yx_fhir_ref refs[] = {
        {"_id", "AuditEvent", "id = ?"},
        /* A system's events carry its own id (systems.id) as actor_id: not user n's. */
        {"agent", "Practitioner", "actor_id = ? AND actor_role <> 'system'"},
        {"patient", "Patient", "patient_id = ?"},
        {NULL, NULL, NULL},
    };
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "subtype") == 0) {
        const char *code = yx_fhir_token(r, v, YX_FHIR_CS_AUDIT_ACTION);
        return code && *code ? yx_fhir_where(r, q, "action = ?", 1, YX_PT(code)) : yx_fhir_nobody(q);
    }
    if (strcmp(name, "action") == 0) {
        static const char *const letters[] = {"C", "R", "U", "D", "E", NULL};
        if (!yx_one_of(v, letters))
            return yx_fail_field(r, YX_EINVAL, name,
                                 "action là C, R, U, D hoặc E / action is C, R, U, D or E.");
        /* The verbs of the letter (for E: none of the others'), as suffixes of the act; an act
         * of the table as itself. */
        int e = strcmp(v, "E") == 0;
        int rc = yx_buf_puts(&q->sql, e ? " AND NOT (1 = 0" : " AND (1 = 0");
        for (size_t i = 0; rc == 0 && i < NVERBS; i++)
            if (e || strcmp(verbs[i][1], v) == 0)
                rc = yx_buf_printf(&q->sql,
                                   strchr(verbs[i][0], '.') ? " OR action = '%s'" : " OR action LIKE '%%.%s'",
                                   verbs[i][0]);
        return rc ? rc : yx_buf_puts(&q->sql, ")");
    }
    return yx_fhir_instant_cond(r, q, name, v, "at"); /* date */
}

/* GET /fhir/AuditEvent: the events of the caller's scope in id order (the cursor is the last id
 * shown); by patient or by agent through those columns' indexes. */
static int audit_event_search(struct yx_req *r)
{
    struct yx_scope scope;
    char select[512];
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = scope_of(r, &scope)) != 0)
        return rc;
    if (yx_snprintf(select, sizeof select, EVENT_FROM "%s", yx_audit_scope_sql(&scope)) != 0)
        return YX_ENOMEM;
    struct yx_param p[1] = {YX_PI(scope.id)};
    return yx_fhir_search(r, "AuditEvent", yx_fhir_audit_event_params, take, select, p, 1, "id", audit_event);
}

const struct yx_route yx_fhir_audit_event_routes[] = {
    {"GET", "/fhir/AuditEvent/:id", audit_event_read, 0, "audit.read", "audit", YX_ADMINS, NULL},
    {"GET", "/fhir/AuditEvent", audit_event_search, 0, "audit.read", "audit", YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
