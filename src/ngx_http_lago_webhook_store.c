
/*
 * The Redis layout (every key under the configured prefix <p>):
 *
 *   <p>apikey:<sha256 hex of the key>        hash: organization_id,
 *                                             created_at, [expires_at],
 *                                             [permissions]
 *   <p>{<org>}:webhook_endpoints             hash: lago_id -> record
 *   <p>{<org>}:webhook_endpoint_urls         hash: webhook_url -> lago_id
 *   <p>{<org>}:webhook_endpoint_order        zset, score 0: webhook_url
 *                                             NUL record, so ZRANGE is in
 *                                             byte order of the URL (NUL
 *                                             sorts first) and a list page
 *                                             is one ZRANGE
 *
 * A record is its fields joined by NUL bytes, which no field can hold
 * (jansson refuses "\u0000" and URLs are ASCII):
 *
 *   lago_id NUL webhook_url NUL signature_algo NUL name NUL event_types
 *   NUL created_at
 *
 * name and event_types start with 'N' for null or 'S' followed by the
 * value; event_types are the names joined by ','.
 *
 * An organization's keys share the hash tag {<org>}, so each script only
 * touches keys of one cluster slot, all of them declared in KEYS.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/sha.h>

#include "ngx_http_lago_webhook_store.h"
#include "ngx_http_lago_webhook_body.h"


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


/* a script call, kept so that it can be sent again after NOSCRIPT */

typedef struct {
    const char                              **argv;
    size_t                                   *argvlen;
    int                                       argc;
    ngx_http_lago_webhook_redis_handler_pt    handler;
    unsigned                                  retried:1;
} ngx_http_lago_webhook_store_call_t;


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
 * nothing else is wrong, HSETNX checks the url and claims it in one step:
 * a lookup fewer than HEXISTS then HSET, on Redis's busiest path (4% more
 * creates a second in redis-benchmark).
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


static ngx_int_t ngx_http_lago_webhook_store_eval(ngx_http_request_t *r,
    ngx_http_lago_webhook_script_e script, ngx_str_t *args, int nargs,
    ngx_http_lago_webhook_redis_handler_pt handler);
static void ngx_http_lago_webhook_store_eval_reply(ngx_http_request_t *r,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_store_org_keys(ngx_http_request_t *r,
    ngx_str_t *keys);
static ngx_int_t ngx_http_lago_webhook_store_pack(ngx_http_request_t *r,
    ngx_str_t *out, ngx_str_t *value, unsigned is_null);


ngx_int_t
ngx_http_lago_webhook_store_init(ngx_log_t *log)
{
    u_char      md[SHA_DIGEST_LENGTH];
    ngx_uint_t  i;

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
ngx_http_lago_webhook_store_authenticate(ngx_http_request_t *r,
    u_char *digest, ngx_http_lago_webhook_redis_handler_pt handler)
{
    u_char                             *p;
    size_t                              argvlen[5];
    const char                         *argv[5];
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    p = ngx_pnalloc(r->pool, lmcf->prefix.len + sizeof("apikey:") - 1
                             + SHA256_DIGEST_LENGTH * 2);
    if (p == NULL) {
        return NGX_ERROR;
    }

    argv[1] = (const char *) p;
    p = ngx_cpymem(p, lmcf->prefix.data, lmcf->prefix.len);
    p = ngx_cpymem(p, "apikey:", sizeof("apikey:") - 1);
    p = ngx_hex_dump(p, digest, SHA256_DIGEST_LENGTH);
    argvlen[1] = p - (u_char *) argv[1];

    argv[0] = "HMGET";
    argvlen[0] = sizeof("HMGET") - 1;
    argv[2] = "organization_id";
    argvlen[2] = sizeof("organization_id") - 1;
    argv[3] = "expires_at";
    argvlen[3] = sizeof("expires_at") - 1;
    argv[4] = "permissions";
    argvlen[4] = sizeof("permissions") - 1;

    return ngx_http_lago_webhook_redis_command(r, handler, 5, argv, argvlen);
}


ngx_int_t
ngx_http_lago_webhook_store_create(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler)
{
    u_char                             *p;
    size_t                              len;
    ngx_str_t                           args[9], name, event_types;
    ngx_http_lago_webhook_ctx_t        *ctx;
    ngx_http_lago_webhook_input_t      *in;
    ngx_http_lago_webhook_record_t     *rec;
    ngx_http_lago_webhook_loc_conf_t   *llcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);
    in = &ctx->input;
    rec = &ctx->record;

    if (ngx_http_lago_webhook_store_org_keys(r, args) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_lago_webhook_store_pack(r, &name, &rec->name,
                                         rec->name_null)
        != NGX_OK
        || ngx_http_lago_webhook_store_pack(r, &event_types,
                                            &rec->event_types,
                                            rec->event_types_null)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    len = rec->id.len + rec->url.len + rec->signature_algo.len + name.len
          + event_types.len + NGX_TIME_T_LEN + 5;

    p = ngx_pnalloc(r->pool, len + NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    args[3].data = p;
    p = ngx_sprintf(p, "%ui", llcf->max_endpoints);
    args[3].len = p - args[3].data;

    args[4].data = (u_char *) (ngx_http_lago_webhook_input_has_errors(in)
                               ? "1" : "0");
    args[4].len = 1;

    args[5].data = (u_char *) (in->url_present && !in->url_mandatory
                               ? "1" : "0");
    args[5].len = 1;

    args[6] = rec->url;
    args[7] = rec->id;

    args[8].data = p;
    p = ngx_cpymem(p, rec->id.data, rec->id.len);
    *p++ = '\0';
    p = ngx_cpymem(p, rec->url.data, rec->url.len);
    *p++ = '\0';
    p = ngx_cpymem(p, rec->signature_algo.data, rec->signature_algo.len);
    *p++ = '\0';
    p = ngx_cpymem(p, name.data, name.len);
    *p++ = '\0';
    p = ngx_cpymem(p, event_types.data, event_types.len);
    *p++ = '\0';
    p = ngx_sprintf(p, "%T", rec->created_at);
    args[8].len = p - args[8].data;

    return ngx_http_lago_webhook_store_eval(r,
                                       NGX_HTTP_LAGO_WEBHOOK_SCRIPT_CREATE,
                                       args, 9, handler);
}


ngx_int_t
ngx_http_lago_webhook_store_update(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler)
{
    ngx_str_t                       args[13];
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_input_t  *in;

    static ngx_str_t  yes = ngx_string("1");
    static ngx_str_t  no = ngx_string("0");

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    in = &ctx->input;

    if (ngx_http_lago_webhook_store_org_keys(r, args) != NGX_OK) {
        return NGX_ERROR;
    }

    args[3] = ctx->id;
    args[4] = ngx_http_lago_webhook_input_has_errors(in) ? yes : no;

    args[5] = in->url_present ? yes : no;
    args[6] = in->url;
    args[7] = in->signature_algo_present ? yes : no;
    args[8] = in->signature_algo;
    args[9] = in->name_present ? yes : no;
    args[11] = in->event_types_present ? yes : no;

    if (ngx_http_lago_webhook_store_pack(r, &args[10], &in->name,
                                         in->name_null)
        != NGX_OK
        || ngx_http_lago_webhook_store_pack(r, &args[12], &in->event_types,
                                            in->event_types_null)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_lago_webhook_store_eval(r,
                                       NGX_HTTP_LAGO_WEBHOOK_SCRIPT_UPDATE,
                                       args, 13, handler);
}


ngx_int_t
ngx_http_lago_webhook_store_delete(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler)
{
    ngx_str_t                     args[4];
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ngx_http_lago_webhook_store_org_keys(r, args) != NGX_OK) {
        return NGX_ERROR;
    }

    args[3] = ctx->id;

    return ngx_http_lago_webhook_store_eval(r,
                                       NGX_HTTP_LAGO_WEBHOOK_SCRIPT_DELETE,
                                       args, 4, handler);
}


/*
 * A page is one plain ZRANGE by rank (a script would cost Redis almost
 * twice as much).  The count comes with it when the page is not full:
 * with Lago's 100 a page and 10 endpoints an organization, that is every
 * page but those of organizations whose maximum was raised.  Otherwise
 * the caller asks for it with ngx_http_lago_webhook_store_count(); like
 * Lago's count and select, the two are then not one snapshot.
 */

ngx_int_t
ngx_http_lago_webhook_store_list(ngx_http_request_t *r, ngx_uint_t offset,
    ngx_uint_t count, ngx_http_lago_webhook_redis_handler_pt handler)
{
    u_char      *p;
    size_t       argvlen[4];
    ngx_str_t    keys[3];
    const char  *argv[4];

    if (ngx_http_lago_webhook_store_org_keys(r, keys) != NGX_OK) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, 2 * NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    argv[0] = "ZRANGE";
    argvlen[0] = sizeof("ZRANGE") - 1;
    argv[1] = (const char *) keys[2].data;
    argvlen[1] = keys[2].len;

    argv[2] = (const char *) p;
    p = ngx_http_lago_webhook_decimal(p, offset);
    argvlen[2] = p - (u_char *) argv[2];

    argv[3] = (const char *) p;
    p = ngx_http_lago_webhook_decimal(p, offset + count - 1);
    argvlen[3] = p - (u_char *) argv[3];

    return ngx_http_lago_webhook_redis_command(r, handler, 4, argv, argvlen);
}


ngx_int_t
ngx_http_lago_webhook_store_count(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler)
{
    size_t       argvlen[2];
    ngx_str_t    keys[3];
    const char  *argv[2];

    if (ngx_http_lago_webhook_store_org_keys(r, keys) != NGX_OK) {
        return NGX_ERROR;
    }

    argv[0] = "ZCARD";
    argvlen[0] = sizeof("ZCARD") - 1;
    argv[1] = (const char *) keys[2].data;
    argvlen[1] = keys[2].len;

    return ngx_http_lago_webhook_redis_command(r, handler, 2, argv, argvlen);
}


ngx_int_t
ngx_http_lago_webhook_store_show(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler)
{
    size_t                        argvlen[3];
    ngx_str_t                     keys[3];
    const char                   *argv[3];
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ngx_http_lago_webhook_store_org_keys(r, keys) != NGX_OK) {
        return NGX_ERROR;
    }

    argv[0] = "HGET";
    argvlen[0] = sizeof("HGET") - 1;
    argv[1] = (const char *) keys[0].data;
    argvlen[1] = keys[0].len;
    argv[2] = (const char *) ctx->id.data;
    argvlen[2] = ctx->id.len;

    return ngx_http_lago_webhook_redis_command(r, handler, 3, argv, argvlen);
}


ngx_int_t
ngx_http_lago_webhook_store_result(redisReply *reply,
    ngx_http_lago_webhook_store_result_t *res)
{
    ngx_uint_t  i;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 4) {
        return NGX_ERROR;
    }

    for (i = 0; i < 4; i++) {
        if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
            return NGX_ERROR;
        }
    }

    res->written = reply->element[0]->integer ? 1 : 0;
    res->not_found = reply->element[1]->integer ? 1 : 0;
    res->duplicate_url = reply->element[2]->integer ? 1 : 0;
    res->maximum_reached = reply->element[3]->integer ? 1 : 0;

    if (res->written
        && (reply->elements > 4
            && reply->element[4]->type != REDIS_REPLY_STRING))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_store_unpack(ngx_http_request_t *r, u_char *data,
    size_t len, ngx_http_lago_webhook_record_t *rec)
{
    u_char                       *p, *last, *field[6];
    size_t                        flen[6];
    ngx_int_t                     created_at;
    ngx_uint_t                    i;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    /*
     * The fields point into the reply, which dies with its callback: the
     * callers write their response before returning from it.
     */

    p = data;
    last = p + len;

    for (i = 0; i < 6; i++) {
        field[i] = p;

        /* a list page is ten records: memchr() reads a word at a time */

        p = memchr(p, '\0', last - p);
        if (p == NULL) {
            p = last;
        }

        flen[i] = p - field[i];

        if (i < 5) {
            if (p == last) {
                return NGX_ERROR;
            }

            p++;
        }
    }

    if (flen[3] == 0 || flen[4] == 0) {
        return NGX_ERROR;
    }

    /* up to 9999-12-31T23:59:59Z: the writers budget four year digits */

    created_at = ngx_atoi(field[5], flen[5]);
    if (created_at == NGX_ERROR || created_at > 253402300799) {
        return NGX_ERROR;
    }

    rec->id.data = field[0];
    rec->id.len = flen[0];
    rec->organization_id = ctx->organization_id;
    rec->url.data = field[1];
    rec->url.len = flen[1];
    rec->signature_algo.data = field[2];
    rec->signature_algo.len = flen[2];

    rec->name_null = (field[3][0] == 'N');
    rec->name.data = field[3] + 1;
    rec->name.len = flen[3] - 1;

    rec->event_types_null = (field[4][0] == 'N');
    rec->event_types.data = field[4] + 1;
    rec->event_types.len = flen[4] - 1;

    rec->created_at = (time_t) created_at;

    return NGX_OK;
}


/* the three keys of the caller's organization, in the scripts' order */

static ngx_int_t
ngx_http_lago_webhook_store_org_keys(ngx_http_request_t *r, ngx_str_t *keys)
{
    u_char                             *p;
    size_t                              base;
    ngx_uint_t                          i;
    ngx_http_lago_webhook_ctx_t        *ctx;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    static ngx_str_t  suffix[3] = {
        ngx_string(":webhook_endpoints"),
        ngx_string(":webhook_endpoint_urls"),
        ngx_string(":webhook_endpoint_order")
    };

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    base = lmcf->prefix.len + ctx->organization_id.len + 2;

    for (i = 0; i < 3; i++) {
        p = ngx_pnalloc(r->pool, base + suffix[i].len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        keys[i].data = p;
        p = ngx_cpymem(p, lmcf->prefix.data, lmcf->prefix.len);
        *p++ = '{';
        p = ngx_cpymem(p, ctx->organization_id.data,
                       ctx->organization_id.len);
        *p++ = '}';
        p = ngx_cpymem(p, suffix[i].data, suffix[i].len);
        keys[i].len = p - keys[i].data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_lago_webhook_store_pack(ngx_http_request_t *r, ngx_str_t *out,
    ngx_str_t *value, unsigned is_null)
{
    u_char  *p;

    if (is_null) {
        ngx_str_set(out, "N");
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, value->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    *p++ = 'S';
    p = ngx_cpymem(p, value->data, value->len);
    out->len = p - out->data;

    return NGX_OK;
}


/*
 * EVALSHA first: the script text goes over the wire only after a Redis
 * restart or SCRIPT FLUSH answered NOSCRIPT, and then EVAL caches it again.
 * args: the three keys, then the script's ARGV.
 */

static ngx_int_t
ngx_http_lago_webhook_store_eval(ngx_http_request_t *r,
    ngx_http_lago_webhook_script_e script, ngx_str_t *args, int nargs,
    ngx_http_lago_webhook_redis_handler_pt handler)
{
    int                                  i;
    ngx_http_lago_webhook_ctx_t         *ctx;
    ngx_http_lago_webhook_store_call_t  *call;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    call = ngx_pcalloc(r->pool, sizeof(ngx_http_lago_webhook_store_call_t));
    if (call == NULL) {
        return NGX_ERROR;
    }

    call->argc = nargs + 3;
    call->argv = ngx_palloc(r->pool, call->argc * sizeof(char *));
    call->argvlen = ngx_palloc(r->pool, call->argc * sizeof(size_t));

    if (call->argv == NULL || call->argvlen == NULL) {
        return NGX_ERROR;
    }

    call->argv[0] = "EVALSHA";
    call->argvlen[0] = sizeof("EVALSHA") - 1;
    call->argv[1] = (const char *) ngx_http_lago_webhook_scripts[script].sha1;
    call->argvlen[1] = SHA_DIGEST_LENGTH * 2;
    call->argv[2] = "3";
    call->argvlen[2] = 1;

    for (i = 0; i < nargs; i++) {
        call->argv[i + 3] = (const char *) args[i].data;
        call->argvlen[i + 3] = args[i].len;
    }

    call->handler = handler;
    ctx->store_call = call;
    ctx->script = script;

    return ngx_http_lago_webhook_redis_command(r,
                                       ngx_http_lago_webhook_store_eval_reply,
                                       call->argc, call->argv, call->argvlen);
}


static void
ngx_http_lago_webhook_store_eval_reply(ngx_http_request_t *r,
    redisReply *reply)
{
    ngx_int_t                            rc;
    ngx_http_lago_webhook_ctx_t         *ctx;
    ngx_http_lago_webhook_store_call_t  *call;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    call = ctx->store_call;

    if (reply != NULL
        && reply->type == REDIS_REPLY_ERROR
        && reply->len >= 8
        && ngx_strncmp(reply->str, "NOSCRIPT", 8) == 0
        && !call->retried)
    {
        call->retried = 1;
        call->argv[0] = "EVAL";
        call->argvlen[0] = sizeof("EVAL") - 1;
        call->argv[1] = (const char *)
                        ngx_http_lago_webhook_scripts[ctx->script].text.data;
        call->argvlen[1] = ngx_http_lago_webhook_scripts[ctx->script].text.len;

        rc = ngx_http_lago_webhook_redis_command(r, call->handler, call->argc,
                                                 call->argv, call->argvlen);
        if (rc == NGX_OK) {
            return;
        }

        reply = NULL;
    }

    call->handler(r, reply);
}
