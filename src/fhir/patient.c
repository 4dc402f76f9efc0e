/* FHIR Patient (docs/fhir.md, "Patient"): read, search, create and update, mapped onto the
 * registry of src/patient. Reading asks yx_patient_access() like the REST read (a share lets
 * another facility read); searching covers the caller's facility's registry like the REST search;
 * creating and updating turn the resource into the REST API's body and hand it to
 * yx_patient_register() / yx_patient_correct(), so they pass every check the REST API makes. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/patient.h"

#define COLUMNS                                                                                              \
    "p.id, p.facility_id, f.name AS facility_name, p.full_name, p.birth_date, p.birth_year, p.sex, "         \
    "p.ethnicity, e.name_vi AS ethnicity_name, p.cccd, p.bhyt, p.bhxh_no, p.phone, p.unit_id, p.address, "   \
    "p.languages, p.updated_at, p.version"
#define SELECT                                                                                               \
    "SELECT " COLUMNS " FROM patients p JOIN facilities f ON f.id = p.facility_id "                          \
    "LEFT JOIN ethnicities e ON e.code = p.ethnicity "
/* The record with what the read rule needs (its home province, the live share of the caller's
 * facility): one query where yx_patient_access() and load() would be two. Its parameters: the caller's
 * facility, now (ms). */
#define SELECT_WITH_ACCESS                                                                                   \
    "SELECT " COLUMNS ", f.province_id AS home_province, (SELECT COUNT(*) FROM patient_shares s WHERE "      \
    "s.patient_id = p.id AND s.facility_id = ? AND " YX_SHARE_LIVE ") AS shared FROM patients p "            \
    "JOIN facilities f ON f.id = p.facility_id LEFT JOIN ethnicities e ON e.code = p.ethnicity "

/* The largest code point, UTF-8: every key that starts with a folded text sorts below text+this. */
#define KEY_CEILING "\xf4\x8f\xbf\xbf"

const struct yx_fhir_param yx_fhir_patient_params[] = {
    {"_id", "token", "The patient's id."},
    {"identifier", "token", "system|value of a CCCD, BHYT card or BHXH number; value alone: any of them."},
    {"name", "string",
     "Any word of the name from its start, diacritics and case ignored (hoa finds Hoà, Hòa)."},
    {"family", "string", "The family name (the first word) from its start, folded like name."},
    {"given", "string", "A middle or given name (a word after the first) from its start, folded like name."},
    {"birthdate", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD; a birth known by its year only "
     "is that whole year."},
    {"gender", "token", "male, female, other (unknown matches nobody: ytexa records a sex for everyone)."},
    {"_lastUpdated", "date", "eq, ne, gt, lt, ge, le on a day (Vietnam time) or an instant with its offset."},
    {NULL, NULL, NULL},
};

/* The body a FHIR Patient may carry: the elements the mapping reads or tolerates. Any other one
 * is refused with 400 naming it, before the handler runs, rather than dropped without a word. */
const struct yx_field yx_fhir_patient_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40}, {"id", YX_F_STRING, 0, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},          {"text", YX_F_OBJECT, 0, 0, 0},
    {"language", YX_F_STRING, 0, 1, 16},     {"active", YX_F_BOOL, 0, 0, 0},
    {"identifier", YX_F_ARRAY, 0, 0, 0},     {"name", YX_F_ARRAY, 0, 0, 0},
    {"telecom", YX_F_ARRAY, 0, 0, 0},        {"gender", YX_F_STRING, 0, 1, 16},
    {"birthDate", YX_F_STRING, 0, 4, 10},    {"address", YX_F_ARRAY, 0, 0, 0},
    {"extension", YX_F_ARRAY, 0, 0, 0},      {"managingOrganization", YX_F_OBJECT, 0, 0, 0},
    {"communication", YX_F_ARRAY, 0, 0, 0},  {NULL, 0, 0, 0, 0},
};

/* Where each field of the REST body is in the resource, for an error's expression. */
static const char *const field_paths[][2] = {
    {"full_name", "Patient.name"},
    {"birth_date", "Patient.birthDate"},
    {"birth_year", "Patient.birthDate"},
    {"sex", "Patient.gender"},
    {"cccd", "Patient.identifier"},
    {"bhyt", "Patient.identifier"},
    {"phone", "Patient.telecom"},
    {"address", "Patient.address"},
    {"ethnicity", "Patient.extension"},
    {"languages", "Patient.communication"},
    {NULL, NULL},
};

/* Appends an address for unit (a commune) to out: the commune as city, its district (a unit
 * before 2025) and province from its parents, the street as line. A commune that was merged away
 * is marked "old" with the day it ended, and its successor follows as today's address. */
static void add_unit_address(struct yx_db *db, int64_t unit, const char *street, json_t *out, int depth)
{
    struct yx_rows *u = NULL;
    if (depth > 4 ||
        YX_DB_Q(db, &u,
                "SELECT u.name, u.valid_to, u.successor_id, a.name AS a_name, a.level AS a_level, "
                "b.name AS b_name, b.level AS b_level FROM admin_units u "
                "LEFT JOIN admin_units a ON a.id = u.parent_id LEFT JOIN admin_units b ON b.id = a.parent_id "
                "WHERE u.id = ?",
                YX_PI(unit)) != 0 ||
        u->nrows != 1) {
        yx_rows_free(u);
        return;
    }
    const char *district = NULL, *province = NULL;
    const char *an = yx_rows_str(u, 0, "a_name"), *al = yx_rows_str(u, 0, "a_level");
    const char *bn = yx_rows_str(u, 0, "b_name"), *bl = yx_rows_str(u, 0, "b_level");
    if (al && strcmp(al, "district") == 0)
        district = an;
    if (al && strcmp(al, "province") == 0)
        province = an;
    if (bl && strcmp(bl, "province") == 0)
        province = bn;
    struct yx_buf t;
    yx_buf_init(&t, 4096);
    const char *parts[] = {street, yx_rows_str(u, 0, "name"), district, province};
    for (int i = 0; i < 4; i++)
        if (parts[i] && *parts[i])
            yx_buf_printf(&t, "%s%s", t.len ? ", " : "", parts[i]);
    json_t *a = json_pack("{s:s,s:s%,s:s,s:s}", "use", "home", "text", t.data ? t.data : "", t.len, "city",
                          yx_rows_str(u, 0, "name"), "country", "VN");
    yx_buf_release(&t);
    if (street && *street)
        json_object_set_new(a, "line", json_pack("[s]", street));
    if (district)
        json_object_set_new(a, "district", json_string(district));
    if (province)
        json_object_set_new(a, "state", json_string(province));
    int64_t successor = yx_rows_i64(u, 0, "successor_id");
    if (successor && yx_rows_str(u, 0, "valid_to")) {
        json_object_set_new(a, "use", json_string("old"));
        json_object_set_new(a, "period", json_pack("{s:s}", "end", yx_rows_str(u, 0, "valid_to")));
    }
    json_array_append_new(out, a);
    yx_rows_free(u);
    if (successor)
        add_unit_address(db, successor, street, out, depth + 1);
}

json_t *yx_fhir_human_name(const char *full)
{
    /* Vietnamese names are written family first: "Giàng Seo Páo" is family Giàng, given Seo Páo. */
    json_t *name = json_pack("{s:s,s:s}", "use", "official", "text", full);
    const char *sp = strchr(full, ' ');
    json_object_set_new(name, "family", sp ? json_stringn(full, (size_t)(sp - full)) : json_string(full));
    if (sp) {
        json_t *given = json_array();
        for (const char *w = sp; w && *w;) {
            while (*w == ' ')
                w++;
            const char *e = strchr(w, ' ');
            size_t n = e ? (size_t)(e - w) : strlen(w);
            if (n)
                json_array_append_new(given, json_stringn(w, n));
            w = e;
        }
        if (json_array_size(given))
            json_object_set_new(name, "given", given);
        else
            json_decref(given);
    }
    return name;
}

/* Row i of a SELECT as a FHIR Patient. */
static json_t *patient_resource(struct yx_db *db, const struct yx_rows *rows, int i)
{
    char id[24], org[40];
    int64_t pid = yx_rows_i64(rows, i, "id");
    yx_snprintf(id, sizeof id, "%lld", (long long)pid);
    yx_snprintf(org, sizeof org, "Organization/%lld", (long long)yx_rows_i64(rows, i, "facility_id"));
    json_t *name = yx_fhir_human_name(yx_rows_str(rows, i, "full_name"));
    json_t *p = json_pack("{s:s,s:s,s:o,s:b,s:[o],s:s}", "resourceType", "Patient", "id", id, "meta",
                          yx_fhir_meta(yx_rows_i64(rows, i, "version"), yx_rows_i64(rows, i, "updated_at")),
                          "active", 1, "name", name, "gender", yx_rows_str(rows, i, "sex"));
    json_t *ids = json_array();
    const char *cccd = yx_rows_str(rows, i, "cccd"), *bhyt = yx_rows_str(rows, i, "bhyt"),
               *bhxh = yx_rows_str(rows, i, "bhxh_no");
    if (cccd)
        json_array_append_new(
            ids, json_pack("{s:s,s:s,s:s}", "use", "official", "system", YX_FHIR_SID_CCCD, "value", cccd));
    if (bhyt && strlen(bhyt) == 15)
        json_array_append_new(ids, json_pack("{s:s,s:s}", "system", YX_FHIR_SID_BHYT, "value", bhyt));
    if (bhxh)
        json_array_append_new(ids, json_pack("{s:s,s:s}", "system", YX_FHIR_SID_BHXH, "value", bhxh));
    if (json_array_size(ids))
        json_object_set_new(p, "identifier", ids);
    else
        json_decref(ids);
    const char *bd = yx_rows_str(rows, i, "birth_date");
    if (bd) {
        json_object_set_new(p, "birthDate", json_string(bd));
    } else {
        char y[8];
        yx_snprintf(y, sizeof y, "%04lld", (long long)yx_rows_i64(rows, i, "birth_year"));
        json_object_set_new(p, "birthDate", json_string(y));
    }
    const char *phone = yx_rows_str(rows, i, "phone");
    if (phone)
        json_object_set_new(p, "telecom",
                            json_pack("[{s:s,s:s,s:s}]", "system", "phone", "value", phone, "use", "mobile"));
    json_t *addr = json_array();
    const char *street = yx_rows_str(rows, i, "address");
    if (yx_rows_i64(rows, i, "unit_id"))
        add_unit_address(db, yx_rows_i64(rows, i, "unit_id"), street, addr, 0);
    else if (street)
        json_array_append_new(addr, json_pack("{s:s,s:s,s:[s],s:s}", "use", "home", "text", street, "line",
                                              street, "country", "VN"));
    if (json_array_size(addr))
        json_object_set_new(p, "address", addr);
    else
        json_decref(addr);
    const char *eth = yx_rows_str(rows, i, "ethnicity");
    if (eth)
        json_object_set_new(p, "extension",
                            json_pack("[{s:s,s:{s:[{s:s,s:s,s:s}],s:s}}]", "url", YX_FHIR_EXT_ETHNICITY,
                                      "valueCodeableConcept", "coding", "system", YX_FHIR_CS_ETHNICITY,
                                      "code", eth, "display", yx_rows_str(rows, i, "ethnicity_name"), "text",
                                      yx_rows_str(rows, i, "ethnicity_name")));
    json_t *langs =
        json_loads(yx_rows_str(rows, i, "languages") ? yx_rows_str(rows, i, "languages") : "[]", 0, NULL);
    json_t *comm = json_array();
    size_t k;
    json_t *l;
    json_array_foreach(langs, k, l)
    {
        if (json_is_string(l))
            json_array_append_new(comm, json_pack("{s:{s:[{s:s,s:s}]}}", "language", "coding", "system",
                                                  "urn:ietf:bcp:47", "code", json_string_value(l)));
    }
    json_decref(langs);
    if (json_array_size(comm))
        json_object_set_new(p, "communication", comm);
    else
        json_decref(comm);
    json_object_set_new(
        p, "managingOrganization",
        json_pack("{s:s,s:s}", "reference", org, "display", yx_rows_str(rows, i, "facility_name")));
    return p;
}

/* The patient as a resource, with its version; YX_EDB when it cannot be read. */
static int load(struct yx_req *r, int64_t id, json_t **out, int64_t *version)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, SELECT "WHERE p.id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0) {
        *out = patient_resource(r->db, rows, 0);
        *version = yx_rows_i64(rows, 0, "version");
        rc = *out ? 0 : YX_ENOMEM;
    }
    yx_rows_free(rows);
    return rc;
}

/* Row i of a SELECT_WITH_ACCESS as the read rule sees the patient (yx_patient_resource()'s fill). */
static struct yx_resource access_of(const struct yx_rows *rows, int i)
{
    return (struct yx_resource){.kind = YX_RES_PATIENT,
                                .facility_id = yx_rows_i64(rows, i, "facility_id"),
                                .province_id = yx_rows_i64(rows, i, "home_province"),
                                .shared = yx_rows_i64(rows, i, "shared") != 0,
                                .patient_id = yx_rows_i64(rows, i, "id")};
}

int yx_fhir_include_patients(struct yx_req *r, json_t *entries, const int64_t *ids, int n)
{
    struct yx_param p[132];
    struct yx_buf sql;
    struct yx_rows *rows = NULL;
    int np = 0, rc = 0;
    if (n > 128)
        n = 128;
    p[np++] = YX_PI(r->who.facility_id);
    p[np++] = YX_PI(yx_now_ms());
    yx_buf_init(&sql, 64 * 1024);
    /* The home facility and the live share of the caller's facility, for yx_authorize(), with the
     * record: one query for the page. */
    if (yx_buf_puts(&sql, SELECT_WITH_ACCESS "WHERE p.id IN (") != 0)
        rc = YX_ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++) {
        p[np++] = YX_PI(ids[i]);
        rc = yx_buf_puts(&sql, i ? ", ?" : "?");
    }
    if (rc == 0 && (rc = yx_buf_puts(&sql, ") ORDER BY p.id")) == 0)
        rc = yx_db_exec(r->db, sql.data, p, np, &rows);
    yx_buf_release(&sql);
    for (int i = 0; rc == 0 && i < rows->nrows; i++) {
        struct yx_resource res = access_of(rows, i);
        if (yx_authorize(&r->who, YX_A_READ, &res) != 0)
            continue; /* not the caller's to read: left out, as a search leaves it out */
        json_t *e = yx_fhir_entry(r, "Patient", res.patient_id, patient_resource(r->db, rows, i));
        if (e)
            json_object_set_new(json_object_get(e, "search"), "mode", json_string("include"));
        json_array_append_new(entries, e);
    }
    yx_rows_free(rows);
    return rc;
}

/* GET /fhir/Patient/:id: the read rule of yx_patient_access() (yx_patient_decide) on the row read. */
static int patient_read(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows, SELECT_WITH_ACCESS "WHERE p.id = ?", YX_PI(r->who.facility_id),
                      YX_PI(yx_now_ms()), YX_PI(id))) != 0)
        return rc;
    if (rows->nrows != 1) {
        yx_rows_free(rows);
        return yx_not_found(r);
    }
    struct yx_resource res = access_of(rows, 0);
    int64_t version = yx_rows_i64(rows, 0, "version");
    json_t *p = (rc = yx_patient_decide(r, &res, YX_A_READ)) == 0 ? patient_resource(r->db, rows, 0) : NULL;
    yx_rows_free(rows);
    if (rc)
        return rc;
    yx_audit_target(r, id);
    return yx_fhir_reply_resource(r, 200, p, "Patient", id, version, 0);
}

static char *arena_fold(struct yx_req *r, const char *v)
{
    char *f = yx_fold(v, strlen(v));
    char *out = f && *f ? yx_arena_strdup(&r->arena, f) : NULL;
    free(f);
    return out;
}

static char *ceiling_of(struct yx_req *r, const char *folded)
{
    size_t n = strlen(folded);
    char *u = yx_arena_alloc(&r->arena, n + sizeof KEY_CEILING);
    if (u) {
        memcpy(u, folded, n);
        memcpy(u + n, KEY_CEILING, sizeof KEY_CEILING);
    }
    return u;
}

static int date_cond(struct yx_req *r, struct yx_fhir_query *q, const char *name, const char *v)
{
    char prefix[3], lo[11], hi[11];
    int rc = yx_fhir_date_range(r, name, v, prefix, lo, hi);
    if (rc)
        return rc;
    char *l = yx_arena_strdup(&r->arena, lo), *h = yx_arena_strdup(&r->arena, hi);
    /* The patient's own range: a day, or the whole year when only the year is known. */
#define TLO "COALESCE(p.birth_date, CAST(p.birth_year AS TEXT) || '-01-01')"
#define THI "COALESCE(p.birth_date, CAST(p.birth_year AS TEXT) || '-12-31')"
    if (strcmp(prefix, "eq") == 0)
        return yx_fhir_where(r, q, "(" TLO " >= ? AND " THI " <= ?)", 2, YX_PT(l), YX_PT(h));
    if (strcmp(prefix, "ne") == 0)
        return yx_fhir_where(r, q, "NOT (" TLO " >= ? AND " THI " <= ?)", 2, YX_PT(l), YX_PT(h));
    if (strcmp(prefix, "gt") == 0)
        return yx_fhir_where(r, q, THI " > ?", 1, YX_PT(h));
    if (strcmp(prefix, "lt") == 0)
        return yx_fhir_where(r, q, TLO " < ?", 1, YX_PT(l));
    if (strcmp(prefix, "ge") == 0)
        return yx_fhir_where(r, q, THI " >= ?", 1, YX_PT(l));
    return yx_fhir_where(r, q, TLO " <= ?", 1, YX_PT(h)); /* le */
#undef TLO
#undef THI
}

/* _lastUpdated: a day of Vietnam time or an instant; the record's time is a point in it. */
static int updated_cond(struct yx_req *r, struct yx_fhir_query *q, const char *v)
{
    char prefix[3] = "eq", when[48];
    int64_t lo = 0, hi = 0;
    if (v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z') {
        memcpy(prefix, v, 2);
        v += 2;
    }
    static const char *const prefixes[] = {"eq", "ne", "gt", "lt", "ge", "le", NULL};
    int ok = yx_one_of(prefix, prefixes);
    if (ok && strlen(v) == 10) {
        ok = yx_snprintf(when, sizeof when, "%sT00:00:00+07:00", v) == 0 && yx_time_parse(when, &lo) == 0;
        hi = lo + 86400000 - 1;
    } else if (ok) {
        ok = yx_time_parse(v, &lo) == 0;
        hi = lo;
    }
    if (!ok)
        return yx_fail_field(
            r, YX_EINVAL, "_lastUpdated",
            "_lastUpdated là một ngày YYYY-MM-DD hoặc thời điểm có múi giờ, có thể kèm tiền tố / "
            "_lastUpdated is a day YYYY-MM-DD or an instant with its offset, with an optional "
            "prefix (eq, ne, gt, lt, ge, le).");
    const char *sql = strcmp(prefix, "eq") == 0   ? "(p.updated_at >= ? AND p.updated_at <= ?)"
                      : strcmp(prefix, "ne") == 0 ? "NOT (p.updated_at >= ? AND p.updated_at <= ?)"
                      : strcmp(prefix, "gt") == 0 ? "p.updated_at > ?"
                      : strcmp(prefix, "lt") == 0 ? "p.updated_at < ?"
                      : strcmp(prefix, "ge") == 0 ? "p.updated_at >= ?"
                                                  : "p.updated_at <= ?";
    int two = prefix[0] == 'e' || prefix[0] == 'n';
    int64_t first = strcmp(prefix, "gt") == 0 || strcmp(prefix, "le") == 0 ? hi : lo;
    return two ? yx_fhir_where(r, q, sql, 2, YX_PI(first), YX_PI(hi))
               : yx_fhir_where(r, q, sql, 1, YX_PI(first));
}

static int identifier_cond(struct yx_req *r, struct yx_fhir_query *q, const char *v)
{
    const char *bar = strchr(v, '|');
    const char *value = bar ? bar + 1 : v;
    char *val = yx_arena_strdup(&r->arena, value);
    if (!val || !*val)
        return yx_fail_field(r, YX_EINVAL, "identifier",
                             "identifier là system|value / identifier is system|value.");
    for (char *ch = val; *ch; ch++) /* BHYT codes are stored in upper case */
        if (*ch >= 'a' && *ch <= 'z' && bar &&
            strncmp(v, YX_FHIR_SID_BHYT "|", strlen(YX_FHIR_SID_BHYT) + 1) == 0)
            *ch = (char)(*ch - 32);
    if (!bar || bar == v)
        return yx_fhir_where(r, q, "(p.cccd = ? OR p.bhyt = ? OR p.bhxh_no = ?)", 3, YX_PT(val), YX_PT(val),
                             YX_PT(val));
    size_t sl = (size_t)(bar - v);
    if (sl == strlen(YX_FHIR_SID_CCCD) && strncmp(v, YX_FHIR_SID_CCCD, sl) == 0)
        return yx_fhir_where(r, q, "p.cccd = ?", 1, YX_PT(val));
    if (sl == strlen(YX_FHIR_SID_BHYT) && strncmp(v, YX_FHIR_SID_BHYT, sl) == 0)
        return yx_fhir_where(r, q, "(p.bhyt = ? AND LENGTH(p.bhyt) = 15)", 1, YX_PT(val));
    if (sl == strlen(YX_FHIR_SID_BHXH) && strncmp(v, YX_FHIR_SID_BHXH, sl) == 0)
        return yx_fhir_where(r, q, "p.bhxh_no = ?", 1, YX_PT(val));
    return yx_fhir_nobody(q); /* a system ytexa keeps nothing of: nobody */
}

/* A Patient search's state: its conditions, and its name parameters (name, family, given) kept
 * until all are read. The first of them by kind (family, then name, then given) orders the pages:
 * the search walks patient_name_keys from the cursor in (name key, id) order, the index's own,
 * and stops at _count (docs/fhir.md "Search"); the others are conditions. */
#define MAX_NAMES 20
enum name_kind { BY_FAMILY, BY_NAME, BY_GIVEN };
struct name_param {
    enum name_kind kind;
    char *lo, *hi; /* the folded text and the ceiling of its keys */
};
struct patient_search {
    struct yx_fhir_query q;
    struct yx_fhir_search *s;
    struct name_param names[MAX_NAMES];
    int nnames;
};

/* The name parameter that orders the pages, or NULL when the search has none. */
static const struct name_param *driver_of(const struct patient_search *ps)
{
    const struct name_param *d = NULL;
    for (int i = 0; i < ps->nnames; i++)
        if (!d || ps->names[i].kind < d->kind)
            d = &ps->names[i];
    return d;
}

/* A cursor's key is one of the search's: it starts with the ordering parameter's folded text. */
static int key_of_search(const char *key, void *ctx)
{
    const struct name_param *d = driver_of(ctx);
    return d && strncmp(key, d->lo, strlen(d->lo)) == 0;
}

/* A name parameter that does not order the pages, as a condition on p. Every comparison is on
 * patient_name_keys, whose keys compare byte by byte on both engines (COLLATE BINARY / "C"). */
static int name_cond(struct yx_req *r, struct yx_fhir_query *q, const struct name_param *n)
{
    if (n->kind == BY_FAMILY) /* the whole name's key: the family name is its first word */
        return yx_fhir_where(r, q,
                             "EXISTS (SELECT 1 FROM patient_name_keys nk WHERE nk.patient_id = p.id AND "
                             "nk.name_key = p.name_folded AND nk.name_key >= ? AND nk.name_key < ?)",
                             2, YX_PT(n->lo), YX_PT(n->hi));
    if (n->kind == BY_GIVEN) /* a key that is not the whole name starts at a word after the first */
        return yx_fhir_where(r, q,
                             "EXISTS (SELECT 1 FROM patient_name_keys nk WHERE nk.patient_id = p.id AND "
                             "nk.name_key >= ? AND nk.name_key < ? AND nk.name_key <> p.name_folded)",
                             2, YX_PT(n->lo), YX_PT(n->hi));
    return yx_fhir_where(r, q,
                         "EXISTS (SELECT 1 FROM patient_name_keys nk WHERE nk.patient_id = p.id AND "
                         "nk.name_key >= ? AND nk.name_key < ?)",
                         2, YX_PT(n->lo), YX_PT(n->hi));
}

static int take_param(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct patient_search *ps = ctx;
    struct yx_fhir_query *q = &ps->q;
    int rc = 0;
    if (strcmp(name, "_id") == 0) {
        rc = strspn(v, "0123456789") == strlen(v) && *v && strlen(v) < 19
                 ? yx_fhir_where(r, q, "p.id = CAST(? AS INTEGER)", 1, YX_PT(yx_arena_strdup(&r->arena, v)))
                 : yx_fhir_nobody(q);
    } else if (strcmp(name, "identifier") == 0) {
        rc = identifier_cond(r, q, v);
    } else if (strcmp(name, "gender") == 0) {
        static const char *const genders[] = {"male", "female", "other", "unknown", NULL};
        if (!yx_one_of(v, genders))
            return yx_fail_field(r, YX_EINVAL, "gender",
                                 "Giới tính (gender) là male, female, other hoặc unknown / gender is male, "
                                 "female, other or unknown.");
        rc = yx_fhir_where(r, q, "p.sex = ?", 1, YX_PT(yx_arena_strdup(&r->arena, v)));
    } else if (strcmp(name, "birthdate") == 0) {
        rc = date_cond(r, q, name, v);
    } else if (strcmp(name, "_lastUpdated") == 0) {
        rc = updated_cond(r, q, v);
    } else {
        char *f = arena_fold(r, v), *up = f ? ceiling_of(r, f) : NULL;
        if (!f || !up)
            return yx_fail_field(r, YX_EINVAL, name, "Nhập ít nhất một chữ / type at least one letter.");
        if (strcmp(name, "family") == 0 && strchr(f, ' '))
            return yx_fail_field(r, YX_EINVAL, name,
                                 "Họ là một chữ / family is one word (the first of the name).");
        if (ps->nnames == MAX_NAMES) /* the searches' ceiling of parameters comes first */
            return yx_fail_field(r, YX_EINVAL, name, "Quá nhiều điều kiện tên / too many name conditions.");
        ps->names[ps->nnames++] = (struct name_param){strcmp(name, "family") == 0  ? BY_FAMILY
                                                      : strcmp(name, "given") == 0 ? BY_GIVEN
                                                                                   : BY_NAME,
                                                      f, up};
        ps->s->keyed = 1;
        ps->s->check_key = key_of_search;
        ps->s->check_ctx = ps;
    }
    return rc;
}

/* A search's row as its resource. */
static json_t *search_row(struct yx_req *r, const struct yx_rows *rows, int i)
{
    return patient_resource(r->db, rows, i);
}

/* A search by name, in the order of patient_name_keys' primary key (facility_id, name_key,
 * patient_id): each patient once, at its first key the ordering parameter matches (for family
 * the whole name's key), from the cursor (key, id) on, _count + 1 rows and no more. The keys are
 * the outer loop: CROSS JOIN keeps SQLite there, which with ANALYZE's figures otherwise read
 * family's rows through patients_name_year (the same range on name_folded) and sorted all of them
 * (57,000 for "nguyen" in the bench's registry). PostgreSQL reorders a CROSS JOIN freely. */
static int search_by_name(struct yx_req *r, struct patient_search *ps, const char *scope,
                          const struct yx_param *scope_p, int nscope)
{
    struct yx_fhir_search *s = ps->s;
    struct yx_fhir_query *q = &ps->q;
    const struct name_param *d = driver_of(ps);
    struct yx_param p[72];
    struct yx_rows *rows = NULL;
    struct yx_buf sql;
    int n = 0, rc = 0;
    const char *first =
        d->kind == BY_FAMILY ? " AND k.name_key = p.name_folded"
        : d->kind == BY_GIVEN
            ? " AND k.name_key <> p.name_folded AND NOT EXISTS (SELECT 1 FROM patient_name_keys nk WHERE "
              "nk.patient_id = k.patient_id AND nk.name_key >= ? AND nk.name_key < k.name_key AND "
              "nk.name_key <> p.name_folded)"
            : " AND NOT EXISTS (SELECT 1 FROM patient_name_keys nk WHERE nk.patient_id = k.patient_id AND "
              "nk.name_key >= ? AND nk.name_key < k.name_key)";
    for (int i = 0; i < nscope; i++)
        p[n++] = scope_p[i];
    p[n++] = YX_PT(d->lo);
    p[n++] = YX_PT(d->hi);
    if (d->kind != BY_FAMILY)
        p[n++] = YX_PT(d->lo);
    if (s->after_key) {
        p[n++] = YX_PT(s->after_key);
        p[n++] = YX_PI(s->after);
    }
    for (int i = 0; i < q->n; i++)
        p[n++] = q->p[i];
    p[n++] = YX_PI(s->count + 1);
    yx_buf_init(&sql, 256 * 1024);
    if (yx_buf_printf(&sql,
                      "SELECT " COLUMNS
                      ", k.name_key AS sort_key FROM patient_name_keys k CROSS JOIN patients p "
                      "JOIN facilities f ON f.id = p.facility_id LEFT JOIN ethnicities e ON e.code = "
                      "p.ethnicity WHERE p.id = k.patient_id AND %s AND k.facility_id = p.facility_id AND "
                      "k.name_key >= ? AND k.name_key < ?%s%s",
                      scope, first, s->after_key ? " AND (k.name_key, k.patient_id) > (?, ?)" : "") != 0 ||
        yx_buf_append(&sql, q->sql.data ? q->sql.data : "", q->sql.len) != 0 ||
        yx_buf_puts(&sql, " ORDER BY k.name_key, k.patient_id LIMIT ?") != 0)
        rc = YX_ENOMEM;
    yx_buf_release(&q->sql);
    if (rc == 0)
        rc = yx_db_exec(r->db, sql.data, p, n, &rows);
    yx_buf_release(&sql);
    if (rc) {
        yx_buf_release(&s->link);
        return rc;
    }
    json_t *entries = json_array();
    int64_t last = 0;
    for (int i = 0; i < rows->nrows && i < s->count; i++) {
        last = yx_rows_i64(rows, i, "id");
        json_array_append_new(entries, yx_fhir_entry(r, "Patient", last, search_row(r, rows, i)));
    }
    int more = rows->nrows > s->count;
    if (more && !(s->next_key = yx_arena_strdup(&r->arena, yx_rows_str(rows, (int)s->count - 1, "sort_key"))))
        rc = YX_ENOMEM;
    yx_rows_free(rows);
    if (rc) {
        json_decref(entries);
        yx_buf_release(&s->link);
        return rc;
    }
    return yx_fhir_reply_bundle(r, "Patient", s, entries, more, last);
}

/* GET /fhir/Patient: the caller's facility's registry, as the REST search; a system's places. */
static int patient_search(struct yx_req *r)
{
    struct yx_fhir_search s;
    struct patient_search ps = {.s = &s, .nnames = 0};
    struct yx_fhir_query *q = &ps.q;
    struct yx_scope scope;
    const char *where = "p.facility_id = ?";
    int rc = 0;
    yx_fhir_query_init(q);
    /* A clinician searches their facility's registry; a registered system the registries of the
     * places it is registered for (yx_scope()). */
    int system = yx_scope(&r->who, YX_RES_PATIENT, &scope) == 0 && scope.kind == YX_SCOPE_SYSTEM;
    if (system && !(where = yx_scope_places_sql(r, "p.facility_id", "f.province_id")))
        rc = YX_ENOMEM;
    if (rc || (rc = yx_fhir_begin(r)) != 0 || (!system && (rc = yx_patient_registry_role(r)) != 0) ||
        (rc = yx_fhir_search_parse(r, yx_fhir_patient_params, &s, take_param, &ps)) != 0) {
        yx_buf_release(&q->sql);
        return rc;
    }
    const struct name_param *d = driver_of(&ps);
    for (int i = 0; rc == 0 && i < ps.nnames; i++)
        if (&ps.names[i] != d)
            rc = name_cond(r, q, &ps.names[i]);
    struct yx_param mine = YX_PI(r->who.facility_id);
    if (rc == 0 && d)
        return search_by_name(r, &ps, system ? where : "k.facility_id = ?", &mine, system ? 0 : 1);
    size_t size = strlen(where) + sizeof SELECT + 16;
    char *select = yx_arena_alloc(&r->arena, size);
    if (rc == 0 && (!select || yx_snprintf(select, size, SELECT "WHERE %s", where) != 0))
        rc = YX_ENOMEM;
    if (rc) {
        yx_buf_release(&q->sql);
        yx_buf_release(&s.link);
        return rc;
    }
    return yx_fhir_run_search(r, "Patient", &s, q, select, &mine, system ? 0 : 1, "p.id", search_row);
}

int yx_fhir_patient_body(struct yx_req *r, const json_t *res, json_t *out, int full, int64_t facility)
{
    const char *rt = json_string_value(json_object_get(res, "resourceType"));
    if (!rt || strcmp(rt, "Patient") != 0)
        return yx_fail_field(r, YX_EINVAL, "resourceType",
                             "Tài nguyên phải là Patient / the resource must be a Patient.");
    const json_t *v;
    /* name: the text, or family then given (Vietnamese order). */
    const json_t *name = json_array_get(json_object_get(res, "name"), 0);
    if (json_array_size(json_object_get(res, "name")) > 1)
        return yx_fail_field(r, YX_EINVAL, "Patient.name", "ytexa giữ một tên / ytexa keeps one name.");
    if (name) {
        const char *text = json_string_value(json_object_get(name, "text"));
        if (text) {
            json_object_set_new(out, "full_name", json_string(text));
        } else {
            struct yx_buf b;
            yx_buf_init(&b, 1024);
            const char *fam = json_string_value(json_object_get(name, "family"));
            if (fam)
                yx_buf_puts(&b, fam);
            size_t i;
            json_t *g;
            json_array_foreach(json_object_get(name, "given"), i, g)
            {
                if (json_is_string(g))
                    yx_buf_printf(&b, "%s%s", b.len ? " " : "", json_string_value(g));
            }
            if (b.len)
                json_object_set_new(out, "full_name", json_stringn(b.data, b.len));
            yx_buf_release(&b);
        }
    }
    if ((v = json_object_get(res, "gender")) != NULL)
        json_object_set(out, "sex", (json_t *)v);
    const char *bd = json_string_value(json_object_get(res, "birthDate"));
    if (bd && strlen(bd) == 4 && strspn(bd, "0123456789") == 4) {
        json_object_set_new(out, "birth_year", json_integer(atoi(bd)));
        if (full)
            json_object_set_new(out, "birth_date", json_null());
    } else if (bd && strlen(bd) == 10) {
        json_object_set_new(out, "birth_date", json_string(bd));
    } else if (bd) {
        return yx_fail_field(
            r, YX_EINVAL, "Patient.birthDate",
            "ytexa giữ ngày sinh đủ hoặc năm sinh / ytexa keeps a birth date YYYY-MM-DD or a year "
            "YYYY.");
    }
    if (full) {
        static const char *const nullable[] = {"cccd", "bhyt", "phone", "address", "ethnicity"};
        for (size_t i = 0; i < sizeof nullable / sizeof nullable[0]; i++)
            json_object_set_new(out, nullable[i], json_null());
    }
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, "identifier"), i, it)
    {
        const char *sys = json_string_value(json_object_get(it, "system"));
        const char *val = json_string_value(json_object_get(it, "value"));
        if (!sys || !val)
            return yx_fail_field(r, YX_EINVAL, "Patient.identifier",
                                 "Mỗi định danh cần system và value / each "
                                 "identifier needs a system and a value.");
        if (strcmp(sys, YX_FHIR_SID_CCCD) == 0)
            json_object_set_new(out, "cccd", json_string(val));
        else if (strcmp(sys, YX_FHIR_SID_BHYT) == 0)
            json_object_set_new(out, "bhyt", json_string(val));
        else if (strcmp(sys, YX_FHIR_SID_BHXH) == 0 && !json_is_string(json_object_get(out, "bhyt")))
            json_object_set_new(out, "bhyt", json_string(val));
        else if (strcmp(sys, YX_FHIR_SID_BHXH) != 0)
            return yx_fail_field(
                r, YX_EINVAL, "Patient.identifier",
                "ytexa giữ CCCD, thẻ BHYT, mã số BHXH (hệ của VN Core) / ytexa keeps a CCCD, a BHYT "
                "card and a BHXH number, with VN Core's systems (docs/fhir.md).");
    }
    json_array_foreach(json_object_get(res, "telecom"), i, it)
    {
        const char *sys = json_string_value(json_object_get(it, "system"));
        if (!sys || strcmp(sys, "phone") != 0 || !json_is_string(json_object_get(it, "value")) || i > 0)
            return yx_fail_field(
                r, YX_EINVAL, "Patient.telecom",
                "ytexa giữ một số điện thoại / ytexa keeps one phone number (system phone).");
        json_object_set(out, "phone", json_object_get(it, "value"));
    }
    /* The street is kept; the commune is chosen in the app (its id), not matched from names. */
    json_t *a0 = json_array_get(json_object_get(res, "address"), 0);
    const char *line = json_string_value(json_array_get(json_object_get(a0, "line"), 0));
    if (line)
        json_object_set_new(out, "address", json_string(line));
    json_array_foreach(json_object_get(res, "extension"), i, it)
    {
        const char *url = json_string_value(json_object_get(it, "url"));
        const char *code = json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(it, "valueCodeableConcept"), "coding"), 0),
            "code"));
        if (!url || strcmp(url, YX_FHIR_EXT_ETHNICITY) != 0 || !code)
            return yx_fail_field(
                r, YX_EINVAL, "Patient.extension",
                "ytexa nhận phần mở rộng dân tộc của VN Core / ytexa takes VN Core's ethnicity "
                "extension only, with a coded value.");
        json_object_set_new(out, "ethnicity", json_string(code));
    }
    json_t *langs = json_array();
    json_array_foreach(json_object_get(res, "communication"), i, it)
    {
        const char *code = json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(it, "language"), "coding"), 0), "code"));
        if (code)
            json_array_append_new(langs, json_string(code));
    }
    if (json_array_size(langs))
        json_object_set_new(out, "languages", langs);
    else
        json_decref(langs);
    if (json_is_false(json_object_get(res, "active")))
        return yx_fail_field(
            r, YX_EINVAL, "Patient.active",
            "ytexa không ngừng hồ sơ người bệnh / ytexa does not deactivate a patient's record.");
    const char *ref =
        json_string_value(json_object_get(json_object_get(res, "managingOrganization"), "reference"));
    char want[40];
    yx_snprintf(want, sizeof want, "Organization/%lld", (long long)facility);
    if (json_object_get(res, "managingOrganization") && (!ref || strcmp(ref, want) != 0))
        return yx_fail_field(
            r, YX_EINVAL, "Patient.managingOrganization",
            "Người bệnh thuộc sổ của cơ sở bạn (%s) / the patient belongs to your facility's "
            "registry (%s).",
            want, want);
    return 0;
}

/* POST /fhir/Patient */
static int patient_create(struct yx_req *r)
{
    int64_t id = 0, version = 0;
    json_t *body = json_object(), *p = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_patient_registry_role(r)) != 0)
        goto out;
    if (!r->json) {
        rc = yx_fail(r, YX_EINVAL, "Cần một Patient / send a Patient resource.");
        goto out;
    }
    if ((rc = yx_fhir_patient_body(r, r->json, body, 0, r->who.facility_id)) != 0 ||
        (rc = yx_fhir_field_paths(r, yx_patient_register(r, body, &id), field_paths)) != 0 ||
        (rc = load(r, id, &p, &version)) != 0)
        goto out;
    rc = yx_fhir_reply_resource(r, 201, p, "Patient", id, version, 1);
out:
    json_decref(body);
    return rc;
}

int yx_fhir_patient_import(struct yx_req *r, const json_t *res, int64_t facility,
                           enum yx_patient_imported *what, int64_t *id)
{
    json_t *body = json_object(), *copy = NULL;
    int rc;
    if (!body)
        return YX_ENOMEM;
    /* The file's managingOrganization may name the source's organization; the import's facility
     * is the one named (docs/fhir.md "Bulk import"), so it is checked without it. */
    if (!(copy = json_copy((json_t *)res))) {
        rc = YX_ENOMEM;
        goto out;
    }
    json_object_del(copy, "managingOrganization");
    if ((rc = yx_validate(r, copy, yx_fhir_patient_fields)) == 0 &&
        (rc = yx_fhir_patient_body(r, copy, body, 1, facility)) == 0)
        rc = yx_fhir_field_paths(r, yx_patient_import(r, facility, body, what, id), field_paths);
out:
    json_decref(copy);
    json_decref(body);
    return rc;
}

/* PUT /fhir/Patient/:id: the mapped elements replace the record's; what the mapping does not carry
 * (commune, vulnerable groups, guardian, notification channel) stays as it is. */
static int patient_update(struct yx_req *r)
{
    int64_t id, want, version = 0;
    json_t *body = json_object(), *p = NULL;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = yx_patient_access(r, id, YX_A_WRITE)) != 0 || (rc = yx_fhir_if_match(r, &want)) != 0)
        goto out;
    if (!r->json || !yx_fhir_same_id(r->json, id)) {
        rc = yx_fail_field(
            r, YX_EINVAL, "Patient.id",
            "id của tài nguyên phải trùng với đường dẫn / the resource's id must be the id in the URL.");
        goto out;
    }
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT version FROM patients WHERE id = ?", YX_PI(id))) != 0)
        goto out;
    if (want && (rows->nrows != 1 || yx_rows_int(rows, 0, 0) != want)) {
        rc = yx_fail_code(
            r, YX_EPRECOND, "version_conflict", NULL,
            "Hồ sơ đã được sửa từ khi bạn đọc (phiên bản %lld) / the record changed since you read it "
            "(it is at version %lld): read it again.",
            (long long)yx_rows_int(rows, 0, 0), (long long)yx_rows_int(rows, 0, 0));
        goto out;
    }
    if ((rc = yx_fhir_patient_body(r, r->json, body, 1, r->who.facility_id)) != 0 ||
        (rc = yx_fhir_field_paths(r, yx_patient_correct(r, id, body), field_paths)) != 0 ||
        (rc = load(r, id, &p, &version)) != 0)
        goto out;
    /* Two updates of one version at once: the second waited for the first's row and went on from
     * it, so its version is two past the one it read. It is refused and rolled back. */
    if (want && version != want + 1) {
        json_decref(p);
        rc =
            yx_fail_code(r, YX_EPRECOND, "version_conflict", NULL,
                         "Hồ sơ vừa được người khác sửa / the record was changed by someone else at the same "
                         "moment: read it again.");
        goto out;
    }
    yx_audit_target(r, id);
    rc = yx_fhir_reply_resource(r, 200, p, "Patient", id, version, 0);
out:
    yx_rows_free(rows);
    json_decref(body);
    return rc;
}

const struct yx_route yx_fhir_patient_routes[] = {
    /* Not YX_R_BATCH: on the one reads thread of SQLite these heavier answers ran 7-20 % (reads) and
     * 36 % (searches) slower than on the worker pool (bench/README.md, session 20). */
    {"GET", "/fhir/Patient/:id", patient_read, 0, "patient.read", "patient", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"GET", "/fhir/Patient", patient_search, 0, "patient.search", "patient", YX_CLINICIANS | YX_ROLE_SYSTEM,
     NULL},
    {"POST", "/fhir/Patient", patient_create, 0, "patient.create", "patient", YX_CLINICIANS,
     yx_fhir_patient_fields},
    {"PUT", "/fhir/Patient/:id", patient_update, 0, "patient.update", "patient", YX_CLINICIANS,
     yx_fhir_patient_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* $export's Patient: the search's rows and mapping, the registries of the export's places. */
const struct yx_fhir_export yx_fhir_patient_export = {
    "Patient", SELECT "WHERE 1 = 1", "p.id", "patients p", "+p.facility_id", "+p.updated_at",
    1,         search_row,           NULL};
