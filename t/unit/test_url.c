
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of lago_webhook_url_is_valid() and lago_webhook_url_is_blank():
 * every example of the API spec (section 5.1), then the edges of Ruby's
 * RFC 3986 parser that the implementation follows.
 */


#include "unit.h"

#include "lago_webhook_url.h"


typedef struct {
    const char  *s;
    size_t       len;
    int          expect;
} test_case_t;


#define Y(lit)  { lit, sizeof(lit) - 1, 1 }
#define N(lit)  { lit, sizeof(lit) - 1, 0 }


static const test_case_t  valid_cases[] = {

    /* spec 5.1, valid */
    Y("http://foo.bar"),
    Y("https://foo.bar"),
    Y("HTTP://FOO.BAR"),
    Y("https://foo"),
    Y("http://localhost:3000/x"),
    Y("http://127.0.0.1"),
    Y("http://[::1]:8080/"),
    Y("http://foo_bar.com"),
    Y("http://user:pass@foo.bar"),
    Y("http://foo.bar:99999"),
    Y("https://-foo.bar"),
    Y("http://foo..bar"),
    Y("http://a"),
    Y("http://%66oo.bar"),
    Y("http://foo.bar/p?a=1&b=2#frag"),
    Y("http://foo.bar?x=<y>"),

    /* spec 5.1, invalid */
    N("ftp://foo.bar"),
    N("ws://x"),
    N("ws://foo.bar/socket"),
    N("mailto:a@b"),
    N("foobar"),
    N("//foo.bar"),
    N("http://"),
    N("http:foo"),
    N("http:///path"),
    N(""),
    N(" http://foo.bar"),
    N("http://foo.bar "),
    N(" http://foo.bar "),
    N("http://foo bar"),
    N("http://foo.bar/a b"),
    N("http://foo.bar:abc"),
    N("http://%zz.bar"),
    N("http://foo.bar/%zz"),
    N("http://foo.bar?a=%zz"),
    N("http://foo.bar#%zz"),
    N("http://ex\xc3\xa4mple.com"),
    N("http://foo.bar/\xc3\xa4"),
    N("http://foo.bar?q=\xc3\xa4"),
    N("http://foo.bar/<"),
    N("http://foo.bar/>"),
    N("http://foo.bar/{"),
    N("http://foo.bar/}"),
    N("http://foo.bar/|"),
    N("http://foo.bar/#a b"),
    N("http://foo.bar#a b"),

    /* NUL is refused anywhere */
    N("http://foo.bar\0"),
    N("http://foo\0.bar"),
    N("http://foo.bar?a=\0"),
    N("\0"),

    /* scheme */
    Y("HtTpS://x"),
    Y("hTTp://x"),
    N("httpx://foo"),
    N("htt://foo"),
    N("https"),
    N("http:"),
    N("https:"),
    N("http:/foo"),
    N("http:/"),
    N(":http://x"),
    N("1http://x"),
    N("h ttp://x"),
    N("http ://x"),
    N("http//foo.bar"),
    N("svn+ssh://foo"),

    /* userinfo */
    Y("http://user@foo.bar"),
    Y("http://@foo.bar"),
    Y("http://u%41:p;=!$&'()*+,-._~@foo.bar"),
    N("http://user@"),
    N("http://user:pass@"),
    N("http://a@b@c"),
    N("http://user:pa%zz@foo"),
    N("http://us er@foo.bar"),

    /* host */
    N("http://:80"),
    N("http://:80/x"),
    N("http://?x"),
    N("http://#x"),
    Y("http://1.2.3.4x"),
    Y("http://999.999.999.999"),
    Y("http://foo.bar."),
    Y("http://-"),
    Y("http://!$&'()*+,;=.-_~"),
    Y("http://%41%42"),
    N("http://%4"),
    N("http://%"),
    N("http://foo\\bar"),
    N("http://foo^bar"),
    N("http://foo\"bar"),
    N("http://foo`bar"),

    /* IP literals */
    Y("http://[::1]"),
    Y("http://[::]"),
    Y("http://[1:2:3:4:5:6:7:8]"),
    Y("http://[1:2:3:4:5:6:7:8]:80/x"),
    Y("http://[ABCD:ef01:2345:6789:abcd:EF01:2345:6789]"),
    Y("http://[1:2:3:4:5:6:1.2.3.4]"),
    Y("http://[::1.2.3.4]"),
    Y("http://[::ffff:192.168.0.1]"),
    Y("http://[1::2:3:4:5:6]"),
    Y("http://[1::2:3:4:5:6:7]"),
    Y("http://[::1:2:3:4:5:6:7]"),
    Y("http://[1:2::3:4:5:6:7]"),
    Y("http://[1:2:3:4:5:6:7::]"),
    Y("http://[1:2:3:4:5:6::7]"),
    Y("http://[1:2:3:4:5::1.2.3.4]"),
    Y("http://[fe80::1]"),
    Y("http://[v1.x]"),
    Y("http://[vAf.a:b;c=d]"),
    Y("http://user@[::1]:1/"),
    N("http://[::1:2:3:4:5:6]"),           /* Ruby's lazy \h{1,4}? */
    N("http://[1:2:3:4:5:6:7]"),
    N("http://[1:2:3:4:5:6:7:8:9]"),
    N("http://[1:2:3:4:5:6:7:8::]"),
    N("http://[1:2:3:4:5:6::7:8]"),
    N("http://[1::2::3]"),
    N("http://[:::]"),
    N("http://[1:::2]"),
    N("http://[:1::]"),
    N("http://[::1:]"),
    N("http://[12345::]"),
    N("http://[g::]"),
    N("http://[::1.2.3.256]"),
    N("http://[::01.2.3.4]"),
    N("http://[::1.2.3]"),
    N("http://[::1.2.3.4.5]"),
    N("http://[1.2.3.4]"),
    N("http://[1.2.3.4::]"),
    N("http://[::1]x"),
    N("http://[::1"),
    N("http://::1]"),
    N("http://[]"),
    N("http://[v1.]"),
    N("http://[v.x]"),
    N("http://[V1.x]"),
    N("http://[v1x]"),
    N("http://[v1.a/b]"),

    /* port */
    Y("http://foo.bar:"),
    Y("http://foo.bar:/x"),
    Y("http://foo.bar:0"),
    Y("http://foo.bar:000080"),
    Y("http://foo.bar:99999999999999999999999"),
    N("http://foo.bar:80:80"),
    N("http://foo.bar:-1"),
    N("http://foo.bar:+1"),
    N("http://foo.bar:8 0"),

    /* path */
    Y("http://foo.bar/"),
    Y("http://foo.bar//"),
    Y("http://foo.bar/a/b/../c/./d"),
    Y("http://foo.bar/@:!$&'()*+,;=-._~"),
    Y("http://foo.bar/a%20b"),
    Y("http://foo.bar/%41%7e"),
    N("http://foo.bar/a%2"),
    N("http://foo.bar/a%"),
    N("http://foo.bar/a%g0"),
    N("http://foo.bar/a\tb"),
    N("http://foo.bar/a\nb"),
    N("http://foo.bar/\n"),
    N("http://foo.bar/\"x\""),
    N("http://foo.bar/a\\b"),
    N("http://foo.bar/^"),
    N("http://foo.bar/`"),
    N("http://foo.bar/[x]"),

    /* query: anything but '#', save %\H\H */
    Y("http://foo.bar?"),
    Y("http://foo.bar/?"),
    Y("http://foo.bar?a b"),
    Y("http://foo.bar?<>{}|\\^`\"[]"),
    Y("http://foo.bar?" "?/:@"),
    Y("http://foo.bar?a\tb\r\nc"),
    Y("http://foo.bar?\x01\x7f"),
    Y("http://foo.bar?%"),
    Y("http://foo.bar?%1"),
    Y("http://foo.bar?%z"),
    Y("http://foo.bar?%z1"),
    Y("http://foo.bar?%1z"),
    Y("http://foo.bar?%41"),
    Y("http://foo.bar?a%#frag"),
    Y("http://foo.bar?%\t1z"),
    N("http://foo.bar?%zz"),
    N("http://foo.bar?a%zzb"),
    N("http://foo.bar?%%z"),
    N("http://foo.bar?%z%"),
    N("http://foo.bar?%\tzz"),
    N("http://foo.bar?%z\r\nz"),
    N("http://foo.bar?%  "),
    N("http://foo.bar?%41%zz"),

    /* fragment */
    Y("http://foo.bar#"),
    Y("http://foo.bar/#"),
    Y("http://foo.bar#a?/b:@!$&'()*+,;="),
    Y("http://foo.bar?a b#c"),
    Y("http://foo.bar#%41"),
    N("http://foo.bar#a#b"),
    N("http://foo.bar?a#b c"),
    N("http://foo.bar#<"),
    N("http://foo.bar#a%"),
    N("http://foo.bar#\t")
};


static const test_case_t  blank_cases[] = {
    Y(""),
    Y(" "),
    Y("   "),
    Y("\t\n\v\f\r "),
    Y("\xc2\xa0"),                         /* U+00A0 */
    Y("\xc2\x85"),                         /* U+0085 */
    Y("\xe1\x9a\x80"),                     /* U+1680 */
    Y("\xe2\x80\x80\xe2\x80\x8a"),         /* U+2000, U+200A */
    Y("\xe2\x80\xa8\xe2\x80\xa9"),         /* U+2028, U+2029 */
    Y("\xe2\x80\xaf\xe2\x81\x9f"),         /* U+202F, U+205F */
    Y(" \xe3\x80\x80 "),                   /* U+3000 */
    N("a"),
    N(" a "),
    N("\0"),
    N(" \0 "),
    N("\xc2"),
    N("\xe2\x80"),
    N("\xe2\x80\x8b"),                     /* U+200B is not White_Space */
    N("\xe1\xa0\x8e"),                     /* nor U+180E */
    N("\xc3\xa4"),
    N("http://foo.bar")
};


int
main(void)
{
    size_t  i;
    char    name[512];

    for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        snprintf(name, sizeof(name), "is_valid(#%zu \"%s\") == %d", i,
                 valid_cases[i].s, valid_cases[i].expect);
        CHECK(lago_webhook_url_is_valid(
                  (const unsigned char *) valid_cases[i].s, valid_cases[i].len)
              == valid_cases[i].expect, name);
    }

    for (i = 0; i < sizeof(blank_cases) / sizeof(blank_cases[0]); i++) {
        snprintf(name, sizeof(name), "is_blank(#%zu) == %d", i,
                 blank_cases[i].expect);
        CHECK(lago_webhook_url_is_blank(
                  (const unsigned char *) blank_cases[i].s, blank_cases[i].len)
              == blank_cases[i].expect, name);
    }

    /* the length is honoured: no reading past it, nothing needs a NUL */

    CHECK(lago_webhook_url_is_valid((const unsigned char *) "http://a.b/x",
                                    10) == 1, "is_valid honours len");
    CHECK(lago_webhook_url_is_valid((const unsigned char *) "http://[::1]",
                                    11) == 0, "is_valid: cut IP literal");
    CHECK(lago_webhook_url_is_valid((const unsigned char *) "http://a%41",
                                    10) == 0, "is_valid: cut escape");
    CHECK(lago_webhook_url_is_blank((const unsigned char *) "  x", 2) == 1,
          "is_blank honours len");
    CHECK(lago_webhook_url_is_blank((const unsigned char *) "\xc2\xa0", 1)
          == 0, "is_blank: cut UTF-8");

    return UNIT_DONE();
}
