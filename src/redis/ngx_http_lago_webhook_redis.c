
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Requests never reach a connection directly: each command carries an
 * op that outlives the request.  A request that goes away first (client
 * gone, timeout, worker shutdown) only detaches itself from its op; the
 * reply then just frees the op.  Ops wait for their replies in the order
 * their commands were written, which is the order Redis answers in.
 *
 * A connection and its ops are a node.  One Redis, or the master that
 * Sentinel names, is one node.  With Sentinel, every connection, the
 * first and each reconnect, starts with a question to the sentinels: an
 * address that failed once is never trusted again, since a failover may
 * have moved the master.  Until the answer the worker is disconnected,
 * and requests get their 503 at once.
 *
 * With Redis Cluster there is a node per master, and a map from each of
 * the 16384 slots to its node, read with CLUSTER SLOTS from any node
 * that is up (the seeds, at first).  A command goes to its key's node;
 * a redirection sends it on again, its RESP bytes being kept in the
 * request's pool for that.  The map is read again after a MOVED and
 * whenever a master's connection is lost or cannot be made, which is
 * how a replica's promotion is learnt.  A master down fails only the
 * requests of its own slots.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_io.h"
#include "ngx_http_lago_webhook_cluster.h"


#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN  50
#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX  1000

/* ops are reused: no malloc per command once the worker is warm */
#define NGX_HTTP_LAGO_WEBHOOK_FREE_OPS_MAX  4096

/* a slot moving around more than that is a cluster that cannot agree */
#define NGX_HTTP_LAGO_WEBHOOK_REDIRECTS_MAX  5

/* how soon a command is tried again after its first TRYAGAIN */
#define NGX_HTTP_LAGO_WEBHOOK_TRYAGAIN_DELAY  10


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


static ngx_http_lago_webhook_redis_node_t *ngx_http_lago_webhook_redis_node(
    ngx_http_lago_webhook_redis_t *rc, struct sockaddr *sockaddr,
    socklen_t socklen, ngx_str_t *text);
static ngx_http_lago_webhook_redis_node_t *
    ngx_http_lago_webhook_redis_cluster_node(ngx_http_lago_webhook_redis_t *rc,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *text);
static void ngx_http_lago_webhook_redis_node_free(
    ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node);
static ngx_http_lago_webhook_redis_node_t *ngx_http_lago_webhook_redis_route(
    ngx_http_lago_webhook_redis_t *rc, ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_command_t *cmd, ngx_uint_t *slot);
static ngx_uint_t ngx_http_lago_webhook_redis_connecting(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_route_unrouted(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_connect(
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_master(void *data, ngx_addr_t *master,
    const char *detail);
static void ngx_http_lago_webhook_redis_switched(void *data,
    ngx_addr_t *master, ngx_str_t *sentinel);
static void ngx_http_lago_webhook_redis_open(
    ngx_http_lago_webhook_redis_node_t *node);
static ngx_int_t ngx_http_lago_webhook_redis_setup(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_op_kind_e kind, int argc, const char **argv,
    const size_t *argvlen);
static ngx_int_t ngx_http_lago_webhook_redis_expect(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_op_kind_e kind);
static void ngx_http_lago_webhook_redis_connected(void *data);
static void ngx_http_lago_webhook_redis_reply(void *data, redisReply *reply);
static void ngx_http_lago_webhook_redis_failed(void *data, const char *what,
    const char *detail);
static void ngx_http_lago_webhook_redis_deliver(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
static void ngx_http_lago_webhook_redis_handshake_reply(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_redis_role(
    ngx_http_lago_webhook_redis_node_t *node, redisReply *reply);
static void ngx_http_lago_webhook_redis_close(
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_outage(
    ngx_http_lago_webhook_redis_node_t *node, const char *what,
    const char *detail);
static void ngx_http_lago_webhook_redis_health(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_drop(
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_reconnect(ngx_event_t *ev);

static void ngx_http_lago_webhook_redis_refresh(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_ask_slots(
    ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_slots(
    ngx_http_lago_webhook_redis_node_t *node, redisReply *reply);
static void ngx_http_lago_webhook_redis_map_error(
    ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node, const char *detail);
static ngx_int_t ngx_http_lago_webhook_redis_redirect(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
static void ngx_http_lago_webhook_redis_take_follower(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_resend(
    ngx_http_lago_webhook_redis_op_t *op,
    ngx_http_lago_webhook_redis_node_t *node, ngx_uint_t asking);
static ngx_int_t ngx_http_lago_webhook_redis_write_op(
    ngx_http_lago_webhook_redis_op_t *op,
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_unsent(
    ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_retry(ngx_event_t *ev);

static void ngx_http_lago_webhook_redis_enqueue(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_call(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
static void ngx_http_lago_webhook_redis_op_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_op_cleanup(void *data);
static void ngx_http_lago_webhook_redis_op_discard(
    ngx_http_lago_webhook_redis_op_t *op);
static ngx_http_request_t *ngx_http_lago_webhook_redis_op_detach(
    ngx_http_lago_webhook_redis_op_t *op);
static ngx_http_lago_webhook_redis_op_t *ngx_http_lago_webhook_redis_op_get(
    ngx_log_t *log);
static void ngx_http_lago_webhook_redis_op_put(
    ngx_http_lago_webhook_redis_op_t *op);


/* The connections of a worker process. */
static ngx_http_lago_webhook_redis_t  ngx_http_lago_webhook_redis;

static ngx_http_lago_webhook_redis_op_t  *ngx_http_lago_webhook_free_ops;
static ngx_uint_t                         ngx_http_lago_webhook_nfree_ops;
static time_t                             ngx_http_lago_webhook_error_logged;


ngx_int_t
ngx_http_lago_webhook_redis_init(ngx_cycle_t *cycle,
    ngx_http_lago_webhook_redis_conf_t *conf)
{
    ngx_uint_t                           i;
    ngx_addr_t                          *seed;
    ngx_http_lago_webhook_redis_t       *rc;
    ngx_http_lago_webhook_redis_node_t  *node;

    rc = &ngx_http_lago_webhook_redis;
    ngx_memzero(rc, sizeof(ngx_http_lago_webhook_redis_t));

    rc->conf = conf;
    rc->log = cycle->log;

    if (rc->conf->nseeds == 0) {
        node = ngx_http_lago_webhook_redis_node(rc, rc->conf->addr.sockaddr,
                                                rc->conf->addr.socklen,
                                                &rc->conf->addr.name);
        if (node == NULL) {
            return NGX_ERROR;
        }

        /* the name it was given: the address, or the master's name */
        node->name = &rc->conf->name;

        ngx_http_lago_webhook_redis_connect(node);

        if (rc->conf->sentinel.nsentinels) {
            ngx_http_lago_webhook_sentinel_watch(&rc->conf->sentinel,
                                     ngx_http_lago_webhook_redis_switched,
                                     node, rc->log);
        }

        return NGX_OK;
    }

    /* a Cluster: each seed is asked for the map until one answers */

    rc->cluster = 1;
    rc->refresh = 1;
    rc->unrouted_tail = &rc->unrouted;

    rc->slots = ngx_calloc(LAGO_WEBHOOK_SLOTS
                           * sizeof(ngx_http_lago_webhook_redis_node_t *),
                           cycle->log);
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


void
ngx_http_lago_webhook_redis_exit(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_redis_t       *rc;
    ngx_http_lago_webhook_redis_op_t    *op;
    ngx_http_lago_webhook_redis_node_t  *node;

    rc = &ngx_http_lago_webhook_redis;
    rc->exiting = 1;

    ngx_http_lago_webhook_sentinel_unwatch();

    for (node = rc->nodes; node; node = node->next) {
        if (node->asking) {
            ngx_http_lago_webhook_sentinel_cancel();
            node->asking = 0;
        }
    }

    while (rc->nodes) {
        node = rc->nodes;
        ngx_http_lago_webhook_redis_close(node);
        ngx_http_lago_webhook_redis_node_free(rc, node);
    }

    ngx_http_lago_webhook_redis_route_unrouted(rc);

    while (ngx_http_lago_webhook_free_ops) {
        op = ngx_http_lago_webhook_free_ops;
        ngx_http_lago_webhook_free_ops = op->next;
        ngx_free(op);
    }

    ngx_http_lago_webhook_nfree_ops = 0;

    if (rc->slots) {
        ngx_free(rc->slots);
        rc->slots = NULL;
    }
}


/*
 * The node at an address, made (and left to connect) if there is none:
 * the same master reached by two ways is one connection.
 */

static ngx_http_lago_webhook_redis_node_t *
ngx_http_lago_webhook_redis_node(ngx_http_lago_webhook_redis_t *rc,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *text)
{
    ngx_http_lago_webhook_redis_node_t  *node;

    for (node = rc->nodes; node; node = node->next) {
        if (ngx_cmp_sockaddr(&node->sockaddr.sockaddr, node->addr.socklen,
                             sockaddr, socklen, 1)
            == NGX_OK)
        {
            if (node->retired) {
                /* owns slots again: it stays */
                node->retired = 0;

                if (node->drop_event.posted) {
                    ngx_delete_posted_event(&node->drop_event);
                }
            }

            return node;
        }
    }

    if (socklen > sizeof(ngx_sockaddr_t) || text->len >= NGX_SOCKADDR_STRLEN)
    {
        return NULL;
    }

    node = ngx_calloc(sizeof(ngx_http_lago_webhook_redis_node_t), rc->log);
    if (node == NULL) {
        return NULL;
    }

    ngx_memcpy(&node->sockaddr, sockaddr, socklen);
    node->addr.sockaddr = &node->sockaddr.sockaddr;
    node->addr.socklen = socklen;
    node->addr.name.data = node->text;
    node->addr.name.len = text->len;
    ngx_memcpy(node->text, text->data, text->len);
    node->text[text->len] = '\0';

    node->name = &node->addr.name;
    node->tail = &node->head;
    node->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN;

    node->connect_timer.handler = ngx_http_lago_webhook_redis_connect_timeout;
    node->connect_timer.data = node;
    node->connect_timer.log = rc->log;
    node->connect_timer.cancelable = 1;

    node->reconnect_timer.handler = ngx_http_lago_webhook_redis_reconnect;
    node->reconnect_timer.data = node;
    node->reconnect_timer.log = rc->log;
    node->reconnect_timer.cancelable = 1;

    node->drop_event.handler = ngx_http_lago_webhook_redis_drop_handler;
    node->drop_event.data = node;
    node->drop_event.log = rc->log;

    node->next = rc->nodes;
    rc->nodes = node;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: node %V", &node->addr.name);

    return node;
}


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


/* a node already closed, with no op and no timer left */

static void
ngx_http_lago_webhook_redis_node_free(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_node_t *node)
{
    ngx_http_lago_webhook_redis_node_t  **pp;

    for (pp = &rc->nodes; *pp; pp = &(*pp)->next) {
        if (*pp == node) {
            *pp = node->next;
            break;
        }
    }

    if (rc->refresher == node) {
        rc->refresher = NULL;
    }

    if (node->reconnect_timer.timer_set) {
        ngx_del_timer(&node->reconnect_timer);
    }

    if (node->connect_timer.timer_set) {
        ngx_del_timer(&node->connect_timer);
    }

    if (node->drop_event.posted) {
        ngx_delete_posted_event(&node->drop_event);
    }

#if (NGX_SSL)
    if (node->ssl_session) {
        ngx_ssl_free_session(node->ssl_session);
    }
#endif

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: node %V freed", &node->addr.name);

    ngx_free(node);
}


ngx_int_t
ngx_http_lago_webhook_redis_is_up(void)
{
    ngx_http_lago_webhook_redis_t       *rc;
    ngx_http_lago_webhook_redis_node_t  *node;

    rc = &ngx_http_lago_webhook_redis;

    if (rc->cluster && !rc->mapped) {
        return 0;
    }

    for (node = rc->nodes; node; node = node->next) {
        if ((!rc->cluster || node->mapped)
            && !(node->state == NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED
                 && node->ready))
        {
            return 0;
        }
    }

    return rc->nodes != NULL;
}


ngx_int_t
ngx_http_lago_webhook_redis_send(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_command_t *cmd,
    ngx_http_lago_webhook_redis_handler_pt handler, void *data)
{
    u_char                              *resp, *last;
    ngx_uint_t                           slot;
    ngx_http_cleanup_t                  *cln;
    ngx_http_lago_webhook_redis_t       *rc;
    ngx_http_lago_webhook_redis_op_t    *op;
    ngx_http_lago_webhook_redis_node_t  *node;

    rc = &ngx_http_lago_webhook_redis;

    node = ngx_http_lago_webhook_redis_route(rc, r, cmd, &slot);

    if (node == NULL && rc->cluster && !rc->mapped
        && ngx_http_lago_webhook_redis_connecting(rc))
    {
        /*
         * A worker just started: its commands wait for the map as they
         * would wait for a connection being made.
         */

    } else if (node == NULL
               || node->state == NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED)
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "lago_webhook redis: not connected");
        return NGX_DECLINED;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    /*
     * The command in RESP, formatted in the request's pool, and copied
     * into the connection's output buffer; with a Cluster it stays there
     * in case it must go to another node.
     */

    resp = ngx_pnalloc(r->pool,
                   ngx_http_lago_webhook_redis_io_command_len(cmd->argc,
                                                          cmd->argvlen));
    if (resp == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_lago_webhook_redis_io_command(resp, cmd->argc, cmd->argv,
                                              cmd->argvlen);

    /* the op must outlive the request, so it is not in the request pool */

    op = ngx_http_lago_webhook_redis_op_get(r->connection->log);
    if (op == NULL) {
        return NGX_ERROR;
    }

    if (node
        && ngx_http_lago_webhook_redis_io_write(node->io, resp, last - resp)
           != NGX_OK)
    {
        ngx_http_lago_webhook_redis_op_put(op);
        return NGX_ERROR;
    }

    op->kind = NGX_HTTP_LAGO_WEBHOOK_OP_REQUEST;
    op->request = r;
    op->handler = handler;
    op->data = data;
    op->cleanup = cln;
    op->command = resp;
    op->len = last - resp;
    op->slot = slot;

    cln->handler = ngx_http_lago_webhook_redis_op_cleanup;
    cln->data = op;

    op->timer.handler = ngx_http_lago_webhook_redis_op_timeout;
    op->timer.data = op;
    op->timer.log = r->connection->log;

    ngx_add_timer(&op->timer, rc->conf->timeout);

    if (node == NULL) {
        op->unrouted = 1;
        *rc->unrouted_tail = op;
        rc->unrouted_tail = &op->next;

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "lago_webhook redis: op:%p waits for the slot map",
                       op);
        return NGX_OK;
    }

    if (cmd->follows && rc->last && rc->last->request == r
        && rc->last->node == node)
    {
        rc->last->follower = op;
    }

    rc->last = op;

    ngx_http_lago_webhook_redis_enqueue(node, op);

    ngx_http_lago_webhook_metrics_redis_command_sent();

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook redis: queued %uz bytes on %V, op:%p",
                   op->len, node->name, op);

    return NGX_OK;
}


/* whether a node is connecting, or up: the map may still come */

static ngx_uint_t
ngx_http_lago_webhook_redis_connecting(ngx_http_lago_webhook_redis_t *rc)
{
    ngx_http_lago_webhook_redis_node_t  *node;

    for (node = rc->nodes; node; node = node->next) {
        if (node->state != NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED) {
            return 1;
        }
    }

    return 0;
}


/*
 * The commands that waited for the map go where it says, in the order
 * they came; without a map (no node left to ask, or the worker exiting)
 * they fail.
 */

static void
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

static ngx_http_lago_webhook_redis_node_t *
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


static void
ngx_http_lago_webhook_redis_connect(ngx_http_lago_webhook_redis_node_t *node)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    if (rc->conf->sentinel.nsentinels == 0) {
        ngx_http_lago_webhook_redis_open(node);
        return;
    }

    node->asking = 1;

    ngx_http_lago_webhook_sentinel_ask(&rc->conf->sentinel,
                                       ngx_http_lago_webhook_redis_master,
                                       node, rc->log);
}


/* the sentinels' answer: where the master is, or that none could tell */

static void
ngx_http_lago_webhook_redis_master(void *data, ngx_addr_t *master,
    const char *detail)
{
    ngx_http_lago_webhook_redis_node_t  *node = data;

    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    node->asking = 0;

    if (rc->exiting) {
        return;
    }

    if (master == NULL) {
        ngx_http_lago_webhook_redis_outage(node, "could not be found",
                                           detail);
        ngx_http_lago_webhook_redis_schedule_reconnect(node);
        return;
    }

    if (master->socklen > sizeof(ngx_sockaddr_t)
        || master->name.len >= NGX_SOCKADDR_STRLEN)
    {
        ngx_http_lago_webhook_redis_outage(node, "could not be found",
                                           "an address too long");
        ngx_http_lago_webhook_redis_schedule_reconnect(node);
        return;
    }

    if (node->addr.name.len != master->name.len
        || ngx_memcmp(node->addr.name.data, master->name.data,
                      master->name.len)
           != 0)
    {
        ngx_memcpy(&node->sockaddr, master->sockaddr, master->socklen);
        node->addr.sockaddr = &node->sockaddr.sockaddr;
        node->addr.socklen = master->socklen;

        node->addr.name.data = node->text;
        node->addr.name.len = master->name.len;
        ngx_memcpy(node->text, master->name.data, master->name.len);
        node->text[master->name.len] = '\0';

        ngx_log_error(NGX_LOG_NOTICE, rc->log, 0,
                      "lago_webhook: redis master \"%V\" is at %V",
                      &rc->conf->name, &node->addr.name);
    }

    ngx_http_lago_webhook_redis_open(node);
}


/*
 * A sentinel's +switch-master: a connection to the old master would
 * learn of the failover only from its next write's READONLY.
 */

static void
ngx_http_lago_webhook_redis_switched(void *data, ngx_addr_t *master,
    ngx_str_t *sentinel)
{
    ngx_http_lago_webhook_redis_node_t  *node = data;

    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    if (ngx_cmp_sockaddr(master->sockaddr, master->socklen,
                         node->addr.sockaddr, node->addr.socklen, 1)
        == NGX_OK)
    {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, rc->log, 0,
                  "lago_webhook: sentinel %V says redis master \"%V\" "
                  "moved to %V", sentinel, &rc->conf->name, &master->name);

    ngx_http_lago_webhook_redis_drop(node);
}


static void
ngx_http_lago_webhook_redis_open(ngx_http_lago_webhook_redis_node_t *node)
{
    size_t                                     argvlen[2];
    ngx_int_t                                  rv;
    const char                                *argv[2], *detail;
    ngx_http_lago_webhook_redis_t             *rc;
    ngx_http_lago_webhook_redis_io_conf_t      ioc;
    ngx_http_lago_webhook_redis_io_handler_t   handler;

    rc = &ngx_http_lago_webhook_redis;

    ngx_memzero(&ioc, sizeof(ngx_http_lago_webhook_redis_io_conf_t));

    ioc.addr = &node->addr;
    ioc.name = rc->conf->sentinel.nsentinels ? &node->addr.name : node->name;

#if (NGX_SSL)
    ioc.ssl = rc->conf->ssl_ctx;
    ioc.ssl_verify = rc->conf->ssl_verify;
    ioc.ssl_session = rc->conf->ssl_session_reuse ? &node->ssl_session : NULL;

    /*
     * Without a name configured, a master that Sentinel or Cluster names
     * is checked by its address.
     */

    ioc.ssl_name = &rc->conf->ssl_name;

    if (rc->conf->ssl_ctx && rc->conf->ssl_name.len == 0) {
        node->ssl_name.data = node->ssl_name_buf;
        node->ssl_name.len = ngx_sock_ntop(node->addr.sockaddr,
                                           node->addr.socklen,
                                           node->ssl_name_buf,
                                           NGX_SOCKADDR_STRLEN - 1, 0);
        node->ssl_name_buf[node->ssl_name.len] = '\0';
        ioc.ssl_name = &node->ssl_name;
    }
#endif

    ioc.user = &rc->conf->user;
    ioc.password = &rc->conf->password;

    handler.connected = ngx_http_lago_webhook_redis_connected;
    handler.reply = ngx_http_lago_webhook_redis_reply;
    handler.failed = ngx_http_lago_webhook_redis_failed;
    handler.data = node;

    /* the handshake is queued before any request's command: it runs first */

    rv = ngx_http_lago_webhook_redis_io_connect(&node->io, &ioc, &handler,
                                                rc->log, &detail);

    if (rv == NGX_DECLINED) {
        ngx_http_lago_webhook_redis_outage(node, "could not be reached",
                                           detail);
        ngx_http_lago_webhook_redis_schedule_reconnect(node);
        ngx_http_lago_webhook_redis_refresh(rc);
        return;
    }

    if (rv != NGX_OK) {
        goto failed;
    }

    node->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING;
    node->ready = 0;
    node->refused = 0;

    if (rc->conf->password.len
        && ngx_http_lago_webhook_redis_expect(node,
                                              NGX_HTTP_LAGO_WEBHOOK_OP_SETUP)
           != NGX_OK)
    {
        goto failed;
    }

    if (rc->conf->db > 0) {
        u_char  db[NGX_INT_T_LEN];

        argv[0] = "SELECT";
        argvlen[0] = 6;
        argv[1] = (const char *) db;
        argvlen[1] = ngx_http_lago_webhook_decimal(db, (size_t) rc->conf->db)
                     - db;

        if (ngx_http_lago_webhook_redis_setup(node,
                                              NGX_HTTP_LAGO_WEBHOOK_OP_SETUP,
                                              2, argv, argvlen)
            != NGX_OK)
        {
            goto failed;
        }
    }

    /* a sentinel's answer may be stale: the node must say it is a master */

    if (rc->conf->sentinel.nsentinels) {
        argv[0] = "ROLE";
        argvlen[0] = 4;

        if (ngx_http_lago_webhook_redis_setup(node,
                                              NGX_HTTP_LAGO_WEBHOOK_OP_ROLE,
                                              1, argv, argvlen)
            != NGX_OK)
        {
            goto failed;
        }
    }

    /* its answer tells that the connection is usable (see deliver()) */

    argv[0] = "PING";
    argvlen[0] = 4;

    if (ngx_http_lago_webhook_redis_setup(node, NGX_HTTP_LAGO_WEBHOOK_OP_PING,
                                          1, argv, argvlen)
        != NGX_OK)
    {
        goto failed;
    }

    ngx_add_timer(&node->connect_timer, rc->conf->connect_timeout);

    return;

failed:

    ngx_http_lago_webhook_redis_outage(node, "could not be reached",
                                       "out of memory");
    ngx_http_lago_webhook_redis_close(node);
}


/* a command of the connection's own: an op with no request */

static ngx_int_t
ngx_http_lago_webhook_redis_setup(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_op_kind_e kind, int argc, const char **argv,
    const size_t *argvlen)
{
    if (ngx_http_lago_webhook_redis_io_send(node->io, argc, argv, argvlen)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_lago_webhook_redis_expect(node, kind);
}


/* the reply of a command of the connection's own, written already */

static ngx_int_t
ngx_http_lago_webhook_redis_expect(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_op_kind_e kind)
{
    ngx_http_lago_webhook_redis_op_t  *op;

    op = ngx_http_lago_webhook_redis_op_get(ngx_http_lago_webhook_redis.log);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->kind = kind;

    ngx_http_lago_webhook_redis_enqueue(node, op);

    return NGX_OK;
}


static void
ngx_http_lago_webhook_redis_connected(void *data)
{
    ngx_http_lago_webhook_redis_node_t  *node = data;

    node->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED;
}


/* the reply to the oldest command still waiting */

static void
ngx_http_lago_webhook_redis_reply(void *data, redisReply *reply)
{
    ngx_http_lago_webhook_redis_node_t  *node = data;

    ngx_http_lago_webhook_redis_op_t  *op;

    op = node->head;

    if (op == NULL) {
        ngx_http_lago_webhook_redis_outage(node, "broke the protocol",
                                           "an answer to no command");
        ngx_http_lago_webhook_redis_drop(node);
        return;
    }

    node->head = op->next;

    if (node->head == NULL) {
        node->tail = &node->head;
    }

    ngx_http_lago_webhook_redis_deliver(node, op, reply);

    /* a node that owns no slot any more goes once it has nothing to do */

    if (node->retired && node->head == NULL) {
        ngx_http_lago_webhook_redis_drop(node);
    }
}


/* the connection failed or was closed: every waiting command fails */

static void
ngx_http_lago_webhook_redis_failed(void *data, const char *what,
    const char *detail)
{
    ngx_http_lago_webhook_redis_node_t  *node = data;

    ngx_http_lago_webhook_redis_outage(node, what, detail);
    ngx_http_lago_webhook_redis_close(node);
}


static void
ngx_http_lago_webhook_redis_deliver(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply)
{
    ngx_connection_t               *c;
    ngx_http_request_t             *r;
    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    op->node = NULL;

    switch (op->kind) {

    case NGX_HTTP_LAGO_WEBHOOK_OP_SETUP:
    case NGX_HTTP_LAGO_WEBHOOK_OP_ROLE:
    case NGX_HTTP_LAGO_WEBHOOK_OP_PING:
        ngx_http_lago_webhook_redis_handshake_reply(node, op, reply);
        ngx_http_lago_webhook_redis_op_put(op);
        return;

    case NGX_HTTP_LAGO_WEBHOOK_OP_SLOTS:
        ngx_http_lago_webhook_redis_op_put(op);
        ngx_http_lago_webhook_redis_slots(node, reply);
        return;

    case NGX_HTTP_LAGO_WEBHOOK_OP_ASKING:
        /* an error here shows in the command's own reply */
        ngx_http_lago_webhook_redis_op_put(op);
        return;

    default: /* NGX_HTTP_LAGO_WEBHOOK_OP_REQUEST */
        ngx_http_lago_webhook_metrics_redis_command_done();
        break;
    }

    if (rc->cluster && reply != NULL && reply->type == REDIS_REPLY_ERROR
        && op->request
        && ngx_http_lago_webhook_redis_redirect(node, op, reply) == NGX_OK)
    {
        /* sent on again, or to be */
        return;
    }

    /*
     * An error that is no answer to the command itself (NOAUTH, LOADING
     * after a restart, READONLY, OOM...) means the store is unusable:
     * the request gets a 503.  NOSCRIPT is for the store to handle.
     */

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && rc->conf->sentinel.nsentinels
        && reply->len >= 8 && ngx_strncmp(reply->str, "READONLY", 8) == 0)
    {
        /*
         * A failover made this master a replica: whatever was sent after
         * this write fails too, and the sentinels are asked where the
         * master is now.
         */

        ngx_http_lago_webhook_redis_outage(node, "is no longer the master",
                                           reply->str);
        ngx_http_lago_webhook_redis_drop(node);

        reply = NULL;

    } else if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && !(reply->len >= 8 && ngx_strncmp(reply->str, "NOSCRIPT", 8) == 0))
    {
        /* at most a line a second, however many requests it fails */

        if (ngx_http_lago_webhook_error_logged != ngx_time()) {
            ngx_http_lago_webhook_error_logged = ngx_time();
            ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                          "lago_webhook: redis \"%V\" answered with an "
                          "error, answering 503: %s",
                          node->name, reply->str);
        }

        reply = NULL;
    }

    r = ngx_http_lago_webhook_redis_op_detach(op);

    if (r) {
        c = r->connection;

        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "lago_webhook redis: op:%p reply type:%d%s", op,
                       reply ? reply->type : 0, reply ? "" : " (none)");

        ngx_http_lago_webhook_redis_call(r, op, reply);

        ngx_http_run_posted_requests(c);
    }

    ngx_http_lago_webhook_redis_op_put(op);
}


/*
 * AUTH, SELECT, ROLE and PING, sent first on every connection.  An
 * outage ends (and the backoff starts over) only when PING answers
 * after them: a Redis that accepts connections but refuses our password
 * is still down.
 */

static void
ngx_http_lago_webhook_redis_handshake_reply(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    if (node->refused || reply == NULL) {
        /* the connection is being dropped: what follows is moot */
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_lago_webhook_redis_outage(node,
                                   op->kind == NGX_HTTP_LAGO_WEBHOOK_OP_ROLE
                                   ? "refused ROLE"
                                   : "refused AUTH, SELECT or PING",
                                   reply->str);
        node->refused = 1;
        ngx_http_lago_webhook_redis_drop(node);
        return;
    }

    if (op->kind == NGX_HTTP_LAGO_WEBHOOK_OP_ROLE
        && ngx_http_lago_webhook_redis_role(node, reply) != NGX_OK)
    {
        node->refused = 1;
        ngx_http_lago_webhook_redis_drop(node);
        return;
    }

    if (op->kind != NGX_HTTP_LAGO_WEBHOOK_OP_PING) {
        return;
    }

    if (node->connect_timer.timer_set) {
        ngx_del_timer(&node->connect_timer);
    }

    node->ready = 1;
    node->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: handshake done with %V", node->name);

    if (node->outage_logged) {
        node->outage_logged = 0;
        ngx_log_error(NGX_LOG_NOTICE, rc->log, 0,
                      "lago_webhook: redis \"%V\" is reachable again",
                      node->name);
    }

    if (rc->cluster && rc->refresh && rc->refresher == NULL) {
        ngx_http_lago_webhook_redis_ask_slots(rc, node);
    }

    ngx_http_lago_webhook_redis_health(rc);
}


/*
 * ROLE's reply: ["master", offset, replicas] from a master, ["slave", ...]
 * from a replica the sentinels have not told about yet, or from an old
 * master that came back.  Anything but a master is an outage.
 */

static ngx_int_t
ngx_http_lago_webhook_redis_role(ngx_http_lago_webhook_redis_node_t *node,
    redisReply *reply)
{
    u_char       *p, detail[NGX_SOCKADDR_STRLEN + 64];
    redisReply   *role;

    role = (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0)
           ? reply->element[0] : NULL;

    if (role == NULL
        || (role->type != REDIS_REPLY_STRING
            && role->type != REDIS_REPLY_STATUS))
    {
        ngx_http_lago_webhook_redis_outage(node, "broke the protocol",
                                           "ROLE gave no role");
        return NGX_ERROR;
    }

    if (role->len == 6 && ngx_strncmp(role->str, "master", 6) == 0) {
        return NGX_OK;
    }

    p = ngx_snprintf(detail, sizeof(detail) - 1, "%V says it is a %*s",
                     &node->addr.name, ngx_min(role->len, 32), role->str);
    *p = '\0';

    ngx_http_lago_webhook_redis_outage(node, "is not a master",
                                       (const char *) detail);

    return NGX_ERROR;
}


/*
 * Closes the connection, if any, and fails every command waiting on it:
 * their requests get a 503.  Then a reconnect is scheduled, and with a
 * Cluster the map is read again: the master may have been replaced.
 */

static void
ngx_http_lago_webhook_redis_close(ngx_http_lago_webhook_redis_node_t *node)
{
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    rc = &ngx_http_lago_webhook_redis;

    node->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED;
    node->ready = 0;

    if (node->connect_timer.timer_set) {
        ngx_del_timer(&node->connect_timer);
    }

    if (node->drop_event.posted) {
        ngx_delete_posted_event(&node->drop_event);
    }

    if (node->io) {
        ngx_http_lago_webhook_redis_io_close(node->io);
        node->io = NULL;
    }

    while (node->head) {
        op = node->head;
        node->head = op->next;

        if (node->head == NULL) {
            node->tail = &node->head;
        }

        ngx_http_lago_webhook_redis_deliver(node, op, NULL);
    }

    if (node->retired) {
        return;
    }

    ngx_http_lago_webhook_redis_schedule_reconnect(node);
    ngx_http_lago_webhook_redis_refresh(rc);

    if (rc->unrouted && !ngx_http_lago_webhook_redis_connecting(rc)) {
        /* every seed failed: no map is coming soon */
        ngx_http_lago_webhook_redis_route_unrouted(rc);
    }
}


/*
 * Logs an outage once, however many requests and reconnect attempts it
 * takes; the next successful handshake logs the recovery.
 */

static void
ngx_http_lago_webhook_redis_outage(ngx_http_lago_webhook_redis_node_t *node,
    const char *what, const char *detail)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    if (rc->exiting || node->retired) {
        ngx_log_debug2(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                       "lago_webhook redis: %s: %s", what,
                       detail ? detail : "");
        return;
    }

    /* a node that serves nothing yet, or no more, is no outage of ours */

    if (!rc->cluster || node->mapped || !rc->mapped) {
        ngx_http_lago_webhook_metrics_redis_down();
        rc->up = 0;
    }

    if (node->outage_logged) {
        ngx_log_debug2(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                       "lago_webhook redis: %s: %s", what,
                       detail ? detail : "");
        return;
    }

    node->outage_logged = 1;

    ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                  "lago_webhook: redis \"%V\" %s%s%s, answering 503 "
                  "until it is back", node->name, what,
                  detail ? ": " : "", detail ? detail : "");
}


/* tells the metrics when the store as a whole is up again */

static void
ngx_http_lago_webhook_redis_health(ngx_http_lago_webhook_redis_t *rc)
{
    if (rc->exiting || rc->up || !ngx_http_lago_webhook_redis_is_up()) {
        return;
    }

    ngx_http_lago_webhook_metrics_redis_up();
    rc->up = 1;
}


/* closes the connection from a posted event: never under a reply */

static void
ngx_http_lago_webhook_redis_drop(ngx_http_lago_webhook_redis_node_t *node)
{
    if ((node->io == NULL && !node->retired) || node->drop_event.posted) {
        return;
    }

    ngx_post_event(&node->drop_event, &ngx_posted_events);
}


static void
ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_node_t  *node;

    node = ev->data;

    if (node->retired) {
        if (node->head) {
            /* the rest of its replies first: see reply() */
            return;
        }

        ngx_http_lago_webhook_redis_close(node);
        ngx_http_lago_webhook_redis_node_free(&ngx_http_lago_webhook_redis,
                                              node);
        return;
    }

    if (node->io == NULL) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, ev->log, 0,
                   "lago_webhook redis: dropping the connection to %V",
                   node->name);

    ngx_http_lago_webhook_redis_close(node);
}


static void
ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_node_t  *node;

    node = ev->data;

    if (node->io == NULL) {
        return;
    }

    ngx_http_lago_webhook_redis_outage(node, "could not be reached",
                                       node->state
                                       == NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING
                                       ? "connect timed out"
                                       : "the handshake timed out");

    ngx_http_lago_webhook_redis_close(node);
}


static void
ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_node_t *node)
{
    if (ngx_http_lago_webhook_redis.exiting || node->retired
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    if (node->reconnect_timer.timer_set) {
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_EVENT, node->reconnect_timer.log, 0,
                   "lago_webhook redis: reconnecting to %V in %M ms",
                   node->name, node->backoff);

    ngx_add_timer(&node->reconnect_timer, node->backoff);

    node->backoff *= 2;

    if (node->backoff > NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX) {
        node->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX;
    }
}


static void
ngx_http_lago_webhook_redis_reconnect(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_node_t  *node;

    node = ev->data;

    if (node->io == NULL && !node->asking && !node->retired
        && !ngx_http_lago_webhook_redis.exiting)
    {
        ngx_http_lago_webhook_metrics_redis_reconnect();
        ngx_http_lago_webhook_redis_connect(node);
    }
}


/*
 * Asks for the slot map, one question at a time, of a node that is up;
 * when none is, the seeds come back and the first to be up is asked.
 */

static void
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


static void
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

static void
ngx_http_lago_webhook_redis_slots(ngx_http_lago_webhook_redis_node_t *node,
    redisReply *reply)
{
    u_char                                 text[NGX_SOCKADDR_STRLEN];
    socklen_t                              socklen;
    ngx_int_t                              rv;
    ngx_str_t                              name;
    ngx_uint_t                             i, s, start, end, covered;
    ngx_sockaddr_t                         sockaddr;
    ngx_http_lago_webhook_redis_t         *rc;
    ngx_http_lago_webhook_redis_node_t    *n;
    ngx_http_lago_webhook_cluster_node_t   master;

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
        rv = ngx_http_lago_webhook_cluster_range(reply, i, &start, &end,
                                                 &master);
        if (rv == NGX_DECLINED) {
            break;
        }

        if (rv != NGX_OK) {
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
    name.data = text;

    for (i = 0;
         ngx_http_lago_webhook_cluster_range(reply, i, &start, &end, &master)
         == NGX_OK;
         i++)
    {
        if (ngx_http_lago_webhook_cluster_address(&master, &node->addr,
                                                  &sockaddr, &socklen, &name)
            != NGX_OK)
        {
            ngx_http_lago_webhook_redis_map_error(rc, node,
                                        "a master with no usable address");
            continue;
        }

        n = ngx_http_lago_webhook_redis_cluster_node(rc, &sockaddr.sockaddr,
                                                     socklen, &name);
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

static ngx_int_t
ngx_http_lago_webhook_redis_redirect(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply)
{
    u_char                                     text[NGX_SOCKADDR_STRLEN];
    socklen_t                                  socklen;
    ngx_str_t                                  name;
    ngx_uint_t                                 slot;
    ngx_sockaddr_t                             sockaddr;
    ngx_http_lago_webhook_redis_t             *rc;
    ngx_http_lago_webhook_redis_node_t        *target;
    ngx_http_lago_webhook_cluster_node_t       to;
    ngx_http_lago_webhook_cluster_redirect_e   kind;

    rc = &ngx_http_lago_webhook_redis;

    kind = ngx_http_lago_webhook_cluster_redirect(reply, &slot, &to);

    switch (kind) {

    case NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER:
        return NGX_DECLINED;

    case NGX_HTTP_LAGO_WEBHOOK_CLUSTER_DOWN:
        ngx_http_lago_webhook_redis_refresh(rc);
        return NGX_DECLINED;

    default:
        break;
    }

    /*
     * TRYAGAIN lasts as long as the migration of the slot's keys, and is
     * bounded by the command's timeout; a slot that keeps moving is not.
     */

    if (kind != NGX_HTTP_LAGO_WEBHOOK_CLUSTER_TRYAGAIN
        && ++op->redirects > NGX_HTTP_LAGO_WEBHOOK_REDIRECTS_MAX)
    {
        return NGX_DECLINED;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->timer.log, 0,
                   "lago_webhook redis: %V redirects op:%p: %s",
                   node->name, op, reply->str);

    ngx_http_lago_webhook_metrics_redis_redirect(
                      kind == NGX_HTTP_LAGO_WEBHOOK_CLUSTER_MOVED
                      ? NGX_HTTP_LAGO_WEBHOOK_M_MOVED
                      : kind == NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ASK
                        ? NGX_HTTP_LAGO_WEBHOOK_M_ASK
                        : NGX_HTTP_LAGO_WEBHOOK_M_TRYAGAIN);

    /* its WAIT, sent right behind it, must go along */
    ngx_http_lago_webhook_redis_take_follower(node, op);

    if (kind == NGX_HTTP_LAGO_WEBHOOK_CLUSTER_TRYAGAIN) {
        op->retry.handler = ngx_http_lago_webhook_redis_retry;
        op->retry.data = op;
        op->retry.log = op->timer.log;

        /* 10, 20, 40 ms, then every 80 ms */

        ngx_add_timer(&op->retry, NGX_HTTP_LAGO_WEBHOOK_TRYAGAIN_DELAY
                                  << ngx_min(op->tries, 3));
        op->tries++;

        return NGX_OK;
    }

    name.data = text;

    if (ngx_http_lago_webhook_cluster_address(&to, &node->addr, &sockaddr,
                                              &socklen, &name)
        != NGX_OK)
    {
        ngx_http_lago_webhook_redis_resend(op, NULL, 0);
        return NGX_OK;
    }

    target = ngx_http_lago_webhook_redis_cluster_node(rc, &sockaddr.sockaddr,
                                                      socklen, &name);

    if (kind == NGX_HTTP_LAGO_WEBHOOK_CLUSTER_MOVED && target) {
        /* the slot's neighbours are learnt by the refresh */

        rc->slots[slot] = target;
        target->mapped = 1;

        ngx_http_lago_webhook_redis_refresh(rc);
    }

    ngx_http_lago_webhook_redis_resend(op, target,
                                   kind == NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ASK);

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


static ngx_int_t
ngx_http_lago_webhook_redis_write_op(ngx_http_lago_webhook_redis_op_t *op,
    ngx_http_lago_webhook_redis_node_t *node)
{
    if (ngx_http_lago_webhook_redis_io_write(node->io, op->command, op->len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_http_lago_webhook_redis_enqueue(node, op);

    ngx_http_lago_webhook_metrics_redis_command_sent();

    return NGX_OK;
}


/* a command that could not be sent again: its request gets a 503 */

static void
ngx_http_lago_webhook_redis_unsent(ngx_http_lago_webhook_redis_op_t *op)
{
    ngx_http_lago_webhook_redis_op_t  *follower;

    follower = op->follower;
    op->follower = NULL;

    /* deliver() fails it as a lost connection would, and counts it done */
    ngx_http_lago_webhook_metrics_redis_command_sent();
    ngx_http_lago_webhook_redis_deliver(NULL, op, NULL);

    if (follower) {
        ngx_http_lago_webhook_redis_unsent(follower);
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


static void
ngx_http_lago_webhook_redis_enqueue(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op)
{
    op->next = NULL;
    op->node = node;
    *node->tail = op;
    node->tail = &op->next;
}


static ngx_http_lago_webhook_redis_op_t *
ngx_http_lago_webhook_redis_op_get(ngx_log_t *log)
{
    ngx_http_lago_webhook_redis_op_t  *op;

    op = ngx_http_lago_webhook_free_ops;

    if (op == NULL) {
        return ngx_calloc(sizeof(ngx_http_lago_webhook_redis_op_t), log);
    }

    ngx_http_lago_webhook_free_ops = op->next;
    ngx_http_lago_webhook_nfree_ops--;

    ngx_memzero(op, sizeof(ngx_http_lago_webhook_redis_op_t));

    return op;
}


static void
ngx_http_lago_webhook_redis_op_put(ngx_http_lago_webhook_redis_op_t *op)
{
    if (ngx_http_lago_webhook_redis.last == op) {
        ngx_http_lago_webhook_redis.last = NULL;
    }

    if (ngx_http_lago_webhook_nfree_ops >= NGX_HTTP_LAGO_WEBHOOK_FREE_OPS_MAX)
    {
        ngx_free(op);
        return;
    }

    op->next = ngx_http_lago_webhook_free_ops;
    ngx_http_lago_webhook_free_ops = op;
    ngx_http_lago_webhook_nfree_ops++;
}


/*
 * A command's handler, with the request held while it runs: the handler
 * may finish the request and yet go on (the body's reading, which it may
 * start, can finish the request before it returns).
 */

static void
ngx_http_lago_webhook_redis_call(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply)
{
    r->main->count++;

    op->handler(r, op->data, reply);

    ngx_http_finalize_request(r, NGX_DONE);
}


static void
ngx_http_lago_webhook_redis_op_timeout(ngx_event_t *ev)
{
    ngx_connection_t                    *c;
    ngx_http_request_t                  *r;
    ngx_http_lago_webhook_redis_op_t    *op, *follower;
    ngx_http_lago_webhook_redis_node_t  *node;

    op = ev->data;
    node = op->node;

    /* the op itself stays queued until its reply or a drop */

    r = ngx_http_lago_webhook_redis_op_detach(op);

    c = r->connection;

    if (node) {
        ngx_http_lago_webhook_redis_outage(node, "did not answer in time",
                                           NULL);
    }

    ngx_http_lago_webhook_redis_call(r, op, NULL);

    ngx_http_run_posted_requests(c);

    if (op->unrouted) {
        /* it stays in the queue of those waiting for the map */
        return;
    }

    if (node == NULL) {
        /* waiting to be sent again after TRYAGAIN: in no queue */

        follower = op->follower;

        if (follower) {
            ngx_http_lago_webhook_redis_op_discard(follower);
        }

        ngx_http_lago_webhook_redis_op_discard(op);
        return;
    }

    /*
     * A stalled connection would make every later command wait for its
     * own timeout: drop it, so they fail fast until a reconnect succeeds.
     */

    ngx_http_lago_webhook_redis_drop(node);
}


static void
ngx_http_lago_webhook_redis_op_cleanup(void *data)
{
    (void) ngx_http_lago_webhook_redis_op_detach(data);
}


/* an op in no queue, whose request needs it no more */

static void
ngx_http_lago_webhook_redis_op_discard(ngx_http_lago_webhook_redis_op_t *op)
{
    (void) ngx_http_lago_webhook_redis_op_detach(op);

    if (op->retry.timer_set) {
        ngx_del_timer(&op->retry);
    }

    ngx_http_lago_webhook_redis_op_put(op);
}


/*
 * The request and its op let go of each other, whichever goes first:
 * the request's cleanup will not touch the op, and the op's timer and
 * reply will not touch the request.  Returns the request, if it was
 * still there.
 */

static ngx_http_request_t *
ngx_http_lago_webhook_redis_op_detach(ngx_http_lago_webhook_redis_op_t *op)
{
    ngx_http_request_t  *r;

    r = op->request;

    if (r) {
        op->request = NULL;
        op->cleanup->handler = NULL;
    }

    if (op->timer.timer_set) {
        ngx_del_timer(&op->timer);
    }

    return r;
}
