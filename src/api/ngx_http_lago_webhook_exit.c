
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The end of every request of the API: see the header.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_exit.h"
#include "ngx_http_lago_webhook_output.h"


ngx_int_t
ngx_http_lago_webhook_waiting(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc == NGX_OK) {
        return NGX_DONE;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
    }

    return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
}


void
ngx_http_lago_webhook_finish(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook: finish: %i", rc);

    if (rc == NGX_DONE) {
        return;
    }

    ngx_http_finalize_request(r, rc);
}


void
ngx_http_lago_webhook_store_failed(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_failure_e failure)
{
    ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_send_error(r,
                        failure == NGX_HTTP_LAGO_WEBHOOK_STORE_UNAVAILABLE
                        ? NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE
                        : NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL));
}
