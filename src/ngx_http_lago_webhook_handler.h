
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The front and the end of every request: the content handler (route,
 * API key, body), and the one way a request is finished once the store
 * has answered.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_


#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_store.h"


/* the content handler of a lago_webhook location */
ngx_int_t ngx_http_lago_webhook_handler(ngx_http_request_t *r);

/* keeps no body byte past the location's limit (see the handler) */
ngx_int_t ngx_http_lago_webhook_request_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
extern ngx_http_request_body_filter_pt
    ngx_http_lago_webhook_next_request_body_filter;

/*
 * What a store call's start means for the request: NGX_DONE while its
 * answer is awaited, or the error answer sent at once (Redis down: 503).
 */
ngx_int_t ngx_http_lago_webhook_waiting(ngx_http_request_t *r,
    ngx_int_t rc);

/*
 * The one way out of a request after a store answer: rc is what sending
 * the answer (a record, a page, a Lago error) returned, or NGX_DONE when
 * another store call was started instead.
 */
void ngx_http_lago_webhook_finish(ngx_http_request_t *r, ngx_int_t rc);

/* a store call that got no usable answer: 503, or 500 */
void ngx_http_lago_webhook_store_failed(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_failure_e failure);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_ */
