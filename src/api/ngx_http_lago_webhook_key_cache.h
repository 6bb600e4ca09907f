
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A per-worker cache of API key lookups (key digest -> organization,
 * expiry, permissions), so that a request with a recently seen key costs
 * one Redis round trip instead of two.  Entries live for a configured
 * time: a revoked key keeps working that long at most.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <openssl/sha.h>


/* permissions longer than this are never cached, only looked up */
#define NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_PERMISSIONS  256


typedef struct {
    u_char       digest[SHA256_DIGEST_LENGTH];
    u_char       organization_id[36];
    time_t       expires_at;                  /* if expires */
    ngx_msec_t   stored_at;
    size_t       permissions_len;
    unsigned     used:1;
    unsigned     expires:1;
    unsigned     has_permissions:1;

    /* last, so that the fields above can be cleared without it */
    u_char       permissions[NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_PERMISSIONS];
} ngx_http_lago_webhook_key_t;


/* slots entries, each for ttl; either 0: no cache */
ngx_int_t ngx_http_lago_webhook_key_cache_init(ngx_uint_t slots,
    ngx_msec_t ttl, ngx_log_t *log);
void ngx_http_lago_webhook_key_cache_exit(void);

/* the SHA-256 of an API key, by which keys are stored and cached */
ngx_int_t ngx_http_lago_webhook_key_digest(u_char *digest, u_char *key,
    size_t len);

/* a fresh entry for the digest, or NULL */
ngx_http_lago_webhook_key_t *ngx_http_lago_webhook_key_cache_get(
    u_char *digest);

void ngx_http_lago_webhook_key_cache_put(ngx_http_lago_webhook_key_t *key);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_H_INCLUDED_ */
