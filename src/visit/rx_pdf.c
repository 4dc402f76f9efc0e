/* The prescription as a PDF (A5, what a pharmacy expects to see): facility, patient, diagnosis,
 * the medicines and how to take them, the doctor's name and licence, when it was signed and the
 * content hash. Drawn with cairo and laid out with pango (Noto Sans, so Vietnamese diacritics and
 * minority-language names render); runs on a worker thread like every handler. */
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visit.h"

#define PAGE_W 419.5 /* A5 in points */
#define PAGE_H 595.3
#define MARGIN 36.0

struct pdf_out {
    struct yx_buf buf;
    int failed;
};

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int len)
{
    struct pdf_out *o = closure;
    if (yx_buf_append(&o->buf, data, len) != 0) {
        o->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Draws text at y with the font description, wrapped to the page width; returns the new y. */
static double text(cairo_t *cr, PangoLayout *layout, const char *font, const char *s, double y)
{
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout, (int)((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, s, -1);
    cairo_move_to(cr, MARGIN, y);
    pango_cairo_show_layout(cr, layout);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    return y + (double)h / PANGO_SCALE + 4;
}

/* Starts a new page when less than need points are left. */
static double room(cairo_t *cr, double y, double need)
{
    if (y + need <= PAGE_H - MARGIN)
        return y;
    cairo_show_page(cr);
    return MARGIN;
}

#define RX_PDF_SELECT                                                                                        \
    "SELECT p.items, p.note, p.version, p.signer_name, p.signer_licence, p.signed_at, p.content_hash, "      \
    "pt.full_name, pt.birth_year, pt.sex, pt.cccd, pt.bhyt, f.name, df.name, "                               \
    "(SELECT d.code FROM visit_diagnoses d WHERE d.visit_id = v.id AND d.is_primary = 1 ORDER BY d.id DESC " \
    "LIMIT 1), "                                                                                             \
    "(SELECT i.name_vi FROM visit_diagnoses d JOIN icd10 i ON i.code = d.code OR i.code = substr(d.code, "   \
    "1, 3) "                                                                                                 \
    " WHERE d.visit_id = v.id AND d.is_primary = 1 ORDER BY d.id DESC, length(i.code) DESC LIMIT 1), "       \
    "v.follow_up_date, p.id "                                                                                \
    "FROM prescriptions p JOIN visits v ON v.id = p.visit_id JOIN patients pt ON pt.id = p.patient_id "      \
    "JOIN facilities f ON f.id = v.facility_id JOIN facilities df ON df.id = v.doctor_facility_id WHERE "    \
    "p.id = ?"

static void draw(cairo_t *cr, const struct yx_rows *row)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    char line[1024], when[32];
    const char *sex = yx_rows_get(row, 0, 9);
    double y = MARGIN;
    y = text(cr, layout, "Noto Sans 8", yx_rows_get(row, 0, 13), y);
    y = text(cr, layout, "Noto Sans Bold 16", "ĐƠN THUỐC", y + 6);
    snprintf(line, sizeof line, "Khám từ xa qua ytexa · số %s, bản %s", yx_rows_get(row, 0, 17),
             yx_rows_get(row, 0, 2));
    y = text(cr, layout, "Noto Sans 8", line, y);
    snprintf(line, sizeof line, "Họ tên: %s    Năm sinh: %s    Giới tính: %s", yx_rows_get(row, 0, 7),
             yx_rows_get(row, 0, 8),
             strcmp(sex, "male") == 0     ? "Nam"
             : strcmp(sex, "female") == 0 ? "Nữ"
                                          : "Khác");
    y = text(cr, layout, "Noto Sans 10", line, y + 8);
    if (yx_rows_get(row, 0, 10) || yx_rows_get(row, 0, 11)) {
        snprintf(line, sizeof line, "%s%s%s%s", yx_rows_get(row, 0, 10) ? "CCCD: " : "",
                 yx_rows_get(row, 0, 10) ? yx_rows_get(row, 0, 10) : "",
                 yx_rows_get(row, 0, 11) ? "    Thẻ BHYT: " : "",
                 yx_rows_get(row, 0, 11) ? yx_rows_get(row, 0, 11) : "");
        y = text(cr, layout, "Noto Sans 10", line, y);
    }
    snprintf(line, sizeof line, "Nơi quản lý: %s", yx_rows_get(row, 0, 12));
    y = text(cr, layout, "Noto Sans 10", line, y);
    snprintf(line, sizeof line, "Chẩn đoán: %s%s%s%s", yx_rows_get(row, 0, 15) ? yx_rows_get(row, 0, 15) : "",
             yx_rows_get(row, 0, 15) ? " (" : "", yx_rows_get(row, 0, 14) ? yx_rows_get(row, 0, 14) : "—",
             yx_rows_get(row, 0, 15) ? ")" : "");
    y = text(cr, layout, "Noto Sans 10", line, y);
    json_t *items = json_loads(yx_rows_get(row, 0, 0), 0, NULL), *it;
    size_t i;
    y += 6;
    json_array_foreach(items, i, it)
    {
        y = room(cr, y, 40);
        snprintf(line, sizeof line, "%zu. %s %s — SL: %lld %s", i + 1, yx_json_str(it, "medicine"),
                 yx_json_str(it, "strength"), (long long)yx_json_int(it, "quantity", 0),
                 yx_json_str(it, "unit") ? yx_json_str(it, "unit") : "");
        y = text(cr, layout, "Noto Sans Bold 10", line, y);
        snprintf(line, sizeof line, "Mỗi lần %s, %s, trong %lld ngày%s%s", yx_json_str(it, "dose"),
                 yx_json_str(it, "frequency"), (long long)yx_json_int(it, "duration_days", 0),
                 yx_json_str(it, "instructions") ? ". " : "",
                 yx_json_str(it, "instructions") ? yx_json_str(it, "instructions") : "");
        y = text(cr, layout, "Noto Sans 9", line, y);
    }
    json_decref(items);
    if (yx_rows_get(row, 0, 1)) {
        snprintf(line, sizeof line, "Lời dặn: %s", yx_rows_get(row, 0, 1));
        y = text(cr, layout, "Noto Sans 9", line, room(cr, y + 4, 30));
    }
    if (yx_rows_get(row, 0, 16)) {
        const char *d = yx_rows_get(row, 0, 16);
        snprintf(line, sizeof line, "Hẹn tái khám: %.2s/%.2s/%.4s", d + 8, d + 5, d);
        y = text(cr, layout, "Noto Sans 9", line, y);
    }
    yx_time_format(yx_rows_int(row, 0, 5), when);
    y = room(cr, y + 10, 70);
    snprintf(line, sizeof line, "Bác sĩ kê đơn: %s\nSố CCHN: %s\nKý lúc: %s (UTC)", yx_rows_get(row, 0, 3),
             yx_rows_get(row, 0, 4) ? yx_rows_get(row, 0, 4) : "—", when);
    y = text(cr, layout, "Noto Sans 10", line, y);
    snprintf(line, sizeof line, "Mã kiểm tra (SHA-256): %s", yx_rows_get(row, 0, 6));
    text(cr, layout, "Noto Sans Mono 6", line, y + 4);
    g_object_unref(layout);
}

int yx_prescription_pdf(struct yx_db *db, int64_t id, char **pdf, size_t *len)
{
    struct yx_rows *row = NULL;
    struct pdf_out out = {.failed = 0};
    int rc = YX_DB_Q(db, &row, RX_PDF_SELECT, YX_PI(id));
    if (rc == 0 && row->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc) {
        yx_rows_free(row);
        return rc;
    }
    yx_buf_init(&out.buf, 8 * 1024 * 1024);
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(collect, &out, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create(surface);
    draw(cr, row);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    int ok = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS && !out.failed;
    cairo_surface_destroy(surface);
    yx_rows_free(row);
    if (!ok) {
        yx_buf_release(&out.buf);
        return YX_EINTERNAL;
    }
    *pdf = yx_buf_detach(&out.buf, len);
    return 0;
}
