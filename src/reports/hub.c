/* The supporting facility's annual report (docs/reports.md, "The hub's annual report"; Decree
 * 96/2023/NĐ-CP, Art. 88): what a hub did in a year for each facility it supports — the
 * consultations sent to it and answered, the remote visits its doctors held for that facility's
 * patients, and its training attended by that facility's staff. JSON, or a PDF ready to sign.
 *
 * Counted by the answering hub: a case counts as sent to every hub it was routed to in the year
 * (each consult_events row that moved it to that hub); its acceptance, its conclusion and the
 * time to the conclusion count for the hub that has it (consults.assigned_facility_id), the one
 * that accepted and concluded it. A hub the case left counts it sent, never answered. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"

enum { SENT, ACCEPTED, CONCLUDED, NCASE };
static const struct yx_report_column case_columns[] = {
    {"requested", "Được gửi đến", "sent to the hub", YX_REPORT_COUNT, NULL},
    {"accepted", "Tiếp nhận", "accepted", YX_REPORT_COUNT, NULL},
    {"concluded", "Có kết luận", "concluded", YX_REPORT_COUNT, NULL},
    {"conclude_median_min", "Trung vị đến kết luận (phút)", "median minutes to conclusion", YX_REPORT_MINUTES,
     "concluded"},
    {NULL, NULL, NULL, 0, NULL},
};

enum { S_CONCLUDED, S_VISITS, S_SESSIONS, S_ATTENDANCES, S_TRAINED, NSUPPORT };
static const struct yx_report_column support_columns[] = {
    {"concluded", "Hội chẩn có kết luận", "consultations concluded", YX_REPORT_COUNT, NULL},
    {"visits", "Khám từ xa", "remote visits", YX_REPORT_COUNT, NULL},
    {"sessions", "Buổi đào tạo", "training sessions", YX_REPORT_THINGS, NULL},
    {"attendances", "Lượt tham dự", "attendances", YX_REPORT_COUNT, NULL},
    {"trained", "Người có tín chỉ", "people with credits", YX_REPORT_COUNT, NULL},
    {"credit_hours", "Giờ tín chỉ", "credit hours", YX_REPORT_COUNT, "trained"},
    {NULL, NULL, NULL, 0, NULL},
};

/* Every case sent to the hub in the year, or accepted or concluded in it by the hub that has it;
 * once, ordered by the asking facility and the specialty. sent: how many times it was routed to
 * this hub in the year. The cases are the union of three ranges, each read by its moment (the
 * year's events, acceptances, conclusions): an EXISTS ORed with the two ranges could use no index
 * and walked every case with a subquery each (6–8 s for a central hub at province scale, 0.4 s
 * this way; bench/README.md, session 13). */
static const char cases_sql[] =
    "SELECT f.id AS site, f.name AS site_name, c.specialty, COALESCE(s.name_vi, c.specialty) AS "
    "specialty_name, "
    "c.requested_at, c.accepted_at, c.concluded_at, c.assigned_facility_id AS hub, "
    "(SELECT COUNT(*) FROM consult_events e WHERE e.consult_id = c.id AND e.to_facility_id = ? AND "
    "e.to_state = 'requested' AND e.at >= ? AND e.at < ?) AS sent "
    "FROM consults c JOIN facilities f ON f.id = c.requester_facility_id LEFT JOIN specialties s ON s.code = "
    "c.specialty WHERE c.id IN (SELECT e.consult_id FROM consult_events e WHERE e.to_facility_id = ? AND "
    "e.to_state = 'requested' AND e.at >= ? AND e.at < ? UNION SELECT k.id FROM consults k WHERE "
    "k.assigned_facility_id = ? AND k.accepted_at >= ? AND k.accepted_at < ? UNION SELECT k.id FROM consults "
    "k WHERE k.assigned_facility_id = ? AND k.concluded_at >= ? AND k.concluded_at < ?) "
    "ORDER BY f.id, c.specialty, c.id";

/* Remote visits the hub's doctors finished in the year for patients of another facility. */
static const char visits_sql[] =
    "SELECT f.id AS site, f.name AS site_name, COUNT(*) AS n FROM visits v JOIN facilities f ON f.id = "
    "v.facility_id WHERE v.doctor_facility_id = ? AND v.facility_id <> ? AND v.state = 'finished' AND "
    "v.ended_at >= ? AND v.ended_at < ? GROUP BY f.id, f.name";

/* The hub's training attended by another facility's staff, at the session's start (a self-paced
 * one's: when the attendance was worked out), as in the training report. The %s is the grouping:
 * by the trainee's facility, or nothing for the totals (a session attended by two facilities is
 * one session). */
static const char training_sql[] =
    "SELECT %s COUNT(DISTINCT a.session_id), COUNT(*) FROM attendance a JOIN course_sessions s ON s.id = "
    "a.session_id JOIN courses c ON c.id = s.course_id JOIN users u ON u.id = a.user_id JOIN facilities f ON "
    "f.id = u.facility_id WHERE c.facility_id = ? AND u.facility_id <> ? AND a.seconds > 0 AND s.state <> "
    "'cancelled' AND COALESCE(s.started_at, a.computed_at) >= ? AND COALESCE(s.started_at, a.computed_at) < "
    "? "
    "%s";

/* Credits earned in the year on the hub's courses by another facility's staff. */
static const char credits_sql[] =
    "SELECT f.id AS site, f.name AS site_name, COUNT(DISTINCT k.user_id), SUM(k.minutes) FROM credits k JOIN "
    "courses c ON c.id = k.course_id JOIN users u ON u.id = k.user_id JOIN facilities f ON f.id = "
    "u.facility_id WHERE c.facility_id = ? AND u.facility_id <> ? AND k.earned_at >= ? AND k.earned_at < ? "
    "GROUP BY f.id, f.name";

/* One supported facility's support figures (minutes of credit apart: hours in the answer). */
struct site {
    int64_t id, n[NSUPPORT], minutes;
    const char *name;
};
struct sites {
    struct site *v;
    size_t n, cap;
};

/* The facility's entry, added when new (its name copied into the request's arena); NULL when
 * memory runs out. */
static struct site *site_of(struct yx_req *r, struct sites *s, int64_t id, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].id == id)
            return &s->v[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct site *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return NULL;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n] = (struct site){.id = id, .name = yx_arena_strdup(&r->arena, name)};
    return s->v[s->n].name ? &s->v[s->n++] : NULL;
}

static int cmp_sites(const void *a, const void *b)
{
    const struct site *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static json_t *case_values(const int64_t *n, int64_t *durations, size_t nd)
{
    yx_report_sort(durations, nd);
    return json_pack("{s:I,s:I,s:I,s:o}", "requested", (json_int_t)n[SENT], "accepted",
                     (json_int_t)n[ACCEPTED], "concluded", (json_int_t)n[CONCLUDED], "conclude_median_min",
                     yx_report_minutes(durations, nd, 50));
}

static json_t *support_values(const struct site *s)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:f}", "concluded", (json_int_t)s->n[S_CONCLUDED], "visits",
                     (json_int_t)s->n[S_VISITS], "sessions", (json_int_t)s->n[S_SESSIONS], "attendances",
                     (json_int_t)s->n[S_ATTENDANCES], "trained", (json_int_t)s->n[S_TRAINED], "credit_hours",
                     (double)llround((double)s->minutes * 100.0 / 60.0) / 100.0);
}

/* The consultations table (rows by facility and specialty) into out; each facility's
 * conclusions into sites. */
static int consultations(struct yx_req *r, int64_t hub, const struct yx_report_period *p, struct sites *sites,
                         json_t *out)
{
    struct yx_rows *rows = NULL;
    int64_t *durations = NULL, all[NCASE] = {0};
    size_t nd = 0;
#define RANGE YX_PI(hub), YX_PI(p->from_ms), YX_PI(p->until_ms)
    struct yx_param params[] = {RANGE, RANGE, RANGE, RANGE};
#undef RANGE
    int rc = yx_db_exec(r->db, cases_sql, params, (int)(sizeof params / sizeof params[0]), &rows);
    json_t *list = json_array();
    if (rc == 0 && !(durations = malloc((rows->nrows ? (size_t)rows->nrows : 1) * sizeof *durations)))
        rc = YX_ENOMEM;
    for (int i = 0; rc == 0 && i < rows->nrows;) {
        int start = i;
        int64_t n[NCASE] = {0}, *mine = durations + nd;
        size_t nmine = 0;
        for (; i < rows->nrows && yx_rows_i64(rows, i, "site") == yx_rows_i64(rows, start, "site") &&
               strcmp(yx_rows_str(rows, i, "specialty"), yx_rows_str(rows, start, "specialty")) == 0;
             i++) {
            int answering = !yx_rows_null(rows, i, "hub") && yx_rows_i64(rows, i, "hub") == hub;
            n[SENT] += yx_rows_i64(rows, i, "sent") > 0;
            n[ACCEPTED] += answering && yx_report_within(rows, i, "accepted_at", p);
            if (answering && yx_report_within(rows, i, "concluded_at", p)) {
                n[CONCLUDED]++;
                mine[nmine++] = yx_rows_i64(rows, i, "concluded_at") - yx_rows_i64(rows, i, "requested_at");
            }
        }
        for (int c = 0; c < NCASE; c++)
            all[c] += n[c];
        struct site *site =
            site_of(r, sites, yx_rows_i64(rows, start, "site"), yx_rows_str(rows, start, "site_name"));
        if (!site) {
            rc = YX_ENOMEM;
            break;
        }
        site->n[S_CONCLUDED] += n[CONCLUDED];
        /* The group's values sort its own stretch of durations; the totals sort all of them. */
        json_array_append_new(list, json_pack("{s:{s:I,s:s},s:{s:s,s:s},s:o}", "facility", "id",
                                              (json_int_t)yx_rows_i64(rows, start, "site"), "name",
                                              yx_rows_str(rows, start, "site_name"), "specialty", "code",
                                              yx_rows_str(rows, start, "specialty"), "name",
                                              yx_rows_str(rows, start, "specialty_name"), "values",
                                              case_values(n, mine, nmine)));
        nd += nmine;
    }
    if (rc == 0)
        rc = json_object_set_new(out, "consultations",
                                 json_pack("{s:o,s:o,s:o}", "columns", yx_report_columns_json(case_columns),
                                           "rows", list, "totals", case_values(all, durations, nd))) == 0
                 ? 0
                 : YX_ENOMEM;
    else
        json_decref(list);
    free(durations);
    yx_rows_free(rows);
    return rc;
}

/* The support table: each facility's visits, training and credits, with its conclusions. */
static int support(struct yx_req *r, int64_t hub, const struct yx_report_period *p, struct sites *sites,
                   json_t *out)
{
    enum { QVISITS, QTRAINING, QCREDITS, QTOTAL, NQ };
    struct yx_rows *rows[NQ] = {NULL};
    struct yx_param params[] = {YX_PI(hub), YX_PI(hub), YX_PI(p->from_ms), YX_PI(p->until_ms)};
    char sql[NQ][sizeof training_sql + 100];
    struct site all = {.id = 0};
    int rc = 0;
    if (yx_snprintf(sql[QVISITS], sizeof sql[0], "%s", visits_sql) != 0 ||
        yx_snprintf(sql[QTRAINING], sizeof sql[0], training_sql, "f.id AS site, f.name AS site_name,",
                    "GROUP BY f.id, f.name") != 0 ||
        yx_snprintf(sql[QCREDITS], sizeof sql[0], "%s", credits_sql) != 0 ||
        yx_snprintf(sql[QTOTAL], sizeof sql[0], training_sql, "", "") != 0)
        return YX_ETOOBIG;
    for (int q = 0; rc == 0 && q < NQ; q++)
        rc = yx_db_exec(r->db, sql[q], params, 4, &rows[q]);
    for (int q = QVISITS; rc == 0 && q < QTOTAL; q++)
        for (int i = 0; rc == 0 && i < rows[q]->nrows; i++) {
            struct site *s =
                site_of(r, sites, yx_rows_i64(rows[q], i, "site"), yx_rows_str(rows[q], i, "site_name"));
            if (!s)
                rc = YX_ENOMEM;
            else if (q == QVISITS)
                s->n[S_VISITS] += yx_rows_i64(rows[q], i, "n");
            else if (q == QTRAINING) {
                s->n[S_SESSIONS] += yx_rows_int(rows[q], i, 2);
                s->n[S_ATTENDANCES] += yx_rows_int(rows[q], i, 3);
            } else {
                s->n[S_TRAINED] += yx_rows_int(rows[q], i, 2);
                s->minutes += yx_rows_int(rows[q], i, 3);
            }
        }
    if (rc != 0)
        goto out;
    if (sites->n > 1)
        qsort(sites->v, sites->n, sizeof *sites->v, cmp_sites);
    json_t *list = json_array();
    for (size_t i = 0; i < sites->n; i++) {
        const struct site *s = &sites->v[i];
        for (int f = 0; f < NSUPPORT; f++)
            all.n[f] += s->n[f];
        all.minutes += s->minutes;
        json_array_append_new(list, json_pack("{s:{s:I,s:s},s:o}", "facility", "id", (json_int_t)s->id,
                                              "name", s->name, "values", support_values(s)));
    }
    /* A session attended by two facilities' staff is one session of the hub. */
    if (rows[QTOTAL]->nrows == 1)
        all.n[S_SESSIONS] = yx_rows_int(rows[QTOTAL], 0, 0);
    rc = json_object_set_new(out, "support",
                             json_pack("{s:o,s:o,s:o}", "columns", yx_report_columns_json(support_columns),
                                       "rows", list, "totals", support_values(&all))) == 0
             ? 0
             : YX_ENOMEM;
out:
    for (int q = 0; q < NQ; q++)
        yx_rows_free(rows[q]);
    return rc;
}

/* The top of a Vietnamese administrative document: the facility on the left, the national motto
 * on the right. */
static void letterhead(struct yx_pdf *p, const char *facility)
{
    double w = p->w - 2 * p->margin, left = w * 0.42;
    double a = yx_pdf_text_box(p, "Noto Sans Bold 9", facility, p->margin, p->y, left, YX_PDF_CENTER);
    double b = yx_pdf_text_box(p, "Noto Sans Bold 9",
                               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                               p->margin + left, p->y, w - left, YX_PDF_CENTER);
    yx_pdf_gap(p, (a > b ? a : b) + 18);
}

/* A table: a header of the first column's title and the columns' labels, a row per entry (named
 * by name_of) and the totals; figures through yx_report_cell(). */
static void table(struct yx_pdf *p, const char *first, json_t *t, const struct yx_report_column *columns,
                  void (*name_of)(json_t *row, char *out, size_t size))
{
    enum { MAXCOLS = 8 };
    const char *cells[MAXCOLS];
    char text[MAXCOLS][160];
    double widths[MAXCOLS], w = p->w - 2 * p->margin;
    int n = 1;
    size_t i;
    json_t *row;
    yx_report_mask(t, columns);
    cells[0] = first;
    for (const struct yx_report_column *c = columns; c->key && n < MAXCOLS; c++)
        cells[n++] = c->label_vi;
    widths[0] = w * 0.34;
    for (int c = 1; c < n; c++)
        widths[c] = (w - widths[0]) / (n - 1);
    yx_pdf_row(p, "Noto Sans Bold 8", cells, widths, n);
    for (i = 0; i <= json_array_size(json_object_get(t, "rows")); i++) {
        int total = i == json_array_size(json_object_get(t, "rows"));
        row = json_array_get(json_object_get(t, "rows"), i);
        json_t *values = total ? json_object_get(t, "totals") : json_object_get(row, "values");
        if (total)
            yx_snprintf(text[0], sizeof text[0], "Tổng cộng");
        else
            name_of(row, text[0], sizeof text[0]);
        cells[0] = text[0];
        for (int c = 1; c < n; c++) {
            if (yx_report_cell(&columns[c - 1], values, text[c], sizeof text[c]) != 0)
                text[c][0] = '\0';
            cells[c] = text[c];
        }
        yx_pdf_row(p, total ? "Noto Sans Bold 8" : "Noto Sans 8", cells, widths, n);
    }
    yx_pdf_gap(p, 10);
}

static void case_name(json_t *row, char *out, size_t size)
{
    if (yx_snprintf(out, size, "%s — %s",
                    json_string_value(json_object_get(json_object_get(row, "facility"), "name")),
                    json_string_value(json_object_get(json_object_get(row, "specialty"), "name"))) != 0)
        out[0] = '\0';
}

static void site_name(json_t *row, char *out, size_t size)
{
    if (yx_snprintf(out, size, "%s",
                    json_string_value(json_object_get(json_object_get(row, "facility"), "name"))) != 0)
        out[0] = '\0';
}

static void draw(struct yx_pdf *p, json_t *doc)
{
    char now[64];
    double w = p->w - 2 * p->margin, half = w / 2;
    json_int_t year = json_integer_value(json_object_get(doc, "year"));
    letterhead(p, json_string_value(json_object_get(json_object_get(doc, "hub"), "name")));
    yx_pdf_text_center(p, "Noto Sans Bold 13", "BÁO CÁO HOẠT ĐỘNG HỖ TRỢ CHUYÊN MÔN");
    yx_pdf_textf(p, "Noto Sans 9",
                 "Năm %lld · Cơ sở hỗ trợ báo cáo cho các cơ sở được hỗ trợ (Nghị định "
                 "96/2023/NĐ-CP, Điều 88)",
                 (long long)year);
    yx_time_vn(yx_now_ms(), "%H:%M ngày %d/%m/%Y", now, sizeof now);
    yx_pdf_textf(
        p, "Noto Sans 8",
        "Lập lúc %s (giờ Việt Nam) qua ytexa. Số từ 1 đến 4 (và trung vị tính trên 1 đến 4 ca) ghi là <5.",
        now);
    yx_pdf_gap(p, 8);
    yx_pdf_text(p, "Noto Sans Bold 10", "I. Hội chẩn từ xa, theo cơ sở được hỗ trợ và chuyên khoa");
    table(p, "Cơ sở — chuyên khoa", json_object_get(doc, "consultations"), case_columns, case_name);
    yx_pdf_text(p, "Noto Sans Bold 10", "II. Hỗ trợ theo cơ sở: hội chẩn, khám từ xa, đào tạo");
    table(p, "Cơ sở được hỗ trợ", json_object_get(doc, "support"), support_columns, site_name);
    yx_pdf_room(p, 140);
    yx_pdf_text_box(p, "Noto Sans Italic 9", "……, ngày …… tháng …… năm ……", p->margin + half, p->y, half,
                    YX_PDF_CENTER);
    yx_pdf_gap(p, 16);
    yx_pdf_text_box(p, "Noto Sans Bold 9", "NGƯỜI LẬP BIỂU\n(Ký, ghi rõ họ tên)", p->margin, p->y, half,
                    YX_PDF_CENTER);
    yx_pdf_text_box(p, "Noto Sans Bold 9", "THỦ TRƯỞNG ĐƠN VỊ\n(Ký, ghi rõ họ tên, đóng dấu)",
                    p->margin + half, p->y, half, YX_PDF_CENTER);
    yx_pdf_gap(p, 100);
}

/* Is the facility a hub: does it support another facility (support_links)? */
static int is_hub(struct yx_req *r, int64_t facility, int *yes)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT COUNT(*) FROM support_links WHERE hub_id = ?", YX_PI(facility));
    *yes = rc == 0 && yx_rows_int(rows, 0, 0) > 0;
    yx_rows_free(rows);
    return rc;
}

/* GET /api/v1/reports/hub?year=YYYY&facility=<hub>&format=json|pdf */
static int hub_report(struct yx_req *r)
{
    struct yx_report_period p;
    struct yx_report_place place;
    struct sites sites = {NULL, 0, 0};
    const char *year = yx_query(r, "year");
    char text[16], footer[300], file[64];
    json_t *doc = NULL;
    enum yx_report_format format;
    int rc, hub;
    if ((rc = yx_report_document_format(r, 0, &format)) != 0)
        return rc;
    if (!year || strlen(year) != 4 || yx_snprintf(text, sizeof text, "year:%s", year) != 0 ||
        yx_report_period_parse(text, &p) != 0)
        return yx_fail_field(r, YX_EINVAL, "year", "Năm báo cáo không hợp lệ / year is a year (2026).");
    if ((rc = yx_report_place_read(r, &place)) != 0)
        return rc;
    if (!place.facility)
        return yx_fail_field(r, YX_EINVAL, "facility",
                             "Chọn cơ sở hỗ trợ / facility is the supporting facility's id.");
    if ((rc = is_hub(r, place.facility, &hub)) != 0)
        return rc;
    if (!hub)
        return yx_fail_field(r, YX_EINVAL, "facility",
                             "Cơ sở này không hỗ trợ cơ sở nào / this facility supports no other facility.");
    rc = YX_ENOMEM;
    if (!(doc = json_pack("{s:s,s:I,s:{s:s,s:s,s:s},s:{s:I,s:s}}", "report", "hub", "year",
                          (json_int_t)strtol(year, NULL, 10), "period", "from", p.from, "to", p.to, "tz",
                          "Asia/Ho_Chi_Minh", "hub", "id", (json_int_t)place.facility, "name", place.name)))
        goto out;
    if ((rc = consultations(r, place.facility, &p, &sites, doc)) != 0 ||
        (rc = support(r, place.facility, &p, &sites, doc)) != 0)
        goto out;
    if (format == YX_REPORT_JSON) {
        rc = yx_reply(r, 200, doc);
        doc = NULL;
        goto out;
    }
    if ((rc = yx_snprintf(footer, sizeof footer, "Báo cáo năm %s — %s", year, place.name)) == 0 &&
        (rc = yx_snprintf(file, sizeof file, "bao-cao-ho-tro-%lld-%s.pdf", (long long)place.facility,
                          year)) == 0)
        rc = yx_report_document_reply(r, draw, doc, footer, file);
out:
    free(sites.v);
    json_decref(doc);
    return rc;
}

const struct yx_route yx_report_hub_routes[] = {
    {"GET", "/api/v1/reports/hub", hub_report, YX_R_REPORT, NULL, "report", YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
