
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
#include "lago_webhook_sentinel.h"


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
static void ngx_http_lago_webhook_sentinel_connected(void *data);
static void ngx_http_lago_webhook_sentinel_reply(void *data,
    redisReply *reply);
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
ngx_http_lago_webhook_sentinel_prefer(ngx_uint_t sentinel)
{
    if (!ngx_http_lago_webhook_sentinel.asking) {
        ngx_http_lago_webhook_sentinel.current = sentinel;
    }
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


/*
 * A connection to a sentinel, a question's or the watch's: in plaintext
 * (Debian's sentinels listen so), AUTH first when they want a password,
 * then the one command.
 */

ngx_int_t
ngx_http_lago_webhook_sentinel_open(ngx_http_lago_webhook_sentinel_conf_t *conf,
    ngx_uint_t i, size_t max_reply,
    ngx_http_lago_webhook_redis_io_handler_t *handler, int argc,
    const char **argv, const size_t *argvlen, ngx_log_t *log,
    ngx_http_lago_webhook_redis_io_t **io, const char **detail)
{
    ngx_int_t                              rv;
    ngx_http_lago_webhook_redis_io_conf_t  ioc;

    ngx_memzero(&ioc, sizeof(ngx_http_lago_webhook_redis_io_conf_t));
    ioc.addr = &conf->sentinels[i];
    ioc.name = &conf->sentinels[i].name;
    ioc.max_reply = max_reply;
    ioc.password = &conf->password;

    rv = ngx_http_lago_webhook_redis_io_connect(io, &ioc, handler, log,
                                                detail);
    if (rv != NGX_OK) {
        return rv;
    }

    if (ngx_http_lago_webhook_redis_io_send(*io, argc, argv, argvlen)
        != NGX_OK)
    {
        ngx_http_lago_webhook_redis_io_close(*io);
        *io = NULL;
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* asks the current sentinel, or the next one that can be reached */

static void
ngx_http_lago_webhook_sentinel_query(ngx_http_lago_webhook_sentinel_t *s)
{
    size_t                                     argvlen[3];
    ngx_int_t                                  rv;
    const char                                *argv[3], *detail;
    ngx_http_lago_webhook_redis_io_handler_t   handler;

    handler.connected = ngx_http_lago_webhook_sentinel_connected;
    handler.reply = ngx_http_lago_webhook_sentinel_reply;
    handler.failed = ngx_http_lago_webhook_sentinel_io_failed;
    handler.data = s;

    argv[0] = "SENTINEL";
    argvlen[0] = sizeof("SENTINEL") - 1;
    argv[1] = "get-master-addr-by-name";
    argvlen[1] = sizeof("get-master-addr-by-name") - 1;
    argv[2] = (const char *) s->conf->master.data;
    argvlen[2] = s->conf->master.len;

    while (s->tried < s->conf->nsentinels) {
        s->tried++;

        ngx_log_debug1(NGX_LOG_DEBUG_EVENT, s->log, 0,
                       "lago_webhook sentinel: asking %V",
                       &s->conf->sentinels[s->current].name);

        rv = ngx_http_lago_webhook_sentinel_open(s->conf, s->current, 0,
                                                 &handler, 3, argv, argvlen,
                                                 s->log, &s->io, &detail);

        if (rv == NGX_DECLINED) {
            ngx_http_lago_webhook_sentinel_fail(s, "could not be reached",
                                                detail);
            continue;
        }

        if (rv != NGX_OK) {
            ngx_http_lago_webhook_sentinel_fail(s, "could not be asked",
                                                "out of memory");
            continue;
        }

        /* AUTH's reply, when it was sent, comes first */
        s->awaiting = s->conf->password.len ? 2 : 1;

        ngx_add_timer(&s->timer, s->conf->timeout);

        return;
    }

    /* every sentinel failed: the answer is given from the posted event */

    ngx_http_lago_webhook_sentinel_post(s);
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

    lago_webhook_sentinel_addr_t  master;

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

    switch (lago_webhook_sentinel_master(reply, &master)) {

    case LAGO_WEBHOOK_SENTINEL_ERROR:
        ngx_http_lago_webhook_sentinel_fail(s, "answered with an error",
                                            reply->str);
        break;

    case LAGO_WEBHOOK_SENTINEL_NO_MASTER:
        ngx_http_lago_webhook_sentinel_fail(s, "does not know the master",
                                            NULL);
        break;

    case LAGO_WEBHOOK_SENTINEL_MASTER:

        /*
         * Sentinel gives addresses unless told to announce host names,
         * which a worker does not resolve: it never blocks on DNS.
         */

        if (ngx_http_lago_webhook_redis_io_address((u_char *) master.ip,
                                                   master.ip_len,
                                                   (in_port_t) master.port,
                                                   &s->sockaddr, &s->master,
                                                   s->text)
            == NGX_OK)
        {
            s->found = 1;
            break;
        }

        /* fall through */

    default:
        ngx_http_lago_webhook_sentinel_fail(s, "broke the protocol",
                                            "not an address and a port");
    }

    ngx_http_lago_webhook_sentinel_post(s);
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
