
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The access log's variables: $lago_webhook_action,
 * $lago_webhook_organization_id and $lago_webhook_redis_time.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_VARIABLES_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_VARIABLES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* preconfiguration: the variables exist whether or not a location is ours */
ngx_int_t ngx_http_lago_webhook_variables_add(ngx_conf_t *cf);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_VARIABLES_H_INCLUDED_ */
