/* SMART Backend Services' token endpoint and discovery (HL7 SMART App Launch 2.x, "Backend
 * Services"; docs/fhir.md "Access for systems"). A registered system posts a JWT it signed with one
 * of its registered keys (RFC 7523 client authentication) and gets a short-lived opaque token for
 * the FHIR API. Errors are RFC 6749's (section 5.2), through the OAuth dialect below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smart.h"
#include "ytexa/auth.h"

/* A token lives 5 minutes (SMART recommends no more); an assertion may be valid 5 minutes ahead,
 * with a few seconds for the clocks of two machines. */
#define TOKEN_S 300
#define ASSERTION_AHEAD_S 300
#define CLOCK_SKEW_S 10
/* Ceilings checked before any decoding: the form, the assertion, and each of its parts. */
#define FORM_MAX 16384
#define ASSERTION_MAX 8192
#define HEADER_MAX 1024
#define PAYLOAD_MAX 4096
#define SIGNATURE_MAX 1400 /* base64url of an 8192-bit RSA signature (1366) */
#define JWT_BEARER "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/* RFC 6749 5.2: {"error", "error_description"}. The error codes are the ones the handler sets
 * with yx_fail_code(); a refusal the dispatcher makes before it (a ceiling) is invalid_request. */
static json_t *oauth_error(const struct yx_req *r, int status)
{
    const char *code = r->err_code ? r->err_code : status >= 500 ? "server_error" : "invalid_request";
    char msg[sizeof r->err_msg];
    /* RFC 6749 5.2 allows only ASCII in error_description: the English half, whatever the client's
     * Accept-Language (a program reads it, not a person). */
    return json_pack("{s:s,s:s}", "error", code, "error_description", yx_error_text(r, 1, msg, sizeof msg));
}

const struct yx_api_dialect yx_oauth_dialect = {"/fhir/auth/", "application/json; charset=utf-8",
                                                oauth_error};
/* The discovery document is plain JSON (SMART App Launch 2.x), not a FHIR resource. */
const struct yx_api_dialect yx_smart_discovery_dialect = {"/fhir/.well-known/",
                                                          "application/json; charset=utf-8", oauth_error};

/* The client is not who it says, or cannot be checked (401). */
#define CLIENT(r, ...) yx_fail_code(r, YX_EAUTH, "invalid_client", NULL, __VA_ARGS__)
/* The client's assertion is not acceptable now (400). */
#define GRANT(r, ...) yx_fail_code(r, YX_EINVAL, "invalid_grant", NULL, __VA_ARGS__)

struct form {
    const char *grant_type, *assertion_type, *assertion, *scope, *client_id;
};

/* The form-encoded body, read with the query's decoder (a form is a query string in the body). A
 * parameter given twice is refused (RFC 6749 3.2), an unknown one ignored (RFC 6749 3.2 too). */
static int read_form(struct yx_req *r, struct form *f)
{
    static const char *const names[] = {"grant_type", "client_assertion_type", "client_assertion", "scope",
                                        "client_id"};
    const char **slots[] = {&f->grant_type, &f->assertion_type, &f->assertion, &f->scope, &f->client_id};
    const char *ct = r->content_type ? r->content_type : "", *query = r->query, *name, *value;
    int rc = 0;
    if (strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return yx_fail_code(r, YX_EMEDIA, "invalid_request", NULL,
                            "Gửi dạng application/x-www-form-urlencoded / send the form url-encoded.");
    r->query = r->body ? r->body : "";
    for (int i = 0; rc == 0 && (rc = yx_query_at(r, i, &name, &value)) == 1; i++, rc = 0)
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strcmp(name, names[k]) == 0) {
                if (*slots[k])
                    rc = yx_fail_code(r, YX_EINVAL, "invalid_request", NULL,
                                      "Tham số %s lặp lại / %s is given twice.", name, name);
                *slots[k] = value;
            }
    r->query = query;
    if (rc == YX_EINVAL && !r->err_code)
        r->err_code = "invalid_request";
    return rc;
}

/* Part n of the compact JWS a (header, payload, signature): its place and length. */
static int jws_parts(const char *a, const char *part[3], size_t len[3])
{
    const char *p = a;
    for (int i = 0; i < 3; i++) {
        part[i] = p;
        len[i] = strcspn(p, ".");
        p += len[i];
        if (i < 2 && *p++ != '.')
            return YX_EINVAL;
    }
    return *p ? YX_EINVAL : 0;
}

/* A base64url part as a JSON object; NULL when it is not one. */
static json_t *json_part(const char *s, size_t n)
{
    unsigned char buf[PAYLOAD_MAX];
    size_t len;
    if (yx_b64url_decode(s, n, buf, sizeof buf, &len) != 0)
        return NULL;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* The key of kid in the registered JWKS (text), or NULL. */
static EVP_PKEY *key_of(const char *jwks_text, const char *kid)
{
    json_t *jwks = json_loads(jwks_text, 0, NULL), *k;
    EVP_PKEY *key = NULL;
    const char *why;
    size_t i;
    json_array_foreach(json_object_get(jwks, "keys"), i, k)
    {
        const char *id = json_string_value(json_object_get(k, "kid"));
        if (id && strcmp(id, kid) == 0) {
            yx_jwk_key(k, &why, &key);
            break;
        }
    }
    json_decref(jwks);
    return key;
}

/* Does aud (a string, or an array of them) name the token URL? */
static int aud_names(const json_t *aud, const char *url)
{
    size_t i;
    json_t *v;
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), url) == 0;
    json_array_foreach(aud, i, v) if (json_is_string(v) && strcmp(json_string_value(v), url) == 0) return 1;
    return 0;
}

const char *yx_smart_token_url(struct yx_req *r)
{
    const char *base = yx_auth_settings()->public_url;
    size_t n = strlen(base) + sizeof YX_SMART_TOKEN_PATH;
    char *u = yx_arena_alloc(&r->arena, n);
    if (u)
        snprintf(u, n, "%s%s", base, YX_SMART_TOKEN_PATH);
    return u;
}

/* The scopes asked for, each within the system's registered scopes, written back in v2's form. */
static int granted_scopes(struct yx_req *r, const char *asked, const char *registered, char *out, size_t size)
{
    struct yx_smart_scope want[YX_SCOPES_MAX], have[YX_SCOPES_MAX];
    const char *why = NULL;
    int nw, nh;
    if (yx_smart_scopes_parse(asked, want, &nw, &why) != 0)
        return yx_fail_code(r, YX_EINVAL, "invalid_scope", NULL, "Phạm vi không hợp lệ: %s / scope: %s.", why,
                            why);
    if (yx_smart_scopes_parse(registered, have, &nh, &why) != 0)
        return YX_EINTERNAL;
    for (int i = 0; i < nw; i++)
        if (!yx_smart_scopes_allow(have, nh, want[i].type, want[i].perms))
            return yx_fail_code(
                r, YX_EINVAL, "invalid_scope", NULL,
                "Hệ thống không được cấp phạm vi system/%s / system/%s is outside the scopes this "
                "system is registered for.",
                want[i].type, want[i].type);
    return yx_smart_scopes_text(want, nw, out, size);
}

/* The system the assertion names, its signature checked: the registration's row (id, client_id,
 * scopes) in *rows. */
static int authenticate_client(struct yx_req *r, const struct form *f, json_t *hdr, json_t *claims,
                               const char *signed_part, size_t signed_len, const char *sig_b64,
                               size_t sig_len, struct yx_rows **rows)
{
    unsigned char sig[1100];
    size_t siglen;
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    const char *kid = json_string_value(json_object_get(hdr, "kid"));
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    if (!alg || (strcmp(alg, "RS384") != 0 && strcmp(alg, "ES384") != 0))
        return CLIENT(r, "Thuật toán ký không hỗ trợ / alg must be RS384 or ES384.");
    if (!kid || !iss || !sub || strlen(iss) > 64)
        return CLIENT(r, "Thiếu kid, iss hoặc sub / the assertion needs kid, iss and sub.");
    r->audit_resource_id = yx_arena_strdup(&r->arena, iss);
    if (strcmp(iss, sub) != 0 || (f->client_id && strcmp(f->client_id, iss) != 0))
        return CLIENT(r, "iss, sub và client_id phải trùng / iss, sub (and client_id) must be the same.");
    int rc = YX_DB_Q(r->db, rows,
                     "SELECT id, client_id, scopes, jwks, revoked_at FROM systems WHERE client_id = ?",
                     YX_PT(iss));
    if (rc)
        return rc;
    if ((*rows)->nrows != 1 || !yx_rows_null(*rows, 0, "revoked_at"))
        return CLIENT(
            r, "Hệ thống chưa đăng ký hoặc đã bị thu hồi / this client is not registered, or revoked.");
    EVP_PKEY *key = key_of(yx_rows_str(*rows, 0, "jwks"), kid);
    if (!key)
        return CLIENT(r, "Không có khoá kid này / no registered key has this kid.");
    if (yx_b64url_decode(sig_b64, sig_len, sig, sizeof sig, &siglen) != 0)
        rc = CLIENT(r, "Chữ ký không đọc được / the signature is not base64url.");
    else if (yx_jws_verify(key, alg, signed_part, signed_len, sig, siglen) != 0)
        rc = CLIENT(r, "Chữ ký sai / the signature does not verify with the registered key.");
    EVP_PKEY_free(key);
    return rc;
}

/* The claims that make the (authentic) assertion acceptable now: aud, exp, jti. */
static int check_claims(struct yx_req *r, json_t *claims, int64_t now, int64_t *exp_ms, const char **jti)
{
    const char *url = yx_smart_token_url(r);
    json_t *exp = json_object_get(claims, "exp");
    *jti = json_string_value(json_object_get(claims, "jti"));
    if (!url)
        return YX_ENOMEM;
    if (!aud_names(json_object_get(claims, "aud"), url))
        return GRANT(r, "aud phải là %s / aud must be the token URL, %s.", url, url);
    if (!json_is_integer(exp))
        return GRANT(r, "Thiếu exp / the assertion needs exp (seconds since 1970).");
    json_int_t e = json_integer_value(exp);
    if (e <= 0 || e > INT64_MAX / 1000 || e * 1000 <= now)
        return GRANT(r, "Xác nhận đã hết hạn / the assertion has expired.");
    if (e * 1000 > now + (ASSERTION_AHEAD_S + CLOCK_SKEW_S) * 1000)
        return GRANT(r, "exp quá xa / exp is more than 5 minutes ahead.");
    if (!*jti || !**jti || strlen(*jti) > 256)
        return GRANT(r, "Thiếu jti / the assertion needs a jti of 1 to 256 characters.");
    *exp_ms = e * 1000;
    return 0;
}

/* POST /fhir/auth/token */
static int token(struct yx_req *r)
{
    struct form f = {0};
    struct yx_rows *sys = NULL, *seen = NULL;
    json_t *hdr = NULL, *claims = NULL;
    const char *part[3], *jti;
    size_t len[3];
    char granted[YX_SCOPE_TEXT_MAX + 64], tok[64], hash[65];
    int64_t now = yx_now_ms(), exp_ms = 0;
    int rc;
    if (r->body_len > FORM_MAX)
        return yx_fail_code(r, YX_ETOOBIG, "invalid_request", NULL, "Tối đa 16 KB / send at most 16 KB.");
    if ((rc = read_form(r, &f)) != 0)
        return rc;
    if (!f.grant_type || strcmp(f.grant_type, "client_credentials") != 0)
        return yx_fail_code(r, YX_EINVAL, "unsupported_grant_type", NULL,
                            "grant_type phải là client_credentials / only client_credentials is served.");
    if (!f.assertion_type || strcmp(f.assertion_type, JWT_BEARER) != 0 || !f.assertion)
        return CLIENT(r, "Cần client_assertion kiểu jwt-bearer / authenticate with a client_assertion of "
                         "type " JWT_BEARER ".");
    if (!f.scope)
        return yx_fail_code(r, YX_EINVAL, "invalid_scope", NULL,
                            "Cần scope / name the scopes, as system/Patient.rs.");
    /* The ceilings come before any decoding: a huge header costs nothing but this. */
    if (strlen(f.assertion) > ASSERTION_MAX || jws_parts(f.assertion, part, len) != 0 ||
        len[0] > HEADER_MAX || len[1] > PAYLOAD_MAX || len[2] > SIGNATURE_MAX)
        return CLIENT(r, "client_assertion không phải JWT hợp lệ / the client_assertion is not a compact JWS "
                         "within the size limits.");
    if (!(hdr = json_part(part[0], len[0])) || !(claims = json_part(part[1], len[1]))) {
        rc = CLIENT(r, "Không đọc được JWT / the JWT's header or claims are not base64url JSON.");
        goto out;
    }
    if ((rc = authenticate_client(r, &f, hdr, claims, part[0], len[0] + 1 + len[1], part[2], len[2], &sys)) !=
            0 ||
        (rc = check_claims(r, claims, now, &exp_ms, &jti)) != 0 ||
        (rc = granted_scopes(r, f.scope, yx_rows_str(sys, 0, "scopes"), granted, sizeof granted)) != 0)
        goto out;
    int64_t system_id = yx_rows_i64(sys, 0, "id");
    /* What has expired is no longer needed to refuse anything: a replay of an expired assertion
     * fails on its exp. */
    if ((rc = YX_DB_Q(r->db, NULL, "DELETE FROM system_jtis WHERE expires_at < ?", YX_PI(now))) != 0 ||
        (rc = YX_DB_Q(r->db, NULL, "DELETE FROM system_tokens WHERE expires_at < ?", YX_PI(now))) != 0 ||
        (rc = YX_DB_Q(r->db, &seen,
                      "INSERT INTO system_jtis (system_id, jti, expires_at) VALUES (?, ?, ?) "
                      "ON CONFLICT DO NOTHING RETURNING jti",
                      YX_PI(system_id), YX_PT(jti), YX_PI(exp_ms))) != 0)
        goto out;
    if (seen->nrows != 1) {
        rc = GRANT(r, "jti đã dùng / this assertion's jti was used before: sign a new one.");
        goto out;
    }
    yx_random_token(tok, sizeof tok, 32);
    char *access = yx_arena_alloc(&r->arena, sizeof YX_SYSTEM_TOKEN_PREFIX + sizeof tok);
    if (!access || yx_snprintf(access, sizeof YX_SYSTEM_TOKEN_PREFIX + sizeof tok, "%s%s",
                               YX_SYSTEM_TOKEN_PREFIX, tok) != 0) {
        rc = YX_ENOMEM;
        goto out;
    }
    yx_sha256_hex(access, strlen(access), hash);
    if ((rc = YX_DB_Q(r->db, NULL,
                      "INSERT INTO system_tokens (token_hash, system_id, scope, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      YX_PT(hash), YX_PI(system_id), YX_PT(granted), YX_PI(now),
                      YX_PI(now + TOKEN_S * 1000))) != 0)
        goto out;
    /* The event names the system as its actor, as the events of the token's uses do. */
    r->who.system_id = system_id;
    snprintf(r->who.role, sizeof r->who.role, "system");
    /* Every API answer is Cache-Control: no-store already (RFC 6749 5.1 asks it of a token). */
    yx_reply_header(r, "Pragma", "no-cache");
    rc = yx_reply(r, 200,
                  json_pack("{s:s,s:s,s:i,s:s}", "access_token", access, "token_type", "bearer", "expires_in",
                            TOKEN_S, "scope", granted));
out:
    json_decref(hdr);
    json_decref(claims);
    yx_rows_free(sys);
    yx_rows_free(seen);
    return rc;
}

/* GET /.well-known/smart-configuration: what a system needs to find the token endpoint. */
static int smart_configuration(struct yx_req *r)
{
    const char *url = yx_smart_token_url(r);
    if (!url)
        return YX_ENOMEM;
    return yx_reply(r, 200,
                    json_pack("{s:s,s:[s],s:[s],s:[s,s],s:[s,s,s,s,s],s:[s,s]}", "token_endpoint", url,
                              "token_endpoint_auth_methods_supported", "private_key_jwt",
                              "grant_types_supported", "client_credentials",
                              "token_endpoint_auth_signing_alg_values_supported", "RS384", "ES384",
                              "scopes_supported", "system/*.rs", "system/Patient.rs",
                              "system/Organization.rs", "system/Patient.read", "system/Organization.read",
                              "capabilities", "client-confidential-asymmetric", "permission-v2"));
}

const struct yx_route yx_smart_routes[] = {
    {"POST", YX_SMART_TOKEN_PATH, token, YX_R_PUBLIC | YX_R_RAW, "system.token", "system", 0, NULL},
    /* SMART places it under the FHIR base; the server's root has it too, for a client that looks
     * there. */
    {"GET", "/fhir/.well-known/smart-configuration", smart_configuration, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {"GET", "/.well-known/smart-configuration", smart_configuration, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
