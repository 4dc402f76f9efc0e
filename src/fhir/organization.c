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
    json_object_set_new(o, "address", json_pack("[o]", a));
    return o;
}

/* GET /fhir/Organization/:id */
static int organization_read(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows, SELECT "WHERE f.id = ?", YX_PI(id))) != 0)
        return rc;
    if (rows->nrows != 1) {
        yx_rows_free(rows);
        return yx_not_found(r);
    }
    json_t *o = organization(rows, 0);
    yx_rows_free(rows);
    return o ? yx_reply(r, 200, o) : YX_ENOMEM;
}

struct conditions {
    struct yx_buf sql;
    const char *v[16];
    int n;
};

static int take_param(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct conditions *c = ctx;
    const char *sql = NULL, *val = yx_arena_strdup(&r->arena, v);
    if (c->n >= 16)
        return yx_fail(r, YX_EINVAL, "Quá nhiều điều kiện / too many search conditions.");
    if (strcmp(name, "_id") == 0) {
        if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 18)
            return yx_buf_puts(&c->sql, " AND 1 = 0");
        sql = "f.id = CAST(? AS INTEGER)";
    } else if (strcmp(name, "identifier") == 0 || strcmp(name, "type") == 0) {
        const char *bar = strchr(v, '|');
        const char *sys = strcmp(name, "type") == 0 ? YX_FHIR_CS_LEVEL : YX_FHIR_SID_FACILITY;
        if (bar && bar != v && ((size_t)(bar - v) != strlen(sys) || strncmp(v, sys, strlen(sys)) != 0))
            return yx_buf_puts(&c->sql, " AND 1 = 0");
        val = yx_arena_strdup(&r->arena, bar ? bar + 1 : v);
        sql = strcmp(name, "type") == 0 ? "f.level = ?" : "f.code = ?";
    } else { /* name */
        if (!(val = yx_like_folded(r, v)) || strcmp(val, "%%") == 0)
            return yx_fail_field(r, YX_EINVAL, name, "Nhập ít nhất một chữ / type at least one letter.");
        sql = "f.name_folded LIKE ? ESCAPE '\\'";
    }
    c->v[c->n++] = val;
    return yx_buf_printf(&c->sql, " AND %s", sql);
}

/* GET /fhir/Organization */
static int organization_search(struct yx_req *r)
{
    struct conditions c = {.n = 0};
    struct yx_fhir_search s;
    struct yx_rows *rows = NULL;
    struct yx_param p[20];
    int rc, n = 0;
    yx_buf_init(&c.sql, 8192);
    if ((rc = yx_fhir_begin(r)) != 0 ||
        (rc = yx_fhir_search_parse(r, yx_fhir_organization_params, &s, take_param, &c)) != 0) {
        yx_buf_release(&c.sql);
        return rc;
    }
    char *sql = yx_arena_alloc(&r->arena, c.sql.len + 1024);
    p[n++] = YX_PI(s.after);
    for (int i = 0; i < c.n; i++)
        p[n++] = YX_PT(c.v[i]);
    p[n++] = YX_PI(s.count + 1);
    if (!sql || yx_snprintf(sql, c.sql.len + 1024, SELECT "WHERE f.id > ?%.*s ORDER BY f.id LIMIT ?",
                            (int)c.sql.len, c.sql.data ? c.sql.data : "") != 0)
        rc = YX_ENOMEM;
    yx_buf_release(&c.sql);
    if (rc == 0)
        rc = yx_db_exec(r->db, sql, p, n, &rows);
    if (rc) {
        yx_buf_release(&s.link);
        return rc;
    }
    json_t *entries = json_array();
    int64_t last = 0;
    for (int i = 0; i < rows->nrows && i < s.count; i++) {
        last = yx_rows_i64(rows, i, "id");
        json_array_append_new(entries, yx_fhir_entry(r, "Organization", last, organization(rows, i)));
    }
    int more = rows->nrows > s.count;
    yx_rows_free(rows);
    return yx_fhir_reply_bundle(r, "Organization", &s, entries, more, last);
}

const struct yx_route yx_fhir_organization_routes[] = {
    {"GET", "/fhir/Organization/:id", organization_read, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/fhir/Organization", organization_search, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
