/* Administrative units (after the 2025 reform: provinces and communes, each with a validity
 * period and a successor) and the list of specialties. Read by every signed-in user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facility.h"

int yx_network_admin_any(struct yx_req *r)
{
    struct yx_resource own = {
        .kind = YX_RES_NETWORK, .facility_id = r->who.facility_id, .province_id = r->who.province_id};
    return yx_authorize(&r->who, YX_A_ADMIN, &own) == 0 ? 0 : yx_deny(r, YX_EFORBIDDEN);
}

static json_t *ref(const struct yx_rows *r, int i, const char *id, const char *name)
{
    if (yx_rows_null(r, i, id))
        return json_null();
    return json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(r, i, id), "name", yx_rows_str(r, i, name));
}

#define UNIT_SELECT                                                                                          \
    "SELECT u.id, u.code, u.name, u.level, p.id AS parent_id, p.name AS parent_name, u.valid_from, "         \
    "u.valid_to, s.id AS successor_id, s.name AS successor_name "                                            \
    "FROM admin_units u "                                                                                    \
    "LEFT JOIN admin_units p ON p.id = u.parent_id LEFT JOIN admin_units s ON s.id = u.successor_id "

static json_t *unit_json(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:o,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "code",
                     yx_rows_str(r, i, "code"), "name", yx_rows_str(r, i, "name"), "level",
                     yx_rows_str(r, i, "level"), "parent", ref(r, i, "parent_id", "parent_name"),
                     "valid_from", yx_rows_str(r, i, "valid_from"), "valid_to",
                     yx_json_str_or_null(yx_rows_str(r, i, "valid_to")), "successor",
                     ref(r, i, "successor_id", "successor_name"));
}

/* GET /api/v1/admin-units?level&parent_id&q&current=1&cursor&limit */
static int units_list(struct yx_req *r)
{
    int64_t after, limit, parent;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_page(r, &after, &limit)) != 0 || (rc = yx_query_id(r, "parent_id", &parent)) != 0)
        return rc;
    const char *level = yx_query(r, "level"), *current = yx_query(r, "current"), *like;
    if (level && strcmp(level, "province") && strcmp(level, "district") && strcmp(level, "commune"))
        return yx_fail_field(r, YX_EINVAL, "level",
                             "Cấp là tỉnh (province), huyện (district) hoặc xã (commune) / level is "
                             "province, district or commune.");
    if (current && strcmp(current, "0") && strcmp(current, "1"))
        return yx_fail_field(r, YX_EINVAL, "current",
                             "current là 1 (chỉ đơn vị còn hiệu lực hôm nay) hoặc 0 / current is 1 (only "
                             "units valid today) or 0.");
    if ((rc = yx_query_like(r, &like)) != 0)
        return rc;
    char today[11];
    yx_today(today);
    rc = YX_DB_Q(r->db, &rows,
                 UNIT_SELECT "WHERE u.id > ? AND (? = '' OR u.level = ?) AND (? = 0 OR u.parent_id = ?) "
                             "AND (? = '' OR u.name_folded LIKE ? ESCAPE '\\') "
                             "AND (? = 0 OR u.valid_to IS NULL OR u.valid_to > ?) ORDER BY u.id LIMIT ?",
                 YX_PI(after), YX_PT(level ? level : ""), YX_PT(level ? level : ""), YX_PI(parent),
                 YX_PI(parent), YX_PT(like ? like : ""), YX_PT(like ? like : ""),
                 YX_PI(current && strcmp(current, "1") == 0), YX_PT(today), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, unit_json(rows, i));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

/* The unit that holds unit `id` today: the first one valid today along the successor chain. At
 * most 10 steps, so a cycle in the data cannot loop; null when the chain ends in a unit that
 * expired without a successor (or is too long). */
static int current_unit(struct yx_req *r, int64_t id, json_t **out)
{
    char today[11];
    int rc = 0;
    yx_today(today);
    *out = json_null();
    for (int hop = 0; hop <= 10 && id && rc == 0; hop++) {
        struct yx_rows *s = NULL;
        rc = YX_DB_Q(r->db, &s, "SELECT id, name, valid_to, successor_id FROM admin_units WHERE id = ?",
                     YX_PI(id));
        id = 0;
        if (rc == 0 && s->nrows == 1) {
            const char *to = yx_rows_str(s, 0, "valid_to");
            if (!to || strcmp(to, today) > 0)
                *out = json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(s, 0, "id"), "name",
                                 yx_rows_str(s, 0, "name"));
            else
                id = yx_rows_i64(s, 0, "successor_id");
        }
        yx_rows_free(s);
    }
    return rc;
}

/* GET /api/v1/admin-units/:id, with `current`: what lets reports group old records by today's
 * units. */
static int unit_get(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    json_t *current = NULL;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0)
        return rc;
    if ((rc = YX_DB_Q(r->db, &rows, UNIT_SELECT "WHERE u.id = ?", YX_PI(id))) != 0)
        return rc;
    if (rows->nrows != 1) {
        yx_rows_free(rows);
        return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy đơn vị hành chính / no such administrative unit.");
    }
    json_t *unit = unit_json(rows, 0);
    yx_rows_free(rows);
    if ((rc = current_unit(r, id, &current)) != 0) {
        json_decref(unit);
        return rc;
    }
    json_object_set_new(unit, "current", current);
    return yx_reply(r, 200, unit);
}

static int specialties_list(struct yx_req *r)
{
    return yx_reply_code_list(r, "SELECT code, name_vi, name_en FROM specialties ORDER BY code");
}

const struct yx_route yx_unit_routes[] = {
    {"GET", "/api/v1/admin-units", units_list, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/api/v1/admin-units/:id", unit_get, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/api/v1/specialties", specialties_list, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
