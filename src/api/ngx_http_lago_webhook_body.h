
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Create and update bodies: jansson in, a plain input struct out, with
 * every validation rule of Lago's that needs no store.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_BODY_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_BODY_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


/* the two kinds of 400 (besides NGX_OK and NGX_ERROR) */
#define NGX_HTTP_LAGO_WEBHOOK_BODY_MALFORMED  1
#define NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING    2


/* a webhook_url or name longer than max_length bytes is refused */
ngx_int_t ngx_http_lago_webhook_body_parse(ngx_pool_t *pool,
    ngx_str_t *body, ngx_uint_t create, size_t max_length,
    ngx_http_lago_webhook_input_t *in);

ngx_uint_t ngx_http_lago_webhook_input_has_errors(
    ngx_http_lago_webhook_input_t *in);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_BODY_H_INCLUDED_ */
