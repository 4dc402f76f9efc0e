/* A report's period, in Vietnam's calendar (UTC+7 all year, no daylight saving): a day, an ISO
 * week, a month, a quarter, a year or a range of days. Days are counted with the civil-calendar
 * arithmetic of Howard Hinnant's days_from_civil, so no time zone database or timegm() is needed
 * and the same text gives the same interval on every machine. */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define DAY_MS (24LL * 3600 * 1000)
/* Vietnam is seven hours ahead of UTC: its midnight is 17:00 UTC the day before. */
#define VN_OFFSET_MS (7LL * 3600 * 1000)

/* Reads exactly n decimal digits at s into *out. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return YX_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Years a report may ask for: wide enough for any record, narrow enough that no arithmetic
 * overflows and no typo such as 0206 passes silently. */
static int year_ok(int y)
{
    return y >= 2000 && y <= 2100;
}

/* "YYYY-MM-DD" (exactly) as a day number; YX_EINVAL for anything else, 30 February included. */
static int day_parse(const char *s, int64_t *day)
{
    int y, m, d, y2, m2, d2;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
        digits(s + 8, 2, &d) || !year_ok(y) || m < 1 || m > 12 || d < 1)
        return YX_EINVAL;
    *day = yx_days_from_civil(y, m, d);
    yx_civil_from_days(*day, &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d ? 0 : YX_EINVAL;
}

/* Fills p from day numbers first and last (inclusive). */
static void period_set(struct yx_report_period *p, int64_t first, int64_t last)
{
    int y, m, d;
    yx_civil_from_days(first, &y, &m, &d);
    snprintf(p->from, sizeof p->from, "%04d-%02d-%02d", y, m, d);
    yx_civil_from_days(last, &y, &m, &d);
    snprintf(p->to, sizeof p->to, "%04d-%02d-%02d", y, m, d);
    p->from_ms = first * DAY_MS - VN_OFFSET_MS;
    p->until_ms = (last + 1) * DAY_MS - VN_OFFSET_MS;
}

/* The Monday of ISO week 1 of year y: the week that holds 4 January. */
static int64_t iso_week1(int y)
{
    int64_t jan4 = yx_days_from_civil(y, 1, 4);
    /* Day 0 (1970-01-01) was a Thursday: (days + 3) mod 7 is 0 on Mondays. */
    int64_t weekday = ((jan4 + 3) % 7 + 7) % 7;
    return jan4 - weekday;
}

/* The ISO week whose Monday is monday: its year (that of its Thursday, which around New Year is not
 * the Monday's: 2026-12-28 starts 2026W53, 2024-12-30 2025W1) and its number. */
static void iso_week(int64_t monday, int *year, int *number)
{
    int m, d;
    yx_civil_from_days(monday + 3, year, &m, &d);
    *number = (int)((monday - iso_week1(*year)) / 7 + 1);
}

void yx_report_day_week(int64_t ms, struct yx_report_period *day, struct yx_report_period *week,
                        char label[9])
{
    int64_t today = (ms + VN_OFFSET_MS) / DAY_MS, monday = today - ((today + 3) % 7 + 7) % 7;
    int year, number;
    period_set(day, today, today);
    period_set(week, monday, monday + 6);
    iso_week(monday, &year, &number);
    snprintf(label, 9, "%04d-W%02d", year, number);
}

void yx_report_spans_years(struct yx_report_spans *s, int64_t *year)
{
    *year = -1;
    if (s->month_until - s->month_from == 12 && s->month_from % 12 == 0) {
        *year = s->month_from / 12;
        s->month_from = s->month_until = 0;
    }
}

void yx_report_spans_quarters(const struct yx_report_spans *s, struct yx_report_quarters *q)
{
    struct yx_report_spans months = *s;
    int64_t year;
    yx_report_spans_years(&months, &year);
    /* The first quarter that begins in the range and the last that ends in it; a range of whole
     * months that holds none (two months, or straddling a quarter's end) is all months before. */
    int64_t first = (months.month_from + 2) / 3, last = months.month_until / 3;
    *q = (struct yx_report_quarters){months.month_from, months.month_until, 0, 0, 0, 0, year};
    if (first < last) {
        q->before_until = first * 3;
        q->quarter_from = first;
        q->quarter_until = last;
        q->after_from = last * 3;
        q->after_until = months.month_until;
    }
}

int64_t yx_report_vn_month(int64_t ms)
{
    int y, m, d;
    yx_civil_from_days(YX_REPORT_VN_DAY(ms), &y, &m, &d);
    return (int64_t)y * 12 + m - 1;
}

/* The first day of month number mo (y * 12 + m - 1). */
static int64_t month_first_day(int64_t mo)
{
    return yx_days_from_civil((int)(mo / 12), (int)(mo % 12) + 1, 1);
}

void yx_report_spans(const struct yx_report_period *p, struct yx_report_spans *s)
{
    int64_t first = YX_REPORT_VN_DAY(p->from_ms), until = YX_REPORT_VN_DAY(p->until_ms);
    /* The first month that begins on or after the first day, and the month the end falls in: the
     * whole months are those from the one to the other. */
    int64_t m0 = yx_report_vn_month(p->from_ms), m1 = yx_report_vn_month(p->until_ms);
    if (month_first_day(m0) < first)
        m0++;
    if (m0 >= m1) {
        *s = (struct yx_report_spans){first, until, 0, 0, 0, 0};
        return;
    }
    *s = (struct yx_report_spans){first, month_first_day(m0), m0, m1, month_first_day(m1), until};
}

int yx_report_period_days(const char *from, const char *to, struct yx_report_period *p)
{
    int64_t first, last;
    if (day_parse(from, &first) != 0 || day_parse(to, &last) != 0 || last < first)
        return YX_EINVAL;
    if (last - first + 1 > YX_REPORT_MAX_DAYS)
        return YX_ETOOBIG;
    period_set(p, first, last);
    return 0;
}

int yx_report_period_month_part(const struct yx_report_period *p, int64_t mo, struct yx_report_period *part)
{
    int64_t first = YX_REPORT_VN_DAY(p->from_ms), last = YX_REPORT_VN_DAY(p->until_ms) - 1;
    int64_t from = month_first_day(mo), to = month_first_day(mo + 1) - 1;
    if (from < first)
        from = first;
    if (to > last)
        to = last;
    if (to < from)
        return YX_EINVAL;
    period_set(part, from, to);
    return 0;
}

/* Fills p from two days (inclusive) that touch at most YX_REPORT_MAX_MONTHS calendar months, the
 * range a by=month report may cover; YX_EINVAL as yx_report_period_days, YX_ETOOBIG for more
 * months. */
static int period_months(const char *from, const char *to, struct yx_report_period *p)
{
    int64_t first, last;
    int y0, m0, y1, m1, d;
    if (day_parse(from, &first) != 0 || day_parse(to, &last) != 0 || last < first)
        return YX_EINVAL;
    yx_civil_from_days(first, &y0, &m0, &d);
    yx_civil_from_days(last, &y1, &m1, &d);
    if ((y1 * 12 + m1) - (y0 * 12 + m0) + 1 > YX_REPORT_MAX_MONTHS)
        return YX_ETOOBIG;
    period_set(p, first, last);
    return 0;
}

int yx_report_period_parse(const char *text, struct yx_report_period *p)
{
    const char *colon = text ? strchr(text, ':') : NULL;
    if (!colon)
        return YX_EINVAL;
    size_t klen = (size_t)(colon - text), vlen = strlen(colon + 1);
    const char *v = colon + 1;
    int y, n;
    int64_t first;
#define KIND(k) (klen == sizeof k - 1 && memcmp(text, k, klen) == 0)
    if (KIND("day") && day_parse(v, &first) == 0) {
        period_set(p, first, first);
        return 0;
    }
    if (KIND("year") && vlen == 4 && digits(v, 4, &y) == 0 && year_ok(y)) {
        period_set(p, yx_days_from_civil(y, 1, 1), yx_days_from_civil(y, 12, 31));
        return 0;
    }
    if (vlen < 6 || v[4] != '-' || digits(v, 4, &y) != 0 || !year_ok(y))
        return YX_EINVAL;
    if (KIND("month") && vlen == 7 && digits(v + 5, 2, &n) == 0 && n >= 1 && n <= 12) {
        period_set(p, yx_days_from_civil(y, n, 1),
                   yx_days_from_civil(n == 12 ? y + 1 : y, n == 12 ? 1 : n + 1, 1) - 1);
        return 0;
    }
    if (KIND("quarter") && vlen == 7 && v[5] == 'Q' && digits(v + 6, 1, &n) == 0 && n >= 1 && n <= 4) {
        int m = 3 * (n - 1) + 1;
        period_set(p, yx_days_from_civil(y, m, 1),
                   yx_days_from_civil(n == 4 ? y + 1 : y, n == 4 ? 1 : m + 3, 1) - 1);
        return 0;
    }
    /* An ISO year has 52 or 53 weeks: week n exists when its Monday comes before week 1 of the
     * next year. */
    if (KIND("week") && vlen == 8 && v[5] == 'W' && digits(v + 6, 2, &n) == 0 && n >= 1) {
        first = iso_week1(y) + 7 * (int64_t)(n - 1);
        if (first >= iso_week1(y + 1))
            return YX_EINVAL;
        period_set(p, first, first + 6);
        return 0;
    }
#undef KIND
    return YX_EINVAL;
}

int yx_report_period_read(struct yx_req *r, struct yx_report_period *p)
{
    const char *period = yx_query(r, "period"), *from = yx_query(r, "from"), *to = yx_query(r, "to");
    if (period && (from || to))
        return yx_fail_field(
            r, YX_EINVAL, "period",
            "Chọn period hoặc from/to, không cả hai / give period or from and to, not both.");
    if (period) {
        if (strlen(period) > 20 || yx_report_period_parse(period, p) != 0)
            return yx_fail_field(r, YX_EINVAL, "period",
                                 "Kỳ báo cáo không hợp lệ / period is day:2026-11-30, week:2026-W48, "
                                 "month:2026-11, quarter:2026-Q4 or year:2026.");
        return 0;
    }
    if (from || to) {
        int64_t day;
        if (!from || day_parse(from, &day) != 0)
            return yx_fail_field(r, YX_EINVAL, "from", "from là một ngày / from is a day (2026-11-01).");
        if (!to || day_parse(to, &day) != 0)
            return yx_fail_field(r, YX_EINVAL, "to", "to là một ngày / to is a day (2026-11-30).");
        /* A trend (by=month) covers up to YX_REPORT_MAX_MONTHS months; any other report a year. */
        const char *by = yx_query(r, "by");
        int rc =
            by && strcmp(by, "month") == 0 ? period_months(from, to, p) : yx_report_period_days(from, to, p);
        if (rc == YX_ETOOBIG && by && strcmp(by, "month") == 0)
            return yx_fail_field(
                r, YX_EINVAL, "by",
                "Xu hướng theo tháng dài tối đa %d tháng / by=month covers at most %d months.",
                YX_REPORT_MAX_MONTHS, YX_REPORT_MAX_MONTHS);
        if (rc == YX_ETOOBIG)
            return yx_fail_field(r, YX_EINVAL, "to",
                                 "Kỳ báo cáo dài tối đa %d ngày / a period is at most %d days.",
                                 YX_REPORT_MAX_DAYS, YX_REPORT_MAX_DAYS);
        if (rc != 0)
            return yx_fail_field(r, YX_EINVAL, "to", "to không được trước from / to comes before from.");
        return 0;
    }
    /* No period asked: this month, as Vietnam's calendar shows it today. */
    char today[11], month[16];
    yx_today_vn(today);
    snprintf(month, sizeof month, "month:%.7s", today);
    return yx_report_period_parse(month, p) == 0 ? 0 : yx_fail(r, YX_EINTERNAL, "Lỗi lịch / calendar error.");
}

int yx_report_dhis2_period(const struct yx_report_period *p, char out[16])
{
    int64_t first, last;
    int y, m, d, y2, m2, d2;
    if (day_parse(p->from, &first) != 0 || day_parse(p->to, &last) != 0 || last < first)
        return YX_EINVAL;
    yx_civil_from_days(first, &y, &m, &d);
    yx_civil_from_days(last + 1, &y2, &m2, &d2); /* the day after the period */
    if (first == last) {
        snprintf(out, 16, "%04d%02d%02d", y, m, d);
        return 0;
    }
    /* An ISO week: Monday to Sunday, named by its ISO year (iso_week). */
    if (last - first == 6 && ((first + 3) % 7 + 7) % 7 == 0) {
        int year, number;
        iso_week(first, &year, &number);
        snprintf(out, 16, "%04dW%d", year, number);
        return 0;
    }
    /* Months, quarters and years start on the 1st and end the day before another 1st. */
    if (d != 1 || d2 != 1)
        return YX_EINVAL;
    int months = (y2 - y) * 12 + (m2 - m);
    if (months == 1)
        snprintf(out, 16, "%04d%02d", y, m);
    else if (months == 3 && (m - 1) % 3 == 0)
        snprintf(out, 16, "%04dQ%d", y, (m - 1) / 3 + 1);
    else if (months == 12 && m == 1)
        snprintf(out, 16, "%04d", y);
    else
        return YX_EINVAL;
    return 0;
}
