
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the Redis Sentinel readers, on replies a hiredis reader builds
 * from RESP text as a sentinel writes it: the master's address, the
 * +switch-master subscription and its messages.
 */


#include "unit.h"
#include "resp.h"

#include "lago_webhook_sentinel.h"


static lago_webhook_sentinel_addr_t  addr;


static int
addr_is(const char *ip, unsigned int port)
{
    return addr.ip_len == strlen(ip)
           && (addr.ip_len == 0 || memcmp(addr.ip, ip, addr.ip_len) == 0)
           && addr.port == port;
}


static void
addr_reset(void)
{
    addr.ip = NULL;
    addr.ip_len = 777;
    addr.port = 0;
}


static lago_webhook_sentinel_reply_e
master(const char *text, size_t len)
{
    redisReply  *reply;

    addr_reset();

    reply = reply_of(text, len);
    if (reply == NULL) {
        return (lago_webhook_sentinel_reply_e) -1;
    }

    return lago_webhook_sentinel_master(reply, &addr);
}

#define MASTER(lit)  master((lit), sizeof(lit) - 1)


static lago_webhook_sentinel_reply_e
watch(const char *text, size_t len, int subscribed)
{
    redisReply  *reply;

    reply = reply_of(text, len);
    if (reply == NULL) {
        return (lago_webhook_sentinel_reply_e) -1;
    }

    return lago_webhook_sentinel_watch(reply, subscribed);
}

#define WATCH(lit, subscribed)  watch((lit), sizeof(lit) - 1, (subscribed))


static int
sw(const char *payload, size_t len, const char *name, size_t name_len)
{
    addr_reset();

    return lago_webhook_sentinel_switch((const unsigned char *) payload, len,
                                        (const unsigned char *) name,
                                        name_len, &addr);
}

#define SWITCH(lit)  sw((lit), sizeof(lit) - 1, "lago", 4)


static void
test_is(void)
{
    CHECK(lago_webhook_sentinel_is(REPLY("$9\r\nsubscribe\r\n"), "subscribe"),
          "the same string");
    CHECK(!lago_webhook_sentinel_is(REPLY("+subscribe\r\n"), "subscribe"),
          "a status is not a string");
    CHECK(!lago_webhook_sentinel_is(REPLY("$10\r\nsubscribes\r\n"),
                                    "subscribe"), "longer");
    CHECK(!lago_webhook_sentinel_is(REPLY("$8\r\nsubscrib\r\n"), "subscribe"),
          "shorter");
    CHECK(!lago_webhook_sentinel_is(REPLY("$9\r\nSUBSCRIBE\r\n"),
                                    "subscribe"), "case matters");
    CHECK(!lago_webhook_sentinel_is(REPLY("$9\r\nsubscrib\0\r\n"),
                                    "subscribe"), "a NUL");
    CHECK(lago_webhook_sentinel_is(REPLY("$0\r\n\r\n"), ""), "empty");
    CHECK(!lago_webhook_sentinel_is(REPLY("$-1\r\n"), ""), "nil");
}


static void
test_master(void)
{
    redisReply  *reply;

    reply = REPLY("*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n");
    CHECK(reply != NULL
          && lago_webhook_sentinel_master(reply, &addr)
             == LAGO_WEBHOOK_SENTINEL_MASTER
          && addr_is("127.0.0.1", 6379)
          && addr.ip == (const unsigned char *) reply->element[0]->str,
          "the master, pointing into the reply");

    CHECK(MASTER("*2\r\n$3\r\n::1\r\n$5\r\n65535\r\n")
          == LAGO_WEBHOOK_SENTINEL_MASTER && addr_is("::1", 65535), "IPv6");
    CHECK(MASTER("*2\r\n$12\r\nhost.example\r\n$1\r\n1\r\n")
          == LAGO_WEBHOOK_SENTINEL_MASTER && addr_is("host.example", 1),
          "the ip is the caller's to check");
    CHECK(MASTER("*2\r\n$0\r\n\r\n$5\r\n00080\r\n")
          == LAGO_WEBHOOK_SENTINEL_MASTER && addr_is("", 80),
          "an empty ip, leading zeros");

    CHECK(MASTER("-IDONTKNOW No such master\r\n")
          == LAGO_WEBHOOK_SENTINEL_ERROR && addr.port == 0, "an error");
    CHECK(MASTER("$-1\r\n") == LAGO_WEBHOOK_SENTINEL_NO_MASTER, "nil");
    CHECK(MASTER("*-1\r\n") == LAGO_WEBHOOK_SENTINEL_NO_MASTER,
          "a nil array");

    /* the protocol broken; nothing is written */
    CHECK(MASTER("*0\r\n") == LAGO_WEBHOOK_SENTINEL_BROKEN
          && addr.ip_len == 777, "empty array");
    CHECK(MASTER("*1\r\n$1\r\na\r\n") == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "one element");
    CHECK(MASTER("*3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\n1\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "three elements");
    CHECK(MASTER("*2\r\n$1\r\na\r\n:6379\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "an integer port");
    CHECK(MASTER("*2\r\n+a\r\n$1\r\n1\r\n") == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "a status ip");
    CHECK(MASTER("*2\r\n$-1\r\n$1\r\n1\r\n") == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "a nil ip");
    CHECK(MASTER("*2\r\n$1\r\na\r\n$0\r\n\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "an empty port");
    CHECK(MASTER("*2\r\n$1\r\na\r\n$1\r\n0\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "port 0");
    CHECK(MASTER("*2\r\n$1\r\na\r\n$5\r\n65536\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "port 65536");
    CHECK(MASTER("*2\r\n$1\r\na\r\n$2\r\n-1\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "port -1");
    CHECK(MASTER("*2\r\n$1\r\na\r\n$3\r\n 80\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "a space in the port");
    CHECK(MASTER("*2\r\n$1\r\na\r\n$25\r\n9999999999999999999999999\r\n")
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "a port past 64 bits");
    CHECK(MASTER("+OK\r\n") == LAGO_WEBHOOK_SENTINEL_BROKEN, "a status");
    CHECK(MASTER(":1\r\n") == LAGO_WEBHOOK_SENTINEL_BROKEN, "an integer");
}


static void
test_watch(void)
{
    static const char  confirm[] =
        "*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n";
    static const char  message[] =
        "*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n"
        "$32\r\nlago 10.0.0.1 6379 10.0.0.2 6380\r\n";

    CHECK(WATCH(confirm, 0) == LAGO_WEBHOOK_SENTINEL_SUBSCRIBED,
          "the confirmation");
    CHECK(WATCH(confirm, 1) == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "a second confirmation");
    CHECK(WATCH(message, 1) == LAGO_WEBHOOK_SENTINEL_MESSAGE
          && ((redisReply *) last_reply)->element[2]->len == 32,
          "a message");
    CHECK(WATCH(message, 0) == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "a message before the confirmation");

    CHECK(WATCH("-ERR unknown\r\n", 0) == LAGO_WEBHOOK_SENTINEL_ERROR,
          "an error before");
    CHECK(WATCH("-ERR unknown\r\n", 1) == LAGO_WEBHOOK_SENTINEL_ERROR,
          "an error after");

    CHECK(WATCH("*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n"
                "$1\r\n1\r\n", 0) == LAGO_WEBHOOK_SENTINEL_SUBSCRIBED,
          "the count is not read");
    CHECK(WATCH("*3\r\n$9\r\nsubscribe\r\n$13\r\n+sdown-master\r\n:1\r\n", 0)
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "another channel");
    CHECK(WATCH("*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n:1\r\n", 1)
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "an integer payload");
    CHECK(WATCH("*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n+a\r\n", 1)
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "a status payload");
    CHECK(WATCH("*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n$-1\r\n", 1)
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "a nil payload");
    CHECK(WATCH("*3\r\n$8\r\npmessage\r\n$14\r\n+switch-master\r\n"
                "$1\r\na\r\n", 1) == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "pmessage");
    CHECK(WATCH("*2\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n", 1)
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "two elements");
    CHECK(WATCH("*4\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n"
                "$1\r\na\r\n$1\r\na\r\n", 1) == LAGO_WEBHOOK_SENTINEL_BROKEN,
          "four elements");
    CHECK(WATCH("$-1\r\n", 1) == LAGO_WEBHOOK_SENTINEL_BROKEN, "nil");
    CHECK(WATCH("+OK\r\n", 0) == LAGO_WEBHOOK_SENTINEL_BROKEN, "a status");
    CHECK(WATCH("*3\r\n+subscribe\r\n$14\r\n+switch-master\r\n:1\r\n", 0)
          == LAGO_WEBHOOK_SENTINEL_BROKEN, "a status kind");
}


static void
test_switch(void)
{
    static const char  ours[] = "lago 10.0.0.1 6379 10.0.0.2 6380";

    CHECK(sw(ours, sizeof(ours) - 1, "lago", 4) == 1
          && addr_is("10.0.0.2", 6380)
          && addr.ip == (const unsigned char *) ours + 19,
          "our master moved, pointing into the payload");
    CHECK(SWITCH("lago ::1 6379 ::2 1") == 1 && addr_is("::2", 1), "IPv6");
    CHECK(SWITCH("lago a b c 65535") == 1 && addr_is("c", 65535),
          "the old address is not read");

    /* another master's */
    CHECK(SWITCH("other 10.0.0.1 6379 10.0.0.2 6380") == 0
          && addr.ip_len == 777, "another master");
    CHECK(SWITCH("lag 10.0.0.1 6379 10.0.0.2 6380") == 0, "a shorter name");
    CHECK(SWITCH("lagoo 10.0.0.1 6379 10.0.0.2 6380") == 0, "a longer name");
    CHECK(SWITCH("LAGO 10.0.0.1 6379 10.0.0.2 6380") == 0, "case matters");
    CHECK(SWITCH("other a b c 0") == 0, "another's port is not read");
    CHECK(SWITCH("other a b c x") == 0, "another's port is not read, x");
    CHECK(sw("l\0go a b c 1", 12, "l\0xx", 4) == 1,
          "the name compared as strncmp() does: up to a NUL in both");
    CHECK(sw("l\0go a b c 1", 12, "lago", 4) == 0,
          "a NUL in the payload's name only");

    /* not a +switch-master payload */
    CHECK(SWITCH("") == -1, "empty");
    CHECK(SWITCH("lago 10.0.0.1 6379 10.0.0.2") == -1, "four fields");
    CHECK(SWITCH("lago 10.0.0.1 6379 10.0.0.2 6380 x") == -1, "six fields");
    CHECK(SWITCH("lago 10.0.0.1 6379 10.0.0.2 6380 ") == -1,
          "a trailing space");
    CHECK(SWITCH(" lago 10.0.0.1 6379 10.0.0.2 6380") == -1,
          "a leading space");
    CHECK(SWITCH("lago  10.0.0.1 6379 10.0.0.2 6380") == -1, "two spaces");
    CHECK(SWITCH("lago 10.0.0.1 6379 10.0.0.2 ") == -1, "an empty port");
    CHECK(SWITCH("other 10.0.0.1 6379 10.0.0.2") == -1,
          "another's, four fields");
    CHECK(SWITCH("lago\t10.0.0.1 6379 10.0.0.2 6380 1") == 0,
          "a tab is no separator");

    /* ours with a bad new port */
    CHECK(SWITCH("lago a b c 0") == -1, "port 0");
    CHECK(SWITCH("lago a b c 65536") == -1, "port 65536");
    CHECK(SWITCH("lago a b c +1") == -1, "port +1");
    CHECK(SWITCH("lago a b c 1x") == -1, "port 1x");
    CHECK(SWITCH("lago a b c 99999999999999999999999") == -1,
          "a port past 64 bits");
}


int
main(void)
{
    test_is();
    test_master();
    test_watch();
    test_switch();

    reply_free();

    return UNIT_DONE();
}
