
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * What the files of the connection layer share: the node, the op and
 * the worker's state, and the functions one file calls in another.
 * Nothing outside src/redis/ includes it.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_REDIS_PRIVATE_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_REDIS_PRIVATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_io.h"


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED = 0,
    NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING,
    NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED
} ngx_http_lago_webhook_redis_state_e;


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_OP_REQUEST = 0,
    NGX_HTTP_LAGO_WEBHOOK_OP_SETUP,          /* AUTH or SELECT */
    NGX_HTTP_LAGO_WEBHOOK_OP_ROLE,           /* with Sentinel: a master? */
    NGX_HTTP_LAGO_WEBHOOK_OP_PING,           /* the handshake's last */
    NGX_HTTP_LAGO_WEBHOOK_OP_SLOTS,          /* Cluster: CLUSTER SLOTS */
    NGX_HTTP_LAGO_WEBHOOK_OP_ASKING          /* Cluster: before an ASK's */
} ngx_http_lago_webhook_op_kind_e;


typedef struct ngx_http_lago_webhook_redis_op_s
    ngx_http_lago_webhook_redis_op_t;
typedef struct ngx_http_lago_webhook_redis_node_s
    ngx_http_lago_webhook_redis_node_t;

struct ngx_http_lago_webhook_redis_op_s {
    ngx_http_lago_webhook_op_kind_e          kind;
    ngx_http_request_t                      *request;
    ngx_http_cleanup_t                      *cleanup;
    ngx_http_lago_webhook_redis_handler_pt   handler;
    void                                    *data;
    ngx_event_t                              timer;
    ngx_http_lago_webhook_redis_op_t        *next;   /* queued, or free */

    /* whose queue it is in; NULL: in none, waiting to be sent again */
    ngx_http_lago_webhook_redis_node_t      *node;

    /* Cluster: what a redirection sends again, and where */
    u_char                                  *command;  /* request's pool */
    size_t                                   len;
    ngx_uint_t                               slot;
    ngx_uint_t                               redirects;
    ngx_uint_t                               tries;    /* TRYAGAIN */
    unsigned                                 unrouted:1;
    ngx_http_lago_webhook_redis_op_t        *follower; /* its WAIT */
    ngx_event_t                              retry;    /* TRYAGAIN */
};


struct ngx_http_lago_webhook_redis_node_s {
    ngx_http_lago_webhook_redis_io_t        *io;
    ngx_http_lago_webhook_redis_state_e      state;
    ngx_http_lago_webhook_redis_op_t        *head;   /* awaiting replies */
    ngx_http_lago_webhook_redis_op_t       **tail;
    ngx_event_t                              connect_timer;
    ngx_event_t                              reconnect_timer;
    ngx_event_t                              drop_event;
    ngx_msec_t                               backoff;
    ngx_str_t                               *name;   /* for logs */

    /* where it is: the configured address, the sentinels' or Cluster's */
    ngx_addr_t                               addr;
    ngx_sockaddr_t                           sockaddr;
    u_char                                   text[NGX_SOCKADDR_STRLEN];

#if (NGX_SSL)
    ngx_ssl_session_t                       *ssl_session;
    ngx_str_t                                ssl_name;  /* its address */
    u_char                                   ssl_name_buf[NGX_SOCKADDR_STRLEN];
#endif

    ngx_http_lago_webhook_redis_node_t      *next;

    unsigned                                 ready:1;  /* PING answered */
    unsigned                                 outage_logged:1;
    unsigned                                 asking:1; /* the sentinels */
    unsigned                                 refused:1; /* the handshake */
    unsigned                                 mapped:1; /* owns slots */
    unsigned                                 retired:1; /* owns none */
};


typedef struct {
    ngx_http_lago_webhook_redis_conf_t      *conf;   /* the cycle's */
    ngx_log_t                               *log;
    ngx_http_lago_webhook_redis_node_t      *nodes;
    ngx_http_lago_webhook_redis_op_t        *last;   /* sent last */

    /* Cluster: commands that came before the first map, to send with it */
    ngx_http_lago_webhook_redis_op_t        *unrouted;
    ngx_http_lago_webhook_redis_op_t       **unrouted_tail;

    /* Cluster */
    ngx_http_lago_webhook_redis_node_t     **slots;
    ngx_http_lago_webhook_redis_node_t      *refresher; /* asked SLOTS */
    time_t                                   map_error_logged;
    unsigned                                 cluster:1;
    unsigned                                 refresh:1; /* map wanted */
    unsigned                                 mapped:1;  /* map read */
    unsigned                                 up:1;      /* as last told */
    unsigned                                 exiting:1;
} ngx_http_lago_webhook_redis_t;


extern ngx_http_lago_webhook_redis_t  ngx_http_lago_webhook_redis;


ngx_http_lago_webhook_redis_node_t *ngx_http_lago_webhook_redis_node(
    ngx_http_lago_webhook_redis_t *rc, struct sockaddr *sockaddr,
    socklen_t socklen, ngx_str_t *text);
void ngx_http_lago_webhook_redis_node_free(
    ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node);
ngx_uint_t ngx_http_lago_webhook_redis_connecting(
    ngx_http_lago_webhook_redis_t *rc);
void ngx_http_lago_webhook_redis_route_unrouted(
    ngx_http_lago_webhook_redis_t *rc);
ngx_http_lago_webhook_redis_node_t *ngx_http_lago_webhook_redis_route(
    ngx_http_lago_webhook_redis_t *rc, ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_command_t *cmd, ngx_uint_t *slot);
void ngx_http_lago_webhook_redis_connect(
    ngx_http_lago_webhook_redis_node_t *node);
void ngx_http_lago_webhook_redis_switched(void *data,
    ngx_addr_t *master, ngx_str_t *sentinel);
ngx_int_t ngx_http_lago_webhook_redis_setup(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_op_kind_e kind, int argc, const char **argv,
    const size_t *argvlen);
ngx_int_t ngx_http_lago_webhook_redis_expect(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_op_kind_e kind);
void ngx_http_lago_webhook_redis_deliver(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
void ngx_http_lago_webhook_redis_handshake_reply(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
void ngx_http_lago_webhook_redis_close(
    ngx_http_lago_webhook_redis_node_t *node);
void ngx_http_lago_webhook_redis_outage(
    ngx_http_lago_webhook_redis_node_t *node, const char *what,
    const char *detail);
void ngx_http_lago_webhook_redis_health(
    ngx_http_lago_webhook_redis_t *rc);
void ngx_http_lago_webhook_redis_drop(
    ngx_http_lago_webhook_redis_node_t *node);
void ngx_http_lago_webhook_redis_refresh(
    ngx_http_lago_webhook_redis_t *rc);
void ngx_http_lago_webhook_redis_ask_slots(
    ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node);
void ngx_http_lago_webhook_redis_slots(
    ngx_http_lago_webhook_redis_node_t *node, redisReply *reply);
ngx_int_t ngx_http_lago_webhook_redis_redirect(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
ngx_int_t ngx_http_lago_webhook_redis_write_op(
    ngx_http_lago_webhook_redis_op_t *op,
    ngx_http_lago_webhook_redis_node_t *node);
void ngx_http_lago_webhook_redis_unsent(
    ngx_http_lago_webhook_redis_op_t *op);
ngx_http_lago_webhook_redis_op_t *ngx_http_lago_webhook_redis_op_get(
    ngx_log_t *log);
void ngx_http_lago_webhook_redis_op_discard(
    ngx_http_lago_webhook_redis_op_t *op);
ngx_int_t ngx_http_lago_webhook_redis_cluster_init(
    ngx_http_lago_webhook_redis_t *rc);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_REDIS_PRIVATE_H_INCLUDED_ */
