/* Unit tests of src/reports: the period's calendar (ISO weeks, leap years, Vietnam midnight) and
 * nearest-rank percentiles, each against dates and ranks worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reports/report.h"

/* 2026-11-30T17:00:00Z and 2026-10-31T17:00:00Z in ms: Vietnam's midnights around November. */
#define DEC1_VN 1796058000000LL
#define NOV1_VN 1793466000000LL

static void check(const char *text, const char *from, const char *to)
{
    struct yx_report_period p;
    assert_int_equal(yx_report_period_parse(text, &p), 0);
    assert_string_equal(p.from, from);
    assert_string_equal(p.to, to);
}

static void periods_are_vietnam_days(void **state)
{
    (void)state;
    struct yx_report_period p;
    assert_int_equal(yx_report_period_parse("month:2026-11", &p), 0);
    assert_int_equal(p.from_ms, NOV1_VN);
    assert_int_equal(p.until_ms, DEC1_VN);
    check("day:2026-11-30", "2026-11-30", "2026-11-30");
    check("month:2028-02", "2028-02-01", "2028-02-29");
    check("month:2100-02", "2100-02-01", "2100-02-28");
    check("month:2026-12", "2026-12-01", "2026-12-31");
    check("quarter:2026-Q1", "2026-01-01", "2026-03-31");
    check("quarter:2026-Q4", "2026-10-01", "2026-12-31");
    check("year:2026", "2026-01-01", "2026-12-31");
    /* ISO weeks: week 1 holds 4 January. */
    check("week:2026-W01", "2025-12-29", "2026-01-04");
    check("week:2026-W48", "2026-11-23", "2026-11-29");
    check("week:2026-W53", "2026-12-28", "2027-01-03");
    check("week:2021-W01", "2021-01-04", "2021-01-10");
    check("week:2020-W53", "2020-12-28", "2021-01-03");
    const char *bad[] = {"week:2027-W53",
                         "week:2026-W00",
                         "day:2026-02-29",
                         "day:2026-11-31",
                         "month:2026-00",
                         "month:2026-1",
                         "quarter:2026-Q0",
                         "year:1999",
                         "year:20266",
                         "day:2026-11-3x",
                         "2026-11",
                         "month:",
                         ":2026",
                         "",
                         NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(yx_report_period_parse(bad[i], &p), YX_EINVAL);
}

static void ranges_are_bounded(void **state)
{
    (void)state;
    struct yx_report_period p;
    assert_int_equal(yx_report_period_days("2028-01-01", "2028-12-31", &p), 0); /* 366 days */
    assert_int_equal(yx_report_period_days("2026-01-01", "2027-01-01", &p), 0); /* 366 days */
    assert_int_equal(yx_report_period_days("2026-01-01", "2027-01-02", &p), YX_ETOOBIG);
    assert_int_equal(yx_report_period_days("2026-11-02", "2026-11-01", &p), YX_EINVAL);
    assert_int_equal(yx_report_period_days("2026-02-30", "2026-03-01", &p), YX_EINVAL);
    assert_int_equal(yx_report_period_days("2026-11-01", "2026-11-30", &p), 0);
    assert_int_equal(p.from_ms, NOV1_VN);
    assert_int_equal(p.until_ms, DEC1_VN);
}

static void percentiles_are_nearest_rank(void **state)
{
    (void)state;
    int64_t v[] = {1500, 10, 40, 200, 20, 60, 30};
    yx_report_sort(v, 7);
    assert_int_equal(v[0], 10);
    assert_int_equal(yx_report_percentile(v, 7, 50), 40);   /* rank 4 */
    assert_int_equal(yx_report_percentile(v, 7, 90), 1500); /* rank 7 */
    int64_t even[] = {10, 20, 30, 40};
    assert_int_equal(yx_report_percentile(even, 4, 50), 20); /* rank 2: the lower middle */
    assert_int_equal(yx_report_percentile(even, 4, 90), 40); /* rank ceil(3.6) = 4 */
    int64_t ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_int_equal(yx_report_percentile(ten, 10, 90), 9); /* rank 9 exactly */
    assert_int_equal(yx_report_percentile(ten, 1, 90), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periods_are_vietnam_days),
        cmocka_unit_test(ranges_are_bounded),
        cmocka_unit_test(percentiles_are_nearest_rank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
