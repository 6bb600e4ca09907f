
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The actions of an authenticated request: create, list, show, update
 * and delete a webhook endpoint (each one store call, answered in JSON),
 * and the webhook public key.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_ACTIONS_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_ACTIONS_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


/* NGX_DONE: a store answer will finish the request */
ngx_int_t ngx_http_lago_webhook_run_action(ngx_http_request_t *r);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_ACTIONS_H_INCLUDED_ */
