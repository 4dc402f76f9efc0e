/* What the hub delivers that does not come from this instance's sockets: notifications published
 * from any thread (yx_hub_publish), and the channel events of the other instances on the same
 * PostgreSQL, which the bus brings (ytexa/bus.h). Both are handed to the loop and delivered there
 * exactly as the hub's own. */
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "ytexa/bus.h"
#include "ytexa/loop.h"
#include "ytexa/realtime.h"

/* A message on its way to the loop. */
struct posted {
    int64_t to_user;
    char channel[40];
    char text[];
};

static void on_posted(void *arg)
{
    struct posted *p = arg;
    yx_hub_deliver(p->channel, p->to_user, p->text);
    free(p);
}

static void post_to_loop(const char *channel, int64_t to_user, const char *text)
{
    size_t n = strlen(text);
    struct posted *p = malloc(sizeof *p + n + 1);
    if (!p || yx_snprintf(p->channel, sizeof p->channel, "%s", channel) != 0) {
        free(p);
        return;
    }
    p->to_user = to_user;
    memcpy(p->text, text, n + 1);
    if (yx_loop_post(on_posted, p) != 0)
        free(p);
}

/* On the bus's thread. */
static void on_bus_message(const char *channel, int64_t to_user, const char *text, void *arg)
{
    (void)arg;
    post_to_loop(channel, to_user, text);
}

void yx_hub_publish_text(const char *channel, const char *text)
{
    yx_bus_publish(channel, 0, text);
    post_to_loop(channel, 0, text);
}

void yx_hub_publish(const char *channel, json_t *msg)
{
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!text)
        return;
    yx_hub_publish_text(channel, text);
    free(text);
}

int yx_live_changed(struct yx_db *db, const char *kind, int64_t id, const char *what)
{
    char channel[40];
    if (yx_snprintf(channel, sizeof channel, "%s:%lld", kind, (long long)id) != 0)
        return YX_EINVAL;
    json_t *msg = json_pack("{s:s,s:s,s:I,s:s,s:I}", "type", "changed", "channel", channel, "id",
                            (json_int_t)id, "what", what, "version", (json_int_t)yx_now_ms());
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    int rc = text ? yx_db_publish(db, channel, text) : YX_ENOMEM;
    free(text);
    return rc;
}

/* Attaching is also when the hub starts its own timer on the loop (the re-check of the sockets'
 * channels): the server attaches on the loop's thread before running it, and detaches after. */
int yx_hub_attach(const char *db_url)
{
    int rc = yx_bus_start(db_url, on_bus_message, NULL);
    if (rc == 0 && (rc = yx_hub_recheck_start()) != 0)
        yx_bus_stop();
    return rc;
}

void yx_hub_detach(void)
{
    yx_hub_recheck_stop();
    yx_bus_stop();
}
