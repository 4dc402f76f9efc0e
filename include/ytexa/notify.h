/* Outward delivery of notifications (SMS / Zalo) through the operator's webhook:
 * src/schedule/sender.c. */
#ifndef YTEXA_NOTIFY_H
#define YTEXA_NOTIFY_H

struct yx_config;

/* Starts the sender thread when cfg names a webhook (does nothing otherwise). Call once, from
 * the main thread, before serving. */
int yx_notify_sender_start(const struct yx_config *cfg);
/* Stops it after the delivery in progress. */
void yx_notify_sender_stop(void);

#endif
