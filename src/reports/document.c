/* What the reports' printed documents share (the monthly report, the hub's annual report): a
 * report's table drawn on the page with its small cells, the format they are asked in, and the
 * document answered as a PDF with page numbers "Trang n/N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"

int yx_report_document_format(struct yx_req *r, int xlsx_too, enum yx_report_format *format)
{
    const char *asked = yx_query(r, "format");
    if (!asked || strcmp(asked, "json") == 0)
        *format = YX_REPORT_JSON;
    else if (strcmp(asked, "pdf") == 0)
        *format = YX_REPORT_PDF;
    else if (xlsx_too && strcmp(asked, "xlsx") == 0)
        *format = YX_REPORT_XLSX;
    else
        return yx_fail_field(r, YX_EINVAL, "format", "%s",
                             xlsx_too ? "Định dạng là json, pdf hoặc xlsx / format is json, pdf or xlsx."
                                      : "Định dạng là json hoặc pdf / format is json or pdf.");
    return 0;
}

void yx_report_document_table(struct yx_pdf *p, json_t *report, const struct yx_report_column *columns,
                              size_t max_groups)
{
    yx_report_mask(report, columns);
    json_t *rows = json_object_get(report, "rows"), *totals = json_object_get(report, "totals");
    size_t nrows = json_array_size(rows), shown = nrows <= max_groups ? nrows : 0;
    /* The label, the totals and up to three groups side by side; more groups repeat the table
     * with the next three, so that a row of figures always fits the width of an A4 page. */
    enum { PER_TABLE = 3 };
    double width = p->w - 2 * p->margin, label = width * 0.4, figure = (width - label) / (PER_TABLE + 1);
    double widths[PER_TABLE + 2] = {label, figure, figure, figure, figure};
    size_t first = 0;
    do {
        size_t n = shown - first < PER_TABLE ? shown - first : PER_TABLE;
        const char *head[PER_TABLE + 2] = {"Chỉ tiêu", "Tổng cộng"};
        for (size_t i = 0; i < n; i++)
            head[2 + i] = json_string_value(
                json_object_get(json_object_get(json_array_get(rows, first + i), "key"), "name"));
        yx_pdf_row(p, "Noto Sans Bold 8", head, widths, (int)n + 2);
        for (const struct yx_report_column *c = columns; c->key; c++) {
            char cells[PER_TABLE + 1][64];
            const char *line[PER_TABLE + 2] = {c->label_vi, cells[0]};
            if (yx_report_cell(c, totals, cells[0], sizeof cells[0]) != 0)
                cells[0][0] = '\0';
            for (size_t i = 0; i < n; i++) {
                json_t *values = json_object_get(json_array_get(rows, first + i), "values");
                if (yx_report_cell(c, values, cells[1 + i], sizeof cells[1 + i]) != 0)
                    cells[1 + i][0] = '\0';
                line[2 + i] = cells[1 + i];
            }
            yx_pdf_row(p, "Noto Sans 8", line, widths, (int)n + 2);
        }
        first += n;
        yx_pdf_gap(p, 6);
    } while (first < shown);
    if (nrows > shown)
        yx_pdf_textf(p, "Noto Sans Italic 8",
                     "%zu nhóm: xem báo cáo chi tiết theo nhóm (CSV) / %zu groups: see the report by group.",
                     nrows, nrows);
}

int yx_report_document_reply(struct yx_req *r, void (*draw)(struct yx_pdf *, json_t *), json_t *doc,
                             const char *footer, const char *filename)
{
    struct yx_pdf p;
    char *pdf = NULL, disposition[160];
    size_t len = 0;
    int pages = 0, rc;
    /* Drawn twice: the first time only to count the pages, so that each page can say "n/N". */
    for (int pass = 0; pass < 2; pass++) {
        free(pdf);
        pdf = NULL;
        yx_pdf_begin(&p, YX_PDF_A4_W, YX_PDF_A4_H, 40);
        p.footer = footer;
        p.pages = pages;
        draw(&p, doc);
        pages = p.page;
        if ((rc = yx_pdf_end(&p, &pdf, &len)) != 0)
            return rc;
    }
    if ((rc = yx_snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename)) != 0 ||
        (rc = yx_reply_header(r, "Content-Disposition", disposition)) != 0) {
        free(pdf);
        return rc;
    }
    return yx_reply_raw(r, 200, "application/pdf", pdf, len);
}
