
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_auth.h"
#include "ngx_http_lago_webhook_actions.h"
#include "ngx_http_lago_webhook_exit.h"
#include "ngx_http_lago_webhook_key_cache.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_output.h"
#include "ngx_http_lago_webhook_store.h"


static void ngx_http_lago_webhook_key_found(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_key_t *found);
static ngx_int_t ngx_http_lago_webhook_authorize(ngx_http_request_t *r,
    ngx_http_lago_webhook_key_t *key, ngx_str_t *permissions);
static ngx_http_lago_webhook_error_e ngx_http_lago_webhook_permitted(
    ngx_http_request_t *r, ngx_str_t *permissions);


/* only a digest of each key is stored: a dump leaks no usable key */

ngx_int_t
ngx_http_lago_webhook_authenticate(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_str_t                     permissions;
    ngx_http_lago_webhook_ctx_t  *ctx;
    ngx_http_lago_webhook_key_t  *key;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ngx_http_lago_webhook_key_digest(ctx->digest, ctx->api_key.data,
                                         ctx->api_key.len)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_http_lago_webhook_key_cache_get(ctx->digest);

    ngx_http_lago_webhook_metrics_key_cache(key != NULL);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook: key cache %s", key ? "hit" : "miss");

    if (key) {
        permissions.data = key->permissions;
        permissions.len = key->permissions_len;

        return ngx_http_lago_webhook_authorize(r, key,
                                key->has_permissions ? &permissions : NULL);
    }

    rc = ngx_http_lago_webhook_store_get_key(r, ctx->digest,
                                             ngx_http_lago_webhook_key_found);

    return ngx_http_lago_webhook_waiting(r, rc);
}


static void
ngx_http_lago_webhook_key_found(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_key_t *found)
{
    ngx_http_lago_webhook_ctx_t  *ctx;
    ngx_http_lago_webhook_key_t   key;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (!found->found) {
        ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_send_error(r,
                                      NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED));
        return;
    }

    ngx_memzero(&key, offsetof(ngx_http_lago_webhook_key_t, permissions));

    ngx_memcpy(key.digest, ctx->digest, SHA256_DIGEST_LENGTH);
    ngx_memcpy(key.organization_id, found->organization_id,
               LAGO_WEBHOOK_UUID_LEN);
    key.expires = found->expires;
    key.expires_at = found->expires_at;

    if (found->has_permissions) {
        key.has_permissions = 1;
        key.permissions_len = found->permissions.len;

        if (found->permissions.len
            <= NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_PERMISSIONS)
        {
            ngx_memcpy(key.permissions, found->permissions.data,
                       found->permissions.len);
        }
    }

    ngx_http_lago_webhook_key_cache_put(&key);

    ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_authorize(r, &key,
                                   key.has_permissions ? &found->permissions
                                                       : NULL));
}


/*
 * The key is known: check its expiry and permissions, then run the
 * action.  Returns like ngx_http_lago_webhook_authenticate().
 */

static ngx_int_t
ngx_http_lago_webhook_authorize(ngx_http_request_t *r,
    ngx_http_lago_webhook_key_t *key, ngx_str_t *permissions)
{
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_error_e   error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    /* any expiry at or before now, 0 included, has passed */

    if (key->expires && key->expires_at <= ngx_time()) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED);
    }

    ngx_memcpy(ctx->org_buf, key->organization_id, LAGO_WEBHOOK_UUID_LEN);
    ctx->organization_id.data = ctx->org_buf;
    ctx->organization_id.len = LAGO_WEBHOOK_UUID_LEN;

    if (permissions) {
        error = ngx_http_lago_webhook_permitted(r, permissions);

        if (error != NGX_HTTP_LAGO_WEBHOOK_ERR_NONE) {
            return ngx_http_lago_webhook_send_error(r, error);
        }
    }

    return ngx_http_lago_webhook_run_action(r);
}


/*
 * A key's optional permissions: {"webhook_endpoint":["read","write"], ...}.
 * GET and HEAD read, everything else writes.  Returns the 403 to send, or
 * NGX_HTTP_LAGO_WEBHOOK_ERR_NONE.
 */

static ngx_http_lago_webhook_error_e
ngx_http_lago_webhook_permitted(ngx_http_request_t *r, ngx_str_t *permissions)
{
    size_t                          i;
    json_t                         *root, *modes, *mode;
    ngx_uint_t                      read, key_resource, allowed;
    const char                     *resource, *wanted;
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_error_e   error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    read = (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) ? 1 : 0;
    key_resource = (ctx->action == NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY
                    || ctx->action == NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY);

    resource = key_resource ? "webhook_jwt_public_key" : "webhook_endpoint";
    wanted = read ? "read" : "write";

    allowed = 0;

    root = json_loadb((const char *) permissions->data, permissions->len, 0,
                      NULL);

    if (root != NULL) {
        modes = json_object_get(root, resource);

        if (json_is_array(modes)) {
            json_array_foreach(modes, i, mode) {
                if (json_is_string(mode)
                    && ngx_strcmp(json_string_value(mode), wanted) == 0)
                {
                    allowed = 1;
                }
            }
        }

        json_decref(root);

    } else {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: API key permissions are not JSON, "
                      "denying");
    }

    if (allowed) {
        return NGX_HTTP_LAGO_WEBHOOK_ERR_NONE;
    }

    if (key_resource) {
        error = read ? NGX_HTTP_LAGO_WEBHOOK_ERR_KEY_READ_FORBIDDEN
                     : NGX_HTTP_LAGO_WEBHOOK_ERR_KEY_WRITE_FORBIDDEN;

    } else {
        error = read ? NGX_HTTP_LAGO_WEBHOOK_ERR_READ_FORBIDDEN
                     : NGX_HTTP_LAGO_WEBHOOK_ERR_WRITE_FORBIDDEN;
    }

    return error;
}


/* the authenticated action: NGX_DONE when a store reply will finish it */
