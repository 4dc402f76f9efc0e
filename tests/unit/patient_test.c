/* Unit tests of the patient record's checks (src/patient/validate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "patient/registry.h"

static void cccd_province_century_sex_and_year(void **state)
{
    assert_null(yx_cccd_problem("002085123456", 1985, "male"));
    assert_null(yx_cccd_problem("096185123456", 1985, "female"));
    assert_null(yx_cccd_problem("001205123456", 2005, "male"));
    assert_null(yx_cccd_problem("001305123456", 2005, "female"));
    assert_null(yx_cccd_problem("001305123456", 2005, "other"));     /* only the century is checked */
    assert_non_null(yx_cccd_problem("00208512345", 1985, "male"));   /* 11 digits */
    assert_non_null(yx_cccd_problem("0020851234567", 1985, "male")); /* 13 digits */
    assert_non_null(yx_cccd_problem("00208512345x", 1985, "male"));
    assert_non_null(yx_cccd_problem("003085123456", 1985, "male")); /* 003 is no province */
    assert_non_null(yx_cccd_problem("097085123456", 1985, "male"));
    assert_non_null(yx_cccd_problem("002185123456", 1985, "male"));   /* the female digit */
    assert_non_null(yx_cccd_problem("002085123456", 1985, "female")); /* the male digit */
    assert_non_null(yx_cccd_problem("002285123456", 1985, "male"));   /* 2000s for 1985 */
    assert_non_null(yx_cccd_problem("002086123456", 1985, "male"));   /* year 86 */
    assert_non_null(yx_cccd_problem("", 1985, "male"));
}

static void bhyt_card_or_number(void **state)
{
    char code[16], bhxh[11];
    assert_int_equal(yx_bhyt_parse("GD4010123456789", code, bhxh), 0);
    assert_string_equal(code, "GD4010123456789");
    assert_string_equal(bhxh, "0123456789");
    assert_int_equal(yx_bhyt_parse("hn 2 02 1234567890", code, bhxh), 0);
    assert_string_equal(code, "HN2021234567890");
    assert_string_equal(bhxh, "1234567890");
    assert_int_equal(yx_bhyt_parse("1234567890", code, bhxh), 0);
    assert_string_equal(code, "1234567890");
    assert_string_equal(bhxh, "1234567890");
    assert_int_equal(yx_bhyt_parse("GD6010123456789", code, bhxh), YX_EINVAL); /* benefit level 6 */
    assert_int_equal(yx_bhyt_parse("G14010123456789", code, bhxh), YX_EINVAL);
    assert_int_equal(yx_bhyt_parse("GD401012345678", code, bhxh), YX_EINVAL);
    assert_int_equal(yx_bhyt_parse("123456789", code, bhxh), YX_EINVAL);
    assert_int_equal(yx_bhyt_parse("GD4010123456789012345678901", code, bhxh), YX_EINVAL);
    assert_int_equal(yx_bhyt_parse("", code, bhxh), YX_EINVAL);
}

static void phones_become_ten_digits(void **state)
{
    char out[16];
    assert_int_equal(yx_phone_normalize("0912 345 678", out), 0);
    assert_string_equal(out, "0912345678");
    assert_int_equal(yx_phone_normalize("+84 912-345-678", out), 0);
    assert_string_equal(out, "0912345678");
    assert_int_equal(yx_phone_normalize("84912345678", out), 0);
    assert_string_equal(out, "0912345678");
    assert_int_equal(yx_phone_normalize("(0219) 3856.123", out), 0);
    assert_string_equal(out, "02193856123");
    assert_int_equal(yx_phone_normalize("+1 202 555 0100", out), YX_EINVAL);
    assert_int_equal(yx_phone_normalize("912345678", out), YX_EINVAL);
    assert_int_equal(yx_phone_normalize("0912a45678", out), YX_EINVAL);
    assert_int_equal(yx_phone_normalize("091234567890123456789012", out), YX_EINVAL);
    assert_int_equal(yx_phone_normalize("", out), YX_EINVAL);
}

static void calendar_dates(void **state)
{
    int y, m, d;
    assert_int_equal(yx_date_parse("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_int_equal(yx_date_parse("2023-02-29", &y, &m, &d), YX_EINVAL);
    assert_int_equal(yx_date_parse("1900-02-29", &y, &m, &d), YX_EINVAL);
    assert_int_equal(yx_date_parse("2000-02-29", &y, &m, &d), 0);
    assert_int_equal(yx_date_parse("2024-04-31", &y, &m, &d), YX_EINVAL);
    assert_int_equal(yx_date_parse("2024-13-01", &y, &m, &d), YX_EINVAL);
    assert_int_equal(yx_date_parse("2024-1-01", &y, &m, &d), YX_EINVAL);
    assert_int_equal(yx_date_parse("2024-01-01T00", &y, &m, &d), YX_EINVAL);
    assert_int_equal(yx_date_parse("abcd-ef-gh", &y, &m, &d), YX_EINVAL);
}

static void name_keys_start_at_every_word(void **state)
{
    char *k = yx_name_keys("  Nguyễn   Văn Đức ");
    assert_string_equal(k, "nguyen van duc\nvan duc\nduc");
    free(k);
    k = yx_name_keys("Ha\xcc\x82\xcc\x80u A Pa\xcc\x81o"); /* NFD input gives the same keys */
    assert_string_equal(k, "hau a pao\na pao\npao");
    free(k);
    assert_null(yx_name_keys("   "));
    assert_null(yx_name_keys("\xff\xfe"));
}

static void age_counts_whole_years(void **state)
{
    char today[11];
    yx_today(today);
    int year = atoi(today);
    assert_int_equal(yx_age_years(NULL, year - 30), today[5] > '0' || today[6] >= '7' ? 30 : 29);
    assert_int_equal(yx_age_years(NULL, year + 1), 0);
    char birthday[11];
    memcpy(birthday, today, 11);
    birthday[2] = (char)(birthday[2] - 1); /* ten years ago today: a birthday today counts */
    if (today[2] != '0')
        assert_int_equal(yx_age_years(birthday, 0), 10);
}

/* A de-identified record gives five-year bands, counted in the year of the event. */
static void age_bands_of_five_years(void **state)
{
    char band[16];
    int64_t jan2026 = 1767225600000LL; /* 2026-01-01T00:00:00Z */
    yx_age_band(jan2026, 1990, band);
    assert_string_equal(band, "35-39");
    yx_age_band(jan2026, 1991, band);
    assert_string_equal(band, "35-39");
    yx_age_band(jan2026, 1986, band);
    assert_string_equal(band, "40-44");
    yx_age_band(jan2026, 2026, band);
    assert_string_equal(band, "0-4");
    yx_age_band(jan2026, 2030, band); /* a birth year after the event: no negative ages */
    assert_string_equal(band, "0-4");
    yx_age_band(jan2026, 1936, band);
    assert_string_equal(band, "90+");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cccd_province_century_sex_and_year),
        cmocka_unit_test(bhyt_card_or_number),
        cmocka_unit_test(phones_become_ten_digits),
        cmocka_unit_test(calendar_dates),
        cmocka_unit_test(name_keys_start_at_every_word),
        cmocka_unit_test(age_counts_whole_years),
        cmocka_unit_test(age_bands_of_five_years),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
