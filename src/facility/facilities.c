/* Facilities and their connection sites (điểm cầu). Everyone signed in reads them; the ministry
 * creates and changes them anywhere, a province inside its province, and a facility administrator
 * its own facility's contact and site details. Nothing is deleted: `active: false`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facility.h"
#include "ytexa/realtime.h"

#define FACILITY_SELECT                                                                                      \
    "SELECT f.id, f.code, f.name, f.level, u.id AS unit_id, u.name AS unit_name, p.id AS province_id, "      \
    "p.name AS province_name, f.address, f.phone, f.site_name, "                                             \
    "f.site_bandwidth_kbps, f.site_profile, f.active "                                                       \
    "FROM facilities f JOIN admin_units u ON u.id = f.unit_id JOIN admin_units p ON p.id = f.province_id "

static json_t *facility_row(const struct yx_rows *r, int i)
{
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:{s:I,s:s},s:{s:I,s:s},s:o,s:o,s:{s:o,s:I,s:s},s:[],s:b}", "id",
        (json_int_t)yx_rows_i64(r, i, "id"), "code", yx_rows_str(r, i, "code"), "name",
        yx_rows_str(r, i, "name"), "level", yx_rows_str(r, i, "level"), "unit", "id",
        (json_int_t)yx_rows_i64(r, i, "unit_id"), "name", yx_rows_str(r, i, "unit_name"), "province", "id",
        (json_int_t)yx_rows_i64(r, i, "province_id"), "name", yx_rows_str(r, i, "province_name"), "address",
        yx_json_str_or_null(yx_rows_str(r, i, "address")), "phone",
        yx_json_str_or_null(yx_rows_str(r, i, "phone")), "site", "name",
        yx_json_str_or_null(yx_rows_str(r, i, "site_name")), "bandwidth_kbps",
        (json_int_t)yx_rows_i64(r, i, "site_bandwidth_kbps"), "profile", yx_rows_str(r, i, "site_profile"),
        "specialties", "active", (int)yx_rows_i64(r, i, "active"));
}

/* Fills the "specialties" arrays of items (ordered by id) with one query over their id range. */
static int attach_specialties(struct yx_db *db, json_t *items)
{
    size_t n = json_array_size(items);
    if (!n)
        return 0;
    json_int_t lo = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_int_t hi = json_integer_value(json_object_get(json_array_get(items, n - 1), "id"));
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT facility_id, specialty FROM facility_specialties WHERE facility_id >= ? AND facility_id <= ? "
        "ORDER BY facility_id, specialty",
        YX_PI(lo), YX_PI(hi));
    if (rc)
        return rc;
    size_t k = 0;
    for (int i = 0; i < rows->nrows; i++) {
        int64_t fid = yx_rows_int(rows, i, 0);
        while (k < n && json_integer_value(json_object_get(json_array_get(items, k), "id")) < fid)
            k++;
        json_t *it = json_array_get(items, k);
        if (it && json_integer_value(json_object_get(it, "id")) == fid)
            json_array_append_new(json_object_get(it, "specialties"), json_string(yx_rows_get(rows, i, 1)));
    }
    yx_rows_free(rows);
    return 0;
}

json_t *yx_facility_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *r = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &r, FACILITY_SELECT "WHERE f.id = ?", YX_PI(id)) == 0 && r->nrows == 1) {
        json_t *items = json_pack("[o]", facility_row(r, 0));
        if (attach_specialties(db, items) == 0)
            out = json_incref(json_array_get(items, 0));
        json_decref(items);
    }
    yx_rows_free(r);
    return out;
}

int yx_facility_resource(struct yx_req *r, int64_t id, enum yx_resource_kind kind, struct yx_resource *res,
                         char level[16])
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT province_id, level FROM facilities WHERE id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail(r, YX_ENOTFOUND, "Không tìm thấy cơ sở / no such facility.");
    if (rc == 0) {
        *res = (struct yx_resource){.kind = kind, .facility_id = id, .province_id = yx_rows_int(rows, 0, 0)};
        if (level)
            snprintf(level, 16, "%s", yx_rows_get(rows, 0, 1));
    }
    yx_rows_free(rows);
    return rc;
}

static const char *const levels[] = {"central", "provincial", "district", "commune", "private", NULL};
static const char *const profiles[] = {"video", "low_video", "audio", NULL};

/* GET /api/v1/facilities?q&province_id&level&specialty&cursor&limit */
static int facility_list(struct yx_req *r)
{
    int64_t after, limit, province;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_page(r, &after, &limit)) != 0 || (rc = yx_query_id(r, "province_id", &province)) != 0)
        return rc;
    const char *level = yx_query(r, "level"), *spec = yx_query(r, "specialty"), *like;
    if (level && !yx_one_of(level, levels))
        return yx_fail_field(
            r, YX_EINVAL, "level",
            "Tuyến là trung ương (central), tỉnh (provincial), huyện (district), xã (commune) hoặc tư nhân "
            "(private) / level is central, provincial, district, commune or private.");
    if (spec && strlen(spec) > 40)
        return yx_fail_field(
            r, YX_EINVAL, "specialty",
            "Không có chuyên khoa nào có mã dài như vậy / No specialty has a code that long.");
    if ((rc = yx_query_like(r, &like)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 FACILITY_SELECT
                 "WHERE f.id > ? AND (? = '' OR f.name_folded LIKE ? ESCAPE '\\') "
                 "AND (? = 0 OR f.province_id = ?) AND (? = '' OR f.level = ?) AND (? = '' OR EXISTS "
                 "(SELECT 1 FROM facility_specialties s WHERE s.facility_id = f.id AND s.specialty = ?)) "
                 "ORDER BY f.id LIMIT ?",
                 YX_PI(after), YX_PT(like ? like : ""), YX_PT(like ? like : ""), YX_PI(province),
                 YX_PI(province), YX_PT(level ? level : ""), YX_PT(level ? level : ""),
                 YX_PT(spec ? spec : ""), YX_PT(spec ? spec : ""), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, facility_row(rows, i));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    if ((rc = attach_specialties(r->db, items)) != 0) {
        json_decref(items);
        return rc;
    }
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

static int facility_get(struct yx_req *r)
{
    int64_t id;
    int rc = yx_param_id(r, 0, &id);
    if (rc)
        return rc;
    json_t *f = yx_facility_json(r->db, id);
    if (!f)
        return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy cơ sở / no such facility.");
    return yx_reply(r, 200, f);
}

/* The province of a unit a facility may be placed in: a current province or commune. */
static int unit_province(struct yx_req *r, int64_t unit_id, int64_t *province)
{
    struct yx_rows *rows = NULL;
    char today[11];
    yx_today(today);
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT level, parent_id FROM admin_units WHERE id = ? AND (valid_to IS NULL OR valid_to > ?)",
        YX_PI(unit_id), YX_PT(today));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_field(r, YX_EINVAL, "unit_id",
                           "Không có đơn vị hành chính mã %lld còn hiệu lực / "
                           "no current administrative unit has id %lld.",
                           (long long)unit_id, (long long)unit_id);
    else if (rc == 0 && strcmp(yx_rows_get(rows, 0, 0), "province") == 0)
        *province = unit_id;
    else if (rc == 0 && strcmp(yx_rows_get(rows, 0, 0), "commune") == 0 && !yx_rows_isnull(rows, 0, 1))
        *province = yx_rows_int(rows, 0, 1);
    else if (rc == 0)
        rc = yx_fail_field(
            r, YX_EINVAL, "unit_id",
            "Cơ sở đặt tại một tỉnh hoặc một xã / a facility is placed in a province or a commune.");
    yx_rows_free(rows);
    return rc;
}

/* Does s have only characters of set (and ASCII letters/digits when alnum says so)? */
static int only_chars(const char *s, const char *set, int upper_digits)
{
    for (const char *p = s; *p; p++)
        if (!strchr(set, *p) && !(upper_digits && ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))))
            return 0;
    return 1;
}

/* The rules a field table cannot say: formats, closed lists, known specialties. */
static int check_fields(struct yx_req *r)
{
    const char *code = yx_json_str(r->json, "code"), *level = yx_json_str(r->json, "level");
    const char *profile = yx_json_str(r->json, "site_profile"), *name = yx_json_str(r->json, "name");
    const char *phone = yx_json_str(r->json, "phone");
    if (code && !only_chars(code, "-", 1))
        return yx_fail_field(r, YX_EINVAL, "code",
                             "Mã cơ sở chỉ gồm A-Z, 0-9 và '-' / a facility code has only A-Z, 0-9 and '-'.");
    if (name && !yx_name_ok(name))
        return yx_fail_field(r, YX_EINVAL, "name",
                             "Tên không hợp lệ / the name needs two or more visible characters "
                             "and no control characters.");
    if (phone && !only_chars(phone, "0123456789+-(). ", 0))
        return yx_fail_field(
            r, YX_EINVAL, "phone",
            "Số điện thoại không hợp lệ / a phone number has only digits, spaces and + - ( ) .");
    if (level && !yx_one_of(level, levels))
        return yx_fail_field(
            r, YX_EINVAL, "level",
            "Tuyến là trung ương (central), tỉnh (provincial), huyện (district), xã (commune) hoặc tư nhân "
            "(private) / level is central, provincial, district, commune or private.");
    if (profile && !yx_one_of(profile, profiles))
        return yx_fail_field(r, YX_EINVAL, "site_profile",
                             "Kiểu kết nối (site_profile) là video, low_video hoặc audio / site_profile is "
                             "video, low_video or audio.");
    json_t *specs = json_object_get(r->json, "specialties"), *s;
    size_t i;
    if (json_array_size(specs) > 50)
        return yx_fail_field(r, YX_EINVAL, "specialties", "Tối đa 50 chuyên khoa / At most 50 specialties.");
    json_array_foreach(specs, i, s)
    {
        struct yx_rows *rows = NULL;
        if (!json_is_string(s))
            return yx_fail_field(r, YX_EINVAL, "specialties",
                                 "Chuyên khoa (specialties) là danh sách mã chuyên khoa / specialties is a "
                                 "list of specialty codes.");
        int rc =
            YX_DB_Q(r->db, &rows, "SELECT 1 FROM specialties WHERE code = ?", YX_PT(json_string_value(s)));
        int found = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        if (rc)
            return rc;
        if (!found)
            return yx_fail_field(r, YX_EINVAL, "specialties",
                                 "Không có chuyên khoa '%.40s' / unknown specialty '%.40s'.",
                                 json_string_value(s), json_string_value(s));
    }
    return 0;
}

static int save_specialties(struct yx_req *r, int64_t id)
{
    json_t *specs = json_object_get(r->json, "specialties"), *s;
    size_t i;
    if (!specs)
        return 0;
    int rc = YX_DB_Q(r->db, NULL, "DELETE FROM facility_specialties WHERE facility_id = ?", YX_PI(id));
    json_array_foreach(specs, i, s)
    {
        if (rc == 0)
            rc = YX_DB_Q(r->db, NULL,
                         "INSERT INTO facility_specialties (facility_id, specialty) VALUES (?, ?) "
                         "ON CONFLICT DO NOTHING",
                         YX_PI(id), YX_PT(json_string_value(s)));
    }
    return rc;
}

static const struct yx_field create_fields[] = {
    {"code", YX_F_STRING, 1, 2, 32},
    {"name", YX_F_STRING, 1, 2, 200},
    {"level", YX_F_STRING, 1, 1, 16},
    {"unit_id", YX_F_INT, 1, 1, INT64_MAX},
    {"address", YX_F_STRING, 0, 1, 300},
    {"phone", YX_F_STRING, 0, 6, 20},
    {"site_name", YX_F_STRING, 0, 1, 200},
    {"site_bandwidth_kbps", YX_F_INT, 0, 16, 1000000},
    {"site_profile", YX_F_STRING, 0, 1, 16},
    {"specialties", YX_F_ARRAY, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/facilities */
static int facility_create(struct yx_req *r)
{
    int64_t province = 0, id;
    struct yx_rows *rows = NULL;
    char *folded = NULL;
    int rc;
    if ((rc = yx_network_admin_any(r)) != 0)
        return rc;
    if ((rc = yx_body(r, create_fields)) != 0 || (rc = check_fields(r)) != 0)
        return rc;
    if ((rc = unit_province(r, yx_json_int(r->json, "unit_id", 0), &province)) != 0)
        return rc;
    struct yx_resource res = {.kind = YX_RES_FACILITY, .province_id = province};
    if ((rc = yx_authorize(&r->who, YX_A_ADMIN, &res)) != 0)
        return yx_deny(r, YX_EFORBIDDEN);
    const char *name = yx_json_str(r->json, "name"), *profile = yx_json_str(r->json, "site_profile");
    if (!(folded = yx_fold(name, strlen(name))))
        return yx_fail_field(r, YX_EINVAL, "name", "Tên có ký tự không hợp lệ / The name is not valid text.");
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(r->db, &rows,
                 "INSERT INTO facilities (code, name, name_folded, level, unit_id, province_id, address, "
                 "phone, site_name, site_bandwidth_kbps, site_profile, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 YX_PT(yx_json_str(r->json, "code")), YX_PT(name), YX_PT(folded),
                 YX_PT(yx_json_str(r->json, "level")), YX_PI(yx_json_int(r->json, "unit_id", 0)),
                 YX_PI(province), YX_PT(yx_json_str(r->json, "address")),
                 YX_PT(yx_json_str(r->json, "phone")), YX_PT(yx_json_str(r->json, "site_name")),
                 YX_PI(yx_json_int(r->json, "site_bandwidth_kbps", 1000)), YX_PT(profile ? profile : "video"),
                 YX_PI(now), YX_PI(now));
    free(folded);
    if (rc == YX_ECONFLICT)
        rc = yx_fail_field(r, YX_ECONFLICT, "code", "Mã cơ sở '%s' đã có / a facility with code '%s' exists.",
                           yx_json_str(r->json, "code"), yx_json_str(r->json, "code"));
    if (rc) {
        yx_rows_free(rows);
        return rc;
    }
    id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    if ((rc = save_specialties(r, id)) != 0)
        return rc;
    yx_audit_target(r, id);
    json_t *f = yx_facility_json(r->db, id);
    return f ? yx_reply(r, 201, f) : YX_EDB;
}

static const struct yx_field patch_fields[] = {
    {"name", YX_F_STRING, 0, 2, 200},
    {"level", YX_F_STRING, 0, 1, 16},
    {"unit_id", YX_F_INT, 0, 1, INT64_MAX},
    {"address", YX_F_STRING, 0, 1, 300},
    {"phone", YX_F_STRING, 0, 6, 20},
    {"site_name", YX_F_STRING, 0, 1, 200},
    {"site_bandwidth_kbps", YX_F_INT, 0, 16, 1000000},
    {"site_profile", YX_F_STRING, 0, 1, 16},
    {"specialties", YX_F_ARRAY, 0, 0, 0},
    {"active", YX_F_BOOL, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* Fields a facility administrator may change on its own facility. */
static int only_contact_fields(const json_t *body)
{
    static const char *const own[] = {"address",      "phone", "site_name", "site_bandwidth_kbps",
                                      "site_profile", NULL};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (!yx_one_of(key, own))
            return 0;
    }
    return 1;
}

/* PATCH /api/v1/facilities/:id */
static int facility_patch(struct yx_req *r)
{
    int64_t id, province = 0;
    struct yx_resource res;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = yx_facility_resource(r, id, YX_RES_FACILITY, &res, NULL)) != 0)
        return rc;
    /* First whether the caller may change this facility at all, before its body is read. */
    if ((rc = yx_authorize(&r->who, YX_A_WRITE, &res)) != 0)
        return yx_deny(r, rc);
    if ((rc = yx_body(r, patch_fields)) != 0 || (rc = check_fields(r)) != 0)
        return rc;
    if (!only_contact_fields(r->json) && (rc = yx_authorize(&r->who, YX_A_ADMIN, &res)) != 0)
        return yx_deny(r, rc);
    int64_t unit = yx_json_int(r->json, "unit_id", 0);
    if (unit) {
        if ((rc = unit_province(r, unit, &province)) != 0)
            return rc;
        struct yx_resource to = {.kind = YX_RES_FACILITY, .facility_id = id, .province_id = province};
        if ((rc = yx_authorize(&r->who, YX_A_ADMIN, &to)) != 0)
            return yx_deny(r, YX_EFORBIDDEN);
    }
    const char *name = yx_json_str(r->json, "name");
    char *folded = name ? yx_fold(name, strlen(name)) : NULL;
    if (name && !folded)
        return yx_fail_field(r, YX_EINVAL, "name", "Tên có ký tự không hợp lệ / The name is not valid text.");
    json_t *active = json_object_get(r->json, "active");
    r->auth_changed = 1; /* its staff's sessions carry its province */
    rc = YX_DB_Q(
        r->db, NULL,
        "UPDATE facilities SET name = COALESCE(?, name), name_folded = COALESCE(?, name_folded), "
        "level = COALESCE(?, level), unit_id = COALESCE(?, unit_id), province_id = COALESCE(?, province_id), "
        "address = COALESCE(?, address), phone = COALESCE(?, phone), site_name = COALESCE(?, site_name), "
        "site_bandwidth_kbps = COALESCE(?, site_bandwidth_kbps), site_profile = COALESCE(?, site_profile), "
        "active = COALESCE(?, active), updated_at = ? WHERE id = ?",
        YX_PT(name), YX_PT(folded), YX_PT(yx_json_str(r->json, "level")), unit ? YX_PI(unit) : YX_PN,
        unit ? YX_PI(province) : YX_PN, YX_PT(yx_json_str(r->json, "address")),
        YX_PT(yx_json_str(r->json, "phone")), YX_PT(yx_json_str(r->json, "site_name")),
        json_object_get(r->json, "site_bandwidth_kbps")
            ? YX_PI(yx_json_int(r->json, "site_bandwidth_kbps", 0))
            : YX_PN,
        YX_PT(yx_json_str(r->json, "site_profile")), active ? YX_PI(json_is_true(active)) : YX_PN,
        YX_PI(yx_now_ms()), YX_PI(id));
    free(folded);
    if (rc == 0)
        rc = save_specialties(r, id);
    if (rc)
        return rc;
    json_t *f = yx_facility_json(r->db, id);
    return f ? yx_reply(r, 200, f) : YX_EDB;
}

const struct yx_route yx_facility_routes[] = {
    {"GET", "/api/v1/facilities", facility_list, 0, NULL, NULL, YX_ANYONE, NULL},
    {"POST", "/api/v1/facilities", facility_create, 0, "facility.create", "facility",
     YX_ROLE_PROVINCE_ADMIN | YX_ROLE_MINISTRY_ADMIN, create_fields},
    {"GET", "/api/v1/facilities/:id", facility_get, 0, NULL, NULL, YX_ANYONE, NULL},
    {"PATCH", "/api/v1/facilities/:id", facility_patch, 0, "facility.update", "facility", YX_ADMINS,
     patch_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* A facility's own channel, "facility:<id>": its pages are told there when a case enters or
 * leaves its inbox and when its queue changes (yx_live_changed); the events say only that, and
 * the pages refetch through the API. Its people only (yx_authorize, YX_A_JOIN): another facility's
 * channel answers like one that does not exist. It keeps no chat. */
static int may_join(struct yx_req *r, int64_t id, int64_t *patient)
{
    (void)patient;
    struct yx_resource res = {.kind = YX_RES_FACILITY, .facility_id = id};
    int rc = yx_authorize(&r->who, YX_A_JOIN, &res);
    return rc ? yx_deny(r, rc) : 0;
}

const struct yx_channel_kind yx_facility_channel = {
    .name = "facility",
    .may_join = may_join,
    .keeps_chat = 0,
    .no_chat = "Kênh của cơ sở không có tin nhắn / a facility's channel keeps no chat.",
};
