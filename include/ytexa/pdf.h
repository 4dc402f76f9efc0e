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
    /* Page numbers: when footer is set, each page ends with it and "Trang n/pages" (or
     * "Trang n" while pages is 0) in its bottom margin. page counts the pages begun. */
    const char *footer;
    int page, pages;
};

/* Page sizes in points (portrait; swap them for landscape). */
#define YX_PDF_A4_W 595.3
#define YX_PDF_A4_H 841.9
#define YX_PDF_A5_W 419.5
#define YX_PDF_A5_H 595.3

/* Starts a document of w × h points with the margin all round. */
int yx_pdf_begin(struct yx_pdf *p, double w, double h, double margin);
/* Dates the document at ms (its signing, say) instead of the moment it is drawn, so that the same
 * document is the same bytes each time it is drawn: a hash given for it (a FHIR DocumentReference's)
 * then holds for every copy. */
void yx_pdf_set_date(struct yx_pdf *p, int64_t ms);
/* Writes s (UTF-8) in the font ("Noto Sans Bold 12") across the page width, then 4 points. */
void yx_pdf_text(struct yx_pdf *p, const char *font, const char *s);
/* printf-style yx_pdf_text. */
void yx_pdf_textf(struct yx_pdf *p, const char *font, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* How yx_pdf_text_box aligns its lines. */
enum { YX_PDF_LEFT, YX_PDF_CENTER, YX_PDF_RIGHT };
/* Writes s in the font inside a box of width w whose top left corner is (x, y), wrapping and
 * aligning its lines; returns the height it took. The flow (p->y) does not move. */
double yx_pdf_text_box(struct yx_pdf *p, const char *font, const char *s, double x, double y, double w,
                       int align);
/* As yx_pdf_text, each line centred across the page. */
void yx_pdf_text_center(struct yx_pdf *p, const char *font, const char *s);
/* Strokes a rectangle (a certificate's frame) of line width lw. */
void yx_pdf_rect(struct yx_pdf *p, double x, double y, double w, double h, double lw);
/* Draws text (UTF-8) as a QR code (libqrencode, error correction M, with its quiet zone of four
 * modules) in a square of size points whose top left corner is (x, y). The flow does not move.
 * YX_EINVAL when the text cannot be encoded (too long). */
int yx_pdf_qr(struct yx_pdf *p, double x, double y, double size, const char *text);
/* Writes one row of a table at the flow: n cells side by side, cell i wrapped in a box widths[i]
 * points wide, the first aligned left and the others right (they are figures); on a new page
 * when the tallest cell does not fit; a hairline under it. The flow moves below the row. */
void yx_pdf_row(struct yx_pdf *p, const char *font, const char *const *cells, const double *widths, int n);
/* Moves down by pts. */
void yx_pdf_gap(struct yx_pdf *p, double pts);
/* Starts a new page unless need points are left on this one. */
void yx_pdf_room(struct yx_pdf *p, double need);
/* Finishes the document: *out (malloc'd) and *len, or YX_EINTERNAL (everything is freed either
 * way). */
int yx_pdf_end(struct yx_pdf *p, char **out, size_t *len);

#endif
