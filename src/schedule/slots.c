/* Doctors' availability (lịch làm việc): a doctor publishes a block of time on one day (or the
 * same block every week for up to 12 weeks), cut into slots that stations and patients book. A facility
 * administrator may publish for the doctors of the facility. A block with a booked slot cannot be withdrawn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"

const char *yx_iso(struct yx_req *r, int64_t ms)
{
    char t[32];
    yx_time_format(ms, t);
    return yx_arena_strdup(&r->arena, t);
}

static const char *const modes[] = {"video", "audio", "chat", "assisted", NULL};

static const struct yx_field schedule_fields[] = {
    {"doctor_id", YX_F_INT, 0, 1, INT64_MAX},
    {"start", YX_F_STRING, 1, 16, 40},
    {"end", YX_F_STRING, 1, 16, 40},
    {"slot_minutes", YX_F_INT, 1, 5, 120},
    {"mode", YX_F_STRING, 1, 1, 12},
    {"repeat_weeks", YX_F_INT, 0, 1, 12},
    {NULL, 0, 0, 0, 0},
};

/* Is doctor an active doctor or specialist (*facility: where), and may the caller publish or
 * withdraw their availability: the doctor, or the administrator of the doctor's facility? Sets
 * no answer: 0 yes, YX_EINVAL not a doctor, YX_EFORBIDDEN not the caller's to manage. */
static int may_manage(struct yx_req *r, int64_t doctor, int64_t *facility)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT facility_id FROM users WHERE id = ? AND active = 1 AND role IN ('doctor', 'specialist') "
        "AND facility_id IS NOT NULL",
        YX_PI(doctor));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_EINVAL;
    if (rc == 0)
        *facility = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    if (rc == 0) {
        struct yx_resource availability = {
            .kind = YX_RES_SCHEDULE, .facility_id = *facility, .party = r->who.user_id == doctor};
        if (yx_authorize(&r->who, YX_A_WRITE, &availability) != 0)
            rc = YX_EFORBIDDEN;
    }
    return rc;
}

static int schedule_owner(struct yx_req *r, int64_t doctor, int64_t *facility)
{
    int rc = may_manage(r, doctor, facility);
    if (rc == YX_EINVAL)
        return yx_fail_field(r, YX_EINVAL, "doctor_id",
                             "Người được chọn (doctor_id) không phải bác sĩ hay chuyên gia đang làm việc / "
                             "doctor_id is not an active doctor or specialist.");
    if (rc == YX_EFORBIDDEN)
        return yx_fail(r, YX_EFORBIDDEN,
                       "Chỉ bác sĩ hoặc quản trị cơ sở của bác sĩ đăng lịch / only the doctor or "
                       "the administrator of the doctor's facility publishes availability.");
    return rc;
}

static json_t *schedule_json(struct yx_req *r, int64_t id)
{
    struct yx_rows *rows = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(r->db, &rows,
                "SELECT s.id, s.doctor_id, u.full_name, s.facility_id, f.name AS facility_name, s.start_at, "
                "s.end_at, s.slot_minutes, s.mode, s.cancelled_at, "
                "(SELECT COUNT(*) FROM slots WHERE schedule_id = s.id) AS slot_count FROM schedules s "
                "JOIN users u ON u.id = s.doctor_id JOIN facilities f ON f.id = s.facility_id WHERE s.id = ?",
                YX_PI(id)) == 0 &&
        rows->nrows == 1)
        out = json_pack(
            "{s:I,s:{s:I,s:s,s:{s:I,s:s}},s:s,s:s,s:I,s:s,s:b,s:I}", "id",
            (json_int_t)yx_rows_i64(rows, 0, "id"), "doctor", "id",
            (json_int_t)yx_rows_i64(rows, 0, "doctor_id"), "full_name", yx_rows_str(rows, 0, "full_name"),
            "facility", "id", (json_int_t)yx_rows_i64(rows, 0, "facility_id"), "name",
            yx_rows_str(rows, 0, "facility_name"), "start", yx_iso(r, yx_rows_i64(rows, 0, "start_at")),
            "end", yx_iso(r, yx_rows_i64(rows, 0, "end_at")), "slot_minutes",
            (json_int_t)yx_rows_i64(rows, 0, "slot_minutes"), "mode", yx_rows_str(rows, 0, "mode"),
            "cancelled", !yx_rows_null(rows, 0, "cancelled_at"), "slots",
            (json_int_t)yx_rows_i64(rows, 0, "slot_count"));
    yx_rows_free(rows);
    return out;
}

/* One block of availability and its slots; 409 when it overlaps one already published. */
static int insert_block(struct yx_req *r, int64_t doctor, int64_t facility, int64_t start, int64_t end,
                        int64_t minutes, const char *mode, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(r->db, &rows,
                "SELECT COUNT(*) FROM schedules WHERE doctor_id = ? AND cancelled_at IS NULL AND start_at < "
                "? AND end_at > ?",
                YX_PI(doctor), YX_PI(end), YX_PI(start));
    int overlap = rc == 0 && yx_rows_int(rows, 0, 0) > 0;
    yx_rows_free(rows);
    rows = NULL;
    if (rc)
        return rc;
    if (overlap)
        return yx_fail_code(
            r, YX_ECONFLICT, "schedule_overlap", json_pack("{s:s}", "start", yx_iso(r, start)),
            "Trùng với lịch đã đăng (%s) / this overlaps availability already published (%s).",
            yx_iso(r, start), yx_iso(r, start));
    rc = YX_DB_Q(r->db, &rows,
                 "INSERT INTO schedules (doctor_id, facility_id, start_at, end_at, slot_minutes, mode, "
                 "created_by, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 YX_PI(doctor), YX_PI(facility), YX_PI(start), YX_PI(end), YX_PI(minutes), YX_PT(mode),
                 YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
    if (rc == 0)
        *id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    for (int64_t t = start; rc == 0 && t < end; t += minutes * 60000)
        rc = YX_DB_Q(
            r->db, NULL,
            "INSERT INTO slots (schedule_id, doctor_id, start_at, end_at, mode) VALUES (?, ?, ?, ?, ?)",
            YX_PI(*id), YX_PI(doctor), YX_PI(t), YX_PI(t + minutes * 60000), YX_PT(mode));
    return rc;
}

/* POST /api/v1/schedules {doctor_id?, start, end, slot_minutes, mode, repeat_weeks?}: one block,
 * or the same block on the same weekday for repeat_weeks weeks (all published, or none when one
 * overlaps). Vietnam keeps UTC+7 all year, so a week is always 7 × 24 hours. Answers the first
 * block with "series": the ids of all of them. */
static int schedule_create(struct yx_req *r)
{
    int64_t start, end, facility = 0, id = 0;
    int rc;
    if ((rc = yx_body(r, schedule_fields)) != 0)
        return rc;
    int64_t doctor = yx_json_int(r->json, "doctor_id", r->who.user_id);
    int64_t minutes = yx_json_int(r->json, "slot_minutes", 15);
    int64_t weeks = yx_json_int(r->json, "repeat_weeks", 1);
    const char *mode = yx_json_str(r->json, "mode");
    if (yx_time_parse(yx_json_str(r->json, "start"), &start) != 0)
        return yx_fail_field(r, YX_EINVAL, "start",
                             "Giờ bắt đầu (start) là giờ ISO kèm múi giờ, ví dụ 2026-11-23T08:00:00+07:00 / "
                             "start is an ISO time with its offset, e.g. 2026-11-23T08:00:00+07:00.");
    if (yx_time_parse(yx_json_str(r->json, "end"), &end) != 0)
        return yx_fail_field(
            r, YX_EINVAL, "end",
            "Giờ kết thúc (end) là giờ ISO kèm múi giờ / end is an ISO time with its offset.");
    if (!yx_one_of(mode, modes))
        return yx_fail_field(r, YX_EINVAL, "mode",
                             "Hình thức là video, gọi thoại (audio), nhắn tin (chat) hoặc có nhân viên hỗ "
                             "trợ (assisted) / mode is video, audio, chat or assisted.");
    if (end <= start || end - start > 12 * 3600000LL ||
        (start + 7 * 3600000LL) / 86400000LL != (end - 1 + 7 * 3600000LL) / 86400000LL)
        return yx_fail_field(r, YX_EINVAL, "end",
                             "Một buổi làm việc trong cùng một ngày, tối đa 12 giờ / a block lies "
                             "within one day (Vietnam time), at most 12 hours, end after start.");
    if ((end - start) % (minutes * 60000) != 0)
        return yx_fail_field(r, YX_EINVAL, "slot_minutes",
                             "Buổi làm việc phải chia đều thành các khung giờ slot_minutes phút / The block "
                             "must divide into whole slots of slot_minutes.");
    if (start < yx_now_ms())
        return yx_fail_field(r, YX_EINVAL, "start",
                             "Không đăng lịch cho thời gian đã qua / start is in the past.");
    if ((rc = schedule_owner(r, doctor, &facility)) != 0)
        return rc;
    json_t *series = json_array();
    int64_t first = 0;
    for (int64_t w = 0; rc == 0 && w < weeks; w++) {
        int64_t shift = w * 7 * 86400000LL;
        rc = insert_block(r, doctor, facility, start + shift, end + shift, minutes, mode, &id);
        if (rc == 0 && !first)
            first = id;
        if (rc == 0)
            json_array_append_new(series, json_integer(id));
    }
    json_t *s = rc == 0 ? schedule_json(r, first) : NULL;
    if (s)
        json_object_set(s, "series", series);
    json_decref(series);
    return rc ? rc : s ? yx_reply(r, 201, s) : YX_EDB;
}

/* POST /api/v1/schedules/:id/cancel — only while none of its slots is booked. */
static int schedule_cancel(struct yx_req *r)
{
    int64_t id, facility;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_no_body(r)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 "SELECT doctor_id, cancelled_at, (SELECT COUNT(*) FROM appointments a JOIN slots s ON s.id "
                 "= a.slot_id "
                 "WHERE s.schedule_id = ? AND a.status = 'booked') FROM schedules WHERE id = ?",
                 YX_PI(id), YX_PI(id));
    int found = rc == 0 && rows->nrows == 1;
    int64_t doctor = found ? yx_rows_int(rows, 0, 0) : 0, booked = found ? yx_rows_int(rows, 0, 2) : 0;
    int cancelled = found && !yx_rows_isnull(rows, 0, 1);
    yx_rows_free(rows);
    /* A block the caller may not withdraw answers as one that does not exist, so that ids of other
     * facilities' schedules cannot be probed. */
    if (rc == 0 && found)
        rc = may_manage(r, doctor, &facility);
    if ((rc == 0 && !found) || rc == YX_EINVAL || rc == YX_EFORBIDDEN)
        rc = yx_not_found(r);
    if (rc == 0 && cancelled)
        rc = yx_fail_code(r, YX_ECONFLICT, "already_cancelled", NULL,
                          "Lịch làm việc này đã được rút / This availability was already withdrawn.");
    if (rc == 0 && booked)
        rc = yx_fail_code(
            r, YX_ECONFLICT, "slots_booked", json_pack("{s:I}", "booked", (json_int_t)booked),
            "Đã có %lld lượt hẹn; hủy hoặc dời các lượt hẹn trước / %lld slots are booked: cancel or move "
            "those appointments first.",
            (long long)booked, (long long)booked);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE schedules SET cancelled_at = ? WHERE id = ?", YX_PI(yx_now_ms()),
                     YX_PI(id));
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE slots SET cancelled = 1 WHERE schedule_id = ?", YX_PI(id));
    if (rc)
        return rc;
    json_t *s = schedule_json(r, id);
    return s ? yx_reply(r, 200, s) : YX_EDB;
}

/* GET /api/v1/slots?doctor_id&date&free=1 — open to clinicians and patients who book. */
static int slot_list(struct yx_req *r)
{
    int64_t doctor, from, to;
    struct yx_rows *rows = NULL;
    char iso[40];
    int rc;
    if ((rc = yx_query_id(r, "doctor_id", &doctor)) != 0)
        return rc;
    const char *date = yx_query(r, "date"), *free_only = yx_query(r, "free");
    if (!doctor)
        return yx_fail_field(r, YX_EINVAL, "doctor_id",
                             "Cần chọn bác sĩ (doctor_id) / doctor_id is required.");
    if (!date || strlen(date) != 10 ||
        (snprintf(iso, sizeof iso, "%sT00:00:00+07:00", date), yx_time_parse(iso, &from)) != 0)
        return yx_fail_field(
            r, YX_EINVAL, "date",
            "Ngày có dạng YYYY-MM-DD (giờ Việt Nam) / date is a day YYYY-MM-DD (Vietnam time).");
    to = from + 86400000LL;
    rc = YX_DB_Q(
        r->db, &rows,
        "SELECT s.id, s.start_at, s.end_at, s.mode, (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = "
        "s.id "
        "AND a.status = 'booked') AS booked FROM slots s WHERE s.doctor_id = ? AND s.cancelled = 0 AND "
        "s.start_at >= ? "
        "AND s.start_at < ? ORDER BY s.start_at LIMIT 200",
        YX_PI(doctor), YX_PI(from), YX_PI(to));
    if (rc)
        return rc;
    json_t *items = json_array();
    int64_t now = yx_now_ms();
    for (int i = 0; i < rows->nrows; i++) {
        int booked = yx_rows_i64(rows, i, "booked") > 0, past = yx_rows_i64(rows, i, "start_at") < now;
        if (free_only && (booked || past))
            continue;
        json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:b,s:b}", "id",
                                               (json_int_t)yx_rows_i64(rows, i, "id"), "start",
                                               yx_iso(r, yx_rows_i64(rows, i, "start_at")), "end",
                                               yx_iso(r, yx_rows_i64(rows, i, "end_at")), "mode",
                                               yx_rows_str(rows, i, "mode"), "booked", booked, "past", past));
    }
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:o}", "items", items));
}

const struct yx_route yx_schedule_routes[] = {
    {"POST", "/api/v1/schedules", schedule_create, 0, "schedule.create", "schedule",
     YX_DOCTORS | YX_ROLE_FACILITY_ADMIN, schedule_fields},
    {"POST", "/api/v1/schedules/:id/cancel", schedule_cancel, 0, "schedule.cancel", "schedule",
     YX_DOCTORS | YX_ROLE_FACILITY_ADMIN, NULL},
    {"GET", "/api/v1/slots", slot_list, 0, NULL, NULL,
     YX_CLINICIANS | YX_ROLE_FACILITY_ADMIN | YX_ROLE_PATIENT, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
