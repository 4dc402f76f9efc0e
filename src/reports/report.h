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
/* Fills p from two days (inclusive); YX_EINVAL when either is not a day or to is before from,
 * YX_ETOOBIG when the range is longer than YX_REPORT_MAX_DAYS. */
int yx_report_period_days(const char *from, const char *to, struct yx_report_period *p);

/* The place a report covers, as the caller may read it. */
struct yx_report_place {
    const char *kind;           /* "country", "province", "facility" */
    int64_t id;                 /* 0 for the country */
    const char *name;           /* in the request's arena */
    int64_t facility, province; /* the filters a query applies (0: none) */
};

/* Reads `province` or `facility` (ids) and decides, with yx_authorize() (YX_RES_REPORT), whether
 * the caller reads that place; without either, the caller's own scope (yx_scope()). Another
 * administrator's place answers 404 exactly as an absent one. */
int yx_report_place_read(struct yx_req *r, struct yx_report_place *place);

/* A grouping a report offers (`by`): the SQL of its key and of its name — fixed text from the
 * report's own table, never from the query — and whether the key is a number (a facility's or a
 * province's id) or a code. A table ends with an entry whose by is NULL; a grouping the report
 * adds up in C has NULL key and name. */
struct yx_report_grouping {
    const char *by, *key, *name;
    int numeric;
};
/* Reads `by`, which must name one of groupings (*g NULL when absent); the 400 lists them. */
int yx_report_by_read(struct yx_req *r, const struct yx_report_grouping *groupings,
                      const struct yx_report_grouping **g);
/* The name of a code rows are keyed by (a facility level, a role, a visit mode, an urgency, a
 * kind), Vietnamese then English, or otherwise when it is not one. */
const char *yx_report_code_name(const char *code, const char *otherwise);
/* A row's key {id, name}: the id as a number with the row's name, or the code with its name. */
json_t *yx_report_key(const struct yx_report_grouping *g, const char *id, const char *name);

/* What every report's request says, read in this order before any work, each refusal naming what
 * is wrong: `format` (yx_report_format_read), the period, `by` (one of groupings) and the place. */
int yx_report_request_read(struct yx_req *r, const struct yx_report_grouping *groupings, int *csv,
                           struct yx_report_period *p, const struct yx_report_grouping **g,
                           struct yx_report_place *place);
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
 * cell: a facility or a course points at no one. */
enum yx_report_kind { YX_REPORT_COUNT, YX_REPORT_MINUTES, YX_REPORT_PERCENT, YX_REPORT_THINGS };
struct yx_report_column {
    const char *key, *label_vi, *label_en;
    enum yx_report_kind kind;
    /* For minutes and percentages: the count column they are computed over. In CSV a figure
     * over fewer than 5 cases is suppressed like the count itself (docs/reports.md, "Small
     * cells"); NULL for counts. */
    const char *base;
};

/* The median or a percentile of n sorted durations (ms) in minutes; null when n is 0. */
json_t *yx_report_minutes(const int64_t *sorted, size_t n, int p);

/* Reads `format` (json, csv; absent: CSV when the Accept header asks for text/csv, else JSON) into
 * *csv. 400 naming format otherwise. Read before any work. */
int yx_report_format_read(struct yx_req *r, int *csv);

/* A figure as it leaves the system (CSV, PDF): plain numbers with a dot (the server runs in the C
 * locale), empty for null, "<5" for a small cell (docs/reports.md, "Small cells"). */
int yx_report_cell(const struct yx_report_column *c, json_t *values, char *out, size_t size);

/* Answers with the report out (taken): as it is, or as CSV when csv is set — UTF-8 with a BOM, a
 * header of the labels (English when Accept-Language starts with en), one line per row and a
 * totals line, counts of 1 to 4 written "<5" — as an attachment named
 * "bao-cao-<stem>-<period>.csv" (stem is ASCII, e.g. "hoi-chan"). */
int yx_report_reply(struct yx_req *r, json_t *out, const struct yx_report_column *columns, const char *stem,
                    int csv);

/* {"report", "period", "scope", "by", "columns", "rows": [], "totals": null}: the shape every
 * report answers with; the indicator appends rows ({"key", "values"}) and sets totals. */
json_t *yx_report_new(const char *name, const struct yx_report_period *p, const struct yx_report_place *place,
                      const char *by, const struct yx_report_column *columns);

/* A report as C builds it, without a request of its own: the monthly report puts the five
 * together. build answers the place in the period, grouped by g (one of groupings, or NULL for
 * the totals only), with *out in the shape of yx_report_new(); r gives the database and the
 * arena, never the query. stem names the CSV file. */
struct yx_report_source {
    const char *name, *stem;
    const struct yx_report_column *columns;
    const struct yx_report_grouping *groupings;
    int (*build)(struct yx_req *r, const struct yx_report_period *p, const struct yx_report_grouping *g,
                 const struct yx_report_place *place, json_t **out);
};
extern const struct yx_report_source yx_report_consultations, yx_report_visits, yx_report_reach,
    yx_report_sites, yx_report_training;

/* Answers a report's request: reads it (yx_report_request_read), builds and replies (JSON or CSV). */
int yx_report_serve(struct yx_req *r, const struct yx_report_source *s);

#endif
