/* The remote visit indicators (docs/reports.md, "Remote visits"): how many visits were booked,
 * started, completed, missed and cancelled in a period, how long patients waited from booking to
 * the start, the prescriptions signed, and the diagnoses by ICD-10 chapter with the ten most
 * frequent codes. A visit belongs to the place of the facility where the patient is registered
 * (visits.facility_id), as a consultation belongs to the facility that asked.
 *
 * The database adds up, from the rollup tables of migrations 0024 and 0029 only (never the visits
 * themselves): one query the figures and the diagnoses by chapter, by group; a second the waits of
 * the visits started in the period as a histogram of (bucket, how many) in the same order of
 * groups, so the two are walked side by side; a third the top codes. The waits and the codes come
 * from the rollups without the facility (by filed province, level and mode) where the place and
 * the grouping allow it (build), else from those by facility — over whole months with nothing
 * finer than the facility asked, from the histogram by facility alone (migration 0034). Medians and 90th
 * percentiles are taken in C from the histogram (yx_report_wait_percentile), for the reason consultations.c
 * gives. The work is bounded by the rollup rows of the period's spans — at most 12 months and 60 days of
 * keys, 36 months and 60 days for a by=month range (report.h) — not by how many visits the place had. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* ICD-10's chapters (WHO ICD-10, 2019 edition, "Chapters"), by the first three-character
 * category of each. The table is contiguous — a chapter runs until the next one begins — so that
 * a code in a gap of the WHO ranges (D49, H96, E91 …) still falls in the chapter of its
 * neighbours and every diagnosis is in exactly one chapter. */
static const struct chapter {
    const char *from; /* its first category */
    int number;
} chapters[] = {
    {"A00", 1},  {"C00", 2},  {"D50", 3},  {"E00", 4},  {"F00", 5},  {"G00", 6},  {"H00", 7},  {"H60", 8},
    {"I00", 9},  {"J00", 10}, {"K00", 11}, {"L00", 12}, {"M00", 13}, {"N00", 14}, {"O00", 15}, {"P00", 16},
    {"Q00", 17}, {"R00", 18}, {"S00", 19}, {"U00", 22}, {"V00", 20}, {"Z00", 21},
};

/* The chapter of a code: the last chapter that begins at or before its category. Migration 0029
 * computes the same in SQL for visit_rollup's chapter columns; tests/unit/reports_test.c checks
 * that the two agree on every boundary of this table. */
int yx_report_icd10_chapter(const char *code)
{
    if (!code || code[0] < 'A' || code[0] > 'Z' || code[1] < '0' || code[1] > '9' || code[2] < '0' ||
        code[2] > '9')
        return 0;
    int number = 0;
    for (size_t i = 0; i < sizeof chapters / sizeof chapters[0]; i++)
        if (strncmp(chapters[i].from, code, 3) <= 0)
            number = chapters[i].number;
    return number;
}

enum { BOOKED, STARTED, COMPLETED, NO_SHOW, CANCELLED, SIGNED, DIAGNOSES, CHAPTER1, NCOUNTS = CHAPTER1 + 22 };
static const struct yx_report_column columns[] = {
    {"booked", "Lượt khám được đặt", "visits booked", YX_REPORT_COUNT, NULL},
    {"started", "Lượt khám bắt đầu", "visits started", YX_REPORT_COUNT, NULL},
    {"completed", "Lượt khám hoàn thành", "visits completed", YX_REPORT_COUNT, NULL},
    {"no_show", "Không đến", "no-shows", YX_REPORT_COUNT, NULL},
    {"cancelled", "Bị huỷ", "visits cancelled", YX_REPORT_COUNT, NULL},
    /* Signed and refused are the two parts of the prescriptions decided, a total no column shows:
     * refused_pct, refused's share of it, would give a hidden signed count back (report.h). */
    {"prescriptions_signed", "Đơn thuốc đã ký", "prescriptions signed", YX_REPORT_PART, "prescriptions"},
    {"diagnoses", "Chẩn đoán", "diagnoses", YX_REPORT_COUNT, NULL},
    {"icd_ch01", "Chương I: bệnh nhiễm trùng và ký sinh trùng (A00–B99)",
     "Chapter I: infectious and parasitic diseases (A00–B99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch02", "Chương II: u tân sinh (C00–D48)", "Chapter II: neoplasms (C00–D48)", YX_REPORT_PART,
     "diagnoses"},
    {"icd_ch03", "Chương III: bệnh máu, cơ quan tạo máu và miễn dịch (D50–D89)",
     "Chapter III: blood, blood-forming organs and immunity (D50–D89)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch04", "Chương IV: bệnh nội tiết, dinh dưỡng và chuyển hoá (E00–E90)",
     "Chapter IV: endocrine, nutritional and metabolic diseases (E00–E90)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch05", "Chương V: rối loạn tâm thần và hành vi (F00–F99)",
     "Chapter V: mental and behavioural disorders (F00–F99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch06", "Chương VI: bệnh hệ thần kinh (G00–G99)", "Chapter VI: nervous system (G00–G99)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch07", "Chương VII: bệnh mắt và phần phụ (H00–H59)", "Chapter VII: eye and adnexa (H00–H59)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch08", "Chương VIII: bệnh tai và xương chũm (H60–H95)", "Chapter VIII: ear and mastoid (H60–H95)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch09", "Chương IX: bệnh hệ tuần hoàn (I00–I99)", "Chapter IX: circulatory system (I00–I99)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch10", "Chương X: bệnh hệ hô hấp (J00–J99)", "Chapter X: respiratory system (J00–J99)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch11", "Chương XI: bệnh hệ tiêu hoá (K00–K93)", "Chapter XI: digestive system (K00–K93)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch12", "Chương XII: bệnh da và mô dưới da (L00–L99)",
     "Chapter XII: skin and subcutaneous tissue (L00–L99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch13", "Chương XIII: bệnh cơ xương khớp và mô liên kết (M00–M99)",
     "Chapter XIII: musculoskeletal system and connective tissue (M00–M99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch14", "Chương XIV: bệnh hệ sinh dục – tiết niệu (N00–N99)",
     "Chapter XIV: genitourinary system (N00–N99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch15", "Chương XV: thai nghén, sinh đẻ và hậu sản (O00–O99)",
     "Chapter XV: pregnancy, childbirth and the puerperium (O00–O99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch16", "Chương XVI: bệnh lý thời kỳ chu sinh (P00–P96)",
     "Chapter XVI: conditions of the perinatal period (P00–P96)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch17", "Chương XVII: dị tật bẩm sinh và bất thường nhiễm sắc thể (Q00–Q99)",
     "Chapter XVII: congenital malformations and chromosomal abnormalities (Q00–Q99)", YX_REPORT_PART,
     "diagnoses"},
    {"icd_ch18", "Chương XVIII: triệu chứng, dấu hiệu và phát hiện bất thường (R00–R99)",
     "Chapter XVIII: symptoms, signs and abnormal findings (R00–R99)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch19", "Chương XIX: vết thương, ngộ độc và hậu quả của nguyên nhân bên ngoài (S00–T98)",
     "Chapter XIX: injury, poisoning and other consequences of external causes (S00–T98)", YX_REPORT_PART,
     "diagnoses"},
    {"icd_ch20", "Chương XX: nguyên nhân bên ngoài của bệnh tật và tử vong (V01–Y98)",
     "Chapter XX: external causes of morbidity and mortality (V01–Y98)", YX_REPORT_PART, "diagnoses"},
    {"icd_ch21", "Chương XXI: yếu tố ảnh hưởng sức khoẻ và tiếp xúc dịch vụ y tế (Z00–Z99)",
     "Chapter XXI: factors influencing health status and contact with health services (Z00–Z99)",
     YX_REPORT_PART, "diagnoses"},
    {"icd_ch22", "Chương XXII: mã dành cho mục đích đặc biệt (U00–U85)",
     "Chapter XXII: codes for special purposes (U00–U85)", YX_REPORT_PART, "diagnoses"},
    {"wait_median_min", "Trung vị thời gian chờ từ đặt đến bắt đầu (phút)",
     "median minutes from booking to start", YX_REPORT_MINUTES, "started"},
    {"wait_p90_min", "Bách phân vị 90 thời gian chờ từ đặt đến bắt đầu (phút)",
     "90th percentile minutes from booking to start", YX_REPORT_MINUTES, "started"},
    {"prescriptions_refused", "Đơn bị từ chối do ngoài danh mục Thông tư 30",
     "prescriptions refused (not on Circular 30's list)", YX_REPORT_PART, "prescriptions"},
    {"refused_pct", "Tỷ lệ đơn bị từ chối (%)", "% of prescriptions refused", YX_REPORT_PERCENT,
     "prescriptions_refused"},
    {NULL, NULL, NULL, 0, NULL},
};

/* The groupings: fixed SQL chosen from this table, never from the query's text. */
static const struct yx_report_grouping groupings[] = {
    {"facility", "f.id", "f.name", 1},
    YX_REPORT_BY_PROVINCE,
    {"mode", "v.mode", "v.mode", 0},
    YX_REPORT_BY_MONTH,
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"kham-tu-xa", "YX_VISITS"};

static json_t *key_json(const struct yx_report_grouping *g, const struct yx_rows *rows, int i)
{
    return yx_report_key(g, yx_rows_str(rows, i, "gid"), yx_rows_str(rows, i, "gname"));
}

/* What one group (or all) adds up to; its waits are a stretch of the shared array of buckets,
 * ascending. */
struct tally {
    int64_t n[NCOUNTS], refused;
    struct yx_report_wait *wait;
    size_t nwait;
};

static int wait_cmp(const void *a, const void *b)
{
    const struct yx_report_wait *x = a, *y = b;
    return (x->minutes > y->minutes) - (x->minutes < y->minutes);
}

/* prescriptions_refused and refused_pct, refused ÷ (signed + refused) to one decimal, of values. */
static void set_refused(json_t *values, int64_t refused)
{
    int64_t all = json_integer_value(json_object_get(values, "prescriptions_signed")) + refused;
    json_object_set_new(values, "prescriptions_refused", json_integer(refused));
    json_object_set_new(values, "refused_pct",
                        all ? json_real(round(1000.0 * (double)refused / (double)all) / 10.0) : json_null());
}

static json_t *values_json(const struct tally *t)
{
    json_t *v = json_object();
    for (int i = 0; i < NCOUNTS; i++)
        json_object_set_new(v, columns[i].key, json_integer(t->n[i]));
    json_object_set_new(v, "wait_median_min", yx_report_wait_percentile(t->wait, t->nwait, 50));
    json_object_set_new(v, "wait_p90_min", yx_report_wait_percentile(t->wait, t->nwait, 90));
    set_refused(v, t->refused);
    return v;
}

/* The place's filter and the level's, shared by the queries: (? = 0 OR f.id = ?) AND (? = 0 OR the
 * facility is in the province, today's or before the reform: report.h) AND (? = '' OR f.level = ?). */
#define PLACE_SQL                                                                                            \
    "(? = 0 OR f.id = ?) AND (? = 0 OR " YX_REPORT_IN_PROVINCE("fp") ") AND (? = '' OR f.level = ?)"
#define PLACE_PARAMS(pl, fl)                                                                                 \
    YX_PI((pl).facility), YX_PI((pl).facility), YX_PI((pl).province), YX_PI((pl).province),                  \
        YX_PT((fl).level), YX_PT((fl).level)

/* Every figure comes from the rollups kept by triggers in the transaction of each write: the counts
 * from visit_rollup (booked, started, completed, no-shows, cancelled, signed, and since migration
 * 0029 the diagnoses and their 22 chapters as columns), keyed by (grain, span, the visit's
 * facility, its mode), read over the period's lead days, whole months and tail days
 * (yx_report_spans): a year is 12 month rows a key. The rows of a span are added up by facility
 * and mode, a few thousand rows at most, before they are joined to the facilities for the place
 * and the group. A row whose figures are all 0 (an update moved its counts to another key) lists
 * no group: a group is listed when any of its figures is. Circular 30's refusals (migration 0028)
 * are one more branch, counted by the visit's facility and mode on their own index (0031) — joined
 * straight to the facilities, SQLite walked every facility's visits for them. The two %s are the
 * group's key and name. */
#define CHAPTER_ZEROS "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0"
#define CHAPTER_SUMS(t)                                                                                      \
    "SUM(" t ".ch01) AS ch01, SUM(" t ".ch02) AS ch02, SUM(" t ".ch03) AS ch03, SUM(" t ".ch04) AS ch04, "   \
    "SUM(" t ".ch05) AS ch05, SUM(" t ".ch06) AS ch06, SUM(" t ".ch07) AS ch07, SUM(" t ".ch08) AS ch08, "   \
    "SUM(" t ".ch09) AS ch09, SUM(" t ".ch10) AS ch10, SUM(" t ".ch11) AS ch11, SUM(" t ".ch12) AS ch12, "   \
    "SUM(" t ".ch13) AS ch13, SUM(" t ".ch14) AS ch14, SUM(" t ".ch15) AS ch15, SUM(" t ".ch16) AS ch16, "   \
    "SUM(" t ".ch17) AS ch17, SUM(" t ".ch18) AS ch18, SUM(" t ".ch19) AS ch19, SUM(" t ".ch20) AS ch20, "   \
    "SUM(" t ".ch21) AS ch21, SUM(" t ".ch22) AS ch22"
#define CHAPTERS                                                                                             \
    "ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, "             \
    "ch16, ch17, ch18, ch19, ch20, ch21, ch22"
/* The figures' query around the rows of a rollup (figures: a SELECT of facility_id, the keys and
 * the figures in counts_sql's order, then 0 AS refused) and the refusals counted by the same keys
 * (w.facility_id and the others, named in refusal_keys). */
#define COUNTS_SQL(figures, refusal_keys)                                                                    \
    "SELECT %s AS gid, %s AS gname, SUM(v.booked) AS booked, SUM(v.started) AS started, SUM(v.completed) "   \
    "AS "                                                                                                    \
    "completed, SUM(v.no_show) AS no_show, SUM(v.cancelled) AS cancelled, SUM(v.signed) AS signed, "         \
    "SUM(v.diagnoses) AS diagnoses, " CHAPTER_SUMS(                                                          \
        "v") ", SUM(v.refused) AS refused FROM (" figures " UNION ALL SELECT " refusal_keys                  \
             ", 0, 0, 0, 0, 0, 0, 0, " CHAPTER_ZEROS ", COUNT(*) FROM prescription_refusals x JOIN visits "  \
             "w ON w.id = x.visit_id WHERE x.refused_at >= ? "                                               \
             "AND x.refused_at < ? GROUP BY " refusal_keys                                                   \
             ") v JOIN facilities f ON f.id = v.facility_id " YX_REPORT_PLACE_JOIN(                          \
                 "fp", "f") "WHERE " PLACE_SQL " GROUP BY 1, 2 HAVING SUM(v.booked) <> 0 OR "                \
                            "SUM(v.started) <> 0 OR SUM(v.completed) <> 0 OR SUM(v.no_show) <> 0 OR "        \
                            "SUM(v.cancelled) <> 0 OR "                                                      \
                            "SUM(v.signed) <> 0 OR SUM(v.diagnoses) <> 0 OR SUM(v.refused) <> 0 ORDER BY 1"
static const char counts_sql[] = COUNTS_SQL(
    "SELECT t.facility_id, t.mode, SUM(t.booked) AS booked, SUM(t.started) AS started, SUM(t.completed) AS "
    "completed, SUM(t.no_show) AS no_show, SUM(t.cancelled) AS cancelled, SUM(t.signed) AS signed, "
    "SUM(t.diagnoses) AS diagnoses, " CHAPTER_SUMS(
        "t") ", 0 AS refused FROM visit_rollup t WHERE " YX_REPORT_SPANS_SQL("t") " GROUP BY t.facility_id, "
                                                                                  "t.mode",
    "w.facility_id, w.mode");
/* The same figures from the rollup by facility alone (migration 0040: no mode; months, quarters and
 * years), when nothing finer than the facility is asked over whole months (yx_report_facility_alone):
 * a year is one row a facility where visit_rollup holds twelve months of each facility's modes. */
static const char fac_counts_sql[] = COUNTS_SQL(
    "SELECT facility_id, booked, started, completed, no_show, cancelled, signed, diagnoses, " CHAPTERS
    ", 0 AS refused FROM " YX_REPORT_QUARTERS_FROM(
        "visit_rollup_fac",
        "facility_id, booked, started, completed, no_show, cancelled, signed, diagnoses, " CHAPTERS) " t",
    "w.facility_id");

/* The waits from booking to start of the visits started in the period, from the histogram
 * visit_rollup_wait, as (bucket, how many) in ascending order within each group, in the same order
 * of groups. */
static const char waits_sql[] =
    "SELECT %s AS gid, v.minutes, SUM(v.n) AS n FROM (SELECT t.facility_id, t.mode, t.minutes, SUM(t.n) AS n "
    "FROM visit_rollup_wait t WHERE " YX_REPORT_SPANS_Y_SQL(
        "t") " GROUP BY t.facility_id, t.mode, t.minutes) v "
             "JOIN facilities f ON f.id = v.facility_id " YX_REPORT_PLACE_JOIN(
                 "fp", "f") "WHERE " PLACE_SQL " GROUP BY 1, 2 HAVING SUM(v.n) <> 0 ORDER BY 1, 2";

/* The same waits from the histogram by facility alone (migration 0034: no mode, months, quarters
 * and years), when nothing finer than the facility is asked over whole months
 * (yx_report_facility_alone): a year is one row a facility and bucket, already in the key's order. */
static const char fac_waits_sql[] =
    "SELECT %s AS gid, t.minutes, SUM(t.n) AS n FROM " YX_REPORT_QUARTERS_FROM(
        "visit_waits_fac",
        "facility_id, minutes, n") " t JOIN facilities f ON f.id = "
                                   "t.facility_id " YX_REPORT_PLACE_JOIN("fp", "f") "WHERE " PLACE_SQL
                                                                                    " GROUP BY 1, 2 HAVING "
                                                                                    "SUM(t.n) <> 0 ORDER "
                                                                                    "BY 1, 2";

/* The ten codes recorded most often in the period (ties by code), with their names, from the
 * diagnoses' rollup. */
static const char top_sql[] =
    "SELECT t.code, MIN(i.name_vi) AS name_vi, MIN(i.name_en) AS name_en, SUM(t.n) AS n FROM visit_rollup_dx "
    "t JOIN facilities f ON f.id = t.facility_id " YX_REPORT_PLACE_JOIN(
        "fp",
        "f") "LEFT JOIN icd10 i ON i.code = t.code WHERE " YX_REPORT_SPANS_SQL("t") " AND " PLACE_SQL
                                                                                    " GROUP BY t.code HAVING "
                                                                                    "SUM(t.n) <> 0 ORDER BY "
                                                                                    "n DESC, t.code LIMIT 10";

/* The same waits and codes from the rollups without the facility of migration 0029 (visit_waits_by,
 * visit_dx_by), for the country or one of today's provinces asked for anything but by=facility
 * (yx_report_coarse): keyed by the filed province (today's, YX_REPORT_FILED_JOIN), the level and
 * the mode, a few thousand rows a year for a province instead of nearly one an event. */
#define BY_WHERE                                                                                             \
    "WHERE " YX_REPORT_SPANS_SQL("t") " AND (? = 0 OR " YX_REPORT_FILED_PROVINCE " = ?) AND (? = '' OR "     \
                                      "t.level = ?) "
#define BY_PARAMS(s, pl, fl)                                                                                 \
    YX_REPORT_SPANS_PARAMS(s), YX_PI((pl).province), YX_PI((pl).province), YX_PT((fl).level),                \
        YX_PT((fl).level)
static const char by_waits_sql[] =
    "SELECT %s AS gid, t.minutes, SUM(t.n) AS n FROM visit_waits_by t " YX_REPORT_FILED_JOIN("t") BY_WHERE
    "GROUP BY 1, 2 HAVING SUM(t.n) <> 0 ORDER BY 1, 2";
static const char by_top_sql[] =
    "SELECT t.code, MIN(i.name_vi) AS name_vi, MIN(i.name_en) AS name_en, SUM(t.n) AS n FROM visit_dx_by "
    "t " YX_REPORT_FILED_JOIN("t") "LEFT JOIN icd10 i ON i.code = t.code " BY_WHERE
                                   "GROUP BY t.code HAVING SUM(t.n) <> 0 ORDER BY n DESC, t.code LIMIT 10";
/* Each coarse grouping's key there (NULL by: the totals), in the order the counts come in. */
static const struct {
    const char *by, *key;
} by_keys[] = {{NULL, "''"}, {"province", YX_REPORT_FILED_PROVINCE}, {"mode", "t.mode"}};

static int top_codes(struct yx_req *r, const struct yx_report_spans *s, const struct yx_report_place *place,
                     const struct yx_report_filters *f, int coarse, json_t *out)
{
    struct yx_rows *rows = NULL;
    struct yx_param params[] = {YX_REPORT_SPANS_PARAMS(*s), PLACE_PARAMS(*place, *f)};
    struct yx_param by_params[] = {BY_PARAMS(*s, *place, *f)};
    int rc = coarse ? yx_db_exec(r->db, by_top_sql, by_params, (int)(sizeof by_params / sizeof by_params[0]),
                                 &rows)
                    : yx_db_exec(r->db, top_sql, params, (int)(sizeof params / sizeof params[0]), &rows);
    json_t *list = json_array();
    for (int i = 0; rc == 0 && i < rows->nrows; i++)
        json_array_append_new(list, json_pack("{s:s,s:o,s:o,s:I}", "code", yx_rows_str(rows, i, "code"),
                                              "name_vi", yx_json_str_or_null(yx_rows_str(rows, i, "name_vi")),
                                              "name_en", yx_json_str_or_null(yx_rows_str(rows, i, "name_en")),
                                              "count", (json_int_t)yx_rows_i64(rows, i, "n")));
    json_object_set_new(out, "top_icd10", list);
    yx_rows_free(rows);
    return rc;
}

/* The figures of the count columns, in the order of the enum, as counts_sql names them. */
static const char *const count_cols[NCOUNTS] = {
    "booked", "started", "completed", "no_show", "cancelled", "signed", "diagnoses", "ch01", "ch02", "ch03",
    "ch04",   "ch05",    "ch06",      "ch07",    "ch08",      "ch09",   "ch10",      "ch11", "ch12", "ch13",
    "ch14",   "ch15",    "ch16",      "ch17",    "ch18",      "ch19",   "ch20",      "ch21", "ch22"};

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL, *ws = NULL;
    struct tally all = {.nwait = 0}, group;
    char sql[sizeof counts_sql + sizeof fac_counts_sql + 200];
    json_t *out = NULL;
    int rc, w = 0;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    const char *key = g && g->key ? g->key : "''", *name = g && g->name ? g->name : "''";
    struct yx_report_spans spans;
    yx_report_spans(&p, &spans);
    struct yx_param params[] = {YX_REPORT_SPANS_PARAMS(spans), YX_PI(p.from_ms), YX_PI(p.until_ms),
                                PLACE_PARAMS(place, filters)};
    /* The per-facility waits of a whole calendar year read its year rows (migration 0033). */
    struct yx_report_spans yspans = spans;
    int64_t year;
    yx_report_spans_years(&yspans, &year);
    struct yx_param ws_params[] = {YX_REPORT_SPANS_Y_PARAMS(yspans, year), PLACE_PARAMS(place, filters)};
    struct yx_param by_params[] = {BY_PARAMS(spans, place, filters)};
    struct yx_report_quarters quarters;
    int alone = yx_report_facility_alone(&p, g, &filters, &quarters);
    struct yx_param fac_params[] = {YX_REPORT_QUARTERS_PARAMS(quarters), PLACE_PARAMS(place, filters)};
    struct yx_param fac_counts_params[] = {YX_REPORT_QUARTERS_PARAMS(quarters), YX_PI(p.from_ms),
                                           YX_PI(p.until_ms), PLACE_PARAMS(place, filters)};
    /* The figures by facility alone whenever the period and grouping allow it (whichever rollup
     * the waits come from), else by facility and mode. */
    const struct yx_report_query counts[2] = {YX_REPORT_QUERY(fac_counts_sql, fac_counts_params),
                                              YX_REPORT_QUERY(counts_sql, params)};
    const struct yx_report_query *cq = &counts[alone ? 0 : 1];
    /* The rollups without the facility answer for the country or one of today's provinces
     * (yx_report_coarse): the top codes whatever the grouping, the waits unless grouped by facility
     * or, as=pre2025, by the old provinces. Today's view and the one before the reform hold the
     * same facilities for any place but an old province, which reads by facility. */
    struct yx_report_place today = place;
    int top_coarse, coarse;
    const char *by_key = NULL;
    today.pre2025 = 0;
    if ((rc = yx_report_coarse(r, &today, NULL, &top_coarse)) != 0)
        return rc;
    coarse = top_coarse &&
             !(by && (strcmp(by, "facility") == 0 || (place.pre2025 && strcmp(by, "province") == 0)));
    for (size_t i = 0; coarse && i < sizeof by_keys / sizeof by_keys[0]; i++)
        if (by ? by_keys[i].by && strcmp(by_keys[i].by, by) == 0 : !by_keys[i].by)
            by_key = by_keys[i].key;
    YX_ASSERT(!coarse || by_key);
    /* The waits from the rollups without the facility, by facility alone, or by facility. */
    const struct yx_report_query waits[3] = {YX_REPORT_QUERY(by_waits_sql, by_params),
                                             YX_REPORT_QUERY(fac_waits_sql, fac_params),
                                             YX_REPORT_QUERY(waits_sql, ws_params)};
    const struct yx_report_query *wq = &waits[coarse ? 0 : alone ? 1 : 2];
    if ((rc = yx_snprintf(sql, sizeof sql, cq->sql, key, name)) != 0 ||
        (rc = yx_db_exec(r->db, sql, cq->params, cq->n, &rows)) != 0 ||
        (rc = yx_snprintf(sql, sizeof sql, wq->sql, coarse ? by_key : key)) != 0 ||
        (rc = yx_db_exec(r->db, sql, wq->params, wq->n, &ws)) != 0)
        goto out;
    rc = YX_ENOMEM;
    all.wait = malloc((ws->nrows ? (size_t)ws->nrows : 1) * sizeof *all.wait);
    out = yx_report_new("visits", &p, &place, by, columns);
    if (!all.wait || !out)
        goto out;
    json_t *list = json_object_get(out, "rows");
    for (int i = 0; i < rows->nrows; i++) {
        /* One row a group (the query groups by its key), in the order of keys. */
        const char *gid = yx_rows_str(rows, i, "gid");
        group = (struct tally){.wait = all.wait + all.nwait, .refused = yx_rows_i64(rows, i, "refused")};
        for (int c = 0; c < NCOUNTS; c++)
            group.n[c] = yx_rows_i64(rows, i, count_cols[c]);
        /* The group's waits come next in ws: a visit started in the period is counted in started,
         * so its group is one of these, in the same order. */
        for (; w < ws->nrows && strcmp(yx_rows_str(ws, w, "gid"), gid) == 0; w++)
            group.wait[group.nwait++] =
                (struct yx_report_wait){yx_rows_i64(ws, w, "minutes"), yx_rows_i64(ws, w, "n")};
        for (int c = 0; c < NCOUNTS; c++)
            all.n[c] += group.n[c];
        all.refused += group.refused;
        all.nwait += group.nwait;
        if (g)
            json_array_append_new(
                list, json_pack("{s:o,s:o}", "key", key_json(g, rows, i), "values", values_json(&group)));
    }
    /* The groups' waits, each ascending, become the totals' once sorted together. */
    qsort(all.wait, all.nwait, sizeof *all.wait, wait_cmp);
    json_object_set_new(out, "totals", values_json(&all));
    if (!filters.totals_only && (rc = top_codes(r, &spans, &place, &filters, top_coarse, out)) != 0)
        goto out;
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    free(all.wait);
    yx_rows_free(rows);
    yx_rows_free(ws);
    return rc;
}

const struct yx_report_source yx_report_visits = {
    .name = "visits",
    .title = "Khám, chữa bệnh từ xa",
    .names = &names,
    .columns = columns,
    .groupings = groupings,
    .filters = YX_REPORT_BY_LEVEL,
    .build = build,
};
