
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Lago validates webhook_url with
 *
 *     url = URI.parse(value)
 *     url.host.present? && (url.is_a?(URI::HTTP) || url.is_a?(URI::HTTPS))
 *
 * and treats any exception as "invalid".  URI.parse uses Ruby's RFC 3986
 * parser (lib/uri/rfc3986_parser.rb, the RFC3986_URI regexp), then builds
 * the object with URI::Generic#initialize, whose query= setter can raise
 * too.  The code below is a hand-written parser for the same language, so
 * the set of accepted values is Ruby's, quirks included:
 *
 *   - a value with any byte outside ASCII is refused before any parsing
 *     ("URI must be ascii only");
 *   - the scheme decides the class, compared without regard to case
 *     (URI.for upcases it), so "HTTP://" is URI::HTTP;
 *   - only the "//authority" form can have a host: "http:foo" and
 *     "http:/foo" parse, but with no host, so they are refused;
 *   - a host is an IP literal in brackets or a reg-name; a reg-name is any
 *     run of unreserved, sub-delims and %XX, so "foo_bar", "-foo", "foo..bar"
 *     and "%66oo" are all hosts, and an IPv4 address is just a reg-name;
 *   - the port is any run of digits, with no range check ("99999");
 *   - the query is matched by [^#]* in the regexp, which is looser than RFC
 *     3986: anything but '#' is taken, "<", ">", space and the like included,
 *     and the query= setter then percent-encodes those characters in the
 *     parsed object instead of refusing them.  That is why
 *     "http://foo.bar?x=<y>" is valid while "<" in the path or a space in
 *     the fragment is not.  The same setter refuses a '%' followed by two
 *     characters that are both not hex digits (the /%\H\H/ check), after
 *     dropping tab, CR and LF;
 *   - the fragment is strict: pchar, '/' and '?' only.
 *
 * One deliberate difference: a NUL byte is refused everywhere.  Ruby would
 * take one inside the query, but such a value could not be stored by Lago
 * (PostgreSQL text cannot hold NUL) and is never a usable URL.
 */


#include <stddef.h>

#include "lago_webhook_url.h"


/* character classes of the regexp, as bits */
#define LAGO_WEBHOOK_URL_REG_NAME  0x01  /* [!$&-.0-9;=A-Z_a-z~] */
#define LAGO_WEBHOOK_URL_USERINFO  0x02  /* reg-name and ':' */
#define LAGO_WEBHOOK_URL_SEGMENT   0x04  /* userinfo, '@' and '/' */
#define LAGO_WEBHOOK_URL_FRAGMENT  0x08  /* segment and '?' */


static unsigned lago_webhook_url_class(unsigned char c);
static int lago_webhook_url_is_hex(unsigned char c);
static int lago_webhook_url_is_digit(unsigned char c);
static const unsigned char *lago_webhook_url_run(const unsigned char *p,
    const unsigned char *end, unsigned cls);
static int lago_webhook_url_ip_literal(const unsigned char *p,
    const unsigned char *end);
static int lago_webhook_url_ipv6(const unsigned char *p,
    const unsigned char *end);
static int lago_webhook_url_ipv4(const unsigned char *p,
    const unsigned char *end);
static int lago_webhook_url_h16_list(const unsigned char *p,
    const unsigned char *end, size_t *count, int *ipv4, int allow_ipv4);
static int lago_webhook_url_query_ok(const unsigned char *p,
    const unsigned char *end);
static size_t lago_webhook_url_unicode_space(const unsigned char *p,
    const unsigned char *end);


int
lago_webhook_url_is_blank(const unsigned char *s, size_t len)
{
    size_t                n;
    const unsigned char  *p, *end;

    /*
     * ActiveSupport's String#blank? matches /\A[[:space:]]*\z/, and for a
     * UTF-8 string [[:space:]] is Unicode's White_Space property, so
     * U+00A0, U+2028, U+3000 and the like count as blank, not only ASCII
     * white space.  NUL is not white space there.  A byte sequence that is
     * not one of those characters makes the value not blank.
     */

    p = s;
    end = s + len;

    while (p < end) {

        if ((*p >= 0x09 && *p <= 0x0d) || *p == ' ') {
            p++;
            continue;
        }

        n = lago_webhook_url_unicode_space(p, end);
        if (n == 0) {
            return 0;
        }

        p += n;
    }

    return 1;
}


int
lago_webhook_url_is_valid(const unsigned char *s, size_t len)
{
    size_t                i;
    const unsigned char  *p, *q, *end;

    if (len == 0) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (s[i] == '\0' || s[i] >= 0x80) {
            return 0;
        }
    }

    end = s + len;

    /*
     * The scheme: a letter, then letters, digits, '+', '-', '.', up to ':'.
     * Without that the value is a relative reference (a URI::Generic), or
     * not a URI at all; either way it is not http(s).
     */

    p = s;

    while (p < end
           && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
               || (p > s && (lago_webhook_url_is_digit(*p)
                             || *p == '+' || *p == '-' || *p == '.'))))
    {
        p++;
    }

    if (p == s || p == end || *p != ':') {
        return 0;
    }

    i = (size_t) (p - s);

    if (i < 4 || i > 5
        || (s[0] | 0x20) != 'h' || (s[1] | 0x20) != 't'
        || (s[2] | 0x20) != 't' || (s[3] | 0x20) != 'p'
        || (i == 5 && (s[4] | 0x20) != 's'))
    {
        return 0;
    }

    p++;

    /* only "//" authority gives a host */

    if (end - p < 2 || p[0] != '/' || p[1] != '/') {
        return 0;
    }

    p += 2;

    /*
     * userinfo: the regexp takes the longest run of userinfo characters and
     * wants '@' right after it; if it is not there, there is no userinfo.
     * No other split can succeed, as userinfo has no '/', '?' or '#'.
     */

    q = lago_webhook_url_run(p, end, LAGO_WEBHOOK_URL_USERINFO);
    if (q < end && *q == '@') {
        p = q + 1;
    }

    /* host: an IP literal or a reg-name; it must not be empty */

    if (p < end && *p == '[') {
        q = p + 1;
        while (q < end && *q != ']') {
            q++;
        }

        if (q == end || !lago_webhook_url_ip_literal(p + 1, q)) {
            return 0;
        }

        p = q + 1;

    } else {
        q = lago_webhook_url_run(p, end, LAGO_WEBHOOK_URL_REG_NAME);
        if (q == p) {
            return 0;
        }

        p = q;
    }

    /* port: any digits, none at all included */

    if (p < end && *p == ':') {
        p++;
        while (p < end && lago_webhook_url_is_digit(*p)) {
            p++;
        }
    }

    /* path-abempty */

    if (p < end && *p == '/') {
        p = lago_webhook_url_run(p, end, LAGO_WEBHOOK_URL_SEGMENT);
    }

    if (p < end && *p == '?') {
        q = p + 1;
        while (q < end && *q != '#') {
            q++;
        }

        if (!lago_webhook_url_query_ok(p + 1, q)) {
            return 0;
        }

        p = q;
    }

    if (p < end && *p == '#') {
        p = lago_webhook_url_run(p + 1, end, LAGO_WEBHOOK_URL_FRAGMENT);
    }

    return p == end;
}


static unsigned
lago_webhook_url_class(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9'))
    {
        return LAGO_WEBHOOK_URL_REG_NAME | LAGO_WEBHOOK_URL_USERINFO
               | LAGO_WEBHOOK_URL_SEGMENT | LAGO_WEBHOOK_URL_FRAGMENT;
    }

    switch (c) {

    /* unreserved and sub-delims; '&' to '.' is a range in the regexp */
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case '-': case '.': case ';':
    case '=': case '_': case '~':
        return LAGO_WEBHOOK_URL_REG_NAME | LAGO_WEBHOOK_URL_USERINFO
               | LAGO_WEBHOOK_URL_SEGMENT | LAGO_WEBHOOK_URL_FRAGMENT;

    case ':':
        return LAGO_WEBHOOK_URL_USERINFO | LAGO_WEBHOOK_URL_SEGMENT
               | LAGO_WEBHOOK_URL_FRAGMENT;

    case '@':
    case '/':
        return LAGO_WEBHOOK_URL_SEGMENT | LAGO_WEBHOOK_URL_FRAGMENT;

    case '?':
        return LAGO_WEBHOOK_URL_FRAGMENT;

    default:
        return 0;
    }
}


static int
lago_webhook_url_is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}


static int
lago_webhook_url_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}


/*
 * The end of the longest run of characters of the class or "%XX" escapes.
 * A '%' without two hex digits after it ends the run, and the caller then
 * finds a character it does not expect.
 */

static const unsigned char *
lago_webhook_url_run(const unsigned char *p, const unsigned char *end,
    unsigned cls)
{
    while (p < end) {

        if (*p == '%') {
            if (end - p < 3
                || !lago_webhook_url_is_hex(p[1])
                || !lago_webhook_url_is_hex(p[2]))
            {
                break;
            }

            p += 3;
            continue;
        }

        if (!(lago_webhook_url_class(*p) & cls)) {
            break;
        }

        p++;
    }

    return p;
}


/* what is between '[' and ']': IPv6address or IPvFuture */

static int
lago_webhook_url_ip_literal(const unsigned char *p, const unsigned char *end)
{
    const unsigned char  *q;

    if (p < end && *p == 'v') {

        /* IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) */

        q = ++p;
        while (p < end && lago_webhook_url_is_hex(*p)) {
            p++;
        }

        if (p == q || p == end || *p != '.') {
            return 0;
        }

        q = ++p;
        while (p < end
               && (lago_webhook_url_class(*p) & LAGO_WEBHOOK_URL_USERINFO))
        {
            p++;
        }

        return p > q && p == end;
    }

    return lago_webhook_url_ipv6(p, end);
}


/*
 * IPv6address as Ruby's regexp spells it.  With b groups before "::" and
 * k "h16:" groups after it, followed by ls32 (h16:h16 or an IPv4 address),
 * the alternatives are:
 *
 *     no "::"       6 groups then ls32
 *     b == 0        k == 5
 *     b == 1        k == 4   (Ruby writes \h{1,4}? here: a lazy {1,4}, not
 *                             RFC 3986's optional [h16], so "::" followed by
 *                             4 groups and ls32 is refused)
 *     b <= 2        k == 3
 *     b <= 3        k == 2
 *     b <= 4        k == 1
 *     b <= 5        k == 0
 *     b <= 6        one h16 after "::" (no IPv4)
 *     b <= 7        nothing after "::"
 */

static int
lago_webhook_url_ipv6(const unsigned char *p, const unsigned char *end)
{
    int                   ipv4;
    size_t                b, n, k;
    const unsigned char  *q;

    for (q = p; end - q >= 2; q++) {
        if (q[0] == ':' && q[1] == ':') {
            break;
        }
    }

    if (end - q < 2) {

        /* no "::" */

        if (!lago_webhook_url_h16_list(p, end, &n, &ipv4, 1)) {
            return 0;
        }

        return ipv4 ? n == 6 : n == 8;
    }

    b = 0;
    if (q > p && !lago_webhook_url_h16_list(p, q, &b, &ipv4, 0)) {
        return 0;
    }

    n = 0;
    ipv4 = 0;
    if (q + 2 < end && !lago_webhook_url_h16_list(q + 2, end, &n, &ipv4, 1)) {
        return 0;
    }

    if (!ipv4) {
        if (n == 0) {
            return b <= 7;
        }

        if (n == 1) {
            return b <= 6;
        }

        k = n - 2;

    } else {
        k = n;
    }

    switch (k) {
    case 5:
        return b == 0;
    case 4:
        return b == 1;
    case 3:
        return b <= 2;
    case 2:
        return b <= 3;
    case 1:
        return b <= 4;
    case 0:
        return b <= 5;
    default:
        return 0;
    }
}


/*
 * A non-empty list of h16 separated by single ':'; with allow_ipv4 its last
 * element may be an IPv4 address instead.  *count is the number of h16.
 */

static int
lago_webhook_url_h16_list(const unsigned char *p, const unsigned char *end,
    size_t *count, int *ipv4, int allow_ipv4)
{
    size_t                digits;
    const unsigned char  *q;

    *count = 0;
    *ipv4 = 0;

    for ( ;; ) {

        q = p;
        while (q < end && *q != ':') {
            q++;
        }

        if (q == end && allow_ipv4 && lago_webhook_url_ipv4(p, q)) {
            *ipv4 = 1;
            return 1;
        }

        digits = (size_t) (q - p);
        if (digits < 1 || digits > 4) {
            return 0;
        }

        for ( /* void */ ; p < q; p++) {
            if (!lago_webhook_url_is_hex(*p)) {
                return 0;
            }
        }

        (*count)++;

        if (q == end) {
            return 1;
        }

        p = q + 1;
    }
}


/* dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading zeros */

static int
lago_webhook_url_ipv4(const unsigned char *p, const unsigned char *end)
{
    unsigned  octets, value, digits;

    for (octets = 0; octets < 4; octets++) {

        if (octets > 0) {
            if (p == end || *p != '.') {
                return 0;
            }

            p++;
        }

        value = 0;
        digits = 0;

        while (p < end && lago_webhook_url_is_digit(*p) && digits < 4) {
            value = value * 10 + (unsigned) (*p - '0');
            digits++;
            p++;
        }

        if (digits == 0 || digits > 3 || value > 255
            || (digits > 1 && value < (digits == 2 ? 10u : 100u)))
        {
            return 0;
        }
    }

    return p == end;
}


/*
 * URI::Generic#query= deletes tab, CR and LF, then raises on /%\H\H/: a
 * '%' followed by two characters that are both not hex digits.  Everything
 * else (other than '#', which ended the query) is percent-encoded rather
 * than refused.
 */

static int
lago_webhook_url_query_ok(const unsigned char *p, const unsigned char *end)
{
    int                   found;
    const unsigned char  *q;

    for ( /* void */ ; p < end; p++) {

        if (*p != '%') {
            continue;
        }

        found = 0;

        for (q = p + 1; q < end && found < 2; q++) {

            if (*q == '\t' || *q == '\r' || *q == '\n') {
                continue;
            }

            if (lago_webhook_url_is_hex(*q)) {
                break;
            }

            found++;
        }

        if (found == 2) {
            return 0;
        }
    }

    return 1;
}


/*
 * The length of the UTF-8 encoded White_Space character at p other than the
 * ASCII ones, or 0.
 */

static size_t
lago_webhook_url_unicode_space(const unsigned char *p,
    const unsigned char *end)
{
    size_t  n;

    n = (size_t) (end - p);

    /* U+0085, U+00A0 */
    if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0)) {
        return 2;
    }

    if (n < 3) {
        return 0;
    }

    /* U+1680 */
    if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) {
        return 3;
    }

    /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (p[0] == 0xe2 && p[1] == 0x80
        && ((p[2] >= 0x80 && p[2] <= 0x8a)
            || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
    {
        return 3;
    }

    /* U+205F */
    if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) {
        return 3;
    }

    /* U+3000 */
    if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {
        return 3;
    }

    return 0;
}
