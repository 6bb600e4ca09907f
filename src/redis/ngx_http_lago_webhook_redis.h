
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The Redis connection of a worker and its policy: the handshake (AUTH,
 * SELECT, PING), reconnecting with a backoff, logging an outage once,
 * the per-command timeout, and commands that outlive the request that
 * sent them.  With Sentinel, each connection starts by asking the
 * sentinels where the master is, and checks with ROLE that it is one.
 * With Redis Cluster, a connection per master, and each command sent to
 * the master of its key's slot.  It knows nothing of Lago; the socket work, TLS included, is
 * ngx_http_lago_webhook_redis_io.c's.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_REDIS_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <hiredis/hiredis.h>

#include "ngx_http_lago_webhook_sentinel.h"


/*
 * Called once per command while the request is still alive; reply is NULL
 * when the command failed, timed out, was answered with an error (other
 * than NOSCRIPT) or the connection was lost.  The reply is freed when the
 * handler returns.
 */
typedef void (*ngx_http_lago_webhook_redis_handler_pt)(ngx_http_request_t *r,
    void *data, redisReply *reply);


/*
 * A command, and the key that decides which Redis serves it.  A command
 * that follows (WAIT) goes where the request's previous command went,
 * and goes with it if a Cluster node sends that one elsewhere.
 */

typedef struct {
    ngx_str_t                              *key;
    int                                     argc;
    const char                            **argv;
    size_t                                 *argvlen;
    unsigned                                follows:1;
} ngx_http_lago_webhook_redis_command_t;


typedef struct {
    ngx_addr_t    addr;          /* resolved when the configuration is read */
    ngx_http_lago_webhook_sentinel_conf_t  sentinel;  /* or the sentinels' */
    ngx_addr_t   *seeds;         /* or a Cluster's nodes to start from */
    ngx_uint_t    nseeds;        /* 0: no Cluster */
    ngx_str_t     user;
    ngx_str_t     password;
    ngx_int_t     db;
    ngx_msec_t    connect_timeout;
    ngx_msec_t    timeout;
    ngx_str_t     name;          /* the address, or the master's name */
#if (NGX_SSL)
    ngx_ssl_t    *ssl;           /* NULL: plaintext */
    ngx_str_t     ssl_name;      /* SNI and the name checked */
    ngx_flag_t    ssl_verify;
    ngx_flag_t    ssl_session_reuse;
#endif
} ngx_http_lago_webhook_redis_conf_t;


ngx_int_t ngx_http_lago_webhook_redis_init(ngx_cycle_t *cycle,
    ngx_http_lago_webhook_redis_conf_t *conf);
void ngx_http_lago_webhook_redis_exit(ngx_cycle_t *cycle);

/*
 * Whether this worker's connection is up and its handshake done; with a
 * Cluster, whether it knows the slots and every master's is.
 */
ngx_int_t ngx_http_lago_webhook_redis_is_up(void);

/*
 * Queues a command.  NGX_OK: the handler will run later, with data.
 * NGX_DECLINED: Redis is not available now, answer at once.
 */
ngx_int_t ngx_http_lago_webhook_redis_send(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_command_t *cmd,
    ngx_http_lago_webhook_redis_handler_pt handler, void *data);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_REDIS_H_INCLUDED_ */
