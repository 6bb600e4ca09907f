
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Requests never reach hiredis directly: each command carries an op that
 * outlives the request.  A request that goes away first (client gone,
 * timeout, worker shutdown) only detaches itself from its op; the reply
 * callback then just frees the op.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_redis_adapter.h"
#include "lago_webhook_reply.h"


#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN  50
#define NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MAX  1000


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED = 0,
    NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING,
    NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED
} ngx_http_lago_webhook_redis_state_e;


typedef struct ngx_http_lago_webhook_redis_op_s
    ngx_http_lago_webhook_redis_op_t;

struct ngx_http_lago_webhook_redis_op_s {
    ngx_http_request_t                      *request;
    ngx_http_cleanup_t                      *cleanup;
    ngx_http_lago_webhook_redis_handler_pt   handler;
    void                                    *data;
    ngx_event_t                              timer;
    ngx_http_lago_webhook_redis_op_t        *next;     /* when free */
};


/* ops are reused: no malloc per command once the worker is warm */
#define NGX_HTTP_LAGO_WEBHOOK_FREE_OPS_MAX  4096


typedef struct {
    ngx_http_lago_webhook_redis_conf_t       conf;
    redisAsyncContext                       *ac;
    ngx_http_lago_webhook_redis_state_e      state;
    ngx_event_t                              connect_timer;
    ngx_event_t                              reconnect_timer;
    ngx_event_t                              drop_event;
    ngx_msec_t                               backoff;
    ngx_log_t                               *log;
    unsigned                                 outage_logged:1;
    unsigned                                 exiting:1;
    unsigned                                 ready:1;   /* PING answered */
} ngx_http_lago_webhook_redis_t;


static ngx_int_t ngx_http_lago_webhook_redis_copy(
    ngx_http_lago_webhook_redis_conf_t *conf, ngx_log_t *log);
static u_char *ngx_http_lago_webhook_redis_strdup(u_char *s, size_t len,
    ngx_log_t *log);
static void ngx_http_lago_webhook_redis_connect(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_outage(
    ngx_http_lago_webhook_redis_t *rc, const char *what, const char *detail);
static void ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_t *rc);
static void ngx_http_lago_webhook_redis_drop(ngx_http_lago_webhook_redis_t *rc);

static void ngx_http_lago_webhook_redis_detached(void *data);
static void ngx_http_lago_webhook_redis_on_connect(
    const redisAsyncContext *ac, int status);
static void ngx_http_lago_webhook_redis_on_disconnect(
    const redisAsyncContext *ac, int status);
static void ngx_http_lago_webhook_redis_handshake_reply(redisAsyncContext *ac,
    void *r, void *privdata);
static void ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_reconnect(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev);

static void ngx_http_lago_webhook_redis_reply(redisAsyncContext *ac,
    void *r, void *privdata);
static void ngx_http_lago_webhook_redis_op_timeout(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_op_cleanup(void *data);
static ngx_http_lago_webhook_redis_op_t *ngx_http_lago_webhook_redis_op_get(
    ngx_log_t *log);
static u_char *ngx_http_lago_webhook_redis_format(ngx_pool_t *pool, int argc,
    const char **argv, const size_t *argvlen, size_t *len);
static void ngx_http_lago_webhook_redis_op_put(
    ngx_http_lago_webhook_redis_op_t *op);


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

    /*
     * The configuration belongs to the cycle, which a reload in a single
     * process replaces under us: keep our own copy of what we use.
     */

    rc->conf = *conf;

    if (ngx_http_lago_webhook_redis_copy(&rc->conf, cycle->log) != NGX_OK) {
        return NGX_ERROR;
    }

    rc->log = cycle->log;

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


static ngx_int_t
ngx_http_lago_webhook_redis_copy(ngx_http_lago_webhook_redis_conf_t *conf,
    ngx_log_t *log)
{
    if (conf->host) {
        conf->host = ngx_http_lago_webhook_redis_strdup(conf->host,
                                    ngx_strlen(conf->host), log);
        if (conf->host == NULL) {
            return NGX_ERROR;
        }
    }

    if (conf->unix_path) {
        conf->unix_path = ngx_http_lago_webhook_redis_strdup(conf->unix_path,
                                    ngx_strlen(conf->unix_path), log);
        if (conf->unix_path == NULL) {
            return NGX_ERROR;
        }
    }

    conf->user.data = ngx_http_lago_webhook_redis_strdup(conf->user.data,
                                                         conf->user.len, log);
    conf->password.data = ngx_http_lago_webhook_redis_strdup(
                                conf->password.data, conf->password.len, log);
    conf->name.data = ngx_http_lago_webhook_redis_strdup(conf->name.data,
                                                         conf->name.len, log);

    if (conf->user.data == NULL || conf->password.data == NULL
        || conf->name.data == NULL)
    {
        return NGX_ERROR;
    }

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
    redisAsyncContext                 *ac;
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    rc = &ngx_http_lago_webhook_redis;
    rc->exiting = 1;

    if (rc->connect_timer.timer_set) {
        ngx_del_timer(&rc->connect_timer);
    }

    if (rc->reconnect_timer.timer_set) {
        ngx_del_timer(&rc->reconnect_timer);
    }

    if (rc->drop_event.posted) {
        ngx_delete_posted_event(&rc->drop_event);
    }

    ac = rc->ac;

    if (ac) {
        ac->onDisconnect = NULL;
        rc->ac = NULL;
        redisAsyncFree(ac);
    }

    while (ngx_http_lago_webhook_free_ops) {
        op = ngx_http_lago_webhook_free_ops;
        ngx_http_lago_webhook_free_ops = op->next;
        ngx_free(op);
    }

    ngx_http_lago_webhook_nfree_ops = 0;

    ngx_free(rc->conf.host);
    ngx_free(rc->conf.unix_path);
    ngx_free(rc->conf.user.data);
    ngx_free(rc->conf.password.data);
    ngx_free(rc->conf.name.data);
}


ngx_int_t
ngx_http_lago_webhook_redis_send(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_command_t *cmd,
    ngx_http_lago_webhook_redis_handler_pt handler, void *data)
{
    size_t                             len;
    u_char                            *resp;
    ngx_http_cleanup_t                *cln;
    ngx_http_lago_webhook_redis_t     *rc;
    ngx_http_lago_webhook_redis_op_t  *op;

    rc = &ngx_http_lago_webhook_redis;

    if (rc->state == NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED
        || rc->ac == NULL)
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "lago_webhook redis: not connected");
        return NGX_DECLINED;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    /* the op must outlive the request, so it is not in the request pool */

    op = ngx_http_lago_webhook_redis_op_get(r->connection->log);
    if (op == NULL) {
        return NGX_ERROR;
    }

    resp = ngx_http_lago_webhook_redis_format(r->pool, cmd->argc, cmd->argv,
                                              cmd->argvlen, &len);
    if (resp == NULL) {
        ngx_http_lago_webhook_redis_op_put(op);
        return NGX_ERROR;
    }

    if (redisAsyncFormattedCommand(rc->ac, ngx_http_lago_webhook_redis_reply,
                                   op, (const char *) resp, len)
        != REDIS_OK)
    {
        /* hiredis refuses once disconnecting: the callback never runs */
        ngx_http_lago_webhook_redis_op_put(op);
        return NGX_DECLINED;
    }

    ngx_http_lago_webhook_metrics_redis_command_sent();

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

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook redis: queued %uz bytes, op:%p", len, op);

    return NGX_OK;
}


/*
 * The command in RESP, formatted in the request's pool: hiredis would
 * format it with sds strings on the heap, then copy it into its output
 * buffer all the same.
 */

static u_char *
ngx_http_lago_webhook_redis_format(ngx_pool_t *pool, int argc,
    const char **argv, const size_t *argvlen, size_t *len)
{
    int      i;
    size_t   n;
    u_char  *cmd, *p;

    /* NUL-terminated: hiredis scans the command's name with strchr() */

    n = sizeof("*\r\n") + NGX_INT_T_LEN;

    for (i = 0; i < argc; i++) {
        n += sizeof("$\r\n\r\n") - 1 + NGX_SIZE_T_LEN + argvlen[i];
    }

    cmd = ngx_pnalloc(pool, n);
    if (cmd == NULL) {
        return NULL;
    }

    p = cmd;

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

    *len = p - cmd;
    *p = '\0';

    return cmd;
}


static void
ngx_http_lago_webhook_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                        *reply = r;
    ngx_connection_t                  *c;
    ngx_http_request_t                *req;
    ngx_http_lago_webhook_redis_op_t  *op;

    op = privdata;
    req = op->request;

    ngx_http_lago_webhook_metrics_redis_command_done();

    /*
     * An error that is no answer to the command itself (NOAUTH, LOADING
     * after a restart, READONLY, OOM...) means the store is unusable:
     * the request gets a 503.  NOSCRIPT is for the store to handle.
     */

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && !(reply->len >= 8 && ngx_strncmp(reply->str, "NOSCRIPT", 8) == 0))
    {
        /* at most a line a second, however many requests it fails */

        if (ngx_http_lago_webhook_error_logged != ngx_time()) {
            ngx_http_lago_webhook_error_logged = ngx_time();
            ngx_log_error(NGX_LOG_ERR, ngx_http_lago_webhook_redis.log, 0,
                          "lago_webhook: redis \"%V\" answered with an "
                          "error, answering 503: %s",
                          &ngx_http_lago_webhook_redis.conf.name, reply->str);
        }

        reply = NULL;
    }

    if (req) {
        op->request = NULL;
        op->cleanup->handler = NULL;

        if (op->timer.timer_set) {
            ngx_del_timer(&op->timer);
        }

        c = req->connection;

        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "lago_webhook redis: op:%p reply type:%d%s", op,
                       reply ? reply->type : 0, reply ? "" : " (none)");

        op->handler(req, op->data, reply);

        ngx_http_run_posted_requests(c);
    }

    ngx_http_lago_webhook_redis_op_put(op);
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

    /* the op itself stays queued in hiredis until its reply or a drop */

    op->request = NULL;
    op->cleanup->handler = NULL;

    c = r->connection;

    ngx_http_lago_webhook_redis_outage(rc, "did not answer in time", NULL);

    op->handler(r, op->data, NULL);

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


static void
ngx_http_lago_webhook_redis_connect(ngx_http_lago_webhook_redis_t *rc)
{
    int                 argc;
    size_t              argvlen[3];
    const char         *argv[3];
    redisAsyncContext  *ac;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: connecting to \"%V\"",
                   &rc->conf.name);

    if (rc->conf.unix_path) {
        ac = redisAsyncConnectUnix((const char *) rc->conf.unix_path);

    } else {
        /* a numeric address: hiredis's getaddrinfo does no lookup */
        ac = redisAsyncConnect((const char *) rc->conf.host, rc->conf.port);
    }

    if (ac == NULL) {
        ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                           "out of memory");
        ngx_http_lago_webhook_redis_schedule_reconnect(rc);
        return;
    }

    if (ac->err) {
        ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                           ac->errstr);
        redisAsyncFree(ac);
        ngx_http_lago_webhook_redis_schedule_reconnect(rc);
        return;
    }

    if (ngx_http_lago_webhook_redis_attach(ac, rc->log,
                                       ngx_http_lago_webhook_redis_detached,
                                       rc)
        != NGX_OK)
    {
        redisAsyncFree(ac);
        ngx_http_lago_webhook_redis_schedule_reconnect(rc);
        return;
    }

    /* replies built without a malloc() per object: lago_webhook_reply.c */
    ac->c.reader->fn = &lago_webhook_reply_functions;

    rc->ac = ac;
    rc->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING;
    rc->ready = 0;
    ac->data = rc;

    redisAsyncSetConnectCallback(ac, ngx_http_lago_webhook_redis_on_connect);
    redisAsyncSetDisconnectCallback(ac,
                                    ngx_http_lago_webhook_redis_on_disconnect);

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

        redisAsyncCommandArgv(ac, ngx_http_lago_webhook_redis_handshake_reply,
                              NULL, argc, argv, argvlen);
    }

    if (rc->conf.db > 0) {
        redisAsyncCommand(ac, ngx_http_lago_webhook_redis_handshake_reply,
                          NULL, "SELECT %d", (int) rc->conf.db);
    }

    /* its answer tells that the connection is usable (see below) */
    redisAsyncCommand(ac, ngx_http_lago_webhook_redis_handshake_reply, rc,
                      "PING");

    ngx_add_timer(&rc->connect_timer, rc->conf.connect_timeout);
}


static void
ngx_http_lago_webhook_redis_on_connect(const redisAsyncContext *ac,
    int status)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ac->data;

    if (status != REDIS_OK) {
        /* hiredis frees the context after this; cleanup clears our state */
        ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                           ac->errstr);
        return;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: connected");

    if (rc->connect_timer.timer_set) {
        ngx_del_timer(&rc->connect_timer);
    }

    rc->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED;
}


static void
ngx_http_lago_webhook_redis_on_disconnect(const redisAsyncContext *ac,
    int status)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ac->data;

    ngx_http_lago_webhook_redis_outage(rc, "closed the connection",
                                       ac->err ? ac->errstr : NULL);
}


/*
 * AUTH, SELECT and PING, sent first on every connection.  An outage ends
 * (and the backoff starts over) only when PING answers after them: a
 * Redis that accepts connections but refuses our password is still down.
 */

static void
ngx_http_lago_webhook_redis_handshake_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                     *reply = r;
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ac->data;

    if (reply == NULL) {
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_lago_webhook_redis_outage(rc, "refused AUTH, SELECT or PING",
                                           reply->str);

        /* inside a hiredis callback: drop the context from a posted event */
        ngx_http_lago_webhook_redis_drop(rc);
        return;
    }

    if (privdata == NULL) {
        return;
    }

    rc->backoff = NGX_HTTP_LAGO_WEBHOOK_BACKOFF_MIN;
    rc->ready = 1;
    ngx_http_lago_webhook_metrics_redis_up();

    if (rc->outage_logged) {
        rc->outage_logged = 0;
        ngx_log_error(NGX_LOG_NOTICE, rc->log, 0,
                      "lago_webhook: redis \"%V\" is reachable again",
                      &rc->conf.name);
    }
}


/*
 * Logs an outage once, however many requests and reconnect attempts it
 * takes; the next successful connect logs the recovery.
 */

static void
ngx_http_lago_webhook_redis_outage(ngx_http_lago_webhook_redis_t *rc,
    const char *what, const char *detail)
{
    if (rc->outage_logged || rc->exiting) {
        ngx_log_debug2(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                       "lago_webhook redis: %s: %s", what,
                       detail ? detail : "");
        return;
    }

    rc->outage_logged = 1;
    ngx_http_lago_webhook_metrics_redis_down();

    ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                  "lago_webhook: redis \"%V\" %s%s%s, answering 503 "
                  "until it is back", &rc->conf.name, what,
                  detail ? ": " : "", detail ? detail : "");
}


static void
ngx_http_lago_webhook_redis_drop(ngx_http_lago_webhook_redis_t *rc)
{
    if (rc->ac == NULL || rc->drop_event.posted) {
        return;
    }

    ngx_post_event(&rc->drop_event, &ngx_posted_events);
}


static void
ngx_http_lago_webhook_redis_drop_handler(ngx_event_t *ev)
{
    redisAsyncContext              *ac;
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ev->data;
    ac = rc->ac;

    if (ac == NULL) {
        return;
    }

    /*
     * Every pending command's callback runs with a NULL reply, which
     * answers its request with a 503; detached() then schedules a
     * reconnect.
     */

    ngx_log_debug0(NGX_LOG_DEBUG_EVENT, rc->log, 0,
                   "lago_webhook redis: dropping the connection");

    ac->onDisconnect = NULL;
    redisAsyncFree(ac);
}


static void
ngx_http_lago_webhook_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = ev->data;

    if (rc->state != NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTING) {
        return;
    }

    ngx_http_lago_webhook_redis_outage(rc, "could not be reached",
                                       "connect timed out");

    ngx_http_lago_webhook_redis_drop_handler(&rc->drop_event);
}


static void
ngx_http_lago_webhook_redis_schedule_reconnect(
    ngx_http_lago_webhook_redis_t *rc)
{
    rc->state = NGX_HTTP_LAGO_WEBHOOK_REDIS_DISCONNECTED;
    rc->ready = 0;

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

    if (rc->ac == NULL && !rc->exiting) {
        ngx_http_lago_webhook_metrics_redis_reconnect();
        ngx_http_lago_webhook_redis_connect(rc);
    }
}


/*
 * hiredis freed the connection (a drop, a lost connection, a failed
 * connect): every command on it has had its callback.
 */

static void
ngx_http_lago_webhook_redis_detached(void *data)
{
    ngx_http_lago_webhook_redis_t  *rc = data;

    rc->ac = NULL;

    if (rc->connect_timer.timer_set) {
        ngx_del_timer(&rc->connect_timer);
    }

    if (rc->drop_event.posted) {
        ngx_delete_posted_event(&rc->drop_event);
    }

    ngx_http_lago_webhook_redis_schedule_reconnect(rc);
}


ngx_int_t
ngx_http_lago_webhook_redis_is_up(void)
{
    ngx_http_lago_webhook_redis_t  *rc;

    rc = &ngx_http_lago_webhook_redis;

    return rc->state == NGX_HTTP_LAGO_WEBHOOK_REDIS_CONNECTED && rc->ready;
}
