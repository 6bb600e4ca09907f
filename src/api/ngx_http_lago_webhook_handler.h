
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The front and the end of every request: the content handler (route,
 * API key), and the one way a request is finished once it was held.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_


#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_store.h"


/* the content handler of a lago_webhook location */
ngx_int_t ngx_http_lago_webhook_handler(ngx_http_request_t *r);

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


#endif /* _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_ */
