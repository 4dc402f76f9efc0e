/* Unit tests of src/schedule on a real database (tests/unit/testdb.h): the notifications an
 * appointment makes (yx_notify_appointment) — in the app and by SMS on booking, the reminders a day
 * and an hour before when still ahead, none outward for a patient who chose the app only, and the
 * reminders retired when the booking is cancelled. Booking over the API is schedule.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "schedule/schedule.h"
#include "testdb.h"

int yx_network_demo(struct yx_db *db, FILE *report);

static struct yx_db *db;
static int64_t doctor, station;

static int64_t insert(const char *sql, const struct yx_param *p, size_t n)
{
    struct yx_rows *r = NULL;
    int64_t id = yx_db_exec(db, sql, p, n, &r) == 0 && r->nrows == 1 ? yx_rows_int(r, 0, 0) : -1;
    yx_rows_free(r);
    return id;
}

static int setup(void **state)
{
    yx_log_set_level(YX_LOG_ERROR);
    FILE *quiet = fopen("/dev/null", "w");
    int rc = testdb_open("schedule_test", &db) == 0 && quiet && yx_network_demo(db, quiet) == 0 ? 0 : -1;
    if (quiet)
        fclose(quiet);
    if (rc)
        return rc;
    station = testdb_int(db, "SELECT id FROM facilities WHERE code = 'TTYT-DONGVAN'");
    struct yx_param p[] = {YX_PI(station)};
    doctor =
        insert("INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, "
               "created_at, updated_at) VALUES ('bs.lan', 'Lò Thị Lan', 'lo thi lan', 'x', 'doctor', ?, 0, "
               "0) RETURNING id",
               p, 1);
    return station > 0 && doctor > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    return testdb_close(db);
}

/* A patient of the station (channel: sms or none) booked with the doctor at start. */
static int64_t booking(const char *channel, int64_t start)
{
    struct yx_param pp[] = {YX_PI(station), YX_PT(channel), YX_PI(doctor)};
    int64_t patient =
        insert("INSERT INTO patients (facility_id, full_name, name_folded, birth_year, sex, phone, "
               "notify_channel, created_by, created_at, updated_at) VALUES (?, 'Giàng Thị Mai', "
               "'giang thi mai', 1990, 'female', '0912345678', ?, ?, 0, 0) RETURNING id",
               pp, 3);
    struct yx_param ps[] = {YX_PI(doctor), YX_PI(station), YX_PI(start), YX_PI(start + 900000),
                            YX_PI(doctor)};
    int64_t schedule =
        insert("INSERT INTO schedules (doctor_id, facility_id, start_at, end_at, slot_minutes, mode, "
               "created_by, created_at) VALUES (?, ?, ?, ?, 15, 'video', ?, 0) RETURNING id",
               ps, 5);
    struct yx_param pl[] = {YX_PI(schedule), YX_PI(doctor), YX_PI(start), YX_PI(start + 900000)};
    int64_t slot =
        insert("INSERT INTO slots (schedule_id, doctor_id, start_at, end_at, mode) VALUES (?, ?, ?, ?, "
               "'video') RETURNING id",
               pl, 4);
    struct yx_param pa[] = {YX_PI(slot), YX_PI(patient), YX_PI(station), YX_PI(doctor), YX_PI(doctor)};
    int64_t id =
        insert("INSERT INTO appointments (slot_id, patient_id, facility_id, doctor_id, reason, status, "
               "booked_by, created_at) VALUES (?, ?, ?, ?, 'Tái khám', 'booked', ?, 0) RETURNING id",
               pa, 5);
    assert_true(patient > 0 && schedule > 0 && slot > 0 && id > 0);
    return id;
}

static int64_t notifications(int64_t appointment, const char *where)
{
    char sql[300];
    yx_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM notifications WHERE appointment_id = %lld AND %s",
                (long long)appointment, where);
    return testdb_int(db, sql);
}

static void a_booking_tells_the_patient_and_reminds_them(void **state)
{
    int64_t id = booking("sms", yx_now_ms() + 3 * 86400000LL);
    assert_int_equal(yx_notify_appointment(db, id, "booked"), 0);
    assert_int_equal(notifications(id, "kind = 'booked' AND channel = 'app' AND status = 'delivered'"), 1);
    assert_int_equal(notifications(id, "kind = 'booked' AND channel = 'sms' AND status = 'pending'"), 1);
    /* A day and an hour before, by SMS and in the app. */
    assert_int_equal(notifications(id, "kind = 'reminder' AND channel = 'sms'"), 2);
    assert_int_equal(notifications(id, "kind = 'reminder' AND channel = 'app'"), 2);
    /* The text names the doctor, not the patient: it shows on a locked phone. */
    assert_int_equal(notifications(id, "text_vi LIKE '%Lò Thị Lan%'"), 6);
    assert_int_equal(notifications(id, "text_vi LIKE '%Giàng%'"), 0);
    assert_int_equal(yx_notify_appointment(db, id, "cancelled"), 0);
    assert_int_equal(notifications(id, "kind = 'reminder' AND channel = 'sms' AND status = 'not_needed'"), 2);
    assert_int_equal(notifications(id, "kind = 'cancelled'"), 2);
}

static void no_reminder_in_the_past_and_nothing_outward_for_the_app_only(void **state)
{
    int64_t soon = booking("sms", yx_now_ms() + 2 * 3600000LL),
            app = booking("none", yx_now_ms() + 3 * 86400000LL);
    assert_int_equal(yx_notify_appointment(db, soon, "booked"), 0);
    assert_int_equal(notifications(soon, "kind = 'reminder' AND channel = 'sms'"), 1);
    assert_int_equal(yx_notify_appointment(db, app, "booked"), 0);
    assert_int_equal(notifications(app, "channel <> 'app'"), 0);
    assert_int_equal(notifications(app, "channel = 'app' AND kind = 'booked'"), 1);
    assert_int_equal(yx_notify_appointment(db, 999999, "booked"), YX_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_booking_tells_the_patient_and_reminds_them),
        cmocka_unit_test(no_reminder_in_the_past_and_nothing_outward_for_the_app_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
