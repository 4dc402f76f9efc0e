/* The web app's files, served by h2o from --web-dir on the loop: built assets cached for a year,
 * the rest revalidated, every answer with the page's security headers. The build writes a .br and
 * a .gz beside each text file (web/scripts/precompress.mjs); h2o sends the one the browser's
 * Accept-Encoding allows (brotli first), with Vary: Accept-Encoding, and the plain file otherwise,
 * so a phone on a slow link gets the script at a quarter of its size without work per request. The API
 * handler stands in front of them (yx_on_request), and what it does not take falls through to the files. */
#include <stdio.h>
#include <string.h>

#include "server_internal.h"
#include "ytexa/config.h"

/* The page's Content-Security-Policy. It connects to its own origin and the hub's WebSocket, and
 * to Janus's HTTP API when that is on another origin (--janus-public-url with a scheme): the
 * browser then needs Janus's origin named. */
static h2o_iovec_t content_security_policy(const struct yx_config *cfg)
{
    static char csp[720];
    char janus[300] = "";
    const char *u = cfg->janus_public_url;
    if (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) {
        const char *host = strstr(u, "//") + 2;
        size_t n = (size_t)(host - u) + strcspn(host, "/?#");
        yx_snprintf(janus, sizeof janus, " %.*s", (int)n, u);
    }
    yx_snprintf(
        csp, sizeof csp,
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: "
        "wss:%s; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'",
        janus);
    return h2o_iovec_init(csp, strlen(csp));
}

void yx_static_register(h2o_hostconf_t *host, const struct yx_config *cfg)
{
    const char *web_dir = cfg->web_dir;
    static const char *index_files[] = {"index.html", NULL};
    static h2o_iovec_t nosniff_name = {H2O_STRLIT("x-content-type-options")};
    static h2o_iovec_t csp_name = {H2O_STRLIT("content-security-policy")};
    static h2o_iovec_t referrer_name = {H2O_STRLIT("referrer-policy")};
    static h2o_iovec_t hsts_name = {H2O_STRLIT("strict-transport-security")};
    /* On every answer, the API's too; HSTS when ytexa itself speaks TLS (behind nginx, nginx
     * sends it). The hashed files carry the same headers but keep their year of caching: the list
     * without Cache-Control (a script served without nosniff could be read as another type). */
    static h2o_headers_command_t common[6], assets_common[5];
    int n = 0;
    common[n++] = (h2o_headers_command_t){H2O_HEADERS_CMD_SETIFEMPTY, &nosniff_name, {H2O_STRLIT("nosniff")}};
    common[n++] =
        (h2o_headers_command_t){H2O_HEADERS_CMD_SETIFEMPTY, &referrer_name, {H2O_STRLIT("no-referrer")}};
    common[n++] =
        (h2o_headers_command_t){H2O_HEADERS_CMD_SETIFEMPTY, &csp_name, content_security_policy(cfg)};
    if (cfg->tls_cert[0] && cfg->tls_key[0])
        common[n++] = (h2o_headers_command_t){
            H2O_HEADERS_CMD_SETIFEMPTY, &hsts_name, {H2O_STRLIT("max-age=31536000; includeSubDomains")}};
    memcpy(assets_common, common, (size_t)n * sizeof *common);
    assets_common[n] = (h2o_headers_command_t){H2O_HEADERS_CMD_NULL, NULL, {NULL, 0}};
    common[n++] = (h2o_headers_command_t){
        H2O_HEADERS_CMD_SETIFEMPTY, (h2o_iovec_t *)&H2O_TOKEN_CACHE_CONTROL->buf, {H2O_STRLIT("no-cache")}};
    common[n] = (h2o_headers_command_t){H2O_HEADERS_CMD_NULL, NULL, {NULL, 0}};
    /* Vite names built assets by content hash, so they can be cached for a year. */
    h2o_pathconf_t *assets = h2o_config_register_path(host, "/assets", 0);
    h2o_expires_args_t year = {H2O_EXPIRES_MODE_MAX_AGE, {.max_age = 31536000}};
    char assets_dir[600];
    snprintf(assets_dir, sizeof assets_dir, "%s/assets", web_dir);
    /* Ahead of the files here too, for its refusal of a NUL in the path; it passes the rest on. */
    h2o_handler_t *guard = h2o_create_handler(assets, sizeof *guard);
    guard->on_req = yx_on_request;
    h2o_file_register(assets, assets_dir, index_files, NULL, H2O_FILE_FLAG_SEND_COMPRESSED);
    h2o_expires_register(assets, &year);
    h2o_headers_register(assets, assets_common);
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *api = h2o_create_handler(root, sizeof *api);
    api->on_req = yx_on_request;
    h2o_file_register(root, web_dir, index_files, NULL, H2O_FILE_FLAG_SEND_COMPRESSED);
    h2o_headers_register(root, common);
}
