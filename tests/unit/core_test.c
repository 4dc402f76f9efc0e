/* Unit tests of src/core: buffers, arenas, Unicode folding, time formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ytexa/core.h"

static void buf_caps_its_size(void **state)
{
    struct yx_buf b;
    yx_buf_init(&b, 10);
    assert_int_equal(yx_buf_puts(&b, "hello"), 0);
    assert_int_equal(yx_buf_printf(&b, "%d", 1234), 0);
    assert_string_equal(b.data, "hello1234");
    assert_int_equal(yx_buf_puts(&b, "xy"), YX_ETOOBIG);
    assert_string_equal(b.data, "hello1234");
    assert_int_equal(yx_buf_puts(&b, "x"), 0);
    assert_int_equal(b.len, 10);
    size_t n;
    char *p = yx_buf_detach(&b, &n);
    assert_int_equal(n, 10);
    assert_null(b.data);
    free(p);
}

/* The JSON text written by hand (patient records, search pages) must parse to what was put in. */
static void json_text_is_escaped(void **state)
{
    struct yx_buf b;
    yx_buf_init(&b, 1024);
    assert_int_equal(yx_buf_json_str(&b, "Hồ \"Thị\" \\ Lan\n\t\x01;"), 0);
    assert_string_equal(b.data, "\"Hồ \\\"Thị\\\" \\\\ Lan\\u000a\\u0009\\u0001;\"");
    b.len = 0;
    assert_int_equal(yx_buf_json_str(&b, NULL), 0);
    assert_int_equal(yx_buf_json_str(&b, ""), 0);
    assert_int_equal(yx_buf_json_int(&b, -9007199254740993LL), 0);
    assert_string_equal(b.data, "null\"\"-9007199254740993");
    yx_buf_release(&b);
    yx_buf_init(&b, 4);
    assert_int_equal(yx_buf_json_str(&b, "abcdef"), YX_ETOOBIG);
    yx_buf_release(&b);
}

static void arena_allocations_survive_growth(void **state)
{
    struct yx_arena a = {0};
    char *first = yx_arena_strdup(&a, "Nguyễn");
    for (int i = 0; i < 1000; i++)
        assert_non_null(yx_arena_alloc(&a, 100));
    char *big = yx_arena_alloc(&a, 100000);
    memset(big, 'x', 100000);
    assert_string_equal(first, "Nguyễn");
    assert_int_equal((uintptr_t)yx_arena_alloc(&a, 3) % 16, 0);
    yx_arena_release(&a);
    assert_null(a.head);
}

static void fold_equals(const char *in, const char *want)
{
    char *f = yx_fold(in, strlen(in));
    assert_non_null(f);
    assert_string_equal(f, want);
    free(f);
}

static void fold_removes_diacritics_case_and_dd(void **state)
{
    fold_equals("Nguyễn Văn An", "nguyen van an");
    fold_equals("NGUYỄN  VĂN   AN ", "nguyen van an");
    fold_equals("Đặng Thị Đào", "dang thi dao");
    fold_equals("đ", "d");
    /* NFD input (combining marks) folds the same as NFC. */
    fold_equals("Lu\xcc\x83ng Cu\xcc\x81", "lung cu");
    fold_equals("Lũng Cú", "lung cu");
    fold_equals("Giàng Seo Páo", "giang seo pao");
    fold_equals("", "");
}

static void utf8_validity(void **state)
{
    assert_true(yx_utf8_valid("Hà Giang", strlen("Hà Giang")));
    assert_false(yx_utf8_valid("\xff\xfe", 2));
    assert_false(yx_utf8_valid("a\0b", 3));
    assert_false(yx_utf8_valid("\xc3", 1));
}

static void time_is_rfc3339(void **state)
{
    char out[32];
    yx_time_format(1751328000123, out);
    assert_string_equal(out, "2025-07-01T00:00:00.123Z");
}

static void tokens_are_random_base64url(void **state)
{
    char a[64], b[64];
    yx_random_token(a, sizeof a, 32);
    yx_random_token(b, sizeof b, 32);
    assert_int_equal(strlen(a), 43);
    assert_string_not_equal(a, b);
    for (const char *p = a; *p; p++)
        assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p) != NULL);
}

static void snprintf_reports_truncation(void **state)
{
    char small[4];
    assert_int_equal(yx_snprintf(small, sizeof small, "%s", "abc"), 0);
    assert_int_equal(yx_snprintf(small, sizeof small, "%s", "abcd"), YX_ETOOBIG);
}

/* The arithmetic formatting agrees with gmtime_r and strftime: every day from 1900 to 2200 at a
 * random time of day, the edges of a day and of leap years, and times before 1970. */
static void time_agrees_with_gmtime(void **state)
{
    (void)state;
    char got[32], want[32];
    for (int64_t day = -25567; day <= 84000; day++) {
        int64_t ms = day * 86400000LL + (int64_t)((uint64_t)(day * 2654435761LL) % 86400000ULL);
        int64_t edges[] = {ms, day * 86400000LL, day * 86400000LL + 86399999LL};
        for (int e = 0; e < 3; e++) {
            int64_t t = edges[e];
            int64_t s = t >= 0 ? t / 1000 : -((-t + 999) / 1000);
            time_t tt = (time_t)s;
            struct tm tm;
            gmtime_r(&tt, &tm);
            size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
            snprintf(want + n, sizeof want - n, ".%03dZ", (int)(t - s * 1000));
            yx_time_format(t, got);
            if (strcmp(got, want) != 0)
                fail_msg("%lld: %s, not %s", (long long)t, got, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_caps_its_size),
        cmocka_unit_test(json_text_is_escaped),
        cmocka_unit_test(arena_allocations_survive_growth),
        cmocka_unit_test(fold_removes_diacritics_case_and_dd),
        cmocka_unit_test(utf8_validity),
        cmocka_unit_test(time_is_rfc3339),
        cmocka_unit_test(time_agrees_with_gmtime),
        cmocka_unit_test(tokens_are_random_base64url),
        cmocka_unit_test(snprintf_reports_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
