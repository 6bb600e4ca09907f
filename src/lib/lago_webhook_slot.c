
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include "lago_webhook_slot.h"


/*
 * Bit by bit: a key is a few dozen bytes, and a table of 512 bytes would
 * save less than the hash lookups Redis does for the same command.
 */

unsigned int
lago_webhook_crc16(const unsigned char *data, size_t len)
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
