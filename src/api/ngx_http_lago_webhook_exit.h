
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The one way out of a request that the handler held: every file of the
 * request path ends a request here, and this file calls none of them, so
 * that the path runs one way.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_EXIT_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_EXIT_H_INCLUDED_


#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_store.h"


/*
 * What a store call's start means for the request: NGX_DONE while its
 * answer is awaited, or the error answer sent at once (Redis down: 503).
 */
ngx_int_t ngx_http_lago_webhook_waiting(ngx_http_request_t *r,
    ngx_int_t rc);

/*
 * The one way out of a request held by the handler: rc is what sending
 * the answer (a record, a page, a Lago error) returned, or NGX_DONE when
 * a store call or the body's reading was started instead.
 */
void ngx_http_lago_webhook_finish(ngx_http_request_t *r, ngx_int_t rc);

/* a store call that got no usable answer: 503, or 500 */
void ngx_http_lago_webhook_store_failed(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_failure_e failure);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_EXIT_H_INCLUDED_ */
