/* Accounts: administrators create, read, change and deactivate users within their scope
 * (ministry: all; province: its province; facility: its facility) and below their own rank; every
 * route here asks the one account rule, yx_authorize_account() in policy.c. Accounts are never
 * deleted: the audit trail and signed records point at them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/auth.h"

#define USER_COLUMNS                                                                                         \
    "u.id, u.username, u.full_name, u.role, u.licence_no, u.scope_of_practice, u.phone, u.email, u.active, " \
    "f.id AS facility_id, f.name AS facility_name, f.level AS facility_level, p.id AS province_id, "         \
    "p.name AS province_name, u.created_at, u.patient_id, u.practice_scope"
#define USER_FROM                                                                                            \
    " FROM users u LEFT JOIN facilities f ON f.id = u.facility_id LEFT JOIN admin_units p ON p.id = "        \
    "f.province_id"

static json_t *user_row_json(const struct yx_rows *r, int i)
{
    json_t *fac = json_null();
    if (!yx_rows_null(r, i, "facility_id"))
        fac =
            json_pack("{s:I,s:s,s:s,s:{s:I,s:s}}", "id", (json_int_t)yx_rows_i64(r, i, "facility_id"), "name",
                      yx_rows_str(r, i, "facility_name"), "level", yx_rows_str(r, i, "facility_level"),
                      "province", "id", (json_int_t)yx_rows_i64(r, i, "province_id"), "name",
                      yx_rows_str(r, i, "province_name") ? yx_rows_str(r, i, "province_name") : "");
    json_t *patient =
        yx_rows_null(r, i, "patient_id") ? json_null() : json_integer(yx_rows_i64(r, i, "patient_id"));
    json_t *scope = json_array();
    const char *codes = yx_rows_str(r, i, "practice_scope") ? yx_rows_str(r, i, "practice_scope") : "";
    for (const char *p = codes; *p; p += strspn(p, " ")) {
        size_t n = strcspn(p, " ");
        json_array_append_new(scope, json_stringn(p, n));
        p += n;
    }
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"),
        "username", yx_rows_str(r, i, "username"), "full_name", yx_rows_str(r, i, "full_name"), "role",
        yx_rows_str(r, i, "role"), "licence_no", yx_json_str_or_null(yx_rows_str(r, i, "licence_no")),
        "scope_of_practice", yx_json_str_or_null(yx_rows_str(r, i, "scope_of_practice")), "practice_scope",
        scope, "phone", yx_json_str_or_null(yx_rows_str(r, i, "phone")), "email",
        yx_json_str_or_null(yx_rows_str(r, i, "email")), "active", (int)yx_rows_i64(r, i, "active"),
        "facility", fac ? fac : json_null(), "patient_id", patient);
}

json_t *yx_user_json(struct yx_db *db, int64_t user_id)
{
    struct yx_rows *r = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &r, "SELECT " USER_COLUMNS USER_FROM " WHERE u.id = ?", YX_PI(user_id)) == 0 &&
        r->nrows == 1)
        out = user_row_json(r, 0);
    yx_rows_free(r);
    return out;
}

/* An account's names, for the password rule (arena strings). */
struct account_names {
    const char *username, *full_name;
};

/* The account that id names, as the account rule sees it, and whether the caller may do act to it
 * (yx_authorize_account). An absent account answers exactly as one the caller may not know of:
 * the same 404, the same message, so that ids cannot be probed. names (may be NULL) gets the
 * account's username and full name. */
static int account_check(struct yx_req *r, enum yx_action act, int64_t id, struct yx_account *a,
                         struct account_names *names)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT u.role, u.facility_id, f.province_id, u.username, u.full_name FROM users u "
                     "LEFT JOIN facilities f ON f.id = u.facility_id WHERE u.id = ?",
                     YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_deny(r, YX_ENOTFOUND);
    if (rc == 0) {
        *a = (struct yx_account){id, yx_arena_strdup(&r->arena, yx_rows_str(rows, 0, "role")),
                                 yx_rows_i64(rows, 0, "facility_id"), yx_rows_i64(rows, 0, "province_id")};
        if (names)
            *names = (struct account_names){yx_arena_strdup(&r->arena, yx_rows_str(rows, 0, "username")),
                                            yx_arena_strdup(&r->arena, yx_rows_str(rows, 0, "full_name"))};
        rc = a->role ? yx_authorize_account(&r->who, act, a) : YX_ENOMEM;
        if (rc && rc != YX_ENOMEM)
            rc = yx_deny(r, rc);
    }
    yx_rows_free(rows);
    return rc;
}

/* Checks the role and facility an account is created with or changed to: a known role, a facility
 * where the role needs one, and the account rule for the account as it will be. Facilities are
 * public (the network), so one outside the caller's scope is refused with 403, not hidden. */
static int check_placement(struct yx_req *r, int64_t user_id, const char *role, int64_t facility_id)
{
    struct yx_rows *rows = NULL;
    struct yx_account to = {user_id, role, facility_id, 0};
    int rc = 0;
    if (!yx_role_valid(role))
        return yx_fail_field(r, YX_EINVAL, "role", "Không có vai trò '%.40s' / Unknown role '%.40s'.", role,
                             role);
    int needs_facility = yx_role_needs_facility(role);
    if (needs_facility && !facility_id)
        return yx_fail_field(r, YX_EINVAL, "facility_id",
                             "Vai trò %s làm việc tại một cơ sở: cần chọn cơ sở (facility_id) / A %s works "
                             "at a facility: facility_id is required.",
                             role, role);
    if (facility_id) {
        rc = YX_DB_Q(r->db, &rows, "SELECT province_id FROM facilities WHERE id = ?", YX_PI(facility_id));
        if (rc == 0 && rows->nrows != 1)
            rc = yx_fail_field(r, YX_EINVAL, "facility_id",
                               "Không có cơ sở mã %lld / No facility has id %lld.", (long long)facility_id,
                               (long long)facility_id);
        if (rc == 0)
            to.province_id = yx_rows_int(rows, 0, 0);
        yx_rows_free(rows);
        if (rc)
            return rc;
    }
    rc = yx_authorize_account(&r->who, YX_A_ADMIN, &to);
    if (rc == YX_EFORBIDDEN && yx_role_is_admin(r->who.role))
        return yx_fail_field(r, YX_EFORBIDDEN, "role",
                             "Bạn không được trao vai trò %s / you may not grant the role %s.", role, role);
    return rc ? yx_deny(r, rc == YX_ENOTFOUND ? YX_EFORBIDDEN : rc) : 0;
}

static const struct yx_field user_fields[] = {
    {"username", YX_F_STRING, 1, 3, 64},
    {"full_name", YX_F_STRING, 1, 1, 160},
    {"password", YX_F_STRING, 1, 8, 128},
    {"role", YX_F_STRING, 1, 1, 24},
    {"facility_id", YX_F_INT, 0, 1, INT64_MAX},
    {"licence_no", YX_F_STRING, 0, 1, 40},
    {"scope_of_practice", YX_F_STRING, 0, 1, 500},
    {"practice_scope", YX_F_ARRAY, 0, 0, 0},
    {"phone", YX_F_STRING, 0, 6, 20},
    {"email", YX_F_STRING, 0, 3, 200},
    {NULL, 0, 0, 0, 0},
};

/* practice_scope: the specialty codes a licence covers, each a known specialty, at most 10. Sets
 * *out to them space-separated in the request's arena ("" for an empty list), or NULL when absent. */
static int practice_scope_in(struct yx_req *r, char **out)
{
    json_t *list = json_object_get(r->json, "practice_scope"), *v;
    size_t i;
    *out = NULL;
    if (!list)
        return 0;
    if (json_array_size(list) > 10)
        return yx_fail_field(r, YX_EINVAL, "practice_scope",
                             "Tối đa 10 chuyên khoa / At most 10 specialties.");
    char *s = yx_arena_alloc(&r->arena, 10 * 33 + 1);
    if (!s)
        return YX_ENOMEM;
    *s = '\0';
    json_array_foreach(list, i, v)
    {
        const char *code = json_string_value(v);
        struct yx_rows *rows = NULL;
        int rc = code && strlen(code) <= 32 && strspn(code, "abcdefghijklmnopqrstuvwxyz_") == strlen(code)
                     ? YX_DB_Q(r->db, &rows, "SELECT 1 FROM specialties WHERE code = ?", YX_PT(code))
                     : YX_EINVAL;
        int known = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        if (rc && rc != YX_EINVAL)
            return rc;
        if (!known)
            return yx_fail_field(
                r, YX_EINVAL, "practice_scope",
                "Phạm vi hành nghề (practice_scope) là các mã chuyên khoa (GET /api/v1/specialties), như "
                "\"general\" hoặc \"pediatrics\" / practice_scope lists specialty codes (GET "
                "/api/v1/specialties), such as \"general\" or \"pediatrics\".");
        if (!yx_word_in(s, code))
            snprintf(s + strlen(s), 34, "%s%s", *s ? " " : "", code);
    }
    *out = s;
    return 0;
}

int yx_username_ok(const char *u)
{
    for (const char *p = u; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

int yx_user_insert(struct yx_db *db, const struct yx_new_user *u, int64_t *id)
{
    char hash[128], *folded = NULL;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_password_hash(u->password, hash)) != 0)
        return rc;
    if (!(folded = yx_fold(u->full_name, strlen(u->full_name))))
        return YX_EINVAL;
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(db, &rows,
                 "INSERT INTO users (username, full_name, full_name_folded, password_hash, role, "
                 "facility_id, licence_no, "
                 "scope_of_practice, practice_scope, phone, email, created_at, updated_at, patient_id) "
                 "VALUES (?, ?, ?, "
                 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "RETURNING id",
                 YX_PT(u->username), YX_PT(u->full_name), YX_PT(folded), YX_PT(hash), YX_PT(u->role),
                 u->facility_id ? YX_PI(u->facility_id) : YX_PN, YX_PT(u->licence_no),
                 YX_PT(u->scope_of_practice),
                 YX_PT(u->practice_scope && *u->practice_scope ? u->practice_scope : NULL), YX_PT(u->phone),
                 YX_PT(u->email), YX_PI(now), YX_PI(now), u->patient_id ? YX_PI(u->patient_id) : YX_PN);
    if (rc == 0)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    free(folded);
    return rc;
}

/* POST /api/v1/users. The password is hashed before the write transaction begins (inside
 * yx_user_insert, which runs outside any transaction here), so the write lock is never held for
 * the hash. */
static int user_create(struct yx_req *r)
{
    int64_t id = 0;
    char *scope = NULL;
    int rc;
    if ((rc = yx_body(r, user_fields)) != 0 || (rc = practice_scope_in(r, &scope)) != 0)
        return rc;
    struct yx_new_user u = {
        yx_json_str(r->json, "username"),
        yx_json_str(r->json, "full_name"),
        yx_json_str(r->json, "password"),
        yx_json_str(r->json, "role"),
        yx_json_int(r->json, "facility_id", 0),
        yx_json_str(r->json, "licence_no"),
        yx_json_str(r->json, "scope_of_practice"),
        scope,
        yx_json_str(r->json, "phone"),
        yx_json_str(r->json, "email"),
        0,
    };
    if (!yx_username_ok(u.username))
        return yx_fail_field(r, YX_EINVAL, "username",
                             "Tên đăng nhập chỉ gồm a-z, 0-9, '.', '-' và '_' / A username has only a-z, "
                             "0-9, '.', '-' and '_'.");
    if ((rc = yx_password_check(r, "password", u.password, u.username, u.full_name)) != 0 ||
        (rc = check_placement(r, 0, u.role, u.facility_id)) != 0)
        return rc;
    rc = yx_user_insert(r->db, &u, &id);
    if (rc == YX_ECONFLICT)
        return yx_fail_field(r, YX_ECONFLICT, "username",
                             "Tên đăng nhập '%s' đã có người dùng / The username '%s' is taken.", u.username,
                             u.username);
    if (rc == YX_EINVAL)
        return yx_fail_field(r, YX_EINVAL, "full_name",
                             "Tên có ký tự không hợp lệ / The name is not valid text.");
    if (rc)
        return rc;
    yx_audit_target(r, id);
    json_t *out = yx_user_json(r->db, id);
    return out ? yx_reply(r, 201, out) : YX_EDB;
}

static int user_get(struct yx_req *r)
{
    int64_t id;
    struct yx_account a;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = account_check(r, YX_A_READ, id, &a, NULL)) != 0)
        return rc;
    json_t *u = yx_user_json(r->db, id);
    return u ? yx_reply(r, 200, u) : YX_EDB;
}

static const struct yx_field patch_fields[] = {
    {"full_name", YX_F_STRING, 0, 1, 160},
    {"role", YX_F_STRING, 0, 1, 24},
    {"facility_id", YX_F_INT, 0, 1, INT64_MAX},
    {"licence_no", YX_F_STRING, 0, 1, 40},
    {"scope_of_practice", YX_F_STRING, 0, 1, 500},
    {"practice_scope", YX_F_ARRAY, 0, 0, 0},
    {"phone", YX_F_STRING, 0, 6, 20},
    {"email", YX_F_STRING, 0, 3, 200},
    {"active", YX_F_BOOL, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* PATCH /api/v1/users/:id: the changed fields only. The account rule is asked for the account as
 * it is and, with its new role and facility, as it will be. Deactivating ends the user's sessions. */
static int user_patch(struct yx_req *r)
{
    int64_t id;
    struct yx_account cur;
    char *folded = NULL, *scope = NULL;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = account_check(r, YX_A_ADMIN, id, &cur, NULL)) != 0)
        return rc;
    if ((rc = yx_body(r, patch_fields)) != 0 || (rc = practice_scope_in(r, &scope)) != 0)
        return rc;
    const char *role = yx_json_str(r->json, "role") ? yx_json_str(r->json, "role") : cur.role;
    int64_t facility_id = yx_json_int(r->json, "facility_id", cur.facility_id);
    if ((rc = check_placement(r, id, role, facility_id)) != 0)
        return rc;
    const char *name = yx_json_str(r->json, "full_name");
    if (name && !(folded = yx_fold(name, strlen(name))))
        return yx_fail_field(r, YX_EINVAL, "full_name",
                             "Tên có ký tự không hợp lệ / The name is not valid text.");
    json_t *active = json_object_get(r->json, "active");
    r->auth_changed = 1;
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE users SET full_name = COALESCE(?, full_name), "
        "full_name_folded = COALESCE(?, full_name_folded), role = ?, facility_id = ?, "
        "licence_no = COALESCE(?, licence_no), scope_of_practice = COALESCE(?, scope_of_practice), "
        "practice_scope = CASE WHEN ? = 1 THEN ? ELSE practice_scope END, phone = COALESCE(?, phone), "
        "email = COALESCE(?, email), active = COALESCE(?, active), "
        "updated_at = ? "
        "WHERE id = ?",
        YX_PT(name), YX_PT(folded), YX_PT(role), facility_id ? YX_PI(facility_id) : YX_PN,
        YX_PT(yx_json_str(r->json, "licence_no")), YX_PT(yx_json_str(r->json, "scope_of_practice")),
        YX_PI(scope != NULL), YX_PT(scope && *scope ? scope : NULL), YX_PT(yx_json_str(r->json, "phone")),
        YX_PT(yx_json_str(r->json, "email")), active ? YX_PI(json_is_true(active)) : YX_PN,
        YX_PI(yx_now_ms()), YX_PI(id));
    if (rc == 0 && active && !json_is_true(active))
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                     YX_PI(yx_now_ms()), YX_PI(id));
    free(folded);
    if (rc)
        return rc;
    json_t *u = yx_user_json(r->db, id);
    return u ? yx_reply(r, 200, u) : YX_EDB;
}

/* GET /api/v1/users: the accounts in the caller's scope, newest id last, by cursor. */
static int user_list(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    const char *cursor = yx_query(r, "cursor"), *limit_s = yx_query(r, "limit");
    int64_t after = cursor ? strtoll(cursor, NULL, 10) : 0, limit = limit_s ? strtoll(limit_s, NULL, 10) : 50;
    if (limit < 1 || limit > 200)
        return yx_fail_field(
            r, YX_EINVAL, "limit",
            "Số dòng mỗi trang (limit) phải từ 1 đến 200 / limit must be between 1 and 200.");
    if (after < 0)
        return yx_fail_field(
            r, YX_EINVAL, "cursor",
            "Con trỏ phân trang không do máy chủ này cấp / The cursor is not one this server gave.");
    struct yx_scope s;
    int rc = yx_scope(&r->who, YX_RES_USER, &s);
    if (rc)
        return yx_deny(r, rc);
    const char *scope = s.kind == YX_SCOPE_PROVINCE   ? " AND f.province_id = ?"
                        : s.kind == YX_SCOPE_FACILITY ? " AND u.facility_id = ?"
                                                      : " AND ? = 0";
    char sql[1024];
    yx_snprintf(sql, sizeof sql, "SELECT " USER_COLUMNS USER_FROM " WHERE u.id > ?%s ORDER BY u.id LIMIT ?",
                scope);
    rc = YX_DB_Q(r->db, &rows, sql, YX_PI(after), YX_PI(s.id), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, user_row_json(rows, i));
    char next[24];
    if (rows->nrows > limit)
        snprintf(next, sizeof next, "%lld", (long long)yx_rows_i64(rows, (int)limit - 1, "id"));
    rc = yx_reply(r, 200,
                  json_pack("{s:o,s:o}", "items", items, "next_cursor",
                            rows->nrows > limit ? json_string(next) : json_null()));
    yx_rows_free(rows);
    return rc;
}

static const struct yx_field password_fields[] = {{"password", YX_F_STRING, 1, 8, 128}, {NULL, 0, 0, 0, 0}};

/* POST /api/v1/users/:id/password: an administrator above the account sets a new password (the
 * account rule: setting it is signing in as its holder); the user's sessions end. */
static int user_set_password(struct yx_req *r)
{
    int64_t id;
    struct yx_account a;
    struct account_names names;
    char hash[128];
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = account_check(r, YX_A_ADMIN, id, &a, &names)) != 0 ||
        (rc = yx_body(r, password_fields)) != 0)
        return rc;
    const char *password = yx_json_str(r->json, "password");
    if ((rc = yx_password_check(r, "password", password, names.username, names.full_name)) != 0 ||
        (rc = yx_password_hash(password, hash)) != 0 || (rc = yx_password_store(r, id, hash, 0)) != 0)
        return rc;
    return yx_reply(r, 200, json_pack("{s:b}", "ok", 1));
}

const struct yx_route yx_user_routes[] = {
    {"GET", "/api/v1/users", user_list, 0, NULL, NULL, YX_STAFF, NULL},
    {"POST", "/api/v1/users", user_create, YX_R_HEAVY | YX_R_NOTX, "user.create", "user", YX_ADMINS,
     user_fields},
    {"GET", "/api/v1/users/:id", user_get, 0, NULL, NULL, YX_ANYONE, NULL},
    {"PATCH", "/api/v1/users/:id", user_patch, 0, "user.update", "user", YX_ADMINS, patch_fields},
    {"POST", "/api/v1/users/:id/password", user_set_password, YX_R_HEAVY | YX_R_NOTX, "user.set_password",
     "user", YX_ADMINS, password_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
