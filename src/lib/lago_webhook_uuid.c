
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * UUID helpers.
 */


#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/random.h>

#include "lago_webhook_uuid.h"


static int lago_webhook_uuid_hex_value(unsigned char c);


/*
 * Random bytes are read ahead, enough for 16 ids at a time: one
 * getrandom() per 16 creates instead of one each.  A process that forks
 * after using them must call lago_webhook_uuid_reset() in the child, or
 * parent and child would hand out the same ids.
 */

#define LAGO_WEBHOOK_UUID_POOL  (16 * 16)

static unsigned char  lago_webhook_uuid_pool[LAGO_WEBHOOK_UUID_POOL];
static size_t         lago_webhook_uuid_pool_left;


int
lago_webhook_uuid_v4(unsigned char out[LAGO_WEBHOOK_UUID_LEN])
{
    size_t          got;
    ssize_t         n;
    unsigned char  *bytes;

    /*
     * getrandom() with no flags reads the kernel's CSPRNG and blocks only
     * until it is first seeded, at boot.  Ids are public, but they must not
     * be guessable from one another, so no userland PRNG.  A read of 256
     * bytes is not cut short in practice, but the loop costs nothing.
     */

    if (lago_webhook_uuid_pool_left < 16) {
        got = 0;

        while (got < LAGO_WEBHOOK_UUID_POOL) {
            n = getrandom(lago_webhook_uuid_pool + got,
                          LAGO_WEBHOOK_UUID_POOL - got, 0);

            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }

                return -1;
            }

            got += (size_t) n;
        }

        lago_webhook_uuid_pool_left = LAGO_WEBHOOK_UUID_POOL;
    }

    lago_webhook_uuid_pool_left -= 16;
    bytes = lago_webhook_uuid_pool + lago_webhook_uuid_pool_left;

    /* RFC 9562: version 4 in the high nibble of byte 6, variant 10 */

    bytes[6] = (unsigned char) ((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (unsigned char) ((bytes[8] & 0x3f) | 0x80);

    lago_webhook_uuid_format(out, bytes);

    /* a used id's bytes are not kept */
    memset(bytes, 0, 16);

    return 0;
}


void
lago_webhook_uuid_reset(void)
{
    memset(lago_webhook_uuid_pool, 0, sizeof(lago_webhook_uuid_pool));
    lago_webhook_uuid_pool_left = 0;
}


void
lago_webhook_uuid_format(unsigned char out[LAGO_WEBHOOK_UUID_LEN],
    const unsigned char bytes[16])
{
    size_t                      i;
    unsigned char              *p;
    static const unsigned char  hex[] = "0123456789abcdef";

    p = out;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *p++ = '-';
        }

        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 0x0f];
    }
}


int
lago_webhook_uuid_normalize(unsigned char out[LAGO_WEBHOOK_UUID_LEN],
    const unsigned char *s, size_t len)
{
    int            hi, lo;
    size_t         i, k, end;
    unsigned char  bytes[16];

    /*
     * Lago looks ids up in a PostgreSQL uuid column, so an id is found in
     * exactly the spellings string_to_uuid() (src/backend/utils/adt/uuid.c)
     * takes: an optional '{' that then needs a '}' at the very end, 16
     * pairs of hex digits, and after every second pair but the last one
     * optional '-' (only one).  Anything else is an unknown id.
     *
     * Rails' own check before the query (ACCEPTABLE_UUID in the PostgreSQL
     * adapter, \A(\{)?([a-fA-F0-9]{4}-?){8}(?(1)\}|)\z) is the same except
     * that it also lets a '-' follow the last group; that one spelling is
     * refused here, as PostgreSQL refuses it.
     */

    i = 0;
    end = len;

    if (len > 0 && s[0] == '{') {
        if (s[len - 1] != '}') {
            return -1;
        }

        i = 1;
        end = len - 1;
    }

    for (k = 0; k < 16; k++) {

        if (end - i < 2) {
            return -1;
        }

        hi = lago_webhook_uuid_hex_value(s[i]);
        lo = lago_webhook_uuid_hex_value(s[i + 1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }

        bytes[k] = (unsigned char) ((hi << 4) | lo);
        i += 2;

        if (i < end && s[i] == '-' && (k % 2) == 1 && k < 15) {
            i++;
        }
    }

    if (i != end) {
        return -1;
    }

    lago_webhook_uuid_format(out, bytes);

    return 0;
}


static int
lago_webhook_uuid_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}
