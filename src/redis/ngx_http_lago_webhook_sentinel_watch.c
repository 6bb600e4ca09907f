
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The +switch-master subscription.  Its connection is made like a
 * question's, and lost the same ways; lost, it is made again on the next
 * sentinel after the backoff, which starts over once a sentinel has
 * confirmed the subscription.  Until then, and while it is lost, a
 * failover is learnt as before: from the master's connection.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_lago_webhook_sentinel.h"
#include "ngx_http_lago_webhook_redis_io.h"
#include "lago_webhook_sentinel.h"


/* the same backoff as the master's connection */
#define NGX_HTTP_LAGO_WEBHOOK_SENTINEL_BACKOFF_MIN  50
#define NGX_HTTP_LAGO_WEBHOOK_SENTINEL_BACKOFF_MAX  1000

/*
 * A message is "<name> <ip> <port> <ip> <port>" in an array of three:
 * a sentinel that sends a reply longer than this is not listened to.
 */
#define NGX_HTTP_LAGO_WEBHOOK_SENTINEL_MAX_REPLY    4096


typedef struct {
    ngx_http_lago_webhook_sentinel_conf_t      *conf;
    ngx_http_lago_webhook_sentinel_switch_pt    handler;
    void                                       *data;
    ngx_log_t                                  *log;

    ngx_http_lago_webhook_redis_io_t           *io;
    ngx_uint_t                                  current;  /* listened to */
    ngx_uint_t                                  moved_by; /* told of it */
    ngx_uint_t                                  awaiting; /* AUTH's reply */
    ngx_msec_t                                  backoff;
    ngx_event_t                                 timer;    /* confirmation */
    ngx_event_t                                 retry;
    ngx_event_t                                 lost;     /* posted */
    ngx_event_t                                 moved;    /* posted */

    ngx_sockaddr_t                              sockaddr;
    ngx_addr_t                                  master;
    u_char                                      text[NGX_SOCKADDR_STRLEN];

    unsigned                                    watching:1;
    unsigned                                    subscribed:1;
    unsigned                                    broken:1;
    unsigned                                    logged:1; /* this outage */
} ngx_http_lago_webhook_sentinel_watch_t;


static void ngx_http_lago_webhook_sentinel_subscribe(
    ngx_http_lago_webhook_sentinel_watch_t *w);
static void ngx_http_lago_webhook_sentinel_watch_connected(void *data);
static void ngx_http_lago_webhook_sentinel_watch_reply(void *data,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_sentinel_switched(
    ngx_http_lago_webhook_sentinel_watch_t *w, redisReply *payload);
static void ngx_http_lago_webhook_sentinel_watch_failed(void *data,
    const char *what, const char *detail);
static void ngx_http_lago_webhook_sentinel_watch_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_sentinel_watch_break(
    ngx_http_lago_webhook_sentinel_watch_t *w, const char *what,
    const char *detail);
static void ngx_http_lago_webhook_sentinel_watch_lost(ngx_event_t *ev);
static void ngx_http_lago_webhook_sentinel_watch_retry(ngx_event_t *ev);
static void ngx_http_lago_webhook_sentinel_watch_moved(ngx_event_t *ev);
static void ngx_http_lago_webhook_sentinel_watch_close(
    ngx_http_lago_webhook_sentinel_watch_t *w);


/* One subscription per worker process. */
static ngx_http_lago_webhook_sentinel_watch_t
    ngx_http_lago_webhook_sentinel_watcher;


void
ngx_http_lago_webhook_sentinel_watch(
    ngx_http_lago_webhook_sentinel_conf_t *conf,
    ngx_http_lago_webhook_sentinel_switch_pt handler, void *data,
    ngx_log_t *log)
{
    ngx_http_lago_webhook_sentinel_watch_t  *w;

    w = &ngx_http_lago_webhook_sentinel_watcher;

    ngx_http_lago_webhook_sentinel_unwatch();

    ngx_memzero(w, sizeof(ngx_http_lago_webhook_sentinel_watch_t));

    w->conf = conf;
    w->handler = handler;
    w->data = data;
    w->log = log;
    w->backoff = NGX_HTTP_LAGO_WEBHOOK_SENTINEL_BACKOFF_MIN;

    /* cancelable: a worker shutting down does not wait for them */

    w->timer.handler = ngx_http_lago_webhook_sentinel_watch_timeout;
    w->timer.data = w;
    w->timer.log = log;
    w->timer.cancelable = 1;

    w->retry.handler = ngx_http_lago_webhook_sentinel_watch_retry;
    w->retry.data = w;
    w->retry.log = log;
    w->retry.cancelable = 1;

    w->lost.handler = ngx_http_lago_webhook_sentinel_watch_lost;
    w->lost.data = w;
    w->lost.log = log;

    w->moved.handler = ngx_http_lago_webhook_sentinel_watch_moved;
    w->moved.data = w;
    w->moved.log = log;

    w->watching = 1;

    ngx_http_lago_webhook_sentinel_subscribe(w);
}


void
ngx_http_lago_webhook_sentinel_unwatch(void)
{
    ngx_http_lago_webhook_sentinel_watch_t  *w;

    w = &ngx_http_lago_webhook_sentinel_watcher;

    if (!w->watching) {
        return;
    }

    ngx_http_lago_webhook_sentinel_watch_close(w);

    if (w->retry.timer_set) {
        ngx_del_timer(&w->retry);
    }

    if (w->lost.posted) {
        ngx_delete_posted_event(&w->lost);
    }

    if (w->moved.posted) {
        ngx_delete_posted_event(&w->moved);
    }

    w->watching = 0;
}


static void
ngx_http_lago_webhook_sentinel_subscribe(
    ngx_http_lago_webhook_sentinel_watch_t *w)
{
    size_t                                     argvlen[2];
    ngx_int_t                                  rv;
    const char                                *argv[2], *detail;
    ngx_http_lago_webhook_redis_io_handler_t   handler;

    handler.connected = ngx_http_lago_webhook_sentinel_watch_connected;
    handler.reply = ngx_http_lago_webhook_sentinel_watch_reply;
    handler.failed = ngx_http_lago_webhook_sentinel_watch_failed;
    handler.data = w;

    argv[0] = "SUBSCRIBE";
    argvlen[0] = sizeof("SUBSCRIBE") - 1;
    argv[1] = "+switch-master";
    argvlen[1] = sizeof("+switch-master") - 1;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, w->log, 0,
                   "lago_webhook sentinel: subscribing on %V",
                   &w->conf->sentinels[w->current].name);

    w->subscribed = 0;
    w->broken = 0;
    w->awaiting = 0;

    rv = ngx_http_lago_webhook_sentinel_open(w->conf, w->current,
                                      NGX_HTTP_LAGO_WEBHOOK_SENTINEL_MAX_REPLY,
                                      &handler, 2, argv, argvlen, w->log,
                                      &w->io, &detail);

    if (rv == NGX_DECLINED) {
        ngx_http_lago_webhook_sentinel_watch_break(w, "could not be reached",
                                                   detail);
        return;
    }

    if (rv != NGX_OK) {
        ngx_http_lago_webhook_sentinel_watch_break(w, "could not be asked",
                                                   "out of memory");
        return;
    }

    /* AUTH's reply, when it was sent, comes first */
    w->awaiting = w->conf->password.len ? 1 : 0;

    ngx_add_timer(&w->timer, w->conf->timeout);
}


static void
ngx_http_lago_webhook_sentinel_watch_connected(void *data)
{
    ngx_log_debug0(NGX_LOG_DEBUG_EVENT,
                   ((ngx_http_lago_webhook_sentinel_watch_t *) data)->log, 0,
                   "lago_webhook sentinel: subscription connected");
}


/*
 * AUTH's reply, when sent, then SUBSCRIBE's confirmation, then messages;
 * anything else is a sentinel not to listen to.  Called from within the
 * io's read loop: what it decides is carried out from posted events.
 */

static void
ngx_http_lago_webhook_sentinel_watch_reply(void *data, redisReply *reply)
{
    ngx_http_lago_webhook_sentinel_watch_t  *w = data;

    ngx_addr_t  *sentinel;

    if (w->broken) {
        return;
    }

    if (w->awaiting) {
        w->awaiting = 0;

        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_http_lago_webhook_sentinel_watch_break(w, "refused AUTH",
                                                       reply->str);
        }

        return;
    }

    switch (lago_webhook_sentinel_watch(reply, w->subscribed)) {

    case LAGO_WEBHOOK_SENTINEL_ERROR:
        ngx_http_lago_webhook_sentinel_watch_break(w,
                                                   "answered with an error",
                                                   reply->str);
        return;

    case LAGO_WEBHOOK_SENTINEL_SUBSCRIBED:
        w->subscribed = 1;
        w->logged = 0;
        w->backoff = NGX_HTTP_LAGO_WEBHOOK_SENTINEL_BACKOFF_MIN;

        if (w->timer.timer_set) {
            ngx_del_timer(&w->timer);
        }

        sentinel = &w->conf->sentinels[w->current];

        ngx_log_error(NGX_LOG_INFO, w->log, 0,
                      "lago_webhook: sentinel %V: watching +switch-master",
                      &sentinel->name);
        return;

    case LAGO_WEBHOOK_SENTINEL_MESSAGE:
        if (ngx_http_lago_webhook_sentinel_switched(w, reply->element[2])
            != NGX_OK)
        {
            goto broken;
        }

        return;

    default:
        goto broken;
    }

broken:

    ngx_http_lago_webhook_sentinel_watch_break(w, "broke the protocol",
                                               "not a +switch-master message");
}


/*
 * "<name> <old ip> <old port> <new ip> <new port>": another master's
 * switch is none of ours, ours is told from a posted event.
 */

static ngx_int_t
ngx_http_lago_webhook_sentinel_switched(
    ngx_http_lago_webhook_sentinel_watch_t *w, redisReply *payload)
{
    lago_webhook_sentinel_addr_t  to;

    switch (lago_webhook_sentinel_switch((u_char *) payload->str,
                                         payload->len, w->conf->master.data,
                                         w->conf->master.len, &to))
    {
    case 0:
        return NGX_OK;

    case 1:
        break;

    default:
        return NGX_ERROR;
    }

    if (ngx_http_lago_webhook_redis_io_address((u_char *) to.ip, to.ip_len,
                                               (in_port_t) to.port,
                                               &w->sockaddr, &w->master,
                                               w->text)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, w->log, 0,
                   "lago_webhook sentinel: +switch-master to %V",
                   &w->master.name);

    w->moved_by = w->current;

    if (!w->moved.posted) {
        ngx_post_event(&w->moved, &ngx_posted_events);
    }

    return NGX_OK;
}


/* the io connection is dead */

static void
ngx_http_lago_webhook_sentinel_watch_failed(void *data, const char *what,
    const char *detail)
{
    ngx_http_lago_webhook_sentinel_watch_break(data, what, detail);
}


static void
ngx_http_lago_webhook_sentinel_watch_timeout(ngx_event_t *ev)
{
    ngx_http_lago_webhook_sentinel_watch_break(ev->data,
                                              "did not answer in time", NULL);
}


/*
 * This sentinel is not listened to any more: logged once per outage
 * (not every worker's subscription to a sentinel that is down is news),
 * and the connection closed from a posted event.
 */

static void
ngx_http_lago_webhook_sentinel_watch_break(
    ngx_http_lago_webhook_sentinel_watch_t *w, const char *what,
    const char *detail)
{
    ngx_addr_t  *sentinel;

    if (w->broken) {
        return;
    }

    w->broken = 1;

    sentinel = &w->conf->sentinels[w->current];

    if (w->logged || ngx_exiting || ngx_quit || ngx_terminate) {
        ngx_log_debug3(NGX_LOG_DEBUG_EVENT, w->log, 0,
                       "lago_webhook sentinel: %V %s: %s", &sentinel->name,
                       what, detail ? detail : "");

    } else {
        w->logged = 1;

        ngx_log_error(NGX_LOG_WARN, w->log, 0,
                      "lago_webhook: sentinel %V %s%s%s, watching "
                      "+switch-master on the next one", &sentinel->name,
                      what, detail ? ": " : "", detail ? detail : "");
    }

    if (!w->lost.posted) {
        ngx_post_event(&w->lost, &ngx_posted_events);
    }
}


static void
ngx_http_lago_webhook_sentinel_watch_lost(ngx_event_t *ev)
{
    ngx_http_lago_webhook_sentinel_watch_t  *w = ev->data;

    ngx_http_lago_webhook_sentinel_watch_close(w);

    w->current = (w->current + 1) % w->conf->nsentinels;

    if (ngx_exiting || ngx_quit || ngx_terminate || w->retry.timer_set) {
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_EVENT, w->log, 0,
                   "lago_webhook sentinel: subscribing on %V in %M ms",
                   &w->conf->sentinels[w->current].name, w->backoff);

    ngx_add_timer(&w->retry, w->backoff);

    w->backoff *= 2;

    if (w->backoff > NGX_HTTP_LAGO_WEBHOOK_SENTINEL_BACKOFF_MAX) {
        w->backoff = NGX_HTTP_LAGO_WEBHOOK_SENTINEL_BACKOFF_MAX;
    }
}


static void
ngx_http_lago_webhook_sentinel_watch_retry(ngx_event_t *ev)
{
    ngx_http_lago_webhook_sentinel_subscribe(ev->data);
}


/*
 * The sentinel that told of the switch knows the new master: the next
 * question goes to it first, unless one is being asked already.
 */

static void
ngx_http_lago_webhook_sentinel_watch_moved(ngx_event_t *ev)
{
    ngx_http_lago_webhook_sentinel_watch_t  *w = ev->data;

    ngx_http_lago_webhook_sentinel_prefer(w->moved_by);

    w->handler(w->data, &w->master, &w->conf->sentinels[w->moved_by].name);
}


static void
ngx_http_lago_webhook_sentinel_watch_close(
    ngx_http_lago_webhook_sentinel_watch_t *w)
{
    if (w->timer.timer_set) {
        ngx_del_timer(&w->timer);
    }

    if (w->io) {
        ngx_http_lago_webhook_redis_io_close(w->io);
        w->io = NULL;
    }

    w->subscribed = 0;
}
