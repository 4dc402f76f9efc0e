/* PDF documents with cairo and pango (include/ytexa/pdf.h). The bytes are collected in memory:
 * documents are a few pages and are sent as the answer. */
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
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
    *p = (struct yx_pdf){.w = w, .h = h, .margin = margin, .y = margin};
    yx_buf_init(&p->buf, 16 * 1024 * 1024);
    p->surface = cairo_pdf_surface_create_for_stream(collect, p, w, h);
    p->cr = cairo_create(p->surface);
    p->layout = pango_cairo_create_layout(p->cr);
    return 0;
}

void yx_pdf_room(struct yx_pdf *p, double need)
{
    if (p->y + need <= p->h - p->margin)
        return;
    cairo_show_page(p->cr);
    p->y = p->margin;
}

void yx_pdf_gap(struct yx_pdf *p, double pts)
{
    p->y += pts;
}

void yx_pdf_text(struct yx_pdf *p, const char *font, const char *s)
{
    PangoLayout *layout = p->layout;
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout, (int)((p->w - 2 * p->margin) * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, s, -1);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    yx_pdf_room(p, (double)h / PANGO_SCALE);
    cairo_move_to(p->cr, p->margin, p->y);
    pango_cairo_show_layout(p->cr, layout);
    p->y += (double)h / PANGO_SCALE + 4;
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
