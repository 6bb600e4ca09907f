
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the Redis Cluster readers, on replies a hiredis reader builds
 * from RESP text as Redis writes it: the redirections and the ranges of
 * CLUSTER SLOTS.
 */


#include "unit.h"
#include "resp.h"

#include "lago_webhook_cluster.h"


static unsigned int                 slot;
static lago_webhook_cluster_node_t  node;


static lago_webhook_cluster_redirect_e
redirect(redisReply *reply)
{
    lago_webhook_cluster_redirect_e  kind;

    slot = 99999;
    node.host = NULL;
    node.host_len = 12345;
    node.port = 0;

    if (reply == NULL) {
        return (lago_webhook_cluster_redirect_e) -1;
    }

    kind = lago_webhook_cluster_redirect(reply, &slot, &node);

    return kind;
}

#define REDIRECT(lit)  redirect(REPLY(lit))


static int
node_is(const char *host, unsigned int port)
{
    return node.host_len == strlen(host)
           && (node.host_len == 0 || memcmp(node.host, host, node.host_len)
                                     == 0)
           && node.port == port;
}


static void
test_redirect(void)
{
    /* keep the reply: node points into it */
    redisReply  *reply;

    reply = REPLY("-MOVED 3999 127.0.0.1:6381\r\n");
    CHECK(reply != NULL
          && lago_webhook_cluster_redirect(reply, &slot, &node)
             == LAGO_WEBHOOK_CLUSTER_MOVED
          && slot == 3999 && node_is("127.0.0.1", 6381)
          && node.host == (const unsigned char *) reply->str + 11,
          "MOVED, pointing into the reply");

    CHECK(REDIRECT("-ASK 0 10.0.0.2:7000\r\n") == LAGO_WEBHOOK_CLUSTER_ASK
          && slot == 0 && node_is("10.0.0.2", 7000), "ASK");
    CHECK(REDIRECT("-MOVED 16383 :6380\r\n") == LAGO_WEBHOOK_CLUSTER_MOVED
          && slot == 16383 && node_is("", 6380), "an empty ip");
    CHECK(REDIRECT("-MOVED 5 ::1:6380\r\n") == LAGO_WEBHOOK_CLUSTER_MOVED
          && node_is("::1", 6380), "IPv6: the port after the last ':'");
    CHECK(REDIRECT("-MOVED 5 host.example:1\r\n")
          == LAGO_WEBHOOK_CLUSTER_MOVED && node_is("host.example", 1),
          "a host name is read, not checked");
    CHECK(REDIRECT("-MOVED 5 a b:65535\r\n") == LAGO_WEBHOOK_CLUSTER_MOVED
          && node_is("a b", 65535), "what follows the slot is the address");
    CHECK(REDIRECT("-MOVED 0016383 :1\r\n") == LAGO_WEBHOOK_CLUSTER_MOVED
          && slot == 16383, "leading zeros");

    CHECK(REDIRECT("-TRYAGAIN Multiple keys request during rehashing\r\n")
          == LAGO_WEBHOOK_CLUSTER_TRYAGAIN && slot == 99999, "TRYAGAIN");
    CHECK(REDIRECT("-TRYAGAIN\r\n") == LAGO_WEBHOOK_CLUSTER_TRYAGAIN,
          "TRYAGAIN alone");
    CHECK(REDIRECT("-CLUSTERDOWN The cluster is down\r\n")
          == LAGO_WEBHOOK_CLUSTER_DOWN, "CLUSTERDOWN");

    /* answers */
    CHECK(REDIRECT("+MOVED 1 :1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "a status is an answer");
    CHECK(REDIRECT("$13\r\nMOVED 1 a:100\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "a string is an answer");
    CHECK(REDIRECT(":1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER, "an integer");
    CHECK(REDIRECT("*1\r\n$5\r\nMOVED\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "an array");
    CHECK(REDIRECT("-ERR wrong\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "another error");
    CHECK(REDIRECT("-TRYAGAI\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "TRYAGAI");
    CHECK(REDIRECT("-moved 1 a:1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "lower case");

    /* errors that only look like redirections; nothing is written */
    CHECK(REDIRECT("-MOVED \r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER
          && slot == 99999 && node.port == 0, "MOVED and a space");
    CHECK(REDIRECT("-MOVED\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER, "MOVED");
    CHECK(REDIRECT("-ASK 1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER, "no node");
    CHECK(REDIRECT("-ASK  a:1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "no slot");
    CHECK(REDIRECT("-ASK 16384 a:1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "slot 16384");
    CHECK(REDIRECT("-ASK -1 a:1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "slot -1");
    CHECK(REDIRECT("-ASK +1 a:1\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "slot +1");
    CHECK(REDIRECT("-ASK 99999999999999999999999 a:1\r\n")
          == LAGO_WEBHOOK_CLUSTER_ANSWER, "a slot past 64 bits");
    CHECK(REDIRECT("-ASK 1 a\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "no ':'");
    CHECK(REDIRECT("-ASK 1 a:\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "no port");
    CHECK(REDIRECT("-ASK 1 a:0\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "port 0");
    CHECK(REDIRECT("-ASK 1 a:65536\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "port 65536");
    CHECK(REDIRECT("-ASK 1 a:80 \r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER
          && slot == 99999, "a space after the port");
    CHECK(REDIRECT("-ASK 1 a:8x\r\n") == LAGO_WEBHOOK_CLUSTER_ANSWER,
          "a letter in the port");
}


static int
range(redisReply *reply, size_t i, unsigned int *start, unsigned int *end)
{
    return lago_webhook_cluster_range(reply, i, start, end, &node);
}


#define RANGE0(lit, expect)                                                   \
    reply = REPLY(lit);                                                       \
    CHECK(reply != NULL && range(reply, 0, &start, &end) == (expect), lit)


static void
test_range(void)
{
    unsigned int  start, end;
    redisReply   *reply;

    static const char  slots[] =
        "*3\r\n"
        "*4\r\n:0\r\n:5460\r\n"
            "*3\r\n$9\r\n127.0.0.1\r\n:30001\r\n$2\r\nid\r\n"
            "*3\r\n$9\r\n127.0.0.1\r\n:30004\r\n$2\r\nid\r\n"
        "*3\r\n:5461\r\n:10922\r\n"
            "*2\r\n$1\r\n?\r\n:30002\r\n"
        "*3\r\n:10923\r\n:16383\r\n"
            "*4\r\n$-1\r\n:30003\r\n$2\r\nid\r\n*0\r\n";

    reply = REPLY(slots);
    CHECK(reply != NULL, "CLUSTER SLOTS read");

    if (reply == NULL) {
        return;
    }

    CHECK(range(reply, 0, &start, &end) == 0 && start == 0 && end == 5460
          && node_is("127.0.0.1", 30001), "the first range, its master");
    CHECK(node.host == (const unsigned char *) reply->element[0]->element[2]
                                                   ->element[0]->str,
          "the ip points into the reply");
    CHECK(range(reply, 1, &start, &end) == 0 && start == 5461
          && end == 10922 && node_is("", 30002) && node.host == NULL,
          "\"?\": an unknown ip");
    CHECK(range(reply, 2, &start, &end) == 0 && start == 10923
          && end == 16383 && node_is("", 30003), "a nil ip");
    CHECK(range(reply, 3, &start, &end) == 1, "no fourth range");
    CHECK(range(reply, 1000, &start, &end) == 1, "far past the last");

    reply = REPLY("*0\r\n");
    CHECK(reply != NULL && range(reply, 0, &start, &end) == 1,
          "an empty map");

    RANGE0("*1\r\n*3\r\n:7\r\n:7\r\n*2\r\n$0\r\n\r\n:1\r\n", 0);
    CHECK(start == 7 && end == 7 && node_is("", 1) && node.host != NULL,
          "one slot, an empty ip");
    RANGE0("*1\r\n*3\r\n:0\r\n:0\r\n*2\r\n$2\r\n??\r\n:65535\r\n", 0);
    CHECK(node_is("??", 65535), "\"??\" is an ip as any other");

    /* not a map */
    RANGE0("-ERR no cluster\r\n", -1);
    RANGE0(":1\r\n", -1);
    RANGE0("$-1\r\n", -1);
    RANGE0("*1\r\n:1\r\n", -1);
    RANGE0("*1\r\n*2\r\n:0\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n$1\r\n0\r\n:1\r\n*2\r\n$1\r\na\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n$1\r\na\r\n", -1);
    RANGE0("*1\r\n*3\r\n:-1\r\n:1\r\n*2\r\n$1\r\na\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:2\r\n:1\r\n*2\r\n$1\r\na\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\na\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n*1\r\n$1\r\na\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n:1\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n+a\r\n:1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\na\r\n:0\r\n", -1);
    RANGE0("*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\na\r\n:65536\r\n", -1);

    /* a bad range anywhere: the earlier ones still read */
    reply = REPLY("*2\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\na\r\n:1\r\n:5\r\n");
    CHECK(reply != NULL && range(reply, 0, &start, &end) == 0
          && range(reply, 1, &start, &end) == -1
          && range(reply, 2, &start, &end) == 1, "a bad second range");
}


int
main(void)
{
    test_redirect();
    test_range();

    reply_free();

    return UNIT_DONE();
}
