
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The webhook public key: read from lago_webhook_public_key's file at
 * configuration time, served by GET /api/v1/webhooks/public_key and
 * /api/v1/webhooks/json_public_key.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


/* reads llcf->public_key_file into llcf->public_key, as Lago serves it */
ngx_int_t ngx_http_lago_webhook_public_key_load(ngx_conf_t *cf,
    ngx_http_lago_webhook_loc_conf_t *llcf);

/* the answer: as text, or as JSON */
ngx_int_t ngx_http_lago_webhook_public_key_send(ngx_http_request_t *r,
    ngx_uint_t as_json);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY_H_INCLUDED_ */
