/* The demo network: provinces before and after the 2025 reform (Resolution 202/2025/QH15: 63
 * provinces became 34 on 2025-07-01, and the district level was removed), every commune of the
 * programme's ten provinces before the reform and the communes that succeeded them
 * (data/admin_units/communes.csv, embedded at build time), specialties, facilities and support
 * links.
 *
 * Old provinces and communes carry their GSO codes. A unit created on 2025-07-01 carries "2025-"
 * and its official code (provinces: GSO Official Letter 915/CTK-CSCL; communes: 1027/CTK-CSCL),
 * because the GSO reused numbers of the old units for new ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/store.h"

#define REFORM_DATE "2025-07-01"
#define OLD_FROM "2008-08-01"

static const struct {
    const char *code, *name_vi, *name_en;
} specialties[] = {
    {"general", "Đa khoa", "General practice"},
    {"internal", "Nội khoa", "Internal medicine"},
    {"pediatrics", "Nhi khoa", "Pediatrics"},
    {"obstetrics", "Sản phụ khoa", "Obstetrics and gynaecology"},
    {"surgery", "Ngoại khoa", "Surgery"},
    {"cardiology", "Tim mạch", "Cardiology"},
    {"imaging", "Chẩn đoán hình ảnh", "Imaging"},
    {"pathology", "Giải phẫu bệnh", "Pathology"},
    {"infectious", "Truyền nhiễm", "Infectious diseases"},
    {"tuberculosis", "Lao và bệnh phổi", "Tuberculosis and lung diseases"},
    {"endocrinology", "Nội tiết", "Endocrinology"},
    {"neurology", "Thần kinh", "Neurology"},
    {"oncology", "Ung bướu", "Oncology"},
    {"traditional", "Y học cổ truyền", "Traditional medicine"},
    {"emergency", "Hồi sức cấp cứu", "Emergency and critical care"},
    {"ophthalmology", "Mắt", "Ophthalmology"},
    {"ent", "Tai mũi họng", "Ear, nose and throat"},
    {"dermatology", "Da liễu", "Dermatology"},
    {"mental", "Sức khỏe tâm thần", "Mental health"},
    {"nutrition", "Dinh dưỡng", "Nutrition"},
    {"family", "Y học gia đình", "Family medicine"},
};

/* The 63 provinces before the reform: GSO code, name, and the code of the 2025 unit that took it
 * over (NULL: unchanged, the same unit goes on). */
static const struct {
    const char *code, *name, *successor;
} old_provinces[] = {
    {"01", "Hà Nội", NULL},
    {"02", "Hà Giang", "2025-08"},
    {"04", "Cao Bằng", NULL},
    {"06", "Bắc Kạn", "2025-19"},
    {"08", "Tuyên Quang", "2025-08"},
    {"10", "Lào Cai", "2025-15"},
    {"11", "Điện Biên", NULL},
    {"12", "Lai Châu", NULL},
    {"14", "Sơn La", NULL},
    {"15", "Yên Bái", "2025-15"},
    {"17", "Hòa Bình", "2025-25"},
    {"19", "Thái Nguyên", "2025-19"},
    {"20", "Lạng Sơn", NULL},
    {"22", "Quảng Ninh", NULL},
    {"24", "Bắc Giang", "2025-24"},
    {"25", "Phú Thọ", "2025-25"},
    {"26", "Vĩnh Phúc", "2025-25"},
    {"27", "Bắc Ninh", "2025-24"},
    {"30", "Hải Dương", "2025-31"},
    {"31", "Hải Phòng", "2025-31"},
    {"33", "Hưng Yên", "2025-33"},
    {"34", "Thái Bình", "2025-33"},
    {"35", "Hà Nam", "2025-37"},
    {"36", "Nam Định", "2025-37"},
    {"37", "Ninh Bình", "2025-37"},
    {"38", "Thanh Hóa", NULL},
    {"40", "Nghệ An", NULL},
    {"42", "Hà Tĩnh", NULL},
    {"44", "Quảng Bình", "2025-44"},
    {"45", "Quảng Trị", "2025-44"},
    {"46", "Huế", NULL},
    {"48", "Đà Nẵng", "2025-48"},
    {"49", "Quảng Nam", "2025-48"},
    {"51", "Quảng Ngãi", "2025-51"},
    {"52", "Bình Định", "2025-52"},
    {"54", "Phú Yên", "2025-66"},
    {"56", "Khánh Hòa", "2025-56"},
    {"58", "Ninh Thuận", "2025-56"},
    {"60", "Bình Thuận", "2025-68"},
    {"62", "Kon Tum", "2025-51"},
    {"64", "Gia Lai", "2025-52"},
    {"66", "Đắk Lắk", "2025-66"},
    {"67", "Đắk Nông", "2025-68"},
    {"68", "Lâm Đồng", "2025-68"},
    {"70", "Bình Phước", "2025-75"},
    {"72", "Tây Ninh", "2025-80"},
    {"74", "Bình Dương", "2025-79"},
    {"75", "Đồng Nai", "2025-75"},
    {"77", "Bà Rịa - Vũng Tàu", "2025-79"},
    {"79", "Thành phố Hồ Chí Minh", "2025-79"},
    {"80", "Long An", "2025-80"},
    {"82", "Tiền Giang", "2025-82"},
    {"83", "Bến Tre", "2025-86"},
    {"84", "Trà Vinh", "2025-86"},
    {"86", "Vĩnh Long", "2025-86"},
    {"87", "Đồng Tháp", "2025-82"},
    {"89", "An Giang", "2025-91"},
    {"91", "Kiên Giang", "2025-91"},
    {"92", "Cần Thơ", "2025-92"},
    {"93", "Hậu Giang", "2025-92"},
    {"94", "Sóc Trăng", "2025-92"},
    {"95", "Bạc Liêu", "2025-96"},
    {"96", "Cà Mau", "2025-96"},
};

/* The 23 provinces formed by merging on 2025-07-01. */
static const struct {
    const char *code, *name;
} new_provinces[] = {
    {"2025-08", "Tuyên Quang"}, {"2025-15", "Lào Cai"},
    {"2025-19", "Thái Nguyên"}, {"2025-25", "Phú Thọ"},
    {"2025-24", "Bắc Ninh"},    {"2025-33", "Hưng Yên"},
    {"2025-31", "Hải Phòng"},   {"2025-37", "Ninh Bình"},
    {"2025-44", "Quảng Trị"},   {"2025-48", "Đà Nẵng"},
    {"2025-51", "Quảng Ngãi"},  {"2025-52", "Gia Lai"},
    {"2025-56", "Khánh Hòa"},   {"2025-68", "Lâm Đồng"},
    {"2025-66", "Đắk Lắk"},     {"2025-79", "Thành phố Hồ Chí Minh"},
    {"2025-75", "Đồng Nai"},    {"2025-80", "Tây Ninh"},
    {"2025-92", "Cần Thơ"},     {"2025-86", "Vĩnh Long"},
    {"2025-82", "Đồng Tháp"},   {"2025-96", "Cà Mau"},
    {"2025-91", "An Giang"},
};

static const struct {
    const char *code, *name, *level, *unit, *site, *profile;
    int kbps;
    const char *specialties; /* space-separated codes */
} facilities[] = {
    {"BV-BACHMAI", "Bệnh viện Bạch Mai", "central", "01",
     "Điểm cầu Trung tâm Đào tạo - Chỉ đạo tuyến Bạch Mai", "video", 100000,
     "internal cardiology imaging pathology oncology neurology endocrinology infectious emergency"},
    {"BV-TWTN", "Bệnh viện Trung ương Thái Nguyên", "central", "2025-19",
     "Điểm cầu Bệnh viện Trung ương Thái Nguyên", "video", 50000,
     "internal pediatrics obstetrics surgery imaging cardiology"},
    {"BV-CHORAY", "Bệnh viện Chợ Rẫy", "central", "2025-79", "Điểm cầu Bệnh viện Chợ Rẫy", "video", 100000,
     "internal surgery cardiology imaging pathology oncology emergency"},
    {"BVDK-HAGIANG", "Bệnh viện Đa khoa tỉnh Hà Giang", "provincial", "2025-00694",
     "Điểm cầu Bệnh viện Đa khoa tỉnh Hà Giang", "video", 20000,
     "internal pediatrics obstetrics surgery imaging emergency"},
    {"SYT-TUYENQUANG", "Sở Y tế tỉnh Tuyên Quang", "provincial", "2025-08", NULL, "video", 10000, ""},
    {"BVDK-LAOCAI", "Bệnh viện Đa khoa tỉnh Lào Cai", "provincial", "2025-15",
     "Điểm cầu Bệnh viện Đa khoa tỉnh Lào Cai", "video", 20000,
     "internal pediatrics obstetrics surgery imaging"},
    {"BVDK-LANGSON", "Bệnh viện Đa khoa tỉnh Lạng Sơn", "provincial", "20",
     "Điểm cầu Bệnh viện Đa khoa tỉnh Lạng Sơn", "video", 20000, "internal pediatrics obstetrics surgery"},
    {"BVDK-LAICHAU", "Bệnh viện Đa khoa tỉnh Lai Châu", "provincial", "12",
     "Điểm cầu Bệnh viện Đa khoa tỉnh Lai Châu", "video", 10000, "internal pediatrics obstetrics"},
    {"BVDK-CAMAU", "Bệnh viện Đa khoa Cà Mau", "provincial", "2025-96", "Điểm cầu Bệnh viện Đa khoa Cà Mau",
     "video", 20000, "internal pediatrics obstetrics surgery imaging"},
    {"TTYT-DONGVAN", "Trung tâm Y tế khu vực Đồng Văn", "district", "2025-00721",
     "Điểm cầu Trung tâm Y tế Đồng Văn", "low_video", 2000, "internal pediatrics obstetrics family"},
    {"TTYT-MUCANGCHAI", "Trung tâm Y tế khu vực Mù Cang Chải", "district", "2025-04456",
     "Điểm cầu Trung tâm Y tế Mù Cang Chải", "low_video", 2000, "internal pediatrics obstetrics"},
    {"TYT-LUNGCU", "Trạm Y tế xã Lũng Cú", "commune", "2025-00715", "Điểm cầu Trạm Y tế xã Lũng Cú",
     "low_video", 512, "family"},
    {"TYT-MEOVAC", "Trạm Y tế xã Mèo Vạc", "commune", "2025-00769", "Điểm cầu Trạm Y tế xã Mèo Vạc", "audio",
     256, "family"},
    {"TYT-YTY", "Trạm Y tế xã Y Tý", "commune", "2025-02701", "Điểm cầu Trạm Y tế xã Y Tý", "audio", 256,
     "family"},
    {"TYT-MUONGTE", "Trạm Y tế xã Mường Tè", "commune", "2025-03445", "Điểm cầu Trạm Y tế xã Mường Tè",
     "low_video", 512, "family"},
    {"TYT-DATMUI", "Trạm Y tế xã Đất Mũi", "commune", "2025-32248", "Điểm cầu Trạm Y tế xã Đất Mũi",
     "low_video", 512, "family"},
    {"TYT-BABE", "Trạm Y tế xã Ba Bể", "commune", "2025-01906", "Điểm cầu Trạm Y tế xã Ba Bể", "low_video",
     512, "family"},
    {"TYT-DONGDANG", "Trạm Y tế xã Đồng Đăng", "commune", "2025-06184", "Điểm cầu Trạm Y tế xã Đồng Đăng",
     "low_video", 512, "family"},
    {"BVDK-TAYNINH", "Bệnh viện Đa khoa tỉnh Tây Ninh", "provincial", "2025-80",
     "Điểm cầu Bệnh viện Đa khoa tỉnh Tây Ninh", "video", 20000,
     "internal pediatrics obstetrics surgery imaging"},
    {"TYT-TANBIEN", "Trạm Y tế xã Tân Biên", "commune", "2025-25486", "Điểm cầu Trạm Y tế xã Tân Biên",
     "low_video", 512, "family"},
    {"BV-NGUYENDINHCHIEU", "Bệnh viện Nguyễn Đình Chiểu", "provincial", "2025-86",
     "Điểm cầu Bệnh viện Nguyễn Đình Chiểu (Bến Tre)", "video", 20000,
     "internal pediatrics obstetrics surgery imaging"},
    {"TYT-BATRI", "Trạm Y tế xã Ba Tri", "commune", "2025-29110", "Điểm cầu Trạm Y tế xã Ba Tri", "audio",
     256, "family"},
    {"BVDK-HAUGIANG", "Bệnh viện Đa khoa tỉnh Hậu Giang", "provincial", "2025-31321",
     "Điểm cầu Bệnh viện Đa khoa tỉnh Hậu Giang", "video", 10000, "internal pediatrics obstetrics surgery"},
};

static const struct {
    const char *hub, *site, *specialties;
} links[] = {
    {"TTYT-DONGVAN", "TYT-LUNGCU", "internal pediatrics obstetrics"},
    {"TTYT-DONGVAN", "TYT-MEOVAC", "internal pediatrics obstetrics"},
    {"BVDK-HAGIANG", "TYT-LUNGCU", "imaging emergency"},
    {"BVDK-HAGIANG", "TTYT-DONGVAN", "internal pediatrics obstetrics surgery imaging emergency"},
    {"BV-BACHMAI", "BVDK-HAGIANG", "cardiology imaging pathology oncology neurology"},
    {"BV-TWTN", "BVDK-HAGIANG", "internal pediatrics surgery"},
    {"BVDK-LAOCAI", "TTYT-MUCANGCHAI", "internal pediatrics obstetrics surgery"},
    {"BVDK-LAOCAI", "TYT-YTY", "internal pediatrics obstetrics"},
    {"BV-BACHMAI", "BVDK-LAOCAI", "cardiology imaging pathology oncology"},
    {"BV-BACHMAI", "BVDK-LANGSON", "cardiology imaging pathology"},
    {"BVDK-LAICHAU", "TYT-MUONGTE", "internal pediatrics obstetrics"},
    {"BV-BACHMAI", "BVDK-LAICHAU", "cardiology imaging oncology"},
    {"BVDK-CAMAU", "TYT-DATMUI", "internal pediatrics obstetrics"},
    {"BV-CHORAY", "BVDK-CAMAU", "cardiology imaging pathology oncology surgery"},
    {"BV-TWTN", "TYT-BABE", "internal pediatrics obstetrics"},
    {"BVDK-LANGSON", "TYT-DONGDANG", "internal pediatrics obstetrics"},
    {"BVDK-TAYNINH", "TYT-TANBIEN", "internal pediatrics obstetrics"},
    {"BV-CHORAY", "BVDK-TAYNINH", "cardiology imaging pathology oncology"},
    {"BV-NGUYENDINHCHIEU", "TYT-BATRI", "internal pediatrics obstetrics"},
    {"BV-CHORAY", "BV-NGUYENDINHCHIEU", "cardiology imaging oncology"},
    {"BV-CHORAY", "BVDK-HAUGIANG", "cardiology imaging pathology"},
};

static int64_t lookup(struct yx_db *db, const char *sql, const char *code)
{
    struct yx_rows *r = NULL;
    int64_t id = 0;
    if (YX_DB_Q(db, &r, sql, YX_PT(code)) == 0 && r->nrows == 1)
        id = yx_rows_int(r, 0, 0);
    yx_rows_free(r);
    return id;
}
#define UNIT_ID(db, code) lookup((db), "SELECT id FROM admin_units WHERE code = ?", (code))
#define FACILITY_ID(db, code) lookup((db), "SELECT id FROM facilities WHERE code = ?", (code))

static int add_unit(struct yx_db *db, const char *code, const char *name, const char *level, int64_t parent,
                    const char *from, const char *to)
{
    char *folded = yx_fold(name, strlen(name));
    if (!folded)
        return YX_EINVAL;
    int rc =
        YX_DB_Q(db, NULL,
                "INSERT INTO admin_units (code, name, name_folded, level, parent_id, valid_from, valid_to) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                YX_PT(code), YX_PT(name), YX_PT(folded), YX_PT(level), parent ? YX_PI(parent) : YX_PN,
                YX_PT(from), YX_PT(to));
    free(folded);
    return rc;
}

/* data/admin_units/communes.csv, embedded by cmake/embed_file.cmake. */
extern const char yx_communes_csv[];

/* One row of the communes file: code,name,parent_code,valid_from,valid_to,successor_code,note.
 * Successors come before the units they succeed, so they exist when named. */
static int add_commune(struct yx_db *db, char *line)
{
    char *f[7];
    int n = 0;
    for (char *p = line; n < 7; n++) {
        f[n] = p;
        char *comma = n < 6 ? strchr(p, ',') : NULL;
        if (n < 6 && !comma)
            return YX_EINVAL;
        if (comma) {
            *comma = '\0';
            p = comma + 1;
        }
    }
    char *folded = yx_fold(f[1], strlen(f[1]));
    if (!folded)
        return YX_EINVAL;
    int64_t successor = *f[5] ? UNIT_ID(db, f[5]) : 0;
    int rc =
        YX_DB_Q(db, NULL,
                "INSERT INTO admin_units (code, name, name_folded, level, parent_id, valid_from, valid_to, "
                "successor_id, note) VALUES (?, ?, ?, 'commune', ?, ?, ?, ?, ?)",
                YX_PT(f[0]), YX_PT(f[1]), YX_PT(folded), YX_PI(UNIT_ID(db, f[2])), YX_PT(f[3]),
                YX_PT(*f[4] ? f[4] : NULL), successor ? YX_PI(successor) : YX_PN, YX_PT(*f[6] ? f[6] : NULL));
    free(folded);
    return rc;
}

static int load_communes(struct yx_db *db)
{
    char *data = strdup(yx_communes_csv), *line, *save = NULL;
    int rc = data ? 0 : YX_ENOMEM, first = 1;
    for (line = data ? strtok_r(data, "\n", &save) : NULL; rc == 0 && line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!first)
            rc = add_commune(db, line);
        first = 0;
    }
    free(data);
    return rc;
}

static int load_units(struct yx_db *db)
{
    int rc = 0;
    size_t i;
    for (i = 0; rc == 0 && i < sizeof old_provinces / sizeof old_provinces[0]; i++)
        rc = add_unit(db, old_provinces[i].code, old_provinces[i].name, "province", 0, OLD_FROM,
                      old_provinces[i].successor ? REFORM_DATE : NULL);
    for (i = 0; rc == 0 && i < sizeof new_provinces / sizeof new_provinces[0]; i++)
        rc = add_unit(db, new_provinces[i].code, new_provinces[i].name, "province", 0, REFORM_DATE, NULL);
    for (i = 0; rc == 0 && i < sizeof old_provinces / sizeof old_provinces[0]; i++)
        if (old_provinces[i].successor)
            rc = YX_DB_Q(db, NULL, "UPDATE admin_units SET successor_id = ? WHERE code = ?",
                         YX_PI(UNIT_ID(db, old_provinces[i].successor)), YX_PT(old_provinces[i].code));
    if (rc == 0)
        rc = load_communes(db);
    return rc;
}

/* Calls fn for each space-separated word of list. */
static int each_word(const char *list, int (*fn)(struct yx_db *, int64_t, int64_t, const char *),
                     struct yx_db *db, int64_t a, int64_t b)
{
    char word[40];
    int rc = 0;
    for (const char *p = list; *p && rc == 0;) {
        size_t n = strcspn(p, " ");
        if (n && n < sizeof word) {
            memcpy(word, p, n);
            word[n] = '\0';
            rc = fn(db, a, b, word);
        }
        p += n;
        p += strspn(p, " ");
    }
    return rc;
}

static int add_specialty(struct yx_db *db, int64_t facility, int64_t unused, const char *code)
{
    (void)unused;
    return YX_DB_Q(db, NULL, "INSERT INTO facility_specialties (facility_id, specialty) VALUES (?, ?)",
                   YX_PI(facility), YX_PT(code));
}

static int add_link(struct yx_db *db, int64_t hub, int64_t site, const char *code)
{
    return YX_DB_Q(db, NULL,
                   "INSERT INTO support_links (hub_id, site_id, specialty, created_at) VALUES (?, ?, ?, ?)",
                   YX_PI(hub), YX_PI(site), YX_PT(code), YX_PI(yx_now_ms()));
}

static int load_facilities(struct yx_db *db)
{
    int rc = 0;
    int64_t now = yx_now_ms();
    for (size_t i = 0; rc == 0 && i < sizeof facilities / sizeof facilities[0]; i++) {
        int64_t unit = UNIT_ID(db, facilities[i].unit), province = unit;
        struct yx_rows *r = NULL;
        if ((rc = YX_DB_Q(db, &r, "SELECT parent_id FROM admin_units WHERE id = ?", YX_PI(unit))) != 0)
            break;
        if (r->nrows == 1 && !yx_rows_isnull(r, 0, 0))
            province = yx_rows_int(r, 0, 0);
        yx_rows_free(r);
        char *folded = yx_fold(facilities[i].name, strlen(facilities[i].name));
        rc = YX_DB_Q(
            db, NULL,
            "INSERT INTO facilities (code, name, name_folded, level, unit_id, province_id, site_name, "
            "site_bandwidth_kbps, site_profile, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            YX_PT(facilities[i].code), YX_PT(facilities[i].name), YX_PT(folded), YX_PT(facilities[i].level),
            YX_PI(unit), YX_PI(province), YX_PT(facilities[i].site), YX_PI(facilities[i].kbps),
            YX_PT(facilities[i].profile), YX_PI(now), YX_PI(now));
        free(folded);
        if (rc == 0)
            rc = each_word(facilities[i].specialties, add_specialty, db, FACILITY_ID(db, facilities[i].code),
                           0);
    }
    for (size_t i = 0; rc == 0 && i < sizeof links / sizeof links[0]; i++)
        rc = each_word(links[i].specialties, add_link, db, FACILITY_ID(db, links[i].hub),
                       FACILITY_ID(db, links[i].site));
    return rc;
}

static int64_t count(struct yx_db *db, const char *sql)
{
    struct yx_rows *r = NULL;
    int64_t n = YX_DB_Q0(db, &r, sql) == 0 ? yx_rows_int(r, 0, 0) : -1;
    yx_rows_free(r);
    return n;
}

int yx_network_demo(struct yx_db *db, FILE *report)
{
    int rc;
    if ((rc = yx_db_begin(db)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < sizeof specialties / sizeof specialties[0]; i++)
        rc =
            YX_DB_Q(db, NULL, "INSERT INTO specialties (code, name_vi, name_en) VALUES (?, ?, ?)",
                    YX_PT(specialties[i].code), YX_PT(specialties[i].name_vi), YX_PT(specialties[i].name_en));
    if (rc == 0)
        rc = load_units(db);
    if (rc == 0)
        rc = load_facilities(db);
    if (rc) {
        yx_db_rollback(db);
        return rc;
    }
    if ((rc = yx_db_commit(db)) != 0)
        return rc;
    fprintf(
        report,
        "Demo network: %lld administrative units (%lld provinces before and %lld after the 2025 reform, "
        "%lld communes of the programme's ten provinces and their successors), %lld specialties, %lld "
        "facilities, %lld support links\n",
        (long long)count(db, "SELECT COUNT(*) FROM admin_units"),
        (long long)count(
            db, "SELECT COUNT(*) FROM admin_units WHERE level = 'province' AND valid_from < '2025-07-01'"),
        (long long)count(db,
                         "SELECT COUNT(*) FROM admin_units WHERE level = 'province' AND valid_to IS NULL"),
        (long long)count(db, "SELECT COUNT(*) FROM admin_units WHERE level = 'commune'"),
        (long long)count(db, "SELECT COUNT(*) FROM specialties"),
        (long long)count(db, "SELECT COUNT(*) FROM facilities"),
        (long long)count(db, "SELECT COUNT(*) FROM support_links"));
    return 0;
}
