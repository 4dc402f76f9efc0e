/* FHIR Practitioner and PractitionerRole (docs/fhir.md, "Practitioner"): the accounts that give
 * care — health workers, doctors, specialists — read and searched under the REST users routes'
 * rule (yx_authorize_account(): one's own account, a colleague of one's facility, an
 * administrator's scope). Another account, or one that gives no care (an administrator, a
 * trainer, a patient), is the same 404 as an absent one. A PractitionerRole has the id of its
 * Practitioner: ytexa holds one role and one facility an account. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/auth.h"

#define CARE_ROLES "('health_worker', 'doctor', 'specialist')"
#define SELECT                                                                                               \
    "SELECT u.id, u.full_name, u.role, u.licence_no, u.scope_of_practice, u.practice_scope, u.phone, "       \
    "u.email, u.active, u.updated_at, u.facility_id, f.name AS facility_name, f.province_id FROM users u "   \
    "LEFT JOIN facilities f ON f.id = u.facility_id WHERE u.role IN " CARE_ROLES " "

const struct yx_fhir_param yx_fhir_practitioner_params[] = {
    {"_id", "token", "The account's id."},
    {"identifier", "token", "The practising licence number (system " YX_FHIR_SID_LICENCE ")."},
    {"name", "string", "Any word of the name from its start, diacritics and case ignored."},
    {NULL, NULL, NULL},
};

const struct yx_fhir_param yx_fhir_practitioner_role_params[] = {
    {"_id", "token", "The account's id (a PractitionerRole has its Practitioner's id)."},
    {"practitioner", "reference", "Practitioner/<id>."},
    {"organization", "reference", "Organization/<id>: the facility the account works at."},
    {"specialty", "token", "A specialty code of the scope of practice (system " YX_FHIR_CS_SPECIALTY ")."},
    {NULL, NULL, NULL},
};

static const char *role_display(const char *role)
{
    return strcmp(role, "doctor") == 0       ? "Bác sĩ"
           : strcmp(role, "specialist") == 0 ? "Bác sĩ chuyên khoa"
                                             : "Nhân viên y tế";
}

static json_t *licence_identifier(const char *licence)
{
    return json_pack("{s:s,s:s,s:s}", "use", "official", "system", YX_FHIR_SID_LICENCE, "value", licence);
}

static json_t *practitioner(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24];
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    json_t *p = json_pack("{s:s,s:s,s:o,s:b,s:[o]}", "resourceType", "Practitioner", "id", id, "meta",
                          yx_fhir_meta_updated(yx_rows_i64(rows, i, "updated_at")), "active",
                          (int)yx_rows_i64(rows, i, "active"), "name",
                          yx_fhir_human_name(yx_rows_str(rows, i, "full_name")));
    const char *licence = yx_rows_str(rows, i, "licence_no"),
               *scope = yx_rows_str(rows, i, "scope_of_practice");
    if (licence && *licence)
        json_object_set_new(p, "identifier", json_pack("[o]", licence_identifier(licence)));
    json_t *telecom = json_array();
    const char *phone = yx_rows_str(rows, i, "phone"), *email = yx_rows_str(rows, i, "email");
    if (phone && *phone)
        json_array_append_new(telecom,
                              json_pack("{s:s,s:s,s:s}", "system", "phone", "value", phone, "use", "work"));
    if (email && *email)
        json_array_append_new(telecom,
                              json_pack("{s:s,s:s,s:s}", "system", "email", "value", email, "use", "work"));
    if (json_array_size(telecom))
        json_object_set_new(p, "telecom", telecom);
    else
        json_decref(telecom);
    /* The practising licence (Law 15/2023/QH15) as the qualification: its number, and the wording
     * of its scope of practice as the licence says it. */
    if ((licence && *licence) || (scope && *scope)) {
        json_t *q = json_pack("{s:{s:s}}", "code", "text",
                              scope && *scope ? scope : "Giấy phép hành nghề / practising licence");
        if (licence && *licence)
            json_object_set_new(q, "identifier", json_pack("[o]", licence_identifier(licence)));
        json_object_set_new(p, "qualification", json_pack("[o]", q));
    }
    return p;
}

static json_t *practitioner_role(struct yx_req *r, const struct yx_rows *rows, int i)
{
    char id[24];
    int64_t uid = yx_rows_i64(rows, i, "id");
    yx_snprintf(id, sizeof id, "%lld", (long long)uid);
    const char *role = yx_rows_str(rows, i, "role");
    json_t *p = json_pack(
        "{s:s,s:s,s:o,s:b,s:o,s:[{s:[{s:s,s:s,s:s}],s:s}]}", "resourceType", "PractitionerRole", "id", id,
        "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "updated_at")), "active",
        (int)yx_rows_i64(rows, i, "active"), "practitioner",
        yx_fhir_ref("Practitioner", uid, yx_rows_str(rows, i, "full_name")), "code", "coding", "system",
        YX_FHIR_CS_ROLE, "code", role, "display", role_display(role), "text", role_display(role));
    if (!yx_rows_null(rows, i, "facility_id"))
        json_object_set_new(p, "organization",
                            yx_fhir_ref("Organization", yx_rows_i64(rows, i, "facility_id"),
                                        yx_rows_str(rows, i, "facility_name")));
    /* The specialties of the scope of practice, with their names: one query an answer. */
    const char *codes = yx_rows_str(rows, i, "practice_scope");
    struct yx_rows *sp = NULL;
    if (codes && *codes && YX_DB_Q(r->db, &sp, "SELECT code, name_vi FROM specialties ORDER BY code") == 0) {
        json_t *specialty = json_array();
        for (int k = 0; k < sp->nrows; k++) {
            const char *c = yx_rows_str(sp, k, "code");
            size_t n = strlen(c);
            for (const char *w = codes; *w; w += strspn(w, " ")) {
                size_t m = strcspn(w, " ");
                if (m == n && strncmp(w, c, n) == 0)
                    json_array_append_new(specialty, json_pack("{s:[{s:s,s:s,s:s}],s:s}", "coding", "system",
                                                               YX_FHIR_CS_SPECIALTY, "code", c, "display",
                                                               yx_rows_str(sp, k, "name_vi"), "text",
                                                               yx_rows_str(sp, k, "name_vi")));
                w += m;
            }
        }
        if (json_array_size(specialty))
            json_object_set_new(p, "specialty", specialty);
        else
            json_decref(specialty);
    }
    yx_rows_free(sp);
    return p;
}

/* Reads account id if it gives care and the caller may read it (the REST users rule). */
static int load(struct yx_req *r, int64_t id, yx_fhir_make make, json_t **out)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, SELECT "AND u.id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0) {
        struct yx_account a = {id, yx_rows_str(rows, 0, "role"), yx_rows_i64(rows, 0, "facility_id"),
                               yx_rows_i64(rows, 0, "province_id")};
        if ((rc = yx_authorize_account(&r->who, YX_A_READ, &a)) != 0)
            rc = rc == YX_ENOMEM ? rc : yx_not_found(r);
    }
    if (rc == 0)
        rc = (*out = make(r, rows, 0)) ? 0 : YX_ENOMEM;
    yx_rows_free(rows);
    return rc;
}

static int read_as(struct yx_req *r, const char *type, yx_fhir_make make)
{
    int64_t id;
    json_t *o = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = load(r, id, make, &o)) != 0)
        return rc;
    (void)type;
    return yx_reply(r, 200, o);
}

/* GET /fhir/Practitioner/:id */
static int practitioner_read(struct yx_req *r)
{
    return read_as(r, "Practitioner", practitioner);
}

/* GET /fhir/PractitionerRole/:id */
static int practitioner_role_read(struct yx_req *r)
{
    return read_as(r, "PractitionerRole", practitioner_role);
}

/* A LIKE pattern pre + v + post in the arena (v holds no wildcard: the caller checked). */
static const char *pattern(struct yx_req *r, const char *pre, const char *v, const char *post)
{
    size_t n = strlen(pre) + strlen(v) + strlen(post) + 1;
    char *out = yx_arena_alloc(&r->arena, n);
    if (out && yx_snprintf(out, n, "%s%s%s", pre, v, post) != 0)
        out = NULL;
    return out;
}

static int take(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    /* A PractitionerRole is its practitioner's: the same id. */
    static const struct yx_fhir_ref refs[] = {
        {"_id", "Practitioner", "u.id = ?"},
        {"practitioner", "Practitioner", "u.id = ?"},
        {"organization", "Organization", "u.facility_id = ?"},
        {NULL, NULL, NULL},
    };
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "identifier") == 0) {
        const char *val = yx_fhir_token(r, v, YX_FHIR_SID_LICENCE);
        return val && *val ? yx_fhir_where(r, q, "u.licence_no = ?", 1, YX_PT(val)) : yx_fhir_nobody(q);
    }
    if (strcmp(name, "specialty") == 0) {
        const char *val = yx_fhir_token(r, v, YX_FHIR_CS_SPECIALTY);
        if (!val || !*val || strchr(val, ' ') || strchr(val, '%') || strchr(val, '_'))
            return yx_fhir_nobody(q);
        /* practice_scope is the codes space-separated: the code as a whole word of it. */
        return yx_fhir_where(r, q, "(' ' || u.practice_scope || ' ') LIKE ?", 1,
                             YX_PT(pattern(r, "% ", val, " %")));
    }
    /* name: a word of the name from its start, folded as the app folds. */
    char *f = yx_fold(v, strlen(v));
    const char *folded = f && *f ? yx_arena_strdup(&r->arena, f) : NULL;
    free(f);
    if (!folded || strchr(folded, '%') || strchr(folded, '_'))
        return yx_fail_field(r, YX_EINVAL, name, "Nhập ít nhất một chữ / type at least one letter.");
    return yx_fhir_where(r, q, "((' ' || u.full_name_folded) LIKE ?)", 1,
                         YX_PT(pattern(r, "% ", folded, "%")));
}

/* The accounts a search covers: the REST user list's scope (yx_scope, YX_RES_USER). */
static int search_as(struct yx_req *r, const char *type, const struct yx_fhir_param *params,
                     yx_fhir_make make)
{
    struct yx_scope sc;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    if ((rc = yx_scope(&r->who, YX_RES_USER, &sc)) != 0)
        return yx_deny(r, rc);
    const char *select = sc.kind == YX_SCOPE_PROVINCE   ? SELECT "AND f.province_id = ?"
                         : sc.kind == YX_SCOPE_FACILITY ? SELECT "AND u.facility_id = ?"
                                                        : SELECT "AND ? = 0";
    struct yx_param scope[1] = {
        YX_PI(sc.kind == YX_SCOPE_PROVINCE || sc.kind == YX_SCOPE_FACILITY ? sc.id : 0)};
    return yx_fhir_search(r, type, params, take, select, scope, 1, "u.id", make);
}

/* GET /fhir/Practitioner */
static int practitioner_search(struct yx_req *r)
{
    return search_as(r, "Practitioner", yx_fhir_practitioner_params, practitioner);
}

/* GET /fhir/PractitionerRole */
static int practitioner_role_search(struct yx_req *r)
{
    return search_as(r, "PractitionerRole", yx_fhir_practitioner_role_params, practitioner_role);
}

const struct yx_route yx_fhir_practitioner_routes[] = {
    {"GET", "/fhir/Practitioner/:id", practitioner_read, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/fhir/Practitioner", practitioner_search, 0, NULL, NULL, YX_STAFF, NULL},
    {"GET", "/fhir/PractitionerRole/:id", practitioner_role_read, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/fhir/PractitionerRole", practitioner_role_search, 0, NULL, NULL, YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
