
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A connection and its ops are a node.  One Redis, or the master that
 * Sentinel names, is one node; with a Cluster, each master is one.  With
 * Sentinel, every connection, the first and each reconnect, starts with
 * a question to the sentinels: an address that failed once is never
 * trusted again, since a failover may have moved the master.  Until the
 * answer the worker is disconnected, and requests get their 503 at once.
 *
 * This file holds a node's connection: made (after the sentinels'
 * answer), the handshake (AUTH, SELECT, ROLE, PING), the outage logged
 * once, dropped and made again after a backoff.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_private.h"
#include "ngx_http_lago_webhook_redis_io.h"


#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN  50
#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX  1000


static void ngx_http_lago_webhook_redis_master(void *data, ngx_addr_t *master,
    const char *detail);
static void ngx_http_lago_webhook_redis_open(
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_connected(void *data);
static void ngx_http_lago_webhook_redis_reply(void *data, redisReply *reply);
static void ngx_http_lago_webhook_redis_failed(void *data, const char *what,
    const char *detail);
static ngx_int_t ngx_http_lago_webhook_redis_role(
    ngx_http_lago_webhook_redis_node_t *node, redisReply *reply);
static void ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_node_t *node);
static void ngx_http_lago_webhook_redis_reconnect(ngx_event_t *ev);


/*
 * The node at an address, made (and left to connect) if there is none:
 * the same master reached by two ways is one connection.
 */

ngx_http_lago_webhook_redis_node_t *
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


/* a node already closed, with no op and no timer left */

void
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


void
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

void
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


/*
 * AUTH, SELECT, ROLE and PING, sent first on every connection.  An
 * outage ends (and the backoff starts over) only when PING answers
 * after them: a Redis that accepts connections but refuses our password
 * is still down.
 */

void
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

void
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

void
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

void
ngx_http_lago_webhook_redis_health(ngx_http_lago_webhook_redis_t *rc)
{
    if (rc->exiting || rc->up || !ngx_http_lago_webhook_redis_is_up()) {
        return;
    }

    ngx_http_lago_webhook_metrics_redis_up();
    rc->up = 1;
}


/* closes the connection from a posted event: never under a reply */

void
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
