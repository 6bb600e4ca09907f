
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The metrics zone and its counters: see the header.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"


/* the actions of the requests metric: json_public_key is public_key */
#define NGX_HTTP_LAGO_WEBHOOK_M_NONE      6
#define NGX_HTTP_LAGO_WEBHOOK_M_ACTIONS   7

/* the statuses the module gives, and "other" last */
#define NGX_HTTP_LAGO_WEBHOOK_M_STATUSES  12

/* the finite buckets of both histograms, and +Inf */
#define NGX_HTTP_LAGO_WEBHOOK_M_BUCKETS   12


typedef struct {
    ngx_atomic_t                 bucket[NGX_HTTP_LAGO_WEBHOOK_M_BUCKETS + 1];
    ngx_atomic_t                 sum;          /* microseconds */
} ngx_http_lago_webhook_histogram_t;


/* what one process holds for itself: written by it alone */

typedef struct {
    ngx_atomic_t                 pid;
    ngx_atomic_t                 redis_up;
    ngx_atomic_t                 in_flight;
    ngx_atomic_t                 outage_start; /* microseconds, 0: none */
} ngx_http_lago_webhook_metrics_slot_t;


typedef struct {
    ngx_atomic_t                 requests[NGX_HTTP_LAGO_WEBHOOK_M_ACTIONS]
                                         [NGX_HTTP_LAGO_WEBHOOK_M_STATUSES];
    ngx_http_lago_webhook_histogram_t  request_time;
    ngx_http_lago_webhook_histogram_t  redis_time;
    ngx_atomic_t                 reconnects;
    ngx_atomic_t                 outages;
    ngx_atomic_t                 outage_time;  /* microseconds, ended ones */
    ngx_atomic_t                 key_cache_hits;
    ngx_atomic_t                 key_cache_misses;
    ngx_atomic_t                 script_reloads;
    ngx_atomic_t                 redirects[NGX_HTTP_LAGO_WEBHOOK_M_REDIRECTS];
    ngx_atomic_t                 slot_map_reads;
    ngx_http_lago_webhook_metrics_slot_t  slot[NGX_MAX_PROCESSES];
} ngx_http_lago_webhook_metrics_t;


static ngx_int_t ngx_http_lago_webhook_metrics_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static ngx_http_lago_webhook_metrics_t *ngx_http_lago_webhook_metrics_get(
    ngx_cycle_t *cycle);
static ngx_http_lago_webhook_metrics_slot_t *
    ngx_http_lago_webhook_metrics_slot(ngx_http_lago_webhook_metrics_t *m);
static ngx_http_lago_webhook_metrics_slot_t *ngx_http_lago_webhook_metrics_own(
    ngx_http_lago_webhook_metrics_t **m);
static void ngx_http_lago_webhook_metrics_end_outage(
    ngx_http_lago_webhook_metrics_t *m,
    ngx_http_lago_webhook_metrics_slot_t *s);
static void ngx_http_lago_webhook_metrics_count(size_t offset);
static void ngx_http_lago_webhook_metrics_observe(
    ngx_http_lago_webhook_histogram_t *h, uint64_t usec);
static ngx_int_t ngx_http_lago_webhook_metrics_log(ngx_http_request_t *r);
static u_char *ngx_http_lago_webhook_metrics_histogram(u_char *p,
    u_char *last, char *name, char *help,
    ngx_http_lago_webhook_histogram_t *h);
static u_char *ngx_http_lago_webhook_metrics_scalar(u_char *p, u_char *last,
    char *name, char *type, char *help, ngx_atomic_uint_t value);



static ngx_str_t  ngx_http_lago_webhook_metrics_zone_name =
    ngx_string("lago_webhook_metrics");


/* indexed like the requests counters */

static ngx_str_t  ngx_http_lago_webhook_metrics_actions[] = {
    ngx_string("create"),
    ngx_string("list"),
    ngx_string("show"),
    ngx_string("update"),
    ngx_string("delete"),
    ngx_string("public_key"),
    ngx_string("none")
};

static ngx_uint_t  ngx_http_lago_webhook_metrics_statuses[] = {
    200, 400, 401, 403, 404, 408, 413, 422, 499, 500, 503
};


/* the upper bounds of the buckets, in microseconds and as the label */

static uint64_t  ngx_http_lago_webhook_metrics_bounds[] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000
};

static char  *ngx_http_lago_webhook_metrics_le[] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25", "0.5", "1", "2.5", "+Inf"
};


/*
 * One zone, whatever the number of lago_webhook_metrics locations: each
 * asks nginx for the same name, which gives the same zone.
 */

ngx_shm_zone_t *
ngx_http_lago_webhook_metrics_zone(ngx_conf_t *cf)
{
    size_t           size;
    ngx_shm_zone_t  *zone;

    /* the slab allocator's own pages, and the counters in whole pages */

    size = 8 * ngx_pagesize
           + ngx_align(sizeof(ngx_http_lago_webhook_metrics_t), ngx_pagesize);

    zone = ngx_shared_memory_add(cf, &ngx_http_lago_webhook_metrics_zone_name,
                                 size, &ngx_http_lago_webhook_module);
    if (zone == NULL) {
        return NULL;
    }

    zone->init = ngx_http_lago_webhook_metrics_init_zone;

    return zone;
}


/*
 * A reload finds a zone of the same name and size (nginx checks both)
 * and passes the old zone's data: the counters go on from where they
 * were, in the same memory the running workers write to.
 */

static ngx_int_t
ngx_http_lago_webhook_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t                  *shpool;
    ngx_http_lago_webhook_metrics_t  *m;

    if (data) {
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    m = ngx_slab_calloc(shpool, sizeof(ngx_http_lago_webhook_metrics_t));
    if (m == NULL) {
        return NGX_ERROR;
    }

    shpool->data = m;
    shm_zone->data = m;

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_metrics_init(ngx_conf_t *cf, ngx_shm_zone_t *zone)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    if (zone == NULL) {
        return NGX_OK;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_lago_webhook_metrics_log;

    return NGX_OK;
}


/*
 * The zone of the cycle in force: a reload in a single process replaces
 * the cycle, and with it the zone when the new one has none.
 */

static ngx_http_lago_webhook_metrics_t *
ngx_http_lago_webhook_metrics_get(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    if (cycle->conf_ctx == NULL) {
        return NULL;
    }

    lmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_lago_webhook_module);

    if (lmcf == NULL || lmcf->metrics_zone == NULL) {
        return NULL;
    }

    return lmcf->metrics_zone->data;
}


/*
 * This process's slot, taken over from whoever held it last: a worker
 * respawned after a crash gets its predecessor's slot, whose outage (if
 * any) ends here.
 */

static ngx_http_lago_webhook_metrics_slot_t *
ngx_http_lago_webhook_metrics_slot(ngx_http_lago_webhook_metrics_t *m)
{
    ngx_http_lago_webhook_metrics_slot_t  *s;

    if (m == NULL || ngx_process_slot < 0
        || ngx_process_slot >= NGX_MAX_PROCESSES)
    {
        return NULL;
    }

    s = &m->slot[ngx_process_slot];

    if (s->pid != (ngx_atomic_uint_t) ngx_pid) {
        ngx_http_lago_webhook_metrics_end_outage(m, s);
        s->redis_up = 0;
        s->in_flight = 0;
        s->pid = (ngx_atomic_uint_t) ngx_pid;
    }

    return s;
}


static void
ngx_http_lago_webhook_metrics_end_outage(ngx_http_lago_webhook_metrics_t *m,
    ngx_http_lago_webhook_metrics_slot_t *s)
{
    uint64_t  start, now;

    start = s->outage_start;

    if (start == 0) {
        return;
    }

    now = ngx_http_lago_webhook_metrics_now();
    s->outage_start = 0;

    if (now > start) {
        (void) ngx_atomic_fetch_add(&m->outage_time,
                                    (ngx_atomic_int_t) (now - start));
    }
}


/* this process's slot in the zone of the cycle in force, and the zone */

static ngx_http_lago_webhook_metrics_slot_t *
ngx_http_lago_webhook_metrics_own(ngx_http_lago_webhook_metrics_t **m)
{
    *m = ngx_http_lago_webhook_metrics_get((ngx_cycle_t *) ngx_cycle);

    return ngx_http_lago_webhook_metrics_slot(*m);
}


void
ngx_http_lago_webhook_metrics_init_process(ngx_cycle_t *cycle)
{
    (void) ngx_http_lago_webhook_metrics_slot(
                                    ngx_http_lago_webhook_metrics_get(cycle));
}


void
ngx_http_lago_webhook_metrics_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_metrics_t       *m;
    ngx_http_lago_webhook_metrics_slot_t  *s;

    m = ngx_http_lago_webhook_metrics_get(cycle);

    s = ngx_http_lago_webhook_metrics_slot(m);
    if (s == NULL) {
        return;
    }

    ngx_http_lago_webhook_metrics_end_outage(m, s);
    s->redis_up = 0;
    s->in_flight = 0;
}


uint64_t
ngx_http_lago_webhook_metrics_now(void)
{
#if (NGX_HAVE_CLOCK_MONOTONIC)
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
#else
    struct timeval  tv;

    ngx_gettimeofday(&tv);

    return (uint64_t) tv.tv_sec * 1000000 + tv.tv_usec;
#endif
}


void
ngx_http_lago_webhook_metrics_redis_up(void)
{
    ngx_http_lago_webhook_metrics_t       *m;
    ngx_http_lago_webhook_metrics_slot_t  *s;

    s = ngx_http_lago_webhook_metrics_own(&m);
    if (s == NULL) {
        return;
    }

    ngx_http_lago_webhook_metrics_end_outage(m, s);
    s->redis_up = 1;
}


void
ngx_http_lago_webhook_metrics_redis_down(void)
{
    ngx_http_lago_webhook_metrics_t       *m;
    ngx_http_lago_webhook_metrics_slot_t  *s;

    s = ngx_http_lago_webhook_metrics_own(&m);
    if (s == NULL) {
        return;
    }

    s->redis_up = 0;

    if (s->outage_start == 0) {
        s->outage_start = ngx_http_lago_webhook_metrics_now();
        (void) ngx_atomic_fetch_add(&m->outages, 1);
    }
}


void
ngx_http_lago_webhook_metrics_redis_reconnect(void)
{
    ngx_http_lago_webhook_metrics_count(
                      offsetof(ngx_http_lago_webhook_metrics_t, reconnects));
}


void
ngx_http_lago_webhook_metrics_redis_command_sent(void)
{
    ngx_http_lago_webhook_metrics_t       *m;
    ngx_http_lago_webhook_metrics_slot_t  *s;

    s = ngx_http_lago_webhook_metrics_own(&m);

    if (s) {
        (void) ngx_atomic_fetch_add(&s->in_flight, 1);
    }
}


void
ngx_http_lago_webhook_metrics_redis_command_done(void)
{
    ngx_http_lago_webhook_metrics_t       *m;
    ngx_http_lago_webhook_metrics_slot_t  *s;

    s = ngx_http_lago_webhook_metrics_own(&m);

    /* after the exit's reset, a late reply must not take it below zero */

    if (s && s->in_flight > 0) {
        (void) ngx_atomic_fetch_add(&s->in_flight, -1);
    }
}


void
ngx_http_lago_webhook_metrics_redis_waiting(ngx_http_request_t *r,
    uint64_t sent)
{
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx) {
        ctx->redis_sent = 1;
        ctx->redis_since = sent;
    }
}


void
ngx_http_lago_webhook_metrics_redis_answered(ngx_http_request_t *r,
    uint64_t sent)
{
    uint64_t                            now, usec;
    ngx_http_lago_webhook_ctx_t        *ctx;
    ngx_http_lago_webhook_metrics_t    *m;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    now = ngx_http_lago_webhook_metrics_now();
    usec = (now > sent) ? now - sent : 0;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx) {
        ctx->redis_time += usec;
        ctx->redis_since = 0;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);

    if (lmcf->metrics_zone == NULL) {
        return;
    }

    m = lmcf->metrics_zone->data;

    ngx_http_lago_webhook_metrics_observe(&m->redis_time, usec);
}


void
ngx_http_lago_webhook_metrics_key_cache(ngx_uint_t hit)
{
    ngx_http_lago_webhook_metrics_count(hit
                ? offsetof(ngx_http_lago_webhook_metrics_t, key_cache_hits)
                : offsetof(ngx_http_lago_webhook_metrics_t, key_cache_misses));
}


void
ngx_http_lago_webhook_metrics_script_reload(void)
{
    ngx_http_lago_webhook_metrics_count(
                  offsetof(ngx_http_lago_webhook_metrics_t, script_reloads));
}


void
ngx_http_lago_webhook_metrics_redis_redirect(
    ngx_http_lago_webhook_metrics_redirect_e kind)
{
    if (kind < NGX_HTTP_LAGO_WEBHOOK_M_REDIRECTS) {
        ngx_http_lago_webhook_metrics_count(
                        offsetof(ngx_http_lago_webhook_metrics_t, redirects)
                        + kind * sizeof(ngx_atomic_t));
    }
}


void
ngx_http_lago_webhook_metrics_redis_slot_map(void)
{
    ngx_http_lago_webhook_metrics_count(
                  offsetof(ngx_http_lago_webhook_metrics_t, slot_map_reads));
}


/* a hook's counter, at its offset in the zone of the cycle in force */

static void
ngx_http_lago_webhook_metrics_count(size_t offset)
{
    ngx_http_lago_webhook_metrics_t  *m;

    m = ngx_http_lago_webhook_metrics_get((ngx_cycle_t *) ngx_cycle);

    if (m) {
        (void) ngx_atomic_fetch_add((ngx_atomic_t *) ((u_char *) m + offset),
                                    1);
    }
}


/*
 * The action as the requests metric names it: json_public_key is
 * public_key, and an unknown route's action (-1, whatever the enum's
 * type) is none.
 */

ngx_uint_t
ngx_http_lago_webhook_metrics_action(ngx_http_lago_webhook_action_e action)
{
    ngx_uint_t  a;

    a = (ngx_uint_t) action;

    if (a > NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY) {
        return NGX_HTTP_LAGO_WEBHOOK_M_NONE;
    }

    if (a == NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY) {
        return NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY;
    }

    return a;
}


ngx_str_t *
ngx_http_lago_webhook_metrics_action_name(ngx_uint_t a)
{
    return &ngx_http_lago_webhook_metrics_actions[a];
}


/* the buckets are counted apart; a scrape adds them up */

static void
ngx_http_lago_webhook_metrics_observe(ngx_http_lago_webhook_histogram_t *h,
    uint64_t usec)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_LAGO_WEBHOOK_M_BUCKETS; i++) {
        if (usec <= ngx_http_lago_webhook_metrics_bounds[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&h->bucket[i], 1);
    (void) ngx_atomic_fetch_add(&h->sum, (ngx_atomic_int_t) usec);
}


/*
 * The log phase sees every request the module answered, whichever way
 * the answer went (an unknown route and a missing key are answered
 * before the request is held), with its final status.
 */

static ngx_int_t
ngx_http_lago_webhook_metrics_log(ngx_http_request_t *r)
{
    ngx_int_t                           ms;
    ngx_uint_t                          a, s, status;
    ngx_time_t                         *tp;
    ngx_http_lago_webhook_ctx_t        *ctx;
    ngx_http_lago_webhook_metrics_t    *m;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    if (ctx == NULL) {
        return NGX_OK;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);
    m = lmcf->metrics_zone->data;

    a = ngx_http_lago_webhook_metrics_action(ctx->action);

    /* as $status has it */

    status = r->err_status ? r->err_status : r->headers_out.status;

    for (s = 0; s < NGX_HTTP_LAGO_WEBHOOK_M_STATUSES - 1; s++) {
        if (ngx_http_lago_webhook_metrics_statuses[s] == status) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&m->requests[a][s], 1);

    /* as $request_time has it */

    tp = ngx_timeofday();

    ms = (ngx_int_t) ((tp->sec - r->start_sec) * 1000
                      + (tp->msec - r->start_msec));
    ms = ngx_max(ms, 0);

    ngx_http_lago_webhook_metrics_observe(&m->request_time,
                                          (uint64_t) ms * 1000);

    return NGX_OK;
}


/* the whole exposition: 84 request lines, 2 histograms, 9 more metrics */
#define NGX_HTTP_LAGO_WEBHOOK_METRICS_MAX  16384


ngx_int_t
ngx_http_lago_webhook_metrics_text(ngx_http_request_t *r, ngx_str_t *text)
{
    u_char                                *body, *p, *last;
    uint64_t                               now, outage;
    ngx_pid_t                              pid;
    ngx_uint_t                             a, i, up, in_flight;
    ngx_http_lago_webhook_metrics_t       *m;
    ngx_http_lago_webhook_metrics_slot_t  *s;
    ngx_http_lago_webhook_main_conf_t     *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_lago_webhook_module);
    m = lmcf->metrics_zone->data;

    body = ngx_pnalloc(r->pool, NGX_HTTP_LAGO_WEBHOOK_METRICS_MAX);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = body;
    last = body + NGX_HTTP_LAGO_WEBHOOK_METRICS_MAX;

    p = ngx_slprintf(p, last,
             "# HELP lago_webhook_requests_total Requests answered by the "
             "module, by action and final status.\n"
             "# TYPE lago_webhook_requests_total counter\n");

    for (a = 0; a < NGX_HTTP_LAGO_WEBHOOK_M_ACTIONS; a++) {
        for (i = 0; i < NGX_HTTP_LAGO_WEBHOOK_M_STATUSES; i++) {
            p = ngx_slprintf(p, last,
                             "lago_webhook_requests_total{action=\"%V\","
                             "status=\"",
                             &ngx_http_lago_webhook_metrics_actions[a]);

            if (i < NGX_HTTP_LAGO_WEBHOOK_M_STATUSES - 1) {
                p = ngx_slprintf(p, last, "%ui",
                                 ngx_http_lago_webhook_metrics_statuses[i]);

            } else {
                p = ngx_slprintf(p, last, "other");
            }

            p = ngx_slprintf(p, last, "\"} %uA\n", m->requests[a][i]);
        }
    }

    p = ngx_http_lago_webhook_metrics_histogram(p, last,
             "lago_webhook_request_duration_seconds",
             "Time from a request's first byte to its log phase.",
             &m->request_time);

    p = ngx_http_lago_webhook_metrics_histogram(p, last,
             "lago_webhook_redis_request_duration_seconds",
             "Time from sending a store command to Redis to its answer "
             "or failure.",
             &m->redis_time);

    /* a slot counts while its process lives; a crashed one's is skipped */

    now = ngx_http_lago_webhook_metrics_now();
    outage = m->outage_time;
    up = 0;
    in_flight = 0;

    for (i = 0; i < NGX_MAX_PROCESSES; i++) {
        s = &m->slot[i];
        pid = (ngx_pid_t) s->pid;

        if (pid == 0
            || (pid != ngx_pid && kill(pid, 0) == -1 && ngx_errno == NGX_ESRCH))
        {
            continue;
        }

        up += s->redis_up;
        in_flight += s->in_flight;

        if (s->outage_start && now > s->outage_start) {
            outage += now - s->outage_start;
        }
    }

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_redis_connections_up", "gauge",
             "Workers whose Redis connection is up.", up);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_redis_commands_in_flight", "gauge",
             "Commands sent to Redis and not answered yet.", in_flight);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_redis_reconnects_total", "counter",
             "Connection attempts to Redis after a failure.", m->reconnects);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_redis_outages_total", "counter",
             "Times a worker lost Redis (or could not reach it).",
             m->outages);

    p = ngx_slprintf(p, last,
             "# HELP lago_webhook_redis_outage_seconds_total Time workers "
             "spent without Redis, summed over workers.\n"
             "# TYPE lago_webhook_redis_outage_seconds_total counter\n"
             "lago_webhook_redis_outage_seconds_total %uL.%06uL\n",
             outage / 1000000, outage % 1000000);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_key_cache_hits_total", "counter",
             "API key lookups answered by a worker's key cache.",
             m->key_cache_hits);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_key_cache_misses_total", "counter",
             "API key lookups that went to Redis.", m->key_cache_misses);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_redis_script_reloads_total", "counter",
             "Lua scripts sent again after Redis answered NOSCRIPT.",
             m->script_reloads);

    p = ngx_slprintf(p, last,
             "# HELP lago_webhook_redis_redirects_total Commands a Redis "
             "Cluster node sent to another node.\n"
             "# TYPE lago_webhook_redis_redirects_total counter\n"
             "lago_webhook_redis_redirects_total{kind=\"moved\"} %uA\n"
             "lago_webhook_redis_redirects_total{kind=\"ask\"} %uA\n"
             "lago_webhook_redis_redirects_total{kind=\"tryagain\"} %uA\n",
             m->redirects[NGX_HTTP_LAGO_WEBHOOK_M_MOVED],
             m->redirects[NGX_HTTP_LAGO_WEBHOOK_M_ASK],
             m->redirects[NGX_HTTP_LAGO_WEBHOOK_M_TRYAGAIN]);

    p = ngx_http_lago_webhook_metrics_scalar(p, last,
             "lago_webhook_redis_slot_map_reads_total", "counter",
             "Redis Cluster slot maps read (CLUSTER SLOTS).",
             m->slot_map_reads);

    if (p == last) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "lago_webhook: metrics over %d bytes",
                      NGX_HTTP_LAGO_WEBHOOK_METRICS_MAX);
        return NGX_ERROR;
    }

    text->data = body;
    text->len = p - body;

    return NGX_OK;
}


/* the buckets cumulated, and _count from the same reads as +Inf */

static u_char *
ngx_http_lago_webhook_metrics_histogram(u_char *p, u_char *last, char *name,
    char *help, ngx_http_lago_webhook_histogram_t *h)
{
    uint64_t    sum;
    ngx_uint_t  i, n;

    p = ngx_slprintf(p, last, "# HELP %s %s\n# TYPE %s histogram\n",
                     name, help, name);

    n = 0;

    for (i = 0; i <= NGX_HTTP_LAGO_WEBHOOK_M_BUCKETS; i++) {
        n += h->bucket[i];
        p = ngx_slprintf(p, last, "%s_bucket{le=\"%s\"} %ui\n", name,
                         ngx_http_lago_webhook_metrics_le[i], n);
    }

    sum = h->sum;

    return ngx_slprintf(p, last, "%s_sum %uL.%06uL\n%s_count %ui\n",
                        name, sum / 1000000, sum % 1000000, name, n);
}


static u_char *
ngx_http_lago_webhook_metrics_scalar(u_char *p, u_char *last, char *name,
    char *type, char *help, ngx_atomic_uint_t value)
{
    return ngx_slprintf(p, last, "# HELP %s %s\n# TYPE %s %s\n%s %uA\n",
                        name, help, name, type, name, value);
}


