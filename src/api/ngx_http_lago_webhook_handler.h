
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The front of every request: the content handler (route, API key).
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


/* the content handler of a lago_webhook location */
ngx_int_t ngx_http_lago_webhook_handler(ngx_http_request_t *r);

#endif /* _NGX_HTTP_LAGO_WEBHOOK_HANDLER_H_INCLUDED_ */
