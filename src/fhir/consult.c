/* FHIR ServiceRequest and Task (docs/fhir.md, "ServiceRequest", "Task"): a consultation case (hội
 * chẩn từ xa) is the ServiceRequest of the facility that asks, and the Task of the hub that has it;
 * both have the case's id. Read-only. Reading asks yx_consult_access(), the REST case read's
 * decision (the requesting facility, the hub that has the case now, the people and sites taking
 * part); searching covers the same cases (YX_CONSULT_SEEN_BY). The case's history (requested,
 * accepted, declined, escalated …) is the Task's relevantHistory: one contained Provenance per
 * event, which R4 names for a task's past state changes and which costs no route of its own. */
#include <string.h>

#include "fhir.h"
#include "ytexa/auth.h"
#include "ytexa/consult.h"

#define CASE_FROM                                                                                            \
    "SELECT c.id, c.patient_id, pa.full_name AS patient_name, c.state, c.urgency, c.specialty, "             \
    "s.name_vi AS specialty_name, c.kind, c.summary, c.requester_facility_id, rf.name AS requester_name, "   \
    "c.assigned_facility_id, af.name AS assigned_name, c.chair_id, ch.full_name AS chair_name, "             \
    "c.created_by, cb.full_name AS created_by_name, c.session_at, c.recommendation, "                        \
    "c.recommendation_note, c.requested_at, c.accepted_at, c.concluded_at, c.closed_at, c.created_at, "      \
    "c.updated_at FROM consults c JOIN patients pa ON pa.id = c.patient_id JOIN specialties s ON s.code = "  \
    "c.specialty JOIN facilities rf ON rf.id = c.requester_facility_id LEFT JOIN facilities af ON af.id = "  \
    "c.assigned_facility_id LEFT JOIN users ch ON ch.id = c.chair_id JOIN users cb ON cb.id = c.created_by "
/* When the request was made: its sending, or its making while it is a draft. */
#define AUTHORED "COALESCE(c.requested_at, c.created_at)"

const struct yx_fhir_param yx_fhir_service_request_params[] = {
    {"_id", "token", "The consultation's id."},
    {"patient", "reference", "Patient/<id>."},
    {"status", "token",
     "draft, active (sent, not yet concluded), completed (concluded), revoked (cancelled)."},
    {"requester", "reference",
     "Practitioner/<id> (who wrote the request) or Organization/<id> (the facility that asked)."},
    {"performer", "reference",
     "Organization/<id> (the hub that has the case now) or Practitioner/<id> (its chair)."},
    {"authored", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time): when it was sent (a draft: "
     "made)."},
    {"priority", "token", "routine, urgent, stat (ytexa's emergency); asap matches none."},
    {"_lastUpdated", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time)."},
    {"_include", "include", "ServiceRequest:patient"},
    {NULL, NULL, NULL},
};

const struct yx_fhir_param yx_fhir_task_params[] = {
    {"_id", "token", "The consultation's id."},
    {"focus", "reference", "ServiceRequest/<id>: the consultation."},
    {"based-on", "reference", "ServiceRequest/<id>: the consultation."},
    {"owner", "reference", "Organization/<id>: the hub that has the case now."},
    {"patient", "reference", "Patient/<id>."},
    {"status", "token", "draft, requested, accepted, in-progress, completed, cancelled."},
    {"_lastUpdated", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time)."},
    {"_include", "include", "Task:patient"},
    {NULL, NULL, NULL},
};

/* A case's state as ServiceRequest.status and as Task.status. */
static const char *const states[][3] = {
    {"draft", "draft", "draft"},
    {"requested", "active", "requested"},
    {"accepted", "active", "accepted"},
    {"scheduled", "active", "in-progress"},
    {"answered", "active", "in-progress"},
    {"concluded", "completed", "completed"},
    {"outcome_recorded", "completed", "completed"},
    {"closed", "completed", "completed"},
    {"cancelled", "revoked", "cancelled"},
};
#define NSTATES (sizeof states / sizeof states[0])

static const char *status_of(const char *state, int task)
{
    for (size_t i = 0; i < NSTATES; i++)
        if (strcmp(states[i][0], state) == 0)
            return states[i][task ? 2 : 1];
    return task ? "draft" : "unknown";
}

/* Urgency as R4's request priority: an emergency is stat (at once), the most urgent R4 has. */
static const char *const priorities[][2] = {
    {"routine", "routine"}, {"urgent", "urgent"}, {"emergency", "stat"}};

static const char *priority_of(const char *urgency)
{
    for (size_t i = 0; i < 3; i++)
        if (strcmp(priorities[i][0], urgency) == 0)
            return priorities[i][1];
    return "routine";
}

static const char *kind_display(const char *kind)
{
    return strcmp(kind, "imaging") == 0     ? "Chẩn đoán hình ảnh / imaging"
           : strcmp(kind, "pathology") == 0 ? "Giải phẫu bệnh / pathology"
           : strcmp(kind, "surgical") == 0  ? "Ngoại khoa / surgical"
           : strcmp(kind, "ecg") == 0       ? "Điện tim / ECG"
                                            : "Hội chẩn chung / general";
}

static json_t *concept(const char *system, const char *code, const char *display)
{
    json_t *c = json_pack("{s:[{s:s,s:s}]}", "coding", "system", system, "code", code);
    if (c && display) {
        json_object_set_new(json_array_get(json_object_get(c, "coding"), 0), "display", json_string(display));
        json_object_set_new(c, "text", json_string(display));
    }
    return c;
}

static void set_time(json_t *o, const char *key, const struct yx_rows *rows, int i, const char *col)
{
    char at[32];
    if (yx_rows_null(rows, i, col))
        return;
    yx_time_format(yx_rows_i64(rows, i, col), at);
    json_object_set_new(o, key, json_string(at));
}

static json_t *id_text(int64_t id)
{
    char s[24];
    yx_snprintf(s, sizeof s, "%lld", (long long)id);
    return json_string(s);
}

/* The case's questions as notes ("Câu hỏi 1: …"), clinical text for those who read the case. */
static json_t *question_notes(struct yx_req *r, int64_t id)
{
    struct yx_rows *q = NULL;
    json_t *notes = json_array();
    if (YX_DB_Q(r->db, &q,
                "SELECT position, question FROM consult_questions WHERE consult_id = ? ORDER BY position",
                YX_PI(id)) == 0)
        for (int k = 0; k < q->nrows; k++) {
            struct yx_buf b;
            yx_buf_init(&b, 4096);
            yx_buf_printf(&b, "Câu hỏi %lld: %s", (long long)yx_rows_i64(q, k, "position"),
                          yx_rows_str(q, k, "question"));
            if (b.data)
                json_array_append_new(notes, json_pack("{s:s%}", "text", b.data, b.len));
            yx_buf_release(&b);
        }
    yx_rows_free(q);
    return notes;
}

static json_t *service_request(struct yx_req *r, const struct yx_rows *rows, int i)
{
    int64_t id = yx_rows_i64(rows, i, "id");
    const char *kind = yx_rows_str(rows, i, "kind");
    char code_text[200];
    yx_snprintf(code_text, sizeof code_text, "Hội chẩn từ xa / teleconsultation: %s",
                yx_rows_str(rows, i, "specialty_name"));
    json_t *code = concept(YX_FHIR_CS_SPECIALTY, yx_rows_str(rows, i, "specialty"),
                           yx_rows_str(rows, i, "specialty_name"));
    json_object_set_new(code, "text", json_string(code_text));
    json_t *s = json_pack(
        "{s:s,s:o,s:o,s:s,s:s,s:[o],s:s,s:o,s:o,s:o,s:[{s:s}]}", "resourceType", "ServiceRequest", "id",
        id_text(id), "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "updated_at")), "status",
        status_of(yx_rows_str(rows, i, "state"), 0), "intent", "order", "category",
        concept(YX_FHIR_CS_CONSULT_KIND, kind, kind_display(kind)), "priority",
        priority_of(yx_rows_str(rows, i, "urgency")), "code", code, "subject",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "requester",
        yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "created_by"),
                    yx_rows_str(rows, i, "created_by_name")),
        "reasonCode", "text", yx_rows_str(rows, i, "summary"));
    if (!s)
        return NULL;
    set_time(s, "authoredOn", rows, i, yx_rows_null(rows, i, "requested_at") ? "created_at" : "requested_at");
    set_time(s, "occurrenceDateTime", rows, i, "session_at");
    json_t *performers = json_array();
    if (!yx_rows_null(rows, i, "assigned_facility_id"))
        json_array_append_new(performers,
                              yx_fhir_ref("Organization", yx_rows_i64(rows, i, "assigned_facility_id"),
                                          yx_rows_str(rows, i, "assigned_name")));
    if (!yx_rows_null(rows, i, "chair_id"))
        json_array_append_new(performers, yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "chair_id"),
                                                      yx_rows_str(rows, i, "chair_name")));
    if (json_array_size(performers))
        json_object_set_new(s, "performer", performers);
    else
        json_decref(performers);
    json_t *notes = question_notes(r, id);
    if (json_array_size(notes))
        json_object_set_new(s, "note", notes);
    else
        json_decref(notes);
    return s;
}

/* The case's events as contained Provenance resources ("ev<id>"), and the references to them. */
static void history(struct yx_req *r, json_t *task, int64_t id)
{
    struct yx_rows *e = NULL;
    char target[48], at[32], local[32];
    yx_snprintf(target, sizeof target, "Task/%lld", (long long)id);
    if (YX_DB_Q(r->db, &e,
                "SELECT e.id, e.action, e.from_state, e.to_state, e.at, e.by_user, u.full_name, e.reason, "
                "ff.name AS from_name, tf.name AS to_name FROM consult_events e LEFT JOIN users u ON u.id = "
                "e.by_user LEFT JOIN facilities ff ON ff.id = e.from_facility_id LEFT JOIN facilities tf ON "
                "tf.id = e.to_facility_id WHERE e.consult_id = ? ORDER BY e.id",
                YX_PI(id)) != 0 ||
        e->nrows == 0) {
        yx_rows_free(e);
        return;
    }
    json_t *contained = json_array(), *refs = json_array();
    for (int k = 0; k < e->nrows; k++) {
        struct yx_buf what;
        yx_buf_init(&what, 2048);
        const char *from = yx_rows_str(e, k, "from_state"), *to_name = yx_rows_str(e, k, "to_name");
        yx_buf_printf(&what, "%s: %s → %s", yx_rows_str(e, k, "action"), from ? from : "—",
                      yx_rows_str(e, k, "to_state"));
        if (to_name)
            yx_buf_printf(&what, " (%s → %s)",
                          yx_rows_str(e, k, "from_name") ? yx_rows_str(e, k, "from_name") : "—", to_name);
        yx_snprintf(local, sizeof local, "ev%lld", (long long)yx_rows_i64(e, k, "id"));
        yx_time_format(yx_rows_i64(e, k, "at"), at);
        json_t *who =
            yx_rows_null(e, k, "by_user")
                ? json_pack("{s:s}", "display", "ytexa (tự động / automatic)")
                : yx_fhir_ref("Practitioner", yx_rows_i64(e, k, "by_user"), yx_rows_str(e, k, "full_name"));
        json_t *activity = concept(YX_FHIR_CS_CONSULT_ACTION, yx_rows_str(e, k, "action"), NULL);
        json_object_set_new(activity, "text", json_stringn(what.data ? what.data : "", what.len));
        yx_buf_release(&what);
        json_t *p = json_pack("{s:s,s:s,s:[{s:s}],s:s,s:o,s:[{s:o}]}", "resourceType", "Provenance", "id",
                              local, "target", "reference", target, "recorded", at, "activity", activity,
                              "agent", "who", who);
        if (p && yx_rows_str(e, k, "reason"))
            json_object_set_new(p, "reason", json_pack("[{s:s}]", "text", yx_rows_str(e, k, "reason")));
        json_array_append_new(contained, p);
        char ref[40];
        yx_snprintf(ref, sizeof ref, "#%s", local);
        json_array_append_new(refs, json_pack("{s:s}", "reference", ref));
        /* The newest routing step says why the case is where it is (a decline, an escalation). */
        const char *action = yx_rows_str(e, k, "action");
        if (strcmp(action, "declined") == 0 || strcmp(action, "escalated") == 0 ||
            strcmp(action, "reassigned") == 0 || strcmp(action, "cancelled") == 0) {
            json_t *reason = concept(YX_FHIR_CS_CONSULT_ACTION, action, NULL);
            if (yx_rows_str(e, k, "reason"))
                json_object_set_new(reason, "text", json_string(yx_rows_str(e, k, "reason")));
            json_object_set_new(task, "statusReason", reason);
        }
    }
    yx_rows_free(e);
    json_object_set_new(task, "contained", contained);
    json_object_set_new(task, "relevantHistory", refs);
}

static json_t *task(struct yx_req *r, const struct yx_rows *rows, int i)
{
    int64_t id = yx_rows_i64(rows, i, "id");
    char sr[48], state_text[64];
    const char *state = yx_rows_str(rows, i, "state");
    yx_snprintf(sr, sizeof sr, "ServiceRequest/%lld", (long long)id);
    yx_snprintf(state_text, sizeof state_text, "%s", state);
    json_t *t = json_pack(
        "{s:s,s:o,s:o,s:[{s:s}],s:s,s:o,s:s,s:s,s:{s:s},s:o,s:o}", "resourceType", "Task", "id", id_text(id),
        "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "updated_at")), "basedOn", "reference", sr,
        "status", status_of(state, 1), "businessStatus", concept(YX_FHIR_CS_CONSULT_STATE, state, NULL),
        "intent", "order", "priority", priority_of(yx_rows_str(rows, i, "urgency")), "focus", "reference", sr,
        "for",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "requester",
        yx_fhir_ref("Organization", yx_rows_i64(rows, i, "requester_facility_id"),
                    yx_rows_str(rows, i, "requester_name")));
    if (!t)
        return NULL;
    json_object_set_new(json_object_get(t, "businessStatus"), "text", json_string(state_text));
    set_time(t, "authoredOn", rows, i, "created_at");
    set_time(t, "lastModified", rows, i, "updated_at");
    if (!yx_rows_null(rows, i, "assigned_facility_id"))
        json_object_set_new(t, "owner",
                            yx_fhir_ref("Organization", yx_rows_i64(rows, i, "assigned_facility_id"),
                                        yx_rows_str(rows, i, "assigned_name")));
    /* Work on it runs from the hub's acceptance to the conclusion (or the cancellation). */
    if (!yx_rows_null(rows, i, "accepted_at")) {
        json_t *period = json_object();
        set_time(period, "start", rows, i, "accepted_at");
        set_time(period, "end", rows, i,
                 yx_rows_null(rows, i, "concluded_at") ? "closed_at" : "concluded_at");
        json_object_set_new(t, "executionPeriod", period);
    }
    history(r, t, id);
    /* What came of it: the recommendation, and the current signed minutes. */
    json_t *out = json_array();
    const char *rec = yx_rows_str(rows, i, "recommendation");
    if (rec) {
        json_t *v = concept(YX_FHIR_CS_CONSULT_RECOMMENDATION, rec, NULL);
        if (yx_rows_str(rows, i, "recommendation_note"))
            json_object_set_new(v, "text", json_string(yx_rows_str(rows, i, "recommendation_note")));
        json_array_append_new(out, json_pack("{s:{s:s},s:o}", "type", "text", "Hướng xử trí / recommendation",
                                             "valueCodeableConcept", v));
    }
    struct yx_rows *m = NULL;
    if (YX_DB_Q(r->db, &m,
                "SELECT m.id FROM consult_minutes m WHERE m.consult_id = ? AND NOT EXISTS (SELECT 1 FROM "
                "consult_minutes n WHERE n.replaces_id = m.id) ORDER BY m.version DESC LIMIT 1",
                YX_PI(id)) == 0 &&
        m->nrows == 1)
        json_array_append_new(
            out,
            json_pack("{s:{s:[{s:s,s:s}],s:s},s:o}", "type", "coding", "system", YX_FHIR_LOINC, "code",
                      "11488-4", "text", "Biên bản hội chẩn / consult note", "valueReference",
                      yx_fhir_ref("DocumentReference", yx_rows_i64(m, 0, "id") * YX_FHIR_DOC_KINDS, NULL)));
    yx_rows_free(m);
    if (json_array_size(out))
        json_object_set_new(t, "output", out);
    else
        json_decref(out);
    return t;
}

static int read_case(struct yx_req *r, yx_fhir_make make)
{
    return yx_fhir_read_one(r, yx_consult_access, CASE_FROM "WHERE c.id = ?", make);
}

/* GET /fhir/ServiceRequest/:id */
static int service_request_read(struct yx_req *r)
{
    return read_case(r, service_request);
}

/* GET /fhir/Task/:id */
static int task_read(struct yx_req *r)
{
    return read_case(r, task);
}

/* A reference value naming one of two types: the condition for each (NULL: that type matches none). */
static int two_refs(struct yx_req *r, struct yx_fhir_query *q, const char *name, const char *v,
                    const char *t1, const char *sql1, const char *t2, const char *sql2)
{
    int64_t id;
    if (yx_fhir_ref_is(v, t1))
        return (id = yx_fhir_ref_typed(v, t1)) ? yx_fhir_where(r, q, sql1, 1, YX_PI(id)) : yx_fhir_nobody(q);
    if (yx_fhir_ref_is(v, t2))
        return (id = yx_fhir_ref_typed(v, t2)) ? yx_fhir_where(r, q, sql2, 1, YX_PI(id)) : yx_fhir_nobody(q);
    return yx_fail_field(r, YX_EINVAL, name,
                         "Tham chiếu dạng %s/<id> hoặc %s/<id> / a reference is %s/<id> or %s/<id>.", t1, t2,
                         t1, t2);
}

static int take_common(struct yx_req *r, struct yx_fhir_query *q, const char *type, const char *name,
                       const char *v)
{
    static const struct yx_fhir_ref refs[] = {
        {"_id", NULL, "c.id = ?"},
        {"patient", "Patient", "c.patient_id = ?"},
        {"focus", "ServiceRequest", "c.id = ?"},
        {"based-on", "ServiceRequest", "c.id = ?"},
        {"owner", "Organization", "c.assigned_facility_id = ?"},
        {NULL, NULL, NULL},
    };
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(refs, name);
    if (ref) {
        struct yx_fhir_ref one = *ref;
        one.type = one.type ? one.type : type;
        return yx_fhir_ref_where(r, q, &one, v);
    }
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, type, v);
    return yx_fhir_instant_cond(r, q, name, v, "c.updated_at"); /* _lastUpdated */
}

/* The states whose status (column col of states[]) is v, as "c.state IN (…)"; 0 rows: none. */
static int status_cond(struct yx_req *r, struct yx_fhir_query *q, int col, const char *v,
                       const char *const *others, const char *message)
{
    char sql[256] = "c.state IN (";
    size_t n = strlen(sql);
    int found = 0;
    for (size_t i = 0; i < NSTATES; i++)
        if (strcmp(states[i][col], v) == 0) {
            if (yx_snprintf(sql + n, sizeof sql - n, "%s'%s'", found ? ", " : "", states[i][0]) != 0)
                return YX_ENOMEM;
            n = strlen(sql);
            found = 1;
        }
    if (found)
        return yx_buf_printf(&q->sql, " AND %s)", sql);
    if (yx_one_of(v, others))
        return yx_fhir_nobody(q);
    return yx_fail_field(r, YX_EINVAL, "status", "%s", message);
}

static int take_service_request(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    if (strcmp(name, "status") == 0) {
        static const char *const others[] = {"on-hold", "entered-in-error", "unknown", NULL};
        return status_cond(r, q, 1, v, others,
                           "status là draft, active, completed hoặc revoked / status is an R4 request status "
                           "(draft, active, completed, revoked …).");
    }
    if (strcmp(name, "priority") == 0) {
        for (size_t i = 0; i < 3; i++)
            if (strcmp(priorities[i][1], v) == 0)
                return yx_fhir_where(r, q, "c.urgency = ?", 1, YX_PT(priorities[i][0]));
        if (strcmp(v, "asap") == 0)
            return yx_fhir_nobody(q);
        return yx_fail_field(
            r, YX_EINVAL, name,
            "priority là routine, urgent, asap hoặc stat / priority is routine, urgent, asap or stat.");
    }
    if (strcmp(name, "requester") == 0)
        return two_refs(r, q, name, v, "Practitioner", "c.created_by = ?", "Organization",
                        "c.requester_facility_id = ?");
    if (strcmp(name, "performer") == 0)
        return two_refs(r, q, name, v, "Organization", "c.assigned_facility_id = ?", "Practitioner",
                        "c.chair_id = ?");
    if (strcmp(name, "authored") == 0)
        return yx_fhir_instant_cond(r, q, name, v, AUTHORED);
    return take_common(r, q, "ServiceRequest", name, v);
}

static int take_task(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    if (strcmp(name, "status") == 0) {
        static const char *const others[] = {"received",         "ready", "rejected", "on-hold", "failed",
                                             "entered-in-error", NULL};
        return status_cond(
            r, q, 2, v, others,
            "status là một trạng thái Task của R4 (requested, accepted, in-progress …) / status "
            "is an R4 Task status (requested, accepted, in-progress …).");
    }
    return take_common(r, q, "Task", name, v);
}

static int search(struct yx_req *r, const char *type, const struct yx_fhir_param *params,
                  int (*take)(struct yx_req *, const char *, const char *, void *), yx_fhir_make make)
{
    int rc;
    /* Clinicians of a facility work with cases, as the REST case list says. */
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_consult_clinician(r)) != 0)
        return rc;
    struct yx_param p[4] = {YX_PI(r->who.facility_id), YX_PI(r->who.facility_id), YX_PI(r->who.user_id),
                            YX_PI(r->who.facility_id)};
    return yx_fhir_search(r, type, params, take, CASE_FROM "WHERE " YX_CONSULT_SEEN_BY, p, 4, "c.id", make);
}

/* GET /fhir/ServiceRequest */
static int service_request_search(struct yx_req *r)
{
    return search(r, "ServiceRequest", yx_fhir_service_request_params, take_service_request, service_request);
}

/* GET /fhir/Task */
static int task_search(struct yx_req *r)
{
    return search(r, "Task", yx_fhir_task_params, take_task, task);
}

const struct yx_route yx_fhir_consult_routes[] = {
    {"GET", "/fhir/ServiceRequest/:id", service_request_read, 0, "consult.read", "consult", YX_CLINICIANS,
     NULL},
    {"GET", "/fhir/ServiceRequest", service_request_search, 0, "consult.list", "consult", YX_CLINICIANS,
     NULL},
    {"GET", "/fhir/Task/:id", task_read, 0, "consult.read", "consult", YX_CLINICIANS, NULL},
    {"GET", "/fhir/Task", task_search, 0, "consult.list", "consult", YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
