/* Registering and correcting a patient: the input is read into one struct (a correction starts
 * from the stored record), checked as a whole (a CCCD must agree with the year of birth and sex
 * even when only one of them changes), then written with its search keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

struct patient_in {
    const char *full_name, *birth_date, *sex, *ethnicity, *cccd, *bhyt, *phone, *address;
    const char *g_name, *g_phone, *g_relation, *notify_channel;
    int64_t birth_year, unit_id;
    int flags[4];    /* poor_household, near_poor_household, disability, pregnant */
    char *languages; /* JSON array text, in the request's arena */
    char bhyt_code[16], bhxh[11], phone_norm[16], g_phone_norm[16];
};

static const char *const flag_names[] = {"poor_household", "near_poor_household", "disability", "pregnant",
                                         NULL};

static const struct yx_field create_fields[] = {
    {"full_name", YX_F_STRING, 1, 2, 160},   {"birth_date", YX_F_STRING, 0, 10, 10},
    {"birth_year", YX_F_INT, 0, 1900, 2100}, {"sex", YX_F_STRING, 1, 1, 8},
    {"ethnicity", YX_F_STRING, 0, 2, 2},     {"cccd", YX_F_STRING, 0, 1, 20},
    {"bhyt", YX_F_STRING, 0, 1, 24},         {"phone", YX_F_STRING, 0, 1, 24},
    {"unit_id", YX_F_INT, 0, 1, INT64_MAX},  {"address", YX_F_STRING, 0, 1, 300},
    {"vulnerable", YX_F_ARRAY, 0, 0, 0},     {"guardian", YX_F_OBJECT, 0, 0, 0},
    {"languages", YX_F_ARRAY, 0, 0, 0},      {"notify_channel", YX_F_STRING, 0, 1, 8},
    {"allow_duplicate", YX_F_BOOL, 0, 0, 0}, {NULL, 0, 0, 0, 0},
};

/* A correction names only what changes; null clears an optional field. */
static const struct yx_field patch_fields[] = {
    {"full_name", YX_F_STRING, 0, 2, 160},
    {"birth_date", YX_F_STRING, 0, 10, 10},
    {"birth_year", YX_F_INT, 0, 1900, 2100},
    {"sex", YX_F_STRING, 0, 1, 8},
    {"ethnicity", YX_F_STRING, 0, 2, 2},
    {"cccd", YX_F_STRING, 0, 1, 20},
    {"bhyt", YX_F_STRING, 0, 1, 24},
    {"phone", YX_F_STRING, 0, 1, 24},
    {"unit_id", YX_F_INT, 0, 1, INT64_MAX},
    {"address", YX_F_STRING, 0, 1, 300},
    {"vulnerable", YX_F_ARRAY, 0, 0, 0},
    {"guardian", YX_F_OBJECT, 0, 0, 0},
    {"languages", YX_F_ARRAY, 0, 0, 0},
    {"notify_channel", YX_F_STRING, 0, 1, 8},
    {NULL, 0, 0, 0, 0},
};

static const struct yx_field guardian_fields[] = {
    {"name", YX_F_STRING, 1, 2, 160},
    {"phone", YX_F_STRING, 0, 1, 24},
    {"relation", YX_F_STRING, 0, 1, 40},
    {NULL, 0, 0, 0, 0},
};

/* Copies the fields present in the body over in (a null clears an optional field). */
static int overlay(struct yx_req *r, const json_t *b, struct patient_in *in)
{
    json_t *v;
#define TAKE(name, dst)                                                                                      \
    if ((v = json_object_get(b, name)) != NULL)                                                              \
        dst = json_string_value(v);
    TAKE("full_name", in->full_name)
    TAKE("birth_date", in->birth_date)
    TAKE("sex", in->sex)
    TAKE("ethnicity", in->ethnicity)
    TAKE("cccd", in->cccd)
    TAKE("bhyt", in->bhyt)
    TAKE("phone", in->phone)
    TAKE("address", in->address)
    TAKE("notify_channel", in->notify_channel)
#undef TAKE
    if ((v = json_object_get(b, "birth_year")) != NULL)
        in->birth_year = json_integer_value(v);
    if ((v = json_object_get(b, "unit_id")) != NULL)
        in->unit_id = json_integer_value(v);
    if ((v = json_object_get(b, "vulnerable")) != NULL) {
        size_t i;
        json_t *f;
        memset(in->flags, 0, sizeof in->flags);
        json_array_foreach(v, i, f)
        {
            int k = 0;
            while (flag_names[k] && (!json_is_string(f) || strcmp(flag_names[k], json_string_value(f)) != 0))
                k++;
            if (!flag_names[k])
                return yx_fail_check(
                    r, "vulnerable", "not_allowed", 0, 0, 0,
                    "Diện ưu tiên chỉ gồm hộ nghèo, cận nghèo, khuyết tật, có thai / vulnerable lists "
                    "poor_household, near_poor_household, disability or pregnant (ethnic minority, elderly "
                    "and child under 6 are computed from the record).");
            in->flags[k] = 1;
        }
    }
    if ((v = json_object_get(b, "guardian")) != NULL) {
        in->g_name = in->g_phone = in->g_relation = NULL;
        if (json_is_object(v)) {
            int rc = yx_validate(r, v, guardian_fields);
            if (rc)
                return yx_error_within(r, rc, "guardian");
            in->g_name = yx_json_str(v, "name");
            in->g_phone = yx_json_str(v, "phone");
            in->g_relation = yx_json_str(v, "relation");
        }
    }
    if ((v = json_object_get(b, "languages")) != NULL) {
        size_t i;
        json_t *l;
        if (json_array_size(v) > 10)
            return yx_fail_check(r, "languages", "too_long", 1, 0, 10,
                                 "Tối đa 10 ngôn ngữ / at most 10 languages.");
        json_array_foreach(v, i, l)
        {
            const char *s = json_string_value(l);
            size_t n = s ? strlen(s) : 0;
            int ok = n == 2 || n == 3;
            for (size_t c = 0; ok && c < n; c++)
                ok = s[c] >= 'a' && s[c] <= 'z';
            if (!ok)
                return yx_fail_check(
                    r, "languages", "bad_format", 0, 0, 0,
                    "Ngôn ngữ là mã ISO 639 như \"vi\", \"hmn\" (Mông), \"tyz\" (Tày) / languages lists ISO "
                    "639 codes such as \"vi\", \"hmn\" (Hmong), \"tyz\" (Tay).");
        }
        char *text = json_dumps(json_array_size(v) ? v : json_pack("[s]", "vi"), JSON_COMPACT);
        in->languages = text ? yx_arena_strdup(&r->arena, text) : NULL;
        free(text);
    }
    return 0;
}

/* The rules across fields, after the overlay: dates, identity numbers, flags that need each other. */
static int check_record(struct yx_req *r, const json_t *b, struct patient_in *in)
{
    int y, m, d;
    if (!in->full_name || !yx_name_ok(in->full_name))
        return yx_fail_check(
            r, "full_name", "bad_format", 0, 0, 0,
            "Họ và tên cần ít nhất 2 chữ, không có ký tự điều khiển / the full name needs two or "
            "more letters and no control characters.");
    if (in->g_name && !yx_name_ok(in->g_name))
        return yx_fail_check(r, "guardian.name", "bad_format", 0, 0, 0,
                             "Tên người giám hộ không hợp lệ / the guardian's name is not valid.");
    if (in->birth_date) {
        char today[11];
        yx_today(today);
        if (yx_date_parse(in->birth_date, &y, &m, &d) != 0 || y < 1900 || strcmp(in->birth_date, today) > 0)
            return yx_fail_check(
                r, "birth_date", "bad_format", 0, 0, 0,
                "Ngày sinh không hợp lệ / birth_date is a past date YYYY-MM-DD from 1900 on.");
        if (json_object_get(b, "birth_year") && in->birth_year != y)
            return yx_fail_check(r, "birth_year", "mismatch", 0, 0, 0,
                                 "Năm sinh không khớp ngày sinh / birth_year does not match birth_date.");
        in->birth_year = y;
    }
    if (!in->birth_year)
        return yx_fail_check(r, "birth_year", "required", 0, 0, 0,
                             "Cần ngày sinh hoặc năm sinh / birth_date or birth_year is required.");
    char today[11];
    yx_today(today);
    if (in->birth_year > atoi(today))
        return yx_fail_check(r, "birth_year", "out_of_range", 0, 0, 0,
                             "Năm sinh ở tương lai / birth_year is in the future.");
    if (!in->sex || (strcmp(in->sex, "male") && strcmp(in->sex, "female") && strcmp(in->sex, "other")))
        return yx_fail_check(r, "sex", "not_allowed", 0, 0, 0,
                             "Giới tính là nam, nữ hoặc khác / sex is male, female or other.");
    const char *why = in->cccd ? yx_cccd_problem(in->cccd, in->birth_year, in->sex) : NULL;
    if (why)
        return yx_fail_check(r, "cccd", "bad_format", 0, 0, 0, "%s", why);
    if (in->bhyt && yx_bhyt_parse(in->bhyt, in->bhyt_code, in->bhxh) != 0)
        return yx_fail_check(
            r, "bhyt", "bad_format", 0, 0, 0,
            "Mã thẻ BHYT gồm 15 ký tự (vd. GD4010123456789) hoặc mã số 10 chữ số / a BHYT code "
            "has 15 characters (2 letters, a benefit level 1-5, 12 digits) or is the 10-digit number.");
    if (in->phone && yx_phone_normalize(in->phone, in->phone_norm) != 0)
        return yx_fail_check(r, "phone", "bad_format", 0, 0, 0,
                             "Số điện thoại Việt Nam có 10 số, bắt đầu bằng 0 / "
                             "a Vietnamese phone number has 10 digits starting with 0.");
    if (in->g_phone && yx_phone_normalize(in->g_phone, in->g_phone_norm) != 0)
        return yx_fail_check(r, "guardian.phone", "bad_format", 0, 0, 0,
                             "Số điện thoại người giám hộ không hợp lệ / "
                             "the guardian's phone is not a Vietnamese phone number.");
    static const char *const channels[] = {"sms", "zalo", "none", NULL};
    if (in->notify_channel && !yx_one_of(in->notify_channel, channels))
        return yx_fail_check(
            r, "notify_channel", "not_allowed", 0, 0, 0,
            "Kênh báo tin là sms, zalo hoặc none / notify_channel is sms, zalo or none (in the app only).");
    if (in->flags[0] && in->flags[1])
        return yx_fail_check(
            r, "vulnerable", "mismatch", 0, 0, 0,
            "Hộ nghèo hoặc cận nghèo, không thể cả hai / poor or near-poor household, not both.");
    if (in->flags[3] && strcmp(in->sex, "male") == 0)
        return yx_fail_check(
            r, "vulnerable", "mismatch", 0, 0, 0,
            "Không ghi có thai cho người bệnh nam / pregnant is not recorded for a patient of sex male.");
    return 0;
}

/* Do the ethnicity and the commune exist (and is the commune a current or past commune)? */
static int check_references(struct yx_req *r, const struct patient_in *in)
{
    struct yx_rows *rows = NULL;
    int rc = 0;
    if (in->ethnicity) {
        rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM ethnicities WHERE code = ?", YX_PT(in->ethnicity));
        if (rc == 0 && rows->nrows != 1)
            rc = yx_fail_check(
                r, "ethnicity", "not_allowed", 0, 0, 0,
                "Mã dân tộc từ 01 đến 54 (GET /api/v1/ethnicities) / ethnicity is a code 01-54.");
        yx_rows_free(rows);
        rows = NULL;
    }
    if (rc == 0 && in->unit_id) {
        rc = YX_DB_Q(r->db, &rows, "SELECT level FROM admin_units WHERE id = ?", YX_PI(in->unit_id));
        if (rc == 0 && (rows->nrows != 1 || strcmp(yx_rows_get(rows, 0, 0), "commune") != 0))
            rc = yx_fail_check(r, "unit_id", "not_allowed", 0, 0, 0,
                               "unit_id là một xã/phường / unit_id is the id of a commune or ward.");
        yx_rows_free(rows);
    }
    return rc;
}

/* Likely duplicates at the caller's facility: the same BHYT number, or the same folded name and
 * year of birth in the same commune (or anywhere, when no commune is given). A CCCD is unique per
 * facility by itself; the database refuses a second one. Each half is one index lookup
 * (patients_bhxh, patients_name_year). */
static int find_duplicates(struct yx_req *r, int64_t facility, const struct patient_in *in,
                           const char *folded, int64_t self, json_t **found)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        YX_PATIENT_SELECT "WHERE p.facility_id = ? AND p.id <> ? AND p.bhxh_no = ? UNION " YX_PATIENT_SELECT
                          "WHERE p.facility_id = ? AND p.id <> ? AND p.name_folded = ? AND p.birth_year = ? "
                          "AND (? = 0 OR p.unit_id = ?) ORDER BY 1 LIMIT 10",
        YX_PI(facility), YX_PI(self), YX_PT(in->bhyt ? in->bhxh : NULL), YX_PI(facility), YX_PI(self),
        YX_PT(folded), YX_PI(in->birth_year), YX_PI(in->unit_id), YX_PI(in->unit_id));
    *found = NULL;
    if (rc == 0 && rows->nrows > 0) {
        *found = json_array();
        for (int i = 0; i < rows->nrows; i++) {
            json_t *p = yx_patient_row(rows, i);
            const char *b = yx_rows_str(rows, i, "bhyt");
            int by_card = in->bhyt && b && strstr(b, in->bhxh);
            json_object_set_new(p, "match", json_string(by_card ? "bhyt" : "name_birth_year_commune"));
            json_array_append_new(*found, p);
        }
    }
    yx_rows_free(rows);
    return rc;
}

/* Inserts the search keys of full_name for patient id, all in one statement (a name has a few:
 * one a word and the whole). YX_EINVAL when the name is not text. */
static int insert_keys(struct yx_db *db, int64_t id, int64_t facility, const char *full_name)
{
    char *keys = yx_name_keys(full_name);
    struct yx_param *p = NULL;
    int n = 0, rc = YX_ENOMEM;
    if (!keys)
        return YX_EINVAL;
    for (const char *k = keys; k; k = strchr(k, '\n'), k = k ? k + 1 : NULL)
        n++;
    if (!(p = calloc((size_t)n * 3, sizeof *p)))
        goto out;
    n = 0;
    for (char *k = keys, *next; k; k = next, n++) {
        if ((next = strchr(k, '\n')) != NULL)
            *next++ = '\0';
        p[n * 3] = YX_PI(facility);
        p[n * 3 + 1] = YX_PT(k);
        p[n * 3 + 2] = YX_PI(id);
    }
    rc =
        yx_db_exec_rows_later(db, "INSERT INTO patient_name_keys (facility_id, name_key, patient_id) VALUES ",
                              " ON CONFLICT DO NOTHING", p, 3, n);
out:
    free(p);
    free(keys);
    return rc;
}

int yx_patient_save_keys(struct yx_db *db, int64_t id, int64_t facility, const char *full_name)
{
    int rc = YX_DB_LATER(db, "DELETE FROM patient_name_keys WHERE patient_id = ?", YX_PI(id));
    return rc ? rc : insert_keys(db, id, facility, full_name);
}

/* The keys of a patient just created (fresh: it has none to replace) or renamed. */
static int save_name_keys(struct yx_req *r, int64_t id, int64_t facility, const char *full_name, int fresh)
{
    int rc = fresh ? insert_keys(r->db, id, facility, full_name)
                   : yx_patient_save_keys(r->db, id, facility, full_name);
    return rc == YX_EINVAL ? yx_fail_field(r, YX_EINVAL, "full_name",
                                           "Tên có ký tự không hợp lệ / The name is not valid text.")
                           : rc;
}

/* Refuses a CCCD already registered at this facility, naming the record that has it. */
static int cccd_taken(struct yx_req *r, int64_t facility, const char *cccd, int64_t self)
{
    struct yx_rows *rows = NULL;
    if (!cccd)
        return 0;
    int rc = YX_DB_Q(r->db, &rows, "SELECT id FROM patients WHERE facility_id = ? AND cccd = ? AND id <> ?",
                     YX_PI(facility), YX_PT(cccd), YX_PI(self));
    if (rc == 0 && rows->nrows > 0)
        rc = yx_fail_code(r, YX_ECONFLICT, "duplicate_cccd",
                          json_pack("{s:I}", "patient_id", (json_int_t)yx_rows_int(rows, 0, 0)),
                          "Số CCCD này đã có trong sổ (người bệnh %lld) / this CCCD is already registered "
                          "(patient %lld).",
                          (long long)yx_rows_int(rows, 0, 0), (long long)yx_rows_int(rows, 0, 0));
    yx_rows_free(rows);
    return rc;
}

/* Inserts (at facility) or updates (id != 0) the row from in; the folded name is passed in. */
static int write_patient(struct yx_req *r, int64_t facility, const struct patient_in *in, const char *folded,
                         int64_t *id)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    struct yx_param p[] = {YX_PT(in->full_name),
                           YX_PT(folded),
                           YX_PT(in->birth_date),
                           YX_PI(in->birth_year),
                           YX_PT(in->sex),
                           YX_PT(in->ethnicity),
                           YX_PT(in->cccd),
                           YX_PT(in->bhyt ? in->bhyt_code : NULL),
                           YX_PT(in->bhyt ? in->bhxh : NULL),
                           YX_PT(in->phone ? in->phone_norm : NULL),
                           in->unit_id ? YX_PI(in->unit_id) : YX_PN,
                           YX_PT(in->address),
                           YX_PI(in->flags[0]),
                           YX_PI(in->flags[1]),
                           YX_PI(in->flags[2]),
                           YX_PI(in->flags[3]),
                           YX_PT(in->g_name),
                           YX_PT(in->g_phone ? in->g_phone_norm : NULL),
                           YX_PT(in->g_relation),
                           YX_PT(in->languages ? in->languages : "[\"vi\"]"),
                           YX_PT(in->notify_channel ? in->notify_channel : "sms"),
                           YX_PI(now),
                           YX_PI(*id ? *id : facility),
                           YX_PI(r->who.user_id),
                           YX_PI(now)};
    int rc;
    if (*id)
        rc = yx_db_exec(
            r->db,
            "UPDATE patients SET full_name = ?, name_folded = ?, birth_date = ?, birth_year = ?, sex = ?, "
            "ethnicity = ?, cccd = ?, bhyt = ?, bhxh_no = ?, phone = ?, unit_id = ?, address = ?, "
            "poor_household = ?, near_poor_household = ?, disability = ?, pregnant = ?, "
            "guardian_name = ?, guardian_phone = ?, guardian_relation = ?, languages = ?, notify_channel = "
            "?, "
            "updated_at = ?, version = version + 1 WHERE id = ?",
            p, 23, NULL);
    else
        rc = yx_db_exec(
            r->db,
            "INSERT INTO patients (full_name, name_folded, birth_date, birth_year, sex, ethnicity, cccd, "
            "bhyt, bhxh_no, phone, unit_id, address, poor_household, near_poor_household, disability, "
            "pregnant, guardian_name, guardian_phone, guardian_relation, languages, notify_channel, "
            "updated_at, "
            "facility_id, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            p, 25, &rows);
    if (rc == 0 && !*id)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

static int answer_patient(struct yx_req *r, int status, int64_t id)
{
    yx_audit_target(r, id);
    r->audit_patient_id = id;
    json_t *p = yx_patient_json(r->db, id);
    return p ? yx_reply(r, status, p) : YX_EDB;
}

/* Registers b in facility's registry with every rule of the record; who may is the caller's. */
static int register_in(struct yx_req *r, int64_t facility, const json_t *b, int64_t *out)
{
    struct patient_in in = {0};
    json_t *dups = NULL;
    char *folded = NULL;
    int64_t id = 0;
    int rc;
    if ((rc = yx_validate(r, b, create_fields)) != 0 || (rc = overlay(r, b, &in)) != 0 ||
        (rc = check_record(r, b, &in)) != 0 || (rc = check_references(r, &in)) != 0 ||
        (rc = cccd_taken(r, facility, in.cccd, 0)) != 0)
        return rc;
    if (!(folded = yx_fold(in.full_name, strlen(in.full_name))))
        return yx_fail_field(r, YX_EINVAL, "full_name",
                             "Tên có ký tự không hợp lệ / The name is not valid text.");
    rc = json_is_true(json_object_get(b, "allow_duplicate"))
             ? 0
             : find_duplicates(r, facility, &in, folded, 0, &dups);
    if (rc == 0 && dups)
        rc = yx_fail_code(
            r, YX_ECONFLICT, "possible_duplicate", json_pack("{s:o}", "candidates", dups),
            "Có thể người này đã có trong sổ; xem danh sách và chọn, hoặc gửi lại với "
            "\"allow_duplicate\": true / this person may already be registered: check the candidates, "
            "or send again with \"allow_duplicate\": true.");
    if (rc == 0)
        rc = write_patient(r, facility, &in, folded, &id);
    if (rc == 0)
        rc = save_name_keys(r, id, facility, in.full_name, 1);
    free(folded);
    if (rc == 0)
        *out = id;
    return rc;
}

int yx_patient_register(struct yx_req *r, const json_t *b, int64_t *out)
{
    /* The body is checked against the REST API's own table, whoever calls: a FHIR create goes
     * through every rule a REST create does. */
    int rc = yx_patient_registry_role(r);
    if (rc == 0 && (rc = register_in(r, r->who.facility_id, b, out)) == 0) {
        /* The request's audit event names the record it made (an import's names its facility). */
        yx_audit_target(r, *out);
        r->audit_patient_id = *out;
    }
    return rc;
}

/* POST /api/v1/patients */
static int patient_create(struct yx_req *r)
{
    int64_t id = 0;
    int rc = yx_body(r, create_fields);
    if (rc == 0)
        rc = yx_patient_register(r, r->json, &id);
    return rc ? rc : answer_patient(r, 201, id);
}

/* GET /api/v1/patients/:id */
static int patient_get(struct yx_req *r)
{
    int64_t id;
    struct yx_buf b;
    int rc;
    yx_buf_init(&b, 1 << 20);
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_patient_read(r, id, &b)) != 0) {
        yx_buf_release(&b);
        return rc;
    }
    yx_audit_target(r, id);
    return yx_reply_text(r, 200, &b);
}

/* Reads the stored record into in; rows must outlive in. */
static void stored_record(const struct yx_rows *s, struct patient_in *in)
{
    *in = (struct patient_in){.full_name = yx_rows_str(s, 0, "full_name"),
                              .birth_date = yx_rows_str(s, 0, "birth_date"),
                              .birth_year = yx_rows_i64(s, 0, "birth_year"),
                              .sex = yx_rows_str(s, 0, "sex"),
                              .ethnicity = yx_rows_str(s, 0, "ethnicity"),
                              .cccd = yx_rows_str(s, 0, "cccd"),
                              .bhyt = yx_rows_str(s, 0, "bhyt"),
                              .phone = yx_rows_str(s, 0, "phone"),
                              .unit_id = yx_rows_i64(s, 0, "unit_id"),
                              .address = yx_rows_str(s, 0, "address"),
                              .g_name = yx_rows_str(s, 0, "guardian_name"),
                              .g_phone = yx_rows_str(s, 0, "guardian_phone"),
                              .g_relation = yx_rows_str(s, 0, "guardian_relation"),
                              .languages = (char *)yx_rows_str(s, 0, "languages"),
                              .notify_channel = yx_rows_str(s, 0, "notify_channel")};
    for (int k = 0; k < 4; k++)
        in->flags[k] = (int)yx_rows_i64(s, 0, flag_names[k]);
}

/* Does in, as write_patient() would write it, hold what the stored row s holds? */
static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int unchanged(const struct patient_in *in, const struct yx_rows *s)
{
    int same =
        same_text(in->full_name, yx_rows_str(s, 0, "full_name")) &&
        same_text(in->birth_date, yx_rows_str(s, 0, "birth_date")) &&
        in->birth_year == yx_rows_i64(s, 0, "birth_year") && same_text(in->sex, yx_rows_str(s, 0, "sex")) &&
        same_text(in->ethnicity, yx_rows_str(s, 0, "ethnicity")) &&
        same_text(in->cccd, yx_rows_str(s, 0, "cccd")) &&
        same_text(in->bhyt ? in->bhyt_code : NULL, yx_rows_str(s, 0, "bhyt")) &&
        same_text(in->phone ? in->phone_norm : NULL, yx_rows_str(s, 0, "phone")) &&
        in->unit_id == yx_rows_i64(s, 0, "unit_id") && same_text(in->address, yx_rows_str(s, 0, "address")) &&
        same_text(in->g_name, yx_rows_str(s, 0, "guardian_name")) &&
        same_text(in->g_phone ? in->g_phone_norm : NULL, yx_rows_str(s, 0, "guardian_phone")) &&
        same_text(in->g_relation, yx_rows_str(s, 0, "guardian_relation")) &&
        same_text(in->languages, yx_rows_str(s, 0, "languages")) &&
        same_text(in->notify_channel, yx_rows_str(s, 0, "notify_channel"));
    for (int k = 0; same && k < 4; k++)
        same = in->flags[k] == (int)yx_rows_i64(s, 0, flag_names[k]);
    return same;
}

/* Corrects patient id of facility's registry from b with every rule of the record. With changed,
 * a correction that changes nothing writes nothing and keeps the version (*changed 0): an import
 * run again leaves its records as they are. Without it every correction is written, and the
 * version goes up (a FHIR update's If-Match counts on it). Who may is the caller's. */
static int correct_in(struct yx_req *r, int64_t facility, int64_t id, const json_t *b, int *changed)
{
    struct yx_rows *stored = NULL;
    struct patient_in in;
    char *folded = NULL;
    int rc;
    if (changed)
        *changed = 0;
    if (!b)
        return yx_fail(r, YX_EINVAL, "Cần nội dung là một đối tượng JSON / A JSON object body is required.");
    if ((rc = YX_DB_Q(r->db, &stored, YX_PATIENT_SELECT "WHERE p.id = ?", YX_PI(id))) != 0)
        goto out;
    if (stored->nrows != 1 || yx_rows_i64(stored, 0, "facility_id") != facility) {
        rc = yx_fail(r, YX_EFORBIDDEN,
                     "Chỉ cơ sở quản lý người bệnh sửa hồ sơ / only the patient's own facility "
                     "corrects the registry record.");
        goto out;
    }
    stored_record(stored, &in);
    if ((rc = yx_validate(r, b, patch_fields)) != 0)
        goto out;
    if (yx_json_str(b, "birth_date") && !json_object_get(b, "birth_year"))
        in.birth_year = 0; /* taken from the new date */
    if ((rc = overlay(r, b, &in)) != 0 || (rc = check_record(r, b, &in)) != 0 ||
        (rc = check_references(r, &in)) != 0 || (rc = cccd_taken(r, facility, in.cccd, id)) != 0)
        goto out;
    if (changed && unchanged(&in, stored))
        goto out;
    if (changed)
        *changed = 1;
    if (!(folded = yx_fold(in.full_name, strlen(in.full_name)))) {
        rc = yx_fail_field(r, YX_EINVAL, "full_name",
                           "Tên có ký tự không hợp lệ / The name is not valid text.");
        goto out;
    }
    if ((rc = write_patient(r, facility, &in, folded, &id)) == 0 && json_object_get(b, "full_name"))
        rc = save_name_keys(r, id, facility, in.full_name, 0);
out:
    free(folded);
    yx_rows_free(stored);
    return rc;
}

int yx_patient_correct(struct yx_req *r, int64_t id, const json_t *b)
{
    int rc = yx_patient_access(r, id, YX_A_WRITE);
    return rc ? rc : correct_in(r, r->who.facility_id, id, b, NULL);
}

/* The record of facility that b's CCCD or BHYT number names, in *id (0: none). Two records, one
 * by each, are refused: the line cannot say which of them it is. */
static int import_match(struct yx_req *r, int64_t facility, const json_t *b, int64_t *id)
{
    struct yx_rows *rows = NULL;
    char code[16], bhxh[11];
    const char *cccd = yx_json_str(b, "cccd"), *bhyt = yx_json_str(b, "bhyt");
    int by_card = bhyt && yx_bhyt_parse(bhyt, code, bhxh) == 0;
    *id = 0;
    if (!cccd && !by_card)
        return 0;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT id FROM patients WHERE facility_id = ? AND cccd = ? UNION "
                     "SELECT id FROM patients WHERE facility_id = ? AND bhxh_no = ? ORDER BY 1 LIMIT 2",
                     YX_PI(facility), YX_PT(cccd), YX_PI(facility), YX_PT(by_card ? bhxh : NULL));
    if (rc == 0 && rows->nrows > 1)
        rc = yx_fail_code(
            r, YX_ECONFLICT, "identifiers_disagree", NULL,
            "CCCD và thẻ BHYT thuộc hai người bệnh khác nhau (%lld, %lld) / the CCCD and the BHYT "
            "card belong to two different patients (%lld, %lld).",
            (long long)yx_rows_int(rows, 0, 0), (long long)yx_rows_int(rows, 1, 0),
            (long long)yx_rows_int(rows, 0, 0), (long long)yx_rows_int(rows, 1, 0));
    else if (rc == 0 && rows->nrows == 1)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

int yx_patient_import(struct yx_req *r, int64_t facility, const json_t *b, enum yx_patient_imported *what,
                      int64_t *id)
{
    int changed = 0, rc;
    json_t *fresh = NULL;
    if (!json_is_object(b))
        return yx_fail(r, YX_EINVAL, "Cần nội dung là một đối tượng JSON / A JSON object body is required.");
    if ((rc = import_match(r, facility, b, id)) != 0)
        return rc;
    if (*id) {
        if ((rc = correct_in(r, facility, *id, b, &changed)) == 0)
            *what = changed ? YX_IMPORT_UPDATED : YX_IMPORT_UNCHANGED;
        return rc;
    }
    /* A new record takes only what is there: the nulls that clear a correction's fields are not a
     * registration's. */
    if (!(fresh = json_object()))
        return YX_ENOMEM;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)b, k, v)
    {
        if (!json_is_null(v))
            json_object_set(fresh, k, v);
    }
    if ((rc = register_in(r, facility, fresh, id)) == 0)
        *what = YX_IMPORT_CREATED;
    json_decref(fresh);
    return rc;
}

/* PATCH /api/v1/patients/:id — only the home facility corrects the registry record. */
static int patient_patch(struct yx_req *r)
{
    int64_t id;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_patient_correct(r, id, r->json)) != 0)
        return rc;
    return answer_patient(r, 200, id);
}

/* GET /api/v1/ethnicities: the 54 groups, for forms. */
static int ethnicity_list(struct yx_req *r)
{
    return yx_reply_code_list(r, "SELECT code, name_vi, name_en FROM ethnicities ORDER BY code");
}

const struct yx_route yx_patient_routes[] = {
    {"POST", "/api/v1/patients", patient_create, 0, "patient.create", "patient", YX_CLINICIANS,
     create_fields},
    {"GET", "/api/v1/patients/:id", patient_get, YX_R_BATCH, "patient.read", "patient",
     YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {"PATCH", "/api/v1/patients/:id", patient_patch, 0, "patient.update", "patient", YX_CLINICIANS,
     patch_fields},
    {"GET", "/api/v1/ethnicities", ethnicity_list, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
