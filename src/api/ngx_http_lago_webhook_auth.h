
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Authentication: the API key's organization, expiry and permissions,
 * from this worker's key cache or from the store, then the action.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_AUTH_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_AUTH_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


/*
 * Checks ctx->api_key and runs the action it allows.  NGX_DONE: a store
 * answer will finish the request; anything else is the answer now.
 */
ngx_int_t ngx_http_lago_webhook_authenticate(ngx_http_request_t *r);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_AUTH_H_INCLUDED_ */
