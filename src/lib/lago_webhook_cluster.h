
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Reading what Redis Cluster answers, from hiredis's reply objects: the
 * redirections (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) a node answers a
 * command with, and the ranges of CLUSTER SLOTS with their masters.
 */


#ifndef _LAGO_WEBHOOK_CLUSTER_H_INCLUDED_
#define _LAGO_WEBHOOK_CLUSTER_H_INCLUDED_


#include <stddef.h>
#include <hiredis/hiredis.h>


typedef enum {
    LAGO_WEBHOOK_CLUSTER_ANSWER = 0,  /* no redirection */
    LAGO_WEBHOOK_CLUSTER_MOVED,       /* the slot lives elsewhere */
    LAGO_WEBHOOK_CLUSTER_ASK,         /* this key, this once */
    LAGO_WEBHOOK_CLUSTER_TRYAGAIN,    /* a slot half migrated */
    LAGO_WEBHOOK_CLUSTER_DOWN         /* CLUSTERDOWN */
} lago_webhook_cluster_redirect_e;


/*
 * A node's address as Cluster gives it: the IP's text (host_len 0: the
 * node that answered, host then NULL or pointing into the reply) and a
 * port, 1 to 65535.
 */

typedef struct {
    const unsigned char  *host;
    size_t                host_len;
    unsigned int          port;
} lago_webhook_cluster_node_t;


/*
 * What a reply asks for: TRYAGAIN, CLUSTERDOWN, or for "MOVED <slot>
 * <ip>:<port>" and "ASK <slot> <ip>:<port>" the slot (below 16384) and
 * the node (the port follows the last ':', so an IPv6 address keeps its
 * own; the ip may be empty).  Any other reply, or an error that only
 * looks like a redirection, is an answer, and *slot and *node are then
 * left alone.
 */
lago_webhook_cluster_redirect_e lago_webhook_cluster_redirect(
    const redisReply *reply, unsigned int *slot,
    lago_webhook_cluster_node_t *node);

/*
 * The i-th range of a CLUSTER SLOTS reply, [[start, end, [ip, port, ...],
 * replicas...], ...], and its master (first after the range; an ip of
 * NULL or "?" reads as empty).  Returns 0, 1 when there is no i-th range,
 * or -1 when the reply is not what CLUSTER SLOTS gives (a range's ends
 * out of order or past the last slot, a port out of range...).
 */
int lago_webhook_cluster_range(const redisReply *reply, size_t i,
    unsigned int *start, unsigned int *end,
    lago_webhook_cluster_node_t *master);


#endif /* _LAGO_WEBHOOK_CLUSTER_H_INCLUDED_ */
