/* The patient registry (sổ đăng ký người bệnh): a clinician registers a person at their facility,
 * reads and corrects the record. Each facility keeps its own registry; another facility sees a
 * patient only while a visit or consultation shares it (src/patient/access.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* The flags a health worker records; the others are computed from the record. */
static const char *const stored_flags[] = {"poor_household", "near_poor_household", "disability", "pregnant",
                                           NULL};

/* `,"key":` and the value: text or null, an integer, a boolean. */
static int put_str(struct yx_buf *b, const char *key, const char *v)
{
    return yx_buf_puts(b, key) || yx_buf_json_str(b, v);
}

static int put_int(struct yx_buf *b, const char *key, int64_t v)
{
    return yx_buf_puts(b, key) || yx_buf_json_int(b, v);
}

static int put_bool(struct yx_buf *b, const char *key, int v)
{
    return yx_buf_puts(b, key) || yx_buf_puts(b, v ? "true" : "false");
}

/* {"<key>": column code, "name": column name}, or null when column code is. */
static int put_ref(struct yx_buf *b, const char *key, const struct yx_rows *r, int i, const char *code,
                   const char *name, const char *inner)
{
    if (yx_rows_null(r, i, code))
        return yx_buf_puts(b, key) || yx_buf_puts(b, "null");
    return yx_buf_puts(b, key) || yx_buf_puts(b, inner) || yx_buf_json_str(b, yx_rows_str(r, i, code)) ||
           put_str(b, ",\"name\":", yx_rows_str(r, i, name)) || yx_buf_puts(b, "}");
}

/* The flags recorded, then those the record implies. */
static int put_vulnerable(struct yx_buf *b, const struct yx_rows *r, int i, int age)
{
    const char *eth = yx_rows_str(r, i, "ethnicity"), *sep = "";
    int rc = yx_buf_puts(b, ",\"vulnerable\":[");
    for (int k = 0; stored_flags[k]; k++)
        if (yx_rows_i64(r, i, stored_flags[k])) {
            rc |= yx_buf_puts(b, sep) || yx_buf_json_str(b, stored_flags[k]);
            sep = ",";
        }
    const char *implied[] = {eth && strcmp(eth, "01") != 0 ? "ethnic_minority" : NULL,
                             age >= 60 ? "elderly" : NULL, /* Law on the Elderly 2009: 60 and over */
                             age < 6 ? "child_under_6" : NULL};
    for (size_t k = 0; k < sizeof implied / sizeof *implied; k++)
        if (implied[k]) {
            rc |= yx_buf_puts(b, sep) || yx_buf_json_str(b, implied[k]);
            sep = ",";
        }
    return rc | yx_buf_puts(b, "]");
}

int yx_patient_row_text(struct yx_buf *b, const struct yx_rows *r, int i)
{
    char created[32], updated[32];
    const char *birth_date = yx_rows_str(r, i, "birth_date"), *langs = yx_rows_str(r, i, "languages");
    int age = yx_age_years(birth_date, yx_rows_i64(r, i, "birth_year"));
    /* languages is stored as the JSON array the API took in (["hmn","vi"]). */
    if (!langs || langs[0] != '[')
        langs = "[]";
    yx_time_format(yx_rows_i64(r, i, "created_at"), created);
    yx_time_format(yx_rows_i64(r, i, "updated_at"), updated);
    int rc = put_int(b, "{\"id\":", yx_rows_i64(r, i, "id")) ||
             put_int(b, ",\"facility\":{\"id\":", yx_rows_i64(r, i, "facility_id")) ||
             put_str(b, ",\"name\":", yx_rows_str(r, i, "facility_name")) ||
             put_str(b, "},\"full_name\":", yx_rows_str(r, i, "full_name")) ||
             put_str(b, ",\"birth_date\":", birth_date) ||
             put_int(b, ",\"birth_year\":", yx_rows_i64(r, i, "birth_year")) ||
             put_int(b, ",\"age\":", age) || put_str(b, ",\"sex\":", yx_rows_str(r, i, "sex")) ||
             put_ref(b, ",\"ethnicity\":", r, i, "ethnicity", "ethnicity_name", "{\"code\":") ||
             put_str(b, ",\"cccd\":", yx_rows_str(r, i, "cccd")) ||
             put_str(b, ",\"bhyt\":", yx_rows_str(r, i, "bhyt")) ||
             put_str(b, ",\"phone\":", yx_rows_str(r, i, "phone"));
    if (yx_rows_null(r, i, "unit_id"))
        rc |= yx_buf_puts(b, ",\"unit\":null");
    else
        rc |= put_int(b, ",\"unit\":{\"id\":", yx_rows_i64(r, i, "unit_id")) ||
              put_str(b, ",\"name\":", yx_rows_str(r, i, "unit_name")) || yx_buf_puts(b, "}");
    rc |= put_str(b, ",\"address\":", yx_rows_str(r, i, "address")) || put_vulnerable(b, r, i, age);
    if (yx_rows_null(r, i, "guardian_name"))
        rc |= yx_buf_puts(b, ",\"guardian\":null");
    else
        rc |= put_str(b, ",\"guardian\":{\"name\":", yx_rows_str(r, i, "guardian_name")) ||
              put_str(b, ",\"phone\":", yx_rows_str(r, i, "guardian_phone")) ||
              put_str(b, ",\"relation\":", yx_rows_str(r, i, "guardian_relation")) || yx_buf_puts(b, "}");
    rc |= yx_buf_puts(b, ",\"languages\":") || yx_buf_puts(b, langs) ||
          put_bool(b, ",\"needs_interpreter\":", strstr(langs, "\"vi\"") == NULL) ||
          put_str(b, ",\"notify_channel\":", yx_rows_str(r, i, "notify_channel")) ||
          put_str(b, ",\"created_at\":", created) || put_str(b, ",\"updated_at\":", updated);
    return rc ? YX_ENOMEM : 0;
}

/* The text in b (when rc is 0) as a jansson value, b released: for the callers that add to the
 * record or embed it. */
static json_t *text_json(struct yx_buf *b, int rc)
{
    json_t *out = rc == 0 ? json_loadb(b->data, b->len, 0, NULL) : NULL;
    yx_buf_release(b);
    return out;
}

json_t *yx_patient_row(const struct yx_rows *r, int i)
{
    struct yx_buf b;
    yx_buf_init(&b, 1 << 20);
    return text_json(&b, yx_patient_row_text(&b, r, i) || yx_buf_puts(&b, "}"));
}

/* The record with what the authorization decision and the answer need beyond it, in one query:
 * the province, whether it is shared with facility, the consents in force, an app account. Each
 * of those is 1 or 0 (CASE WHEN EXISTS: the lookup stops at the first row, where COUNT read them
 * all, and both engines answer an integer). */
#define FLAG(q) "CASE WHEN EXISTS (" q ") THEN 1 ELSE 0 END"
#define SHARED                                                                                               \
    "SELECT 1 FROM patient_shares s WHERE s.patient_id = p.id AND s.facility_id = ? AND " YX_SHARE_LIVE
#define CONSENT(purpose)                                                                                     \
    "SELECT 1 FROM consents c WHERE c.patient_id = p.id AND c.purpose = '" purpose "' "                      \
    "AND c.withdrawn_at IS NULL"
#define ACCOUNT "SELECT 1 FROM users a WHERE a.patient_id = p.id"
#define FLAGS                                                                                                \
    FLAG(SHARED)                                                                                             \
    " AS shared, " FLAG(CONSENT("remote_care")) " AS remote_care, " FLAG(                                    \
        CONSENT("data_processing")) " AS data_processing, " FLAG(ACCOUNT) " AS has_account"
#define FULL_SELECT                                                                                          \
    "SELECT " YX_PATIENT_COLUMNS ", f.province_id, " FLAGS " FROM patients p" YX_PATIENT_JOINS               \
    "WHERE p.id = ?"

/* The whole record, closing brace included: the row, the consents in force, an app account. */
static int full_text(struct yx_buf *b, const struct yx_rows *r)
{
    int rc = yx_patient_row_text(b, r, 0) ||
             put_bool(b, ",\"consent\":{\"remote_care\":", yx_rows_i64(r, 0, "remote_care") > 0) ||
             put_bool(b, ",\"data_processing\":", yx_rows_i64(r, 0, "data_processing") > 0) ||
             put_bool(b, "},\"has_account\":", yx_rows_i64(r, 0, "has_account") > 0) || yx_buf_puts(b, "}");
    return rc ? YX_ENOMEM : 0;
}

json_t *yx_patient_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *r = NULL;
    struct yx_buf b;
    yx_buf_init(&b, 1 << 20);
    int rc = YX_DB_Q(db, &r, FULL_SELECT, YX_PI(0), YX_PI(0), YX_PI(id));
    json_t *out = text_json(&b, rc || r->nrows != 1 || full_text(&b, r));
    yx_rows_free(r);
    return out;
}

int yx_patient_read(struct yx_req *r, int64_t id, struct yx_buf *out)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, FULL_SELECT, YX_PI(r->who.facility_id), YX_PI(yx_now_ms()), YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0) {
        struct yx_resource res = {.kind = YX_RES_PATIENT,
                                  .facility_id = yx_rows_i64(rows, 0, "facility_id"),
                                  .province_id = yx_rows_i64(rows, 0, "province_id"),
                                  .shared = yx_rows_i64(rows, 0, "shared") > 0,
                                  .patient_id = id};
        /* As in yx_patient_access(): a refusal as absent names no patient in the trail. */
        if ((rc = yx_authorize(&r->who, YX_A_READ, &res)) != YX_ENOTFOUND)
            r->audit_patient_id = id;
        if (rc)
            rc = yx_deny(r, rc);
    }
    if (rc == 0)
        rc = full_text(out, rows);
    yx_rows_free(rows);
    return rc;
}

int yx_patient_registry_role(struct yx_req *r)
{
    struct yx_scope s;
    if (yx_scope(&r->who, YX_RES_PATIENT, &s) == 0 && s.kind == YX_SCOPE_FACILITY)
        return 0;
    return yx_fail(r, YX_EFORBIDDEN,
                   "Chỉ nhân viên y tế của cơ sở mới tra cứu sổ người bệnh / "
                   "only clinicians of a facility look up its patient registry.");
}
