
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The socket is registered level-triggered for reading: hiredis reads at
 * most 16 KiB per call, and with level triggering a large reply simply
 * raises the read event again instead of stalling.
 *
 * hiredis asks to write whenever a command is queued.  Once connected,
 * the socket is nearly always writable, so the write is not waited for
 * in epoll but posted: it runs after the events of this loop iteration,
 * so that all the commands they queued leave in one write, and no
 * epoll_ctl() is spent on turning write interest on and off.  Only a
 * write that could not finish (a full socket buffer) and the connect
 * itself wait in epoll, level-triggered too.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_lago_webhook_redis_adapter.h"


typedef struct {
    redisAsyncContext                        *ac;
    ngx_connection_t                         *conn;
    ngx_http_lago_webhook_redis_detached_pt   detached;
    void                                     *data;
} ngx_http_lago_webhook_redis_adapter_t;


static void ngx_http_lago_webhook_redis_add_read(void *data);
static void ngx_http_lago_webhook_redis_del_read(void *data);
static void ngx_http_lago_webhook_redis_add_write(void *data);
static void ngx_http_lago_webhook_redis_del_write(void *data);
static void ngx_http_lago_webhook_redis_cleanup(void *data);
static void ngx_http_lago_webhook_redis_read_handler(ngx_event_t *ev);
static void ngx_http_lago_webhook_redis_write_handler(ngx_event_t *ev);


/*
 * Set while hiredis writes: a write it could not finish asks for the
 * next one there, and that one must wait in epoll.  Not in the adapter,
 * which a failed write may free before hiredis returns.
 */
static ngx_uint_t  ngx_http_lago_webhook_redis_writing;


ngx_int_t
ngx_http_lago_webhook_redis_attach(redisAsyncContext *ac, ngx_log_t *log,
    ngx_http_lago_webhook_redis_detached_pt detached, void *data)
{
    ngx_connection_t                       *c;
    ngx_http_lago_webhook_redis_adapter_t  *a;

    a = ngx_alloc(sizeof(ngx_http_lago_webhook_redis_adapter_t), log);
    if (a == NULL) {
        return NGX_ERROR;
    }

    c = ngx_get_connection(ac->c.fd, log);
    if (c == NULL) {
        ngx_free(a);
        return NGX_ERROR;
    }

    c->data = a;
    c->read->handler = ngx_http_lago_webhook_redis_read_handler;
    c->write->handler = ngx_http_lago_webhook_redis_write_handler;
    c->read->log = log;
    c->write->log = log;

    a->ac = ac;
    a->conn = c;
    a->detached = detached;
    a->data = data;

    ac->ev.data = a;
    ac->ev.addRead = ngx_http_lago_webhook_redis_add_read;
    ac->ev.delRead = ngx_http_lago_webhook_redis_del_read;
    ac->ev.addWrite = ngx_http_lago_webhook_redis_add_write;
    ac->ev.delWrite = ngx_http_lago_webhook_redis_del_write;
    ac->ev.cleanup = ngx_http_lago_webhook_redis_cleanup;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, log, 0,
                   "lago_webhook redis: attached fd:%d", c->fd);

    /* the first writable event tells that connect(2) finished */
    ngx_http_lago_webhook_redis_add_write(a);

    return NGX_OK;
}


static void
ngx_http_lago_webhook_redis_add_read(void *data)
{
    ngx_http_lago_webhook_redis_adapter_t  *a = data;

    if (!a->conn->read->active) {
        (void) ngx_add_event(a->conn->read, NGX_READ_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_lago_webhook_redis_del_read(void *data)
{
    ngx_http_lago_webhook_redis_adapter_t  *a = data;

    if (a->conn->read->active) {
        (void) ngx_del_event(a->conn->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_http_lago_webhook_redis_add_write(void *data)
{
    ngx_event_t                            *wev;
    ngx_http_lago_webhook_redis_adapter_t  *a = data;

    wev = a->conn->write;

    if (wev->active) {
        return;
    }

    if (ngx_http_lago_webhook_redis_writing
        || !(a->ac->c.flags & REDIS_CONNECTED))
    {
        (void) ngx_add_event(wev, NGX_WRITE_EVENT, NGX_LEVEL_EVENT);
        return;
    }

    if (!wev->posted) {
        ngx_post_event(wev, &ngx_posted_events);
    }
}


static void
ngx_http_lago_webhook_redis_del_write(void *data)
{
    ngx_http_lago_webhook_redis_adapter_t  *a = data;

    if (a->conn->write->active) {
        (void) ngx_del_event(a->conn->write, NGX_WRITE_EVENT, 0);
    }
}


/*
 * hiredis is about to free the context and close the socket itself:
 * release the nginx connection around it without closing the fd.
 */

static void
ngx_http_lago_webhook_redis_cleanup(void *data)
{
    ngx_connection_t                       *c;
    ngx_http_lago_webhook_redis_adapter_t  *a = data;

    c = a->conn;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, c->log, 0,
                   "lago_webhook redis: detached fd:%d", c->fd);

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;

    a->detached(a->data);

    ngx_free(a);
}


static void
ngx_http_lago_webhook_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t                       *c;
    ngx_http_lago_webhook_redis_adapter_t  *a;

    c = ev->data;
    a = c->data;

    redisAsyncHandleRead(a->ac);
}


static void
ngx_http_lago_webhook_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t                       *c;
    ngx_http_lago_webhook_redis_adapter_t  *a;

    c = ev->data;
    a = c->data;

    ngx_http_lago_webhook_redis_writing = 1;
    redisAsyncHandleWrite(a->ac);
    ngx_http_lago_webhook_redis_writing = 0;
}
