
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_OPS_PAGES_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_OPS_PAGES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* the content handlers of lago_webhook_metrics and lago_webhook_health */
ngx_int_t ngx_http_lago_webhook_metrics_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_lago_webhook_health_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_OPS_PAGES_H_INCLUDED_ */
