/* FHIR Location (docs/fhir.md, "Location"): each facility's connection site as the data model
 * holds it — one a facility, so a Location's id is its facility's id and managingOrganization
 * that facility's Organization — with the site's name, its connection profile (video, low_video,
 * audio) and bandwidth, and the facility's address from the administrative units. The network is
 * readable by everyone signed in, as Organization and the REST facility routes: nothing asked of
 * yx_authorize() beyond the role, nothing audited. */
#include <string.h>

#include "fhir.h"

#define SELECT                                                                                               \
    "SELECT f.id, f.name, f.site_name, f.site_profile, f.site_bandwidth_kbps, f.phone, f.address, "          \
    "f.active, f.updated_at, u.name AS unit_name, pr.name AS province_name FROM facilities f JOIN "          \
    "admin_units u ON u.id = f.unit_id JOIN admin_units pr ON pr.id = f.province_id "

const struct yx_fhir_param yx_fhir_location_params[] = {
    {"_id", "token", "The site's id (its facility's)."},
    {"organization", "reference", "Organization/<id>: the facility whose site it is."},
    {"name", "string", "Any part of the facility's name, diacritics and case ignored."},
    {NULL, NULL, NULL},
};

static const char *profile_display(const char *profile)
{
    return strcmp(profile, "video") == 0       ? "Gọi video / video"
           : strcmp(profile, "low_video") == 0 ? "Video băng thông thấp / low-bandwidth video"
                                               : "Chỉ gọi thoại / audio only";
}

static json_t *location(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24];
    int64_t fid = yx_rows_i64(rows, i, "id");
    yx_snprintf(id, sizeof id, "%lld", (long long)fid);
    const char *name = yx_rows_str(rows, i, "name"), *site = yx_rows_str(rows, i, "site_name");
    const char *profile = yx_rows_str(rows, i, "site_profile");
    json_t *l = json_pack(
        "{s:s,s:s,s:o,s:s,s:s,s:s,s:[{s:s,s:{s:s,s:s,s:s}},{s:s,s:I}],s:o,s:o}", "resourceType", "Location",
        "id", id, "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "updated_at")), "status",
        yx_rows_i64(rows, i, "active") ? "active" : "inactive", "name", site && *site ? site : name, "mode",
        "instance", "extension", "url", YX_FHIR_EXT_SITE_PROFILE, "valueCoding", "system",
        YX_FHIR_CS_SITE_PROFILE, "code", profile, "display", profile_display(profile), "url",
        YX_FHIR_EXT_SITE_BANDWIDTH, "valueInteger", (json_int_t)yx_rows_i64(rows, i, "site_bandwidth_kbps"),
        "address", yx_fhir_facility_address(rows, i), "managingOrganization",
        yx_fhir_ref("Organization", fid, name));
    if (l && site && *site && strcmp(site, name) != 0)
        json_object_set_new(l, "alias", json_pack("[s]", name));
    const char *phone = yx_rows_str(rows, i, "phone");
    if (l && phone && *phone)
        json_object_set_new(l, "telecom",
                            json_pack("[{s:s,s:s,s:s}]", "system", "phone", "value", phone, "use", "work"));
    return l;
}

/* GET /fhir/Location/:id */
static int location_read(struct yx_req *r)
{
    return yx_fhir_read_one(r, NULL, SELECT "WHERE f.id = ?", location);
}

static const struct yx_fhir_ref location_refs[] = {
    {"_id", "Location", "f.id = ?"},
    {"organization", "Organization", "f.id = ?"},
    {NULL, NULL, NULL},
};

static int take_param(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(location_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    /* name: the folded name the facility list searches, served by the same column. */
    const char *like = yx_like_folded(r, v);
    if (!like || strcmp(like, "%%") == 0)
        return yx_fail_field(r, YX_EINVAL, name, "Nhập ít nhất một chữ / type at least one letter.");
    return yx_fhir_where(r, q, "f.name_folded LIKE ? ESCAPE '\\'", 1, YX_PT(like));
}

/* GET /fhir/Location */
static int location_search(struct yx_req *r)
{
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    return yx_fhir_search(r, "Location", yx_fhir_location_params, take_param, SELECT "WHERE 1 = 1", NULL, 0,
                          "f.id", location);
}

const struct yx_route yx_fhir_location_routes[] = {
    {"GET", "/fhir/Location/:id", location_read, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/fhir/Location", location_search, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
