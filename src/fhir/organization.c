/* FHIR Organization (docs/fhir.md, "Organization"): the facilities of the network, read and
 * searched. The network is readable by everyone signed in (docs/architecture.md), so these routes
 * ask nothing of yx_authorize() beyond the role and are not audited, as the REST ones. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"

#define SELECT                                                                                               \
    "SELECT f.id, f.code, f.name, f.level, f.phone, f.address, f.active, f.updated_at, u.name AS "           \
    "unit_name, "                                                                                            \
    "pr.name AS province_name FROM facilities f JOIN admin_units u ON u.id = f.unit_id "                     \
    "JOIN admin_units pr ON pr.id = f.province_id "

const struct yx_fhir_param yx_fhir_organization_params[] = {
    {"_id", "token", "The facility's id."},
    {"identifier", "token", "The facility's code (system " YX_FHIR_SID_FACILITY ")."},
    {"name", "string", "Any part of the name, diacritics and case ignored."},
    {"type", "token",
     "The level: central, provincial, district, commune, private (system " YX_FHIR_CS_LEVEL ")."},
    {NULL, NULL, NULL},
};

static const char *level_display(const char *level)
{
    static const char *const names[][2] = {{"central", "Tuyến trung ương"},
                                           {"provincial", "Tuyến tỉnh"},
                                           {"district", "Tuyến huyện / khu vực"},
                                           {"commune", "Tuyến xã"},
                                           {"private", "Cơ sở tư nhân"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], level) == 0)
            return names[i][1];
    return level;
}

json_t *yx_fhir_facility_address(const struct yx_rows *rows, int i)
{
    const char *street = yx_rows_str(rows, i, "address");
    struct yx_buf t;
    yx_buf_init(&t, 4096);
    yx_buf_printf(&t, "%s%s%s, %s", street && *street ? street : "", street && *street ? ", " : "",
                  yx_rows_str(rows, i, "unit_name"), yx_rows_str(rows, i, "province_name"));
    json_t *a = json_pack("{s:s,s:s%,s:s,s:s,s:s}", "use", "work", "text", t.data ? t.data : "", t.len,
                          "city", yx_rows_str(rows, i, "unit_name"), "state",
                          yx_rows_str(rows, i, "province_name"), "country", "VN");
    yx_buf_release(&t);
    if (street && *street)
        json_object_set_new(a, "line", json_pack("[s]", street));
    return a;
}

static json_t *organization(const struct yx_rows *rows, int i)
{
    char id[24];
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    const char *level = yx_rows_str(rows, i, "level");
    json_t *meta = json_object();
    char at[32];
    yx_time_format(yx_rows_i64(rows, i, "updated_at"), at);
    json_object_set_new(meta, "lastUpdated", json_string(at));
    json_t *o =
        json_pack("{s:s,s:s,s:o,s:[{s:s,s:s}],s:b,s:[{s:[{s:s,s:s,s:s}],s:s}],s:s}", "resourceType",
                  "Organization", "id", id, "meta", meta, "identifier", "system", YX_FHIR_SID_FACILITY,
                  "value", yx_rows_str(rows, i, "code"), "active", (int)yx_rows_i64(rows, i, "active"),
                  "type", "coding", "system", YX_FHIR_CS_LEVEL, "code", level, "display",
                  level_display(level), "text", level_display(level), "name", yx_rows_str(rows, i, "name"));
    const char *phone = yx_rows_str(rows, i, "phone");
    if (phone && *phone)
        json_object_set_new(o, "telecom",
                            json_pack("[{s:s,s:s,s:s}]", "system", "phone", "value", phone, "use", "work"));
    json_t *a = yx_fhir_facility_address(rows, i);
    json_object_set_new(o, "address", json_pack("[o]", a));
    return o;
}

/* Row i as its Organization (for the read and the search). */
static json_t *organization_row(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    return organization(rows, i);
}

/* GET /fhir/Organization/:id */
static int organization_read(struct yx_req *r)
{
    return yx_fhir_read_one(r, NULL, SELECT "WHERE f.id = ?", organization_row);
}

static const struct yx_fhir_ref organization_refs[] = {
    {"_id", "Organization", "f.id = ?"},
    {NULL, NULL, NULL},
};

static int take_param(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(organization_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "identifier") == 0 || strcmp(name, "type") == 0) {
        int type = strcmp(name, "type") == 0;
        const char *code = yx_fhir_token(r, v, type ? YX_FHIR_CS_LEVEL : YX_FHIR_SID_FACILITY);
        if (!code)
            return yx_fhir_nobody(q);
        return yx_fhir_where(r, q, type ? "f.level = ?" : "f.code = ?", 1, YX_PT(code));
    }
    /* name */
    const char *like = yx_like_folded(r, v);
    if (!like || strcmp(like, "%%") == 0)
        return yx_fail_field(r, YX_EINVAL, name, "Nhập ít nhất một chữ / type at least one letter.");
    return yx_fhir_where(r, q, "f.name_folded LIKE ? ESCAPE '\\'", 1, YX_PT(like));
}

/* GET /fhir/Organization */
static int organization_search(struct yx_req *r)
{
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    return yx_fhir_search(r, "Organization", yx_fhir_organization_params, take_param, SELECT "WHERE 1 = 1",
                          NULL, 0, "f.id", organization_row);
}

const struct yx_route yx_fhir_organization_routes[] = {
    {"GET", "/fhir/Organization/:id", organization_read, 0, NULL, NULL, YX_ANYONE | YX_ROLE_SYSTEM, NULL},
    {"GET", "/fhir/Organization", organization_search, 0, NULL, NULL, YX_ANYONE | YX_ROLE_SYSTEM, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* $export's Organization: the export's places' facilities (the network is public; an export names
 * the facilities its patients are managed by). */
const struct yx_fhir_export yx_fhir_organization_export = {"Organization",
                                                           SELECT "WHERE 1 = 1",
                                                           "f.id",
                                                           "facilities f",
                                                           "+f.id",
                                                           "+f.updated_at",
                                                           0,
                                                           organization_row,
                                                           NULL};
