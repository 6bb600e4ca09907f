
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * With Redis Cluster there is a node per master, and a map from each of
 * the 16384 slots to its node, read with CLUSTER SLOTS from any node
 * that is up (the seeds, at first).  A command goes to its key's node;
 * a redirection sends it on again, its RESP bytes being kept in the
 * request's pool for that.  The map is read again after a MOVED and
 * whenever a master's connection is lost or cannot be made, which is
 * how a replica's promotion is learnt.  A master down fails only the
 * requests of its own slots.
 *
 * All of Cluster's routing is here: the slot map, the route of a
 * command, MOVED, ASK and TRYAGAIN; reading Cluster's answers is
 * lago_webhook_cluster.c's (src/lib).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_private.h"
#include "ngx_http_lago_webhook_redis_io.h"
#include "lago_webhook_cluster.h"
#include "lago_webhook_slot.h"


/* a slot moving around more than that is a cluster that cannot agree */
#define NGX_HTTP_LAGO_WEBHOOK_REDIRECTS_MAX  5

/* how soon a command is tried again after its first TRYAGAIN */
#define NGX_HTTP_LAGO_WEBHOOK_TRYAGAIN_DELAY  10


static ngx_http_lago_webhook_redis_node_t *
    ngx_http_lago_webhook_redis_cluster_node(ngx_http_lago_webhook_redis_t *rc,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *text);
static ngx_int_t ngx_http_lago_webhook_redis_cluster_address(
    lago_webhook_cluster_node_t *node, ngx_addr_t *from,
    ngx_sockaddr_t *sockaddr, ngx_addr_t *addr, u_char *text);
static void ngx_http_lago_webhook_redis_map_error(
    ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node, const char *detail);
static void ngx_http_lago_webhook_redis_take_follower(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_resend(
    ngx_http_lago_webhook_redis_op_t *op,
    ngx_http_lago_webhook_redis_node_t *node, ngx_uint_t asking);
static void ngx_http_lago_webhook_redis_retry(ngx_event_t *ev);


/*
 * A Cluster node as a map, a redirection or the seeds name it: connecting
 * unless it is connected already or waits for its backoff.
 */

static ngx_http_lago_webhook_redis_node_t *
ngx_http_lago_webhook_redis_cluster_node(ngx_http_lago_webhook_redis_t *rc,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *text)
{
    ngx_http_lago_webhook_redis_node_t  *node;

    node = ngx_http_lago_webhook_redis_node(rc, sockaddr, socklen, text);

    if (node && node->io == NULL && !node->reconnect_timer.timer_set) {
        ngx_http_lago_webhook_redis_connect(node);
    }

    return node;
}


/*
 * The commands that waited for the map go where it says, in the order
 * they came; without a map (no node left to ask, or the worker exiting)
 * they fail.
 */

void
ngx_http_lago_webhook_redis_route_unrouted(ngx_http_lago_webhook_redis_t *rc)
{
    ngx_http_lago_webhook_redis_op_t  *op;

    while (rc->unrouted) {
        op = rc->unrouted;
        rc->unrouted = op->next;

        if (rc->unrouted == NULL) {
            rc->unrouted_tail = &rc->unrouted;
        }

        op->next = NULL;
        op->unrouted = 0;

        /* counted when written, as a redirected command is */

        if (rc->mapped && !rc->exiting) {
            ngx_http_lago_webhook_redis_resend(op, rc->slots[op->slot], 0);

        } else if (op->request) {
            ngx_http_lago_webhook_redis_unsent(op);

        } else {
            ngx_http_lago_webhook_redis_op_discard(op);
        }
    }
}


/*
 * The node a command goes to: the only one, or with a Cluster the
 * master of its key's slot; a command that follows goes where the
 * request's last one went.
 */

ngx_http_lago_webhook_redis_node_t *
ngx_http_lago_webhook_redis_route(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_request_t *r, ngx_http_lago_webhook_redis_command_t *cmd,
    ngx_uint_t *slot)
{
    *slot = 0;

    if (!rc->cluster) {
        return rc->nodes;
    }

    if (cmd->follows && rc->last && rc->last->request == r
        && rc->last->node)
    {
        *slot = rc->last->slot;
        return rc->last->node;
    }

    if (cmd->key) {
        *slot = lago_webhook_slot(cmd->key->data, cmd->key->len);
    }

    return rc->slots[*slot];
}


/*
 * Asks for the slot map, one question at a time, of a node that is up;
 * when none is, the seeds come back and the first to be up is asked.
 */

void
ngx_http_lago_webhook_redis_refresh(ngx_http_lago_webhook_redis_t *rc)
{
    ngx_uint_t                           i;
    ngx_addr_t                          *seed;
    ngx_http_lago_webhook_redis_node_t  *node;

    if (!rc->cluster || rc->exiting) {
        return;
    }

    rc->refresh = 1;

    if (rc->refresher) {
        return;
    }

    for (node = rc->nodes; node; node = node->next) {
        if (node->ready && !node->retired) {
            ngx_http_lago_webhook_redis_ask_slots(rc, node);
            return;
        }
    }

    for (i = 0; i < rc->conf->nseeds; i++) {
        seed = &rc->conf->seeds[i];

        (void) ngx_http_lago_webhook_redis_cluster_node(rc, seed->sockaddr,
                                                        seed->socklen,
                                                        &seed->name);
    }
}


void
ngx_http_lago_webhook_redis_ask_slots(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node)
{
    size_t       argvlen[2];
    const char  *argv[2];

    argv[0] = "CLUSTER";
    argvlen[0] = sizeof("CLUSTER") - 1;
    argv[1] = "SLOTS";
    argvlen[1] = sizeof("SLOTS") - 1;

    if (ngx_http_lago_webhook_redis_setup(node, NGX_HTTP_LAGO_WEBHOOK_OP_SLOTS,
                                          2, argv, argvlen)
        != NGX_OK)
    {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: asking %V for the slots",
                   node->name);

    rc->refresher = node;
    rc->refresh = 0;
}


/*
 * CLUSTER SLOTS's answer becomes the map: a node for each master named,
 * and the nodes that own no slot any more leave once they are idle.
 */

void
ngx_http_lago_webhook_redis_slots(ngx_http_lago_webhook_redis_node_t *node,
    redisReply *reply)
{
    int                                  rv;
    u_char                               text[NGX_SOCKADDR_STRLEN];
    ngx_uint_t                           i, s, covered;
    ngx_addr_t                           addr;
    unsigned int                         start, end;
    ngx_sockaddr_t                       sockaddr;
    lago_webhook_cluster_node_t          master;
    ngx_http_lago_webhook_redis_t       *rc;
    ngx_http_lago_webhook_redis_node_t  *n;

    rc = &ngx_http_lago_webhook_redis;

    if (rc->refresher == node) {
        rc->refresher = NULL;
    }

    if (rc->exiting) {
        return;
    }

    if (reply == NULL) {
        /* the node went away: close() asks another */
        rc->refresh = 1;
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_lago_webhook_redis_map_error(rc, node, reply->str);
        return;
    }

    /* read it all first: a reply that does not make sense changes nothing */

    for (i = 0; /* void */; i++) {
        rv = lago_webhook_cluster_range(reply, i, &start, &end, &master);

        if (rv == 1) {
            break;
        }

        if (rv != 0) {
            ngx_http_lago_webhook_redis_map_error(rc, node,
                                              "CLUSTER SLOTS gave no map");
            return;
        }
    }

    for (n = rc->nodes; n; n = n->next) {
        n->mapped = 0;
    }

    ngx_memzero(rc->slots, LAGO_WEBHOOK_SLOTS
                           * sizeof(ngx_http_lago_webhook_redis_node_t *));

    covered = 0;

    for (i = 0;
         lago_webhook_cluster_range(reply, i, &start, &end, &master) == 0;
         i++)
    {
        if (ngx_http_lago_webhook_redis_cluster_address(&master, &node->addr,
                                                        &sockaddr, &addr, text)
            != NGX_OK)
        {
            ngx_http_lago_webhook_redis_map_error(rc, node,
                                        "a master with no usable address");
            continue;
        }

        n = ngx_http_lago_webhook_redis_cluster_node(rc, addr.sockaddr,
                                                     addr.socklen, &addr.name);
        if (n == NULL) {
            continue;
        }

        n->mapped = 1;

        for (s = start; s <= end; s++) {
            rc->slots[s] = n;
        }

        covered += end - start + 1;
    }

    rc->mapped = 1;

    ngx_http_lago_webhook_metrics_redis_slot_map();

    ngx_log_debug2(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: %V: %ui slots mapped",
                   node->name, covered);

    for (n = rc->nodes; n; n = n->next) {
        if (!n->mapped && !n->retired) {
            n->retired = 1;

            if (n->head == NULL) {
                ngx_http_lago_webhook_redis_drop(n);
            }
        }
    }

    ngx_http_lago_webhook_redis_health(rc);

    ngx_http_lago_webhook_redis_route_unrouted(rc);

    if (rc->refresh) {
        /* something changed while the question was out */
        ngx_http_lago_webhook_redis_refresh(rc);
    }
}


static void
ngx_http_lago_webhook_redis_map_error(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node, const char *detail)
{
    if (rc->map_error_logged != ngx_time()) {
        rc->map_error_logged = ngx_time();
        ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                      "lago_webhook: redis cluster node \"%V\" gave no "
                      "usable slot map: %s", node->name, detail);
    }
}


/*
 * A Cluster node's redirection: MOVED sends the command to the slot's
 * new master, learnt at once, and the whole map is read again (slots
 * move by the thousand); ASK sends it once to the node that imports the
 * slot, after ASKING; TRYAGAIN tries it again shortly.  NGX_DECLINED:
 * no redirection, or one too many: the request gets its 503.
 */

ngx_int_t
ngx_http_lago_webhook_redis_redirect(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply)
{
    u_char                               text[NGX_SOCKADDR_STRLEN];
    ngx_addr_t                           addr;
    unsigned int                         slot;
    ngx_sockaddr_t                       sockaddr;
    lago_webhook_cluster_node_t          to;
    lago_webhook_cluster_redirect_e      kind;
    ngx_http_lago_webhook_redis_t       *rc;
    ngx_http_lago_webhook_redis_node_t  *target;

    rc = &ngx_http_lago_webhook_redis;

    kind = lago_webhook_cluster_redirect(reply, &slot, &to);

    switch (kind) {

    case LAGO_WEBHOOK_CLUSTER_ANSWER:
        return NGX_DECLINED;

    case LAGO_WEBHOOK_CLUSTER_DOWN:
        ngx_http_lago_webhook_redis_refresh(rc);
        return NGX_DECLINED;

    default:
        break;
    }

    /*
     * TRYAGAIN lasts as long as the migration of the slot's keys, and is
     * bounded by the command's timeout; a slot that keeps moving is not.
     */

    if (kind != LAGO_WEBHOOK_CLUSTER_TRYAGAIN
        && ++op->redirects > NGX_HTTP_LAGO_WEBHOOK_REDIRECTS_MAX)
    {
        return NGX_DECLINED;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->timer.log, 0,
                   "lago_webhook redis: %V redirects op:%p: %s",
                   node->name, op, reply->str);

    ngx_http_lago_webhook_metrics_redis_redirect(
                      kind == LAGO_WEBHOOK_CLUSTER_MOVED
                      ? NGX_HTTP_LAGO_WEBHOOK_M_MOVED
                      : kind == LAGO_WEBHOOK_CLUSTER_ASK
                        ? NGX_HTTP_LAGO_WEBHOOK_M_ASK
                        : NGX_HTTP_LAGO_WEBHOOK_M_TRYAGAIN);

    /* its WAIT, sent right behind it, must go along */
    ngx_http_lago_webhook_redis_take_follower(node, op);

    if (kind == LAGO_WEBHOOK_CLUSTER_TRYAGAIN) {
        op->retry.handler = ngx_http_lago_webhook_redis_retry;
        op->retry.data = op;
        op->retry.log = op->timer.log;

        /* 10, 20, 40 ms, then every 80 ms */

        ngx_add_timer(&op->retry, NGX_HTTP_LAGO_WEBHOOK_TRYAGAIN_DELAY
                                  << ngx_min(op->tries, 3));
        op->tries++;

        return NGX_OK;
    }

    if (ngx_http_lago_webhook_redis_cluster_address(&to, &node->addr,
                                                    &sockaddr, &addr, text)
        != NGX_OK)
    {
        ngx_http_lago_webhook_redis_resend(op, NULL, 0);
        return NGX_OK;
    }

    target = ngx_http_lago_webhook_redis_cluster_node(rc, addr.sockaddr,
                                                      addr.socklen,
                                                      &addr.name);

    if (kind == LAGO_WEBHOOK_CLUSTER_MOVED && target) {
        /* the slot's neighbours are learnt by the refresh */

        rc->slots[slot] = target;
        target->mapped = 1;

        ngx_http_lago_webhook_redis_refresh(rc);
    }

    ngx_http_lago_webhook_redis_resend(op, target,
                                   kind == LAGO_WEBHOOK_CLUSTER_ASK);

    return NGX_OK;
}


/*
 * The WAIT that followed a command being redirected is the node's next
 * op: it leaves the queue with the command, and a stand-in with no
 * request takes its place, for the reply the node will still give it.
 */

static void
ngx_http_lago_webhook_redis_take_follower(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op)
{
    ngx_http_lago_webhook_redis_op_t  *follower, *stand_in;

    follower = op->follower;

    if (follower == NULL || follower->node == NULL) {
        /* taken already, on an earlier redirection */
        return;
    }

    if (node->head != follower) {
        op->follower = NULL;
        return;
    }

    stand_in = ngx_http_lago_webhook_redis_op_get(node->drop_event.log);
    if (stand_in == NULL) {
        /* it stays, and answers for this node: the request may 503 */
        op->follower = NULL;
        return;
    }

    stand_in->kind = NGX_HTTP_LAGO_WEBHOOK_OP_REQUEST;
    stand_in->node = node;
    stand_in->next = follower->next;

    node->head = stand_in;

    if (node->tail == &follower->next) {
        node->tail = &stand_in->next;
    }

    if (ngx_http_lago_webhook_redis.last == follower) {
        ngx_http_lago_webhook_redis.last = NULL;
    }

    follower->node = NULL;
    follower->next = NULL;

    /* the command's own timer covers both until they are sent again */

    if (follower->timer.timer_set) {
        ngx_del_timer(&follower->timer);
    }
}


/* sends a redirected command (and its WAIT) to a node, or fails it */

static void
ngx_http_lago_webhook_redis_resend(ngx_http_lago_webhook_redis_op_t *op,
    ngx_http_lago_webhook_redis_node_t *node, ngx_uint_t asking)
{
    size_t                             argvlen[1];
    const char                        *argv[1];
    ngx_http_lago_webhook_redis_op_t  *follower;

    follower = op->follower;

    if (op->request == NULL) {
        /* the request is gone: nothing to send for */

        if (follower) {
            ngx_http_lago_webhook_redis_op_discard(follower);
        }

        ngx_http_lago_webhook_redis_op_discard(op);
        return;
    }

    if (node == NULL || node->io == NULL) {
        ngx_http_lago_webhook_redis_unsent(op);
        return;
    }

    if (asking) {
        argv[0] = "ASKING";
        argvlen[0] = sizeof("ASKING") - 1;

        if (ngx_http_lago_webhook_redis_setup(node,
                                              NGX_HTTP_LAGO_WEBHOOK_OP_ASKING,
                                              1, argv, argvlen)
            != NGX_OK)
        {
            ngx_http_lago_webhook_redis_unsent(op);
            return;
        }
    }

    if (ngx_http_lago_webhook_redis_write_op(op, node) != NGX_OK) {
        ngx_http_lago_webhook_redis_unsent(op);
        return;
    }

    if (follower == NULL) {
        return;
    }

    if (follower->request == NULL
        || ngx_http_lago_webhook_redis_write_op(follower, node) != NGX_OK)
    {
        /* the command went: its WAIT's failure answers */
        op->follower = NULL;
        ngx_http_lago_webhook_redis_unsent(follower);
        return;
    }

    if (!follower->timer.timer_set) {
        ngx_add_timer(&follower->timer,
                      ngx_http_lago_webhook_redis.conf->timeout);
    }
}


static void
ngx_http_lago_webhook_redis_retry(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    op = ev->data;
    rc = &ngx_http_lago_webhook_redis;

    ngx_http_lago_webhook_redis_resend(op, rc->slots[op->slot], 0);
}


/* a Cluster: each seed is asked for the map until one answers */

ngx_int_t
ngx_http_lago_webhook_redis_cluster_init(ngx_http_lago_webhook_redis_t *rc)
{
    ngx_uint_t   i;
    ngx_addr_t  *seed;

    rc->cluster = 1;
    rc->refresh = 1;
    rc->unrouted_tail = &rc->unrouted;

    rc->slots = ngx_calloc(LAGO_WEBHOOK_SLOTS
                           * sizeof(ngx_http_lago_webhook_redis_node_t *),
                           rc->log);
    if (rc->slots == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < rc->conf->nseeds; i++) {
        seed = &rc->conf->seeds[i];

        if (ngx_http_lago_webhook_redis_cluster_node(rc, seed->sockaddr,
                                                     seed->socklen,
                                                     &seed->name)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A node's address as Cluster gives it: an IP and a port, or no IP for
 * the node that answered (from).
 */

static ngx_int_t
ngx_http_lago_webhook_redis_cluster_address(lago_webhook_cluster_node_t *node,
    ngx_addr_t *from, ngx_sockaddr_t *sockaddr, ngx_addr_t *addr,
    u_char *text)
{
    if (node->host_len) {
        return ngx_http_lago_webhook_redis_io_address((u_char *) node->host,
                                                      node->host_len,
                                                      (in_port_t) node->port,
                                                      sockaddr, addr, text);
    }

    if (from == NULL || from->socklen > sizeof(ngx_sockaddr_t)
        || (from->sockaddr->sa_family != AF_INET
#if (NGX_HAVE_INET6)
            && from->sockaddr->sa_family != AF_INET6
#endif
           ))
    {
        return NGX_ERROR;
    }

    ngx_memzero(sockaddr, sizeof(ngx_sockaddr_t));
    ngx_memcpy(sockaddr, from->sockaddr, from->socklen);
    ngx_inet_set_port(&sockaddr->sockaddr, (in_port_t) node->port);

    addr->sockaddr = &sockaddr->sockaddr;
    addr->socklen = from->socklen;
    addr->name.data = text;
    addr->name.len = ngx_sock_ntop(addr->sockaddr, addr->socklen, text,
                                   NGX_SOCKADDR_STRLEN, 1);

    return NGX_OK;
}
