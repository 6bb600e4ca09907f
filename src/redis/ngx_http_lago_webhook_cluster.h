
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * What Redis Cluster answers, in nginx's types: the ranges of CLUSTER
 * SLOTS and the redirections (MOVED, ASK, TRYAGAIN) a node answers a
 * command with, read by src/lib/lago_webhook_cluster.c, and a node's
 * address made a socket address.  What to do about them is
 * ngx_http_lago_webhook_redis.c's.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_CLUSTER_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_CLUSTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <hiredis/hiredis.h>

#include "lago_webhook_slot.h"


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER = 0,  /* no redirection */
    NGX_HTTP_LAGO_WEBHOOK_CLUSTER_MOVED,       /* the slot lives elsewhere */
    NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ASK,         /* this key, this once */
    NGX_HTTP_LAGO_WEBHOOK_CLUSTER_TRYAGAIN,    /* a slot half migrated */
    NGX_HTTP_LAGO_WEBHOOK_CLUSTER_DOWN         /* CLUSTERDOWN */
} ngx_http_lago_webhook_cluster_redirect_e;


/* a node's address as Cluster gives it: an IP (maybe empty) and a port */

typedef struct {
    ngx_str_t     host;          /* empty: the node that answered */
    in_port_t     port;
} ngx_http_lago_webhook_cluster_node_t;


/*
 * What an error reply asks for; for MOVED and ASK, the slot and where
 * to go.  A reply that only looks like one is an answer.
 */
ngx_http_lago_webhook_cluster_redirect_e ngx_http_lago_webhook_cluster_redirect(
    redisReply *reply, ngx_uint_t *slot,
    ngx_http_lago_webhook_cluster_node_t *node);

/*
 * The i-th range of a CLUSTER SLOTS reply and its master.  NGX_DECLINED:
 * no such range; NGX_ERROR: the reply is not what CLUSTER SLOTS gives.
 */
ngx_int_t ngx_http_lago_webhook_cluster_range(redisReply *reply,
    ngx_uint_t i, ngx_uint_t *start, ngx_uint_t *end,
    ngx_http_lago_webhook_cluster_node_t *master);

/*
 * A node's address from an IP and a port (the host of "from" when the
 * IP is empty); its name "ip:port" written into text.
 */
ngx_int_t ngx_http_lago_webhook_cluster_address(
    ngx_http_lago_webhook_cluster_node_t *node, ngx_addr_t *from,
    ngx_sockaddr_t *sockaddr, socklen_t *socklen, ngx_str_t *text);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_CLUSTER_H_INCLUDED_ */
