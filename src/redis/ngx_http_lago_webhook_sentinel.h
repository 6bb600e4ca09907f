
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Finding the Redis master through Redis Sentinel: the sentinels are
 * asked in turn, each on a short-lived connection of its own, with
 * SENTINEL get-master-addr-by-name, until one names the master; and one
 * sentinel at a time is listened to for +switch-master, so that a
 * failover is learnt when it happens: the questions are
 * ngx_http_lago_webhook_sentinel_ask.c's, the subscription
 * ngx_http_lago_webhook_sentinel_watch.c's.  The connection to the master
 * itself is ngx_http_lago_webhook_redis_node.c's.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_SENTINEL_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_SENTINEL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_lago_webhook_redis_io.h"


typedef struct {
    ngx_str_t     master;        /* the name the sentinels know it by */
    ngx_addr_t   *sentinels;     /* resolved when the configuration is read */
    ngx_uint_t    nsentinels;    /* 0: no Sentinel, a fixed address */
    ngx_str_t     password;      /* AUTH to the sentinels, when set */
    ngx_msec_t    timeout;       /* each sentinel's connect and answer */
} ngx_http_lago_webhook_sentinel_conf_t;


/*
 * The answer: the master's address ("ip:port" as its name), or NULL and
 * why not.  Called from a posted event, never from within ask().
 */
typedef void (*ngx_http_lago_webhook_sentinel_handler_pt)(void *data,
    ngx_addr_t *master, const char *detail);


/* one question at a time per worker: a new one replaces the last */
void ngx_http_lago_webhook_sentinel_ask(
    ngx_http_lago_webhook_sentinel_conf_t *conf,
    ngx_http_lago_webhook_sentinel_handler_pt handler, void *data,
    ngx_log_t *log);

/* drops a question still unanswered: its handler is not called */
void ngx_http_lago_webhook_sentinel_cancel(void);

/*
 * The watch's word to the questions: the sentinel that told of a switch
 * knows the new master, and the next question goes to it first, unless
 * one is being asked already.
 */
void ngx_http_lago_webhook_sentinel_prefer(ngx_uint_t sentinel);

/*
 * The connection of a question or of the watch to sentinel i, and its
 * one command.  NGX_OK: *io is connecting; NGX_DECLINED: it could not
 * even start (*detail says why); NGX_ERROR: out of memory, nothing open.
 */
ngx_int_t ngx_http_lago_webhook_sentinel_open(
    ngx_http_lago_webhook_sentinel_conf_t *conf, ngx_uint_t i,
    size_t max_reply, ngx_http_lago_webhook_redis_io_handler_t *handler,
    int argc, const char **argv, const size_t *argvlen, ngx_log_t *log,
    ngx_http_lago_webhook_redis_io_t **io, const char **detail);


/*
 * A sentinel's +switch-master for our master: its new address ("ip:port"
 * as its name) and the sentinel that said so.  Called from a posted event.
 */
typedef void (*ngx_http_lago_webhook_sentinel_switch_pt)(void *data,
    ngx_addr_t *master, ngx_str_t *sentinel);

/*
 * Keeps one subscription to +switch-master per worker, on the first
 * sentinel that takes it, and on the next one when it is lost.
 */
void ngx_http_lago_webhook_sentinel_watch(
    ngx_http_lago_webhook_sentinel_conf_t *conf,
    ngx_http_lago_webhook_sentinel_switch_pt handler, void *data,
    ngx_log_t *log);

/* closes the subscription: its handler is not called any more */
void ngx_http_lago_webhook_sentinel_unwatch(void);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_SENTINEL_H_INCLUDED_ */
