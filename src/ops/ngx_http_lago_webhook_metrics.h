
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The numbers of all workers, in a shared memory zone: counted by the
 * hooks below and the log phase, written in Prometheus's text format for
 * lago_webhook_metrics.
 *
 * Every number is an atomic word of the zone: no lock is ever taken, so
 * a worker that dies at any point leaves nothing half done.  What each
 * worker holds for itself (its connection up or not, its commands in
 * flight, the start of its outage) lives in a slot of its own, the one
 * nginx gives the process (ngx_process_slot): a worker respawned after a
 * crash takes its dead predecessor's slot over, and a scrape skips the
 * slots of processes that are gone.
 *
 * It calls nothing of the module's: every other part calls it.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_METRICS_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"


/* configuration: the zone, for "lago_webhook_metrics" */
ngx_shm_zone_t *ngx_http_lago_webhook_metrics_zone(ngx_conf_t *cf);

/* postconfiguration: counts requests in the log phase if a zone is set */
ngx_int_t ngx_http_lago_webhook_metrics_init(ngx_conf_t *cf,
    ngx_shm_zone_t *zone);

/* a worker takes its slot over at start, and leaves it at exit */
void ngx_http_lago_webhook_metrics_init_process(ngx_cycle_t *cycle);
void ngx_http_lago_webhook_metrics_exit_process(ngx_cycle_t *cycle);

/* the whole exposition, in the request's pool; NGX_ERROR: none */
ngx_int_t ngx_http_lago_webhook_metrics_text(ngx_http_request_t *r,
    ngx_str_t *text);

/*
 * The action as the requests metric and $lago_webhook_action name it: an
 * index for action_name().
 */
ngx_uint_t ngx_http_lago_webhook_metrics_action(
    ngx_http_lago_webhook_action_e action);
ngx_str_t *ngx_http_lago_webhook_metrics_action_name(ngx_uint_t a);


/*
 * Hooks of the Redis connection layer.  Each is a no-op without a
 * metrics zone, costs a few atomic operations with one, and may be called
 * from any callback of the connection (they never call back into it).
 *
 * _redis_up():       the connection is usable: the handshake's PING (after
 *                    AUTH and SELECT) has answered.  Ends the worker's
 *                    outage, if any, and adds its length to
 *                    lago_webhook_redis_outage_seconds_total.
 * _redis_down():     the connection is not usable: call it at every
 *                    failure (a connect that fails or times out, a
 *                    handshake refused, the connection closed or dropped,
 *                    a command timed out), as often as they come: only the
 *                    first call after _redis_up() (or after the worker's
 *                    start) starts an outage and counts it in
 *                    lago_webhook_redis_outages_total.  Not at the
 *                    worker's exit: the slot is left then.
 * _redis_reconnect(): a new connection attempt after a failure or a drop
 *                    (the backoff timer fired), not the first connect of
 *                    the worker.
 * _redis_command_sent(): a request's command was queued on the
 *                    connection; its op will be delivered once.
 * _redis_command_done(): that op was delivered, with a reply or without
 *                    (drop, connection lost): exactly once for
 *                    each _redis_command_sent().  The handshake's own
 *                    commands are neither.
 */
void ngx_http_lago_webhook_metrics_redis_up(void);
void ngx_http_lago_webhook_metrics_redis_down(void);
void ngx_http_lago_webhook_metrics_redis_reconnect(void);
void ngx_http_lago_webhook_metrics_redis_command_sent(void);
void ngx_http_lago_webhook_metrics_redis_command_done(void);


/* the store's and the key lookup's hooks */

/* a monotonic clock in microseconds, for round trips */
uint64_t ngx_http_lago_webhook_metrics_now(void);

/* a store command, sent at "sent" (metrics_now()), now awaited */
void ngx_http_lago_webhook_metrics_redis_waiting(ngx_http_request_t *r,
    uint64_t sent);

/* its answer, or its failure, came: the round trip and the request's wait */
void ngx_http_lago_webhook_metrics_redis_answered(ngx_http_request_t *r,
    uint64_t sent);

void ngx_http_lago_webhook_metrics_key_cache(ngx_uint_t hit);

/* a script sent again with EVAL after Redis answered NOSCRIPT */
void ngx_http_lago_webhook_metrics_script_reload(void);

/* Redis Cluster: a command sent elsewhere, a slot map read */

typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_M_MOVED = 0,
    NGX_HTTP_LAGO_WEBHOOK_M_ASK,
    NGX_HTTP_LAGO_WEBHOOK_M_TRYAGAIN,
    NGX_HTTP_LAGO_WEBHOOK_M_REDIRECTS
} ngx_http_lago_webhook_metrics_redirect_e;

void ngx_http_lago_webhook_metrics_redis_redirect(
    ngx_http_lago_webhook_metrics_redirect_e kind);
void ngx_http_lago_webhook_metrics_redis_slot_map(void);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_METRICS_H_INCLUDED_ */
