
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A question is asked of one sentinel at a time, starting with the one
 * that answered last: a sentinel that cannot be reached, does not answer
 * in time, or does not know the master passes the question to the next.
 * When every sentinel failed once, the answer is a failure with the last
 * reason, and the caller's backoff decides when to ask again.
 *
 * The io connection calls back from within its read loop, where it must
 * not be closed: what a reply decides is carried out from a posted event.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_lago_webhook_sentinel.h"
#include "ngx_http_lago_webhook_redis_io.h"


typedef struct {
    ngx_http_lago_webhook_sentinel_conf_t      *conf;
    ngx_http_lago_webhook_sentinel_handler_pt   handler;
    void                                       *data;
    ngx_log_t                                  *log;

    ngx_http_lago_webhook_redis_io_t           *io;
    ngx_uint_t                                  current;  /* sentinel asked */
    ngx_uint_t                                  tried;
    ngx_uint_t                                  awaiting; /* replies due */
    ngx_event_t                                 timer;
    ngx_event_t                                 next;

    ngx_sockaddr_t                              sockaddr;
    ngx_addr_t                                  master;
    u_char                                      text[NGX_SOCKADDR_STRLEN];
    u_char                                      detail[320];

    unsigned                                    asking:1;
    unsigned                                    found:1;
} ngx_http_lago_webhook_sentinel_t;


static void ngx_http_lago_webhook_sentinel_query(
    ngx_http_lago_webhook_sentinel_t *s);
static ngx_int_t ngx_http_lago_webhook_sentinel_write(
    ngx_http_lago_webhook_sentinel_t *s, ngx_uint_t argc, ngx_str_t *argv);
static ngx_int_t ngx_http_lago_webhook_sentinel_send(
    ngx_http_lago_webhook_redis_io_t *io, ngx_uint_t argc, ngx_str_t *argv,
    ngx_log_t *log);
static void ngx_http_lago_webhook_sentinel_connected(void *data);
static void ngx_http_lago_webhook_sentinel_reply(void *data,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_sentinel_address(
    ngx_http_lago_webhook_sentinel_t *s, redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_sentinel_parse(u_char *ip,
    size_t iplen, u_char *port, size_t portlen, ngx_sockaddr_t *sockaddr,
    ngx_addr_t *addr, u_char *text);
static void ngx_http_lago_webhook_sentinel_io_failed(void *data,
    const char *what, const char *detail);
static void ngx_http_lago_webhook_sentinel_fail(
    ngx_http_lago_webhook_sentinel_t *s, const char *what,
    const char *detail);
static void ngx_http_lago_webhook_sentinel_post(
    ngx_http_lago_webhook_sentinel_t *s);
static void ngx_http_lago_webhook_sentinel_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_sentinel_next(ngx_event_t *ev);
static void ngx_http_lago_webhook_sentinel_close(
    ngx_http_lago_webhook_sentinel_t *s);


/* One question at a time per worker process. */
static ngx_http_lago_webhook_sentinel_t  ngx_http_lago_webhook_sentinel;


void
ngx_http_lago_webhook_sentinel_ask(ngx_http_lago_webhook_sentinel_conf_t *conf,
    ngx_http_lago_webhook_sentinel_handler_pt handler, void *data,
    ngx_log_t *log)
{
    ngx_http_lago_webhook_sentinel_t  *s;

    s = &ngx_http_lago_webhook_sentinel;

    ngx_http_lago_webhook_sentinel_cancel();

    s->conf = conf;
    s->handler = handler;
    s->data = data;
    s->log = log;

    s->timer.handler = ngx_http_lago_webhook_sentinel_timeout;
    s->timer.data = s;
    s->timer.log = log;
    s->timer.cancelable = 1;

    s->next.handler = ngx_http_lago_webhook_sentinel_next;
    s->next.data = s;
    s->next.log = log;

    if (s->current >= conf->nsentinels) {
        s->current = 0;
    }

    s->tried = 0;
    s->found = 0;
    s->asking = 1;
    s->detail[0] = '\0';

    ngx_http_lago_webhook_sentinel_query(s);
}


void
ngx_http_lago_webhook_sentinel_cancel(void)
{
    ngx_http_lago_webhook_sentinel_t  *s;

    s = &ngx_http_lago_webhook_sentinel;

    ngx_http_lago_webhook_sentinel_close(s);

    if (s->next.posted) {
        ngx_delete_posted_event(&s->next);
    }

    s->asking = 0;
}


/* asks the current sentinel, or the next one that can be reached */

static void
ngx_http_lago_webhook_sentinel_query(ngx_http_lago_webhook_sentinel_t *s)
{
    ngx_int_t                                  rv;
    ngx_str_t                                  argv[3];
    ngx_addr_t                                *sentinel;
    const char                                *detail;
    ngx_http_lago_webhook_redis_io_conf_t      ioc;
    ngx_http_lago_webhook_redis_io_handler_t   handler;

    handler.connected = ngx_http_lago_webhook_sentinel_connected;
    handler.reply = ngx_http_lago_webhook_sentinel_reply;
    handler.failed = ngx_http_lago_webhook_sentinel_io_failed;
    handler.data = s;

    while (s->tried < s->conf->nsentinels) {
        s->tried++;

        sentinel = &s->conf->sentinels[s->current];

        /* sentinels are asked in plaintext: Debian's listen so */

        ngx_memzero(&ioc, sizeof(ngx_http_lago_webhook_redis_io_conf_t));
        ioc.addr = sentinel;
        ioc.name = &sentinel->name;
        ioc.password = &s->conf->password;

        ngx_log_debug1(NGX_LOG_DEBUG_EVENT, s->log, 0,
                       "lago_webhook sentinel: asking %V", &sentinel->name);

        rv = ngx_http_lago_webhook_redis_io_connect(&s->io, &ioc, &handler,
                                                    s->log, &detail);

        if (rv == NGX_DECLINED) {
            ngx_http_lago_webhook_sentinel_fail(s, "could not be reached",
                                                detail);
            continue;
        }

        if (rv != NGX_OK) {
            goto failed;
        }

        /* AUTH's reply, when it was sent, comes first */
        s->awaiting = s->conf->password.len ? 1 : 0;

        ngx_str_set(&argv[0], "SENTINEL");
        ngx_str_set(&argv[1], "get-master-addr-by-name");
        argv[2] = s->conf->master;

        if (ngx_http_lago_webhook_sentinel_write(s, 3, argv) != NGX_OK) {
            goto failed;
        }

        ngx_add_timer(&s->timer, s->conf->timeout);

        return;

    failed:

        ngx_http_lago_webhook_sentinel_close(s);
        ngx_http_lago_webhook_sentinel_fail(s, "could not be asked",
                                            "out of memory");
    }

    /* every sentinel failed: the answer is given from the posted event */

    ngx_http_lago_webhook_sentinel_post(s);
}


/* a command of the question: one more reply to wait for */

static ngx_int_t
ngx_http_lago_webhook_sentinel_write(ngx_http_lago_webhook_sentinel_t *s,
    ngx_uint_t argc, ngx_str_t *argv)
{
    if (ngx_http_lago_webhook_sentinel_send(s->io, argc, argv, s->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    s->awaiting++;

    return NGX_OK;
}


static void
ngx_http_lago_webhook_sentinel_connected(void *data)
{
    ngx_log_debug0(NGX_LOG_DEBUG_EVENT,
                   ((ngx_http_lago_webhook_sentinel_t *) data)->log, 0,
                   "lago_webhook sentinel: connected");
}


/* AUTH's reply, when sent, then the master's address */

static void
ngx_http_lago_webhook_sentinel_reply(void *data, redisReply *reply)
{
    ngx_http_lago_webhook_sentinel_t  *s = data;

    if (s->awaiting == 0) {
        /* decided already: the connection is closed from the event */
        return;
    }

    if (--s->awaiting) {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_http_lago_webhook_sentinel_fail(s, "refused AUTH",
                                                reply->str);
            ngx_http_lago_webhook_sentinel_post(s);
        }

        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_lago_webhook_sentinel_fail(s, "answered with an error",
                                            reply->str);

    } else if (reply->type == REDIS_REPLY_NIL) {
        ngx_http_lago_webhook_sentinel_fail(s, "does not know the master",
                                            NULL);

    } else if (ngx_http_lago_webhook_sentinel_address(s, reply) != NGX_OK) {
        ngx_http_lago_webhook_sentinel_fail(s, "broke the protocol",
                                            "not an address and a port");

    } else {
        s->found = 1;
    }

    ngx_http_lago_webhook_sentinel_post(s);
}


/*
 * [ip, port].  Sentinel gives addresses unless told to announce host
 * names, which a worker does not resolve: it never blocks on DNS.
 */

static ngx_int_t
ngx_http_lago_webhook_sentinel_address(ngx_http_lago_webhook_sentinel_t *s,
    redisReply *reply)
{
    redisReply  *ip, *port;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        return NGX_ERROR;
    }

    ip = reply->element[0];
    port = reply->element[1];

    if (ip->type != REDIS_REPLY_STRING || port->type != REDIS_REPLY_STRING) {
        return NGX_ERROR;
    }

    return ngx_http_lago_webhook_sentinel_parse((u_char *) ip->str, ip->len,
                                                (u_char *) port->str,
                                                port->len, &s->sockaddr,
                                                &s->master, s->text);
}


/* an address and a port as a sentinel writes them, into addr */

static ngx_int_t
ngx_http_lago_webhook_sentinel_parse(u_char *ip, size_t iplen, u_char *port,
    size_t portlen, ngx_sockaddr_t *sockaddr, ngx_addr_t *addr, u_char *text)
{
    ngx_int_t            n;
    in_addr_t            inaddr;
    struct sockaddr_in  *sin;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6 *sin6;
#endif

    n = ngx_atoi(port, portlen);

    if (n < 1 || n > 65535) {
        return NGX_ERROR;
    }

    ngx_memzero(sockaddr, sizeof(ngx_sockaddr_t));

    inaddr = ngx_inet_addr(ip, iplen);

    if (inaddr != INADDR_NONE) {
        sin = &sockaddr->sockaddr_in;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = inaddr;
        addr->socklen = sizeof(struct sockaddr_in);

#if (NGX_HAVE_INET6)
    } else if (ngx_inet6_addr(ip, iplen,
                              sockaddr->sockaddr_in6.sin6_addr.s6_addr)
               == NGX_OK)
    {
        sin6 = &sockaddr->sockaddr_in6;
        sin6->sin6_family = AF_INET6;
        addr->socklen = sizeof(struct sockaddr_in6);
#endif

    } else {
        return NGX_ERROR;
    }

    ngx_inet_set_port(&sockaddr->sockaddr, (in_port_t) n);

    addr->sockaddr = &sockaddr->sockaddr;
    addr->name.data = text;
    addr->name.len = ngx_sock_ntop(addr->sockaddr, addr->socklen, text,
                                   NGX_SOCKADDR_STRLEN, 1);

    return NGX_OK;
}


/* the io connection is dead: it may be closed at once */

static void
ngx_http_lago_webhook_sentinel_io_failed(void *data, const char *what,
    const char *detail)
{
    ngx_http_lago_webhook_sentinel_t  *s = data;

    ngx_http_lago_webhook_sentinel_close(s);
    ngx_http_lago_webhook_sentinel_fail(s, what, detail);
    ngx_http_lago_webhook_sentinel_post(s);
}


/*
 * This sentinel failed: why is kept for the answer, should no other one
 * do better, and the next one is the one to ask.
 */

static void
ngx_http_lago_webhook_sentinel_fail(ngx_http_lago_webhook_sentinel_t *s,
    const char *what, const char *detail)
{
    u_char      *p;
    ngx_addr_t  *sentinel;

    sentinel = &s->conf->sentinels[s->current];

    p = ngx_snprintf(s->detail, sizeof(s->detail) - 1, "sentinel %V %s%s%s",
                     &sentinel->name, what, detail ? ": " : "",
                     detail ? detail : "");
    *p = '\0';

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, s->log, 0,
                   "lago_webhook sentinel: %s", s->detail);

    s->awaiting = 0;
    s->current = (s->current + 1) % s->conf->nsentinels;
}


static void
ngx_http_lago_webhook_sentinel_post(ngx_http_lago_webhook_sentinel_t *s)
{
    if (!s->next.posted) {
        ngx_post_event(&s->next, &ngx_posted_events);
    }
}


static void
ngx_http_lago_webhook_sentinel_timeout(ngx_event_t *ev)
{
    ngx_http_lago_webhook_sentinel_t  *s = ev->data;

    ngx_http_lago_webhook_sentinel_fail(s, "did not answer in time", NULL);
    ngx_http_lago_webhook_sentinel_post(s);
}


/* carries out what the last sentinel's answer or failure decided */

static void
ngx_http_lago_webhook_sentinel_next(ngx_event_t *ev)
{
    ngx_http_lago_webhook_sentinel_t  *s = ev->data;

    ngx_http_lago_webhook_sentinel_close(s);

    if (!s->asking) {
        return;
    }

    if (s->found) {
        s->asking = 0;

        ngx_log_debug1(NGX_LOG_DEBUG_EVENT, s->log, 0,
                       "lago_webhook sentinel: the master is at %V",
                       &s->master.name);

        s->handler(s->data, &s->master, NULL);
        return;
    }

    if (s->tried < s->conf->nsentinels) {
        ngx_http_lago_webhook_sentinel_query(s);
        return;
    }

    s->asking = 0;

    s->handler(s->data, NULL, (const char *) s->detail);
}


static void
ngx_http_lago_webhook_sentinel_close(ngx_http_lago_webhook_sentinel_t *s)
{
    if (s->timer.timer_set) {
        ngx_del_timer(&s->timer);
    }

    if (s->io) {
        ngx_http_lago_webhook_redis_io_close(s->io);
        s->io = NULL;
    }
}


/*
 * The +switch-master subscription.  Its connection is made like a
 * question's, and lost the same ways; lost, it is made again on the next
 * sentinel after the backoff, which starts over once a sentinel has
 * confirmed the subscription.  Until then, and while it is lost, a
 * failover is learnt as before: from the master's connection.
 */

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
static ngx_int_t ngx_http_lago_webhook_sentinel_is(redisReply *reply,
    const char *str);
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
    ngx_int_t                                  rv;
    ngx_str_t                                  argv[2];
    ngx_addr_t                                *sentinel;
    const char                                *detail;
    ngx_http_lago_webhook_redis_io_conf_t      ioc;
    ngx_http_lago_webhook_redis_io_handler_t   handler;

    handler.connected = ngx_http_lago_webhook_sentinel_watch_connected;
    handler.reply = ngx_http_lago_webhook_sentinel_watch_reply;
    handler.failed = ngx_http_lago_webhook_sentinel_watch_failed;
    handler.data = w;

    sentinel = &w->conf->sentinels[w->current];

    ngx_memzero(&ioc, sizeof(ngx_http_lago_webhook_redis_io_conf_t));
    ioc.addr = sentinel;
    ioc.name = &sentinel->name;
    ioc.max_reply = NGX_HTTP_LAGO_WEBHOOK_SENTINEL_MAX_REPLY;
    ioc.password = &w->conf->password;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, w->log, 0,
                   "lago_webhook sentinel: subscribing on %V",
                   &sentinel->name);

    w->subscribed = 0;
    w->broken = 0;
    w->awaiting = 0;

    rv = ngx_http_lago_webhook_redis_io_connect(&w->io, &ioc, &handler,
                                                w->log, &detail);

    if (rv == NGX_DECLINED) {
        ngx_http_lago_webhook_sentinel_watch_break(w, "could not be reached",
                                                   detail);
        return;
    }

    if (rv != NGX_OK) {
        goto failed;
    }

    /* AUTH's reply, when it was sent, comes first */
    w->awaiting = w->conf->password.len ? 1 : 0;

    ngx_str_set(&argv[0], "SUBSCRIBE");
    ngx_str_set(&argv[1], "+switch-master");

    if (ngx_http_lago_webhook_sentinel_send(w->io, 2, argv, w->log)
        != NGX_OK)
    {
        goto failed;
    }

    ngx_add_timer(&w->timer, w->conf->timeout);

    return;

failed:

    ngx_http_lago_webhook_sentinel_watch_break(w, "could not be asked",
                                               "out of memory");
}


/* a command to a sentinel, a question's or the watch's */

static ngx_int_t
ngx_http_lago_webhook_sentinel_send(ngx_http_lago_webhook_redis_io_t *io,
    ngx_uint_t argc, ngx_str_t *argv, ngx_log_t *log)
{
    size_t       argvlen[4];
    ngx_uint_t   i;
    const char  *args[4];

    if (argc > 4) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "lago_webhook: a sentinel command of %ui arguments",
                      argc);
        return NGX_ERROR;
    }

    for (i = 0; i < argc; i++) {
        args[i] = (const char *) argv[i].data;
        argvlen[i] = argv[i].len;
    }

    return ngx_http_lago_webhook_redis_io_send(io, (int) argc, args, argvlen);
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

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_lago_webhook_sentinel_watch_break(w,
                                                   "answered with an error",
                                                   reply->str);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || ngx_http_lago_webhook_sentinel_is(reply->element[1],
                                             "+switch-master")
           != NGX_OK)
    {
        goto broken;
    }

    if (!w->subscribed) {
        if (ngx_http_lago_webhook_sentinel_is(reply->element[0], "subscribe")
            != NGX_OK)
        {
            goto broken;
        }

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
    }

    if (ngx_http_lago_webhook_sentinel_is(reply->element[0], "message")
        != NGX_OK
        || reply->element[2]->type != REDIS_REPLY_STRING)
    {
        goto broken;
    }

    if (ngx_http_lago_webhook_sentinel_switched(w, reply->element[2])
        != NGX_OK)
    {
        goto broken;
    }

    return;

broken:

    ngx_http_lago_webhook_sentinel_watch_break(w, "broke the protocol",
                                               "not a +switch-master message");
}


static ngx_int_t
ngx_http_lago_webhook_sentinel_is(redisReply *reply, const char *str)
{
    size_t  len;

    len = ngx_strlen(str);

    if (reply->type != REDIS_REPLY_STRING || reply->len != len
        || ngx_strncmp(reply->str, str, len) != 0)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * "<name> <old ip> <old port> <new ip> <new port>": another master's
 * switch is none of ours, ours is told from a posted event.
 */

static ngx_int_t
ngx_http_lago_webhook_sentinel_switched(
    ngx_http_lago_webhook_sentinel_watch_t *w, redisReply *payload)
{
    u_char      *p, *last, *start;
    ngx_str_t    field[5];
    ngx_uint_t   n;

    p = (u_char *) payload->str;
    last = p + payload->len;

    for (n = 0; n < 5; n++) {
        start = p;

        while (p < last && *p != ' ') {
            p++;
        }

        if (p == start) {
            return NGX_ERROR;
        }

        field[n].data = start;
        field[n].len = p - start;

        if (n < 4) {
            if (p == last) {
                return NGX_ERROR;
            }

            p++;
        }
    }

    if (p != last) {
        return NGX_ERROR;
    }

    if (field[0].len != w->conf->master.len
        || ngx_strncmp(field[0].data, w->conf->master.data, field[0].len)
           != 0)
    {
        return NGX_OK;
    }

    if (ngx_http_lago_webhook_sentinel_parse(field[3].data, field[3].len,
                                             field[4].data, field[4].len,
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

    if (!ngx_http_lago_webhook_sentinel.asking) {
        ngx_http_lago_webhook_sentinel.current = w->moved_by;
    }

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
