/* What every report shares: the place the caller reads (decided by yx_authorize(), YX_RES_REPORT),
 * the grouping asked for, nearest-rank percentiles, and the one JSON shape of docs/reports.md. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "report.h"

/* Looks up the facility or province asked for: its name, and a facility's province. An absent
 * one and one the caller may not read answer alike: 404 with yx_not_found()'s one message. */
static int place_lookup(struct yx_req *r, struct yx_report_place *place)
{
    struct yx_rows *rows = NULL;
    /* A place is authorized as part of today's province: a facility filed under an abolished
     * province and an old province itself belong to its successor. */
    int rc =
        place->facility
            ? YX_DB_Q(r->db, &rows,
                      "SELECT f.name, fp.province_id FROM facilities f" YX_REPORT_PLACE_JOIN(
                          "fp", "f") "WHERE f.id = ?",
                      YX_PI(place->facility))
            : YX_DB_Q(r->db, &rows,
                      "SELECT name, COALESCE(successor_id, id) FROM admin_units WHERE id = ? AND level = "
                      "'province'",
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
    const char *as = yx_query(r, "as");
    if (as && strcmp(as, "pre2025") != 0 && strcmp(as, "2025") != 0)
        return yx_fail_field(r, YX_EINVAL, "as",
                             "Địa giới là 2025 (hiện nay) hoặc pre2025 (trước sắp xếp 2025) / as is 2025 "
                             "(today's provinces) or pre2025 (the 63 before the 2025 reform).");
    int pre2025 = as && strcmp(as, "pre2025") == 0;
    if (facility && province)
        return yx_fail_field(
            r, YX_EINVAL, "province",
            "Chọn province hoặc facility, không cả hai / give province or facility, not both.");
    if ((rc = yx_scope(&r->who, YX_RES_REPORT, &mine)) != 0)
        return yx_deny(r, rc);
    /* Nothing asked: the caller's own place. */
    if (!facility && !province) {
        if (mine.kind == YX_SCOPE_ALL) {
            *place = (struct yx_report_place){"country", 0, "Việt Nam", 0, 0, pre2025};
            return 0;
        }
        facility = mine.kind == YX_SCOPE_FACILITY ? mine.id : 0;
        province = mine.kind == YX_SCOPE_PROVINCE ? mine.id : 0;
    }
    place->kind = facility ? "facility" : "province";
    place->id = facility ? facility : province;
    place->facility = facility;
    place->province = province;
    place->pre2025 = pre2025;
    return place_lookup(r, place);
}

/* Reads `by`, which must name one of groupings (*g NULL when absent); the 400 lists them. */
static int by_read(struct yx_req *r, const struct yx_report_grouping *groupings,
                   const struct yx_report_grouping **g)
{
    char list[200] = "";
    const char *by = yx_query(r, "by");
    *g = NULL;
    for (size_t i = 0; by && groupings[i].by; i++)
        if (strcmp(groupings[i].by, by) == 0)
            *g = &groupings[i];
    if (!by || *g)
        return 0;
    /* The message names the groupings of this report, from its own table. */
    for (size_t i = 0, used = 0; groupings[i].by && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", groupings[i].by);
    return yx_fail_field(r, YX_EINVAL, "by", "Nhóm theo (by) là một trong %s / by is one of %s.", list, list);
}

int yx_report_coarse(struct yx_req *r, const struct yx_report_place *place,
                     const struct yx_report_grouping *g, int *coarse)
{
    struct yx_rows *rows = NULL;
    int rc = 0;
    *coarse = !place->facility && !place->pre2025 && !(g && g->by && strcmp(g->by, "facility") == 0);
    if (!*coarse || !place->province)
        return 0;
    rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM admin_units WHERE id = ? AND successor_id IS NOT NULL",
                 YX_PI(place->province));
    if (rc == 0 && rows->nrows)
        *coarse = 0;
    yx_rows_free(rows);
    return rc;
}

int yx_report_facility_alone(const struct yx_report_period *p, const struct yx_report_grouping *g,
                             const struct yx_report_filters *f, struct yx_report_quarters *q)
{
    struct yx_report_spans s;
    yx_report_spans(p, &s);
    yx_report_spans_quarters(&s, q);
    /* The rollups by facility alone keep months, quarters and years only: a period with days
     * besides its whole months reads the rollups with days, as does anything finer than the
     * facility. */
    if (s.lead_from != s.lead_until || s.tail_from != s.tail_until || (f->specialty && *f->specialty))
        return 0;
    return !g || !g->by || strcmp(g->by, "facility") == 0 || strcmp(g->by, "province") == 0;
}

const struct yx_report_grouping *yx_report_grouping_as(const struct yx_report_grouping *g,
                                                       const struct yx_report_place *place)
{
    static const struct yx_report_grouping current = YX_REPORT_BY_PROVINCE;
    static const struct yx_report_grouping pre2025 = {"province", "fp.old_province_id",
                                                      "fp.old_province_name", 1};
    if (g && g->key && place->pre2025 && strcmp(g->key, current.key) == 0)
        return &pre2025;
    return g;
}

/* The codes a report's rows are keyed by, named Vietnamese then English: facility levels, roles,
 * visit modes, consultation urgencies and kinds, and a case no hub has yet. */
static const char *const code_names[][2] = {
    {"emergency", "Cấp cứu / emergency"},
    {"urgent", "Khẩn / urgent"},
    {"routine", "Thường quy / routine"},
    {"general", "Tổng quát / general"},
    {"imaging", "Chẩn đoán hình ảnh / imaging"},
    {"pathology", "Giải phẫu bệnh / pathology"},
    {"surgical", "Ngoại khoa / surgical"},
    {"ecg", "Điện tim / ECG"},
    {"central", "Trung ương / central"},
    {"provincial", "Tỉnh / provincial"},
    {"district", "Huyện / district"},
    {"commune", "Xã / commune"},
    {"private", "Tư nhân / private"},
    {"none", "Chưa có nơi nhận / no hub yet"},
    {"health_worker", "Nhân viên y tế / health worker"},
    {"doctor", "Bác sĩ / doctor"},
    {"specialist", "Bác sĩ chuyên khoa / specialist"},
    {"trainer", "Giảng viên / trainer"},
    {"facility_admin", "Quản trị cơ sở / facility administrator"},
    {"province_admin", "Quản trị tỉnh / province administrator"},
    {"ministry_admin", "Quản trị Bộ Y tế / ministry administrator"},
    {"video", "Gọi video / video"},
    {"audio", "Gọi thoại / audio"},
    {"chat", "Nhắn tin / chat"},
    {"assisted", "Tại trạm, có nhân viên y tế hỗ trợ / at a station with a health worker"},
};

const char *yx_report_code_name(const char *code, const char *otherwise)
{
    for (size_t i = 0; i < sizeof code_names / sizeof code_names[0]; i++)
        if (strcmp(code_names[i][0], code) == 0)
            return code_names[i][1];
    return otherwise;
}

json_t *yx_report_key(const struct yx_report_grouping *g, const char *id, const char *name)
{
    if (g->numeric)
        return json_pack("{s:I,s:s}", "id", (json_int_t)strtoll(id, NULL, 10), "name", name);
    return json_pack("{s:s,s:s}", "id", id, "name", yx_report_code_name(id, name));
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

json_t *yx_report_columns_json(const struct yx_report_column *columns)
{
    json_t *cols = json_array();
    for (const struct yx_report_column *c = columns; c->key; c++)
        json_array_append_new(cols, json_pack("{s:s,s:s,s:s}", "key", c->key, "label_vi", c->label_vi,
                                              "label_en", c->label_en));
    return cols;
}

json_t *yx_report_head(const char *name, const struct yx_report_period *p,
                       const struct yx_report_place *place)
{
    return json_pack("{s:s,s:{s:s,s:s,s:s},s:{s:s,s:o,s:s},s:s}", "report", name, "period", "from", p->from,
                     "to", p->to, "tz", "Asia/Ho_Chi_Minh", "scope", "kind", place->kind, "id",
                     place->id ? json_integer(place->id) : json_null(), "name", place->name, "as",
                     place->pre2025 ? "pre2025" : "2025");
}

json_t *yx_report_new(const char *name, const struct yx_report_period *p, const struct yx_report_place *place,
                      const char *by, const struct yx_report_column *columns)
{
    json_t *out = yx_report_head(name, p, place);
    if (out &&
        json_object_update_new(out, json_pack("{s:o,s:o,s:[],s:n}", "by", yx_json_str_or_null(by), "columns",
                                              yx_report_columns_json(columns), "rows", "totals")) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *yx_report_minutes(const int64_t *sorted, size_t n, int p)
{
    return n ? json_real((double)yx_report_percentile(sorted, n, p) / 60000.0) : json_null();
}

int64_t yx_report_wait_bucket(int64_t ms)
{
    if (ms < 0)
        return 0;
    if (ms < 7200000)
        return ms / 60000;
    if (ms < 86400000)
        return ms / 600000 * 10;
    if (ms < 604800000)
        return ms / 3600000 * 60;
    return ms / 86400000 * 1440;
}

json_t *yx_report_wait_percentile(const struct yx_report_wait *w, size_t nw, int p)
{
    int64_t total = 0, seen = 0;
    for (size_t i = 0; i < nw; i++)
        total += w[i].n;
    if (total == 0)
        return json_null();
    int64_t rank = ((int64_t)p * total + 99) / 100;
    for (size_t i = 0; i < nw; i++)
        if ((seen += w[i].n) >= rank)
            return json_real((double)w[i].minutes);
    return json_null();
}

/* Reads `format` (json, csv, xlsx, dhis2; absent: CSV when the Accept header asks for text/csv,
 * XLSX when it asks for YX_REPORT_XLSX_TYPE, else JSON). 400 naming format otherwise. */
static int format_read(struct yx_req *r, enum yx_report_format *format)
{
    static const char *const names[] = {"json", "csv", "xlsx", "dhis2"};
    const char *asked = yx_query(r, "format");
    if (!asked) {
        *format = YX_REPORT_JSON;
        if (r->accept && strstr(r->accept, "text/csv") != NULL)
            *format = YX_REPORT_CSV;
        else if (r->accept && strstr(r->accept, YX_REPORT_XLSX_TYPE) != NULL)
            *format = YX_REPORT_XLSX;
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(asked, names[i]) == 0) {
            *format = (enum yx_report_format)i;
            return 0;
        }
    return yx_fail_field(r, YX_EINVAL, "format",
                         "Định dạng là json, csv, xlsx hoặc dhis2 / format is json, csv, xlsx or dhis2.");
}

/* Does the caller read English (Accept-Language, as the server's messages)? Vietnamese otherwise. */
static int english(const struct yx_req *r)
{
    return yx_wants_english(r);
}

/* A CSV cell of text: always quoted, quotes doubled (RFC 4180). */
static int csv_text(struct yx_buf *b, const char *s)
{
    int rc = yx_buf_puts(b, "\"");
    for (const char *q; rc == 0 && s && (q = strchr(s, '"')) != NULL; s = q + 1)
        if ((rc = yx_buf_append(b, s, (size_t)(q - s))) == 0)
            rc = yx_buf_puts(b, "\"\"");
    if (rc == 0 && s)
        rc = yx_buf_puts(b, s);
    return rc ? rc : yx_buf_puts(b, "\"");
}

/* Small cells: a count from 1 to 4 — of people, visits or cases, which in a commune can point at a
 * person — leaves the system as "<5"; so does a median or share computed over 1 to 4 of them. */
static int small(json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 4;
}

int yx_report_small(const struct yx_report_column *c, json_t *values)
{
    if (c->kind == YX_REPORT_THINGS)
        return YX_REPORT_SHOWN;
    /* A figure computed over people or cases (a median, a share, credit hours) is as small as they
     * are; a part is a count of its own. */
    int over_base = c->base && c->kind != YX_REPORT_PART;
    if (small(json_object_get(values, over_base ? c->base : c->key)))
        return YX_REPORT_SMALL;
    return json_is_true(json_object_get(json_object_get(values, "_masked"), c->key)) ? YX_REPORT_MASKED
                                                                                     : YX_REPORT_SHOWN;
}

/* Marks the figure of column key in values as masked. */
static void mask(json_t *values, const char *key)
{
    json_t *m = json_object_get(values, "_masked");
    if (!m && json_object_set_new(values, "_masked", m = json_object()) != 0)
        return;
    json_object_set_new(m, key, json_true());
}

/* The column rule: a small cell alone among the rows of a count column. 1 when it masked one. */
static int mask_columns(json_t *rows, json_t *totals, const struct yx_report_column *columns)
{
    size_t n = json_array_size(rows);
    int masked = 0;
    if (n < 2)
        return 0;
    for (const struct yx_report_column *c = columns; c->key; c++) {
        if ((c->kind != YX_REPORT_COUNT && c->kind != YX_REPORT_PART) || yx_report_small(c, totals))
            continue;
        size_t hidden = 0, pick = n;
        json_int_t least = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *values = json_object_get(json_array_get(rows, i), "values");
            json_t *v = json_object_get(values, c->key);
            if (yx_report_small(c, values))
                hidden++;
            else if (json_is_integer(v) && json_integer_value(v) > 0 &&
                     (pick == n || json_integer_value(v) < least)) {
                pick = i;
                least = json_integer_value(v);
            }
        }
        if (hidden != 1)
            continue;
        mask(pick < n ? json_object_get(json_array_get(rows, pick), "values") : totals, c->key);
        masked = 1;
    }
    return masked;
}

/* The row rule in one values object: a small part alone among the parts of its base. 1 when it
 * masked one. */
static int mask_parts(json_t *values, const struct yx_report_column *columns)
{
    int masked = 0;
    for (const struct yx_report_column *t = columns; t->key; t++) {
        const struct yx_report_column *pick = NULL;
        size_t hidden = 0, parts = 0;
        json_int_t least = 0;
        for (const struct yx_report_column *c = columns; c->key; c++) {
            if (c->kind != YX_REPORT_PART || !c->base || strcmp(c->base, t->key) != 0)
                continue;
            json_t *v = json_object_get(values, c->key);
            parts++;
            if (yx_report_small(c, values))
                hidden++;
            else if (json_is_integer(v) && json_integer_value(v) > 0 &&
                     (!pick || json_integer_value(v) < least)) {
                pick = c;
                least = json_integer_value(v);
            }
        }
        if (parts < 2 || hidden != 1 || yx_report_small(t, values))
            continue;
        mask(values, pick ? pick->key : t->key);
        masked = 1;
    }
    return masked;
}

/* The column named key, or NULL. */
static const struct yx_report_column *column_named(const struct yx_report_column *columns, const char *key)
{
    for (const struct yx_report_column *c = columns; c->key; c++)
        if (strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

/* Is the rate c of values to be masked: its base masked, or a part of its base hidden? And when
 * its base is itself a part (a share of the whole its parts make up, refused_pct), another part of
 * that whole hidden: the rate gives it back from the part shown, unless it is 0, which says only
 * that its numerator is 0. */
static int rate_gives_away(const struct yx_report_column *columns, const struct yx_report_column *c,
                           json_t *values)
{
    if (yx_report_small(c, values) != YX_REPORT_SHOWN)
        return 0;
    const struct yx_report_column *share = column_named(columns, c->base);
    json_t *rate = json_object_get(values, c->key);
    if (share && (share->kind != YX_REPORT_PART || !share->base || json_number_value(rate) == 0.0))
        share = NULL;
    for (const struct yx_report_column *b = columns; b->key; b++)
        if ((strcmp(b->key, c->base) == 0 ||
             (b->kind == YX_REPORT_PART && b->base &&
              (strcmp(b->base, c->base) == 0 || (share && strcmp(b->base, share->base) == 0)))) &&
            yx_report_small(b, values) != YX_REPORT_SHOWN)
            return 1;
    return 0;
}

void yx_report_mask(json_t *report, const struct yx_report_column *columns)
{
    json_t *rows = json_object_get(report, "rows"), *totals = json_object_get(report, "totals"), *row;
    size_t i;
    int again = 1;
    if (!json_is_object(totals))
        return;
    /* Each round masks at least one more cell, so this ends within the number of cells. */
    while (again) {
        again = mask_columns(rows, totals, columns);
        json_array_foreach(rows, i, row) again |= mask_parts(json_object_get(row, "values"), columns);
        again |= mask_parts(totals, columns);
    }
    /* A rate beside a hidden numerator or base: the one is the other times or over the rate. */
    for (const struct yx_report_column *c = columns; c->key; c++) {
        if (c->kind != YX_REPORT_PERCENT || !c->base)
            continue;
        json_array_foreach(rows, i, row)
        {
            json_t *values = json_object_get(row, "values");
            if (rate_gives_away(columns, c, values))
                mask(values, c->key);
        }
        if (rate_gives_away(columns, c, totals))
            mask(totals, c->key);
    }
}

int yx_report_cell(const struct yx_report_column *c, json_t *values, char *out, size_t size)
{
    json_t *v = json_object_get(values, c->key);
    int hidden = yx_report_small(c, values);
    if (hidden)
        return yx_snprintf(out, size, "%s", hidden == YX_REPORT_SMALL ? "<5" : "x");
    if (json_is_integer(v))
        return yx_snprintf(out, size, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return yx_snprintf(out, size, "%.10g", json_real_value(v));
    return yx_snprintf(out, size, "%s", "");
}

/* A CSV cell of a figure (yx_report_cell). */
static int csv_value(struct yx_buf *b, const struct yx_report_column *c, json_t *values)
{
    char cell[64];
    int rc = yx_report_cell(c, values, cell, sizeof cell);
    return rc ? rc : yx_buf_puts(b, cell);
}

static int csv_line(struct yx_buf *b, const char *name, const struct yx_report_column *columns,
                    json_t *values)
{
    int rc = csv_text(b, name);
    for (const struct yx_report_column *c = columns; rc == 0 && c->key; c++)
        if ((rc = yx_buf_puts(b, ",")) == 0)
            rc = csv_value(b, c, values);
    return rc ? rc : yx_buf_puts(b, "\r\n");
}

/* The period in a file name: 2026-11 for a whole month, the day for one day, else from_to. */
static void period_slug(json_t *period, char *out, size_t size)
{
    const char *from = json_string_value(json_object_get(period, "from"));
    const char *to = json_string_value(json_object_get(period, "to"));
    struct yx_report_period month;
    char text[16];
    snprintf(text, sizeof text, "month:%.7s", from);
    if (strcmp(from, to) == 0)
        snprintf(out, size, "%s", from);
    else if (yx_report_period_parse(text, &month) == 0 && strcmp(month.from, from) == 0 &&
             strcmp(month.to, to) == 0)
        snprintf(out, size, "%.7s", from);
    else
        snprintf(out, size, "%s_%s", from, to);
}

int yx_report_xlsx_reply(struct yx_req *r, json_t *const *reports,
                         const struct yx_report_column *const *columns, size_t n, const char *stem)
{
    char slug[32], disposition[120], *data = NULL;
    size_t len = 0;
    int en = english(r);
    int rc = yx_report_xlsx(reports, n, columns, en, &data, &len);
    if (rc == YX_EINTERNAL)
        rc = yx_fail(r, rc, "Không tạo được tệp XLSX / the XLSX file could not be made.");
    if (rc == 0) {
        period_slug(json_object_get(reports[0], "period"), slug, sizeof slug);
        snprintf(disposition, sizeof disposition, "attachment; filename=\"bao-cao-%s-%s.xlsx\"", stem, slug);
        rc = yx_reply_header(r, "Content-Disposition", disposition);
    }
    if (rc == 0) {
        rc = yx_reply_raw(r, 200, YX_REPORT_XLSX_TYPE, data, len);
        data = NULL;
    }
    free(data);
    return rc;
}

/* The XLSX answer of one report (taken). */
static int xlsx_reply(struct yx_req *r, json_t *out, const struct yx_report_column *columns, const char *stem)
{
    int rc = yx_report_xlsx_reply(r, &out, &columns, 1, stem);
    json_decref(out);
    return rc;
}

/* Answers with the report out (taken) of source s in format: as it is; as CSV — UTF-8 with a BOM, a
 * header of the labels (English when Accept-Language starts with en), one line per row and a
 * totals line, small cells written "<5" — or as XLSX (yx_report_xlsx), each as an attachment named
 * "bao-cao-<stem>-<period>.<csv|xlsx>"; or as DHIS2's dataValueSets (export.c). */
static int reply(struct yx_req *r, json_t *out, const struct yx_report_source *s,
                 enum yx_report_format format)
{
    const struct yx_report_column *columns = s->columns;
    const struct yx_report_names *names = s->names;
    if (format == YX_REPORT_JSON)
        return yx_reply(r, 200, out);
    if (format == YX_REPORT_XLSX)
        return xlsx_reply(r, out, columns, names->stem);
    if (format == YX_REPORT_DHIS2)
        return yx_report_dhis2_reply(r, out, columns, names->dhis2);
    /* Each writer of data that leaves the system masks first: the CSV here, the others in theirs. */
    yx_report_mask(out, columns);
    const char *stem = names->stem;
    struct yx_buf b;
    char slug[32], disposition[120];
    int en = english(r);
    const char *by = json_string_value(json_object_get(out, "by"));
    size_t i;
    json_t *row;
    /* A year of a province by facility is a few hundred lines; 8 MiB is far above any of them. */
    yx_buf_init(&b, 8u << 20);
    int rc = yx_buf_puts(&b, "\xEF\xBB\xBF"); /* the BOM: Excel then reads UTF-8 */
    if (rc == 0)
        rc = csv_text(&b, en ? (by ? by : "place") : (by ? "Nhóm" : "Nơi"));
    for (const struct yx_report_column *c = columns; rc == 0 && c->key; c++)
        if ((rc = yx_buf_puts(&b, ",")) == 0)
            rc = csv_text(&b, en ? c->label_en : c->label_vi);
    if (rc == 0)
        rc = yx_buf_puts(&b, "\r\n");
    json_array_foreach(json_object_get(out, "rows"), i, row)
    {
        if (rc == 0)
            rc = csv_line(&b, json_string_value(json_object_get(json_object_get(row, "key"), "name")),
                          columns, json_object_get(row, "values"));
    }
    if (rc == 0)
        rc = csv_line(&b, en ? "Total" : "Tổng cộng", columns, json_object_get(out, "totals"));
    period_slug(json_object_get(out, "period"), slug, sizeof slug);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"bao-cao-%s-%s.csv\"", stem, slug);
    if (rc == 0)
        rc = yx_reply_header(r, "Content-Disposition", disposition);
    json_decref(out);
    if (rc != 0) {
        yx_buf_release(&b);
        return rc;
    }
    size_t len;
    char *data = yx_buf_detach(&b, &len);
    return data ? yx_reply_raw(r, 200, "text/csv; charset=utf-8", data, len) : YX_ENOMEM;
}

int yx_report_request_read(struct yx_req *r, const struct yx_report_grouping *groupings,
                           enum yx_report_format *format, struct yx_report_period *p,
                           const struct yx_report_grouping **g, struct yx_report_place *place)
{
    char dhis2[16];
    int rc;
    if ((rc = format_read(r, format)) != 0 || (rc = yx_report_period_read(r, p)) != 0)
        return rc;
    if (*format == YX_REPORT_DHIS2 && yx_report_dhis2_period(p, dhis2) != 0)
        return yx_fail_field(r, YX_EINVAL, "period",
                             "DHIS2 chỉ nhận kỳ ngày, tuần, tháng, quý hoặc năm / DHIS2 takes a day, week, "
                             "month, quarter or year, not a range of days.");
    if ((rc = by_read(r, groupings, g)) != 0 || (rc = yx_report_place_read(r, place)) != 0)
        return rc;
    if (*format == YX_REPORT_DHIS2 && *g && strcmp((*g)->by, "month") == 0)
        return yx_fail_field(r, YX_EINVAL, "by",
                             "DHIS2 nhận từng tháng một, không theo tháng / DHIS2 takes one month at a "
                             "time: ask period=month:… instead of by=month.");
    *g = yx_report_grouping_as(*g, place);
    /* DHIS2 files every value under an organisation unit's code; the country has none in ytexa. */
    if (*format == YX_REPORT_DHIS2 && place->kind && strcmp(place->kind, "country") == 0 &&
        !(*g && (strcmp((*g)->by, "facility") == 0 || strcmp((*g)->by, "province") == 0)))
        return yx_fail_field(r, YX_EINVAL, "province",
                             "DHIS2 cần một đơn vị có mã: chọn province, facility hoặc by=province / DHIS2 "
                             "needs a unit with a code: give province or facility, or by=province or "
                             "by=facility.");
    return 0;
}

/* The levels a facility has (the CHECK of facilities.level): the only values `level` takes. */
static const char *const levels[] = {"central", "provincial", "district", "commune", "private", NULL};

/* The longest specialty code looked up; the specialties table's codes are short words. */
#define SPECIALTY_MAX 40

int yx_report_filters_read(struct yx_req *r, unsigned offered, struct yx_report_filters *f)
{
    const char *level = yx_query(r, "level"), *specialty = yx_query(r, "specialty");
    struct yx_rows *rows = NULL;
    int rc, known = 0;
    *f = (struct yx_report_filters){"", "", 0};
    if (level && !(offered & YX_REPORT_BY_LEVEL))
        return yx_fail_field(r, YX_EINVAL, "level",
                             "Báo cáo này không lọc theo tuyến / this report has no level filter.");
    if (specialty && !(offered & YX_REPORT_BY_SPECIALTY))
        return yx_fail_field(r, YX_EINVAL, "specialty",
                             "Báo cáo này không lọc theo chuyên khoa / this report has no specialty filter.");
    for (size_t i = 0; level && levels[i]; i++)
        known |= strcmp(levels[i], level) == 0;
    if (level && !known)
        return yx_fail_field(r, YX_EINVAL, "level",
                             "Tuyến không hợp lệ / level is one of central, provincial, district, commune, "
                             "private.");
    if (level)
        f->level = level;
    if (!specialty)
        return 0;
    /* The list is the specialties table; a code longer than any of them is not looked up. */
    if (!*specialty || strlen(specialty) > SPECIALTY_MAX)
        rc = YX_ENOTFOUND;
    else if ((rc = YX_DB_Q(r->db, &rows, "SELECT code FROM specialties WHERE code = ?", YX_PT(specialty))) ==
                 0 &&
             rows->nrows != 1)
        rc = YX_ENOTFOUND;
    yx_rows_free(rows);
    if (rc == YX_ENOTFOUND)
        return yx_fail_field(
            r, YX_EINVAL, "specialty",
            "Chuyên khoa không có trong danh mục / specialty is not a known specialty code.");
    if (rc == 0)
        f->specialty = specialty;
    return rc;
}

int yx_report_within(const struct yx_rows *rows, int i, const char *col, const struct yx_report_period *p)
{
    if (yx_rows_null(rows, i, col))
        return 0;
    int64_t at = yx_rows_i64(rows, i, col);
    return at >= p->from_ms && at < p->until_ms;
}

int yx_report_build(struct yx_req *r, const struct yx_report_source *s, const struct yx_report_period *p,
                    const struct yx_report_grouping *g, const struct yx_report_place *place,
                    const struct yx_report_filters *filters, json_t **out)
{
    yx_db_plan_each(r->db, 1);
    int rc = s->build(r, p, g, place, filters, out);
    yx_db_plan_each(r->db, 0);
    return rc;
}

/* Trends: by=month (report.h, YX_REPORT_BY_MONTH). */

/* Builds report s of the place over p by month (report.h, YX_REPORT_BY_MONTH) into *out
 * (yx_report_new's shape): the whole period's report with one row a month of it, each the totals
 * over that month's part of the period. */
static int build_months(struct yx_req *r, const struct yx_report_source *s, const struct yx_report_period *p,
                        const struct yx_report_place *place, const struct yx_report_filters *filters,
                        json_t **out)
{
    json_t *whole = NULL, *part = NULL, *rows;
    struct yx_report_filters month = *filters;
    int rc;
    *out = NULL;
    month.totals_only = 1;
    /* The whole period first: its totals, and whatever else the report answers, are the period's. */
    if ((rc = yx_report_build(r, s, p, NULL, place, filters, &whole)) != 0)
        goto out;
    rc = YX_EINTERNAL;
    if (!(rows = json_object_get(whole, "rows")) || json_array_clear(rows) != 0 ||
        json_object_set_new(whole, "by", json_string("month")) != 0)
        goto out;
    rc = 0;
    for (int64_t mo = yx_report_vn_month(p->from_ms); rc == 0 && mo <= yx_report_vn_month(p->until_ms - 1);
         mo++) {
        int y = (int)(mo / 12), m = (int)(mo % 12) + 1;
        char id[8], name[8];
        struct yx_report_period sub;
        if ((rc = yx_snprintf(id, sizeof id, "%04d-%02d", y, m)) != 0 ||
            (rc = yx_snprintf(name, sizeof name, "%02d/%04d", m, y)) != 0 ||
            (rc = yx_report_period_month_part(p, mo, &sub)) != 0 ||
            (rc = yx_report_build(r, s, &sub, NULL, place, &month, &part)) != 0)
            break;
        json_t *values = json_object_get(part, "totals");
        if (!values || json_array_append_new(rows, json_pack("{s:{s:s,s:s},s:O}", "key", "id", id, "name",
                                                             name, "values", values)) != 0)
            rc = YX_EINTERNAL;
        json_decref(part);
        part = NULL;
    }
out:
    if (rc == 0)
        *out = whole;
    else
        json_decref(whole);
    return rc;
}

int yx_report_serve(struct yx_req *r, const struct yx_report_source *s)
{
    struct yx_report_period p;
    struct yx_report_place place;
    struct yx_report_filters filters;
    const struct yx_report_grouping *g = NULL;
    enum yx_report_format format;
    json_t *out = NULL;
    int rc;
    if ((rc = yx_report_request_read(r, s->groupings, &format, &p, &g, &place)) != 0 ||
        (rc = yx_report_filters_read(r, s->filters, &filters)) != 0)
        return rc;
    rc = g && strcmp(g->by, "month") == 0 ? build_months(r, s, &p, &place, &filters, &out)
                                          : yx_report_build(r, s, &p, g, &place, &filters, &out);
    return rc ? rc : reply(r, out, s, format);
}

const struct yx_report_source *const yx_report_sources[YX_REPORT_NSOURCES + 1] = {
    &yx_report_consultations, &yx_report_visits,   &yx_report_reach,
    &yx_report_sites,         &yx_report_training, NULL,
};

/* GET /api/v1/reports/<name>?period|from&to&by&province|facility&level&specialty&format: the report
 * whose name ends the route's path. */
static int report_route(struct yx_req *r)
{
    const char *name = strrchr(r->route->pattern, '/') + 1;
    for (size_t i = 0; yx_report_sources[i]; i++)
        if (strcmp(yx_report_sources[i]->name, name) == 0)
            return yx_report_serve(r, yx_report_sources[i]);
    return yx_fail(r, YX_EINTERNAL, "Không có báo cáo này / no such report.");
}

#define REPORT_ROUTE(name)                                                                                   \
    {                                                                                                        \
        "GET", "/api/v1/reports/" name, report_route, YX_R_REPORT, NULL, "report", YX_ADMINS, NULL           \
    }
const struct yx_route yx_report_routes[] = {
    REPORT_ROUTE("consultations"), REPORT_ROUTE("visits"),   REPORT_ROUTE("reach"),
    REPORT_ROUTE("sites"),         REPORT_ROUTE("training"), {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
