
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include "lago_webhook_slot.h"


/*
 * A byte at a time, from a table made on the first call: the slot is
 * computed for every command, over a key of some fifty bytes.
 */

static unsigned short  lago_webhook_crc16_table[256];
static int             lago_webhook_crc16_ready;


static void
lago_webhook_crc16_init(void)
{
    unsigned int  byte, bit, crc;

    for (byte = 0; byte < 256; byte++) {
        crc = byte << 8;

        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) : (crc << 1);
        }

        lago_webhook_crc16_table[byte] = (unsigned short) (crc & 0xffff);
    }

    lago_webhook_crc16_ready = 1;
}


unsigned int
lago_webhook_crc16(const unsigned char *data, size_t len)
{
    size_t        i;
    unsigned int  crc;

    if (!lago_webhook_crc16_ready) {
        lago_webhook_crc16_init();
    }

    crc = 0;

    for (i = 0; i < len; i++) {
        crc = ((crc << 8) ^ lago_webhook_crc16_table[((crc >> 8) ^ data[i])
                                                     & 0xff])
              & 0xffff;
    }

    return crc;
}


unsigned int
lago_webhook_slot(const unsigned char *key, size_t len)
{
    size_t  open, close;

    for (open = 0; open < len; open++) {
        if (key[open] == '{') {
            break;
        }
    }

    if (open < len) {
        for (close = open + 1; close < len; close++) {
            if (key[close] == '}') {
                break;
            }
        }

        /* "{}" or an unclosed '{': the whole key counts */

        if (close < len && close > open + 1) {
            key += open + 1;
            len = close - open - 1;
        }
    }

    return lago_webhook_crc16(key, len) & (LAGO_WEBHOOK_SLOTS - 1);
}
