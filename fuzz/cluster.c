
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The Redis Cluster readers on every reply hiredis's reader builds from
 * arbitrary bytes.  A redirection names a slot and a port in range, an
 * address within the reply, and reads as the reply it came from; a range
 * of CLUSTER SLOTS is in order and in range, its master's port too, its
 * address within the reply; a map that reads once reads the same again.
 */


#include "fuzz.h"
#include "resp.h"

#include "lago_webhook_cluster.h"
#include "lago_webhook_slot.h"


static void fuzz_cluster_reply(redisReply *reply);
static void fuzz_cluster_redirect(redisReply *reply);
static void fuzz_cluster_ranges(redisReply *reply);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void) fuzz_resp_each(data, size, fuzz_cluster_reply);

    return 0;
}


static void
fuzz_cluster_reply(redisReply *reply)
{
    size_t  i;

    fuzz_cluster_redirect(reply);
    fuzz_cluster_ranges(reply);

    /* a range's shape one level down too: a map inside an array */

    if (reply->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < reply->elements; i++) {
            fuzz_cluster_redirect(reply->element[i]);
            fuzz_cluster_ranges(reply->element[i]);
        }
    }
}


static void
fuzz_cluster_redirect(redisReply *reply)
{
    int                              len;
    char                             text[64];
    unsigned int                     slot;
    const unsigned char             *str;
    lago_webhook_cluster_node_t      node;
    lago_webhook_cluster_redirect_e  kind;

    slot = 123456;
    memset(&node, 0, sizeof(node));

    kind = lago_webhook_cluster_redirect(reply, &slot, &node);

    str = (const unsigned char *) reply->str;

    switch (kind) {

    case LAGO_WEBHOOK_CLUSTER_ANSWER:
        FUZZ_CHECK(slot == 123456 && node.port == 0,
                   "an answer writes nothing");
        return;

    case LAGO_WEBHOOK_CLUSTER_TRYAGAIN:
        FUZZ_CHECK(reply->type == REDIS_REPLY_ERROR
                   && memcmp(reply->str, "TRYAGAIN", 8) == 0, "TRYAGAIN");
        return;

    case LAGO_WEBHOOK_CLUSTER_DOWN:
        FUZZ_CHECK(reply->type == REDIS_REPLY_ERROR
                   && memcmp(reply->str, "CLUSTERDOWN", 11) == 0,
                   "CLUSTERDOWN");
        return;

    case LAGO_WEBHOOK_CLUSTER_MOVED:
    case LAGO_WEBHOOK_CLUSTER_ASK:
        break;

    default:
        FUZZ_CHECK(0, "a kind of the enum");
    }

    FUZZ_CHECK(reply->type == REDIS_REPLY_ERROR, "only errors redirect");
    FUZZ_CHECK(slot < LAGO_WEBHOOK_SLOTS, "a slot in range");
    FUZZ_CHECK(node.port >= 1 && node.port <= 65535, "a port in range");
    FUZZ_CHECK(node.host >= str && node.host + node.host_len <= str
                                                             + reply->len,
               "the address lies in the reply");
    FUZZ_CHECK(node.host + node.host_len < str + reply->len
               && node.host[node.host_len] == ':',
               "a ':' follows the address");

    fuzz_touch(node.host, node.host_len);

    /* the reply, from what was read, when it has no leading zeros */

    len = snprintf(text, sizeof(text), "%s %u ",
                   kind == LAGO_WEBHOOK_CLUSTER_MOVED ? "MOVED" : "ASK",
                   slot);

    if (node.host - str == len) {
        FUZZ_CHECK(memcmp(text, str, len) == 0, "the kind and the slot");

        len = snprintf(text, sizeof(text), ":%u", node.port);

        FUZZ_CHECK(node.host + node.host_len + len <= str + reply->len,
                   "the port's digits at least");

        if (node.host + node.host_len + len == str + reply->len) {
            FUZZ_CHECK(memcmp(node.host + node.host_len, text, len) == 0,
                       "the port");
        }
    }
}


static void
fuzz_cluster_ranges(redisReply *reply)
{
    int                          rc;
    size_t                       i;
    unsigned int                 start, end, s2, e2;
    lago_webhook_cluster_node_t  master, m2;

    for (i = 0; /* void */; i++) {
        start = 99999;
        end = 99999;
        memset(&master, 0, sizeof(master));

        rc = lago_webhook_cluster_range(reply, i, &start, &end, &master);

        if (rc == 1) {
            FUZZ_CHECK(reply->type == REDIS_REPLY_ARRAY
                       && i == reply->elements, "no range past the last");
            FUZZ_CHECK(start == 99999 && master.port == 0,
                       "nothing written past the last");
            return;
        }

        if (rc != 0) {
            FUZZ_CHECK(rc == -1, "range returns 0, 1 or -1");
            FUZZ_CHECK(start == 99999 && master.port == 0,
                       "nothing written for a bad range");
            return;
        }

        FUZZ_CHECK(start <= end && end < LAGO_WEBHOOK_SLOTS,
                   "a range in order and in range");
        FUZZ_CHECK(master.port >= 1 && master.port <= 65535,
                   "a master's port in range");
        FUZZ_CHECK((master.host == NULL) == (master.host_len == 0)
                   || (master.host != NULL && master.host_len == 0),
                   "no address is NULL or empty");

        if (master.host != NULL) {
            FUZZ_CHECK(master.host == (const unsigned char *)
                           reply->element[i]->element[2]->element[0]->str,
                       "the address is the master's ip");
            FUZZ_CHECK(!(master.host_len == 1 && master.host[0] == '?'),
                       "\"?\" reads as no address");
            fuzz_touch(master.host, master.host_len);
        }

        FUZZ_CHECK(lago_webhook_cluster_range(reply, i, &s2, &e2, &m2) == 0
                   && s2 == start && e2 == end && m2.port == master.port
                   && m2.host == master.host
                   && m2.host_len == master.host_len,
                   "the same range again");
    }
}
