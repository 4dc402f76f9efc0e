/* Unit tests of src/reports: the period's calendar (ISO weeks, leap years, Vietnam midnight),
 * nearest-rank percentiles, DHIS2's periods and codes, each against dates and ranks worked out by
 * hand, and a workbook of several reports; on a real database (tests/unit/testdb.h), that migration
 * 0029's ICD-10 chapter in SQL agrees with the C table on every chapter's boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reports/report.h"
#include "testdb.h"

int yx_network_demo(struct yx_db *db, FILE *report);

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

/* The part of a period inside a month: the whole month inside it, cut at the period's two ends,
 * February by the leap-year rule of the civil calendar, and nothing for a month outside it. */
static void parts_of_a_period_by_month(void **state)
{
    (void)state;
    struct yx_report_period p, part, same;
    static const struct {
        const char *period_from, *period_to;
        int y, m;
        const char *from, *to;
    } want[] = {
        {"2024-01-15", "2024-03-10", 2024, 1, "2024-01-15", "2024-01-31"},
        {"2024-01-15", "2024-03-10", 2024, 2, "2024-02-01", "2024-02-29"},
        {"2024-01-15", "2024-03-10", 2024, 3, "2024-03-01", "2024-03-10"},
        {"2024-11-15", "2025-03-10", 2024, 12, "2024-12-01", "2024-12-31"},
        {"2024-11-15", "2025-03-10", 2025, 2, "2025-02-01", "2025-02-28"},
        {"2100-02-01", "2100-02-28", 2100, 2, "2100-02-01", "2100-02-28"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(yx_report_period_days(want[i].period_from, want[i].period_to, &p), 0);
        assert_int_equal(yx_report_period_month_part(&p, want[i].y * 12 + want[i].m - 1, &part), 0);
        assert_string_equal(part.from, want[i].from);
        assert_string_equal(part.to, want[i].to);
        assert_int_equal(yx_report_period_days(want[i].from, want[i].to, &same), 0);
        assert_true(part.from_ms == same.from_ms && part.until_ms == same.until_ms);
    }
    assert_int_equal(yx_report_period_days("2024-11-15", "2025-03-10", &p), 0);
    assert_int_equal(yx_report_period_month_part(&p, 2024 * 12 + 9, &part), YX_EINVAL);
    assert_int_equal(yx_report_period_month_part(&p, 2025 * 12 + 3, &part), YX_EINVAL);
    assert_int_equal(yx_report_period_parse("day:2026-11-30", &p), 0);
    assert_int_equal(yx_report_period_month_part(&p, 2026 * 12 + 10, &part), 0);
    assert_string_equal(part.from, "2026-11-30");
    assert_string_equal(part.to, "2026-11-30");
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

/* The DHIS2 period of a period's text, or "" when it is none of DHIS2's. */
static void dhis2(const char *text, const char *want)
{
    struct yx_report_period p;
    char got[16] = "";
    assert_int_equal(yx_report_period_parse(text, &p), 0);
    if (yx_report_dhis2_period(&p, got) != 0)
        got[0] = '\0';
    assert_string_equal(got, want);
}

static void dhis2_range(const char *from, const char *to, const char *want)
{
    struct yx_report_period p;
    char got[16] = "";
    assert_int_equal(yx_report_period_days(from, to, &p), 0);
    if (yx_report_dhis2_period(&p, got) != 0)
        got[0] = '\0';
    assert_string_equal(got, want);
}

static void dhis2_periods(void **state)
{
    (void)state;
    dhis2("day:2026-11-30", "20261130");
    dhis2("week:2026-W48", "2026W48");
    dhis2("week:2026-W01", "2026W1");  /* starts 2025-12-29: the week is 2026's */
    dhis2("week:2026-W53", "2026W53"); /* ends 2027-01-03: still 2026's */
    dhis2("week:2020-W53", "2020W53");
    dhis2("month:2026-11", "202611");
    dhis2("month:2028-02", "202802");
    dhis2("quarter:2026-Q4", "2026Q4");
    dhis2("quarter:2026-Q1", "2026Q1");
    dhis2("year:2026", "2026");
    /* The same days through from and to are the same periods. */
    dhis2_range("2026-11-23", "2026-11-29", "2026W48");
    dhis2_range("2024-12-30", "2025-01-05", "2025W1");
    dhis2_range("2026-02-01", "2026-02-28", "202602");
    dhis2_range("2026-04-01", "2026-06-30", "2026Q2");
    dhis2_range("2026-01-01", "2026-12-31", "2026");
    /* Ranges that are none of them. */
    dhis2_range("2026-11-24", "2026-11-30", ""); /* seven days from a Tuesday */
    dhis2_range("2026-11-23", "2026-11-28", ""); /* six days */
    dhis2_range("2026-11-01", "2026-11-29", ""); /* a month less a day */
    dhis2_range("2026-11-02", "2026-12-01", ""); /* a month's length, not a month */
    dhis2_range("2026-02-01", "2026-04-30", ""); /* three months, not a quarter */
    dhis2_range("2026-07-01", "2027-06-30", ""); /* a year's length, not a year */
    dhis2_range("2026-11-01", "2026-12-31", "");
}

static void dhis2_codes(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"level_pair", "LEVEL_PAIR"},
        {"commune>district", "COMMUNE_DISTRICT"},
        {"wait_p90_min", "WAIT_P90_MIN"},
        {"__a--b__", "A_B"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct yx_buf b;
        yx_buf_init(&b, 64);
        assert_int_equal(yx_report_dhis2_code(&b, cases[i][0]), 0);
        assert_int_equal(b.len, strlen(cases[i][1]));
        if (b.len)
            assert_memory_equal(b.data, cases[i][1], b.len);
        yx_buf_release(&b);
    }
}

/* The day and ISO week holding a moment, in Vietnam: 16:59:59.999 UTC is still the day before
 * in Vietnam's evening, 17:00 UTC the next day; the ISO year of a week around New Year. */
static void the_day_and_week_of_a_moment(void **state)
{
    (void)state;
    struct yx_report_period day, week;
    char label[9];
    const int64_t dec28 = 1798390800000LL; /* 2026-12-28 00:00 in Vietnam (27 Dec 17:00 UTC), a Monday */
    yx_report_day_week(dec28 - 1, &day, &week, label);
    assert_string_equal(day.from, "2026-12-27");
    assert_string_equal(week.from, "2026-12-21");
    assert_string_equal(week.to, "2026-12-27");
    assert_string_equal(label, "2026-W52");
    yx_report_day_week(dec28, &day, &week, label);
    assert_string_equal(day.from, "2026-12-28");
    assert_int_equal(day.from_ms, dec28);
    assert_int_equal(day.until_ms, dec28 + 86400000LL);
    assert_string_equal(week.to, "2027-01-03");
    assert_int_equal(week.until_ms, dec28 + 7 * 86400000LL);
    assert_string_equal(label, "2026-W53");
    /* 2024-12-30, a Monday, begins the ISO year 2025. */
    yx_report_day_week(1735491600000LL + 3600000, &day, &week, label);
    assert_string_equal(day.from, "2024-12-30");
    assert_string_equal(label, "2025-W01");
}

/* Two reports make one workbook (a zip); no report is refused. */
/* The spans of a period (its text, or from and to when to is not NULL): lead days, months and tail
 * days, as numbers worked out by hand (2026-11-01 is day 20758 since 1970-01-01; November 2026 is
 * month 2026 * 12 + 10 = 24322). */
static void spans_of(const char *text, const char *to, int64_t lf, int64_t lu, int64_t mf, int64_t mu,
                     int64_t tf, int64_t tu)
{
    struct yx_report_period p;
    struct yx_report_spans s;
    if (to)
        assert_int_equal(yx_report_period_days(text, to, &p), 0);
    else
        assert_int_equal(yx_report_period_parse(text, &p), 0);
    yx_report_spans(&p, &s);
    assert_int_equal(s.lead_from, lf);
    assert_int_equal(s.lead_until, lu);
    assert_int_equal(s.month_from, mf);
    assert_int_equal(s.month_until, mu);
    assert_int_equal(s.tail_from, tf);
    assert_int_equal(s.tail_until, tu);
}

static void periods_as_rollup_spans(void **state)
{
    (void)state;
    /* A month is one month and no day. */
    spans_of("month:2026-11", NULL, 20758, 20758, 24322, 24323, 20788, 20788);
    /* A day and an ISO week (2026-W48: 23 to 29 November) inside a month are days only. */
    spans_of("day:2026-11-30", NULL, 20787, 20788, 0, 0, 0, 0);
    spans_of("week:2026-W48", NULL, 20780, 20787, 0, 0, 0, 0);
    /* A year: twelve months (January 2026 is 24312, 2026-01-01 day 20454), no day. */
    spans_of("year:2026", NULL, 20454, 20454, 24312, 24324, 20819, 20819);
    spans_of("quarter:2026-Q4", NULL, 20727, 20727, 24321, 24324, 20819, 20819);
    /* 2026-10-15 to 2027-01-10: 17 days of October, two months, 10 days of January. */
    spans_of("2026-10-15", "2027-01-10", 20741, 20758, 24322, 24324, 20819, 20829);
    /* Across a month's end without a whole month: all lead days. */
    spans_of("2026-10-15", "2026-11-14", 20741, 20772, 0, 0, 0, 0);
    /* Vietnam's midnight: 2026-11-30 17:00 UTC is 1 December in Vietnam. */
    assert_int_equal(yx_report_vn_month(1796058000000LL - 1), 24322);
    assert_int_equal(yx_report_vn_month(1796058000000LL), 24323);
    assert_int_equal(YX_REPORT_VN_DAY(1796058000000LL), 20788);
    assert_int_equal(YX_REPORT_VN_DAY(1796058000000LL - 1), 20787);
}

/* The whole months of a period (text, or text to to) as the rollups by facility alone read them
 * (migration 0034): months before the first whole quarter, quarters (y * 4 + q - 1), months after
 * the last, or one calendar year. */
static void quarters_of(const char *text, const char *to, int64_t bf, int64_t bu, int64_t qf, int64_t qu,
                        int64_t af, int64_t au, int64_t year)
{
    struct yx_report_period p;
    struct yx_report_spans s;
    struct yx_report_quarters q;
    if (to)
        assert_int_equal(yx_report_period_days(text, to, &p), 0);
    else
        assert_int_equal(yx_report_period_parse(text, &p), 0);
    yx_report_spans(&p, &s);
    yx_report_spans_quarters(&s, &q);
    assert_int_equal(q.before_from, bf);
    assert_int_equal(q.before_until, bu);
    assert_int_equal(q.quarter_from, qf);
    assert_int_equal(q.quarter_until, qu);
    assert_int_equal(q.after_from, af);
    assert_int_equal(q.after_until, au);
    assert_int_equal(q.year, year);
}

static void long_periods_as_quarters(void **state)
{
    (void)state;
    /* A calendar year is its year's row. */
    quarters_of("year:2026", NULL, 0, 0, 0, 0, 0, 0, 2026);
    /* Q4 2026 (months 24321 to 24323) is quarter 2026 * 4 + 3 = 8107. */
    quarters_of("quarter:2026-Q4", NULL, 24321, 24321, 8107, 8108, 24324, 24324, -1);
    /* February to November 2026: February and March, Q2 and Q3, October and November. */
    quarters_of("2026-02-01", "2026-11-30", 24313, 24315, 8105, 8107, 24321, 24323, -1);
    /* December 2025 to November 2026: twelve months but not a calendar year. */
    quarters_of("2025-12-01", "2026-11-30", 24311, 24312, 8104, 8107, 24321, 24323, -1);
    /* March and April straddle a quarter's end: months only; a month alone likewise. */
    quarters_of("2026-03-01", "2026-04-30", 24314, 24316, 0, 0, 0, 0, -1);
    quarters_of("month:2026-11", NULL, 24322, 24323, 0, 0, 0, 0, -1);

    /* The rollups by facility alone answer nothing finer than a facility, over whole months. */
    static const struct yx_report_grouping facility = {"facility", "f.id", "f.name", 1},
                                           province = YX_REPORT_BY_PROVINCE,
                                           mode = {"mode", "v.mode", "v.mode", 0};
    struct yx_report_filters none = {"", "", 0}, level = {"commune", "", 0},
                             specialty = {"", "cardiology", 0};
    struct yx_report_period year, week, days;
    struct yx_report_quarters q;
    assert_int_equal(yx_report_period_parse("year:2026", &year), 0);
    assert_int_equal(yx_report_period_parse("week:2026-W48", &week), 0);
    assert_int_equal(yx_report_period_days("2026-01-15", "2026-03-31", &days), 0);
    assert_true(yx_report_facility_alone(&year, NULL, &none, &q));
    assert_int_equal(q.year, 2026);
    assert_true(yx_report_facility_alone(&year, &facility, &level, &q));
    assert_true(yx_report_facility_alone(&year, &province, &none, &q));
    assert_false(yx_report_facility_alone(&year, &mode, &none, &q));
    assert_false(yx_report_facility_alone(&year, &facility, &specialty, &q));
    assert_false(yx_report_facility_alone(&week, &facility, &none, &q));
    assert_false(yx_report_facility_alone(&days, &facility, &none, &q));
}

/* Waits in the rollups' buckets, worked out by hand: 59 s is minute 0, 1 h 59 min 59 s minute
 * 119, 2 h 5 min the bucket of 120, 23 h 59 min that of 1430, 6 days 23 h 30 min that of 167 h = 10020, 9
 * days 5 h that of 9 × 1440 = 12960. */
static void waits_in_buckets(void **state)
{
    (void)state;
    const int64_t min = 60000;
    assert_int_equal(yx_report_wait_bucket(-5000), 0);
    assert_int_equal(yx_report_wait_bucket(59000), 0);
    assert_int_equal(yx_report_wait_bucket(119 * min + 59000), 119);
    assert_int_equal(yx_report_wait_bucket(125 * min), 120);
    assert_int_equal(yx_report_wait_bucket(1439 * min), 1430);
    assert_int_equal(yx_report_wait_bucket((6 * 24 + 23) * 60 * min + 30 * min), 10020);
    assert_int_equal(yx_report_wait_bucket((9 * 24 + 5) * 60 * min), 12960);
    /* Ten waits: 3 of 5 min, 4 of 20, 2 of 120, 1 of 1440. The median is rank 5 (20 min), the 90th
     * percentile rank 9 (120), the 100th rank 10 (1440); an empty histogram has none. */
    const struct yx_report_wait w[] = {{5, 3}, {20, 4}, {120, 2}, {1440, 1}};
    json_t *v = yx_report_wait_percentile(w, 4, 50);
    assert_true(json_real_value(v) == 20.0);
    json_decref(v);
    v = yx_report_wait_percentile(w, 4, 90);
    assert_true(json_real_value(v) == 120.0);
    json_decref(v);
    v = yx_report_wait_percentile(w, 4, 100);
    assert_true(json_real_value(v) == 1440.0);
    json_decref(v);
    v = yx_report_wait_percentile(w, 0, 50);
    assert_true(json_is_null(v));
    json_decref(v);
}

/* The text of column c's figure in values, as the exports write it. */
static const char *cell_of(const struct yx_report_column *c, json_t *values)
{
    static char out[32];
    assert_int_equal(yx_report_cell(c, values, out, sizeof out), 0);
    return out;
}

/* Secondary suppression, by hand: column a has one small row (3) among 3, 12, 20, 0 with the total
 * 35 — 35 − 12 − 20 − 0 would give the 3 away, so the smallest other figure above zero, 12, is
 * masked; column b has two small rows (2 and 3), which the total cannot separate, so nothing more
 * is; column c counts things (never small, never masked); column d has one small row but its
 * total is itself small, so the total gives nothing away. Masking twice changes nothing. */
static void small_cells_are_masked_against_their_total(void **state)
{
    (void)state;
    static const struct yx_report_column cols[] = {
        {"a", "a", "a", YX_REPORT_COUNT, NULL},
        {"b", "b", "b", YX_REPORT_COUNT, NULL},
        {"c", "c", "c", YX_REPORT_THINGS, NULL},
        {"d", "d", "d", YX_REPORT_COUNT, NULL},
        {NULL, NULL, NULL, 0, NULL},
    };
    json_t *report = json_pack("{s:[{s:{s:i,s:i,s:i,s:i}},{s:{s:i,s:i,s:i,s:i}},{s:{s:i,s:i,s:i,s:i}},"
                               "{s:{s:i,s:i,s:i,s:i}}],s:{s:i,s:i,s:i,s:i}}",
                               "rows", "values", "a", 3, "b", 2, "c", 1, "d", 2, "values", "a", 12, "b", 3,
                               "c", 30, "d", 0, "values", "a", 20, "b", 20, "c", 2, "d", 0, "values", "a", 0,
                               "b", 0, "c", 0, "d", 0, "totals", "a", 35, "b", 25, "c", 33, "d", 2);
    assert_non_null(report);
    for (int twice = 0; twice < 2; twice++) {
        yx_report_mask(report, cols);
        json_t *rows = json_object_get(report, "rows"), *totals = json_object_get(report, "totals");
        const char *want_a[] = {"<5", "x", "20", "0"}, *want_b[] = {"<5", "<5", "20", "0"},
                   *want_c[] = {"1", "30", "2", "0"};
        for (size_t i = 0; i < 4; i++) {
            json_t *values = json_object_get(json_array_get(rows, i), "values");
            assert_string_equal(cell_of(&cols[0], values), want_a[i]);
            assert_string_equal(cell_of(&cols[1], values), want_b[i]);
            assert_string_equal(cell_of(&cols[2], values), want_c[i]);
        }
        assert_string_equal(cell_of(&cols[0], totals), "35");
        assert_string_equal(cell_of(&cols[1], totals), "25");
        assert_string_equal(cell_of(&cols[3], totals), "<5");
        assert_string_equal(cell_of(&cols[3], json_object_get(json_array_get(rows, 1), "values")), "0");
    }
    json_decref(report);
}

/* The row rule, by hand: parts p1, p2, p3 of the base t (as the ICD-10 chapters of the
 * diagnoses), chosen so that no column alone calls for a mask (p1 is small in every row, p2 in two).
 * Row 1: t 20 = 3 + 12 + 5; p1 (3) is the row's one small part, and 20 − 12 − 5 would give it
 * away, so the smallest other part above zero, p3 (5), is masked. That mask is then alone in its
 * column, where 43 − 9 − 29 would give it back: the column rule masks row 2's 9, the smallest other.
 * Row 2 (two small parts, 2 and 4) and row 3 (1 and 3) need nothing of their own; the totals (68 =
 * 6 + 19 + 43) have no small part. A totals-only report (no rows) follows the same rule; an empty
 * one hides nothing. Masking twice changes nothing. */
static void small_parts_are_masked_within_their_row(void **state)
{
    (void)state;
    static const struct yx_report_column cols[] = {
        {"t", "t", "t", YX_REPORT_COUNT, NULL},
        {"p1", "p1", "p1", YX_REPORT_PART, "t"},
        {"p2", "p2", "p2", YX_REPORT_PART, "t"},
        {"p3", "p3", "p3", YX_REPORT_PART, "t"},
        {NULL, NULL, NULL, 0, NULL},
    };
    json_t *report = json_pack("{s:[{s:{s:i,s:i,s:i,s:i}},{s:{s:i,s:i,s:i,s:i}},{s:{s:i,s:i,s:i,s:i}}],"
                               "s:{s:i,s:i,s:i,s:i}}",
                               "rows", "values", "t", 20, "p1", 3, "p2", 12, "p3", 5, "values", "t", 15, "p1",
                               2, "p2", 4, "p3", 9, "values", "t", 33, "p1", 1, "p2", 3, "p3", 29, "totals",
                               "t", 68, "p1", 6, "p2", 19, "p3", 43);
    assert_non_null(report);
    for (int twice = 0; twice < 2; twice++) {
        yx_report_mask(report, cols);
        json_t *rows = json_object_get(report, "rows");
        const char *want[4][4] = {{"20", "<5", "12", "x"},
                                  {"15", "<5", "<5", "x"},
                                  {"33", "<5", "<5", "29"},
                                  {"68", "6", "19", "43"}};
        for (size_t i = 0; i < 4; i++)
            for (size_t k = 0; k < 4; k++)
                assert_string_equal(cell_of(&cols[k], i < 3
                                                          ? json_object_get(json_array_get(rows, i), "values")
                                                          : json_object_get(report, "totals")),
                                    want[i][k]);
    }
    json_decref(report);
    /* No rows: the totals alone, one small part (2) beside 7 and 0 of the base 9: 7 is masked. */
    report = json_pack("{s:[],s:{s:i,s:i,s:i,s:i}}", "rows", "totals", "t", 9, "p1", 2, "p2", 7, "p3", 0);
    yx_report_mask(report, cols);
    json_t *totals = json_object_get(report, "totals");
    assert_string_equal(cell_of(&cols[0], totals), "9");
    assert_string_equal(cell_of(&cols[1], totals), "<5");
    assert_string_equal(cell_of(&cols[2], totals), "x");
    assert_string_equal(cell_of(&cols[3], totals), "0");
    json_decref(report);
    /* Empty: no rows, every figure 0: nothing is hidden. */
    report = json_pack("{s:[],s:{s:i,s:i,s:i,s:i}}", "rows", "totals", "t", 0, "p1", 0, "p2", 0, "p3", 0);
    yx_report_mask(report, cols);
    for (size_t k = 0; k < 4; k++)
        assert_string_equal(cell_of(&cols[k], json_object_get(report, "totals")), "0");
    json_decref(report);
}

/* The rate rule, by hand: pct = in_time / accepted (its base), in_time declared a part of the
 * base. Row 1: 4 of 7 in time → "<5", and 57.1 % × 7 would give the 4 back: the share is masked
 * "x". Row 2: 6 of 12, nothing small: shown. Rows 3 and 4: bases 3 and 2 → their shares are "<5"
 * already (a figure over fewer than 5 cases). No column calls for a mask (two small cells in each).
 * Then a report where the base is masked: row 2's 3 accepted is alone in its column, so row 1's
 * 10 is masked, and its 80 % beside the 8 in time (also masked, against row 2's 3) would give both
 * back: masked. Empty: a share of null stays empty. */
static void rates_beside_a_hidden_numerator_are_masked(void **state)
{
    (void)state;
    static const struct yx_report_column cols[] = {
        {"accepted", "a", "a", YX_REPORT_COUNT, NULL},
        {"in_time", "i", "i", YX_REPORT_PART, "accepted"},
        {"pct", "%", "%", YX_REPORT_PERCENT, "accepted"},
        {NULL, NULL, NULL, 0, NULL},
    };
    json_t *report = json_pack("{s:[{s:{s:i,s:i,s:f}},{s:{s:i,s:i,s:f}},{s:{s:i,s:i,s:f}},{s:{s:i,s:i,s:f}}],"
                               "s:{s:i,s:i,s:f}}",
                               "rows", "values", "accepted", 7, "in_time", 4, "pct", 57.1, "values",
                               "accepted", 12, "in_time", 6, "pct", 50.0, "values", "accepted", 3, "in_time",
                               0, "pct", 0.0, "values", "accepted", 2, "in_time", 1, "pct", 50.0, "totals",
                               "accepted", 24, "in_time", 11, "pct", 45.8);
    assert_non_null(report);
    for (int twice = 0; twice < 2; twice++) {
        yx_report_mask(report, cols);
        json_t *rows = json_object_get(report, "rows");
        const char *want[5][3] = {
            {"7", "<5", "x"}, {"12", "6", "50"}, {"<5", "0", "<5"}, {"<5", "<5", "<5"}, {"24", "11", "45.8"}};
        for (size_t i = 0; i < 5; i++)
            for (size_t k = 0; k < 3; k++)
                assert_string_equal(cell_of(&cols[k], i < 4
                                                          ? json_object_get(json_array_get(rows, i), "values")
                                                          : json_object_get(report, "totals")),
                                    want[i][k]);
    }
    json_decref(report);
    report = json_pack("{s:[{s:{s:i,s:i,s:f}},{s:{s:i,s:i,s:f}}],s:{s:i,s:i,s:f}}", "rows", "values",
                       "accepted", 10, "in_time", 8, "pct", 80.0, "values", "accepted", 3, "in_time", 3,
                       "pct", 100.0, "totals", "accepted", 13, "in_time", 11, "pct", 84.6);
    yx_report_mask(report, cols);
    json_t *r1 = json_object_get(json_array_get(json_object_get(report, "rows"), 0), "values");
    assert_string_equal(cell_of(&cols[0], r1), "x");
    assert_string_equal(cell_of(&cols[1], r1), "x");
    assert_string_equal(cell_of(&cols[2], r1), "x");
    assert_string_equal(cell_of(&cols[2], json_object_get(report, "totals")), "84.6");
    json_decref(report);
    report = json_pack("{s:[],s:{s:i,s:i,s:n}}", "rows", "totals", "accepted", 0, "in_time", 0, "pct");
    yx_report_mask(report, cols);
    assert_string_equal(cell_of(&cols[0], json_object_get(report, "totals")), "0");
    assert_string_equal(cell_of(&cols[2], json_object_get(report, "totals")), "");
    json_decref(report);
    /* refused_pct is refused ÷ (signed + refused) (visits.c): beside a small prescriptions_signed it
     * would give the signed back (10 refused at 83.3 % leave 2 signed), so it is masked; over 1 to 4
     * refusals it is small as before; at 0 % it says only that none was refused. */
    const struct yx_report_column *vc = yx_report_visits.columns, *signed_col = NULL, *refused_col = NULL,
                                  *pct_col = NULL;
    for (const struct yx_report_column *c = vc; c->key; c++) {
        if (strcmp(c->key, "prescriptions_signed") == 0)
            signed_col = c;
        else if (strcmp(c->key, "prescriptions_refused") == 0)
            refused_col = c;
        else if (strcmp(c->key, "refused_pct") == 0)
            pct_col = c;
    }
    assert_non_null(signed_col);
    assert_non_null(refused_col);
    assert_non_null(pct_col);
    static const struct {
        int signed_n, refused;
        double pct;
        const char *want[3]; /* signed, refused, refused_pct */
    } cases[] = {
        {2, 10, 83.3, {"<5", "10", "x"}},     {0, 2, 100.0, {"0", "<5", "<5"}},
        {100, 2, 2.0, {"100", "<5", "<5"}},   {3, 0, 0.0, {"<5", "0", "0"}},
        {20, 10, 33.3, {"20", "10", "33.3"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        report =
            json_pack("{s:[],s:{s:i,s:i,s:f}}", "rows", "totals", "prescriptions_signed", cases[i].signed_n,
                      "prescriptions_refused", cases[i].refused, "refused_pct", cases[i].pct);
        yx_report_mask(report, vc);
        json_t *totals = json_object_get(report, "totals");
        assert_string_equal(cell_of(signed_col, totals), cases[i].want[0]);
        assert_string_equal(cell_of(refused_col, totals), cases[i].want[1]);
        assert_string_equal(cell_of(pct_col, totals), cases[i].want[2]);
        json_decref(report);
    }
}

static void workbook_of_several_reports(void **state)
{
    (void)state;
    static const struct yx_report_column cols[] = {
        {"n", "Số ca", "cases", YX_REPORT_COUNT, NULL},
        {"m", "Trung vị (phút)", "median minutes", YX_REPORT_MINUTES, "n"},
        {NULL, NULL, NULL, 0, NULL},
    };
    struct yx_report_period p;
    struct yx_report_place place = {"province", 7, "Hà Giang", 0, 7, 0};
    assert_int_equal(yx_report_period_parse("month:2026-11", &p), 0);
    json_t *a = yx_report_new("a", &p, &place, NULL, cols),
           *b = yx_report_new("b", &p, &place, "facility", cols);
    json_object_set_new(a, "totals", json_pack("{s:i,s:f}", "n", 12, "m", 3.5));
    json_array_append_new(json_object_get(b, "rows"),
                          json_pack("{s:{s:i,s:s},s:{s:i,s:f}}", "key", "id", 1, "name",
                                    "Trạm Y tế xã Lũng Cú", "values", "n", 3, "m", 2.0));
    json_object_set_new(b, "totals", json_pack("{s:i,s:n}", "n", 0, "m"));
    json_t *const reports[] = {a, b};
    const struct yx_report_column *const columns[] = {cols, cols};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(yx_report_xlsx(reports, 2, columns, 0, &out, &len), 0);
    assert_true(len > 1000);
    assert_memory_equal(out, "PK\x03\x04", 4);
    free(out);
    assert_int_equal(yx_report_xlsx(reports, 0, columns, 0, &out, &len), YX_EINVAL);
    assert_null(out);
    json_decref(a);
    json_decref(b);
}

/* The one value of a one-row query (an INSERT … RETURNING id), or -1. */
static int64_t one_int(struct yx_db *db, const char *sql, const struct yx_param *p, int n)
{
    struct yx_rows *r = NULL;
    int64_t v = yx_db_exec(db, sql, p, n, &r) == 0 && r->nrows == 1 ? yx_rows_int(r, 0, 0) : -1;
    yx_rows_free(r);
    return v;
}

/* Migration 0029 counts the diagnoses by chapter in SQL, by the same contiguous table as visits.c.
 * Each code below is the first of a chapter in the C table or the last before it (B99 | C00,
 * D49 | D50, T99 | U00, U99 | V00, Y99 | Z00 …), plus the ends and codes that are not
 * letter-digit-digit (chapter 0: counted in diagnoses only). Each is recorded on a day of its own
 * in one visit; the day's rollup row must hold it in the chapter yx_report_icd10_chapter() gives. */
static void chapters_in_sql_agree_with_c(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "A00", "A00.1", "B99", "C00", "D48", "D49", "D50", "D89", "E00", "E90", "E91", "F00", "F99",
        "G00", "G99",   "H00", "H59", "H60", "H95", "H96", "I00", "I99", "J00", "K00", "K93", "L00",
        "M00", "N00",   "O00", "P00", "P96", "Q00", "R00", "R99", "S00", "T98", "T99", "U00", "U85",
        "U99", "V00",   "V01", "Y98", "Y99", "Z00", "Z99", "e11", "E1",  "1AB", "",    "Z9",  "EE1"};
    struct yx_db *db = NULL;
    FILE *quiet = fopen("/dev/null", "w");
    yx_log_set_level(YX_LOG_ERROR);
    assert_non_null(quiet);
    assert_int_equal(testdb_open("reports_test", &db), 0);
    assert_int_equal(yx_network_demo(db, quiet), 0);
    fclose(quiet);
    int64_t fac = testdb_int(db, "SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'");
    struct yx_param pf[] = {YX_PI(fac)};
    int64_t doctor = one_int(db,
                             "INSERT INTO users (username, full_name, full_name_folded, password_hash, role, "
                             "facility_id, created_at, updated_at) VALUES ('bs.chuong', 'Vàng Thị Chương', "
                             "'vang thi chuong', 'x', 'doctor', ?, 0, 0) RETURNING id",
                             pf, 1);
    struct yx_param pp[] = {YX_PI(fac), YX_PI(doctor)};
    int64_t patient = one_int(db,
                              "INSERT INTO patients (facility_id, full_name, name_folded, birth_year, sex, "
                              "created_by, created_at, updated_at) VALUES (?, 'Sùng Mí Páo', 'sung mi pao', "
                              "1970, 'male', ?, 0, 0) RETURNING id",
                              pp, 2);
    struct yx_param pv[] = {YX_PI(patient), YX_PI(fac), YX_PI(doctor), YX_PI(fac), YX_PI(doctor)};
    int64_t visit = one_int(db,
                            "INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, "
                            "created_by, mode, state, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                            "'video', 'planned', 'Khám', 0, 0) RETURNING id",
                            pv, 5);
    assert_true(doctor > 0 && patient > 0 && visit > 0);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        /* Day 1000 + i, at noon in Vietnam. */
        int64_t day = 1000 + (int64_t)i, at = day * 86400000LL + 5 * 3600000LL;
        assert_int_equal(YX_DB_Q(db, NULL,
                                 "INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, "
                                 "created_at) VALUES (?, ?, 0, ?, ?)",
                                 YX_PI(visit), YX_PT(codes[i]), YX_PI(doctor), YX_PI(at)),
                         0);
        struct yx_rows *r = NULL;
        assert_int_equal(
            YX_DB_Q(db, &r,
                    "SELECT diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, "
                    "ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22 FROM "
                    "visit_rollup WHERE grain = 1 AND span = ? AND facility_id = ?",
                    YX_PI(day), YX_PI(fac)),
            0);
        assert_int_equal(r->nrows, 1);
        assert_int_equal(yx_rows_int(r, 0, 0), 1);
        int in_sql = 0, columns = 0;
        for (int c = 1; c <= 22; c++)
            if (yx_rows_int(r, 0, c)) {
                in_sql = c;
                columns++;
            }
        yx_rows_free(r);
        if (in_sql != yx_report_icd10_chapter(codes[i]) || columns > 1)
            fail_msg("%s: chapter %d in SQL (%d columns), %d in C", codes[i], in_sql, columns,
                     yx_report_icd10_chapter(codes[i]));
    }
    /* The table's own boundaries, by hand: the chapters the WHO ranges put them in. */
    assert_int_equal(yx_report_icd10_chapter("D49"), 2);
    assert_int_equal(yx_report_icd10_chapter("H96"), 8);
    assert_int_equal(yx_report_icd10_chapter("U99"), 22);
    assert_int_equal(yx_report_icd10_chapter("V00"), 20);
    assert_int_equal(yx_report_icd10_chapter("Z99"), 21);
    assert_int_equal(yx_report_icd10_chapter("e11"), 0);
    assert_int_equal(testdb_close(db), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periods_are_vietnam_days),
        cmocka_unit_test(the_day_and_week_of_a_moment),
        cmocka_unit_test(ranges_are_bounded),
        cmocka_unit_test(parts_of_a_period_by_month),
        cmocka_unit_test(percentiles_are_nearest_rank),
        cmocka_unit_test(dhis2_periods),
        cmocka_unit_test(dhis2_codes),
        cmocka_unit_test(periods_as_rollup_spans),
        cmocka_unit_test(long_periods_as_quarters),
        cmocka_unit_test(waits_in_buckets),
        cmocka_unit_test(small_cells_are_masked_against_their_total),
        cmocka_unit_test(small_parts_are_masked_within_their_row),
        cmocka_unit_test(rates_beside_a_hidden_numerator_are_masked),
        cmocka_unit_test(workbook_of_several_reports),
        cmocka_unit_test(chapters_in_sql_agree_with_c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
