
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the Redis Cluster slot of a key, against the values in Redis
 * Cluster's specification and those `CLUSTER KEYSLOT` gives.
 */


#include "unit.h"

#include "lago_webhook_slot.h"


/* the CRC as the specification defines it, a bit at a time */

static unsigned int
crc16_bitwise(const unsigned char *data, size_t len)
{
    size_t        i;
    unsigned int  crc, bit;

    crc = 0;

    for (i = 0; i < len; i++) {
        crc ^= (unsigned int) data[i] << 8;

        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) : (crc << 1);
        }

        crc &= 0xffff;
    }

    return crc;
}


int
main(void)
{
    size_t          len, i;
    unsigned int    seed, differ;
    unsigned char   key[64];

    /* the check value of CRC16/XMODEM, as the cluster specification has */
    CHECK(lago_webhook_crc16(UNIT_S("123456789")) == 0x31c3,
          "crc16 of 123456789");
    CHECK(lago_webhook_crc16(UNIT_S("")) == 0, "crc16 of nothing");

    /* CLUSTER KEYSLOT, Redis 7.0 */
    CHECK(lago_webhook_slot(UNIT_S("foo")) == 12182, "slot of foo");
    CHECK(lago_webhook_slot(UNIT_S("bar")) == 5061, "slot of bar");
    CHECK(lago_webhook_slot(UNIT_S("")) == 0, "slot of the empty key");

    /* a hash tag: only what is between the first braces counts */
    CHECK(lago_webhook_slot(UNIT_S("{user1000}.following"))
          == lago_webhook_slot(UNIT_S("user1000")), "hash tag");
    CHECK(lago_webhook_slot(UNIT_S("a{foo}b{bar}"))
          == lago_webhook_slot(UNIT_S("foo")), "first hash tag only");
    CHECK(lago_webhook_slot(UNIT_S("x{b}}"))
          == lago_webhook_slot(UNIT_S("b")), "tag ends at the first '}'");

    /* no tag: an empty one or an unclosed brace hash the whole key */
    CHECK(lago_webhook_slot(UNIT_S("foo{}{bar}"))
          == lago_webhook_slot(UNIT_S("foo{}{bar}"))
          && lago_webhook_slot(UNIT_S("foo{}{bar}"))
             != lago_webhook_slot(UNIT_S("bar")), "empty tag");
    CHECK(lago_webhook_slot(UNIT_S("{foo")) == 13308, "unclosed brace");
    CHECK(lago_webhook_slot(UNIT_S("foo{}{bar}")) == 8363, "empty tag slot");

    /* an organization's keys share its slot */
    CHECK(lago_webhook_slot(UNIT_S(
              "lago:{8d6a0c1e-1f2b-4c3d-9e4f-5a6b7c8d9e0f}:webhook_endpoints"))
          == lago_webhook_slot(UNIT_S(
              "lago:{8d6a0c1e-1f2b-4c3d-9e4f-5a6b7c8d9e0f}:urls")),
          "an organization's keys in one slot");

    /* the table gives what the bitwise definition gives, for any bytes */

    seed = 12345;
    differ = 0;

    for (len = 0; len < sizeof(key); len++) {
        for (i = 0; i < len; i++) {
            seed = seed * 1103515245 + 12345;
            key[i] = (unsigned char) (seed >> 16);
        }

        if (lago_webhook_crc16(key, len) != crc16_bitwise(key, len)) {
            differ++;
        }
    }

    CHECK(differ == 0, "crc16 table against the bitwise definition");

    return UNIT_DONE();
}
