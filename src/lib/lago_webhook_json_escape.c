
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * ActiveSupport's JSON encoding of a string, as Lago's responses show it:
 *
 *   '"' and '\'                  \" and \\
 *   BS, FF, LF, CR, TAB          \b \f \n \r \t
 *   other bytes below 0x20       \u00xx, lower-case hex
 *   '<', '>', '&'                \u003c \u003e \u0026 (safe in HTML)
 *   U+2028, U+2029               \u2028 \u2029 (safe in JavaScript)
 *
 * Everything else, '/', DEL and all other UTF-8 included, is copied as it
 * is.  The input is expected to be valid UTF-8; bytes that are not are
 * copied unchanged rather than guessed at.
 */


#include <stddef.h>
#include <string.h>

#include "lago_webhook_json_escape.h"


/*
 * 1 for the bytes that may need escaping: '"', '\\', control characters,
 * '<', '>', '&', and 0xe2, the lead byte of U+2028 and U+2029.  Runs of
 * the others (nearly every byte of a URL or a name) are copied as they are.
 */

static const unsigned char  lago_webhook_json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x10 */
    0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x20 " & */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,   /* 0x30 < > */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,   /* 0x50 \\ */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0xa0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0xb0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0xc0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0xd0 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0xe0 0xe2 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0    /* 0xf0 */
};


#define LAGO_WEBHOOK_JSON_SPECIAL8(p)                                         \
    (lago_webhook_json_special[(p)[0]] | lago_webhook_json_special[(p)[1]]    \
     | lago_webhook_json_special[(p)[2]] | lago_webhook_json_special[(p)[3]]  \
     | lago_webhook_json_special[(p)[4]] | lago_webhook_json_special[(p)[5]]  \
     | lago_webhook_json_special[(p)[6]] | lago_webhook_json_special[(p)[7]])


static size_t lago_webhook_json_escape_one(unsigned char *dst,
    const unsigned char *s, size_t len, size_t *used);


size_t
lago_webhook_json_escaped_len(const unsigned char *s, size_t len)
{
    size_t  n, used, i;

    n = 0;
    i = 0;

    while (i < len) {
        if (!lago_webhook_json_special[s[i]]) {
            n++;
            i++;
            continue;
        }

        n += lago_webhook_json_escape_one(NULL, s + i, len - i, &used);
        i += used;
    }

    return n;
}


unsigned char *
lago_webhook_json_escape(unsigned char *dst, const unsigned char *s,
    size_t len)
{
    size_t  used, i;

    i = 0;

    while (i < len) {

        /*
         * Eight bytes a test while there are eight: the lookups are
         * or'ed, one branch for the eight, where a byte at a time took a
         * branch each (an id is 36 bytes, a URL often more).  Bytes that
         * need no escaping are copied as they are tested: they come out
         * one for one, so the output has room for them.
         */

        while (len - i >= 8 && !LAGO_WEBHOOK_JSON_SPECIAL8(s + i)) {
            memcpy(dst, s + i, 8);
            dst += 8;
            i += 8;
        }

        while (i < len && !lago_webhook_json_special[s[i]]) {
            *dst++ = s[i++];
        }

        if (i == len) {
            break;
        }

        dst += lago_webhook_json_escape_one(dst, s + i, len - i, &used);
        i += used;
    }

    return dst;
}


/*
 * Escapes the character at s: sets *used to the input bytes it takes and
 * returns the output length, writing the output only when dst is not NULL,
 * so that the length and the escaping cannot disagree.
 */

static size_t
lago_webhook_json_escape_one(unsigned char *dst, const unsigned char *s,
    size_t len, size_t *used)
{
    size_t                      n, i;
    unsigned char               c, buf[6];
    static const unsigned char  hex[] = "0123456789abcdef";

    c = s[0];
    *used = 1;

    if (c == 0xe2 && len >= 3 && s[1] == 0x80
        && (s[2] == 0xa8 || s[2] == 0xa9))
    {
        /* U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR */
        *used = 3;
        buf[0] = '\\';
        buf[1] = 'u';
        buf[2] = '2';
        buf[3] = '0';
        buf[4] = '2';
        buf[5] = (s[2] == 0xa8) ? '8' : '9';
        n = 6;

    } else if (c == '"' || c == '\\') {
        buf[0] = '\\';
        buf[1] = c;
        n = 2;

    } else if (c == '\b' || c == '\f' || c == '\n' || c == '\r'
               || c == '\t')
    {
        buf[0] = '\\';
        buf[1] = (c == '\b') ? 'b' : (c == '\f') ? 'f' : (c == '\n') ? 'n'
                 : (c == '\r') ? 'r' : 't';
        n = 2;

    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        buf[0] = '\\';
        buf[1] = 'u';
        buf[2] = '0';
        buf[3] = '0';
        buf[4] = hex[c >> 4];
        buf[5] = hex[c & 0x0f];
        n = 6;

    } else {
        buf[0] = c;
        n = 1;
    }

    if (dst != NULL) {
        for (i = 0; i < n; i++) {
            dst[i] = buf[i];
        }
    }

    return n;
}
