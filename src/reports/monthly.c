/* The monthly report (docs/reports.md, "The monthly report"): a place's month on one document —
 * the five reports side by side, each with its totals and, for a province or the country, its
 * rows by facility or by province. JSON, or a PDF that leaves the system with its small cells
 * written "<5". Each section is the report's own JSON, built by its source (yx_report_source). */
#include <stdio.h>
#include <string.h>

#include "document.h"

/* The sections: the five reports, in the order of yx_report_sources. */
#define NSECTIONS YX_REPORT_NSOURCES

/* A PDF shows a section's rows beside its totals when there are at most this many: a province of
 * a dozen facilities fits on a few pages, a province of three hundred communes does not. */
#define MAX_GROUPS 12

/* The rows each section has: a province's facilities, the country's provinces, none for one
 * facility (its totals are the whole of it). */
static const struct yx_report_grouping *grouping_for(const struct yx_report_source *s,
                                                     const struct yx_report_place *place)
{
    const char *by = strcmp(place->kind, "country") == 0    ? "province"
                     : strcmp(place->kind, "province") == 0 ? "facility"
                                                            : NULL;
    for (const struct yx_report_grouping *g = s->groupings; by && g->by; g++)
        if (strcmp(g->by, by) == 0)
            return yx_report_grouping_as(g, place);
    return NULL;
}

/* "Báo cáo tháng 11/2026 — Tuyên Quang" */
static void title(json_t *doc, char *out, size_t size)
{
    const char *from = json_string_value(json_object_get(json_object_get(doc, "period"), "from"));
    const char *place = json_string_value(json_object_get(json_object_get(doc, "scope"), "name"));
    if (yx_snprintf(out, size, "Báo cáo tháng %.2s/%.4s — %s", from + 5, from, place) != 0)
        out[0] = '\0';
}

static void draw(struct yx_pdf *p, json_t *doc)
{
    char line[400], now[64];
    json_t *period = json_object_get(doc, "period");
    const char *from = json_string_value(json_object_get(period, "from")),
               *to = json_string_value(json_object_get(period, "to"));
    title(doc, line, sizeof line);
    yx_pdf_text_center(p, "Noto Sans Bold 14", line);
    yx_time_vn(yx_now_ms(), "%H:%M ngày %d/%m/%Y", now, sizeof now);
    yx_pdf_textf(p, "Noto Sans 8",
                 "Từ %.2s/%.2s/%.4s đến %.2s/%.2s/%.4s (giờ Việt Nam) · Lập lúc %s (giờ Việt Nam)", from + 8,
                 from + 5, from, to + 8, to + 5, to, now);
    yx_pdf_text(
        p, "Noto Sans 8",
        "Số từ 1 đến 4 (và trung vị, tỉ lệ tính trên 1 đến 4 trường hợp) ghi là <5 để không lộ danh tính.");
    yx_pdf_gap(p, 6);
    for (size_t i = 0; i < NSECTIONS; i++) {
        yx_pdf_room(p, 80);
        yx_pdf_textf(p, "Noto Sans Bold 11", "%zu. %s", i + 1, yx_report_sources[i]->title);
        yx_report_document_table(p, json_array_get(json_object_get(doc, "sections"), i),
                                 yx_report_sources[i]->columns, MAX_GROUPS);
        yx_pdf_gap(p, 8);
    }
}

/* GET /api/v1/reports/monthly?period=month:YYYY-MM&province|facility&format=json|pdf|xlsx */
static int monthly(struct yx_req *r)
{
    struct yx_report_period p;
    struct yx_report_place place;
    /* The month of the whole place: no filter (the monthly report takes none). */
    const struct yx_report_filters none = {"", "", 0};
    const char *period = yx_query(r, "period");
    json_t *doc = NULL, *list, *one;
    char footer[400], file[64];
    int rc;
    /* The document's json or pdf, or a workbook with one sheet a section. */
    enum yx_report_format format;
    if ((rc = yx_report_document_format(r, 1, &format)) != 0)
        return rc;
    if (yx_query(r, "from") || yx_query(r, "to") || (period && strncmp(period, "month:", 6) != 0))
        return yx_fail_field(r, YX_EINVAL, "period",
                             "Báo cáo tháng nhận period=month:YYYY-MM / the monthly report takes a "
                             "month (period=month:2026-11).");
    if ((rc = yx_report_period_read(r, &p)) != 0 || (rc = yx_report_place_read(r, &place)) != 0)
        return rc;
    rc = YX_ENOMEM;
    if (!(doc = yx_report_head("monthly", &p, &place)) ||
        json_object_set_new(doc, "sections", json_array()) != 0)
        goto out;
    list = json_object_get(doc, "sections");
    for (size_t i = 0; i < NSECTIONS; i++) {
        const struct yx_report_source *s = yx_report_sources[i];
        one = NULL;
        if ((rc = yx_report_build(r, s, &p, grouping_for(s, &place), &place, &none, &one)) != 0 ||
            (rc = json_array_append_new(list, one) == 0 ? 0 : YX_ENOMEM) != 0)
            goto out;
    }
    if (format == YX_REPORT_XLSX) {
        json_t *books[NSECTIONS];
        const struct yx_report_column *columns[NSECTIONS];
        for (size_t i = 0; i < NSECTIONS; i++) {
            books[i] = json_array_get(list, i);
            columns[i] = yx_report_sources[i]->columns;
        }
        rc = yx_report_xlsx_reply(r, books, columns, NSECTIONS, "thang");
        goto out;
    }
    if (format == YX_REPORT_JSON) {
        rc = yx_reply(r, 200, doc);
        doc = NULL;
        goto out;
    }
    title(doc, footer, sizeof footer);
    if ((rc = yx_snprintf(file, sizeof file, "bao-cao-thang-%.7s.pdf", p.from)) == 0)
        rc = yx_report_document_reply(r, draw, doc, footer, file);
out:
    json_decref(doc);
    return rc;
}

const struct yx_route yx_report_monthly_routes[] = {
    {"GET", "/api/v1/reports/monthly", monthly, YX_R_REPORT, NULL, "report", YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
