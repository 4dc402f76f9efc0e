/* What every report shares: the place the caller reads (decided by yx_authorize(), YX_RES_REPORT),
 * the grouping asked for, nearest-rank percentiles, and the one JSON shape of docs/reports.md. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Looks up the facility or province asked for: its name, and a facility's province. An absent
 * one and one the caller may not read answer alike: 404 with yx_not_found()'s one message. */
static int place_lookup(struct yx_req *r, struct yx_report_place *place)
{
    struct yx_rows *rows = NULL;
    int rc = place->facility ? YX_DB_Q(r->db, &rows, "SELECT name, province_id FROM facilities WHERE id = ?",
                                       YX_PI(place->facility))
                             : YX_DB_Q(r->db, &rows,
                                       "SELECT name, id FROM admin_units WHERE id = ? AND level = 'province'",
                                       YX_PI(place->province));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        place->name = yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 0));
        struct yx_resource res = {
            .kind = YX_RES_REPORT, .facility_id = place->facility, .province_id = yx_rows_int(rows, 0, 1)};
        rc = place->name ? yx_authorize(&r->who, YX_A_READ, &res) : YX_ENOMEM;
    }
    yx_rows_free(rows);
    if (rc == YX_ENOTFOUND || rc == YX_EFORBIDDEN || rc == YX_EAUTH)
        return yx_deny(r, rc);
    return rc;
}

int yx_report_place_read(struct yx_req *r, struct yx_report_place *place)
{
    struct yx_scope mine;
    int64_t facility, province;
    int rc;
    *place = (struct yx_report_place){0};
    if ((rc = yx_query_id(r, "facility", &facility)) != 0 ||
        (rc = yx_query_id(r, "province", &province)) != 0)
        return rc;
    if (facility && province)
        return yx_fail_field(
            r, YX_EINVAL, "province",
            "Chọn province hoặc facility, không cả hai / give province or facility, not both.");
    if ((rc = yx_scope(&r->who, YX_RES_REPORT, &mine)) != 0)
        return yx_deny(r, rc);
    /* Nothing asked: the caller's own place. */
    if (!facility && !province) {
        if (mine.kind == YX_SCOPE_ALL) {
            *place = (struct yx_report_place){"country", 0, "Việt Nam", 0, 0};
            return 0;
        }
        facility = mine.kind == YX_SCOPE_FACILITY ? mine.id : 0;
        province = mine.kind == YX_SCOPE_PROVINCE ? mine.id : 0;
    }
    place->kind = facility ? "facility" : "province";
    place->id = facility ? facility : province;
    place->facility = facility;
    place->province = province;
    return place_lookup(r, place);
}

int yx_report_by_read(struct yx_req *r, const char *const *allowed, const char **by)
{
    *by = yx_query(r, "by");
    if (!*by || yx_one_of(*by, allowed))
        return 0;
    return yx_fail_field(
        r, YX_EINVAL, "by",
        "Nhóm theo không hợp lệ / by is facility, province, level_pair, urgency, specialty or "
        "kind.");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void yx_report_sort(int64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_i64);
}

int64_t yx_report_percentile(const int64_t *sorted, size_t n, int p)
{
    YX_ASSERT(n > 0 && p > 0 && p <= 100);
    size_t rank = ((size_t)p * n + 99) / 100; /* ceil(p * n / 100), at least 1 */
    return sorted[rank - 1];
}

json_t *yx_report_new(const char *name, const struct yx_report_period *p, const struct yx_report_place *place,
                      const char *by, const struct yx_report_column *columns)
{
    json_t *cols = json_array();
    for (const struct yx_report_column *c = columns; c->key; c++)
        json_array_append_new(cols, json_pack("{s:s,s:s,s:s}", "key", c->key, "label_vi", c->label_vi,
                                              "label_en", c->label_en));
    return json_pack("{s:s,s:{s:s,s:s,s:s},s:{s:s,s:o,s:s},s:o,s:o,s:[],s:n}", "report", name, "period",
                     "from", p->from, "to", p->to, "tz", "Asia/Ho_Chi_Minh", "scope", "kind", place->kind,
                     "id", place->id ? json_integer(place->id) : json_null(), "name", place->name, "by",
                     yx_json_str_or_null(by), "columns", cols, "rows", "totals");
}
