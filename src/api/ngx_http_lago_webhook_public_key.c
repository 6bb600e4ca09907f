
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/err.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_output.h"
#include "ngx_http_lago_webhook_public_key.h"


static ngx_int_t ngx_http_lago_webhook_public_key_encode(ngx_pool_t *pool,
    ngx_str_t *pem, ngx_str_t *out);


ngx_int_t
ngx_http_lago_webhook_public_key_send(ngx_http_request_t *r,
    ngx_uint_t as_json)
{
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);

    if (llcf->public_key.len == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: no lago_webhook_public_key "
                      "is configured");
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
    }

    return ngx_http_lago_webhook_send_public_key(r, &llcf->public_key,
                                                 as_json);
}


/*
 * Lago serves Base64.encode64 of its RSA public key in PEM.  The file may
 * hold the public key or the private one; either way the PEM written back
 * is the SubjectPublicKeyInfo form Ruby's OpenSSL::PKey#to_pem gives.
 */

ngx_int_t
ngx_http_lago_webhook_public_key_load(ngx_conf_t *cf,
    ngx_http_lago_webhook_loc_conf_t *llcf)
{
    BIO        *in, *out;
    char       *data;
    long        len;
    EVP_PKEY   *pkey;
    ngx_str_t   pem;

    if (ngx_conf_full_name(cf->cycle, &llcf->public_key_file, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    in = BIO_new_file((char *) llcf->public_key_file.data, "r");
    if (in == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot open lago_webhook_public_key \"%V\"",
                           &llcf->public_key_file);
        return NGX_ERROR;
    }

    pkey = PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);

    if (pkey == NULL) {
        (void) BIO_reset(in);
        pkey = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    }

    BIO_free(in);

    /*
     * A private key fails the first reading: its errors must not stay in
     * OpenSSL's queue, where nginx's next TLS call (to Redis) finds them.
     */

    ERR_clear_error();

    if (pkey == NULL || EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_public_key \"%V\" holds no RSA key "
                           "in PEM", &llcf->public_key_file);
        EVP_PKEY_free(pkey);
        return NGX_ERROR;
    }

    out = BIO_new(BIO_s_mem());

    if (out == NULL || !PEM_write_bio_PUBKEY(out, pkey)) {
        BIO_free(out);
        EVP_PKEY_free(pkey);
        return NGX_ERROR;
    }

    EVP_PKEY_free(pkey);

    len = BIO_get_mem_data(out, &data);

    pem.data = (u_char *) data;
    pem.len = (size_t) len;

    if (ngx_http_lago_webhook_public_key_encode(cf->pool, &pem,
                                                &llcf->public_key)
        != NGX_OK)
    {
        BIO_free(out);
        return NGX_ERROR;
    }

    BIO_free(out);

    return NGX_OK;
}


/*
 * Ruby's Base64.encode64: a newline after every 60 characters and at the
 * end.
 */

static ngx_int_t
ngx_http_lago_webhook_public_key_encode(ngx_pool_t *pool, ngx_str_t *pem,
    ngx_str_t *out)
{
    u_char     *p, *q;
    size_t      i, lines;
    ngx_str_t   plain;

    plain.len = ngx_base64_encoded_length(pem->len);
    plain.data = ngx_pnalloc(pool, plain.len);
    if (plain.data == NULL) {
        return NGX_ERROR;
    }

    ngx_encode_base64(&plain, pem);

    lines = (plain.len + 59) / 60;

    out->data = ngx_pnalloc(pool, plain.len + lines);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = out->data;
    q = plain.data;

    for (i = 0; i < plain.len; i += 60) {
        p = ngx_cpymem(p, q + i, ngx_min(60, plain.len - i));
        *p++ = '\n';
    }

    out->len = p - out->data;

    return NGX_OK;
}
