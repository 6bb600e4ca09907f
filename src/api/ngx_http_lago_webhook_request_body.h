
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The body of a create or update, read once the API key allows the
 * action: never more of it than the location's limit, and a JSON 413 as
 * soon as it is over.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_REQUEST_BODY_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_REQUEST_BODY_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


/* the action to run once the body is in ctx->body; returns like it */
typedef ngx_int_t (*ngx_http_lago_webhook_body_ready_pt)(
    ngx_http_request_t *r);


/*
 * Reads the body, then runs ready.  NGX_DONE: the body is being read, and
 * ready's answer (or the 413) will finish the request; anything else is
 * the answer now.
 */
ngx_int_t ngx_http_lago_webhook_read_body(ngx_http_request_t *r,
    ngx_http_lago_webhook_body_ready_pt ready);

/* a request body filter of nginx's: installed at postconfiguration */
ngx_int_t ngx_http_lago_webhook_request_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
extern ngx_http_request_body_filter_pt
    ngx_http_lago_webhook_next_request_body_filter;


#endif /* _NGX_HTTP_LAGO_WEBHOOK_REQUEST_BODY_H_INCLUDED_ */
