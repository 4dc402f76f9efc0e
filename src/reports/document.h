/* Internal to src/reports: the printed documents of reports (document.c), drawn with src/pdf. */
#ifndef YTEXA_REPORTS_DOCUMENT_H
#define YTEXA_REPORTS_DOCUMENT_H

#include "report.h"
#include "ytexa/pdf.h"

/* Reads `format`: json (absent), pdf, or xlsx when xlsx_too; 400 naming format otherwise. */
int yx_report_document_format(struct yx_req *r, int xlsx_too, enum yx_report_format *format);

/* Draws a report (the shape of yx_report_new()) as tables: a line per column (its Vietnamese
 * label), the totals and, when it has at most max_groups rows, each group beside them, three at a
 * time; figures as yx_report_cell() writes them ("<5" for a small cell). */
void yx_report_document_table(struct yx_pdf *p, json_t *report, const struct yx_report_column *columns,
                              size_t max_groups);

/* Answers doc drawn by draw on A4 as a PDF attachment named filename (ASCII), each page ending
 * with footer and its number out of the whole. */
int yx_report_document_reply(struct yx_req *r, void (*draw)(struct yx_pdf *, json_t *), json_t *doc,
                             const char *footer, const char *filename);

#endif
