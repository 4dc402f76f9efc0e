/* Registered systems (SMART Backend Services, docs/fhir.md "Access for systems"): the ministry
 * administrator registers, lists, revokes a system and replaces its keys; a system's access token
 * becomes the request's principal, a principal of its own kind whose scope is the places it is
 * registered for and whose routes are the FHIR interactions its granted scopes name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smart.h"
#include "ytexa/auth.h"

#define MAX_PLACES 100
#define MAX_KEYS 10

/* ---- Scopes ---------------------------------------------------------------------------------- */

static int type_ok(const char *t, size_t n)
{
    if (n == 1 && t[0] == '*')
        return 1;
    if (n < 2 || n >= sizeof((struct yx_smart_scope *)0)->type || t[0] < 'A' || t[0] > 'Z')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')))
            return 0;
    return 1;
}

static int perms_of(const char *p, size_t n, unsigned *perms)
{
    if (n == 4 && memcmp(p, "read", 4) == 0) /* SMART v1 */
        return *perms = YX_SCOPE_R | YX_SCOPE_S, 0;
    if (n == 2 && memcmp(p, "rs", 2) == 0)
        return *perms = YX_SCOPE_R | YX_SCOPE_S, 0;
    if (n == 1 && (p[0] == 'r' || p[0] == 's'))
        return *perms = p[0] == 'r' ? YX_SCOPE_R : YX_SCOPE_S, 0;
    return YX_EINVAL;
}

int yx_smart_scopes_parse(const char *text, struct yx_smart_scope *out, int *n, const char **why)
{
    *n = 0;
    if (!text || strlen(text) > YX_SCOPE_TEXT_MAX)
        return *why = "at most 1024 characters of scopes", YX_EINVAL;
    for (const char *p = text + strspn(text, " "); *p; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        const char *dot = memchr(p, '.', len);
        if (*n == YX_SCOPES_MAX)
            return *why = "at most 32 scopes", YX_EINVAL;
        if (len < 8 || memcmp(p, "system/", 7) != 0 || !dot || !type_ok(p + 7, (size_t)(dot - p - 7)))
            return *why = "a scope is system/<Type>.rs (SMART v2) or system/<Type>.read (v1)", YX_EINVAL;
        if (perms_of(dot + 1, (size_t)(p + len - dot - 1), &out[*n].perms) != 0)
            return *why = "systems read and search only: .rs, .r, .s or .read", YX_EINVAL;
        snprintf(out[*n].type, sizeof out[*n].type, "%.*s", (int)(dot - p - 7), p + 7);
        (*n)++;
        p += len;
    }
    return *n ? 0 : (*why = "name at least one scope", YX_EINVAL);
}

int yx_smart_scopes_allow(const struct yx_smart_scope *have, int n, const char *type, unsigned perms)
{
    for (int i = 0; i < n; i++)
        if ((strcmp(have[i].type, "*") == 0 || strcmp(have[i].type, type) == 0) &&
            (have[i].perms & perms) == perms)
            return 1;
    return 0;
}

int yx_smart_scopes_text(const struct yx_smart_scope *s, int n, char *out, size_t size)
{
    size_t at = 0;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        const char *p = s[i].perms == (YX_SCOPE_R | YX_SCOPE_S) ? "rs" : s[i].perms == YX_SCOPE_R ? "r" : "s";
        int w = snprintf(out + at, size - at, "%ssystem/%s.%s", i ? " " : "", s[i].type, p);
        if (w < 0 || (size_t)w >= size - at)
            return YX_ETOOBIG;
        at += (size_t)w;
    }
    return 0;
}

/* ---- Keys ------------------------------------------------------------------------------------ */

int yx_jwks_check(struct yx_req *r, const json_t *jwks, const char *field)
{
    json_t *keys = json_object_get(jwks, "keys"), *k;
    size_t i, j;
    if (!json_is_array(keys) || json_array_size(keys) < 1 || json_array_size(keys) > MAX_KEYS)
        return yx_fail_field(r, YX_EINVAL, field,
                             "Cần 1–10 khoá công khai / a JWKS is {\"keys\": [1 to 10 public keys]}.");
    json_array_foreach(keys, i, k)
    {
        const char *kid = json_string_value(json_object_get(k, "kid")), *why = NULL;
        EVP_PKEY *key = NULL;
        if (!kid || !*kid || strlen(kid) > 128)
            return yx_fail_field(r, YX_EINVAL, field,
                                 "Mỗi khoá cần kid / every key needs a kid of 1 to 128 characters.");
        for (j = 0; j < i; j++)
            if (strcmp(kid, json_string_value(json_object_get(json_array_get(keys, j), "kid"))) == 0)
                return yx_fail_field(r, YX_EINVAL, field,
                                     "Hai khoá trùng kid \"%s\" / two keys have the kid \"%s\".", kid, kid);
        if (yx_jwk_key(k, &why, &key) != 0)
            return yx_fail_field(r, YX_EINVAL, field, "Khoá \"%s\" không hợp lệ: %s / key \"%s\": %s.", kid,
                                 why, kid, why);
        EVP_PKEY_free(key);
    }
    return 0;
}

/* ---- Registration routes --------------------------------------------------------------------- */

static int client_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* The ids of a JSON array field, each a row of table (facilities; admin_units of level province),
 * written back as compact JSON in the arena. */
static int place_ids(struct yx_req *r, const char *field, const char *sql, char **text, size_t *count)
{
    json_t *a = json_object_get(r->json, field), *v;
    size_t i;
    *count = 0;
    *text = "[]";
    if (!a || json_is_null(a))
        return 0;
    if (json_array_size(a) > MAX_PLACES)
        return yx_fail_field(r, YX_EINVAL, field, "Tối đa 100 nơi / at most 100 places.");
    json_array_foreach(a, i, v)
    {
        struct yx_rows *rows = NULL;
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return yx_fail_field(r, YX_EINVAL, field, "Danh sách mã số / a list of ids.");
        int rc = YX_DB_Q(r->db, &rows, sql, YX_PI(json_integer_value(v)));
        int found = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        if (rc)
            return rc;
        if (!found)
            return yx_fail_field(r, YX_EINVAL, field, "Không có nơi %lld / there is no place %lld here.",
                                 (long long)json_integer_value(v), (long long)json_integer_value(v));
    }
    char *s = json_dumps(a, JSON_COMPACT);
    *text = s ? yx_arena_strdup(&r->arena, s) : NULL;
    free(s);
    *count = json_array_size(a);
    return *text ? 0 : YX_ENOMEM;
}

static const struct yx_field system_fields[] = {
    {"client_id", YX_F_STRING, 1, 3, 64},
    {"name", YX_F_STRING, 1, 1, 200},
    {"facility_ids", YX_F_ARRAY, 0, 0, 0},
    {"province_ids", YX_F_ARRAY, 0, 0, 0},
    {"scopes", YX_F_STRING, 1, 1, 1024},
    {"jwks", YX_F_OBJECT, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};
static const struct yx_field keys_fields[] = {{"jwks", YX_F_OBJECT, 1, 0, 0}, {NULL, 0, 0, 0, 0}};

#define SYSTEM_COLUMNS                                                                                       \
    "id, client_id, name, facility_ids, province_ids, scopes, jwks, revoked_at, created_at, updated_at"

static json_t *system_json(const struct yx_rows *rows, int i)
{
    json_t *fac = json_loads(yx_rows_str(rows, i, "facility_ids"), 0, NULL);
    json_t *prov = json_loads(yx_rows_str(rows, i, "province_ids"), 0, NULL);
    json_t *jwks = json_loads(yx_rows_str(rows, i, "jwks"), 0, NULL);
    char created[32];
    yx_time_format(yx_rows_i64(rows, i, "created_at"), created);
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:b,s:o,s:s}", "id",
                     (json_int_t)yx_rows_i64(rows, i, "id"), "client_id", yx_rows_str(rows, i, "client_id"),
                     "name", yx_rows_str(rows, i, "name"), "facility_ids", fac ? fac : json_array(),
                     "province_ids", prov ? prov : json_array(), "scopes", yx_rows_str(rows, i, "scopes"),
                     "jwks", jwks ? jwks : json_object(), "revoked", !yx_rows_null(rows, i, "revoked_at"),
                     "revoked_at", yx_json_time_or_null(rows, i, "revoked_at"), "created_at", created);
}

static int system_reply(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT " SYSTEM_COLUMNS " FROM systems WHERE id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0)
        rc = yx_reply(r, status, system_json(rows, 0));
    yx_rows_free(rows);
    return rc;
}

/* POST /api/v1/systems */
static int system_create(struct yx_req *r)
{
    struct yx_smart_scope scopes[YX_SCOPES_MAX];
    struct yx_rows *rows = NULL;
    char *fac, *prov, canonical[YX_SCOPE_TEXT_MAX + 64];
    size_t nfac, nprov;
    const char *why = NULL;
    int n, rc;
    if ((rc = yx_body(r, system_fields)) != 0)
        return rc;
    const char *client_id = yx_json_str(r->json, "client_id");
    r->audit_resource_id = client_id;
    if (!client_id_ok(client_id))
        return yx_fail_field(r, YX_EINVAL, "client_id",
                             "client_id: a-z, 0-9, '.', '-', '_', 3 đến 64 ký tự / 3 to 64 characters.");
    if (yx_smart_scopes_parse(yx_json_str(r->json, "scopes"), scopes, &n, &why) != 0)
        return yx_fail_field(r, YX_EINVAL, "scopes", "Phạm vi không hợp lệ: %s / scopes: %s.", why, why);
    if ((rc = yx_smart_scopes_text(scopes, n, canonical, sizeof canonical)) != 0 ||
        (rc = yx_jwks_check(r, json_object_get(r->json, "jwks"), "jwks")) != 0 ||
        (rc = place_ids(r, "facility_ids", "SELECT 1 FROM facilities WHERE id = ?", &fac, &nfac)) != 0 ||
        (rc = place_ids(r, "province_ids", "SELECT 1 FROM admin_units WHERE id = ? AND level = 'province'",
                        &prov, &nprov)) != 0)
        return rc;
    if (nfac + nprov == 0)
        return yx_fail_field(r, YX_EINVAL, "facility_ids",
                             "Cần ít nhất một cơ sở hoặc tỉnh / register at least one facility or province.");
    char *jwks = json_dumps(json_object_get(r->json, "jwks"), JSON_COMPACT);
    int64_t now = yx_now_ms();
    rc = jwks ? yx_db_exec(
                    r->db,
                    "INSERT INTO systems (client_id, name, facility_ids, province_ids, scopes, jwks, "
                    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (struct yx_param[]){YX_PT(client_id), YX_PT(yx_json_str(r->json, "name")), YX_PT(fac),
                                        YX_PT(prov), YX_PT(canonical), YX_PT(jwks), YX_PI(r->who.user_id),
                                        YX_PI(now), YX_PI(now)},
                    9, &rows)
              : YX_ENOMEM;
    free(jwks);
    if (rc == YX_ECONFLICT)
        rc = yx_fail_field(r, YX_ECONFLICT, "client_id",
                           "client_id \"%s\" đã có / the client_id \"%s\" is taken.", client_id, client_id);
    if (rc == 0)
        rc = system_reply(r, 201, yx_rows_i64(rows, 0, "id"));
    yx_rows_free(rows);
    return rc;
}

/* GET /api/v1/systems */
static int system_list(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT " SYSTEM_COLUMNS " FROM systems ORDER BY id");
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, system_json(rows, i));
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:o}", "items", items));
}

/* The system of the path, for a change; 404 when there is none. */
static int system_of_path(struct yx_req *r, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int rc = yx_param_id(r, 0, id);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows, "SELECT revoked_at FROM systems WHERE id = ?", YX_PI(*id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0 && !yx_rows_isnull(rows, 0, 0))
        rc = yx_fail_code(r, YX_ECONFLICT, "revoked", NULL,
                          "Hệ thống đã bị thu hồi / the system is revoked: register it again.");
    yx_rows_free(rows);
    return rc;
}

/* POST /api/v1/systems/:id/revoke: the system gets no more tokens, and its tokens end now. */
static int system_revoke(struct yx_req *r)
{
    int64_t id, now = yx_now_ms();
    int rc;
    if ((rc = yx_no_body(r)) != 0 || (rc = system_of_path(r, &id)) != 0 ||
        (rc = YX_DB_Q(r->db, NULL, "UPDATE systems SET revoked_at = ?, updated_at = ? WHERE id = ?",
                      YX_PI(now), YX_PI(now), YX_PI(id))) != 0 ||
        (rc = YX_DB_Q(r->db, NULL, "DELETE FROM system_tokens WHERE system_id = ?", YX_PI(id))) != 0)
        return rc;
    return system_reply(r, 200, id);
}

/* PUT /api/v1/systems/:id/keys: new keys replace the old ones. Keys are replaced when one leaked,
 * so the tokens the old keys obtained end too. */
static int system_keys(struct yx_req *r)
{
    int64_t id, now = yx_now_ms();
    int rc;
    if ((rc = yx_body(r, keys_fields)) != 0 || (rc = system_of_path(r, &id)) != 0 ||
        (rc = yx_jwks_check(r, json_object_get(r->json, "jwks"), "jwks")) != 0)
        return rc;
    char *jwks = json_dumps(json_object_get(r->json, "jwks"), JSON_COMPACT);
    if (!jwks)
        return YX_ENOMEM;
    rc = YX_DB_Q(r->db, NULL, "UPDATE systems SET jwks = ?, updated_at = ? WHERE id = ?", YX_PT(jwks),
                 YX_PI(now), YX_PI(id));
    free(jwks);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "DELETE FROM system_tokens WHERE system_id = ?", YX_PI(id));
    return rc ? rc : system_reply(r, 200, id);
}

const struct yx_route yx_system_routes[] = {
    {"GET", "/api/v1/systems", system_list, 0, NULL, NULL, YX_ROLE_MINISTRY_ADMIN, NULL},
    {"POST", "/api/v1/systems", system_create, 0, "system.create", "system", YX_ROLE_MINISTRY_ADMIN,
     system_fields},
    {"POST", "/api/v1/systems/:id/revoke", system_revoke, 0, "system.revoke", "system",
     YX_ROLE_MINISTRY_ADMIN, NULL},
    {"PUT", "/api/v1/systems/:id/keys", system_keys, 0, "system.keys", "system", YX_ROLE_MINISTRY_ADMIN,
     keys_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* ---- A system's token as the request's principal ---------------------------------------------- */

int yx_system_token_shape(const char *token)
{
    return token && strncmp(token, YX_SYSTEM_TOKEN_PREFIX, sizeof YX_SYSTEM_TOKEN_PREFIX - 1) == 0 &&
           strlen(token) == sizeof YX_SYSTEM_TOKEN_PREFIX - 1 + 43;
}

/* The ids of a JSON array text as places (facility or province) appended to out. */
static void places_add(const char *text, int province, struct yx_place *out, int *n, int cap)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL), *v;
    size_t i;
    json_array_foreach(a, i, v) if (json_is_integer(v) && *n < cap) out[(*n)++] =
        province ? (struct yx_place){0, json_integer_value(v)} : (struct yx_place){json_integer_value(v), 0};
    json_decref(a);
}

int yx_system_resolve(struct yx_req *r, const char *token)
{
    struct yx_rows *rows = NULL;
    char hash[65];
    yx_sha256_hex(token, strlen(token), hash);
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT t.system_id, t.scope, t.expires_at, s.client_id, s.name, s.facility_ids, "
                     "s.province_ids, s.revoked_at FROM system_tokens t JOIN systems s ON s.id = t.system_id "
                     "WHERE t.token_hash = ?",
                     YX_PT(hash));
    if (rc)
        goto out;
    if (rows->nrows != 1 || !yx_rows_null(rows, 0, "revoked_at") ||
        yx_now_ms() >= yx_rows_i64(rows, 0, "expires_at")) {
        rc = yx_fail(r, YX_EAUTH,
                     "Mã truy cập không hợp lệ hoặc đã hết hạn / the access token is unknown, "
                     "expired or revoked: ask /fhir/auth/token for a new one.");
        goto out;
    }
    struct yx_place *places = yx_arena_alloc(&r->arena, 2 * MAX_PLACES * sizeof *places);
    const char *scope = yx_arena_strdup(&r->arena, yx_rows_str(rows, 0, "scope"));
    if (!places || !scope) {
        rc = YX_ENOMEM;
        goto out;
    }
    struct yx_principal *w = &r->who;
    memset(w, 0, sizeof *w);
    w->system_id = yx_rows_i64(rows, 0, "system_id");
    snprintf(w->role, sizeof w->role, "system");
    snprintf(w->username, sizeof w->username, "%s", yx_rows_str(rows, 0, "client_id"));
    snprintf(w->full_name, sizeof w->full_name, "%s", yx_rows_str(rows, 0, "name"));
    places_add(yx_rows_str(rows, 0, "facility_ids"), 0, places, &w->nplaces, 2 * MAX_PLACES);
    places_add(yx_rows_str(rows, 0, "province_ids"), 1, places, &w->nplaces, 2 * MAX_PLACES);
    w->places = places;
    w->scope = scope;
    r->authed = 1;
out:
    yx_rows_free(rows);
    return rc;
}

int yx_system_permits(const struct yx_principal *w, const char *method, const char *pattern)
{
    struct yx_smart_scope have[YX_SCOPES_MAX];
    const char *why, *type = pattern + 6;
    char name[48];
    int n;
    /* A system calls the FHIR API only, and there reads what its scopes name: GET /fhir/<Type>/:id
     * is a read (r), GET /fhir/<Type> a search (s). */
    if (strncmp(pattern, "/fhir/", 6) != 0 || yx_smart_scopes_parse(w->scope, have, &n, &why) != 0)
        return YX_EFORBIDDEN;
    /* Bulk Data ($export): the kick-off asks each type it exports of the scopes itself (a read, r,
     * of each), and a job, its status and its files are only its requester's, which cancels it. */
    size_t plen = strlen(pattern);
    if (strcmp(method, "GET") == 0 && plen > 8 && strcmp(pattern + plen - 8, "/$export") == 0)
        return 0;
    if ((strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0) &&
        strncmp(pattern, "/fhir/bulkstatus/", 17) == 0)
        return 0;
    if (strcmp(method, "GET") != 0)
        return YX_EFORBIDDEN;
    size_t len = strcspn(type, "/");
    if (len == 0 || len >= sizeof name)
        return YX_EFORBIDDEN;
    snprintf(name, sizeof name, "%.*s", (int)len, type);
    unsigned perm = strcmp(type + len, "/:id") == 0 ? YX_SCOPE_R : type[len] == 0 ? YX_SCOPE_S : 0;
    return perm && yx_smart_scopes_allow(have, n, name, perm) ? 0 : YX_EFORBIDDEN;
}

int yx_system_in_places(const struct yx_principal *w, int64_t facility_id, int64_t province_id)
{
    for (int i = 0; i < w->nplaces; i++)
        if ((w->places[i].facility_id && w->places[i].facility_id == facility_id) ||
            (w->places[i].province_id && w->places[i].province_id == province_id))
            return 1;
    return 0;
}

const char *yx_scope_places_sql(struct yx_req *r, const char *facility_col, const char *province_col)
{
    struct yx_buf b;
    const struct yx_principal *w = &r->who;
    int rc = 0, nf = 0, np = 0;
    yx_buf_init(&b, 64 * 1024);
    for (int pass = 0; pass < 2; pass++) {
        int *count = pass ? &np : &nf;
        for (int i = 0; rc == 0 && i < w->nplaces; i++) {
            int64_t id = pass ? w->places[i].province_id : w->places[i].facility_id;
            if (!id)
                continue;
            if (*count == 0)
                rc = yx_buf_printf(&b, "%s%s IN (", pass && nf ? ") OR " : "",
                                   pass ? province_col : facility_col);
            if (rc == 0)
                rc = yx_buf_printf(&b, "%s%lld", (*count)++ ? ", " : "", (long long)id);
        }
    }
    if (rc == 0)
        rc = nf + np ? yx_buf_puts(&b, ")") : yx_buf_puts(&b, "1 = 0");
    char *out = NULL;
    if (rc == 0 && (out = yx_arena_alloc(&r->arena, b.len + 3)) != NULL)
        snprintf(out, b.len + 3, "(%.*s)", (int)b.len, b.data);
    yx_buf_release(&b);
    return out;
}
