/* The patient's own app account: a clinician of the home facility creates it for a registered
 * patient (who then books, reads summaries and prescriptions and gives consent in the app). The
 * password is hashed outside any transaction; the account is one INSERT, and a unique index keeps
 * it to one account per patient. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

static const struct yx_field account_fields[] = {
    {"username", YX_F_STRING, 1, 3, 64},
    {"password", YX_F_STRING, 1, 1, 1024},
    {NULL, 0, 0, 0, 0},
};

/* Refuses a second account for the patient; fills the patient's name. */
static int no_account_yet(struct yx_req *r, int64_t patient_id, char *name, size_t namelen)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(r->db, &rows,
                "SELECT p.full_name, p.facility_id, (SELECT COUNT(*) FROM users u WHERE u.patient_id = p.id) "
                "FROM patients p WHERE p.id = ?",
                YX_PI(patient_id));
    if (rc == 0 && yx_rows_int(rows, 0, 1) != r->who.facility_id)
        rc = yx_fail(r, YX_EFORBIDDEN,
                     "Chỉ cơ sở quản lý người bệnh tạo tài khoản / only the patient's own facility "
                     "creates the patient's account.");
    else if (rc == 0 && yx_rows_int(rows, 0, 2) > 0)
        rc = yx_fail_code(r, YX_ECONFLICT, "account_exists", NULL,
                          "Người bệnh đã có tài khoản / this patient already has an account.");
    if (rc == 0)
        snprintf(name, namelen, "%s", yx_rows_get(rows, 0, 0));
    yx_rows_free(rows);
    return rc;
}

/* POST /api/v1/patients/:id/account {username, password} */
static int patient_account(struct yx_req *r)
{
    int64_t patient_id, id = 0;
    char name[200];
    int rc;
    if ((rc = yx_param_id(r, 0, &patient_id)) != 0 || (rc = yx_patient_registry_role(r)) != 0 ||
        (rc = yx_patient_access(r, patient_id, YX_A_WRITE)) != 0 || (rc = yx_body(r, account_fields)) != 0)
        return rc;
    const char *username = yx_json_str(r->json, "username"), *password = yx_json_str(r->json, "password");
    if (!yx_username_ok(username))
        return yx_fail_field(r, YX_EINVAL, "username",
                             "Tên đăng nhập chỉ gồm a-z, 0-9, '.', '-' và '_' / A username has only a-z, "
                             "0-9, '.', '-' and '_'.");
    if ((rc = no_account_yet(r, patient_id, name, sizeof name)) != 0 ||
        (rc = yx_password_check(r, "password", password, username, name)) != 0)
        return rc;
    struct yx_new_user u = {username, name, password, "patient", 0, NULL, NULL, NULL, NULL, NULL, patient_id};
    rc = yx_user_insert(r->db, &u, &id);
    if (rc == YX_ECONFLICT && (rc = no_account_yet(r, patient_id, name, sizeof name)) == 0)
        rc = yx_fail_field(r, YX_ECONFLICT, "username",
                           "Tên đăng nhập '%s' đã có người dùng / the username '%s' is taken.", username,
                           username);
    if (rc)
        return rc;
    json_t *out = yx_user_json(r->db, id);
    return out ? yx_reply(r, 201, out) : YX_EDB;
}

const struct yx_route yx_patient_account_routes[] = {
    {"POST", "/api/v1/patients/:id/account", patient_account, YX_R_HEAVY | YX_R_NOTX, "patient.account",
     "patient", YX_CLINICIANS, account_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
