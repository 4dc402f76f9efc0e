/* Sessions: login, logout, who am I, and resolving the session of each request. A token is 256
 * random bits shown once to the client; only its SHA-256 is stored. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/auth.h"

static struct yx_auth_settings settings = {1800, 43200, 0, 20, 100, "http://127.0.0.1:8080"};

void yx_auth_configure(const struct yx_auth_settings *s)
{
    settings = *s;
}

const struct yx_auth_settings *yx_auth_settings(void)
{
    return &settings;
}

static int token_shape_ok(const char *t)
{
    size_t n = strlen(t);
    if (n < 20 || n > 100)
        return 0;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return 0;
    return 1;
}

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* The sessions this thread resolved in the last second. Under a read load every request of a
 * client carries the same token, and looking it up (three tables) was an eighth of the server's
 * work. An entry is good for CACHE_TTL_MS and only while the generation is the one it was read
 * under: a change to a session or an account on this instance (logout, deactivation, a new role or
 * password) moves the generation once committed, so here it bites at once; on another instance
 * it bites within CACHE_TTL_MS. An entry is not used when the session is due to be touched, nor
 * once it has expired or gone idle. */
#define CACHE_SLOTS 64
#define CACHE_TTL_MS 1000
#define TOUCH_MS 60000

struct cached {
    char hash[65];
    uint64_t gen;
    int64_t at, last_seen, expires;
    struct yx_principal who;
};

static _Atomic uint64_t generation = 1;
static __thread struct cached cache[CACHE_SLOTS];

void yx_auth_forget(void)
{
    generation++;
}

static struct cached *cache_slot(const char *hash)
{
    unsigned v = 0;
    for (int i = 0; i < 8; i++)
        v = v * 31 + (unsigned char)hash[i];
    return &cache[v % CACHE_SLOTS];
}

static const struct cached *cache_find(const char *hash, int64_t now)
{
    const struct cached *c = cache_slot(hash);
    if (c->gen != generation || now - c->at >= CACHE_TTL_MS || now - c->last_seen > TOUCH_MS ||
        now > c->expires || now - c->last_seen > (int64_t)settings.idle_s * 1000 ||
        strcmp(c->hash, hash) != 0)
        return NULL;
    return c;
}

/* Reads the session by its token's hash into *c. YX_EAUTH when it has ended, expired, or its
 * account is inactive. */
static int session_load(struct yx_req *r, const char *hash, int64_t now, struct cached *c)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT s.id AS session_id, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, "
        "u.id AS user_id, u.username, u.role, "
        "u.facility_id, f.province_id, u.full_name, u.active, u.patient_id FROM sessions s JOIN users u "
        "ON u.id = s.user_id LEFT JOIN facilities f ON f.id = u.facility_id WHERE s.token_hash = ?",
        YX_PT(hash));
    if (rc)
        goto out;
    if (rows->nrows != 1 || !yx_rows_null(rows, 0, "revoked_at") || !yx_rows_i64(rows, 0, "active")) {
        rc = yx_fail(r, YX_EAUTH, "Phiên đã kết thúc / the session has ended; please log in again.");
        goto out;
    }
    c->last_seen = yx_rows_i64(rows, 0, "last_seen_at");
    c->expires = yx_rows_i64(rows, 0, "expires_at");
    if (now > c->expires || now - c->last_seen > (int64_t)settings.idle_s * 1000) {
        rc = yx_fail(r, YX_EAUTH, "Phiên đã hết hạn / the session expired; please log in again.");
        goto out;
    }
    struct yx_principal *w = &c->who;
    memset(w, 0, sizeof *w);
    w->session_id = yx_rows_i64(rows, 0, "session_id");
    copy_field(w->csrf, sizeof w->csrf, yx_rows_str(rows, 0, "csrf_token"));
    w->user_id = yx_rows_i64(rows, 0, "user_id");
    copy_field(w->username, sizeof w->username, yx_rows_str(rows, 0, "username"));
    copy_field(w->role, sizeof w->role, yx_rows_str(rows, 0, "role"));
    w->facility_id = yx_rows_i64(rows, 0, "facility_id");
    w->province_id = yx_rows_i64(rows, 0, "province_id");
    copy_field(w->full_name, sizeof w->full_name, yx_rows_str(rows, 0, "full_name"));
    w->patient_id = yx_rows_i64(rows, 0, "patient_id");
out:
    yx_rows_free(rows);
    return rc;
}

/* A browser sends the cookie by itself, so a write carried by the cookie must also prove it comes
 * from our page: the CSRF token that only our page can read. */
static int csrf_ok(const struct yx_req *r)
{
    int unsafe = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
    return r->bearer || !unsafe || yx_secret_eq(r->csrf_header, r->who.csrf);
}

int yx_auth_resolve(struct yx_req *r)
{
    const char *token = r->bearer ? r->bearer : r->cookie_token;
    char hash[65];
    int rc;
    if (!token)
        return yx_fail(r, YX_EAUTH, "Bạn chưa đăng nhập / please log in.");
    /* A registered system's token opens the FHIR API only; the rest of the API is for people. */
    if (r->bearer && yx_system_token_shape(r->bearer))
        return strncmp(r->path, "/fhir", 5) == 0 && (r->path[5] == '/' || r->path[5] == 0)
                   ? yx_system_resolve(r, r->bearer)
                   : yx_fail(r, YX_EAUTH,
                             "Mã truy cập của hệ thống chỉ dùng cho /fhir/ / a system's access "
                             "token is for the FHIR API only; people sign in.");
    if (!token_shape_ok(token))
        return yx_fail(r, YX_EAUTH,
                       "Mã phiên đăng nhập không hợp lệ; vui lòng đăng nhập lại / The session token is "
                       "malformed; please log in again.");
    yx_sha256_hex(token, strlen(token), hash);
    int64_t now = yx_now_ms();
    const struct cached *hit = cache_find(hash, now);
    struct cached fresh = {.gen = generation, .at = now};
    if (hit) {
        r->who = hit->who;
    } else {
        if ((rc = session_load(r, hash, now, &fresh)) != 0)
            return rc;
        memcpy(fresh.hash, hash, sizeof hash);
        r->who = fresh.who;
    }
    if (!csrf_ok(r)) {
        memset(&r->who, 0, sizeof r->who);
        return yx_fail(
            r, YX_EFORBIDDEN,
            "Thiếu hoặc sai tiêu đề X-CSRF-Token; hãy tải lại trang / Missing or wrong X-CSRF-Token header.");
    }
    r->authed = 1;
    if (hit)
        return 0;
    /* Touching the session on every request would make every read a write; once a minute is
     * precise enough for an idle timeout counted in minutes. */
    if (now - fresh.last_seen > TOUCH_MS && !r->no_touch) {
        if ((rc = YX_DB_Q(r->db, NULL, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", YX_PI(now),
                          YX_PI(fresh.who.session_id))) != 0)
            return rc;
        fresh.last_seen = now;
    }
    *cache_slot(hash) = fresh;
    return 0;
}

/* Failed logins in the last hour whose columns (one, or two joined by AND) equal the values. */
static int count_failures(struct yx_req *r, const char *where, const char *a, const char *b, int64_t *n)
{
    struct yx_rows *rows = NULL;
    char sql[160];
    int64_t since = yx_now_ms() - 3600 * 1000;
    yx_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM login_failures WHERE %s AND at > ?", where);
    int rc = b ? YX_DB_Q(r->db, &rows, sql, YX_PT(a), YX_PT(b), YX_PI(since))
               : YX_DB_Q(r->db, &rows, sql, YX_PT(a), YX_PI(since));
    if (rc == 0)
        *n = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

/* Guessing is bounded three ways, each over the last hour: an account from one address
 * (--login-fail-user), an account from everywhere (ten times that: guesses spread over many
 * addresses), and one address whatever the accounts (--login-fail-addr). Counting an account's
 * failures per address keeps someone who knows a username from locking its holder out from
 * everywhere else (ASVS 6.1.1, docs/asvs.md). */
static int login_rate_check(struct yx_req *r, const char *username)
{
    int64_t n = 0;
    int rc = count_failures(r, "username = ? AND addr = ?", username, r->addr, &n);
    if (rc == 0 && n >= settings.fail_user)
        return yx_fail(r, YX_ERATELIMIT,
                       "Quá nhiều lần đăng nhập sai / too many failed logins for this account; try "
                       "again in an hour or ask your administrator.");
    if (rc == 0)
        rc = count_failures(r, "username = ?", username, NULL, &n);
    if (rc == 0 && n >= (int64_t)settings.fail_user * 10)
        return yx_fail(r, YX_ERATELIMIT,
                       "Quá nhiều lần đăng nhập sai / too many failed logins for this account; try "
                       "again in an hour or ask your administrator.");
    if (rc == 0)
        rc = count_failures(r, "addr = ?", r->addr, NULL, &n);
    if (rc == 0 && n >= settings.fail_addr)
        return yx_fail(r, YX_ERATELIMIT,
                       "Quá nhiều lần đăng nhập sai / too many failed logins from this address.");
    return rc;
}

static int login_failed(struct yx_req *r, const char *username)
{
    YX_DB_Q(r->db, NULL, "INSERT INTO login_failures (username, addr, at) VALUES (?, ?, ?)", YX_PT(username),
            YX_PT(r->addr), YX_PI(yx_now_ms()));
    return yx_fail(r, YX_EAUTH, "Sai tên đăng nhập hoặc mật khẩu / wrong username or password.");
}

/* A hash computed once so that an unknown username costs as much time as a wrong password. */
static char dummy[128];
static void dummy_make(void)
{
    yx_password_hash("not-a-real-password", dummy);
}
static const char *dummy_hash(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, dummy_make);
    return dummy;
}

static int session_create(struct yx_req *r, int64_t user_id, char token[64], char csrf[48], int64_t *expires)
{
    char hash[65];
    int64_t now = yx_now_ms();
    yx_random_token(token, 64, 32);
    yx_random_token(csrf, 48, 24);
    yx_sha256_hex(token, strlen(token), hash);
    *expires = now + (int64_t)settings.max_s * 1000;
    return YX_DB_Q(
        r->db, NULL,
        "INSERT INTO sessions (token_hash, csrf_token, user_id, created_at, last_seen_at, expires_at, addr) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        YX_PT(hash), YX_PT(csrf), YX_PI(user_id), YX_PI(now), YX_PI(now), YX_PI(*expires), YX_PT(r->addr));
}

/* The session's cookie, or its removal (gone). While set it has no Max-Age: a browser-session
 * cookie, which closing the browser forgets, so that on a shared computer the next person is not
 * the last one (the server still ends the session after --session-idle and --session-max). */
static void session_cookie(struct yx_req *r, const char *value, int gone)
{
    char c[256];
    yx_snprintf(c, sizeof c, "ytexa_session=%s; Path=/; HttpOnly; SameSite=Strict%s%s", value,
                gone ? "; Max-Age=0" : "", settings.cookie_secure ? "; Secure" : "");
    yx_set_cookie(r, c);
}

static const struct yx_field login_fields[] = {
    {"username", YX_F_STRING, 1, 1, 64},
    {"password", YX_F_STRING, 1, 1, 1024},
    {NULL, 0, 0, 0, 0},
};

static int login(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    char token[64], csrf[48], when[32];
    int64_t expires;
    int rc;
    if ((rc = yx_body(r, login_fields)) != 0)
        return rc;
    const char *username = yx_json_str(r->json, "username"), *password = yx_json_str(r->json, "password");
    r->audit_resource_id = username;
    if ((rc = login_rate_check(r, username)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows, "SELECT id, password_hash FROM users WHERE username = ? AND active = 1",
                 YX_PT(username));
    if (rc)
        goto out;
    if (rows->nrows != 1) {
        yx_password_verify(dummy_hash(), password);
        rc = login_failed(r, username);
        goto out;
    }
    if (yx_password_verify(yx_rows_get(rows, 0, 1), password) != 0) {
        rc = login_failed(r, username);
        goto out;
    }
    int64_t user_id = yx_rows_int(rows, 0, 0);
    if ((rc = session_create(r, user_id, token, csrf, &expires)) != 0)
        goto out;
    r->who.user_id = user_id;
    json_t *user = yx_user_json(r->db, user_id);
    if (!user) {
        rc = YX_EDB;
        goto out;
    }
    json_t *role = json_object_get(user, "role");
    snprintf(r->who.role, sizeof r->who.role, "%s", json_string_value(role) ? json_string_value(role) : "");
    r->who.facility_id = json_integer_value(json_object_get(json_object_get(user, "facility"), "id"));
    session_cookie(r, token, 0);
    yx_time_format(expires, when);
    rc = yx_reply(
        r, 200,
        json_pack("{s:s,s:s,s:s,s:o}", "token", token, "csrf", csrf, "expires_at", when, "user", user));
out:
    yx_rows_free(rows);
    return rc;
}

static int logout(struct yx_req *r)
{
    int rc = yx_no_body(r);
    if (rc)
        return rc;
    r->auth_changed = 1;
    rc = YX_DB_Q(r->db, NULL, "UPDATE sessions SET revoked_at = ? WHERE id = ?", YX_PI(yx_now_ms()),
                 YX_PI(r->who.session_id));
    if (rc)
        return rc;
    session_cookie(r, "", 1);
    return yx_reply(r, 200, json_pack("{s:b}", "ok", 1));
}

static int me(struct yx_req *r)
{
    json_t *user = yx_user_json(r->db, r->who.user_id);
    if (!user)
        return YX_EDB;
    return yx_reply(r, 200, json_pack("{s:o,s:s}", "user", user, "csrf", r->who.csrf));
}

static const struct yx_field password_change_fields[] = {
    {"current_password", YX_F_STRING, 1, 1, 1024},
    {"new_password", YX_F_STRING, 1, 8, 128},
    {NULL, 0, 0, 0, 0},
};

/* The new password's own rules: not the current one, and not easily guessed (the length, common
 * passwords, the username and the person's name: yx_password_check). */
static int new_password_ok(struct yx_req *r, const char *username, const char *current, const char *fresh)
{
    if (strcmp(current, fresh) == 0)
        return yx_fail_field(r, YX_EINVAL, "new_password",
                             "Mật khẩu mới phải khác mật khẩu hiện tại / the new password must differ "
                             "from the current one.");
    return yx_password_check(r, "new_password", fresh, username, r->who.full_name);
}

/* Gives an account a new password hash and ends its sessions but keep (0: all of them), in one
 * transaction: an administrator's reset and a person's own change. */
int yx_password_store(struct yx_req *r, int64_t user_id, const char *hash, int64_t keep)
{
    int64_t now = yx_now_ms();
    int rc = yx_db_begin(r->db);
    if (rc)
        return rc;
    r->auth_changed = 1;
    rc = YX_DB_Q(r->db, NULL, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", YX_PT(hash),
                 YX_PI(now), YX_PI(user_id));
    if (rc == 0)
        rc =
            YX_DB_Q(r->db, NULL,
                    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
                    YX_PI(now), YX_PI(user_id), YX_PI(keep));
    if (rc == 0)
        return yx_db_commit(r->db);
    yx_db_rollback(r->db);
    return rc;
}

/* POST /api/v1/me/password {current_password, new_password}: the signed-in person changes their
 * own password. The current one is asked again, so that someone at a computer left signed in
 * cannot; a wrong one counts as a failed login of the account (the same limits). Every other
 * session of the account ends; this one goes on. */
static int change_password(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    char hash[128];
    int rc;
    yx_audit_target(r, r->who.user_id);
    if ((rc = yx_body(r, password_change_fields)) != 0)
        return rc;
    const char *current = yx_json_str(r->json, "current_password"),
               *fresh = yx_json_str(r->json, "new_password");
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT username, password_hash FROM users WHERE id = ?",
                      YX_PI(r->who.user_id))) != 0)
        return rc;
    const char *username = rows->nrows == 1 ? yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 0)) : NULL;
    if (!username)
        rc = YX_EDB;
    else if ((rc = login_rate_check(r, username)) == 0 &&
             yx_password_verify(yx_rows_get(rows, 0, 1), current)) {
        YX_DB_Q(r->db, NULL, "INSERT INTO login_failures (username, addr, at) VALUES (?, ?, ?)",
                YX_PT(username), YX_PT(r->addr), YX_PI(yx_now_ms()));
        rc = yx_fail_code(r, YX_EFORBIDDEN, "wrong_password", NULL,
                          "Mật khẩu hiện tại không đúng / the current password is wrong.");
    }
    yx_rows_free(rows);
    if (rc == 0 && (rc = new_password_ok(r, username, current, fresh)) == 0 &&
        (rc = yx_password_hash(fresh, hash)) == 0)
        rc = yx_password_store(r, r->who.user_id, hash, r->who.session_id);
    return rc ? rc : yx_reply(r, 200, json_pack("{s:b}", "ok", 1));
}

const struct yx_route yx_auth_routes[] = {
    {"POST", "/api/v1/auth/login", login, YX_R_PUBLIC | YX_R_HEAVY | YX_R_NOTX | YX_R_SESSION, "auth.login",
     "session", 0, login_fields},
    {"POST", "/api/v1/auth/logout", logout, YX_R_SESSION, "auth.logout", "session", YX_ANYONE, NULL},
    {"GET", "/api/v1/me", me, 0, NULL, NULL, YX_ANYONE, NULL},
    {"POST", "/api/v1/me/password", change_password, YX_R_HEAVY | YX_R_NOTX, "auth.change_password", "user",
     YX_ANYONE, password_change_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
