
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * lago_webhook_json_escape() on arbitrary bytes: the length it announces
 * is the length it writes, the output is a clean JSON string content (no
 * raw quote, control character, '<', '>', '&', U+2028 or U+2029), it
 * decodes back to the input, and for valid UTF-8 jansson reads it back to
 * the same string.
 */


#include "fuzz.h"

#include <jansson.h>

#include "lago_webhook_json_escape.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             h, valid;
    size_t          i, k, len, cp;
    json_t         *v, *check;
    json_error_t    error;
    unsigned char  *s, *out, *end, *dec, *quoted, c;

    s = fuzz_dup(data, size);

    len = lago_webhook_json_escaped_len(s, size);
    FUZZ_CHECK(len >= size, "escaping does not shorten");

    out = malloc(len ? len : 1);
    FUZZ_CHECK(out != NULL, "out of memory");

    end = lago_webhook_json_escape(out, s, size);
    FUZZ_CHECK(end == out + len, "the announced length is written");
    FUZZ_CHECK(memcmp(s, data, size) == 0, "the input is not changed");

    /* the output's grammar, decoded on the way */

    dec = malloc(size ? size : 1);
    FUZZ_CHECK(dec != NULL, "out of memory");

    k = 0;

    for (i = 0; i < len; i++) {
        c = out[i];

        FUZZ_CHECK(c >= 0x20, "no raw control character");
        FUZZ_CHECK(c != '"' && c != '<' && c != '>' && c != '&',
                   "no raw '\"', '<', '>' or '&'");
        FUZZ_CHECK(!(c == 0xe2 && i + 2 < len && out[i + 1] == 0x80
                     && (out[i + 2] == 0xa8 || out[i + 2] == 0xa9)),
                   "no raw U+2028 or U+2029");

        if (c != '\\') {
            FUZZ_CHECK(k < size, "decodes to no more than the input");
            dec[k++] = c;
            continue;
        }

        FUZZ_CHECK(i + 1 < len, "no lone '\\' at the end");
        c = out[++i];

        if (c == 'u') {
            FUZZ_CHECK(i + 4 < len, "\\u has 4 digits");

            cp = 0;

            for (h = 0; h < 4; h++) {
                c = out[++i];
                FUZZ_CHECK(fuzz_hex_value(c) >= 0
                           && !(c >= 'A' && c <= 'F'),
                           "\\u has lower case hex digits");
                cp = cp * 16 + fuzz_hex_value(c);
            }

            if (cp == 0x2028 || cp == 0x2029) {
                FUZZ_CHECK(k + 3 <= size, "decodes to no more than the input");
                dec[k++] = 0xe2;
                dec[k++] = 0x80;
                dec[k++] = (cp == 0x2028) ? 0xa8 : 0xa9;
                continue;
            }

            FUZZ_CHECK(cp < 0x20 || cp == '<' || cp == '>' || cp == '&',
                       "\\u only for control characters, <, >, &, "
                       "U+2028 and U+2029");
            FUZZ_CHECK(k < size, "decodes to no more than the input");
            dec[k++] = (unsigned char) cp;
            continue;
        }

        switch (c) {
        case '"':
        case '\\':
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        default:
            FUZZ_CHECK(0, "a known escape after '\\'");
        }

        FUZZ_CHECK(k < size, "decodes to no more than the input");
        dec[k++] = c;
    }

    FUZZ_CHECK(k == size && memcmp(dec, s, size) == 0,
               "the output decodes back to the input");

    /* jansson: valid UTF-8 in, the same string out of "..." */

    v = json_stringn((const char *) s, size);
    valid = (v != NULL);
    json_decref(v);

    quoted = malloc(len + 2);
    FUZZ_CHECK(quoted != NULL, "out of memory");

    quoted[0] = '"';
    memcpy(quoted + 1, out, len);
    quoted[len + 1] = '"';

    check = json_loadb((const char *) quoted, len + 2,
                       JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);

    if (valid) {
        FUZZ_CHECK(check != NULL && json_is_string(check),
                   "jansson reads the output of valid UTF-8");
        FUZZ_CHECK(json_string_length(check) == size
                   && memcmp(json_string_value(check), s, size) == 0,
                   "jansson reads back the input");

    } else {
        FUZZ_CHECK(check == NULL,
                   "jansson refuses the output of invalid UTF-8");
    }

    json_decref(check);

    free(quoted);
    free(dec);
    free(out);
    free(s);

    return 0;
}
