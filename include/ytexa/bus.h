/* The bus between several instances of ytexa on one PostgreSQL (src/store/bus.c): what one
 * instance's hub delivers to its sockets, the others deliver to theirs, so a doctor connected to
 * one instance and a health worker connected to another still share a visit's channel.
 *
 * It is PostgreSQL's LISTEN/NOTIFY on a connection of its own, run by a thread of its own; a
 * message too big for a notification (8000 bytes) waits in the table hub_bus and the notification
 * carries its id. On SQLite there is one instance only and the bus does nothing. Delivery is at
 * most once: messages published while the database is unreachable may be lost. */
#ifndef YTEXA_BUS_H
#define YTEXA_BUS_H

#include <stdint.h>

/* Called on the bus's thread for each message another instance published; channel and text are
 * the bus's and valid only during the call. to_user is 0 for everyone in the channel. */
typedef void (*yx_bus_handler)(const char *channel, int64_t to_user, const char *text, void *arg);

/* Starts the bus when db_url is a PostgreSQL URL (it connects in the background, and again with
 * a growing delay whenever the connection is lost); for any other URL it does nothing. 0, or
 * YX_ENOMEM / YX_EINTERNAL when it could not start. */
int yx_bus_start(const char *db_url, yx_bus_handler on_message, void *arg);

/* Queues text (copied) for the other instances, from any thread, without waiting for the
 * database. What is queued is bounded: when the database is unreachable for long, the oldest
 * messages are dropped (and counted in the log). Does nothing when the bus is not running. */
void yx_bus_publish(const char *channel, int64_t to_user, const char *text);

/* Is the bus running: are there perhaps other instances that receive what is published? */
int yx_bus_active(void);

/* How many messages never reached the database since the bus last started: dropped from a full
 * queue, refused by the database, or still queued when it stopped. */
uint64_t yx_bus_dropped(void);

/* Sends what is still queued if it can, disconnects and joins the thread. Safe to call when the
 * bus never started. */
void yx_bus_stop(void);

#endif
