/* A concluded case, de-identified for case-based teaching (issue 6 presents them). Removed: the
 * patient's name, birth year (an age band instead), identity and insurance numbers, address and
 * phone; the requesting station (its level instead, a small commune plus age and sex can name a
 * person); clinicians' names. Dates are shifted by a random number of days, the same for every
 * date of one export, so intervals stay true. Free text keeps its words except the patient's name
 * and long digit runs. NOT handled, and said so in the export: faces and text burned into images
 * or DICOM pixels, which is why attachments are listed by kind only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consult.h"
#include "ytexa/consult.h"
#include "ytexa/patient.h"

static int letter(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* s with every whole-word occurrence of each word of words (NULL-terminated) replaced by mark, and
 * every run of 6 or more digits by "[số]". malloc'd. */
static char *redact(const char *s, const char *const *words, const char *mark)
{
    struct yx_buf b;
    yx_buf_init(&b, 64 * 1024);
    for (size_t i = 0; s[i];) {
        size_t hit = 0;
        int start = i == 0 || !letter((unsigned char)s[i - 1]);
        for (int w = 0; start && words[w] && !hit; w++) {
            size_t n = strlen(words[w]);
            if (n && strncmp(s + i, words[w], n) == 0 && !letter((unsigned char)s[i + n]))
                hit = n;
        }
        if (hit) {
            yx_buf_puts(&b, mark);
            i += hit;
            continue;
        }
        size_t d = 0;
        while (s[i + d] >= '0' && s[i + d] <= '9')
            d++;
        if (d >= 6) {
            yx_buf_puts(&b, "[số]");
            i += d;
            continue;
        }
        yx_buf_append(&b, s + i, 1);
        i++;
    }
    size_t len;
    return yx_buf_detach(&b, &len);
}

struct deid {
    const char *words[3]; /* the full name and the given name */
    int64_t shift_ms;
};

static json_t *text(const struct deid *d, const char *s)
{
    if (!s)
        return json_null();
    char *t = redact(s, d->words, "[người bệnh]");
    json_t *out = json_string(t ? t : "");
    free(t);
    return out;
}

static json_t *shifted(const struct deid *d, const struct yx_rows *r, int i, const char *col)
{
    char t[32];
    if (yx_rows_null(r, i, col))
        return json_null();
    yx_time_format(yx_rows_i64(r, i, col) + d->shift_ms, t);
    return json_string(t);
}

static json_t *case_part(struct yx_db *db, int64_t id, const struct deid *d)
{
    struct yx_rows *r = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &r,
                "SELECT c.urgency, c.specialty, c.kind, c.summary, c.recommendation, c.recommendation_note, "
                "c.outcome, c.requested_at, c.accepted_at, c.concluded_at, p.sex, p.birth_year, "
                "rf.level AS requester_level, af.name AS hub_name, af.level AS hub_level "
                "FROM consults c JOIN patients p ON p.id = c.patient_id JOIN facilities rf ON rf.id = "
                "c.requester_facility_id JOIN facilities af ON af.id = c.assigned_facility_id WHERE c.id = ?",
                YX_PI(id)) == 0 &&
        r->nrows == 1) {
        char band[16];
        yx_age_band(yx_rows_i64(r, 0, "requested_at"), yx_rows_i64(r, 0, "birth_year"), band);
        out = json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:s},s:{s:s},s:{s:s,s:s},s:{s:o,s:o},s:o,s:o,s:o,s:o}",
                        "urgency", yx_rows_str(r, 0, "urgency"), "specialty", yx_rows_str(r, 0, "specialty"),
                        "kind", yx_rows_str(r, 0, "kind"), "summary", text(d, yx_rows_str(r, 0, "summary")),
                        "patient", "sex", yx_rows_str(r, 0, "sex"), "age_band", band, "requester", "level",
                        yx_rows_str(r, 0, "requester_level"), "hub", "name", yx_rows_str(r, 0, "hub_name"),
                        "level", yx_rows_str(r, 0, "hub_level"), "recommendation", "kind",
                        yx_json_str_or_null(yx_rows_str(r, 0, "recommendation")), "note",
                        text(d, yx_rows_str(r, 0, "recommendation_note")), "outcome",
                        yx_json_str_or_null(yx_rows_str(r, 0, "outcome")), "requested_at",
                        shifted(d, r, 0, "requested_at"), "accepted_at", shifted(d, r, 0, "accepted_at"),
                        "concluded_at", shifted(d, r, 0, "concluded_at"));
    }
    yx_rows_free(r);
    return out;
}

static json_t *questions_and_opinions(struct yx_db *db, int64_t id, const struct deid *d, json_t *out)
{
    struct yx_rows *r = NULL;
    json_t *qs = json_array(), *ops = json_array(), *files = json_array();
    if (YX_DB_Q(db, &r,
                "SELECT question, conclusion FROM consult_questions WHERE consult_id = ? ORDER BY position",
                YX_PI(id)) == 0)
        for (int i = 0; i < r->nrows; i++)
            json_array_append_new(qs, json_pack("{s:o,s:o}", "question", text(d, yx_rows_get(r, i, 0)),
                                                "conclusion", text(d, yx_rows_get(r, i, 1))));
    yx_rows_free(r);
    r = NULL;
    if (YX_DB_Q(db, &r,
                "SELECT u.role, f.level, o.opinion FROM consult_opinions o JOIN users u ON u.id = "
                "o.author_id JOIN "
                "facilities f ON f.id = o.facility_id WHERE o.consult_id = ? ORDER BY o.id",
                YX_PI(id)) == 0)
        for (int i = 0; i < r->nrows; i++)
            json_array_append_new(ops, json_pack("{s:s,s:s,s:o}", "author_role", yx_rows_get(r, i, 0),
                                                 "facility_level", yx_rows_get(r, i, 1), "opinion",
                                                 text(d, yx_rows_get(r, i, 2))));
    yx_rows_free(r);
    r = NULL;
    if (YX_DB_Q(db, &r,
                "SELECT f.kind, f.mime, f.meta FROM consult_files cf JOIN files f ON f.id = cf.file_id WHERE "
                "cf.consult_id = ? ORDER BY cf.added_at, f.id",
                YX_PI(id)) == 0)
        for (int i = 0; i < r->nrows; i++) {
            json_t *meta = yx_rows_get(r, i, 2) ? json_loads(yx_rows_get(r, i, 2), 0, NULL) : NULL;
            /* The study date is a date: shifted like the others would need parsing; it is dropped. */
            if (meta)
                json_object_del(meta, "study_date");
            json_array_append_new(files, json_pack("{s:s,s:s,s:o}", "kind", yx_rows_get(r, i, 0), "mime",
                                                   yx_rows_get(r, i, 1), "dicom", meta ? meta : json_null()));
        }
    yx_rows_free(r);
    json_object_set_new(out, "questions", qs);
    json_object_set_new(out, "opinions", ops);
    json_object_set_new(out, "attachments", files);
    return out;
}

json_t *yx_consult_deidentified(struct yx_db *db, int64_t id)
{
    static const char *const done[] = {"concluded", "outcome_recorded", "closed", NULL};
    struct yx_rows *p = NULL;
    if (YX_DB_Q(db, &p,
                "SELECT c.state, p.full_name FROM consults c JOIN patients p ON p.id = c.patient_id WHERE "
                "c.id = ?",
                YX_PI(id)) != 0 ||
        p->nrows != 1 || !yx_one_of(yx_rows_get(p, 0, 0), done)) {
        yx_rows_free(p);
        return NULL;
    }
    struct deid d = {{NULL, NULL, NULL}, 0};
    const char *name = yx_rows_get(p, 0, 1);
    const char *given = strrchr(name, ' ');
    d.words[0] = name;
    d.words[1] = given && strlen(given + 1) >= 2 ? given + 1 : NULL;
    uint32_t days;
    yx_random(&days, sizeof days);
    d.shift_ms = -(int64_t)(30 + days % 365) * 86400000LL;
    /* The name's words point into p's rows: p lives until the export is made. */
    json_t *out = case_part(db, id, &d);
    if (out)
        questions_and_opinions(db, id, &d, out);
    yx_rows_free(p);
    if (!out)
        return NULL;
    json_object_set_new(
        out, "deidentification",
        json_pack(
            "{s:s,s:[s,s,s,s]}", "method",
            "Đã bỏ họ tên, năm sinh (thay bằng nhóm tuổi), CCCD, BHYT, địa chỉ, số điện thoại, tên trạm gửi "
            "và tên nhân viên; ngày tháng dời ngẫu nhiên cùng một khoảng / name, birth year (age band "
            "instead), identity and insurance numbers, address, phone, the requesting station and staff "
            "names removed; dates shifted by one random offset.",
            "warnings",
            "Khuôn mặt và chữ in trên ảnh, phim DICOM không được xử lý: tệp đính kèm không được xuất / faces "
            "and text burned into images and DICOM pixels are not handled: attachments are not exported.",
            "Văn bản tự do chỉ được lọc tên người bệnh và dãy số dài; hãy đọc lại trước khi trình chiếu / "
            "free text is filtered for the patient's name and long digit runs only: read it before showing.",
            "Ngày chụp DICOM đã bị bỏ / the DICOM study date is dropped.",
            "Một ca hiếm vẫn có thể nhận ra được qua bệnh cảnh / a rare case may still be recognisable from "
            "its story."));
    return out;
}

/* GET /api/v1/consults/:id/export — for those who see the case, once it is concluded. */
static int consult_export(struct yx_req *r)
{
    static const char *const done[] = {"concluded", "outcome_recorded", "closed", NULL};
    struct yx_consult c;
    int rc;
    if ((rc = yx_consult_load(r, &c)) != 0 || (rc = yx_consult_state_in(r, &c, done)) != 0)
        return rc;
    json_t *out = yx_consult_deidentified(r->db, c.id);
    return out ? yx_reply(r, 200, out) : YX_EDB;
}

const struct yx_route yx_consult_export_routes[] = {
    {"GET", "/api/v1/consults/:id/export", consult_export, 0, "consult.export", "consult", YX_CLINICIANS,
     NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
