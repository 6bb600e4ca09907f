
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Requests never reach the connection directly: each command carries an
 * op that outlives the request.  A request that goes away first (client
 * gone, timeout, worker shutdown) only detaches itself from its op; the
 * reply then just frees the op.  Ops wait for their replies in the order
 * their commands were written, which is the order Redis answers in.
 *
 * With Sentinel, every connection, the first and each reconnect, starts
 * with a question to the sentinels: an address that failed once is never
 * trusted again, since a failover may have moved the master.  Until the
 * answer the worker is disconnected, and requests get their 503 at once.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_io.h"


#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN  50
#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX  1000

/* ops are reused: no malloc per command once the worker is warm */
#define NGX_HTTP_LAGO_WEBHOOK_FREE_OPS_MAX  4096


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED = 0,
    NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING,
    NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED
} ngx_http_lago_webhook_redis_state_e;


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_OP_REQUEST = 0,
    NGX_HTTP_LAGO_WEBHOOK_OP_SETUP,          /* AUTH or SELECT */
    NGX_HTTP_LAGO_WEBHOOK_OP_ROLE,           /* with Sentinel: a master? */
    NGX_HTTP_LAGO_WEBHOOK_OP_PING            /* the handshake's last */
} ngx_http_lago_webhook_op_kind_e;


typedef struct ngx_http_lago_webhook_redis_op_s
    ngx_http_lago_webhook_redis_op_t;

struct ngx_http_lago_webhook_redis_op_s {
    ngx_http_lago_webhook_op_kind_e          kind;
    ngx_http_request_t                      *request;
    ngx_http_cleanup_t                      *cleanup;
    ngx_http_lago_webhook_redis_handler_pt   handler;
    void                                    *data;
    ngx_event_t                              timer;
    ngx_http_lago_webhook_redis_op_t        *next;   /* queued, or free */
};


typedef struct {
    ngx_http_lago_webhook_redis_conf_t       conf;
    ngx_http_lago_webhook_redis_io_t        *io;
    ngx_http_lago_webhook_redis_state_e      state;
    ngx_http_lago_webhook_redis_op_t        *head;   /* awaiting replies */
    ngx_http_lago_webhook_redis_op_t       **tail;
    ngx_event_t                              connect_timer;
    ngx_event_t                              reconnect_timer;
    ngx_event_t                              drop_event;
    ngx_msec_t                               backoff;
    ngx_log_t                               *log;
#if (NGX_SSL)
    ngx_ssl_t                                ssl;
    ngx_ssl_session_t                       *ssl_session;
    ngx_str_t                                ssl_name;  /* a master's */
    u_char                                   ssl_name_buf[NGX_SOCKADDR_STRLEN];
#endif
    ngx_addr_t                               master;  /* the sentinels' */
    ngx_sockaddr_t                           master_sockaddr;
    u_char                                   master_text[NGX_SOCKADDR_STRLEN];
    unsigned                                 ready:1;  /* PING answered */
    unsigned                                 outage_logged:1;
    unsigned                                 exiting:1;
    unsigned                                 asking:1; /* the sentinels */
    unsigned                                 refused:1; /* the handshake */
} ngx_http_lago_webhook_redis_t;


static ngx_int_t ngx_http_lago_webhook_redis_copy(
    ngx_http_lago_webhook_redis_t *rc, ngx_log_t *log);
static u_char *ngx_http_lago_webhook_redis_strdup(u_char *s, size_t len,
    ngx_log_t *log);
static void ngx_http_lago_webhook_redis_connect(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_master(void *data, ngx_addr_t *master,
    const char *detail);
static void ngx_http_lago_webhook_redis_open(
    ngx_http_lago_webhook_redis_t *rc, ngx_addr_t *addr);
static ngx_int_t ngx_http_lago_webhook_redis_setup(
    ngx_http_lago_webhook_redis_t *rc, ngx_http_lago_webhook_op_kind_e kind,
    int argc, const char **argv, const size_t *argvlen);
static void ngx_http_lago_webhook_redis_connected(void *data);
static void ngx_http_lago_webhook_redis_reply(void *data, redisReply *reply);
static void ngx_http_lago_webhook_redis_failed(void *data, const char *what,
    const char *detail);
static void ngx_http_lago_webhook_redis_deliver(
    ngx_http_lago_webhook_redis_t *rc, ngx_http_lago_webhook_redis_op_t *op,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_redis_role(
    ngx_http_lago_webhook_redis_t *rc, redisReply *reply);
static void ngx_http_lago_webhook_redis_close(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_outage(
    ngx_http_lago_webhook_redis_t *rc, const char *what, const char *detail);
static void ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_drop(ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_reconnect(ngx_event_t *ev);

static void ngx_http_lago_webhook_redis_enqueue(
    ngx_http_lago_webhook_redis_t *rc, ngx_http_lago_webhook_redis_op_t *op);
static void ngx_http_lago_webhook_redis_call(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply);
static void ngx_http_lago_webhook_redis_op_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_op_cleanup(void *data);
static ngx_http_lago_webhook_redis_op_t *ngx_http_lago_webhook_redis_op_get(
    ngx_log_t *log);
static void ngx_http_lago_webhook_redis_op_put(
    ngx_http_lago_webhook_redis_op_t *op);
static size_t ngx_http_lago_webhook_redis_format_len(int argc,
    const size_t *argvlen);
static u_char *ngx_http_lago_webhook_redis_format(u_char *p, int argc,
    const char **argv, const size_t *argvlen);


/* One connection per worker process. */
static ngx_http_lago_webhook_redis_t  ngx_http_lago_webhook_redis;

static ngx_http_lago_webhook_redis_op_t  *ngx_http_lago_webhook_free_ops;
static ngx_uint_t                         ngx_http_lago_webhook_nfree_ops;
static time_t                             ngx_http_lago_webhook_error_logged;


ngx_int_t
ngx_http_lago_webhook_redis_init(ngx_cycle_t *cycle,
    ngx_http_lago_webhook_redis_conf_t *conf)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;
    ngx_memzero(rc, sizeof(ngx_http_lago_webhook_redis_t));

    rc->conf = *conf;
    rc->tail = &rc->head;
    rc->log = cycle->log;

    if (ngx_http_lago_webhook_redis_copy(rc, cycle->log) != NGX_OK) {
        return NGX_ERROR;
    }

    rc->connect_timer.handler = ngx_http_lago_webhook_redis_connect_timeout;
    rc->connect_timer.data = rc;
    rc->connect_timer.log = cycle->log;
    rc->connect_timer.cancelable = 1;

    rc->reconnect_timer.handler = ngx_http_lago_webhook_redis_reconnect;
    rc->reconnect_timer.data = rc;
    rc->reconnect_timer.log = cycle->log;
    rc->reconnect_timer.cancelable = 1;

    rc->drop_event.handler = ngx_http_lago_webhook_redis_drop_handler;
    rc->drop_event.data = rc;
    rc->drop_event.log = cycle->log;

    rc->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN;

    ngx_http_lago_webhook_redis_connect(rc);

    return NGX_OK;
}


/*
 * The configuration belongs to the cycle, which a reload in a single
 * process replaces under us: keep our own copy of what we use, and a
 * reference on the TLS context.
 */

static ngx_int_t
ngx_http_lago_webhook_redis_copy(ngx_http_lago_webhook_redis_t *rc,
    ngx_log_t *log)
{
    ngx_http_lago_webhook_redis_conf_t  *conf;

    conf = &rc->conf;

    conf->addr.sockaddr = (struct sockaddr *)
                          ngx_http_lago_webhook_redis_strdup(
                              (u_char *) conf->addr.sockaddr,
                              conf->addr.socklen, log);
    conf->addr.name.data = ngx_http_lago_webhook_redis_strdup(
                               conf->addr.name.data, conf->addr.name.len,
                               log);
    conf->user.data = ngx_http_lago_webhook_redis_strdup(conf->user.data,
                                                         conf->user.len, log);
    conf->password.data = ngx_http_lago_webhook_redis_strdup(
                                conf->password.data, conf->password.len, log);
    conf->name.data = ngx_http_lago_webhook_redis_strdup(conf->name.data,
                                                         conf->name.len, log);

    if (conf->addr.sockaddr == NULL || conf->addr.name.data == NULL
        || conf->user.data == NULL || conf->password.data == NULL
        || conf->name.data == NULL)
    {
        return NGX_ERROR;
    }

    if (conf->sentinel.nsentinels
        && ngx_http_lago_webhook_sentinel_conf_copy(&conf->sentinel, log)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

#if (NGX_SSL)

    if (conf->ssl) {
        conf->ssl_name.data = ngx_http_lago_webhook_redis_strdup(
                                  conf->ssl_name.data, conf->ssl_name.len,
                                  log);
        if (conf->ssl_name.data == NULL) {
            return NGX_ERROR;
        }

        rc->ssl = *conf->ssl;
        conf->ssl = &rc->ssl;

        if (SSL_CTX_up_ref(rc->ssl.ctx) != 1) {
            rc->ssl.ctx = NULL;
            conf->ssl = NULL;
            return NGX_ERROR;
        }
    }

#endif

    return NGX_OK;
}


static u_char *
ngx_http_lago_webhook_redis_strdup(u_char *s, size_t len, ngx_log_t *log)
{
    u_char  *p;

    p = ngx_alloc(len + 1, log);
    if (p == NULL) {
        return NULL;
    }

    if (len) {
        ngx_memcpy(p, s, len);
    }

    p[len] = '\0';

    return p;
}


void
ngx_http_lago_webhook_redis_exit(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    rc = &ngx_http_lago_webhook_redis;
    rc->exiting = 1;

    if (rc->reconnect_timer.timer_set) {
        ngx_del_timer(&rc->reconnect_timer);
    }

    if (rc->asking) {
        ngx_http_lago_webhook_sentinel_cancel();
        rc->asking = 0;
    }

    ngx_http_lago_webhook_redis_close(rc);

    while (ngx_http_lago_webhook_free_ops) {
        op = ngx_http_lago_webhook_free_ops;
        ngx_http_lago_webhook_free_ops = op->next;
        ngx_free(op);
    }

    ngx_http_lago_webhook_nfree_ops = 0;

#if (NGX_SSL)

    if (rc->ssl_session) {
        ngx_ssl_free_session(rc->ssl_session);
        rc->ssl_session = NULL;
    }

    if (rc->ssl.ctx) {
        SSL_CTX_free(rc->ssl.ctx);
        rc->ssl.ctx = NULL;
    }

    ngx_free(rc->conf.ssl_name.data);

#endif

    ngx_http_lago_webhook_sentinel_conf_free(&rc->conf.sentinel);

    ngx_free(rc->conf.addr.sockaddr);
    ngx_free(rc->conf.addr.name.data);
    ngx_free(rc->conf.user.data);
    ngx_free(rc->conf.password.data);
    ngx_free(rc->conf.name.data);
}


ngx_int_t
ngx_http_lago_webhook_redis_is_up(void)
{
    return ngx_http_lago_webhook_redis.state
           == NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED
           && ngx_http_lago_webhook_redis.ready;
}


ngx_int_t
ngx_http_lago_webhook_redis_send(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_command_t *cmd,
    ngx_http_lago_webhook_redis_handler_pt handler, void *data)
{
    u_char                            *resp, *last;
    ngx_http_cleanup_t                *cln;
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    rc = &ngx_http_lago_webhook_redis;

    if (rc->state == NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED) {
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
     * into the connection's output buffer.
     */

    resp = ngx_pnalloc(r->pool,
                   ngx_http_lago_webhook_redis_format_len(cmd->argc,
                                                          cmd->argvlen));
    if (resp == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_lago_webhook_redis_format(resp, cmd->argc, cmd->argv,
                                              cmd->argvlen);

    /* the op must outlive the request, so it is not in the request pool */

    op = ngx_http_lago_webhook_redis_op_get(r->connection->log);
    if (op == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_lago_webhook_redis_io_write(rc->io, resp, last - resp)
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

    cln->handler = ngx_http_lago_webhook_redis_op_cleanup;
    cln->data = op;

    op->timer.handler = ngx_http_lago_webhook_redis_op_timeout;
    op->timer.data = op;
    op->timer.log = r->connection->log;

    ngx_add_timer(&op->timer, rc->conf.timeout);

    ngx_http_lago_webhook_redis_enqueue(rc, op);

    ngx_http_lago_webhook_metrics_redis_command_sent();

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook redis: queued %uz bytes, op:%p",
                   (size_t) (last - resp), op);

    return NGX_OK;
}


static void
ngx_http_lago_webhook_redis_connect(ngx_http_lago_webhook_redis_t *rc)
{
    if (rc->conf.sentinel.nsentinels == 0) {
        ngx_http_lago_webhook_redis_open(rc, &rc->conf.addr);
        return;
    }

    rc->asking = 1;

    ngx_http_lago_webhook_sentinel_ask(&rc->conf.sentinel,
                                       ngx_http_lago_webhook_redis_master,
                                       rc, rc->log);
}


/* the sentinels' answer: where the master is, or that none could tell */

static void
ngx_http_lago_webhook_redis_master(void *data, ngx_addr_t *master,
    const char *detail)
{
    ngx_http_lago_webhook_redis_t  *rc = data;

    rc->asking = 0;

    if (rc->exiting) {
        return;
    }

    if (master == NULL) {
        ngx_http_lago_webhook_redis_outage(rc, "could not be found", detail);
        ngx_http_lago_webhook_redis_schedule_reconnect(rc);
        return;
    }

    if (rc->master.name.len != master->name.len
        || ngx_memcmp(rc->master.name.data, master->name.data,
                      master->name.len)
           != 0)
    {
        ngx_memcpy(&rc->master_sockaddr, master->sockaddr, master->socklen);
        rc->master.sockaddr = &rc->master_sockaddr.sockaddr;
        rc->master.socklen = master->socklen;

        rc->master.name.data = rc->master_text;
        rc->master.name.len = master->name.len;
        ngx_memcpy(rc->master_text, master->name.data, master->name.len);

        ngx_log_error(NGX_LOG_NOTICE, rc->log, 0,
                      "lago_webhook: redis master \"%V\" is at %V",
                      &rc->conf.name, &rc->master.name);
    }

    ngx_http_lago_webhook_redis_open(rc, &rc->master);
}


static void
ngx_http_lago_webhook_redis_open(ngx_http_lago_webhook_redis_t *rc,
    ngx_addr_t *addr)
{
    int                                        argc;
    size_t                                     argvlen[3];
    const char                                *argv[3], *detail;
    ngx_http_lago_webhook_redis_io_conf_t      ioc;
    ngx_http_lago_webhook_redis_io_handler_t   handler;

    ngx_memzero(&ioc, sizeof(ngx_http_lago_webhook_redis_io_conf_t));

    ioc.addr = addr;
    ioc.name = rc->conf.sentinel.nsentinels ? &addr->name : &rc->conf.name;

#if (NGX_SSL)
    ioc.ssl = rc->conf.ssl;
    ioc.ssl_verify = rc->conf.ssl_verify;
    ioc.ssl_session = rc->conf.ssl_session_reuse ? &rc->ssl_session : NULL;

    /* without a name configured, a master is checked by its address */

    ioc.ssl_name = &rc->conf.ssl_name;

    if (rc->conf.ssl && rc->conf.ssl_name.len == 0) {
        rc->ssl_name.data = rc->ssl_name_buf;
        rc->ssl_name.len = ngx_sock_ntop(addr->sockaddr, addr->socklen,
                                         rc->ssl_name_buf,
                                         NGX_SOCKADDR_STRLEN - 1, 0);
        rc->ssl_name_buf[rc->ssl_name.len] = '\0';
        ioc.ssl_name = &rc->ssl_name;
    }
#endif

    handler.connected = ngx_http_lago_webhook_redis_connected;
    handler.reply = ngx_http_lago_webhook_redis_reply;
    handler.failed = ngx_http_lago_webhook_redis_failed;
    handler.data = rc;

    rc->io = ngx_http_lago_webhook_redis_io_open(&ioc, &handler, rc->log,
                                                 &detail);
    if (rc->io == NULL) {
        ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                           detail);
        ngx_http_lago_webhook_redis_schedule_reconnect(rc);
        return;
    }

    rc->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING;
    rc->ready = 0;
    rc->refused = 0;

    /* queued before any request's command, so they run first */

    if (rc->conf.password.len) {
        argc = 0;
        argv[argc] = "AUTH";
        argvlen[argc++] = 4;

        if (rc->conf.user.len) {
            argv[argc] = (const char *) rc->conf.user.data;
            argvlen[argc++] = rc->conf.user.len;
        }

        argv[argc] = (const char *) rc->conf.password.data;
        argvlen[argc++] = rc->conf.password.len;

        if (ngx_http_lago_webhook_redis_setup(rc,
                                              NGX_HTTP_LAGO_WEBHOOK_OP_SETUP,
                                              argc, argv, argvlen)
            != NGX_OK)
        {
            goto failed;
        }
    }

    if (rc->conf.db > 0) {
        u_char  db[NGX_INT_T_LEN];

        argv[0] = "SELECT";
        argvlen[0] = 6;
        argv[1] = (const char *) db;
        argvlen[1] = ngx_http_lago_webhook_decimal(db, (size_t) rc->conf.db)
                     - db;

        if (ngx_http_lago_webhook_redis_setup(rc,
                                              NGX_HTTP_LAGO_WEBHOOK_OP_SETUP,
                                              2, argv, argvlen)
            != NGX_OK)
        {
            goto failed;
        }
    }

    /* a sentinel's answer may be stale: the node must say it is a master */

    if (rc->conf.sentinel.nsentinels) {
        argv[0] = "ROLE";
        argvlen[0] = 4;

        if (ngx_http_lago_webhook_redis_setup(rc,
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

    if (ngx_http_lago_webhook_redis_setup(rc, NGX_HTTP_LAGO_WEBHOOK_OP_PING,
                                          1, argv, argvlen)
        != NGX_OK)
    {
        goto failed;
    }

    ngx_add_timer(&rc->connect_timer, rc->conf.connect_timeout);

    return;

failed:

    ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                       "out of memory");
    ngx_http_lago_webhook_redis_close(rc);
}


/* a handshake command: an op of its own, with no request */

static ngx_int_t
ngx_http_lago_webhook_redis_setup(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_op_kind_e kind, int argc, const char **argv,
    const size_t *argvlen)
{
    u_char                            *resp, *last;
    ngx_int_t                          rv;
    ngx_http_lago_webhook_redis_op_t  *op;

    resp = ngx_alloc(ngx_http_lago_webhook_redis_format_len(argc, argvlen),
                     rc->log);
    if (resp == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_lago_webhook_redis_format(resp, argc, argv, argvlen);

    rv = ngx_http_lago_webhook_redis_io_write(rc->io, resp, last - resp);

    ngx_free(resp);

    if (rv != NGX_OK) {
        return NGX_ERROR;
    }

    op = ngx_http_lago_webhook_redis_op_get(rc->log);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->kind = kind;

    ngx_http_lago_webhook_redis_enqueue(rc, op);

    return NGX_OK;
}


static void
ngx_http_lago_webhook_redis_connected(void *data)
{
    ngx_http_lago_webhook_redis_t  *rc = data;

    rc->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED;
}


/* the reply to the oldest command still waiting */

static void
ngx_http_lago_webhook_redis_reply(void *data, redisReply *reply)
{
    ngx_http_lago_webhook_redis_t     *rc = data;
    ngx_http_lago_webhook_redis_op_t  *op;

    op = rc->head;

    if (op == NULL) {
        ngx_http_lago_webhook_redis_outage(rc, "broke the protocol",
                                           "an answer to no command");
        ngx_http_lago_webhook_redis_drop(rc);
        return;
    }

    rc->head = op->next;

    if (rc->head == NULL) {
        rc->tail = &rc->head;
    }

    ngx_http_lago_webhook_redis_deliver(rc, op, reply);
}


/* the connection failed or was closed: every waiting command fails */

static void
ngx_http_lago_webhook_redis_failed(void *data, const char *what,
    const char *detail)
{
    ngx_http_lago_webhook_redis_t  *rc = data;

    ngx_http_lago_webhook_redis_outage(rc, what, detail);
    ngx_http_lago_webhook_redis_close(rc);
}


static void
ngx_http_lago_webhook_redis_deliver(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_op_t *op, redisReply *reply)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    switch (op->kind) {

    case NGX_HTTP_LAGO_WEBHOOK_OP_SETUP:
    case NGX_HTTP_LAGO_WEBHOOK_OP_ROLE:
    case NGX_HTTP_LAGO_WEBHOOK_OP_PING:

        /*
         * AUTH, SELECT and PING, sent first on every connection.  An
         * outage ends (and the backoff starts over) only when PING
         * answers after them: a Redis that accepts connections but
         * refuses our password is still down.
         */

        if (rc->refused || reply == NULL) {
            /* the connection is being dropped: what follows is moot */

        } else if (reply->type == REDIS_REPLY_ERROR) {
            ngx_http_lago_webhook_redis_outage(rc,
                                   op->kind == NGX_HTTP_LAGO_WEBHOOK_OP_ROLE
                                   ? "refused ROLE"
                                   : "refused AUTH, SELECT or PING",
                                   reply->str);
            rc->refused = 1;
            ngx_http_lago_webhook_redis_drop(rc);

        } else if (op->kind == NGX_HTTP_LAGO_WEBHOOK_OP_ROLE
                   && ngx_http_lago_webhook_redis_role(rc, reply) != NGX_OK)
        {
            rc->refused = 1;
            ngx_http_lago_webhook_redis_drop(rc);

        } else if (op->kind == NGX_HTTP_LAGO_WEBHOOK_OP_PING) {
            if (rc->connect_timer.timer_set) {
                ngx_del_timer(&rc->connect_timer);
            }

            rc->ready = 1;
            rc->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN;

            ngx_http_lago_webhook_metrics_redis_up();

            ngx_log_debug0(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                           "lago_webhook redis: handshake done");

            if (rc->outage_logged) {
                rc->outage_logged = 0;
                ngx_log_error(NGX_LOG_NOTICE, rc->log, 0,
                              "lago_webhook: redis \"%V\" is reachable again",
                              &rc->conf.name);
            }
        }

        ngx_http_lago_webhook_redis_op_put(op);
        return;

    default: /* NGX_HTTP_LAGO_WEBHOOK_OP_REQUEST */
        ngx_http_lago_webhook_metrics_redis_command_done();
        break;
    }

    /*
     * An error that is no answer to the command itself (NOAUTH, LOADING
     * after a restart, READONLY, OOM...) means the store is unusable:
     * the request gets a 503.  NOSCRIPT is for the store to handle.
     */

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && rc->conf.sentinel.nsentinels
        && reply->len >= 8 && ngx_strncmp(reply->str, "READONLY", 8) == 0)
    {
        /*
         * A failover made this master a replica: whatever was sent after
         * this write fails too, and the sentinels are asked where the
         * master is now.
         */

        ngx_http_lago_webhook_redis_outage(rc, "is no longer the master",
                                           reply->str);
        ngx_http_lago_webhook_redis_drop(rc);

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
                          &rc->conf.name, reply->str);
        }

        reply = NULL;
    }

    r = op->request;

    if (r) {
        op->request = NULL;
        op->cleanup->handler = NULL;

        if (op->timer.timer_set) {
            ngx_del_timer(&op->timer);
        }

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
 * ROLE's reply: ["master", offset, replicas] from a master, ["slave", ...]
 * from a replica the sentinels have not told about yet, or from an old
 * master that came back.  Anything but a master is an outage.
 */

static ngx_int_t
ngx_http_lago_webhook_redis_role(ngx_http_lago_webhook_redis_t *rc,
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
        ngx_http_lago_webhook_redis_outage(rc, "broke the protocol",
                                           "ROLE gave no role");
        return NGX_ERROR;
    }

    if (role->len == 6 && ngx_strncmp(role->str, "master", 6) == 0) {
        return NGX_OK;
    }

    p = ngx_snprintf(detail, sizeof(detail) - 1, "%V says it is a %*s",
                     &rc->master.name, ngx_min(role->len, 32), role->str);
    *p = '\0';

    ngx_http_lago_webhook_redis_outage(rc, "is not a master",
                                       (const char *) detail);

    return NGX_ERROR;
}


/*
 * Closes the connection, if any, and fails every command waiting on it:
 * their requests get a 503.  Then a reconnect is scheduled.
 */

static void
ngx_http_lago_webhook_redis_close(ngx_http_lago_webhook_redis_t *rc)
{
    ngx_http_lago_webhook_redis_op_t  *op;

    rc->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED;
    rc->ready = 0;

    if (rc->connect_timer.timer_set) {
        ngx_del_timer(&rc->connect_timer);
    }

    if (rc->drop_event.posted) {
        ngx_delete_posted_event(&rc->drop_event);
    }

    if (rc->io) {
        ngx_http_lago_webhook_redis_io_close(rc->io);
        rc->io = NULL;
    }

    while (rc->head) {
        op = rc->head;
        rc->head = op->next;

        if (rc->head == NULL) {
            rc->tail = &rc->head;
        }

        ngx_http_lago_webhook_redis_deliver(rc, op, NULL);
    }

    ngx_http_lago_webhook_redis_schedule_reconnect(rc);
}


/*
 * Logs an outage once, however many requests and reconnect attempts it
 * takes; the next successful handshake logs the recovery.
 */

static void
ngx_http_lago_webhook_redis_outage(ngx_http_lago_webhook_redis_t *rc,
    const char *what, const char *detail)
{
    if (!rc->exiting) {
        ngx_http_lago_webhook_metrics_redis_down();
    }

    if (rc->outage_logged || rc->exiting) {
        ngx_log_debug2(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                       "lago_webhook redis: %s: %s", what,
                       detail ? detail : "");
        return;
    }

    rc->outage_logged = 1;

    ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                  "lago_webhook: redis \"%V\" %s%s%s, answering 503 "
                  "until it is back", &rc->conf.name, what,
                  detail ? ": " : "", detail ? detail : "");
}


/* closes the connection from a posted event: never under a reply */

static void
ngx_http_lago_webhook_redis_drop(ngx_http_lago_webhook_redis_t *rc)
{
    if (rc->io == NULL || rc->drop_event.posted) {
        return;
    }

    ngx_post_event(&rc->drop_event, &ngx_posted_events);
}


static void
ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ev->data;

    if (rc->io == NULL) {
        return;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: dropping the connection");

    ngx_http_lago_webhook_redis_close(rc);
}


static void
ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ev->data;

    if (rc->io == NULL) {
        return;
    }

    ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                       rc->state
                                       == NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING
                                       ? "connect timed out"
                                       : "the handshake timed out");

    ngx_http_lago_webhook_redis_close(rc);
}


static void
ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_t *rc)
{
    if (rc->exiting || ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    if (rc->reconnect_timer.timer_set) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: reconnecting in %M ms", rc->backoff);

    ngx_add_timer(&rc->reconnect_timer, rc->backoff);

    rc->backoff *= 2;

    if (rc->backoff > NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX) {
        rc->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX;
    }
}


static void
ngx_http_lago_webhook_redis_reconnect(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ev->data;

    if (rc->io == NULL && !rc->asking && !rc->exiting) {
        ngx_http_lago_webhook_metrics_redis_reconnect();
        ngx_http_lago_webhook_redis_connect(rc);
    }
}


static void
ngx_http_lago_webhook_redis_enqueue(ngx_http_lago_webhook_redis_t *rc,
    ngx_http_lago_webhook_redis_op_t *op)
{
    op->next = NULL;
    *rc->tail = op;
    rc->tail = &op->next;
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
    ngx_connection_t                  *c;
    ngx_http_request_t                *r;
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    op = ev->data;
    r = op->request;
    rc = &ngx_http_lago_webhook_redis;

    /* the op itself stays queued until its reply or a drop */

    op->request = NULL;
    op->cleanup->handler = NULL;

    c = r->connection;

    ngx_http_lago_webhook_redis_outage(rc, "did not answer in time", NULL);

    ngx_http_lago_webhook_redis_call(r, op, NULL);

    ngx_http_run_posted_requests(c);

    /*
     * A stalled connection would make every later command wait for its
     * own timeout: drop it, so they fail fast until a reconnect succeeds.
     */

    ngx_http_lago_webhook_redis_drop(rc);
}


static void
ngx_http_lago_webhook_redis_op_cleanup(void *data)
{
    ngx_http_lago_webhook_redis_op_t  *op = data;

    op->request = NULL;

    if (op->timer.timer_set) {
        ngx_del_timer(&op->timer);
    }
}


/* a command in RESP: an array of bulk strings */

static size_t
ngx_http_lago_webhook_redis_format_len(int argc, const size_t *argvlen)
{
    int     i;
    size_t  n;

    n = sizeof("*\r\n") - 1 + NGX_INT_T_LEN;

    for (i = 0; i < argc; i++) {
        n += sizeof("$\r\n\r\n") - 1 + NGX_SIZE_T_LEN + argvlen[i];
    }

    return n;
}


static u_char *
ngx_http_lago_webhook_redis_format(u_char *p, int argc, const char **argv,
    const size_t *argvlen)
{
    int  i;

    *p++ = '*';
    p = ngx_http_lago_webhook_decimal(p, (size_t) argc);
    *p++ = CR; *p++ = LF;

    for (i = 0; i < argc; i++) {
        *p++ = '$';
        p = ngx_http_lago_webhook_decimal(p, argvlen[i]);
        *p++ = CR; *p++ = LF;
        p = ngx_cpymem(p, argv[i], argvlen[i]);
        *p++ = CR; *p++ = LF;
    }

    return p;
}
