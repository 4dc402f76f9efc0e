/* The support network: which hub facility supports which site, for which specialty. It is data
 * that routes consultations and their escalation. The ministry changes it anywhere, a province
 * for the sites in its province. Links are configuration, not records: removing one is allowed
 * and audited. */
#include <stdio.h>
#include <string.h>

#include "facility.h"

static json_t *links_json(const struct yx_rows *r)
{
    json_t *a = json_array();
    for (int i = 0; i < r->nrows; i++)
        json_array_append_new(
            a, json_pack("{s:I,s:{s:I,s:s,s:s,s:s},s:s}", "id", (json_int_t)yx_rows_i64(r, i, "id"),
                         "facility", "id", (json_int_t)yx_rows_i64(r, i, "facility_id"), "code",
                         yx_rows_str(r, i, "code"), "name", yx_rows_str(r, i, "name"), "level",
                         yx_rows_str(r, i, "level"), "specialty", yx_rows_str(r, i, "specialty")));
    return a;
}

/* GET /api/v1/facilities/:id/network */
static int network_get(struct yx_req *r)
{
    int64_t id;
    struct yx_resource res;
    struct yx_rows *up = NULL, *down = NULL;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = yx_facility_resource(r, id, YX_RES_NETWORK, &res, NULL)) != 0)
        return rc;
    rc =
        YX_DB_Q(r->db, &up,
                "SELECT l.id, f.id AS facility_id, f.code, f.name, f.level, l.specialty FROM support_links l "
                "JOIN facilities f ON f.id = l.hub_id WHERE l.site_id = ? ORDER BY l.specialty, f.id",
                YX_PI(id));
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, &down,
            "SELECT l.id, f.id AS facility_id, f.code, f.name, f.level, l.specialty FROM support_links l "
            "JOIN facilities f ON f.id = l.site_id WHERE l.hub_id = ? ORDER BY f.id, l.specialty",
            YX_PI(id));
    if (rc == 0)
        rc = yx_reply(r, 200,
                      json_pack("{s:o,s:o}", "supported_by", links_json(up), "supports", links_json(down)));
    yx_rows_free(up);
    yx_rows_free(down);
    return rc;
}

/* A hub supports sites of its own level or below; private facilities link with anyone. */
static int rank(const char *level)
{
    static const char *const order[] = {"commune", "district", "provincial", "central", NULL};
    for (int i = 0; order[i]; i++)
        if (strcmp(level, order[i]) == 0)
            return i;
    return -1;
}

/* A facility named in the body: its scope and level, or 400 naming the field when there is no
 * such facility or it has been deactivated. */
static int body_facility(struct yx_req *r, const char *field, struct yx_resource *res, char level[16])
{
    struct yx_rows *rows = NULL;
    int64_t id = yx_json_int(r->json, field, 0);
    int rc =
        YX_DB_Q(r->db, &rows, "SELECT province_id, level, active FROM facilities WHERE id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_field(r, YX_EINVAL, field, "Không có cơ sở mã %lld / no facility has id %lld.",
                           (long long)id, (long long)id);
    else if (rc == 0 && !yx_rows_int(rows, 0, 2))
        rc = yx_fail_field(r, YX_EINVAL, field,
                           "Cơ sở %lld đã ngừng hoạt động / facility %lld is deactivated.", (long long)id,
                           (long long)id);
    if (rc == 0) {
        *res = (struct yx_resource){
            .kind = YX_RES_NETWORK, .facility_id = id, .province_id = yx_rows_int(rows, 0, 0)};
        snprintf(level, 16, "%s", yx_rows_get(rows, 0, 1));
    }
    yx_rows_free(rows);
    return rc;
}

static const struct yx_field link_fields[] = {
    {"hub_id", YX_F_INT, 1, 1, INT64_MAX},
    {"site_id", YX_F_INT, 1, 1, INT64_MAX},
    {"specialty", YX_F_STRING, 1, 1, 40},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/support-links {"hub_id","site_id","specialty"} */
static int link_create(struct yx_req *r)
{
    struct yx_resource hub, site;
    struct yx_rows *rows = NULL;
    char hub_level[16], site_level[16];
    int rc;
    if ((rc = yx_network_admin_any(r)) != 0 || (rc = yx_body(r, link_fields)) != 0)
        return rc;
    if ((rc = body_facility(r, "hub_id", &hub, hub_level)) != 0 ||
        (rc = body_facility(r, "site_id", &site, site_level)))
        return rc;
    if ((rc = yx_authorize(&r->who, YX_A_ADMIN, &site)) != 0)
        return yx_deny(r, YX_EFORBIDDEN);
    if (hub.facility_id == site.facility_id)
        return yx_fail_field(r, YX_EINVAL, "hub_id",
                             "Một cơ sở không hỗ trợ chính nó / a facility does not support itself.");
    int hr = rank(hub_level), sr = rank(site_level);
    if (hr >= 0 && sr >= 0 && hr < sr)
        return yx_fail_field(
            r, YX_EINVAL, "hub_id",
            "Cơ sở tuyến %s không hỗ trợ cơ sở tuyến %s / a %s facility cannot support a %s one.", hub_level,
            site_level, hub_level, site_level);
    const char *spec = yx_json_str(r->json, "specialty");
    rc = YX_DB_Q(r->db, &rows,
                 "INSERT INTO support_links (hub_id, site_id, specialty, created_at) "
                 "SELECT ?, ?, code, ? FROM specialties WHERE code = ? RETURNING id",
                 YX_PI(hub.facility_id), YX_PI(site.facility_id), YX_PI(yx_now_ms()), YX_PT(spec));
    if (rc == YX_ECONFLICT)
        rc = yx_fail(r, YX_ECONFLICT,
                     "Cơ sở này đã hỗ trợ cơ sở kia về %s / this hub already supports this site for %s.",
                     spec, spec);
    else if (rc == 0 && rows->nrows == 0)
        rc = yx_fail_field(r, YX_EINVAL, "specialty",
                           "Không có chuyên khoa '%.40s' / unknown specialty '%.40s'.", spec, spec);
    if (rc == 0) {
        yx_audit_target(r, yx_rows_int(rows, 0, 0));
        rc = yx_reply(r, 201,
                      json_pack("{s:I,s:I,s:I,s:s}", "id", (json_int_t)yx_rows_int(rows, 0, 0), "hub_id",
                                (json_int_t)hub.facility_id, "site_id", (json_int_t)site.facility_id,
                                "specialty", spec));
    }
    yx_rows_free(rows);
    return rc;
}

/* DELETE /api/v1/support-links/:id */
static int link_delete(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    struct yx_resource site;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_network_admin_any(r)) != 0 ||
        (rc = yx_no_body(r)) != 0)
        return rc;
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT site_id FROM support_links WHERE id = ?", YX_PI(id))) != 0)
        return rc;
    int64_t site_id = rows->nrows ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (!site_id)
        return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy liên kết hỗ trợ / no such support link.");
    if ((rc = yx_facility_resource(r, site_id, YX_RES_NETWORK, &site, NULL)) != 0)
        return rc;
    if ((rc = yx_authorize(&r->who, YX_A_ADMIN, &site)) != 0)
        return yx_deny(r, YX_EFORBIDDEN);
    if ((rc = YX_DB_Q(r->db, NULL, "DELETE FROM support_links WHERE id = ?", YX_PI(id))) != 0)
        return rc;
    return yx_reply(r, 200, json_pack("{s:b}", "ok", 1));
}

const struct yx_route yx_network_routes[] = {
    {"GET", "/api/v1/facilities/:id/network", network_get, 0, NULL, NULL, YX_ANYONE, NULL},
    {"POST", "/api/v1/support-links", link_create, 0, "network.link", "support_link",
     YX_ROLE_PROVINCE_ADMIN | YX_ROLE_MINISTRY_ADMIN, link_fields},
    {"DELETE", "/api/v1/support-links/:id", link_delete, 0, "network.unlink", "support_link",
     YX_ROLE_PROVINCE_ADMIN | YX_ROLE_MINISTRY_ADMIN, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
