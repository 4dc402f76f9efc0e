/* Demo patients of the commune station TYT-LUNGCU (Lũng Cú, a Mông and Lô Lô area on the northern
 * border), loaded by `ytexa demo` after the accounts: one of each vulnerable group, and the record
 * that the demo.patient account reads. Invented people; identity numbers follow the real formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

struct demo_patient {
    const char *full_name, *birth_date;
    int birth_year;
    const char *sex, *ethnicity, *cccd, *phone, *languages, *guardian, *guardian_phone;
    int poor, near_poor, disability, pregnant, consent;
};

static const struct demo_patient patients[] = {
    {"Giàng Seo Páo", NULL, 1978, "male", "08", "002078001234", "0912000111", "[\"hmn\",\"vi\"]", NULL, NULL,
     1, 0, 0, 0, 1},
    {"Sùng Thị Mai", "1996-04-12", 0, "female", "08", NULL, "0912000222", "[\"hmn\"]", NULL, NULL, 1, 0, 0, 1,
     1},
    {"Vàng Thị Lan", "2022-09-03", 0, "female", "08", NULL, NULL, "[\"hmn\"]", "Vàng Seo Chứ", "0912000333",
     1, 0, 0, 0, 0},
    {"Nguyễn Văn Bình", "1951-01-20", 0, "male", "01", "002051000777", "0913000444", "[\"vi\"]", NULL, NULL,
     0, 0, 0, 0, 1},
    {"Lý Văn Hùng", NULL, 1988, "male", "09", NULL, NULL, "[\"vi\",\"ium\"]", NULL, NULL, 0, 1, 0, 0, 0},
    {"Đặng Thị Hoa", "1967-11-30", 0, "female", "02", "002167005555", "0914000555", "[\"vi\"]", NULL, NULL, 0,
     0, 1, 0, 0},
    {"Lò Văn Sử", NULL, 1959, "male", "43", NULL, NULL, "[\"vi\"]", NULL, NULL, 1, 0, 0, 0, 0},
};

static int insert_patient(struct yx_db *db, const struct demo_patient *p, int64_t facility, int64_t clinician,
                          int64_t *id)
{
    struct yx_rows *rows = NULL;
    int year = p->birth_year ? p->birth_year : 0;
    if (!year)
        sscanf(p->birth_date, "%d", &year);
    char *folded = yx_fold(p->full_name, strlen(p->full_name));
    int64_t now = yx_now_ms();
    int rc = YX_DB_Q(
        db, &rows,
        "INSERT INTO patients (facility_id, full_name, name_folded, birth_date, birth_year, sex, ethnicity, "
        "cccd, phone, unit_id, address, poor_household, near_poor_household, disability, pregnant, "
        "guardian_name, guardian_phone, guardian_relation, languages, created_by, created_at, updated_at) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, unit_id, 'Thôn Lô Lô Chải', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
        "FROM facilities WHERE id = ? RETURNING id",
        YX_PI(facility), YX_PT(p->full_name), YX_PT(folded), YX_PT(p->birth_date), YX_PI(year), YX_PT(p->sex),
        YX_PT(p->ethnicity), YX_PT(p->cccd), YX_PT(p->phone), YX_PI(p->poor), YX_PI(p->near_poor),
        YX_PI(p->disability), YX_PI(p->pregnant), YX_PT(p->guardian), YX_PT(p->guardian_phone),
        YX_PT(p->guardian ? "bố / father" : NULL), YX_PT(p->languages), YX_PI(clinician), YX_PI(now),
        YX_PI(now), YX_PI(facility));
    free(folded);
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    if (rc == 0)
        rc = yx_patient_save_keys(db, *id, facility, p->full_name);
    for (int k = 0; rc == 0 && p->consent && k < 2; k++)
        rc = YX_DB_Q(
            db, NULL,
            "INSERT INTO consents (patient_id, purpose, method, given_by, witness_name, recorded_by, "
            "facility_id, granted_at) VALUES (?, ?, 'verbal_witnessed', 'patient', 'Lò Thị Mai', ?, ?, ?)",
            YX_PI(*id), YX_PT(k ? "data_processing" : "remote_care"), YX_PI(clinician), YX_PI(facility),
            YX_PI(now));
    return rc;
}

int yx_patient_demo(struct yx_db *db, FILE *report)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q0(db, &rows,
                      "SELECT u.id, u.facility_id FROM users u JOIN facilities f ON f.id = u.facility_id "
                      "WHERE u.username = 'demo.commune' AND f.code = 'TYT-LUNGCU'");
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    int64_t clinician = rc == 0 ? yx_rows_int(rows, 0, 0) : 0,
            facility = rc == 0 ? yx_rows_int(rows, 0, 1) : 0;
    yx_rows_free(rows);
    for (size_t i = 0; rc == 0 && i < sizeof patients / sizeof patients[0]; i++) {
        int64_t id = 0;
        rc = insert_patient(db, &patients[i], facility, clinician, &id);
        if (rc == 0 && i == 0)
            rc = YX_DB_Q(db, NULL, "UPDATE users SET patient_id = ? WHERE username = 'demo.patient'",
                         YX_PI(id));
    }
    if (rc == 0)
        fprintf(report, "Demo patients: %zu at TYT-LUNGCU; demo.patient reads the record of %s.\n",
                sizeof patients / sizeof patients[0], patients[0].full_name);
    return rc;
}
