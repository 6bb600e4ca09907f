
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The two pages an operator reads: lago_webhook_metrics, the numbers of
 * all workers (written by src/ops), and lago_webhook_health, whether
 * this worker reaches the store.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_ops_pages.h"
#include "ngx_http_lago_webhook_output.h"
#include "ngx_http_lago_webhook_store.h"


ngx_int_t
ngx_http_lago_webhook_metrics_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;
    ngx_str_t  text;

    static ngx_str_t  type = ngx_string("text/plain; version=0.0.4");

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_lago_webhook_metrics_text(r, &text) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_lago_webhook_send(r, NGX_HTTP_OK, &type, text.data,
                                      text.len);
}


/*
 * A worker answers for its own connection: a load balancer that checks
 * each worker in turn learns of every one that cannot serve.
 */

ngx_int_t
ngx_http_lago_webhook_health_handler(ngx_http_request_t *r)
{
    static ngx_str_t  type = ngx_string("application/json; charset=utf-8");
    static u_char     ok[] = "{\"status\":\"ok\"}";

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    /* both answers discard a body first (ngx_http_lago_webhook_send()) */

    if (!ngx_http_lago_webhook_store_is_up()) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
    }

    return ngx_http_lago_webhook_send(r, NGX_HTTP_OK, &type, ok,
                                      sizeof(ok) - 1);
}
