/* Documents as PDF (cairo + pango, Noto Sans so that Vietnamese and minority-language names are
 * shaped correctly): prescriptions, consultation minutes, certificates. Text flows down the page
 * and onto a new page when it does not fit. */
#ifndef YTEXA_PDF_H
#define YTEXA_PDF_H

#include <stddef.h>

#include "ytexa/core.h"

struct yx_pdf {
    void *surface, *cr, *layout; /* cairo and pango objects, owned */
    struct yx_buf buf;
    int failed;
    double w, h, margin, y;
};

/* Page sizes in points. */
#define YX_PDF_A4_W 595.3
#define YX_PDF_A4_H 841.9
#define YX_PDF_A5_W 419.5
#define YX_PDF_A5_H 595.3

/* Starts a document of w × h points with the margin all round. */
int yx_pdf_begin(struct yx_pdf *p, double w, double h, double margin);
/* Writes s (UTF-8) in the font ("Noto Sans Bold 12") across the page width, then 4 points. */
void yx_pdf_text(struct yx_pdf *p, const char *font, const char *s);
/* printf-style yx_pdf_text. */
void yx_pdf_textf(struct yx_pdf *p, const char *font, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Moves down by pts. */
void yx_pdf_gap(struct yx_pdf *p, double pts);
/* Starts a new page unless need points are left on this one. */
void yx_pdf_room(struct yx_pdf *p, double need);
/* Finishes the document: *out (malloc'd) and *len, or YX_EINTERNAL (everything is freed either
 * way). */
int yx_pdf_end(struct yx_pdf *p, char **out, size_t *len);

#endif
