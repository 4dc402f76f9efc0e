/* The exports of a report beside JSON and CSV (docs/reports.md, "XLSX" and "DHIS2"): an XLSX
 * workbook written with libxlsxwriter, and DHIS2's dataValueSets JSON for an import by code.
 * Both read the one JSON shape of yx_report_new() and the report's columns, and both follow the
 * CSV's rule on small cells (yx_report_small): XLSX writes them "<5", DHIS2 leaves them out. */
#define _GNU_SOURCE /* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "report.h"

/* A workbook of the five reports is a few hundred rows; 64 MiB is far above any of them and keeps
 * a runaway from filling memory. */
#define XLSX_MAX_BYTES (64u << 20)

/* The formats of a workbook's cells. */
struct xlsx_formats {
    lxw_format *head, *integer, *decimal, *total_text, *total_integer, *total_decimal, *small, *label;
};

static void xlsx_formats_init(lxw_workbook *wb, struct xlsx_formats *f)
{
    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    format_set_text_wrap(f->head);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_TOP);
    f->integer = workbook_add_format(wb);
    format_set_num_format(f->integer, "0");
    f->decimal = workbook_add_format(wb);
    format_set_num_format(f->decimal, "0.0");
    f->total_text = workbook_add_format(wb);
    format_set_bold(f->total_text);
    f->total_integer = workbook_add_format(wb);
    format_set_bold(f->total_integer);
    format_set_num_format(f->total_integer, "0");
    f->total_decimal = workbook_add_format(wb);
    format_set_bold(f->total_decimal);
    format_set_num_format(f->total_decimal, "0.0");
    f->small = workbook_add_format(wb);
    format_set_align(f->small, LXW_ALIGN_RIGHT);
    f->label = workbook_add_format(wb);
    format_set_bold(f->label);
}

/* One line of figures from column 1 on: a number as a number, a small cell as the text "<5",
 * nothing for null (a median of no cases). */
static lxw_error xlsx_line(lxw_worksheet *ws, lxw_row_t row, const char *name,
                           const struct yx_report_column *columns, json_t *values,
                           const struct xlsx_formats *f, int total)
{
    lxw_error err = worksheet_write_string(ws, row, 0, name ? name : "", total ? f->total_text : NULL);
    lxw_col_t col = 1;
    for (const struct yx_report_column *c = columns; err == LXW_NO_ERROR && c->key; c++, col++) {
        json_t *v = json_object_get(values, c->key);
        int whole = c->kind == YX_REPORT_COUNT || c->kind == YX_REPORT_THINGS || c->kind == YX_REPORT_PART;
        lxw_format *fmt =
            whole ? (total ? f->total_integer : f->integer) : (total ? f->total_decimal : f->decimal);
        int hidden = yx_report_small(c, values);
        if (hidden)
            err = worksheet_write_string(ws, row, col, hidden == YX_REPORT_SMALL ? "<5" : "x", f->small);
        else if (json_is_number(v))
            err = worksheet_write_number(ws, row, col, json_number_value(v), fmt);
    }
    return err;
}

/* The sheet of one report: the header of labels, a row per row, the totals. */
static lxw_error xlsx_table(lxw_workbook *wb, const char *sheet, json_t *report,
                            const struct yx_report_column *columns, int en, const struct xlsx_formats *f)
{
    yx_report_mask(report, columns);
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    const char *by = json_string_value(json_object_get(report, "by"));
    lxw_error err =
        worksheet_write_string(ws, 0, 0, en ? (by ? by : "place") : (by ? "Nhóm" : "Nơi"), f->head);
    lxw_col_t col = 1;
    for (const struct yx_report_column *c = columns; err == LXW_NO_ERROR && c->key; c++, col++)
        err = worksheet_write_string(ws, 0, col, en ? c->label_en : c->label_vi, f->head);
    worksheet_set_column(ws, 0, 0, 36, NULL);
    if (col > 1)
        worksheet_set_column(ws, 1, (lxw_col_t)(col - 1), 16, NULL);
    worksheet_freeze_panes(ws, 1, 1);
    size_t i;
    json_t *row;
    lxw_row_t at = 1;
    json_array_foreach(json_object_get(report, "rows"), i, row)
    {
        if (err == LXW_NO_ERROR)
            err = xlsx_line(ws, at++, json_string_value(json_object_get(json_object_get(row, "key"), "name")),
                            columns, json_object_get(row, "values"), f, 0);
    }
    if (err == LXW_NO_ERROR)
        err = xlsx_line(ws, at, en ? "Total" : "Tổng cộng", columns, json_object_get(report, "totals"), f, 1);
    return err;
}

/* The sheet that says what the tables are: for each report its name, period, place, grouping, the
 * time it was made and the note on small cells. */
static lxw_error xlsx_about(lxw_workbook *wb, json_t *const *reports, size_t n, int en,
                            const struct xlsx_formats *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, en ? "About" : "Thông tin");
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    char now[32], period[64], when[64];
    yx_time_vn(yx_now_ms(), "%Y-%m-%d %H:%M", now, sizeof now);
    snprintf(when, sizeof when, "%s (%s)", now, en ? "Vietnam time, UTC+7" : "giờ Việt Nam, UTC+7");
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 90, NULL);
    lxw_error err = LXW_NO_ERROR;
    lxw_row_t at = 0;
    for (size_t k = 0; k < n && err == LXW_NO_ERROR; k++) {
        json_t *p = json_object_get(reports[k], "period"), *scope = json_object_get(reports[k], "scope");
        const char *by = json_string_value(json_object_get(reports[k], "by"));
        snprintf(period, sizeof period, "%s – %s (%s)", json_string_value(json_object_get(p, "from")),
                 json_string_value(json_object_get(p, "to")),
                 en ? "days in Vietnam time" : "ngày theo giờ Việt Nam");
        const char *lines[][2] = {
            {en ? "Report" : "Báo cáo", json_string_value(json_object_get(reports[k], "report"))},
            {en ? "Period" : "Kỳ báo cáo", period},
            {en ? "Place" : "Nơi", json_string_value(json_object_get(scope, "name"))},
            {en ? "Grouped by" : "Nhóm theo", by ? by : "—"},
            {en ? "Made at" : "Lập lúc", when},
            {en ? "Small cells" : "Ô nhỏ",
             en ? "A count from 1 to 4 of people or their cases, and a median or share computed over 1 to 4 "
                  "of them, is written \"<5\" so that no one can be picked out."
                : "Số đếm từ 1 đến 4 người hoặc trường hợp, và trung vị hay tỷ lệ tính trên 1 đến 4 trường "
                  "hợp, được ghi \"<5\" để không ai bị nhận ra."},
        };
        for (size_t i = 0; i < sizeof lines / sizeof lines[0] && err == LXW_NO_ERROR; i++, at++)
            if ((err = worksheet_write_string(ws, at, 0, lines[i][0], f->label)) == LXW_NO_ERROR)
                err = worksheet_write_string(ws, at, 1, lines[i][1] ? lines[i][1] : "", NULL);
        at++; /* a blank line between reports */
    }
    return err;
}

/* Reads the whole of the file fd (at most XLSX_MAX_BYTES) into a malloc'd buffer. */
static int read_all(int fd, char **out, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || (uintmax_t)st.st_size > XLSX_MAX_BYTES)
        return YX_EINTERNAL;
    size_t size = (size_t)st.st_size, got = 0;
    char *data = malloc(size);
    if (!data)
        return YX_ENOMEM;
    while (got < size) {
        ssize_t n = pread(fd, data + got, size - got, (off_t)got);
        if (n <= 0) {
            free(data);
            return YX_EINTERNAL;
        }
        got += (size_t)n;
    }
    *out = data;
    *len = size;
    return 0;
}

/* A report's short title for a sheet's name (at most 27 bytes, so "NN. " fits in 31 characters). */
static const char *sheet_title(const char *report, int en)
{
    static const struct {
        const char *report, *vi, *en;
    } titles[] = {
        {"consultations", "Hội chẩn", "Consultations"},
        {"visits", "Khám từ xa", "Remote visits"},
        {"reach", "Tiếp cận", "Reach"},
        {"sites", "Điểm kết nối", "Sites"},
        {"training", "Đào tạo", "Training"},
    };
    for (size_t i = 0; report && i < sizeof titles / sizeof titles[0]; i++)
        if (strcmp(titles[i].report, report) == 0)
            return en ? titles[i].en : titles[i].vi;
    return en ? "Report" : "Báo cáo";
}

int yx_report_xlsx(json_t *const *reports, size_t n, const struct yx_report_column *const *columns, int en,
                   char **out, size_t *len)
{
    int rc = YX_EINVAL, fd = -1;
    char path[64], sheet[32];
    lxw_workbook *wb = NULL;
    *out = NULL;
    *len = 0;
    if (n == 0)
        goto out;
    /* libxlsxwriter 1.1.4 writes a workbook only to a named file. An anonymous file in memory,
     * named through /proc, is that file: nothing reaches the disk and nothing is left behind when
     * it is closed, whatever happens in between. */
    rc = YX_EINTERNAL;
    fd = memfd_create("ytexa-report-xlsx", MFD_CLOEXEC);
    if (fd < 0 || snprintf(path, sizeof path, "/proc/self/fd/%d", fd) >= (int)sizeof path)
        goto out;
    lxw_workbook_options options = {.constant_memory = 0, .tmpdir = NULL, .use_zip64 = 0};
    wb = workbook_new_opt(path, &options);
    if (!wb)
        goto out;
    struct xlsx_formats f;
    xlsx_formats_init(wb, &f);
    lxw_error err = LXW_NO_ERROR;
    for (size_t k = 0; k < n && err == LXW_NO_ERROR; k++) {
        /* Sheet names are unique and at most 31 characters: "Báo cáo" for one report; for several,
         * "1. Hội chẩn", "2. Khám từ xa" … (numbered, so that two of a kind stay apart). */
        if (n == 1)
            snprintf(sheet, sizeof sheet, "%s", en ? "Report" : "Báo cáo");
        else
            snprintf(sheet, sizeof sheet, "%zu. %s", k + 1,
                     sheet_title(json_string_value(json_object_get(reports[k], "report")), en));
        err = xlsx_table(wb, sheet, reports[k], columns[k], en, &f);
    }
    if (err == LXW_NO_ERROR)
        err = xlsx_about(wb, reports, n, en, &f);
    /* workbook_close() writes the file and frees the workbook whatever it answers. */
    lxw_error closed = workbook_close(wb);
    wb = NULL;
    if (err != LXW_NO_ERROR || closed != LXW_NO_ERROR) {
        yx_log(YX_LOG_ERROR, "report xlsx: %s", lxw_strerror(err != LXW_NO_ERROR ? err : closed));
        goto out;
    }
    rc = read_all(fd, out, len);
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int yx_report_dhis2_code(struct yx_buf *b, const char *text)
{
    int rc = 0, gap = 0;
    for (const char *s = text; rc == 0 && s && *s; s++) {
        char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            if (gap)
                rc = yx_buf_puts(b, "_");
            gap = 0;
            if (rc == 0)
                rc = yx_buf_append(b, &c, 1);
        } else {
            gap = b->len > 0;
        }
    }
    return rc;
}

/* The code of the unit with id in codes (rows of id, code), or NULL. */
static const char *unit_code(const struct yx_rows *codes, int64_t id)
{
    for (int i = 0; codes && i < codes->nrows; i++)
        if (yx_rows_int(codes, i, 0) == id)
            return yx_rows_get(codes, i, 1);
    return NULL;
}

/* A DHIS2 code built in b from parts joined by "_", kept in the request's arena. */
static const char *code_of(struct yx_req *r, struct yx_buf *b, const char *a, const char *c)
{
    b->len = 0;
    int rc = yx_buf_puts(b, "YX");
    for (const char *const *part = (const char *const[]){a, c, NULL}; rc == 0 && *part; part++)
        if ((rc = yx_buf_puts(b, "_")) == 0)
            rc = yx_report_dhis2_code(b, *part);
    return rc == 0 ? yx_arena_strndup(&r->arena, b->data, b->len) : NULL;
}

/* Appends the values of one row (or the totals) to list: every figure that is a number and not a
 * small cell, as DHIS2's text of a number. */
static int dhis2_values(struct yx_req *r, json_t *list, const struct yx_report_column *columns,
                        const char *prefix, json_t *values, const char *period, const char *org_unit,
                        const char *combo)
{
    struct yx_buf b;
    char number[32];
    int rc = 0;
    yx_buf_init(&b, 256);
    for (const struct yx_report_column *c = columns; rc == 0 && c->key; c++) {
        json_t *v = json_object_get(values, c->key);
        if (!json_is_number(v) || yx_report_small(c, values))
            continue;
        if ((rc = yx_report_cell(c, values, number, sizeof number)) != 0)
            break;
        b.len = 0;
        const char *element = NULL;
        if (yx_buf_puts(&b, prefix) == 0 && yx_buf_puts(&b, "_") == 0 &&
            yx_report_dhis2_code(&b, c->key) == 0)
            element = yx_arena_strndup(&r->arena, b.data, b.len);
        json_t *dv = element ? json_pack("{s:s,s:s,s:s,s:s}", "dataElement", element, "period", period,
                                         "orgUnit", org_unit, "value", number)
                             : NULL;
        if (dv && combo)
            json_object_set_new(dv, "categoryOptionCombo", json_string(combo));
        rc = dv ? json_array_append_new(list, dv) == 0 ? 0 : YX_ENOMEM : YX_ENOMEM;
    }
    yx_buf_release(&b);
    return rc;
}

int yx_report_dhis2_reply(struct yx_req *r, json_t *out, const struct yx_report_column *columns,
                          const char *prefix)
{
    struct yx_report_period p = {0};
    struct yx_rows *codes = NULL;
    struct yx_buf b;
    char period[16];
    json_t *list = json_array(), *answer = NULL, *row;
    const char *by = json_string_value(json_object_get(out, "by"));
    json_t *scope = json_object_get(out, "scope");
    const char *kind = json_string_value(json_object_get(scope, "kind"));
    int64_t place = json_integer_value(json_object_get(scope, "id"));
    int units = by && (strcmp(by, "facility") == 0 || strcmp(by, "province") == 0);
    int rc = YX_ENOMEM;
    size_t i;
    yx_report_mask(out, columns);
    yx_buf_init(&b, 256);
    if (!list)
        goto out;
    /* The period was checked to be one of DHIS2's when the request was read. */
    snprintf(p.from, sizeof p.from, "%s",
             json_string_value(json_object_get(json_object_get(out, "period"), "from")));
    snprintf(p.to, sizeof p.to, "%s",
             json_string_value(json_object_get(json_object_get(out, "period"), "to")));
    if ((rc = yx_report_dhis2_period(&p, period)) != 0) {
        rc = yx_fail(r, YX_EINTERNAL, "Kỳ DHIS2 / DHIS2 period.");
        goto out;
    }
    /* The codes of the units the values are filed under: the rows' facilities or provinces, or
     * the place itself. */
    if (units && strcmp(by, "province") == 0)
        rc = YX_DB_Q0(r->db, &codes, "SELECT id, code FROM admin_units WHERE level = 'province'");
    else if (units && strcmp(kind, "province") == 0)
        rc = YX_DB_Q(r->db, &codes,
                     "SELECT f.id, f.code FROM facilities f" YX_REPORT_PLACE_JOIN(
                         "fp", "f") "WHERE " YX_REPORT_IN_PROVINCE("fp"),
                     YX_PI(place));
    else if (units && strcmp(kind, "country") == 0)
        rc = YX_DB_Q0(r->db, &codes, "SELECT id, code FROM facilities");
    else if (strcmp(kind, "facility") == 0)
        rc = YX_DB_Q(r->db, &codes, "SELECT id, code FROM facilities WHERE id = ?", YX_PI(place));
    else
        rc = YX_DB_Q(r->db, &codes, "SELECT id, code FROM admin_units WHERE id = ?", YX_PI(place));
    if (rc != 0)
        goto out;
    const char *own = units ? NULL : unit_code(codes, place);
    if (!units && !own) {
        rc = yx_fail(r, YX_EINTERNAL, "Đơn vị không có mã / the unit has no code.");
        goto out;
    }
    /* Grouped by unit, each row is filed under its unit and DHIS2 adds them up the hierarchy; by
     * another grouping, each row is a category option combination of the place; ungrouped, the
     * totals are the place's values. */
    if (!by)
        rc = dhis2_values(r, list, columns, prefix, json_object_get(out, "totals"), period, own, NULL);
    json_array_foreach(by ? json_object_get(out, "rows") : NULL, i, row)
    {
        json_t *key = json_object_get(row, "key"), *id = json_object_get(key, "id");
        const char *unit = units ? unit_code(codes, json_integer_value(id)) : own;
        const char *combo = units ? NULL : code_of(r, &b, by, json_string_value(id));
        if (!unit || (!units && !combo)) {
            rc = unit ? YX_ENOMEM : yx_fail(r, YX_EINTERNAL, "Đơn vị không có mã / the unit has no code.");
            goto out;
        }
        if ((rc = dhis2_values(r, list, columns, prefix, json_object_get(row, "values"), period, unit,
                               combo)) != 0)
            goto out;
    }
    if (rc != 0)
        goto out;
    answer = json_pack("{s:s,s:O}", "period", period, "dataValues", list);
    if (!answer) {
        rc = YX_ENOMEM;
        goto out;
    }
    if (own)
        json_object_set_new(answer, "orgUnit", json_string(own));
    rc = yx_reply(r, 200, answer);
out:
    yx_buf_release(&b);
    yx_rows_free(codes);
    json_decref(list);
    json_decref(out);
    return rc;
}
