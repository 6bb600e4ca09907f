
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the JSON string escaping (API spec section 3): each rule, and
 * that the computed length always matches what is written.
 */


#include "unit.h"

#include "lago_webhook_json_escape.h"


static int
escapes_to(const char *in, size_t len, const char *want, size_t wlen)
{
    size_t          n;
    unsigned char  *end;
    unsigned char   buf[1024];

    n = lago_webhook_json_escaped_len((const unsigned char *) in, len);
    if (n != wlen || n > sizeof(buf) - 1) {
        return 0;
    }

    /* a canary after the end catches a write past the computed length */
    buf[n] = 0xee;

    end = lago_webhook_json_escape(buf, (const unsigned char *) in, len);

    return end == buf + n && buf[n] == 0xee && memcmp(buf, want, n) == 0;
}


#define E(in, out, name)                                                      \
    CHECK(escapes_to((in), sizeof(in) - 1, (out), sizeof(out) - 1), name)


int
main(void)
{
    unsigned        c;
    char            in[2], want[8];
    unsigned char   all[256], buf[2048];
    size_t          n;

    E("", "", "empty");
    E("hello", "hello", "plain ASCII");
    E("\"", "\\\"", "quote");
    E("\\", "\\\\", "backslash");
    E("a\"b\\c", "a\\\"b\\\\c", "quote and backslash inside");
    E("<", "\\u003c", "<");
    E(">", "\\u003e", ">");
    E("&", "\\u0026", "&");
    E("<script>a&b</script>", "\\u003cscript\\u003ea\\u0026b\\u003c/script"
      "\\u003e", "HTML");
    E("/", "/", "slash not escaped");
    E("http://foo.bar/p?a=1&b=2", "http://foo.bar/p?a=1\\u0026b=2", "URL");
    E("\b", "\\b", "backspace");
    E("\f", "\\f", "form feed");
    E("\n", "\\n", "newline");
    E("\r", "\\r", "carriage return");
    E("\t", "\\t", "tab");
    E("\0", "\\u0000", "NUL");
    E("\x01", "\\u0001", "0x01");
    E("\x0b", "\\u000b", "vertical tab, lower-case hex");
    E("\x0e", "\\u000e", "0x0e");
    E("\x1a", "\\u001a", "0x1a lower-case");
    E("\x1f", "\\u001f", "0x1f");
    E(" ", " ", "space");
    E("\x7f", "\x7f", "DEL raw");
    E("'", "'", "apostrophe raw");
    E("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", "UTF-8 raw");
    E("\xe2\x82\xac", "\xe2\x82\xac", "euro sign raw");
    E("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "4-byte UTF-8 raw");
    E("\xe2\x80\xa8", "\\u2028", "U+2028");
    E("\xe2\x80\xa9", "\\u2029", "U+2029");
    E("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "a\\u2028b\\u2029c",
      "U+2028/9 inside");
    E("\xe2\x80\xa7", "\xe2\x80\xa7", "U+2027 raw");
    E("\xe2\x80\xaa", "\xe2\x80\xaa", "U+202A raw");
    E("\xe2\x80", "\xe2\x80", "cut sequence raw");
    E("\xe2", "\xe2", "lone lead byte raw");
    E("\xe2\x80\xe2\x80\xa8", "\xe2\x80\\u2028", "cut then U+2028");
    E("\xc2\xa0", "\xc2\xa0", "U+00A0 raw");

    /* every byte below 0x20 */

    for (c = 0; c < 0x20; c++) {
        in[0] = (char) c;

        switch (c) {
        case '\b': memcpy(want, "\\b", 3); break;
        case '\f': memcpy(want, "\\f", 3); break;
        case '\n': memcpy(want, "\\n", 3); break;
        case '\r': memcpy(want, "\\r", 3); break;
        case '\t': memcpy(want, "\\t", 3); break;
        default:
            snprintf(want, sizeof(want), "\\u%04x", c);
        }

        snprintf((char *) buf, sizeof(buf), "control 0x%02x", c);
        CHECK(escapes_to(in, 1, want, strlen(want)), (char *) buf);
    }

    /* all 256 bytes at once: the length and the writing agree */

    for (c = 0; c < 256; c++) {
        all[c] = (unsigned char) c;
    }

    n = lago_webhook_json_escaped_len(all, sizeof(all));
    CHECK(n == 256 + 27 * 5 + 5 * 1 + 2 * 1 + 3 * 5,
          "all bytes: escaped length");
    CHECK(lago_webhook_json_escape(buf, all, sizeof(all)) == buf + n,
          "all bytes: end pointer");

    /* the worst case the output code reserves without measuring */

    {
        int                         bound_ok = 1;
        static const unsigned char  seps[] = "\xe2\x80\xa8\xe2\x80\xa9";

        for (c = 0; c < 256; c++) {
            bound_ok &= lago_webhook_json_escaped_len(all + c, 1)
                        <= LAGO_WEBHOOK_JSON_ESCAPED_MAX(1);
        }

        bound_ok &= lago_webhook_json_escaped_len(seps, 6)
                    <= LAGO_WEBHOOK_JSON_ESCAPED_MAX(6);
        bound_ok &= lago_webhook_json_escaped_len(all, sizeof(all))
                    <= LAGO_WEBHOOK_JSON_ESCAPED_MAX(sizeof(all));

        CHECK(bound_ok, "no input escapes to more than "
                        "LAGO_WEBHOOK_JSON_ESCAPED_MAX");
    }

    /*
     * Each special byte at each place of a 20-byte run, so that it falls
     * in the first eight-byte test, the second, or the bytes after them.
     */

    {
        int                         placed_ok = 1;
        size_t                      k, j, wlen;
        unsigned char               in[20], want[40];
        static const unsigned char  specials[] = "\"\\<\n\x01";
        static const char          *escaped[] = {
            "\\\"", "\\\\", "\\u003c", "\\n", "\\u0001"
        };

        for (j = 0; j < sizeof(specials) - 1; j++) {
            for (k = 0; k < sizeof(in); k++) {
                memset(in, 'a', sizeof(in));
                in[k] = specials[j];

                memset(want, 'a', k);
                wlen = strlen(escaped[j]);
                memcpy(want + k, escaped[j], wlen);
                memset(want + k + wlen, 'a', sizeof(in) - k - 1);
                wlen += sizeof(in) - 1;

                placed_ok &= escapes_to((const char *) in, sizeof(in),
                                        (const char *) want, wlen);
            }
        }

        CHECK(placed_ok, "a special byte at every place of a run");
    }

    return UNIT_DONE();
}
