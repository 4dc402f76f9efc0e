/* Internal to src/reports: what every indicator's report shares — the period (Vietnam time), the
 * place the caller may read (yx_authorize(), YX_RES_REPORT), the grouping, nearest-rank
 * percentiles and the one JSON shape (docs/reports.md). An indicator (consultations.c, later
 * visits, reach, training) reads these, runs its query and fills columns. */
#ifndef YTEXA_REPORTS_INTERNAL_H
#define YTEXA_REPORTS_INTERNAL_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* The longest period a report covers: a year, leap day included. */
#define YX_REPORT_MAX_DAYS 366

/* A period: days from and to (inclusive, YYYY-MM-DD, Vietnam's calendar) and the same as a
 * half-open interval of ms since the epoch, [from_ms, until_ms). */
struct yx_report_period {
    char from[11], to[11];
    int64_t from_ms, until_ms;
};

/* Reads `period` (day:2026-11-30, week:2026-W48, month:2026-11, quarter:2026-Q4, year:2026) or
 * `from` and `to` (YYYY-MM-DD, inclusive, at most YX_REPORT_MAX_DAYS days); neither: this month in
 * Vietnam. 400 naming the parameter at fault. */
int yx_report_period_read(struct yx_req *r, struct yx_report_period *p);

/* Parses a period's text (the value of `period`) into p; YX_EINVAL when it is not one. Pure, for
 * unit tests and for the query parser. */
int yx_report_period_parse(const char *text, struct yx_report_period *p);
/* The period in DHIS2's format when it is one of DHIS2's periods — a day (20261130), an ISO week
 * (2026W48, the ISO year's), a month (202611), a quarter (2026Q4) or a year (2026) — whether it was
 * asked as `period` or as the same days through from and to; YX_EINVAL for any other range. Pure. */
int yx_report_dhis2_period(const struct yx_report_period *p, char out[16]);
/* The day and the ISO week (Monday to Sunday) in Vietnam that hold the moment ms (after 1970), and
 * the week's label "2026-W50" (its ISO year and number, two digits). Pure. */
void yx_report_day_week(int64_t ms, struct yx_report_period *day, struct yx_report_period *week,
                        char label[9]);
/* Fills p from two days (inclusive); YX_EINVAL when either is not a day or to is before from,
 * YX_ETOOBIG when the range is longer than YX_REPORT_MAX_DAYS. */
int yx_report_period_days(const char *from, const char *to, struct yx_report_period *p);

/* A period as the rollup tables read it (docs/reports.md, "Rollups"): the whole months it holds
 * and the days before and after them, each a half-open range. Days are Vietnam day numbers (days
 * since 1970-01-01 in Vietnam's calendar: (ms + 7 h) / 1 day, YX_REPORT_VN_DAY), months y * 12 +
 * m - 1 of Vietnam's calendar. A rollup row is (grain, span, …) with grain YX_REPORT_GRAIN_DAY and
 * span a day, or YX_REPORT_GRAIN_MONTH and span a month; a period reads its lead days, its months
 * and its tail days: at most 12 months and 60 days for a period of up to YX_REPORT_MAX_DAYS, and
 * at most YX_REPORT_MAX_MONTHS (36) months and 60 days for the from/to range by=month allows
 * (yx_report_period_read), however many events they hold. A period with no whole month is all
 * lead days (months and tail empty). */
enum { YX_REPORT_GRAIN_DAY = 1, YX_REPORT_GRAIN_MONTH = 2 };
#define YX_REPORT_VN_DAY(ms) (((ms) + 25200000LL) / 86400000LL)
struct yx_report_spans {
    int64_t lead_from, lead_until;   /* days */
    int64_t month_from, month_until; /* months */
    int64_t tail_from, tail_until;   /* days */
};
void yx_report_spans(const struct yx_report_period *p, struct yx_report_spans *s);
/* The month (y * 12 + m - 1) of Vietnam's calendar that holds the moment ms. Pure. */
int64_t yx_report_vn_month(int64_t ms);
/* The three ranges of a period in a rollup table aliased t, for a WHERE clause, and their six
 * parameters in order. Each range is one stretch of the table's (grain, span, …) key. */
#define YX_REPORT_SPANS_SQL(t)                                                                               \
    "((" t ".grain = 1 AND " t ".span >= ? AND " t ".span < ?) OR (" t ".grain = 2 AND " t                   \
    ".span >= ? AND " t ".span < ?) OR (" t ".grain = 1 AND " t ".span >= ? AND " t ".span < ?))"
#define YX_REPORT_SPANS_PARAMS(s)                                                                            \
    YX_PI((s).lead_from), YX_PI((s).lead_until), YX_PI((s).month_from), YX_PI((s).month_until),              \
        YX_PI((s).tail_from), YX_PI((s).tail_until)
/* The same for a table that also has calendar-year rows (grain 3, span the year: the per-facility
 * wait histograms, migration 0033): yx_report_spans_years() moves months that make one whole
 * calendar year out of the month range into *year (-1 when none), and the SQL reads that year's
 * row with a seventh parameter. */
#define YX_REPORT_GRAIN_YEAR 3
void yx_report_spans_years(struct yx_report_spans *s, int64_t *year);
#define YX_REPORT_SPANS_Y_SQL(t) "(" YX_REPORT_SPANS_SQL(t) " OR (" t ".grain = 3 AND " t ".span = ?))"
#define YX_REPORT_SPANS_Y_PARAMS(s, year) YX_REPORT_SPANS_PARAMS(s), YX_PI(year)

/* The place a report covers, as the caller may read it. */
struct yx_report_place {
    const char *kind;           /* "country", "province", "facility" */
    int64_t id;                 /* 0 for the country */
    const char *name;           /* in the request's arena */
    int64_t facility, province; /* the filters a query applies (0: none) */
    int pre2025;                /* `as=pre2025`: provinces as they were before the 2025 reform */
};

/* The province of a facility as every report reads it (migration 0027, docs/reports.md
 * "Provinces"): facility_places, one row a facility with today's province (province_id,
 * province_name: an abolished province's successor) and the one before the 2025 reform
 * (old_province_id, old_province_name). A report joins it as fp to its facility's alias f, filters
 * the place's province with YX_REPORT_IN_PROVINCE — today's or an old one, bound twice as
 * `(? = 0 OR " YX_REPORT_IN_PROVINCE("fp") ")` — and offers YX_REPORT_BY_PROVINCE, which
 * yx_report_request_read() turns into the old provinces for `as=pre2025`. An unchanged province is
 * the same unit in both views, an abolished one is only ever old and a merged new one only today's,
 * so one id matches either column without counting a facility twice. */
#define YX_REPORT_PLACE_JOIN(fp, f) " JOIN facility_places " fp " ON " fp ".facility_id = " f ".id "
#define YX_REPORT_IN_PROVINCE(fp) "? IN (" fp ".province_id, " fp ".old_province_id)"
#define YX_REPORT_BY_PROVINCE                                                                                \
    {                                                                                                        \
        "province", "fp.province_id", "fp.province_name", 1                                                  \
    }

/* The ICD-10 chapter (1–22) of a code such as "E11.9" (src/reports/visits.c's table); 0 for a code
 * that is not letter-digit-digit. */
int yx_report_icd10_chapter(const char *code);
/* The rollups without the facility (consultations' 0025, visits' 0029) are keyed by the facility's
 * filed province, which counts as today's: its successor when the 2025 reform abolished it, as
 * facility_places does. A query reads them as t and joins the filed province (p0) and its
 * successor (ps) with YX_REPORT_FILED_JOIN; YX_REPORT_FILED_PROVINCE and _NAME are today's. */
#define YX_REPORT_FILED_JOIN(t)                                                                              \
    "JOIN admin_units p0 ON p0.id = " t ".province_id LEFT JOIN admin_units ps ON ps.id = p0.successor_id "
#define YX_REPORT_FILED_PROVINCE "COALESCE(ps.id, p0.id)"
#define YX_REPORT_FILED_PROVINCE_NAME "COALESCE(ps.name, p0.name)"
/* Sets *coarse when the report of place grouped by g (NULL: totals) may read the rollups without
 * the facility: the country or one of today's provinces, grouped by anything but facility. A
 * facility's own report, by=facility, as=pre2025 and an old province (one the reform abolished)
 * need each facility's place, so they read the rollups by facility. 0 or a YX_E… code. */
struct yx_report_grouping;
int yx_report_coarse(struct yx_req *r, const struct yx_report_place *place,
                     const struct yx_report_grouping *g, int *coarse);

/* Reads `province` or `facility` (ids) and `as` (2025, the default, or pre2025) and decides, with
 * yx_authorize() (YX_RES_REPORT), whether the caller reads that place; without either, the
 * caller's own scope (yx_scope()). An old province is read as part of its successor: a province
 * administrator reads the old provinces merged into theirs. Another administrator's place answers
 * 404 exactly as an absent one. */
int yx_report_place_read(struct yx_req *r, struct yx_report_place *place);

/* A grouping a report offers (`by`): the SQL of its key and of its name — fixed text from the
 * report's own table, never from the query — and whether the key is a number (a facility's or a
 * province's id) or a code. A table ends with an entry whose by is NULL; a grouping the report
 * adds up in C has NULL key and name. */
struct yx_report_grouping {
    const char *by, *key, *name;
    int numeric;
};
/* The grouping g as the place's view asks: YX_REPORT_BY_PROVINCE becomes the provinces before the
 * 2025 reform when place->pre2025; any other is g. */
const struct yx_report_grouping *yx_report_grouping_as(const struct yx_report_grouping *g,
                                                       const struct yx_report_place *place);
/* The name of a code rows are keyed by (a facility level, a role, a visit mode, an urgency, a
 * kind), Vietnamese then English, or otherwise when it is not one. */
const char *yx_report_code_name(const char *code, const char *otherwise);
/* A row's key {id, name}: the id as a number with the row's name, or the code with its name. */
json_t *yx_report_key(const struct yx_report_grouping *g, const char *id, const char *name);

/* The formats a report answers in (docs/reports.md): the JSON shape, CSV, an XLSX workbook, and
 * DHIS2's dataValueSets JSON; a document built of reports (monthly.c, hub.c) JSON, PDF and, for
 * the monthly one, XLSX. */
enum yx_report_format { YX_REPORT_JSON, YX_REPORT_CSV, YX_REPORT_XLSX, YX_REPORT_DHIS2, YX_REPORT_PDF };

/* What every report's request says, read in this order before any work, each refusal naming what
 * is wrong: `format` (json, csv, xlsx, dhis2), the period (for DHIS2 one of its periods), `by` (one
 * of groupings) and the place (for DHIS2 one with a code: not the whole country unless grouped by
 * facility or province). */
int yx_report_request_read(struct yx_req *r, const struct yx_report_grouping *groupings,
                           enum yx_report_format *format, struct yx_report_period *p,
                           const struct yx_report_grouping **g, struct yx_report_place *place);
/* The filters a report may offer besides its place: `level`, the level of the facility a figure
 * belongs to (one of the five of facilities.level), and `specialty`, a consultation's (a code of the
 * specialties table). Each is "" when not asked for, so a query binds it as (? = '' OR x = ?). */
enum { YX_REPORT_BY_LEVEL = 1, YX_REPORT_BY_SPECIALTY = 2 };
struct yx_report_filters {
    const char *level, *specialty;
    /* Set for by=month's builds of each month, whose totals alone are kept: a report may then skip
     * what it answers besides its figures (visits' top codes). Never read from the query. */
    int totals_only;
};
/* Reads the filters into f; offered is the report's YX_REPORT_BY_… set. 400 naming the filter when
 * its value is not on the list or the report does not offer it. Read after the place. */
int yx_report_filters_read(struct yx_req *r, unsigned offered, struct yx_report_filters *f);
/* Is the time (ms) in column col of row i inside the period? No when it is NULL. */
int yx_report_within(const struct yx_rows *rows, int i, const char *col, const struct yx_report_period *p);
/* The nearest-rank p-th percentile (0 < p <= 100) of the n sorted values: the value at rank
 * ceil(p * n / 100). The median is the 50th, the lower of the two middle values when n is even. */
int64_t yx_report_percentile(const int64_t *sorted, size_t n, int p);
/* Sorts n values in place (ascending). */
void yx_report_sort(int64_t *v, size_t n);

/* How a column adds up: counts are summed over rows into the totals; minutes and percentages are
 * computed again over the whole set. A count of things rather than people or their cases
 * (facilities, courses, sessions: YX_REPORT_THINGS) adds up like a count but is never a small
 * cell: a facility or a course points at no one. A part (YX_REPORT_PART) is a count of some of the
 * cases of another count column of the same row, its base: an ICD-10 chapter of the diagnoses, an
 * outcome of the conclusions, the acceptances in time of the acceptances. Two or more parts of one
 * base add up to it (they split it), and a rate's numerator is declared a part of the rate's base;
 * yx_report_mask() reads both. A base may be a total no column shows: a rate that is one part's
 * share of it names that part as its base (refused_pct, refused ÷ (signed + refused), over
 * prescriptions_refused, which with prescriptions_signed is a part of "prescriptions"), and is
 * masked beside any other part hidden. */
enum yx_report_kind {
    YX_REPORT_COUNT,
    YX_REPORT_MINUTES,
    YX_REPORT_PERCENT,
    YX_REPORT_THINGS,
    YX_REPORT_PART
};
struct yx_report_column {
    const char *key, *label_vi, *label_en;
    enum yx_report_kind kind;
    /* For minutes, percentages and a count computed over people (credit hours): the count column
     * they are computed over. In CSV a figure over fewer than 5 cases is suppressed like the count
     * itself (docs/reports.md, "Small cells"). For a part: the count it is a part of. NULL for
     * other counts. */
    const char *base;
};

/* The median or a percentile of n sorted durations (ms) in minutes; null when n is 0. */
json_t *yx_report_minutes(const int64_t *sorted, size_t n, int p);

/* Waits as the rollup tables keep them (docs/reports.md, "Rollups"): in whole minutes, rounded
 * down (a negative wait, from clocks out of step, is 0), then put in a bucket named by its first
 * minute — the minute itself below two hours, ten minutes below a day, an hour below a week, then a
 * day — so that a year's histogram of a facility stays a few hundred rows however many visits or
 * cases it had. The migrations' triggers compute the same in SQL:
 *   CASE WHEN d < 0 THEN 0 WHEN d < 7200000 THEN d / 60000 WHEN d < 86400000 THEN d / 600000 * 10
 *        WHEN d < 604800000 THEN d / 3600000 * 60 ELSE d / 86400000 * 1440 END   (d in ms) */
int64_t yx_report_wait_bucket(int64_t ms);
/* A bucket of waits and how many fell in it; a histogram is a list of them by ascending minutes. */
struct yx_report_wait {
    int64_t minutes, n;
};
/* The nearest-rank p-th percentile (0 < p <= 100) of a histogram of nw buckets in ascending order,
 * in minutes: the bucket that holds rank ceil(p * total / 100); null when it is empty. */
json_t *yx_report_wait_percentile(const struct yx_report_wait *w, size_t nw, int p);

/* Trends in one request (`by=month`, docs/reports.md "Trends"): a report whose groupings include
 * YX_REPORT_BY_MONTH answers one row a Vietnam month of the period, each the report's totals over
 * that month's part of the period (a whole month reads the rollups' month rows, a part of one its
 * day rows: yx_report_spans), a month without events a row of zeros; the totals and anything else
 * the report answers (the top codes …) are the whole period's. A from/to range then covers up to
 * YX_REPORT_MAX_MONTHS calendar months (yx_report_period_read; more is a 400 naming `by`). The
 * builds never see the grouping: yx_report_serve() builds the months itself. No DHIS2. */
#define YX_REPORT_MAX_MONTHS 36
#define YX_REPORT_BY_MONTH                                                                                   \
    {                                                                                                        \
        "month", NULL, NULL, 0                                                                               \
    }
/* The part of period p inside month mo (y * 12 + m - 1 of Vietnam's calendar, as
 * yx_report_vn_month) into *part: the whole month but at the period's two ends. YX_EINVAL when
 * none of the month is in p. Pure. */
int yx_report_period_month_part(const struct yx_report_period *p, int64_t mo, struct yx_report_period *part);

#define YX_REPORT_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Is the figure of column c in values hidden when it leaves the system? YX_REPORT_SHOWN (0), or
 * YX_REPORT_SMALL: a count from 1 to 4 of people or their cases, or a median or share computed over
 * 1 to 4 of them, written "<5" (CSV, XLSX, PDF) or left out (DHIS2); or YX_REPORT_MASKED: a figure
 * hidden by yx_report_mask() so that a small cell cannot be worked out from its total, written "x"
 * or left out (docs/reports.md, "Small cells"). */
enum { YX_REPORT_SHOWN, YX_REPORT_SMALL, YX_REPORT_MASKED };
int yx_report_small(const struct yx_report_column *c, json_t *values);
/* Secondary suppression, run by every writer of data that leaves the system before it writes
 * report (the JSON shape, or any {"rows": [{"values"}], "totals"}), so that no small cell can be
 * worked out from the figures shown (docs/reports.md, "Small cells"):
 * - in each count column whose rows add up to the totals, a small cell alone among the rows would
 *   be the total minus the others, so the smallest other figure above zero is masked too (the
 *   total when there is none);
 * - in each row and in the totals, the parts of one base (YX_REPORT_PART): where there are two
 *   or more, a small part alone among them would be the base minus the others, so the smallest
 *   other part above zero is masked too (the base when there is none), unless the base is itself
 *   hidden;
 * - the two rules again until neither masks anything more (a mask one makes can call for the
 *   other);
 * - then each rate (YX_REPORT_PERCENT) whose base is masked, or a part of whose base (its
 *   numerator) is small or masked: rate × base would give it away; and a rate above 0 whose base
 *   is a part, beside another part of the same base small or masked (refused_pct beside a hidden
 *   prescriptions_signed: 10 refused at 83.3 % give 2 signed back).
 * The masks are kept in each values object under "_masked"; calling it again changes nothing. */
void yx_report_mask(json_t *report, const struct yx_report_column *columns);

/* The names a report's exports use: the ASCII stem of the file name ("hoi-chan" gives
 * bao-cao-hoi-chan-2026-11.csv) and the prefix of its DHIS2 data element codes ("YX_CONS" gives
 * YX_CONS_REQUESTED for the column requested). */
struct yx_report_names {
    const char *stem, *dhis2;
};

/* The workbook of n reports (yx_report_new's shape, each with its columns): one sheet per report
 * with a header of the labels, a row per row and a totals row — counts as integers, minutes and
 * percentages as numbers with one decimal shown, small cells the text "<5", as in the CSV — and a
 * sheet "Thông tin" ("About" when en) with each report's name, period (Vietnam time), place,
 * grouping, the time it was made and the note on small cells. *out is malloc'd (the caller frees
 * it). YX_EINVAL when n is 0, YX_EINTERNAL when libxlsxwriter fails. */
int yx_report_xlsx(json_t *const *reports, size_t n, const struct yx_report_column *const *columns, int en,
                   char **out, size_t *len);

/* Answers the workbook of n reports (yx_report_xlsx; the caller keeps them) as an attachment
 * named "bao-cao-<stem>-<period of the first>.xlsx". */
int yx_report_xlsx_reply(struct yx_req *r, json_t *const *reports,
                         const struct yx_report_column *const *columns, size_t n, const char *stem);

/* The DHIS2 answer (export.c): out (taken) as dataValueSets JSON, data element codes prefix_KEY. */
int yx_report_dhis2_reply(struct yx_req *r, json_t *out, const struct yx_report_column *columns,
                          const char *prefix);

/* A DHIS2 code from text: upper case, every run of characters other than A-Z and 0-9 one "_"
 * ("level_pair", "commune>district" give LEVEL_PAIR, COMMUNE_DISTRICT); appended to b. */
int yx_report_dhis2_code(struct yx_buf *b, const char *text);

/* A figure as it leaves the system (CSV, PDF): plain numbers with a dot (the server runs in the C
 * locale), empty for null, "<5" for a small cell (docs/reports.md, "Small cells"). */
int yx_report_cell(const struct yx_report_column *c, json_t *values, char *out, size_t size);

/* The columns as the JSON shape lists them: [{"key", "label_vi", "label_en"}]. */
json_t *yx_report_columns_json(const struct yx_report_column *columns);
/* {"report", "period", "scope", "as"}: what a report and a document built of reports begin with. */
json_t *yx_report_head(const char *name, const struct yx_report_period *p,
                       const struct yx_report_place *place);
/* {"report", "period", "scope", "as", "by", "columns", "rows": [], "totals": null}: the shape every
 * report answers with; the indicator appends rows ({"key", "values"}) and sets totals. */
json_t *yx_report_new(const char *name, const struct yx_report_period *p, const struct yx_report_place *place,
                      const char *by, const struct yx_report_column *columns);

/* A report as C builds it, without a request of its own: the monthly report puts the five
 * together. build answers the place in the period, grouped by g (one of groupings, or NULL for
 * the totals only), with *out in the shape of yx_report_new(); r gives the database and the
 * arena, never the query. stem names the CSV file. */
struct yx_report_source {
    const char *name;
    const char *title; /* its heading in a document (Vietnamese): "Hội chẩn từ xa" */
    const struct yx_report_names *names;
    const struct yx_report_column *columns;
    const struct yx_report_grouping *groupings;
    unsigned filters; /* the YX_REPORT_BY_… filters it offers */
    int (*build)(struct yx_req *r, const struct yx_report_period *p, const struct yx_report_grouping *g,
                 const struct yx_report_place *place, const struct yx_report_filters *filters, json_t **out);
};
/* A query and its values: a report reads its counts and its waits from one of three families of
 * rollups (without the facility, by facility alone, by facility and every key), chosen once. */
struct yx_report_query {
    const char *sql;
    const struct yx_param *params;
    int n;
};
#define YX_REPORT_QUERY(sql, params)                                                                         \
    {                                                                                                        \
        sql, params, (int)(sizeof params / sizeof params[0])                                                 \
    }

/* Runs s's build with the connection planning each statement with its values (yx_db_plan_each):
 * the reports' statements filter on "? = 0 OR x = ?", which PostgreSQL's generic plan of a prepared
 * statement turns into a loop over every facility. Every report is built through this. */
int yx_report_build(struct yx_req *r, const struct yx_report_source *s, const struct yx_report_period *p,
                    const struct yx_report_grouping *g, const struct yx_report_place *place,
                    const struct yx_report_filters *filters, json_t **out);
extern const struct yx_report_source yx_report_consultations, yx_report_visits, yx_report_reach,
    yx_report_sites, yx_report_training;
/* The five, in the order a document lists them, ended by NULL; each has the route
 * GET /api/v1/reports/<name> (yx_report_routes). */
#define YX_REPORT_NSOURCES 5
extern const struct yx_report_source *const yx_report_sources[YX_REPORT_NSOURCES + 1];

/* Answers a report's request: reads it (yx_report_request_read, then its filters), builds and
 * replies in the format asked for (JSON, CSV, XLSX or DHIS2). */
int yx_report_serve(struct yx_req *r, const struct yx_report_source *s);

/* Session 15: the rollups by facility alone (migration 0034) — the wait histograms of visits and
 * consultations and the consultations' counts without the keys a grouping or filter other than
 * the facility may ask for — by month (grain 2), calendar quarter (grain 4, span y * 4 + q - 1) and
 * calendar year (grain 3), with no day rows. yx_report_spans_quarters() extends
 * yx_report_spans_years() to quarters: it reads the whole months of the period's spans (which must
 * have no lead or tail days) as one year's row when they are a calendar year, else as the months
 * before the first whole quarter, the whole quarters, and the months after the last. */
struct yx_report_quarters {
    int64_t before_from, before_until;   /* months */
    int64_t quarter_from, quarter_until; /* quarters */
    int64_t after_from, after_until;     /* months */
    int64_t year;                        /* -1: none */
};
void yx_report_spans_quarters(const struct yx_report_spans *s, struct yx_report_quarters *q);
/* The rows of those ranges of table (the columns cols) as a derived table, each range its own
 * SELECT joined by UNION ALL, to be aliased after it: each is one stretch of the table's (grain,
 * span, …) key, which PostgreSQL reads from an index (index-only when it covers cols: migration
 * 0040), where an OR of the ranges made it a bitmap of the table's pages (session 16). Its seven
 * parameters in order: YX_REPORT_QUARTERS_PARAMS. */
#define YX_REPORT_QUARTERS_FROM(table, cols)                                                                 \
    "(SELECT " cols " FROM " table " WHERE grain = 2 AND span >= ? AND span < ? UNION ALL SELECT " cols      \
    " FROM " table " WHERE grain = 4 AND span >= ? AND span < ? UNION ALL SELECT " cols " FROM " table       \
    " WHERE grain = 2 AND span >= ? AND span < ? UNION ALL SELECT " cols " FROM " table                      \
    " WHERE grain = 3 AND span = ?)"
#define YX_REPORT_QUARTERS_PARAMS(q)                                                                         \
    YX_PI((q).before_from), YX_PI((q).before_until), YX_PI((q).quarter_from), YX_PI((q).quarter_until),      \
        YX_PI((q).after_from), YX_PI((q).after_until), YX_PI((q).year)
/* Does the rollup by facility alone answer the report of period p grouped by g (NULL: totals) with
 * filters f, and which of its rows (*q)? Yes when nothing finer than the facility is asked — no
 * grouping, by=facility or by=province (today's or before the reform: both a facility's) — no
 * specialty filter (the level filter is the facility's), and p is whole months (no day rows).
 * The caller has already chosen the rollups by facility (yx_report_coarse() said no, or the
 * grouping needs each facility's place). Pure. */
int yx_report_facility_alone(const struct yx_report_period *p, const struct yx_report_grouping *g,
                             const struct yx_report_filters *f, struct yx_report_quarters *q);

#endif
