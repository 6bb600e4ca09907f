
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * lago_webhook_uuid_normalize() on arbitrary bytes, checked against a
 * second, independent reading of the same grammar (PostgreSQL's uuid
 * input), and the canonical form it writes.
 */


#include "fuzz.h"

#include "lago_webhook_uuid.h"


static int fuzz_uuid_reference(const unsigned char *s, size_t len,
    unsigned char digits[32]);
static void fuzz_uuid_check_canonical(const unsigned char *out);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             rc, expect;
    size_t          i, k;
    unsigned char  *s, out[LAGO_WEBHOOK_UUID_LEN], digits[32];
    unsigned char   again[LAGO_WEBHOOK_UUID_LEN];
    unsigned char   alt[LAGO_WEBHOOK_UUID_LEN + 2];

    s = fuzz_dup(data, size);

    memset(out, 0xa5, sizeof(out));

    rc = lago_webhook_uuid_normalize(out, s, size);
    expect = fuzz_uuid_reference(s, size, digits);

    FUZZ_CHECK(rc == 0 || rc == -1, "normalize returns 0 or -1");
    FUZZ_CHECK((rc == 0) == expect, "accepted exactly as PostgreSQL does");

    if (rc != 0) {
        for (i = 0; i < sizeof(out); i++) {
            FUZZ_CHECK(out[i] == 0xa5, "out is untouched on failure");
        }

        goto format;
    }

    fuzz_uuid_check_canonical(out);

    /* the same hex digits, lower case, in the same order */

    for (i = 0, k = 0; i < LAGO_WEBHOOK_UUID_LEN; i++) {
        if (out[i] != '-') {
            FUZZ_CHECK(out[i] == digits[k], "the digits are kept");
            k++;
        }
    }

    /* the canonical form, its upper case and braced forms read back */

    FUZZ_CHECK(lago_webhook_uuid_normalize(again, out, sizeof(out)) == 0
               && memcmp(again, out, sizeof(out)) == 0,
               "the canonical form reads back to itself");

    for (i = 0; i < sizeof(out); i++) {
        alt[i] = (out[i] >= 'a' && out[i] <= 'f') ? out[i] - 0x20 : out[i];
    }

    FUZZ_CHECK(lago_webhook_uuid_normalize(again, alt, sizeof(out)) == 0
               && memcmp(again, out, sizeof(out)) == 0,
               "the upper case form reads back to the same");

    alt[0] = '{';
    memcpy(alt + 1, out, sizeof(out));
    alt[sizeof(out) + 1] = '}';

    FUZZ_CHECK(lago_webhook_uuid_normalize(again, alt, sizeof(alt)) == 0
               && memcmp(again, out, sizeof(out)) == 0,
               "the braced form reads back to the same");

format:

    /* any 16 bytes: formatted, then read back */

    if (size >= 16) {
        lago_webhook_uuid_format(out, s);
        fuzz_uuid_check_canonical(out);

        FUZZ_CHECK(lago_webhook_uuid_normalize(again, out, sizeof(out)) == 0
                   && memcmp(again, out, sizeof(out)) == 0,
                   "a formatted uuid reads back to itself");
    }

    free(s);

    return 0;
}


/*
 * Braces optional but paired; 32 hex digits; a '-' only after a multiple of
 * 4 digits, never first, last or twice in a row.  Collects the digits in
 * lower case.
 */

static int
fuzz_uuid_reference(const unsigned char *s, size_t len,
    unsigned char digits[32])
{
    int     dash;
    size_t  i, n;

    if (len >= 1 && s[0] == '{') {
        if (len < 2 || s[len - 1] != '}') {
            return 0;
        }

        s++;
        len -= 2;
    }

    n = 0;
    dash = 0;

    for (i = 0; i < len; i++) {

        if (s[i] == '-') {
            if (dash || n == 0 || n == 32 || n % 4 != 0) {
                return 0;
            }

            dash = 1;
            continue;
        }

        if (fuzz_hex_value(s[i]) < 0 || n == 32) {
            return 0;
        }

        digits[n++] = (s[i] >= 'A' && s[i] <= 'F') ? s[i] + 0x20 : s[i];
        dash = 0;
    }

    return n == 32 && !dash;
}



static void
fuzz_uuid_check_canonical(const unsigned char *out)
{
    size_t  i;

    for (i = 0; i < LAGO_WEBHOOK_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            FUZZ_CHECK(out[i] == '-', "dashes at 8, 13, 18 and 23");

        } else {
            FUZZ_CHECK((out[i] >= '0' && out[i] <= '9')
                       || (out[i] >= 'a' && out[i] <= 'f'),
                       "lower case hex digits elsewhere");
        }
    }
}
