/* Notification records for appointments: in the app (the patient's own account reads them) and
 * outward by SMS through the operator's webhook (src/schedule/sender.c delivers those). The text
 * carries what a patient needs — when, with whom, how — and nothing of the clinical record, not even
 * the patient's name: it shows on a locked phone, and a guardian's phone may be shared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"

/* One notification: in the app (phone NULL) with its English text too, or outward to a phone in
 * Vietnamese alone. */
static int add(struct yx_db *db, int64_t appointment, int64_t patient, const char *channel, const char *kind,
               const char *phone, const char *text, const char *text_en, int64_t due)
{
    int64_t now = yx_now_ms();
    return YX_DB_Q(db, NULL,
                   "INSERT INTO notifications (user_id, patient_id, appointment_id, channel, kind, phone, "
                   "text_vi, text_en, due_at, created_at, status, next_attempt_at) "
                   "VALUES ((SELECT id FROM users WHERE patient_id = ? AND active = 1 ORDER BY id LIMIT 1), "
                   "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   YX_PI(patient), YX_PI(patient), YX_PI(appointment), YX_PT(channel), YX_PT(kind),
                   YX_PT(phone), YX_PT(text), YX_PT(phone ? NULL : text_en), YX_PI(due), YX_PI(now),
                   YX_PT(strcmp(channel, "app") == 0 ? "delivered" : "pending"), YX_PI(due));
}

int yx_notify_appointment(struct yx_db *db, int64_t appointment_id, const char *kind)
{
    struct yx_rows *rows = NULL;
    /* A doctor's name (160 characters) and a facility's (200), up to 4 bytes each, never cut. */
    char when[32], when_en[32], text[2048], text_en[2048];
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT a.patient_id, COALESCE(p.phone, p.guardian_phone) AS phone, u.full_name AS doctor_name, "
        "f.name AS facility_name, "
        "s.start_at, "
        "s.mode, p.notify_channel FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN "
        "users u ON u.id = "
        "a.doctor_id "
        "JOIN facilities f ON f.id = u.facility_id JOIN slots s ON s.id = a.slot_id WHERE a.id = ?",
        YX_PI(appointment_id));
    if (rc || rows->nrows != 1) {
        yx_rows_free(rows);
        return rc ? rc : YX_ENOTFOUND;
    }
    int64_t patient = yx_rows_i64(rows, 0, "patient_id"), start = yx_rows_i64(rows, 0, "start_at"),
            now = yx_now_ms();
    const char *mode = yx_rows_str(rows, 0, "mode"), *channel = yx_rows_str(rows, 0, "notify_channel");
    /* Outward only to a phone, and only on the channel the patient chose ("none": the app only). */
    const char *phone = strcmp(channel, "none") == 0 ? NULL : yx_rows_str(rows, 0, "phone");
    int m = strcmp(mode, "video") == 0   ? 0
            : strcmp(mode, "audio") == 0 ? 1
            : strcmp(mode, "chat") == 0  ? 2
                                         : 3;
    static const char *const hows[][2] = {{"gọi video", "video call"},
                                          {"gọi thoại", "audio call"},
                                          {"nhắn tin", "chat"},
                                          {"tại trạm y tế xã", "at the commune health station"}};
    const char *how = hows[m][0], *how_en = hows[m][1], *doctor = yx_rows_str(rows, 0, "doctor_name");
    yx_time_vn(start, "%H:%M ngày %d/%m/%Y", when, sizeof when);
    yx_time_vn(start, "%H:%M on %d/%m/%Y", when_en, sizeof when_en);
    /* A booking that moved or ended: its reminders are no longer wanted. */
    if (strcmp(kind, "booked") != 0 && strcmp(kind, "rescheduled") != 0)
        rc = YX_DB_Q(
            db, NULL,
            "UPDATE notifications SET status = 'not_needed' WHERE appointment_id = ? AND kind = 'reminder' "
            "AND status = 'pending'",
            YX_PI(appointment_id));
    if (rc == 0 && strcmp(kind, "cancelled_silently") != 0) {
        const char *facility = yx_rows_str(rows, 0, "facility_name");
        int moved = strcmp(kind, "rescheduled") == 0;
        if (strcmp(kind, "cancelled") == 0) {
            snprintf(text, sizeof text, "ytexa: Lịch khám từ xa lúc %s với bác sĩ %s đã được hủy.", when,
                     doctor);
            snprintf(text_en, sizeof text_en, "ytexa: The remote visit at %s with doctor %s was cancelled.",
                     when_en, doctor);
        } else {
            snprintf(text, sizeof text, "ytexa: Lịch khám từ xa (%s) lúc %s với bác sĩ %s, %s.%s", how, when,
                     doctor, facility, moved ? " Lịch đã được đổi." : "");
            snprintf(text_en, sizeof text_en, "ytexa: Remote visit (%s) at %s with doctor %s, %s.%s", how_en,
                     when_en, doctor, facility, moved ? " The time has changed." : "");
        }
        rc = add(db, appointment_id, patient, "app", kind, NULL, text, text_en, now);
        if (rc == 0 && phone)
            rc = add(db, appointment_id, patient, channel, kind, phone, text, text_en, now);
    }
    /* Reminders a day and an hour before, when that moment is still ahead. */
    static const int64_t before[] = {24 * 3600000LL, 3600000LL};
    for (int i = 0; rc == 0 && phone && strcmp(kind, "cancelled") != 0 &&
                    strcmp(kind, "cancelled_silently") != 0 && i < 2;
         i++) {
        if (start - before[i] <= now)
            continue;
        snprintf(text, sizeof text,
                 "ytexa: Nhắc lịch khám từ xa (%s) lúc %s với bác sĩ %s. Đến trạm hoặc mở ứng dụng "
                 "trước giờ hẹn 10 phút.",
                 how, when, doctor);
        snprintf(text_en, sizeof text_en,
                 "ytexa: Reminder: remote visit (%s) at %s with doctor %s. Come to the station or open the "
                 "app 10 minutes before.",
                 how_en, when_en, doctor);
        rc = add(db, appointment_id, patient, channel, "reminder", phone, text, text_en, start - before[i]);
        if (rc == 0)
            rc = add(db, appointment_id, patient, "app", "reminder", NULL, text, text_en, start - before[i]);
    }
    yx_rows_free(rows);
    return rc;
}

/* GET /api/v1/notifications?cursor&limit — the caller's own, in the app, that are due; the text in
 * the language of Accept-Language (Vietnamese for one stored before English was kept). */
static int notification_list(struct yx_req *r)
{
    int64_t after, limit;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "SELECT id, kind, CASE WHEN ? = 1 THEN COALESCE(text_en, text_vi) ELSE text_vi END AS text, due_at, "
        "read_at, appointment_id, consult_id, visit_id FROM notifications WHERE user_id = ? "
        "AND channel = 'app' AND status = 'delivered' AND due_at <= ? AND id > ? ORDER BY id LIMIT ?",
        YX_PI(yx_wants_english(r)), YX_PI(r->who.user_id), YX_PI(yx_now_ms()), YX_PI(after),
        YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items,
                              json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id",
                                        (json_int_t)yx_rows_i64(rows, i, "id"), "kind",
                                        yx_rows_str(rows, i, "kind"), "text", yx_rows_str(rows, i, "text"),
                                        "at", yx_iso(r, yx_rows_i64(rows, i, "due_at")), "read_at",
                                        yx_rows_null(rows, i, "read_at")
                                            ? json_null()
                                            : json_string(yx_iso(r, yx_rows_i64(rows, i, "read_at"))),
                                        "appointment_id", yx_json_id_or_null(rows, i, "appointment_id"),
                                        "consult_id", yx_json_id_or_null(rows, i, "consult_id"), "visit_id",
                                        yx_json_id_or_null(rows, i, "visit_id")));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

/* POST /api/v1/notifications/:id/read */
static int notification_read(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_param_id(r, 0, &id)) != 0 || (rc = yx_no_body(r)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM notifications WHERE id = ? AND user_id = ? AND channel = 'app'",
                 YX_PI(id), YX_PI(r->who.user_id));
    int mine = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !mine)
        rc = yx_not_found(r);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ?",
                     YX_PI(yx_now_ms()), YX_PI(id));
    return rc ? rc : yx_reply(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "read", 1));
}

const struct yx_route yx_notification_routes[] = {
    {"GET", "/api/v1/notifications", notification_list, 0, NULL, NULL, YX_ANYONE, NULL},
    {"POST", "/api/v1/notifications/:id/read", notification_read, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
