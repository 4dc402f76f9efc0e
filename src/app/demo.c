/* `ytexa demo`: the demo network (places, facilities, support links) and one account per role. */
#include <stdio.h>
#include <string.h>

#include "ytexa/auth.h"
#include "ytexa/store.h"

int yx_network_demo(struct yx_db *db, FILE *report);
int yx_patient_demo(struct yx_db *db, FILE *report);

struct demo_account {
    const char *username, *full_name, *role, *facility_code, *licence, *scope_text, *scope;
};

/* Facility codes are those of src/facility/demo_network.c. */
static const struct demo_account accounts[] = {
    {"demo.commune", "Lò Thị Mai", "health_worker", "TYT-LUNGCU", NULL, NULL, NULL},
    {"demo.doctor", "Nguyễn Văn An", "doctor", "BVDK-HAGIANG", "000123/HG-CCHN",
     "Khám bệnh, chữa bệnh đa khoa; nội khoa", "general internal"},
    {"demo.specialist", "Trần Thị Bích Ngọc", "specialist", "BV-BACHMAI", "001456/BYT-CCHN",
     "Khám bệnh, chữa bệnh chuyên khoa tim mạch", "internal cardiology"},
    {"demo.trainer", "Phạm Quốc Hùng", "trainer", "BV-BACHMAI", "002789/BYT-CCHN",
     "Khám bệnh, chữa bệnh đa khoa", "general"},
    {"demo.facility-admin", "Đặng Minh Tuấn", "facility_admin", "BVDK-HAGIANG", NULL, NULL, NULL},
    {"demo.province-admin", "Hoàng Thị Lan", "province_admin", "SYT-TUYENQUANG", NULL, NULL, NULL},
    {"demo.ministry-admin", "Vũ Đức Thắng", "ministry_admin", NULL, NULL, NULL, NULL},
    {"demo.patient", "Giàng Seo Páo", "patient", NULL, NULL, NULL, NULL},
};

static int facility_by_code(struct yx_db *db, const char *code, int64_t *id)
{
    struct yx_rows *r = NULL;
    int rc = YX_DB_Q(db, &r, "SELECT id FROM facilities WHERE code = ?", YX_PT(code));
    if (rc == 0 && r->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0)
        *id = yx_rows_int(r, 0, 0);
    yx_rows_free(r);
    return rc;
}

static void print_accounts(FILE *report, const char *password)
{
    fprintf(report, "Demo accounts (password: %s):\n", password);
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
        fprintf(report, "  %-22s %-15s %s%s%s\n", accounts[i].username, accounts[i].role,
                accounts[i].full_name, accounts[i].facility_code ? " @ " : "",
                accounts[i].facility_code ? accounts[i].facility_code : "");
}

int yx_demo_load(struct yx_db *db, const char *password, FILE *report)
{
    struct yx_rows *r = NULL;
    int rc = YX_DB_Q0(db, &r, "SELECT COUNT(*) FROM users");
    int64_t users = rc == 0 ? yx_rows_int(r, 0, 0) : 0;
    yx_rows_free(r);
    if (rc)
        return rc;
    if (users > 0) {
        fprintf(report, "The database already has accounts; demo data not loaded again.\n");
        print_accounts(report, password);
        return 0;
    }
    if ((rc = yx_network_demo(db, report)) != 0) {
        fprintf(stderr, "ytexa: loading the demo network failed: %s\n", yx_err_name(rc));
        return rc;
    }
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
        const struct demo_account *a = &accounts[i];
        int64_t fid = 0, uid = 0;
        if (a->facility_code && (rc = facility_by_code(db, a->facility_code, &fid)) != 0) {
            fprintf(stderr, "ytexa: demo facility %s is missing\n", a->facility_code);
            return rc;
        }
        struct yx_new_user u = {a->username,   a->full_name, password, a->role, fid, a->licence,
                                a->scope_text, a->scope,     NULL,     NULL,    0};
        if ((rc = yx_user_insert(db, &u, &uid)) != 0) {
            fprintf(stderr, "ytexa: cannot create %s: %s\n", a->username, yx_err_name(rc));
            return rc;
        }
    }
    if ((rc = yx_patient_demo(db, report)) != 0) {
        fprintf(stderr, "ytexa: loading the demo patients failed: %s\n", yx_err_name(rc));
        return rc;
    }
    print_accounts(report, password);
    return 0;
}
