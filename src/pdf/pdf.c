/* PDF documents with cairo and pango (include/ytexa/pdf.h): the one folder that draws with them,
 * so that core depends on neither. The bytes are collected in memory: documents are a few pages
 * and are sent as the answer. */
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ytexa/pdf.h"

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int len)
{
    struct yx_pdf *p = closure;
    if (yx_buf_append(&p->buf, data, len) != 0) {
        p->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

int yx_pdf_begin(struct yx_pdf *p, double w, double h, double margin)
{
    *p = (struct yx_pdf){.w = w, .h = h, .margin = margin, .y = margin, .page = 1};
    yx_buf_init(&p->buf, 16 * 1024 * 1024);
    p->surface = cairo_pdf_surface_create_for_stream(collect, p, w, h);
    p->cr = cairo_create(p->surface);
    p->layout = pango_cairo_create_layout(p->cr);
    return 0;
}

void yx_pdf_set_date(struct yx_pdf *p, int64_t ms)
{
    char at[32];
    yx_time_format(ms, at);
    /* cairo takes ISO 8601 to the second and writes it as the PDF date; without one it writes the
     * time now. */
    at[19] = 'Z';
    at[20] = '\0';
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, at);
}

static double lay_out(struct yx_pdf *p, const char *font, const char *s, double w, int align);

/* The page's footer, in its bottom margin, when the document has one. */
static void footer(struct yx_pdf *p)
{
    char line[600];
    if (!p->footer)
        return;
    if (p->pages)
        snprintf(line, sizeof line, "%s · Trang %d/%d", p->footer, p->page, p->pages);
    else
        snprintf(line, sizeof line, "%s · Trang %d", p->footer, p->page);
    lay_out(p, "Noto Sans 7", line, p->w - 2 * p->margin, YX_PDF_CENTER);
    cairo_move_to(p->cr, p->margin, p->h - p->margin + 8);
    pango_cairo_show_layout(p->cr, p->layout);
}

void yx_pdf_room(struct yx_pdf *p, double need)
{
    if (p->y + need <= p->h - p->margin)
        return;
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = p->margin;
}

void yx_pdf_gap(struct yx_pdf *p, double pts)
{
    p->y += pts;
}

/* Lays s out in the font across width w, aligned; returns its height in points. */
static double lay_out(struct yx_pdf *p, const char *font, const char *s, double w, int align)
{
    static const PangoAlignment aligns[] = {PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER, PANGO_ALIGN_RIGHT};
    PangoLayout *layout = p->layout;
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, aligns[align >= 0 && align <= YX_PDF_RIGHT ? align : 0]);
    pango_layout_set_text(layout, s, -1);
    int lw, lh;
    pango_layout_get_size(layout, &lw, &lh);
    return (double)lh / PANGO_SCALE;
}

static void flow_text(struct yx_pdf *p, const char *font, const char *s, int align)
{
    double h = lay_out(p, font, s, p->w - 2 * p->margin, align);
    yx_pdf_room(p, h);
    cairo_move_to(p->cr, p->margin, p->y);
    pango_cairo_show_layout(p->cr, p->layout);
    p->y += h + 4;
}

void yx_pdf_text(struct yx_pdf *p, const char *font, const char *s)
{
    flow_text(p, font, s, YX_PDF_LEFT);
}

void yx_pdf_text_center(struct yx_pdf *p, const char *font, const char *s)
{
    flow_text(p, font, s, YX_PDF_CENTER);
}

double yx_pdf_text_box(struct yx_pdf *p, const char *font, const char *s, double x, double y, double w,
                       int align)
{
    double h = lay_out(p, font, s, w, align);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, p->layout);
    return h;
}

void yx_pdf_rect(struct yx_pdf *p, double x, double y, double w, double h, double lw)
{
    cairo_save(p->cr);
    cairo_set_line_width(p->cr, lw);
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_stroke(p->cr);
    cairo_restore(p->cr);
}

int yx_pdf_qr(struct yx_pdf *p, double x, double y, double size, const char *text)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr)
        return YX_EINVAL;
    /* The quiet zone of four modules on each side is part of the symbol: a reader needs it. */
    int n = qr->width, quiet = 4;
    double m = size / (n + 2 * quiet);
    cairo_save(p->cr);
    cairo_set_source_rgb(p->cr, 1, 1, 1);
    cairo_rectangle(p->cr, x, y, size, size);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    /* One rectangle per run of dark modules in a row, all filled at once, so a rasteriser draws no
     * seams between neighbouring modules. */
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n;) {
            if (!(qr->data[row * n + col] & 1)) {
                col++;
                continue;
            }
            int run = col;
            while (run < n && (qr->data[row * n + run] & 1))
                run++;
            cairo_rectangle(p->cr, x + (quiet + col) * m, y + (quiet + row) * m, (run - col) * m, m);
            col = run;
        }
    cairo_fill(p->cr);
    cairo_restore(p->cr);
    QRcode_free(qr);
    return 0;
}

void yx_pdf_row(struct yx_pdf *p, const char *font, const char *const *cells, const double *widths, int n)
{
    double tallest = 0, x = p->margin;
    for (int i = 0; i < n; i++) {
        double h = lay_out(p, font, cells[i] ? cells[i] : "", widths[i] - 4, i ? YX_PDF_RIGHT : YX_PDF_LEFT);
        tallest = h > tallest ? h : tallest;
    }
    yx_pdf_room(p, tallest + 4);
    for (int i = 0; i < n; i++) {
        yx_pdf_text_box(p, font, cells[i] ? cells[i] : "", x + 2, p->y + 1, widths[i] - 4,
                        i ? YX_PDF_RIGHT : YX_PDF_LEFT);
        x += widths[i];
    }
    cairo_save(p->cr);
    cairo_set_line_width(p->cr, 0.3);
    cairo_move_to(p->cr, p->margin, p->y + tallest + 2.5);
    cairo_line_to(p->cr, x, p->y + tallest + 2.5);
    cairo_stroke(p->cr);
    cairo_restore(p->cr);
    p->y += tallest + 4;
}

void yx_pdf_textf(struct yx_pdf *p, const char *font, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    yx_pdf_text(p, font, line);
}

int yx_pdf_end(struct yx_pdf *p, char **out, size_t *len)
{
    footer(p);
    g_object_unref(p->layout);
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    int ok = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS && !p->failed;
    cairo_surface_destroy(p->surface);
    if (!ok) {
        yx_buf_release(&p->buf);
        return YX_EINTERNAL;
    }
    *out = yx_buf_detach(&p->buf, len);
    return 0;
}
