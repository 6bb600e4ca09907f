# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Self-test of the test scaffold, using only stock nginx directives.
# It must pass both with t/lib (prove -I t/lib) and with upstream
# openresty/test-nginx (prove -I <test-nginx>/lib).

use Test::Nginx::Socket;

repeat_each(2);

# per repeat: a status check plus one more check in every block, and 19
# more from blocks that check several headers, log patterns or pipelined
# requests; the 2 shutdown error log checks of TEST 17 are not repeated
plan tests => repeat_each() * (2 * blocks() + 19) + 2;

$ENV{TEST_NGINX_GREETING} = 'howdy';

# blocks that only fetch static files from the default "location /"
# still need some --- config of their own
add_block_preprocessor(sub {
    my $block = shift;

    if (!defined $block->config) {
        $block->set_value(config => "location = /unused { return 204; }");
    }
});

run_tests();

__DATA__

=== TEST 1: plain response body
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
GET /t
--- response_body
hello
--- no_error_log
[error]



=== TEST 2: response headers: value, empty-or-absent, absent
--- config
    location = /t {
        add_header X-Foo "bar baz" always;
        return 200 "ok\n";
    }
--- request
GET /t
--- response_headers
X-Foo: bar baz
X-Missing:
!X-Absent
Content-Type: text/plain
--- response_body
ok



=== TEST 3: response_headers_like and response_body_like
--- config
    location = /t {
        add_header X-Stamp "v1.2.3";
        return 200 "number 42 here\n";
    }
--- request
GET /t
--- response_headers_like
X-Stamp: v\d+\.\d+\.\d+
--- response_body_like: ^number \d+ here$



=== TEST 4: POST with a body gets a Content-Length
--- config
    location = /t {
        return 200 "$request_method len=$content_length\n";
    }
--- request
POST /t
hello, world
--- response_body
POST len=12



=== TEST 5: more_headers reach nginx
--- config
    location = /t {
        return 200 "foo=$http_x_foo bar=$http_x_bar\n";
    }
--- request
GET /t
--- more_headers
X-Foo: one
X-Bar: two words
--- response_body
foo=one bar=two words



=== TEST 6: 404 from a missing file, with error_log and no_error_log
--- request
GET /nothere.html
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
No such file or directory
--- no_error_log
[alert]
[emerg]



=== TEST 7: eval forms of error_log and no_error_log
--- request
GET /nothere.html
--- error_code eval
404
--- response_body_like: 404 Not Found
--- error_log eval
qr/open\(\) ".*?nothere\.html" failed/
--- no_error_log eval
["[crit]", qr/\[emerg\]/]



=== TEST 8: HEAD request has no body
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
HEAD /t
--- response_headers
Content-Length: 6
--- response_body



=== TEST 9: chunked response body is decoded
--- config
    location = /t {
        ssi on;
        ssi_types text/plain;
        set $word "middle";
        return 200 'left <!--# echo var="word" --> right\n';
    }
--- request
GET /t
--- response_headers
Transfer-Encoding: chunked
--- response_body
left middle right



=== TEST 10: request eval and response_body eval
--- config
    location = /t {
        return 200 "args=$args\n";
    }
--- request eval
"GET /t?a=" . (1 + 2)
--- response_body eval
"args=a=3\n"



=== TEST 11: pipelined requests
--- config
    location = /a {
        return 200 "first\n";
    }
    location = /b {
        return 201 "second\n";
    }
--- pipelined_requests eval
["GET /a", "GET /b"]
--- error_code eval
[200, 201]
--- response_body eval
["first\n", "second\n"]
--- no_error_log
[error]



=== TEST 12: raw_request is sent as is
--- config
    location = /t {
        return 200 "$server_protocol\n";
    }
--- raw_request eval
"GET /t HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- response_body
HTTP/1.0



=== TEST 13: http_config, main_config and TEST_NGINX_* expansion
--- main_config
worker_rlimit_nofile 1024;
--- http_config
    map $uri $greeting {
        default "$TEST_NGINX_GREETING";
    }
--- config
    location = /t {
        return 200 "$greeting on $TEST_NGINX_SERVER_PORT\n";
    }
--- request
GET /t
--- response_body
howdy on $TEST_NGINX_SERVER_PORT



=== TEST 14: init runs Perl code before the requests
--- init
my $file = server_root() . "/html/init.txt";
open my $out, '>', $file or die "cannot write $file: $!";
print $out "written by init\n";
close $out;
--- request
GET /init.txt
--- response_body
written by init



=== TEST 15: connection closed without a response
--- config
    location = /t {
        return 444;
    }
--- request
GET /t
--- timeout: 2
--- error_code:
--- response_body:



=== TEST 16: wait before the error log is checked
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- wait: 0.1
--- error_log
http finalize request
--- no_error_log
[error]



=== TEST 17: shutdown error log
--- config
    location = /t {
        return 200 "bye\n";
    }
--- request
GET /t
--- response_body
bye
--- shutdown_error_log
shutting down
--- no_shutdown_error_log
[alert]



=== TEST 18: skipped block
--- SKIP
--- config
    location = /t {
        return 500;
    }
--- request
GET /t
--- response_body
never run
