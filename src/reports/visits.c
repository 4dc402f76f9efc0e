/* The remote visit indicators (docs/reports.md, "Remote visits"): how many visits were booked,
 * started, completed, missed and cancelled in a period, how long patients waited from booking to
 * the start, the prescriptions signed, and the diagnoses by ICD-10 chapter with the ten most
 * frequent codes. A visit belongs to the place of the facility where the patient is registered
 * (visits.facility_id), as a consultation belongs to the facility that asked.
 *
 * One query returns each visit touched in the period once, ordered by its group; a second the
 * diagnoses recorded in the period in the same order, so the two are walked side by side; a third
 * the top codes. Medians and 90th percentiles are taken in C from the fetched waits, for the
 * reason consultations.c gives, bounded by the period (at most YX_REPORT_MAX_DAYS days of one
 * place's visits). */
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

/* The chapter (1–22) of a code such as "E11.9": the last chapter that begins at or before its
 * category; 0 for a code that is not letter-digit-digit. */
static int icd10_chapter(const char *code)
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
    {"prescriptions_signed", "Đơn thuốc đã ký", "prescriptions signed", YX_REPORT_COUNT, NULL},
    {"diagnoses", "Chẩn đoán", "diagnoses", YX_REPORT_COUNT, NULL},
    {"icd_ch01", "Chương I: bệnh nhiễm trùng và ký sinh trùng (A00–B99)",
     "Chapter I: infectious and parasitic diseases (A00–B99)", YX_REPORT_COUNT, NULL},
    {"icd_ch02", "Chương II: u tân sinh (C00–D48)", "Chapter II: neoplasms (C00–D48)", YX_REPORT_COUNT, NULL},
    {"icd_ch03", "Chương III: bệnh máu, cơ quan tạo máu và miễn dịch (D50–D89)",
     "Chapter III: blood, blood-forming organs and immunity (D50–D89)", YX_REPORT_COUNT, NULL},
    {"icd_ch04", "Chương IV: bệnh nội tiết, dinh dưỡng và chuyển hoá (E00–E90)",
     "Chapter IV: endocrine, nutritional and metabolic diseases (E00–E90)", YX_REPORT_COUNT, NULL},
    {"icd_ch05", "Chương V: rối loạn tâm thần và hành vi (F00–F99)",
     "Chapter V: mental and behavioural disorders (F00–F99)", YX_REPORT_COUNT, NULL},
    {"icd_ch06", "Chương VI: bệnh hệ thần kinh (G00–G99)", "Chapter VI: nervous system (G00–G99)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch07", "Chương VII: bệnh mắt và phần phụ (H00–H59)", "Chapter VII: eye and adnexa (H00–H59)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch08", "Chương VIII: bệnh tai và xương chũm (H60–H95)", "Chapter VIII: ear and mastoid (H60–H95)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch09", "Chương IX: bệnh hệ tuần hoàn (I00–I99)", "Chapter IX: circulatory system (I00–I99)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch10", "Chương X: bệnh hệ hô hấp (J00–J99)", "Chapter X: respiratory system (J00–J99)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch11", "Chương XI: bệnh hệ tiêu hoá (K00–K93)", "Chapter XI: digestive system (K00–K93)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch12", "Chương XII: bệnh da và mô dưới da (L00–L99)",
     "Chapter XII: skin and subcutaneous tissue (L00–L99)", YX_REPORT_COUNT, NULL},
    {"icd_ch13", "Chương XIII: bệnh cơ xương khớp và mô liên kết (M00–M99)",
     "Chapter XIII: musculoskeletal system and connective tissue (M00–M99)", YX_REPORT_COUNT, NULL},
    {"icd_ch14", "Chương XIV: bệnh hệ sinh dục – tiết niệu (N00–N99)",
     "Chapter XIV: genitourinary system (N00–N99)", YX_REPORT_COUNT, NULL},
    {"icd_ch15", "Chương XV: thai nghén, sinh đẻ và hậu sản (O00–O99)",
     "Chapter XV: pregnancy, childbirth and the puerperium (O00–O99)", YX_REPORT_COUNT, NULL},
    {"icd_ch16", "Chương XVI: bệnh lý thời kỳ chu sinh (P00–P96)",
     "Chapter XVI: conditions of the perinatal period (P00–P96)", YX_REPORT_COUNT, NULL},
    {"icd_ch17", "Chương XVII: dị tật bẩm sinh và bất thường nhiễm sắc thể (Q00–Q99)",
     "Chapter XVII: congenital malformations and chromosomal abnormalities (Q00–Q99)", YX_REPORT_COUNT, NULL},
    {"icd_ch18", "Chương XVIII: triệu chứng, dấu hiệu và phát hiện bất thường (R00–R99)",
     "Chapter XVIII: symptoms, signs and abnormal findings (R00–R99)", YX_REPORT_COUNT, NULL},
    {"icd_ch19", "Chương XIX: vết thương, ngộ độc và hậu quả của nguyên nhân bên ngoài (S00–T98)",
     "Chapter XIX: injury, poisoning and other consequences of external causes (S00–T98)", YX_REPORT_COUNT,
     NULL},
    {"icd_ch20", "Chương XX: nguyên nhân bên ngoài của bệnh tật và tử vong (V01–Y98)",
     "Chapter XX: external causes of morbidity and mortality (V01–Y98)", YX_REPORT_COUNT, NULL},
    {"icd_ch21", "Chương XXI: yếu tố ảnh hưởng sức khoẻ và tiếp xúc dịch vụ y tế (Z00–Z99)",
     "Chapter XXI: factors influencing health status and contact with health services (Z00–Z99)",
     YX_REPORT_COUNT, NULL},
    {"icd_ch22", "Chương XXII: mã dành cho mục đích đặc biệt (U00–U85)",
     "Chapter XXII: codes for special purposes (U00–U85)", YX_REPORT_COUNT, NULL},
    {"wait_median_min", "Trung vị thời gian chờ từ đặt đến bắt đầu (phút)",
     "median minutes from booking to start", YX_REPORT_MINUTES, "started"},
    {"wait_p90_min", "Bách phân vị 90 thời gian chờ từ đặt đến bắt đầu (phút)",
     "90th percentile minutes from booking to start", YX_REPORT_MINUTES, "started"},
    {NULL, NULL, NULL, 0, NULL},
};

/* The groupings: fixed SQL chosen from this table, never from the query's text. */
static const struct yx_report_grouping groupings[] = {
    {"facility", "f.id", "f.name", 1},
    {"province", "f.province_id", "p.name", 1},
    {"mode", "v.mode", "v.mode", 0},
    {NULL, NULL, NULL, 0},
};

/* The file names and DHIS2 codes of the exports (docs/reports.md, "Exports"). */
static const struct yx_report_names names = {"kham-tu-xa", "YX_VISITS"};

static json_t *key_json(const struct yx_report_grouping *g, const struct yx_rows *rows, int i)
{
    return yx_report_key(g, yx_rows_str(rows, i, "gid"), yx_rows_str(rows, i, "gname"));
}

/* What one group (or all) adds up to; its waits are a stretch of the shared array. */
struct tally {
    int64_t n[NCOUNTS];
    int64_t *wait;
    size_t nwait;
};

static json_t *values_json(struct tally *t)
{
    json_t *v = json_object();
    for (int i = 0; i < NCOUNTS; i++)
        json_object_set_new(v, columns[i].key, json_integer(t->n[i]));
    yx_report_sort(t->wait, t->nwait);
    json_object_set_new(v, "wait_median_min", yx_report_minutes(t->wait, t->nwait, 50));
    json_object_set_new(v, "wait_p90_min", yx_report_minutes(t->wait, t->nwait, 90));
    return v;
}

/* Adds visit i to t. A visit ends once — finished, cancelled or missed — at ended_at. */
static void count_visit(const struct yx_rows *rows, int i, const struct yx_report_period *p, struct tally *t)
{
    const char *state = yx_rows_str(rows, i, "state");
    t->n[BOOKED] += yx_report_within(rows, i, "created_at", p);
    if (yx_report_within(rows, i, "started_at", p)) {
        t->n[STARTED]++;
        t->wait[t->nwait++] = yx_rows_i64(rows, i, "started_at") - yx_rows_i64(rows, i, "created_at");
    }
    if (yx_report_within(rows, i, "ended_at", p)) {
        t->n[COMPLETED] += strcmp(state, "finished") == 0;
        t->n[NO_SHOW] += strcmp(state, "no_show") == 0;
        t->n[CANCELLED] += strcmp(state, "cancelled") == 0;
    }
    t->n[SIGNED] += yx_rows_i64(rows, i, "signed");
}

/* The place's filter and the level's, shared by the three queries: (? = 0 OR f.id = ?) AND (? = 0
 * OR f.province_id = ?) AND (? = '' OR f.level = ?). */
#define PLACE_SQL "(? = 0 OR f.id = ?) AND (? = 0 OR f.province_id = ?) AND (? = '' OR f.level = ?)"
#define PLACE_PARAMS(pl, fl)                                                                                 \
    YX_PI((pl).facility), YX_PI((pl).facility), YX_PI((pl).province), YX_PI((pl).province),                  \
        YX_PT((fl).level), YX_PT((fl).level)
#define SPAN(p) YX_PI((p).from_ms), YX_PI((p).until_ms)

/* Every visit of a patient registered at a facility of the place, touched in the period: booked,
 * started or ended in it, or with a prescription signed or a diagnosis recorded in it; once,
 * ordered by its group. The two %s are the group's key and name. */
static const char visits_sql[] =
    "SELECT %s AS gid, %s AS gname, v.state, v.created_at, v.started_at, v.ended_at, "
    "(SELECT COUNT(*) FROM prescriptions x WHERE x.visit_id = v.id AND x.status = 'signed' AND x.signed_at "
    ">= ? "
    "AND x.signed_at < ?) AS signed "
    "FROM visits v JOIN facilities f ON f.id = v.facility_id JOIN admin_units p ON p.id = f.province_id "
    "WHERE " PLACE_SQL
    " AND ((v.created_at >= ? AND v.created_at < ?) OR (v.started_at >= ? AND v.started_at < "
    "?) OR (v.ended_at >= ? AND v.ended_at < ?) OR EXISTS (SELECT 1 FROM prescriptions x WHERE x.visit_id = "
    "v.id AND x.status = 'signed' AND x.signed_at >= ? AND x.signed_at < ?) OR EXISTS (SELECT 1 FROM "
    "visit_diagnoses d WHERE d.visit_id = v.id AND d.created_at >= ? AND d.created_at < ?)) "
    "ORDER BY 1, v.id";

/* The diagnoses recorded in the period on those visits, in the same order of groups. */
static const char diagnoses_sql[] =
    "SELECT %s AS gid, d.code FROM visit_diagnoses d JOIN visits v ON v.id = d.visit_id JOIN facilities f ON "
    "f.id = v.facility_id JOIN admin_units p ON p.id = f.province_id WHERE " PLACE_SQL
    " AND d.created_at >= ? AND d.created_at < ? ORDER BY 1, d.id";

/* The ten codes recorded most often in the period (ties by code), with their names. */
static const char top_sql[] =
    "SELECT d.code, MIN(i.name_vi) AS name_vi, MIN(i.name_en) AS name_en, COUNT(*) AS n FROM visit_diagnoses "
    "d "
    "JOIN visits v ON v.id = d.visit_id JOIN facilities f ON f.id = v.facility_id LEFT JOIN icd10 i ON "
    "i.code = d.code WHERE " PLACE_SQL " AND d.created_at >= ? AND d.created_at < ? GROUP BY d.code "
    "ORDER BY n DESC, d.code LIMIT 10";

static int top_codes(struct yx_req *r, const struct yx_report_period *p, const struct yx_report_place *place,
                     const struct yx_report_filters *f, json_t *out)
{
    struct yx_rows *rows = NULL;
    struct yx_param params[] = {PLACE_PARAMS(*place, *f), SPAN(*p)};
    int rc = yx_db_exec(r->db, top_sql, params, (int)(sizeof params / sizeof params[0]), &rows);
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

/* The report of the place in the period, grouped by g (NULL: totals only), into *result. */
static int build(struct yx_req *r, const struct yx_report_period *period, const struct yx_report_grouping *g,
                 const struct yx_report_place *where, const struct yx_report_filters *only, json_t **result)
{
    const struct yx_report_period p = *period;
    const struct yx_report_place place = *where;
    struct yx_rows *rows = NULL, *dx = NULL;
    struct tally all = {.nwait = 0}, group;
    char sql[sizeof visits_sql + 200];
    json_t *out = NULL;
    int rc, d = 0;
    const struct yx_report_filters filters = *only;
    const char *by = g ? g->by : NULL;
    struct yx_param params[] = {SPAN(p), PLACE_PARAMS(place, filters), SPAN(p), SPAN(p), SPAN(p), SPAN(p),
                                SPAN(p)};
    struct yx_param dx_params[] = {PLACE_PARAMS(place, filters), SPAN(p)};
    if ((rc = yx_snprintf(sql, sizeof sql, visits_sql, g && g->key ? g->key : "''",
                          g && g->name ? g->name : "''")) != 0 ||
        (rc = yx_db_exec(r->db, sql, params, (int)(sizeof params / sizeof params[0]), &rows)) != 0 ||
        (rc = yx_snprintf(sql, sizeof sql, diagnoses_sql, g && g->key ? g->key : "''")) != 0 ||
        (rc = yx_db_exec(r->db, sql, dx_params, (int)(sizeof dx_params / sizeof dx_params[0]), &dx)) != 0)
        goto out;
    rc = YX_ENOMEM;
    all.wait = malloc((rows->nrows ? (size_t)rows->nrows : 1) * sizeof *all.wait);
    out = yx_report_new("visits", &p, &place, by, columns);
    if (!all.wait || !out)
        goto out;
    json_t *list = json_object_get(out, "rows");
    for (int i = 0; i < rows->nrows;) {
        int start = i;
        const char *gid = yx_rows_str(rows, start, "gid");
        group = (struct tally){.wait = all.wait + all.nwait};
        for (; i < rows->nrows && strcmp(yx_rows_str(rows, i, "gid"), gid) == 0; i++)
            count_visit(rows, i, &p, &group);
        /* The group's diagnoses come next in dx: a diagnosis in the period touches its visit, so
         * its group is one of these, in the same order. */
        for (; d < dx->nrows && strcmp(yx_rows_str(dx, d, "gid"), gid) == 0; d++) {
            int chapter = icd10_chapter(yx_rows_str(dx, d, "code"));
            group.n[DIAGNOSES]++;
            if (chapter)
                group.n[CHAPTER1 + chapter - 1]++;
        }
        for (int c = 0; c < NCOUNTS; c++)
            all.n[c] += group.n[c];
        all.nwait += group.nwait;
        if (g)
            json_array_append_new(
                list, json_pack("{s:o,s:o}", "key", key_json(g, rows, start), "values", values_json(&group)));
    }
    json_object_set_new(out, "totals", values_json(&all));
    if ((rc = top_codes(r, &p, &place, &filters, out)) != 0)
        goto out;
    *result = out;
    out = NULL;
    rc = 0;
out:
    json_decref(out);
    free(all.wait);
    yx_rows_free(rows);
    yx_rows_free(dx);
    return rc;
}

const struct yx_report_source yx_report_visits = {"visits",           &names, columns, groupings,
                                                  YX_REPORT_BY_LEVEL, build};

/* GET /api/v1/reports/visits?period|from&to&by&province|facility&format */
static int visits(struct yx_req *r)
{
    return yx_report_serve(r, &yx_report_visits);
}

const struct yx_route yx_report_visit_routes[] = {
    {"GET", "/api/v1/reports/visits", visits, 0, NULL, "report", YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
