/* Unit tests of the PDF writer (src/pdf/pdf.c): what comes out is a PDF, text flows onto a new
 * page when a page is full, and a QR code too long to encode is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ytexa/pdf.h"

/* Is needle in the first n bytes of hay? */
static int has(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static void a_document_is_a_pdf(void **state)
{
    struct yx_pdf p;
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(yx_pdf_begin(&p, YX_PDF_A5_W, YX_PDF_A5_H, 36), 0);
    yx_pdf_text_center(&p, "Noto Sans Bold 12", "ĐƠN THUỐC");
    yx_pdf_textf(&p, "Noto Sans 10", "Họ tên: %s", "Nguyễn Thị Hoà");
    double y = p.y;
    assert_true(y > 36);
    double h = yx_pdf_text_box(&p, "Noto Sans 9", "Ở góc trang", 300, 40, 80, YX_PDF_RIGHT);
    assert_true(h > 0);
    assert_true(p.y == y); /* a box leaves the flow where it was */
    assert_int_equal(yx_pdf_qr(&p, 36, 400, 90, "/api/v1/verify/AB3K9-X2M7Q"), 0);
    assert_int_equal(yx_pdf_end(&p, &out, &len), 0);
    assert_non_null(out);
    assert_true(len > 200);
    assert_memory_equal(out, "%PDF-", 5);
    assert_true(has(out, len, "/Count 1"));
    free(out);
}

static void text_flows_onto_a_second_page(void **state)
{
    struct yx_pdf p;
    char *out = NULL;
    size_t len = 0;
    yx_pdf_begin(&p, YX_PDF_A5_W, YX_PDF_A5_H, 36);
    for (int i = 0; i < 60; i++)
        yx_pdf_textf(&p, "Noto Sans 10", "Dòng %d", i);
    assert_true(p.y <= p.h - p.margin);
    assert_int_equal(yx_pdf_end(&p, &out, &len), 0);
    assert_true(has(out, len, "/Count 2") || has(out, len, "/Count 3"));
    free(out);
}

static void a_qr_code_too_long_is_refused(void **state)
{
    struct yx_pdf p;
    char *out = NULL, *text = malloc(8000);
    size_t len = 0;
    memset(text, 'x', 7999);
    text[7999] = '\0';
    yx_pdf_begin(&p, YX_PDF_A4_W, YX_PDF_A4_H, 56);
    assert_int_equal(yx_pdf_qr(&p, 56, 56, 100, text), YX_EINVAL);
    assert_int_equal(yx_pdf_end(&p, &out, &len), 0);
    free(out);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_document_is_a_pdf),
        cmocka_unit_test(text_flows_onto_a_second_page),
        cmocka_unit_test(a_qr_code_too_long_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
