
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
 * This file holds the worker's start and exit, the commands that
 * requests send, and the ops' life: queued, delivered, timed out,
 * detached, reused.  A node's connection is
 * ngx_http_lago_webhook_redis_node.c's; with a Cluster, where a command
 * goes is ngx_http_lago_webhook_redis_cluster.c's.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_private.h"
#include "ngx_http_lago_webhook_redis_io.h"


/* ops are reused: no malloc per command once the worker is warm */
#define NGX_HTTP_LAGO_WEBHOOK_FREE_OPS_MAX  4096


static void ngx_http_lago_webhook_redis_enqueue(
    ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_op_put(
    ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_call(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
static void ngx_http_lago_webhook_redis_op_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_op_cleanup(void *data);
static ngx_http_request_t *ngx_http_lago_webhook_redis_op_detach(
    ngx_http_lago_webhook_redis_op_t *op);


/* The connections of a worker process. */
ngx_http_lago_webhook_redis_t  ngx_http_lago_webhook_redis;

static ngx_http_lago_webhook_redis_op_t  *ngx_http_lago_webhook_free_ops;
static ngx_uint_t                         ngx_http_lago_webhook_nfree_ops;
static time_t                             ngx_http_lago_webhook_error_logged;


ngx_int_t
ngx_http_lago_webhook_redis_init(ngx_cycle_t *cycle,
    ngx_http_lago_webhook_redis_conf_t *conf)
{
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

    return ngx_http_lago_webhook_redis_cluster_init(rc);
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

ngx_uint_t
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


/* a command of the connection's own: an op with no request */

ngx_int_t
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

ngx_int_t
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


void
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


ngx_int_t
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

void
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
ngx_http_lago_webhook_redis_enqueue(ngx_http_lago_webhook_redis_node_t *node,
    ngx_http_lago_webhook_redis_op_t *op)
{
    op->next = NULL;
    op->node = node;
    *node->tail = op;
    node->tail = &op->next;
}


ngx_http_lago_webhook_redis_op_t *
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

void
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
