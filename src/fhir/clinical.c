/* What the clinical resources' searches share (Practitioner, Encounter, Observation, Condition,
 * MedicationRequest): their conditions, reference and token values, dates on instants, the run of
 * a search over the one cursor and Bundle of search.c, and the visits a clinician's search covers.
 * The parameters themselves are read by yx_fhir_search_parse(), the one parser. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/auth.h"
#include "ytexa/patient.h"

void yx_fhir_query_init(struct yx_fhir_query *q)
{
    yx_buf_init(&q->sql, 16 * 1024);
    q->n = 0;
    q->include_patient = 0;
}

int yx_fhir_take_include(struct yx_req *r, struct yx_fhir_query *q, const char *type, const char *v)
{
    size_t n = strlen(type);
    if (strncmp(v, type, n) == 0 &&
        (strcmp(v + n, ":patient") == 0 || strcmp(v + n, ":patient:Patient") == 0)) {
        q->include_patient = 1;
        return 0;
    }
    return yx_fail_field(r, YX_EINVAL, "_include",
                         "Chỉ hỗ trợ _include=%s:patient / only _include=%s:patient is supported here.", type,
                         type);
}

int yx_fhir_where(struct yx_req *r, struct yx_fhir_query *q, const char *sql, int np, ...)
{
    if (q->n + np > (int)(sizeof q->p / sizeof q->p[0]))
        return yx_fail(r, YX_EINVAL, "Quá nhiều điều kiện / too many search conditions.");
    va_list ap;
    va_start(ap, np);
    for (int i = 0; i < np; i++)
        q->p[q->n++] = va_arg(ap, struct yx_param);
    va_end(ap);
    return yx_buf_printf(&q->sql, " AND %s", sql);
}

int yx_fhir_nobody(struct yx_fhir_query *q)
{
    return yx_buf_puts(&q->sql, " AND 1 = 0");
}

int yx_fhir_ref_is(const char *v, const char *type)
{
    size_t n = strlen(type);
    return v && strncmp(v, type, n) == 0 && v[n] == '/';
}

int64_t yx_fhir_ref_typed(const char *v, const char *type)
{
    return yx_fhir_ref_is(v, type) ? yx_fhir_ref_id(v, type) : 0;
}

int64_t yx_fhir_ref_id(const char *v, const char *type)
{
    if (yx_fhir_ref_is(v, type))
        v += strlen(type) + 1;
    if (!*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
        return 0;
    return strtoll(v, NULL, 10);
}

const struct yx_fhir_ref *yx_fhir_ref_of(const struct yx_fhir_ref *refs, const char *name)
{
    for (; refs->name; refs++)
        if (strcmp(refs->name, name) == 0)
            return refs;
    return NULL;
}

int yx_fhir_ref_where(struct yx_req *r, struct yx_fhir_query *q, const struct yx_fhir_ref *ref, const char *v)
{
    int64_t id = yx_fhir_ref_id(v, ref->type);
    return id ? yx_fhir_where(r, q, ref->sql, 1, YX_PI(id)) : yx_fhir_nobody(q);
}

const char *yx_fhir_token(struct yx_req *r, const char *v, const char *system)
{
    const char *bar = strchr(v, '|');
    if (!bar)
        return yx_arena_strdup(&r->arena, v);
    if (bar != v && ((size_t)(bar - v) != strlen(system) || strncmp(v, system, strlen(system)) != 0))
        return NULL;
    return yx_arena_strdup(&r->arena, bar + 1);
}

#define VN_OFFSET_MS (7 * 3600 * 1000LL)

int yx_fhir_instant_cond(struct yx_req *r, struct yx_fhir_query *q, const char *name, const char *v,
                         const char *column)
{
    char prefix[3], lo[11], hi[11], sql[1024]; /* a column may be an expression (Appointment's) */
    int rc = yx_fhir_date_range(r, name, v, prefix, lo, hi);
    if (rc)
        return rc;
    /* The range [from, to) in ms: from the first day's midnight in Vietnam to the midnight after
     * the range (a year, a month or a day as the value names it). */
    size_t n = strlen(v[0] >= 'a' && v[0] <= 'z' ? v + 2 : v); /* yx_fhir_date_range read the prefix */
    int y = atoi(lo), m = atoi(lo + 5), d = atoi(lo + 8);
    int64_t from = yx_days_from_civil(y, m, d) * 86400000LL - VN_OFFSET_MS, to;
    if (n == 4)
        to = yx_days_from_civil(y + 1, 1, 1);
    else if (n == 7)
        to = m == 12 ? yx_days_from_civil(y + 1, 1, 1) : yx_days_from_civil(y, m + 1, 1);
    else
        to = yx_days_from_civil(y, m, d) + 1;
    to = to * 86400000LL - VN_OFFSET_MS;
    (void)hi;
    if (strcmp(prefix, "eq") == 0 || strcmp(prefix, "ne") == 0) {
        if (yx_snprintf(sql, sizeof sql, "%s(%s >= ? AND %s < ?)", prefix[0] == 'n' ? "NOT " : "", column,
                        column) != 0)
            return YX_ENOMEM;
        return yx_fhir_where(r, q, sql, 2, YX_PI(from), YX_PI(to));
    }
    /* gt: after the range; lt: before it; ge: from its start; le: up to its end. */
    const char *op = strcmp(prefix, "gt") == 0 || strcmp(prefix, "ge") == 0 ? ">=" : "<";
    int64_t at = strcmp(prefix, "gt") == 0 || strcmp(prefix, "le") == 0 ? to : from;
    if (yx_snprintf(sql, sizeof sql, "%s %s ?", column, op) != 0)
        return YX_ENOMEM;
    return yx_fhir_where(r, q, sql, 1, YX_PI(at));
}

void yx_fhir_visit_scope_params(const struct yx_req *r, struct yx_param p[3])
{
    p[0] = YX_PI(r->who.facility_id);
    p[1] = YX_PI(r->who.user_id);
    p[2] = YX_PI(r->who.facility_id);
}

int yx_fhir_visit_select(struct yx_req *r, const char *from, const char **select, struct yx_param p[3],
                         int *np)
{
    struct yx_scope s;
    const char *where = YX_FHIR_VISIT_SCOPE;
    int rc;
    *np = 0;
    if (yx_scope(&r->who, YX_RES_VISIT, &s) == 0 && s.kind == YX_SCOPE_SYSTEM) {
        /* A system reads a visit's record where it reads the patient (yx_visit_access() asks the
         * patient's facility), so its searches filter on the patient's facility and province. */
        where = yx_scope_places_sql(
            r, "pa.facility_id", "(SELECT pf.province_id FROM facilities pf WHERE pf.id = pa.facility_id)");
        if (!where)
            return YX_ENOMEM;
    } else if ((rc = yx_patient_registry_role(r)) != 0) {
        return rc;
    } else {
        yx_fhir_visit_scope_params(r, p);
        *np = 3;
    }
    size_t n = strlen(from) + strlen(where) + 16;
    char *sql = yx_arena_alloc(&r->arena, n);
    if (!sql || yx_snprintf(sql, n, "%sWHERE %s", from, where) != 0)
        return YX_ENOMEM;
    *select = sql;
    return 0;
}

int yx_fhir_run_search(struct yx_req *r, const char *type, struct yx_fhir_search *s, struct yx_fhir_query *q,
                       const char *select, const struct yx_param *scope, int nscope, const char *key,
                       yx_fhir_make make)
{
    struct yx_rows *rows = NULL;
    struct yx_param p[64];
    int n = 0, rc = 0;
    size_t cap = strlen(select) + q->sql.len + 256;
    char *sql = yx_arena_alloc(&r->arena, cap);
    for (int i = 0; i < nscope; i++)
        p[n++] = scope[i];
    p[n++] = YX_PI(s->after);
    for (int i = 0; i < q->n; i++)
        p[n++] = q->p[i];
    p[n++] = YX_PI(s->count + 1);
    if (!sql || yx_snprintf(sql, cap, "%s AND %s > ?%.*s ORDER BY %s LIMIT ?", select, key, (int)q->sql.len,
                            q->sql.data ? q->sql.data : "", key) != 0)
        rc = YX_ENOMEM;
    yx_buf_release(&q->sql);
    if (rc == 0)
        rc = yx_db_exec(r->db, sql, p, n, &rows);
    if (rc) {
        yx_buf_release(&s->link);
        return rc;
    }
    json_t *entries = json_array();
    int64_t last = 0, patients[128];
    int np = 0;
    for (int i = 0; i < rows->nrows && i < s->count; i++) {
        last = yx_rows_i64(rows, i, "id");
        json_array_append_new(entries, yx_fhir_entry(r, type, last, make(r, rows, i)));
        if (q->include_patient && np < (int)(sizeof patients / sizeof patients[0]))
            patients[np++] = yx_rows_i64(rows, i, "patient_id");
    }
    int more = rows->nrows > s->count;
    yx_rows_free(rows);
    if (np && (rc = yx_fhir_include_patients(r, entries, patients, np)) != 0) {
        json_decref(entries);
        yx_buf_release(&s->link);
        return rc;
    }
    return yx_fhir_reply_bundle(r, type, s, entries, more, last);
}

int yx_fhir_read_one(struct yx_req *r, int (*access)(struct yx_req *r, int64_t id), const char *select,
                     yx_fhir_make make)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (access && (rc = access(r, id)) != 0) || (rc = YX_DB_Q(r->db, &rows, select, YX_PI(id))) != 0)
        return rc;
    int found = rows->nrows == 1;
    json_t *o = found ? make(r, rows, 0) : NULL;
    yx_rows_free(rows);
    if (!found)
        return yx_not_found(r);
    return o ? yx_reply(r, 200, o) : YX_ENOMEM;
}

int yx_fhir_search(struct yx_req *r, const char *type, const struct yx_fhir_param *params,
                   int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx),
                   const char *select, const struct yx_param *scope, int nscope, const char *key,
                   yx_fhir_make make)
{
    struct yx_fhir_query q;
    struct yx_fhir_search s;
    yx_fhir_query_init(&q);
    int rc = yx_fhir_search_parse(r, params, &s, take, &q);
    if (rc != 0) {
        yx_buf_release(&q.sql);
        return rc;
    }
    return yx_fhir_run_search(r, type, &s, &q, select, scope, nscope, key, make);
}

json_t *yx_fhir_ref(const char *type, int64_t id, const char *display)
{
    char ref[64];
    yx_snprintf(ref, sizeof ref, "%s/%lld", type, (long long)id);
    json_t *o = json_pack("{s:s}", "reference", ref);
    if (display && *display)
        json_object_set_new(o, "display", json_string(display));
    return o;
}

json_t *yx_fhir_meta_updated(int64_t updated_ms)
{
    char at[32];
    yx_time_format(updated_ms, at);
    return json_pack("{s:s}", "lastUpdated", at);
}

int yx_fhir_validate_at(struct yx_req *r, const json_t *o, const struct yx_field *fields, const char *path)
{
    if (!json_is_object(o))
        return yx_fail_field(r, YX_EINVAL, path, "%s phải là một đối tượng / %s must be an object.", path,
                             path);
    int rc = yx_validate(r, o, fields);
    if (rc && r->err_field) {
        size_t n = strlen(path) + strlen(r->err_field) + 2;
        char *f = yx_arena_alloc(&r->arena, n);
        if (f && yx_snprintf(f, n, "%s.%s", path, r->err_field) == 0)
            r->err_field = f;
    }
    return rc;
}

static const struct yx_field reference_fields[] = {
    {"reference", YX_F_STRING, 1, 1, 256},
    {"display", YX_F_STRING, 0, 0, 400},
    {NULL, 0, 0, 0, 0},
};

int yx_fhir_ref_in(struct yx_req *r, const json_t *ref, const char *type, const char *path, int64_t *id)
{
    int rc = yx_fhir_validate_at(r, ref, reference_fields, path);
    if (rc)
        return rc;
    *id = yx_fhir_ref_typed(yx_json_str(ref, "reference"), type);
    if (*id <= 0)
        return yx_fail_field(r, YX_EINVAL, path, "%s là tham chiếu %s/<id> / %s must reference %s/<id>.",
                             path, type, path, type);
    return 0;
}

static const struct yx_field coding_fields[] = {
    {"system", YX_F_STRING, 1, 1, 256},
    {"code", YX_F_STRING, 1, 1, 64},
    {"display", YX_F_STRING, 0, 0, 400},
    {NULL, 0, 0, 0, 0},
};
static const struct yx_field concept_fields[] = {
    {"coding", YX_F_ARRAY, 1, 0, 0},
    {"text", YX_F_STRING, 0, 0, 400},
    {NULL, 0, 0, 0, 0},
};

const char *yx_fhir_code_in(struct yx_req *r, const json_t *concept, const char *system, const char *path,
                            int *rc)
{
    if ((*rc = yx_fhir_validate_at(r, concept, concept_fields, path)) != 0)
        return NULL;
    const json_t *codings = json_object_get(concept, "coding");
    size_t n = strlen(path) + 16;
    char *at = yx_arena_alloc(&r->arena, n);
    if (!at || yx_snprintf(at, n, "%s.coding", path) != 0) {
        *rc = YX_ENOMEM;
        return NULL;
    }
    if (json_array_size(codings) != 1) {
        *rc = yx_fail_field(r, YX_EINVAL, at,
                            "%s có đúng một mã (hệ %s) / %s takes exactly one coding (system %s).", at,
                            system, at, system);
        return NULL;
    }
    const json_t *c = json_array_get(codings, 0);
    if ((*rc = yx_fhir_validate_at(r, c, coding_fields, at)) != 0)
        return NULL;
    if (strcmp(yx_json_str(c, "system"), system) != 0) {
        *rc = yx_fail_field(r, YX_EINVAL, at, "%s.system phải là %s / %s.system must be %s.", at, system, at,
                            system);
        return NULL;
    }
    return yx_json_str(c, "code");
}
