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

static json_t *ref_or_null(const struct yx_rows *r, int i, int c, const char *key)
{
    if (yx_rows_isnull(r, i, c))
        return json_null();
    return json_pack("{s:s,s:s}", key, yx_rows_get(r, i, c), "name", yx_rows_get(r, i, c + 1));
}

static json_t *vulnerable_json(const struct yx_rows *r, int i, int age)
{
    json_t *v = json_array();
    for (int k = 0; stored_flags[k]; k++)
        if (yx_rows_int(r, i, 15 + k))
            json_array_append_new(v, json_string(stored_flags[k]));
    const char *eth = yx_rows_get(r, i, 7);
    if (eth && strcmp(eth, "01") != 0)
        json_array_append_new(v, json_string("ethnic_minority"));
    if (age >= 60) /* Law on the Elderly 2009: 60 and over */
        json_array_append_new(v, json_string("elderly"));
    if (age < 6)
        json_array_append_new(v, json_string("child_under_6"));
    return v;
}

json_t *yx_patient_row(const struct yx_rows *r, int i)
{
    char created[32], updated[32];
    const char *birth_date = yx_rows_get(r, i, 4);
    int age = yx_age_years(birth_date, yx_rows_int(r, i, 5));
    json_t *langs = json_loads(yx_rows_get(r, i, 22), 0, NULL), *guardian = json_null(), *unit = json_null();
    if (!yx_rows_isnull(r, i, 19))
        guardian = json_pack("{s:s,s:o,s:o}", "name", yx_rows_get(r, i, 19), "phone",
                             yx_json_str_or_null(yx_rows_get(r, i, 20)), "relation",
                             yx_json_str_or_null(yx_rows_get(r, i, 21)));
    if (!yx_rows_isnull(r, i, 12))
        unit = json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_int(r, i, 12), "name", yx_rows_get(r, i, 13));
    int needs_interpreter = 1;
    size_t k;
    json_t *l;
    json_array_foreach(langs, k, l) needs_interpreter &=
        strcmp(json_string_value(l) ? json_string_value(l) : "", "vi") != 0;
    yx_time_format(yx_rows_int(r, i, 23), created);
    yx_time_format(yx_rows_int(r, i, 24), updated);
    return json_pack(
        "{s:I,s:{s:I,s:s},s:s,s:o,s:I,s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:s,s:s,s:s}", "id",
        (json_int_t)yx_rows_int(r, i, 0), "facility", "id", (json_int_t)yx_rows_int(r, i, 1), "name",
        yx_rows_get(r, i, 2), "full_name", yx_rows_get(r, i, 3), "birth_date",
        yx_json_str_or_null(birth_date), "birth_year", (json_int_t)yx_rows_int(r, i, 5), "age", age, "sex",
        yx_rows_get(r, i, 6), "ethnicity", ref_or_null(r, i, 7, "code"), "cccd",
        yx_json_str_or_null(yx_rows_get(r, i, 9)), "bhyt", yx_json_str_or_null(yx_rows_get(r, i, 10)),
        "phone", yx_json_str_or_null(yx_rows_get(r, i, 11)), "unit", unit, "address",
        yx_json_str_or_null(yx_rows_get(r, i, 14)), "vulnerable", vulnerable_json(r, i, age), "guardian",
        guardian, "languages", langs ? langs : json_array(), "needs_interpreter", needs_interpreter,
        "notify_channel", yx_rows_get(r, i, 25), "created_at", created, "updated_at", updated);
}

/* The record with what the authorization decision and the answer need beyond it, in one query:
 * the province, whether it is shared with facility, the consents in force, an app account. */
#define FULL_SELECT                                                                                          \
    "SELECT " YX_PATIENT_COLUMNS ", f.province_id, "                                                         \
    "(SELECT COUNT(*) FROM patient_shares s WHERE s.patient_id = p.id AND s.facility_id = ?), "              \
    "(SELECT COUNT(*) FROM consents c WHERE c.patient_id = p.id AND c.purpose = 'remote_care' "              \
    "AND c.withdrawn_at IS NULL), "                                                                          \
    "(SELECT COUNT(*) FROM consents c WHERE c.patient_id = p.id AND c.purpose = 'data_processing' "          \
    "AND c.withdrawn_at IS NULL), "                                                                          \
    "(SELECT COUNT(*) FROM users a WHERE a.patient_id = p.id) FROM patients p" YX_PATIENT_JOINS              \
    "WHERE p.id = ?"

static json_t *full_json(const struct yx_rows *r)
{
    json_t *out = yx_patient_row(r, 0);
    json_object_set_new(out, "consent",
                        json_pack("{s:b,s:b}", "remote_care", yx_rows_int(r, 0, 28) > 0, "data_processing",
                                  yx_rows_int(r, 0, 29) > 0));
    json_object_set_new(out, "has_account", json_boolean(yx_rows_int(r, 0, 30) > 0));
    return out;
}

json_t *yx_patient_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *r = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &r, FULL_SELECT, YX_PI(0), YX_PI(id)) == 0 && r->nrows == 1)
        out = full_json(r);
    yx_rows_free(r);
    return out;
}

int yx_patient_read(struct yx_req *r, int64_t id, json_t **out)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, FULL_SELECT, YX_PI(r->who.facility_id), YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail(r, YX_ENOTFOUND, "Không tìm thấy người bệnh / no such patient.");
    if (rc == 0) {
        struct yx_resource res = {YX_RES_PATIENT, yx_rows_int(rows, 0, 1), yx_rows_int(rows, 0, 26),
                                  yx_rows_int(rows, 0, 27) > 0, id};
        r->audit_patient_id = id;
        if ((rc = yx_authorize(&r->who, YX_A_READ, &res)) != 0)
            rc = yx_deny(r, rc);
    }
    if (rc == 0)
        *out = full_json(rows);
    yx_rows_free(rows);
    return rc;
}

int yx_patient_registry_role(struct yx_req *r)
{
    const char *role = r->who.role;
    if ((strcmp(role, "health_worker") == 0 || strcmp(role, "doctor") == 0 ||
         strcmp(role, "specialist") == 0) &&
        r->who.facility_id)
        return 0;
    return yx_fail(r, YX_EFORBIDDEN,
                   "Chỉ nhân viên y tế của cơ sở mới tra cứu sổ người bệnh / "
                   "only clinicians of a facility look up its patient registry.");
}
