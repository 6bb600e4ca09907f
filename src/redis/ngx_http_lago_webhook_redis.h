
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
 * the master of its key's slot.  It knows nothing of Lago.
 *
 * The folder's files: _redis.c (start, exit, commands and their ops),
 * _redis_node.c (a node's connection, handshake, outage, reconnect),
 * _redis_cluster.c (the slot map and every redirection), _sentinel_ask.c
 * and _sentinel_watch.c, _redis_io.c (the socket and TLS), and
 * _redis_conf.c (the settings); _redis_private.h is what they share.
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


/*
 * The lago_webhook_redis* directives, as they set them: the module's main
 * configuration embeds this struct, and the worker's connections read it
 * in place (ngx_http_lago_webhook_redis_conf.c sets it up and checks it).
 */

typedef struct {
    ngx_str_t     name;          /* for logs: the address as written, the
                                    master's name, or "cluster" */
    ngx_addr_t    addr;          /* lago_webhook_redis, resolved when the
                                    configuration is read */
    ngx_str_t     host;          /* its host: TLS's name by default */
    ngx_http_lago_webhook_sentinel_conf_t  sentinel;  /* or the sentinels' */
    ngx_addr_t   *seeds;         /* or a Cluster's nodes to start from */
    ngx_uint_t    nseeds;        /* 0: no Cluster */
    ngx_str_t     user;
    ngx_str_t     password;
    ngx_int_t     db;
    ngx_str_t     prefix;        /* of every key: the store's */
    ngx_uint_t    wait_replicas; /* 0: no WAIT */
    ngx_msec_t    wait_timeout;
    ngx_msec_t    connect_timeout;
    ngx_msec_t    timeout;

    ngx_flag_t    ssl;
    ngx_flag_t    ssl_verify;
    ngx_flag_t    ssl_session_reuse;
    ngx_uint_t    ssl_protocols;
    ngx_str_t     ssl_name;      /* SNI and the name checked */
    ngx_str_t     ssl_trusted_certificate;
    ngx_str_t     ssl_certificate;
    ngx_str_t     ssl_certificate_key;
#if (NGX_SSL)
    ngx_ssl_t    *ssl_ctx;       /* NULL: plaintext */
#endif
} ngx_http_lago_webhook_redis_conf_t;


/*
 * The directives' handlers.  Their command's offset is that of the
 * embedded struct in the module's main configuration.
 */
char *ngx_http_lago_webhook_redis_set_address(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_lago_webhook_redis_set_sentinel(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_lago_webhook_redis_set_cluster(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_lago_webhook_redis_set_wait(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

extern ngx_conf_num_bounds_t  ngx_http_lago_webhook_redis_db_bounds;
#if (NGX_SSL)
extern ngx_conf_bitmask_t     ngx_http_lago_webhook_redis_ssl_protocols[];
#endif

/* the main configuration's creation: every setting unset */
void ngx_http_lago_webhook_redis_create_conf(
    ngx_http_lago_webhook_redis_conf_t *conf);

/* its end: the defaults, the checks across settings, the TLS context */
char *ngx_http_lago_webhook_redis_init_conf(ngx_conf_t *cf,
    ngx_http_lago_webhook_redis_conf_t *conf);


/*
 * A worker's connections, made with the settings of its cycle, which it
 * reads for as long as it runs.
 */
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
