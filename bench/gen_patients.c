/* Generates a province-sized patient registry into a ytexa SQLite database made by `ytexa demo`:
 * N patients (default 1,300,000) over 1,000 facilities, with one large hospital registry (the
 * demo doctor's, BVDK-HAGIANG, default 150,000) so that a facility-scoped search really scans a big
 * index. Names follow a realistic surname mix (Nguyễn about 38 %, then Trần, Lê, Phạm …) and
 * minority-language names; CCCD numbers pass the server's check. Rows are written exactly as the
 * server writes them: the same folding (yx_fold) and search keys (yx_name_keys).
 *
 *   ytexa_benchgen DB [patients] [big-registry]
 *
 * Prints the id range of the big registry's patients for the wrk scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "patient/registry.h"
#include "ytexa/store.h"

struct weighted {
    const char *name;
    int weight; /* per thousand */
};

/* Family names of the Kinh majority (approximate shares) and of minority groups of the north. */
static const struct weighted surnames[] = {
    {"Nguyễn", 380}, {"Trần", 110}, {"Lê", 90},    {"Phạm", 70}, {"Hoàng", 45}, {"Huỳnh", 20}, {"Phan", 40},
    {"Vũ", 35},      {"Võ", 15},    {"Đặng", 20},  {"Bùi", 20},  {"Đỗ", 15},    {"Hồ", 12},    {"Ngô", 12},
    {"Dương", 10},   {"Lý", 8},     {"Giàng", 12}, {"Sùng", 8},  {"Vàng", 8},   {"Thào", 6},   {"Lầu", 4},
    {"Hầu", 4},      {"Lò", 8},     {"Cầm", 4},    {"Quàng", 3}, {"Nông", 6},   {"Lường", 3},  {"Bàn", 5},
    {"Triệu", 4},    {"Thạch", 5},  {"Danh", 3},   {"Sơn", 3},   {"Kim", 2},    {NULL, 0},
};
static const char *const middle_male[] = {"Văn",  "Văn",  "Văn",   "Hữu",  "Đức",
                                          "Minh", "Quốc", "Thanh", "Công", NULL};
static const char *const middle_female[] = {"Thị", "Thị",   "Thị", "Thị", "Ngọc",
                                            "Thu", "Thanh", "Kim", "Mỹ",  NULL};
static const char *const given_male[] = {"An",    "Bình", "Cường", "Dũng",  "Đức",  "Hùng", "Hải",
                                         "Hiếu",  "Huy",  "Khoa",  "Long",  "Minh", "Nam",  "Phong",
                                         "Quang", "Sơn",  "Thắng", "Trung", "Tuấn", "Việt", NULL};
static const char *const given_female[] = {"An",     "Anh",   "Chi",   "Dung",  "Giang", "Hà",   "Hạnh",
                                           "Hoa",    "Hương", "Lan",   "Linh",  "Mai",   "Ngọc", "Nhung",
                                           "Phương", "Thảo",  "Trang", "Tuyết", "Vân",   "Yến",  NULL};
/* Mông, Thái, Dao, Khmer … names: other middle and given names. */
static const char *const minority_middle_male[] = {"Seo", "A", "Văn", "Mí", NULL};
static const char *const minority_middle_female[] = {"Thị", "Thị", "Mỷ", NULL};
static const char *const minority_given_male[] = {"Páo", "Chứ",  "Dính", "Sử",  "Pó",
                                                  "Lử",  "Sính", "Chư",  "Tủa", NULL};
static const char *const minority_given_female[] = {"Mỷ",   "Súa", "Dợ",  "Chở", "Pà",
                                                    "Dung", "Mai", "Xía", NULL};
#define FIRST_MINORITY 16 /* surnames from "Giàng" on */
static const short cccd_provinces[] = {2, 4, 6, 8, 10, 11, 12, 14, 15, 20};

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 16);
}
static const char *pick(const char *const *list)
{
    int n = 0;
    while (list[n])
        n++;
    return list[next_rand() % n];
}
static int pick_surname(void)
{
    int r = (int)(next_rand() % 1000), acc = 0, i;
    for (i = 0; surnames[i + 1].name; i++) {
        acc += surnames[i].weight;
        if (r < acc)
            break;
    }
    return i;
}

static int make_facilities(struct yx_db *db, int n, int64_t *first)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q0(
        db, &rows,
        "SELECT u.id, u.parent_id FROM admin_units u WHERE u.level = 'commune' AND u.valid_to IS NULL "
        "AND u.parent_id IS NOT NULL LIMIT 1");
    if (rc || rows->nrows != 1) {
        yx_rows_free(rows);
        return rc ? rc : YX_ENOTFOUND;
    }
    int64_t unit = yx_rows_int(rows, 0, 0), province = yx_rows_int(rows, 0, 1), now = yx_now_ms();
    yx_rows_free(rows);
    for (int i = 0; rc == 0 && i < n; i++) {
        char code[32], name[64];
        snprintf(code, sizeof code, "BENCH-TYT-%04d", i + 1);
        snprintf(name, sizeof name, "Trạm Y tế thử tải %04d", i + 1);
        char *folded = yx_fold(name, strlen(name));
        rc = YX_DB_Q(db, NULL,
                     "INSERT INTO facilities (code, name, name_folded, level, unit_id, province_id, "
                     "created_at, updated_at) "
                     "VALUES (?, ?, ?, 'commune', ?, ?, ?, ?)",
                     YX_PT(code), YX_PT(name), YX_PT(folded), YX_PI(unit), YX_PI(province), YX_PI(now),
                     YX_PI(now));
        free(folded);
    }
    if (rc == 0 &&
        (rc = YX_DB_Q0(db, &rows, "SELECT MIN(id) FROM facilities WHERE code LIKE 'BENCH-TYT-%'")) == 0)
        *first = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

static int insert_one(struct yx_db *db, int64_t i, int64_t facility, int64_t creator)
{
    int female = next_rand() % 2;
    char name[160], cccd[16], phone[16];
    int s = pick_surname(), minority = s >= FIRST_MINORITY;
    snprintf(name, sizeof name, "%s %s %s", surnames[s].name,
             pick(minority ? (female ? minority_middle_female : minority_middle_male)
                           : (female ? middle_female : middle_male)),
             pick(minority ? (female ? minority_given_female : minority_given_male)
                           : (female ? given_female : given_male)));
    int year = 1930 + (int)(next_rand() % 95);
    /* The six last digits and the province code make each number unique across the data set. */
    snprintf(cccd, sizeof cccd, "%03d%d%02d%06lld", cccd_provinces[(i / 1000000) % 10],
             (year / 100 - 19) * 2 + female, year % 100, (long long)(i % 1000000));
    snprintf(phone, sizeof phone, "09%08u", next_rand() % 100000000u);
    char *folded = yx_fold(name, strlen(name));
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    int rc = YX_DB_Q(db, &rows,
                     "INSERT INTO patients (facility_id, full_name, name_folded, birth_year, sex, cccd, "
                     "phone, created_by, "
                     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     YX_PI(facility), YX_PT(name), YX_PT(folded), YX_PI(year),
                     YX_PT(female ? "female" : "male"), next_rand() % 10 < 6 ? YX_PT(cccd) : YX_PN,
                     next_rand() % 10 < 5 ? YX_PT(phone) : YX_PN, YX_PI(creator), YX_PI(now), YX_PI(now));
    free(folded);
    int64_t id = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc ? rc : yx_patient_save_keys(db, id, facility, name);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DB [patients (1300000)] [big registry (150000)]\n", argv[0]);
        return 2;
    }
    int64_t total = argc > 2 ? atoll(argv[2]) : 1300000, big = argc > 3 ? atoll(argv[3]) : 150000;
    struct yx_db *db = NULL;
    char err[256] = "";
    if (yx_db_open(argv[1], &db, err, sizeof err) != 0) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], err);
        return 1;
    }
    struct yx_rows *rows = NULL;
    int64_t hospital = 0, creator = 0, first_fac = 0, lo = 0, hi = 0;
    /* SQLite's default page cache (2 MB) spills the random index pages of a 50,000-row
     * transaction over 1,000 facilities to the WAL again and again: ~70 KB written a patient after
     * the big registry, hours for 1.3 M on a busy machine. 512 MB holds them, and the statement
     * journals (each INSERT's, for its triggers) stay in memory rather than in a temporary file. */
    if (strncmp(argv[1], "postgres", 8) != 0) {
        YX_DB_Q0(db, NULL, "PRAGMA cache_size=-524288");
        YX_DB_Q0(db, NULL, "PRAGMA temp_store=MEMORY");
    }
    int rc = YX_DB_Q0(db, &rows,
                      "SELECT f.id, u.id FROM facilities f JOIN users u ON u.facility_id = f.id "
                      "WHERE f.code = 'BVDK-HAGIANG' AND u.username = 'demo.doctor'");
    if (rc == 0 && rows->nrows == 1) {
        hospital = yx_rows_int(rows, 0, 0);
        creator = yx_rows_int(rows, 0, 1);
    }
    yx_rows_free(rows);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc == 0 && hospital && (rc = yx_db_begin(db)) == 0 &&
        (rc = make_facilities(db, 1000, &first_fac)) == 0)
        rc = yx_db_commit(db);
    for (int64_t i = 0; rc == 0 && hospital && i < total; i += 50000) {
        if ((rc = yx_db_begin(db)) != 0)
            break;
        for (int64_t k = i; rc == 0 && k < i + 50000 && k < total; k++)
            rc = insert_one(db, k, k < big ? hospital : first_fac + (k % 1000), creator);
        rc = rc ? rc : yx_db_commit(db);
        if (rc)
            yx_db_rollback(db);
        fprintf(stderr, "\r%lld patients", (long long)(i + 50000 < total ? i + 50000 : total));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0 && YX_DB_Q(db, &rows, "SELECT MIN(id), MAX(id) FROM patients WHERE facility_id = ?",
                           YX_PI(hospital)) == 0) {
        lo = yx_rows_int(rows, 0, 0);
        hi = yx_rows_int(rows, 0, 1);
    }
    yx_rows_free(rows);
    if (rc == 0 && hospital)
        YX_DB_Q0(db, NULL, "ANALYZE");
    yx_db_close(db);
    if (rc || !hospital) {
        fprintf(stderr, "\ngeneration failed: %s\n",
                hospital ? yx_err_name(rc) : "no demo data (run ytexa demo first)");
        return 1;
    }
    printf(
        "patients=%lld facilities=1000 big_registry=%lld big_first_id=%lld big_last_id=%lld seconds=%.1f\n",
        (long long)total, (long long)big, (long long)lo, (long long)hi,
        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
