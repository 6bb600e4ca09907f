
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A hiredis async context driven by nginx's event loop, in the shape of
 * hiredis's own adapters (adapters/libevent.h and the like): the
 * context's socket is wrapped in an nginx connection, and the five
 * ac->ev hooks add and remove its events.  It knows nothing of what the
 * connection is for: connecting, the handshake and reconnecting are the
 * caller's (ngx_http_lago_webhook_redis.c).
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_REDIS_ADAPTER_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_REDIS_ADAPTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>


/*
 * Called when hiredis frees the context, after every pending command's
 * callback has run (with a NULL reply), and before the socket is closed.
 */
typedef void (*ngx_http_lago_webhook_redis_detached_pt)(void *data);


/*
 * Attaches a context that redisAsyncConnect*() just made.  NGX_ERROR: it
 * could not be attached, and the caller frees it.
 */
ngx_int_t ngx_http_lago_webhook_redis_attach(redisAsyncContext *ac,
    ngx_log_t *log, ngx_http_lago_webhook_redis_detached_pt detached,
    void *data);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_REDIS_ADAPTER_H_INCLUDED_ */
