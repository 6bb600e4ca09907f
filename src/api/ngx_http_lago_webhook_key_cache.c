
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Direct-mapped: a digest is random, so its first bytes pick the slot,
 * and a newer key simply replaces an older one in the same slot.  One
 * worker, one event loop: no locking.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <openssl/evp.h>

#include "ngx_http_lago_webhook_key_cache.h"


static ngx_http_lago_webhook_key_t  *ngx_http_lago_webhook_keys;
static ngx_uint_t                     ngx_http_lago_webhook_nkeys;
static ngx_msec_t                     ngx_http_lago_webhook_keys_ttl;

/*
 * SHA256() looks the algorithm up in OpenSSL's providers on every call,
 * which costs more than the hashing of a key: it is looked up once per
 * worker, and one context is reused.
 */
static EVP_MD                        *ngx_http_lago_webhook_sha256;
static EVP_MD_CTX                    *ngx_http_lago_webhook_sha256_ctx;


ngx_int_t
ngx_http_lago_webhook_key_cache_init(ngx_uint_t slots, ngx_msec_t ttl,
    ngx_log_t *log)
{
    ngx_http_lago_webhook_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    ngx_http_lago_webhook_sha256_ctx = EVP_MD_CTX_new();

    if (ngx_http_lago_webhook_sha256 == NULL
        || ngx_http_lago_webhook_sha256_ctx == NULL)
    {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "lago_webhook: OpenSSL has no SHA-256");
        return NGX_ERROR;
    }

    ngx_http_lago_webhook_keys_ttl = ttl;
    ngx_http_lago_webhook_nkeys = slots;

    if (ttl == 0 || slots == 0) {
        return NGX_OK;
    }

    ngx_http_lago_webhook_keys = ngx_calloc(
                    slots * sizeof(ngx_http_lago_webhook_key_t), log);

    return ngx_http_lago_webhook_keys ? NGX_OK : NGX_ERROR;
}


void
ngx_http_lago_webhook_key_cache_exit(void)
{
    if (ngx_http_lago_webhook_sha256_ctx) {
        EVP_MD_CTX_free(ngx_http_lago_webhook_sha256_ctx);
        ngx_http_lago_webhook_sha256_ctx = NULL;
    }

    if (ngx_http_lago_webhook_sha256) {
        EVP_MD_free(ngx_http_lago_webhook_sha256);
        ngx_http_lago_webhook_sha256 = NULL;
    }

    if (ngx_http_lago_webhook_keys) {
        ngx_free(ngx_http_lago_webhook_keys);
        ngx_http_lago_webhook_keys = NULL;
    }
}


ngx_int_t
ngx_http_lago_webhook_key_digest(u_char *digest, u_char *key, size_t len)
{
    EVP_MD_CTX  *ctx;

    ctx = ngx_http_lago_webhook_sha256_ctx;

    if (ctx == NULL
        || EVP_DigestInit_ex2(ctx, ngx_http_lago_webhook_sha256, NULL) != 1
        || EVP_DigestUpdate(ctx, key, len) != 1
        || EVP_DigestFinal_ex(ctx, digest, NULL) != 1)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_http_lago_webhook_key_t *
ngx_http_lago_webhook_key_cache_slot(u_char *digest)
{
    ngx_uint_t  i;

    i = ((ngx_uint_t) digest[0] << 24 | (ngx_uint_t) digest[1] << 16
         | (ngx_uint_t) digest[2] << 8 | digest[3])
        % ngx_http_lago_webhook_nkeys;

    return &ngx_http_lago_webhook_keys[i];
}


ngx_http_lago_webhook_key_t *
ngx_http_lago_webhook_key_cache_get(u_char *digest)
{
    ngx_http_lago_webhook_key_t  *key;

    if (ngx_http_lago_webhook_keys == NULL) {
        return NULL;
    }

    key = ngx_http_lago_webhook_key_cache_slot(digest);

    if (!key->used
        || ngx_memcmp(key->digest, digest, SHA256_DIGEST_LENGTH) != 0
        || ngx_current_msec - key->stored_at >= ngx_http_lago_webhook_keys_ttl)
    {
        return NULL;
    }

    return key;
}


void
ngx_http_lago_webhook_key_cache_put(ngx_http_lago_webhook_key_t *key)
{
    if (ngx_http_lago_webhook_keys == NULL
        || key->permissions_len > NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_PERMISSIONS)
    {
        return;
    }

    key->used = 1;
    key->stored_at = ngx_current_msec;

    *ngx_http_lago_webhook_key_cache_slot(key->digest) = *key;
}
