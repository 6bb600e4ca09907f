
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The event_types helpers on arbitrary lists: the first byte of the input
 * is the separator, the rest split on it gives the elements.  Each element
 * is normalised (checked against Ruby's strip and downcase), looked
 * up (checked against a linear search of the name list), then the list is
 * deduplicated (checked against a quadratic first-occurrence filter).
 */


#include "fuzz.h"

#include <locale.h>
#include <wctype.h>

#include "lago_webhook_event_types.h"


#define FUZZ_MAX_ITEMS  4096


static int fuzz_event_types_is_strip(unsigned char c);
static void fuzz_event_types_downcase(unsigned char *dst,
    const unsigned char *s, size_t len);
static int fuzz_event_types_known(const unsigned char *s, size_t len);
static int fuzz_event_types_equal(const lago_webhook_event_type_str_t *a,
    const lago_webhook_event_type_str_t *b);


static int  fuzz_event_types_unicode;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t       i, n;
    const char  *a, *b;

    /* towlower() of the C.UTF-8 locale is the reference for non-ASCII */

    fuzz_event_types_unicode = (setlocale(LC_CTYPE, "C.UTF-8") != NULL);

    if (!fuzz_event_types_unicode) {
        fprintf(stderr, "no C.UTF-8 locale: only ASCII case is checked\n");
    }

    /* the name list is sorted (the lookup is a binary search) */

    n = lago_webhook_event_type_count();

    FUZZ_CHECK(n > 0, "some names are known");
    FUZZ_CHECK(lago_webhook_event_type_name(n) == NULL, "the list ends");

    for (i = 0; i < n; i++) {
        a = lago_webhook_event_type_name(i);

        FUZZ_CHECK(a != NULL && strchr(a, ',') == NULL,
                   "a name has no ','");
        FUZZ_CHECK(lago_webhook_event_type_is_known(
                       (const unsigned char *) a, strlen(a)),
                   "every listed name is known");

        if (i > 0) {
            b = lago_webhook_event_type_name(i - 1);
            FUZZ_CHECK(strcmp(b, a) < 0, "the names are sorted");
        }
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                          i, j, n, len, start, end, kept, nexpect;
    size_t                         *scratch, max;
    unsigned char                   sep, *buf, *copy, **copies;
    lago_webhook_event_type_str_t  *items, *orig, *expect;

    if (size == 0) {
        return 0;
    }

    sep = data[0];
    data++;
    size--;

    for (max = 1, i = 0; i < size && max < FUZZ_MAX_ITEMS; i++) {
        max += (data[i] == sep);
    }

    items = malloc(max * sizeof(lago_webhook_event_type_str_t));
    orig = malloc(max * sizeof(lago_webhook_event_type_str_t));
    expect = malloc(max * sizeof(lago_webhook_event_type_str_t));
    scratch = malloc(max * sizeof(size_t));
    copies = malloc(max * sizeof(unsigned char *));

    FUZZ_CHECK(items && orig && expect && scratch && copies,
               "out of memory");

    n = 0;
    start = 0;

    while (start <= size && n < max) {

        for (end = start; end < size && data[end] != sep; end++) {
            /* void */
        }

        /* normalise a copy of exactly the element's size, then in place */

        copy = fuzz_dup(data + start, end - start);
        buf = fuzz_dup(data + start, end - start);

        len = lago_webhook_event_type_normalize(copy, data + start,
                                                end - start);
        FUZZ_CHECK(len <= end - start, "normalising does not lengthen");

        FUZZ_CHECK(lago_webhook_event_type_normalize(buf, buf, end - start)
                   == len && memcmp(buf, copy, len) == 0,
                   "normalising in place gives the same");

        /* Ruby: strip (NUL, \t..\r, ' ' at both ends), ASCII downcase */

        i = start;
        j = end;

        while (i < j && fuzz_event_types_is_strip(data[i])) {
            i++;
        }

        while (j > i && fuzz_event_types_is_strip(data[j - 1])) {
            j--;
        }

        FUZZ_CHECK(len == j - i, "the stripped length");

        buf = realloc(buf, len ? len : 1);
        FUZZ_CHECK(buf != NULL, "out of memory");

        fuzz_event_types_downcase(buf, data + i, len);

        FUZZ_CHECK(memcmp(copy, buf, len) == 0,
                   "letters are lower cased as Ruby does, nothing else");

        FUZZ_CHECK(lago_webhook_event_type_normalize(buf, copy, len) == len
                   && memcmp(buf, copy, len) == 0,
                   "normalising is idempotent");

        FUZZ_CHECK(lago_webhook_event_type_is_known(copy, len)
                   == fuzz_event_types_known(copy, len),
                   "the lookup agrees with a linear search");

        free(buf);

        /* the raw element too, so that upper case and spaces get in */

        items[n].data = (start % 2) ? data + start : copy;
        items[n].len = (start % 2) ? end - start : len;
        orig[n] = items[n];
        copies[n] = copy;
        n++;

        start = end + 1;
    }

    /* the expected result: each value at its first occurrence, in order */

    nexpect = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            if (fuzz_event_types_equal(&orig[i], &orig[j])) {
                break;
            }
        }

        if (j == i) {
            expect[nexpect++] = orig[i];
        }
    }

    kept = lago_webhook_event_types_dedup(items, n, scratch);

    FUZZ_CHECK(kept == nexpect, "dedup keeps one of each value");

    for (i = 0; i < kept; i++) {
        FUZZ_CHECK(items[i].data == expect[i].data
                   && items[i].len == expect[i].len,
                   "dedup keeps the first occurrence, in order");
    }

    for (i = 0; i < n; i++) {
        free(copies[i]);
    }

    free(items);
    free(orig);
    free(expect);
    free(scratch);
    free(copies);

    return 0;
}


static int
fuzz_event_types_is_strip(unsigned char c)
{
    return c == '\0' || c == ' ' || (c >= '\t' && c <= '\r');
}


/*
 * The expected normalisation of an already stripped element: ASCII letters
 * lower cased, and the two-byte letters of the alphabets the helper maps
 * (Latin-1, Latin Extended-A, Greek and Coptic, Cyrillic) lower cased as
 * Unicode (and Ruby's downcase) do, where the lower case is two bytes
 * long too; every other byte unchanged.
 */

static void
fuzz_event_types_downcase(unsigned char *dst, const unsigned char *s,
    size_t len)
{
    size_t    i;
    wint_t    lc;
    unsigned  cp;

    for (i = 0; i < len; i++) {

        if (s[i] >= 'A' && s[i] <= 'Z') {
            dst[i] = s[i] | 0x20;
            continue;
        }

        if (s[i] < 0xc2 || s[i] > 0xdf || i + 1 == len
            || (s[i + 1] & 0xc0) != 0x80)
        {
            dst[i] = s[i];
            continue;
        }

        cp = (unsigned) (s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f);

        if (fuzz_event_types_unicode
            && ((cp >= 0xc0 && cp <= 0x17f) || (cp >= 0x370 && cp <= 0x4ff)))
        {
            lc = towlower((wint_t) cp);

            if (lc >= 0x80 && lc <= 0x7ff) {
                cp = (unsigned) lc;
            }
        }

        dst[i] = (unsigned char) (0xc0 | (cp >> 6));
        dst[i + 1] = (unsigned char) (0x80 | (cp & 0x3f));
        i++;
    }
}


static int
fuzz_event_types_known(const unsigned char *s, size_t len)
{
    size_t       i;
    const char  *name;

    for (i = 0; (name = lago_webhook_event_type_name(i)) != NULL; i++) {
        if (strlen(name) == len && memcmp(name, s, len) == 0) {
            return 1;
        }
    }

    return 0;
}


static int
fuzz_event_types_equal(const lago_webhook_event_type_str_t *a,
    const lago_webhook_event_type_str_t *b)
{
    return a->len == b->len
           && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}
