
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * lago_webhook_url_is_valid() and lago_webhook_url_is_blank() on arbitrary
 * bytes: no crash or out of bounds read, and what any accepted value must
 * look like.
 */


#include "fuzz.h"

#include "lago_webhook_url.h"


static int fuzz_url_is_space(unsigned char c);
static int fuzz_url_has_prefix(const unsigned char *s, size_t len,
    const char *prefix);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             valid, blank, again;
    size_t          i, scheme;
    unsigned char  *s, *t;

    s = fuzz_dup(data, size);

    valid = lago_webhook_url_is_valid(s, size);
    blank = lago_webhook_url_is_blank(s, size);

    FUZZ_CHECK(valid == 0 || valid == 1, "is_valid returns 0 or 1");
    FUZZ_CHECK(blank == 0 || blank == 1, "is_blank returns 0 or 1");

    FUZZ_CHECK(memcmp(s, data, size) == 0, "the input is not changed");

    if (size == 0) {
        FUZZ_CHECK(blank && !valid, "the empty value is blank, not valid");
    }

    if (blank) {
        FUZZ_CHECK(!valid, "a blank value is not valid");

        for (i = 0; i < size; i++) {
            FUZZ_CHECK(fuzz_url_is_space(s[i]) || s[i] >= 0x80,
                       "a blank value has only white space bytes");
        }

    } else {
        for (i = 0; i < size; i++) {
            if (!fuzz_url_is_space(s[i])) {
                break;
            }
        }

        FUZZ_CHECK(i < size, "ASCII white space only is blank");
    }

    if (valid) {
        for (i = 0; i < size; i++) {
            FUZZ_CHECK(s[i] != '\0' && s[i] < 0x80,
                       "a valid URL is ASCII without NUL");
        }

        FUZZ_CHECK(fuzz_url_has_prefix(s, size, "http://")
                   || fuzz_url_has_prefix(s, size, "https://"),
                   "a valid URL starts with http:// or https://");

        FUZZ_CHECK(size > sizeof("http://") - 1,
                   "a valid URL has a host");

        /* an empty fragment can be added to a URL that has none */

        if (memchr(s, '#', size) == NULL) {
            t = malloc(size + 1);
            FUZZ_CHECK(t != NULL, "out of memory");

            memcpy(t, s, size);
            t[size] = '#';

            FUZZ_CHECK(lago_webhook_url_is_valid(t, size + 1),
                       "a valid URL stays valid with '#' appended");
            free(t);
        }
    }

    /* the case of the scheme does not matter */

    for (scheme = 0; scheme < size && scheme < 6; scheme++) {
        if (s[scheme] == ':') {
            break;
        }
    }

    if (scheme < size && s[scheme] == ':') {
        t = fuzz_dup(s, size);

        for (i = 0; i < scheme; i++) {
            if ((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z') {
                t[i] ^= 0x20;
            }
        }

        again = lago_webhook_url_is_valid(t, size);
        FUZZ_CHECK(again == valid, "the case of the scheme does not matter");
        free(t);
    }

    free(s);

    return 0;
}


static int
fuzz_url_is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}


static int
fuzz_url_has_prefix(const unsigned char *s, size_t len, const char *prefix)
{
    size_t         i, n;
    unsigned char  c;

    n = strlen(prefix);

    if (len < n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        c = (unsigned char) prefix[i];

        if (c >= 'a' && c <= 'z') {
            if ((s[i] | 0x20) != c) {
                return 0;
            }

        } else if (s[i] != c) {
            return 0;
        }
    }

    return 1;
}
