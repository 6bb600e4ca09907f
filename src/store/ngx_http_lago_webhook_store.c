
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The store in Redis: the key layout and the record format of the
 * README's "Data model", the Lua scripts, and the reading of every reply.
 *
 * Each API action is one command, one round trip: a create, update or
 * delete is one script, atomic in Redis (sent with EVALSHA, and with EVAL
 * after a NOSCRIPT), a show one HGET, a list page one ZRANGE (and a ZCARD
 * when the page alone cannot tell the total).  An organization's keys
 * share the hash tag {<org>}, so each script touches keys of one cluster
 * slot, all of them declared in KEYS.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/sha.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_store.h"
#include "lago_webhook_record.h"


/* the three keys of an organization, in the scripts' KEYS order */
#define NGX_HTTP_LAGO_WEBHOOK_ORG_RECORDS    0
#define NGX_HTTP_LAGO_WEBHOOK_ORG_URLS       1
#define NGX_HTTP_LAGO_WEBHOOK_ORG_ORDER      2
#define NGX_HTTP_LAGO_WEBHOOK_ORG_KEYS       3


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_SCRIPT_CREATE = 0,
    NGX_HTTP_LAGO_WEBHOOK_SCRIPT_UPDATE,
    NGX_HTTP_LAGO_WEBHOOK_SCRIPT_DELETE,
    NGX_HTTP_LAGO_WEBHOOK_SCRIPT_COUNT
} ngx_http_lago_webhook_script_e;


typedef struct {
    ngx_str_t    text;
    u_char       sha1[SHA_DIGEST_LENGTH * 2];
} ngx_http_lago_webhook_script_t;


typedef struct ngx_http_lago_webhook_store_call_s
    ngx_http_lago_webhook_store_call_t;

/* reads a reply: NGX_OK, NGX_DECLINED (a 503) or NGX_ERROR (a 500) */
typedef ngx_int_t (*ngx_http_lago_webhook_store_read_pt)(
    ngx_http_request_t *r, ngx_http_lago_webhook_store_call_t *call,
    redisReply *reply);


/*
 * One store call, in the request's pool: its command (kept whole so that
 * a script can be sent again after NOSCRIPT), whose organization it
 * concerns, the reader of its reply and the handler of its kind.
 */

struct ngx_http_lago_webhook_store_call_s {
    ngx_http_lago_webhook_redis_command_t   cmd;
    ngx_str_t                               org;
    ngx_str_t                               keys[3];
    const char                             *what;     /* for logs */
    ngx_http_lago_webhook_store_read_pt     read;
    ngx_http_lago_webhook_script_e          script;
    ngx_uint_t                              offset;
    ngx_uint_t                              count;
    ngx_http_lago_webhook_store_page_t      page;
    uint64_t                                sent;     /* metrics_now() */

    ngx_http_lago_webhook_store_key_pt      key_handler;
    ngx_http_lago_webhook_store_record_pt   record_handler;
    ngx_http_lago_webhook_store_page_pt     page_handler;
    ngx_http_lago_webhook_store_write_pt    write_handler;

    /* lago_webhook_redis_wait: the write's result, held until WAIT's */
    ngx_http_lago_webhook_store_write_t     res;
    ngx_uint_t                              stale;    /* WAITs to ignore */

    unsigned                                retried:1;
    unsigned                                wait:1;   /* WAIT follows */
    unsigned                                held:1;   /* res is waiting */
    unsigned                                answered:1;
};


#define NGX_HTTP_LAGO_WEBHOOK_SPLIT_RECORD                                   \
    "local function split(rec)\n"                                            \
    "  local f, i = {}, 1\n"                                                 \
    "  while true do\n"                                                      \
    "    local j = string.find(rec, '\\0', i, true)\n"                       \
    "    if not j then f[#f + 1] = string.sub(rec, i) return f end\n"        \
    "    f[#f + 1] = string.sub(rec, i, j - 1)\n"                            \
    "    i = j + 1\n"                                                        \
    "  end\n"                                                                \
    "end\n"


/*
 * KEYS: records, urls, order.  ARGV: maximum, invalid elsewhere (0/1),
 * check the url (0/1), url, lago_id, record.  Returns {written,
 * not_found, duplicate_url, maximum_reached}; writes only when nothing
 * at all is wrong, so the caller can report every error at once.  When
 * nothing else is wrong, HSETNX checks the url and claims it in one step,
 * a hash lookup fewer on Redis's busiest path than HEXISTS then HSET.
 */

static ngx_str_t  ngx_http_lago_webhook_create_lua = ngx_string(
    "local function dup()\n"
    "  if ARGV[3] == '1'\n"
    "     and redis.call('HEXISTS', KEYS[2], ARGV[4]) == 1 then\n"
    "    return 1\n"
    "  end\n"
    "  return 0\n"
    "end\n"
    "if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then\n"
    "  return {0, 0, dup(), 1}\n"
    "end\n"
    "if ARGV[2] == '1' then\n"
    "  return {0, 0, dup(), 0}\n"
    "end\n"
    "if ARGV[3] ~= '1' then\n"
    "  redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])\n"
    "elseif redis.call('HSETNX', KEYS[2], ARGV[4], ARGV[5]) == 0 then\n"
    "  return {0, 0, 1, 0}\n"
    "end\n"
    "redis.call('HSET', KEYS[1], ARGV[5], ARGV[6])\n"
    "redis.call('ZADD', KEYS[3], 0, ARGV[4] .. '\\0' .. ARGV[6])\n"
    "return {1, 0, 0, 0}\n"
);


/*
 * KEYS: records, urls, order.  ARGV: lago_id, invalid elsewhere (0/1),
 * then a present flag and a value for webhook_url, signature_algo, name
 * and event_types (name and event_types in their stored 'N'/'S' form).
 * Returns {written, not_found, duplicate_url, 0[, record]}.
 */

static ngx_str_t  ngx_http_lago_webhook_update_lua = ngx_string(
    NGX_HTTP_LAGO_WEBHOOK_SPLIT_RECORD
    "local rec = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if not rec then return {0, 1, 0, 0} end\n"
    "local f = split(rec)\n"
    "local old_url = f[2]\n"
    "local dup = 0\n"
    "if ARGV[3] == '1' and ARGV[4] ~= old_url then\n"
    "  local owner = redis.call('HGET', KEYS[2], ARGV[4])\n"
    "  if owner and owner ~= ARGV[1] then dup = 1 end\n"
    "end\n"
    "if dup == 1 or ARGV[2] == '1' then return {0, 0, dup, 0} end\n"
    "if ARGV[3] == '1' then f[2] = ARGV[4] end\n"
    "if ARGV[5] == '1' then f[3] = ARGV[6] end\n"
    "if ARGV[7] == '1' then f[4] = ARGV[8] end\n"
    "if ARGV[9] == '1' then f[5] = ARGV[10] end\n"
    "redis.call('ZREM', KEYS[3], old_url .. '\\0' .. rec)\n"
    "rec = table.concat(f, '\\0')\n"
    "redis.call('HSET', KEYS[1], ARGV[1], rec)\n"
    "redis.call('ZADD', KEYS[3], 0, f[2] .. '\\0' .. rec)\n"
    "if f[2] ~= old_url then\n"
    "  redis.call('HDEL', KEYS[2], old_url)\n"
    "  redis.call('HSET', KEYS[2], f[2], ARGV[1])\n"
    "end\n"
    "return {1, 0, 0, 0, rec}\n"
);


/* KEYS: records, urls, order.  ARGV: lago_id.  Returns like update. */

static ngx_str_t  ngx_http_lago_webhook_delete_lua = ngx_string(
    NGX_HTTP_LAGO_WEBHOOK_SPLIT_RECORD
    "local rec = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if not rec then return {0, 1, 0, 0} end\n"
    "local url = split(rec)[2]\n"
    "redis.call('HDEL', KEYS[1], ARGV[1])\n"
    "redis.call('HDEL', KEYS[2], url)\n"
    "redis.call('ZREM', KEYS[3], url .. '\\0' .. rec)\n"
    "return {1, 0, 0, 0, rec}\n"
);


static ngx_http_lago_webhook_script_t
    ngx_http_lago_webhook_scripts[NGX_HTTP_LAGO_WEBHOOK_SCRIPT_COUNT];

static ngx_http_lago_webhook_store_failed_pt  ngx_http_lago_webhook_store_fail;


static ngx_http_lago_webhook_store_call_t *ngx_http_lago_webhook_store_call(
    ngx_http_request_t *r, ngx_str_t *org, int argc);
static ngx_int_t ngx_http_lago_webhook_store_send(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call);
static ngx_int_t ngx_http_lago_webhook_store_send_write(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call);
static ngx_int_t ngx_http_lago_webhook_store_eval(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call,
    ngx_http_lago_webhook_script_e script, ngx_str_t *args, int nargs);
static void ngx_http_lago_webhook_store_reply(ngx_http_request_t *r,
    void *data, redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_store_wait(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call);
static void ngx_http_lago_webhook_store_waited(ngx_http_request_t *r,
    void *data, redisReply *reply);

static ngx_int_t ngx_http_lago_webhook_store_read_key(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_store_read_record(
    ngx_http_request_t *r, ngx_http_lago_webhook_store_call_t *call,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_store_read_page(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_store_read_count(
    ngx_http_request_t *r, ngx_http_lago_webhook_store_call_t *call,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_store_read_write(
    ngx_http_request_t *r, ngx_http_lago_webhook_store_call_t *call,
    redisReply *reply);

static ngx_int_t ngx_http_lago_webhook_store_unpack(u_char *data, size_t len,
    ngx_str_t *org, ngx_http_lago_webhook_record_t *rec);
static ngx_int_t ngx_http_lago_webhook_store_org_keys(ngx_http_request_t *r,
    ngx_str_t *org, ngx_str_t *keys);
static ngx_int_t ngx_http_lago_webhook_store_pack(ngx_pool_t *pool,
    ngx_str_t *out, ngx_str_t *value, unsigned is_null);
static void ngx_http_lago_webhook_store_lib_str(lago_webhook_record_str_t *dst,
    ngx_str_t *src);


ngx_int_t
ngx_http_lago_webhook_store_init(ngx_http_lago_webhook_store_failed_pt failed)
{
    u_char      md[SHA_DIGEST_LENGTH];
    ngx_uint_t  i;

    ngx_http_lago_webhook_store_fail = failed;

    ngx_http_lago_webhook_scripts[NGX_HTTP_LAGO_WEBHOOK_SCRIPT_CREATE].text =
        ngx_http_lago_webhook_create_lua;
    ngx_http_lago_webhook_scripts[NGX_HTTP_LAGO_WEBHOOK_SCRIPT_UPDATE].text =
        ngx_http_lago_webhook_update_lua;
    ngx_http_lago_webhook_scripts[NGX_HTTP_LAGO_WEBHOOK_SCRIPT_DELETE].text =
        ngx_http_lago_webhook_delete_lua;

    for (i = 0; i < NGX_HTTP_LAGO_WEBHOOK_SCRIPT_COUNT; i++) {
        SHA1(ngx_http_lago_webhook_scripts[i].text.data,
             ngx_http_lago_webhook_scripts[i].text.len, md);
        ngx_hex_dump(ngx_http_lago_webhook_scripts[i].sha1, md,
                     SHA_DIGEST_LENGTH);
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_store_is_up(void)
{
    return ngx_http_lago_webhook_redis_is_up();
}


ngx_int_t
ngx_http_lago_webhook_store_get_key(ngx_http_request_t *r, u_char *digest,
    ngx_http_lago_webhook_store_key_pt handler)
{
    u_char                              *p;
    ngx_http_lago_webhook_store_call_t  *call;
    ngx_http_lago_webhook_main_conf_t   *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    call = ngx_http_lago_webhook_store_call(r, NULL, 5);
    if (call == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, lmcf->redis.prefix.len + sizeof("apikey:") - 1
                             + SHA256_DIGEST_LENGTH * 2);
    if (p == NULL) {
        return NGX_ERROR;
    }

    call->keys[0].data = p;
    p = ngx_cpymem(p, lmcf->redis.prefix.data, lmcf->redis.prefix.len);
    p = ngx_cpymem(p, "apikey:", sizeof("apikey:") - 1);
    p = ngx_hex_dump(p, digest, SHA256_DIGEST_LENGTH);
    call->keys[0].len = p - call->keys[0].data;

    call->cmd.key = &call->keys[0];
    call->cmd.argv[0] = "HMGET";
    call->cmd.argvlen[0] = sizeof("HMGET") - 1;
    call->cmd.argv[1] = (const char *) call->keys[0].data;
    call->cmd.argvlen[1] = call->keys[0].len;
    call->cmd.argv[2] = "organization_id";
    call->cmd.argvlen[2] = sizeof("organization_id") - 1;
    call->cmd.argv[3] = "expires_at";
    call->cmd.argvlen[3] = sizeof("expires_at") - 1;
    call->cmd.argv[4] = "permissions";
    call->cmd.argvlen[4] = sizeof("permissions") - 1;

    call->what = "the API key lookup";
    call->read = ngx_http_lago_webhook_store_read_key;
    call->key_handler = handler;

    return ngx_http_lago_webhook_store_send(r, call);
}


ngx_int_t
ngx_http_lago_webhook_store_create(ngx_http_request_t *r, ngx_str_t *org,
    ngx_http_lago_webhook_record_t *rec, ngx_uint_t max_endpoints,
    ngx_uint_t check_url, ngx_uint_t invalid,
    ngx_http_lago_webhook_store_write_pt handler)
{
    u_char                              *p;
    size_t                               len;
    ngx_str_t                            args[6];
    lago_webhook_record_t                stored;
    ngx_http_lago_webhook_store_call_t  *call;

    call = ngx_http_lago_webhook_store_call(r, org, 3 + 3 + 6);
    if (call == NULL) {
        return NGX_ERROR;
    }

    ngx_http_lago_webhook_store_lib_str(&stored.id, &rec->id);
    ngx_http_lago_webhook_store_lib_str(&stored.url, &rec->url);
    ngx_http_lago_webhook_store_lib_str(&stored.signature_algo,
                                        &rec->signature_algo);
    ngx_http_lago_webhook_store_lib_str(&stored.name, &rec->name);
    ngx_http_lago_webhook_store_lib_str(&stored.event_types,
                                        &rec->event_types);
    stored.name_null = rec->name_null;
    stored.event_types_null = rec->event_types_null;
    stored.created_at = (int64_t) rec->created_at;

    len = lago_webhook_record_len(&stored);

    p = ngx_pnalloc(r->pool, len + NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    args[0].data = p;
    p = ngx_http_lago_webhook_decimal(p, max_endpoints);
    args[0].len = p - args[0].data;

    args[1].data = (u_char *) (invalid ? "1" : "0");
    args[1].len = 1;

    args[2].data = (u_char *) (check_url ? "1" : "0");
    args[2].len = 1;

    args[3] = rec->url;
    args[4] = rec->id;

    args[5].data = p;
    p = lago_webhook_record_pack(p, &stored);
    args[5].len = p - args[5].data;

    call->write_handler = handler;

    return ngx_http_lago_webhook_store_eval(r, call,
                                       NGX_HTTP_LAGO_WEBHOOK_SCRIPT_CREATE,
                                       args, 6);
}


ngx_int_t
ngx_http_lago_webhook_store_update(ngx_http_request_t *r, ngx_str_t *org,
    ngx_str_t *id, ngx_http_lago_webhook_input_t *in, ngx_uint_t invalid,
    ngx_http_lago_webhook_store_write_pt handler)
{
    ngx_str_t                            args[10];
    ngx_http_lago_webhook_store_call_t  *call;

    static ngx_str_t  yes = ngx_string("1");
    static ngx_str_t  no = ngx_string("0");

    call = ngx_http_lago_webhook_store_call(r, org, 3 + 3 + 10);
    if (call == NULL) {
        return NGX_ERROR;
    }

    args[0] = *id;
    args[1] = invalid ? yes : no;

    args[2] = in->url_present ? yes : no;
    args[3] = in->url;
    args[4] = in->signature_algo_present ? yes : no;
    args[5] = in->signature_algo;
    args[6] = in->name_present ? yes : no;
    args[8] = in->event_types_present ? yes : no;

    if (ngx_http_lago_webhook_store_pack(r->pool, &args[7], &in->name,
                                         in->name_null)
        != NGX_OK
        || ngx_http_lago_webhook_store_pack(r->pool, &args[9],
                                            &in->event_types,
                                            in->event_types_null)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    call->write_handler = handler;

    return ngx_http_lago_webhook_store_eval(r, call,
                                       NGX_HTTP_LAGO_WEBHOOK_SCRIPT_UPDATE,
                                       args, 10);
}


ngx_int_t
ngx_http_lago_webhook_store_delete(ngx_http_request_t *r, ngx_str_t *org,
    ngx_str_t *id, ngx_http_lago_webhook_store_write_pt handler)
{
    ngx_http_lago_webhook_store_call_t  *call;

    call = ngx_http_lago_webhook_store_call(r, org, 3 + 3 + 1);
    if (call == NULL) {
        return NGX_ERROR;
    }

    call->write_handler = handler;

    return ngx_http_lago_webhook_store_eval(r, call,
                                       NGX_HTTP_LAGO_WEBHOOK_SCRIPT_DELETE,
                                       id, 1);
}


ngx_int_t
ngx_http_lago_webhook_store_show(ngx_http_request_t *r, ngx_str_t *org,
    ngx_str_t *id, ngx_http_lago_webhook_store_record_pt handler)
{
    ngx_http_lago_webhook_store_call_t  *call;

    call = ngx_http_lago_webhook_store_call(r, org, 3);
    if (call == NULL) {
        return NGX_ERROR;
    }

    call->cmd.key = &call->keys[NGX_HTTP_LAGO_WEBHOOK_ORG_RECORDS];
    call->cmd.argv[0] = "HGET";
    call->cmd.argvlen[0] = sizeof("HGET") - 1;
    call->cmd.argv[1] = (const char *) call->cmd.key->data;
    call->cmd.argvlen[1] = call->cmd.key->len;
    call->cmd.argv[2] = (const char *) id->data;
    call->cmd.argvlen[2] = id->len;

    call->what = "a show";
    call->read = ngx_http_lago_webhook_store_read_record;
    call->record_handler = handler;

    return ngx_http_lago_webhook_store_send(r, call);
}


/*
 * A page is one plain ZRANGE by rank (a script would cost Redis almost
 * twice as much).  The total comes with it when the page is not full:
 * with Lago's 100 a page and 10 endpoints an organization, that is every
 * page but those of organizations whose maximum was raised.  Otherwise a
 * ZCARD follows; like Lago's count and select, the two are then not one
 * snapshot.
 */

ngx_int_t
ngx_http_lago_webhook_store_list(ngx_http_request_t *r, ngx_str_t *org,
    ngx_uint_t offset, ngx_uint_t count,
    ngx_http_lago_webhook_store_page_pt handler)
{
    u_char                              *p;
    ngx_http_lago_webhook_store_call_t  *call;

    call = ngx_http_lago_webhook_store_call(r, org, 4);
    if (call == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, 2 * NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    call->cmd.key = &call->keys[NGX_HTTP_LAGO_WEBHOOK_ORG_ORDER];
    call->cmd.argv[0] = "ZRANGE";
    call->cmd.argvlen[0] = sizeof("ZRANGE") - 1;
    call->cmd.argv[1] = (const char *) call->cmd.key->data;
    call->cmd.argvlen[1] = call->cmd.key->len;

    call->cmd.argv[2] = (const char *) p;
    p = ngx_http_lago_webhook_decimal(p, offset);
    call->cmd.argvlen[2] = p - (u_char *) call->cmd.argv[2];

    call->cmd.argv[3] = (const char *) p;
    p = ngx_http_lago_webhook_decimal(p, offset + count - 1);
    call->cmd.argvlen[3] = p - (u_char *) call->cmd.argv[3];

    call->offset = offset;
    call->count = count;
    call->what = "a list";
    call->read = ngx_http_lago_webhook_store_read_page;
    call->page_handler = handler;

    return ngx_http_lago_webhook_store_send(r, call);
}


/*
 * A call with room for argc arguments and, for an organization's call,
 * the organization's keys.
 */

static ngx_http_lago_webhook_store_call_t *
ngx_http_lago_webhook_store_call(ngx_http_request_t *r, ngx_str_t *org,
    int argc)
{
    ngx_http_lago_webhook_store_call_t  *call;

    call = ngx_pcalloc(r->pool, sizeof(ngx_http_lago_webhook_store_call_t));
    if (call == NULL) {
        return NULL;
    }

    call->cmd.argc = argc;
    call->cmd.argv = ngx_palloc(r->pool, argc * sizeof(char *));
    call->cmd.argvlen = ngx_palloc(r->pool, argc * sizeof(size_t));

    if (call->cmd.argv == NULL || call->cmd.argvlen == NULL) {
        return NULL;
    }

    if (org) {
        call->org = *org;

        if (ngx_http_lago_webhook_store_org_keys(r, org, call->keys)
            != NGX_OK)
        {
            return NULL;
        }
    }

    return call;
}


static ngx_int_t
ngx_http_lago_webhook_store_send(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call)
{
    ngx_int_t  rc;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook store: %s: %*s %V", call->what,
                   call->cmd.argvlen[0], call->cmd.argv[0], call->cmd.key);

    call->sent = ngx_http_lago_webhook_metrics_now();

    rc = ngx_http_lago_webhook_redis_send(r, &call->cmd,
                                          ngx_http_lago_webhook_store_reply,
                                          call);

    if (rc == NGX_OK) {
        ngx_http_lago_webhook_metrics_redis_waiting(r, call->sent);
    }

    return rc;
}


/*
 * EVALSHA first: the script text goes over the wire only after a Redis
 * restart or SCRIPT FLUSH answered NOSCRIPT, and then EVAL caches it again.
 * The organization's three keys come first, then the script's ARGV.
 */

static ngx_int_t
ngx_http_lago_webhook_store_eval(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call,
    ngx_http_lago_webhook_script_e script, ngx_str_t *args, int nargs)
{
    int  i;

    call->script = script;
    call->cmd.key = &call->keys[NGX_HTTP_LAGO_WEBHOOK_ORG_RECORDS];

    call->cmd.argv[0] = "EVALSHA";
    call->cmd.argvlen[0] = sizeof("EVALSHA") - 1;
    call->cmd.argv[1] =
                    (const char *) ngx_http_lago_webhook_scripts[script].sha1;
    call->cmd.argvlen[1] = SHA_DIGEST_LENGTH * 2;
    call->cmd.argv[2] = "3";
    call->cmd.argvlen[2] = 1;

    for (i = 0; i < NGX_HTTP_LAGO_WEBHOOK_ORG_KEYS; i++) {
        call->cmd.argv[3 + i] = (const char *) call->keys[i].data;
        call->cmd.argvlen[3 + i] = call->keys[i].len;
    }

    for (i = 0; i < nargs; i++) {
        call->cmd.argv[6 + i] = (const char *) args[i].data;
        call->cmd.argvlen[6 + i] = args[i].len;
    }

    call->what = "a write";
    call->read = ngx_http_lago_webhook_store_read_write;

    return ngx_http_lago_webhook_store_send_write(r, call);
}


/*
 * A script, and with lago_webhook_redis_wait its WAIT right behind it
 * on the same connection: WAIT counts the replicas that have every write
 * this connection made before it, the script's included.
 */

static ngx_int_t
ngx_http_lago_webhook_store_send_write(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call)
{
    ngx_int_t                           rc;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    rc = ngx_http_lago_webhook_store_send(r, call);

    if (rc != NGX_OK) {
        return rc;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    if (lmcf->redis.wait_replicas == 0) {
        return NGX_OK;
    }

    call->wait = 1;

    if (ngx_http_lago_webhook_store_wait(r, call) != NGX_OK) {
        /* the script's reply, still due, must not answer too */
        call->answered = 1;
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_lago_webhook_store_wait(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call)
{
    u_char                                 replicas[NGX_INT_T_LEN];
    u_char                                 timeout[NGX_INT_T_LEN];
    size_t                                 argvlen[3];
    const char                            *argv[3];
    ngx_http_lago_webhook_main_conf_t     *lmcf;
    ngx_http_lago_webhook_redis_command_t  cmd;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    argv[0] = "WAIT";
    argvlen[0] = sizeof("WAIT") - 1;
    argv[1] = (const char *) replicas;
    argvlen[1] = ngx_http_lago_webhook_decimal(replicas,
                                               lmcf->redis.wait_replicas)
                 - replicas;
    argv[2] = (const char *) timeout;
    argvlen[2] = ngx_http_lago_webhook_decimal(timeout,
                                               lmcf->redis.wait_timeout)
                 - timeout;

    ngx_memzero(&cmd, sizeof(ngx_http_lago_webhook_redis_command_t));

    cmd.key = call->cmd.key;
    cmd.argc = 3;
    cmd.argv = argv;
    cmd.argvlen = argvlen;
    cmd.follows = 1;

    /* the command is formatted before this returns: the stack will do */

    return ngx_http_lago_webhook_redis_send(r, &cmd,
                                            ngx_http_lago_webhook_store_waited,
                                            call);
}


/*
 * WAIT's reply: the number of replicas that acknowledged.  Fewer than
 * asked for is a 503, the write's outcome unknown: it was made on the
 * master, and may survive it or not.
 */

static void
ngx_http_lago_webhook_store_waited(ngx_http_request_t *r, void *data,
    redisReply *reply)
{
    ngx_http_lago_webhook_main_conf_t   *lmcf;
    ngx_http_lago_webhook_store_call_t  *call = data;

    static time_t  logged;

    if (call->answered) {
        /* the script failed, or wrote nothing that needed waiting for */
        return;
    }

    if (call->stale) {
        /* the WAIT after a script that answered NOSCRIPT, and was resent */

        call->stale--;

        if (reply != NULL) {
            return;
        }
    }

    call->answered = 1;

    if (reply == NULL) {
        ngx_http_lago_webhook_store_fail(r,
                                     NGX_HTTP_LAGO_WEBHOOK_STORE_UNAVAILABLE);
        return;
    }

    ngx_http_lago_webhook_metrics_redis_answered(r, call->sent);

    if (!call->held || reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: unexpected reply from the store to "
                      "WAIT");
        ngx_http_lago_webhook_store_fail(r,
                                         NGX_HTTP_LAGO_WEBHOOK_STORE_BROKEN);
        return;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    if (reply->integer < 0
        || (ngx_uint_t) reply->integer < lmcf->redis.wait_replicas)
    {
        /* at most a line a second, however many writes it fails */

        if (logged != ngx_time()) {
            logged = ngx_time();
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "lago_webhook: %L of %ui replicas acknowledged a "
                          "write within %M ms, answering 503",
                          (int64_t) reply->integer, lmcf->redis.wait_replicas,
                          lmcf->redis.wait_timeout);
        }

        ngx_http_lago_webhook_store_fail(r,
                                     NGX_HTTP_LAGO_WEBHOOK_STORE_UNAVAILABLE);
        return;
    }

    call->held = 0;

    call->write_handler(r, &call->res);
}


/*
 * Every reply of the store comes here first.  No reply at all (Redis
 * unreachable, too slow, an error answer) is a 503; the call's reader
 * reads the rest, and a reply of a shape it does not expect is a 500.
 */

static void
ngx_http_lago_webhook_store_reply(ngx_http_request_t *r, void *data,
    redisReply *reply)
{
    ngx_int_t                            rc;
    ngx_http_lago_webhook_store_call_t  *call = data;

    if (call->answered) {
        /* a script whose WAIT could not be sent: answered already */
        return;
    }

    /* before the reader, which may send the call's next command */
    ngx_http_lago_webhook_metrics_redis_answered(r, call->sent);

    /* before the answer is read: reading it may end the request */

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook store: %s answered%s", call->what,
                   reply ? "" : ": no answer");

    rc = (reply == NULL) ? NGX_DECLINED : call->read(r, call, reply);

    if (rc == NGX_OK) {
        return;
    }

    /* a WAIT still due must not answer too */
    call->answered = 1;

    if (rc == NGX_DECLINED) {
        ngx_http_lago_webhook_store_fail(r,
                                     NGX_HTTP_LAGO_WEBHOOK_STORE_UNAVAILABLE);
        return;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "lago_webhook: unexpected reply from the store to %s",
                  call->what);

    ngx_http_lago_webhook_store_fail(r, NGX_HTTP_LAGO_WEBHOOK_STORE_BROKEN);
}


/* HMGET organization_id expires_at permissions */

static ngx_int_t
ngx_http_lago_webhook_store_read_key(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply)
{
    ngx_int_t                           expires_at;
    redisReply                         *org, *expires, *perms;
    ngx_http_lago_webhook_store_key_t   key;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
        return NGX_ERROR;
    }

    org = reply->element[0];
    expires = reply->element[1];
    perms = reply->element[2];

    ngx_memzero(&key, sizeof(ngx_http_lago_webhook_store_key_t));

    if (org->type != REDIS_REPLY_STRING) {
        call->key_handler(r, &key);
        return NGX_OK;
    }

    if (org->len != LAGO_WEBHOOK_UUID_LEN) {
        return NGX_ERROR;
    }

    key.found = 1;
    ngx_memcpy(key.organization_id, org->str, LAGO_WEBHOOK_UUID_LEN);

    if (expires->type == REDIS_REPLY_STRING) {
        expires_at = ngx_atoi((u_char *) expires->str, expires->len);

        if (expires_at == NGX_ERROR) {
            return NGX_ERROR;
        }

        key.expires = 1;
        key.expires_at = (time_t) expires_at;
    }

    if (perms->type == REDIS_REPLY_STRING) {
        key.has_permissions = 1;
        key.permissions.data = (u_char *) perms->str;
        key.permissions.len = perms->len;
    }

    call->key_handler(r, &key);

    return NGX_OK;
}


/* HGET of one record */

static ngx_int_t
ngx_http_lago_webhook_store_read_record(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply)
{
    ngx_http_lago_webhook_record_t  rec;

    if (reply->type == REDIS_REPLY_NIL) {
        call->record_handler(r, NULL);
        return NGX_OK;
    }

    if (reply->type != REDIS_REPLY_STRING
        || ngx_http_lago_webhook_store_unpack((u_char *) reply->str,
                                              reply->len, &call->org, &rec)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    call->record_handler(r, &rec);

    return NGX_OK;
}


/*
 * A ZRANGE page.  Each member is the URL (its sort key), NUL, the record.
 * A page that is not full tells the total: the records before it and
 * its own.  A full page, or an empty one past the first, asks ZCARD; its
 * records are copied first, since this reply dies before that answer.
 */

static ngx_int_t
ngx_http_lago_webhook_store_read_page(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply)
{
    u_char      *rec, *copy;
    size_t       len;
    ngx_int_t    rc;
    ngx_uint_t   i, n, need_count;
    redisReply  *e;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements > call->count) {
        return NGX_ERROR;
    }

    n = reply->elements;
    need_count = (n == call->count || (n == 0 && call->offset > 0));

    call->page.records = ngx_palloc(r->pool,
                            (n + 1) * sizeof(ngx_http_lago_webhook_record_t));
    if (call->page.records == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        /* memchr() reads a word at a time where ngx_strlchr() reads a byte */

        rec = memchr(e->str, '\0', e->len);
        if (rec == NULL) {
            return NGX_ERROR;
        }

        rec++;
        len = (u_char *) e->str + e->len - rec;

        if (need_count) {
            copy = ngx_pnalloc(r->pool, len);
            if (copy == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(copy, rec, len);
            rec = copy;
        }

        if (ngx_http_lago_webhook_store_unpack(rec, len, &call->org,
                                               &call->page.records[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    call->page.nrecords = n;

    if (!need_count) {
        call->page.total = call->offset + n;
        call->page_handler(r, &call->page);
        return NGX_OK;
    }

    call->what = "a count";
    call->read = ngx_http_lago_webhook_store_read_count;
    call->cmd.argc = 2;
    call->cmd.argv[0] = "ZCARD";
    call->cmd.argvlen[0] = sizeof("ZCARD") - 1;

    rc = ngx_http_lago_webhook_store_send(r, call);

    return (rc == NGX_OK || rc == NGX_DECLINED) ? rc : NGX_ERROR;
}


static ngx_int_t
ngx_http_lago_webhook_store_read_count(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply)
{
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer < 0) {
        return NGX_ERROR;
    }

    call->page.total = (ngx_uint_t) reply->integer;
    call->page_handler(r, &call->page);

    return NGX_OK;
}


/*
 * A script's answer: {written, not_found, duplicate_url, maximum_reached
 * [, the record as stored]}.  A NOSCRIPT (Redis restarted or its script
 * cache flushed) sends the script itself, once.
 */

static ngx_int_t
ngx_http_lago_webhook_store_read_write(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_call_t *call, redisReply *reply)
{
    u_char                               *data;
    ngx_uint_t                            i;
    redisReply                           *rec;
    ngx_http_lago_webhook_script_t       *script;
    ngx_http_lago_webhook_store_write_t   res;

    if (reply->type == REDIS_REPLY_ERROR
        && reply->len >= 8
        && ngx_strncmp(reply->str, "NOSCRIPT", 8) == 0
        && !call->retried)
    {
        call->retried = 1;

        ngx_http_lago_webhook_metrics_script_reload();

        script = &ngx_http_lago_webhook_scripts[call->script];

        call->cmd.argv[0] = "EVAL";
        call->cmd.argvlen[0] = sizeof("EVAL") - 1;
        call->cmd.argv[1] = (const char *) script->text.data;
        call->cmd.argvlen[1] = script->text.len;

        /* the WAIT sent after EVALSHA answers for nothing now */

        if (call->wait) {
            call->stale++;
        }

        return (ngx_http_lago_webhook_store_send_write(r, call) == NGX_OK)
               ? NGX_OK : NGX_DECLINED;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 4) {
        return NGX_ERROR;
    }

    for (i = 0; i < 4; i++) {
        if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
            return NGX_ERROR;
        }
    }

    ngx_memzero(&res, sizeof(ngx_http_lago_webhook_store_write_t));

    res.written = reply->element[0]->integer ? 1 : 0;
    res.not_found = reply->element[1]->integer ? 1 : 0;
    res.duplicate_url = reply->element[2]->integer ? 1 : 0;
    res.maximum_reached = reply->element[3]->integer ? 1 : 0;

    /* update and delete answer with the record as stored */

    if (res.written && call->script != NGX_HTTP_LAGO_WEBHOOK_SCRIPT_CREATE) {
        rec = reply->elements > 4 ? reply->element[4] : NULL;

        if (rec == NULL || rec->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        data = (u_char *) rec->str;

        /* held for WAIT, the record must outlive this reply */

        if (call->wait) {
            data = ngx_pnalloc(r->pool, rec->len + 1);
            if (data == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(data, rec->str, rec->len);
            data[rec->len] = '\0';
        }

        if (ngx_http_lago_webhook_store_unpack(data, rec->len, &call->org,
                                               &res.record)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /*
     * Only a write needs its replicas: a 404 or a 422 is answered at
     * once, and the WAIT's reply is then ignored.
     */

    if (call->wait && res.written) {
        call->res = res;
        call->held = 1;
        call->sent = ngx_http_lago_webhook_metrics_now();
        ngx_http_lago_webhook_metrics_redis_waiting(r, call->sent);
        return NGX_OK;
    }

    call->answered = 1;

    call->write_handler(r, &res);

    return NGX_OK;
}


/*
 * Reads a stored record in place (lago_webhook_record_unpack()): the
 * fields point into data, which must outlive the record's use.
 */

static ngx_int_t
ngx_http_lago_webhook_store_unpack(u_char *data, size_t len, ngx_str_t *org,
    ngx_http_lago_webhook_record_t *rec)
{
    lago_webhook_record_t  stored;

    if (lago_webhook_record_unpack(&stored, data, len) != 0) {
        return NGX_ERROR;
    }

    rec->id.data = (u_char *) stored.id.data;
    rec->id.len = stored.id.len;
    rec->organization_id = *org;
    rec->url.data = (u_char *) stored.url.data;
    rec->url.len = stored.url.len;
    rec->signature_algo.data = (u_char *) stored.signature_algo.data;
    rec->signature_algo.len = stored.signature_algo.len;

    rec->name_null = stored.name_null ? 1 : 0;
    rec->name.data = (u_char *) stored.name.data;
    rec->name.len = stored.name.len;

    rec->event_types_null = stored.event_types_null ? 1 : 0;
    rec->event_types.data = (u_char *) stored.event_types.data;
    rec->event_types.len = stored.event_types.len;

    rec->created_at = (time_t) stored.created_at;

    return NGX_OK;
}


static ngx_int_t
ngx_http_lago_webhook_store_org_keys(ngx_http_request_t *r, ngx_str_t *org,
    ngx_str_t *keys)
{
    u_char                             *p;
    size_t                              base;
    ngx_uint_t                          i;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    static ngx_str_t  suffix[NGX_HTTP_LAGO_WEBHOOK_ORG_KEYS] = {
        ngx_string(":webhook_endpoints"),
        ngx_string(":webhook_endpoint_urls"),
        ngx_string(":webhook_endpoint_order")
    };

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    base = lmcf->redis.prefix.len + org->len + 2;

    for (i = 0; i < NGX_HTTP_LAGO_WEBHOOK_ORG_KEYS; i++) {
        p = ngx_pnalloc(r->pool, base + suffix[i].len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        keys[i].data = p;
        p = ngx_cpymem(p, lmcf->redis.prefix.data, lmcf->redis.prefix.len);
        *p++ = '{';
        p = ngx_cpymem(p, org->data, org->len);
        *p++ = '}';
        p = ngx_cpymem(p, suffix[i].data, suffix[i].len);
        keys[i].len = p - keys[i].data;
    }

    return NGX_OK;
}


/* name and event_types as stored: 'N' for null, or 'S' and the value */

static ngx_int_t
ngx_http_lago_webhook_store_pack(ngx_pool_t *pool, ngx_str_t *out,
    ngx_str_t *value, unsigned is_null)
{
    u_char  *p;

    p = ngx_pnalloc(pool, lago_webhook_record_nullable_len(value->len,
                                                           is_null));
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    p = lago_webhook_record_nullable(p, value->data, value->len, is_null);
    out->len = p - out->data;

    return NGX_OK;
}


static void
ngx_http_lago_webhook_store_lib_str(lago_webhook_record_str_t *dst,
    ngx_str_t *src)
{
    dst->data = src->data;
    dst->len = src->len;
}
