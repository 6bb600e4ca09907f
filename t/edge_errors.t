# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# conf/lago_webhook_errors.conf: what nginx answers itself, before the
# module runs or around it (a URI or header too long, a broken request
# line, URI, framing or header set, a temporary file it cannot write, a
# method it refuses, an upstream that fails...), is JSON in Lago's error
# shape instead of nginx's HTML page; the module's own answers are left as
# they are.  conf/lago_webhook_api_only.conf: every path outside the API is
# Lago's JSON 404.
#
# Every block includes the files from conf/ as a user would, at server
# level.  There is no "location /" unless a block adds one, as in a server
# that serves only the API: a path outside /api/v1/ then falls to nginx's
# static handling at server level.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET ();
use Lago;

repeat_each(1);
no_shuffle();
no_root_location();

$ENV{TEST_NGINX_LAGO_CONF} = "$Lago::Root/conf";

# An upstream that accepts connections (the kernel completes them for the
# backlog) and never answers: nginx's proxy read timeout, a 504.
our $Silent = IO::Socket::INET->new(Listen => 8, LocalAddr => '127.0.0.1',
                                    LocalPort => 0)
    or die "listen: $!";
$ENV{TEST_NGINX_SILENT_PORT} = $Silent->sockport;

our $Json = 'application/json; charset=utf-8';
our $BadRequest = '{"status":400,"error":"Bad Request"}';
our $NotFound = '{"status":404,"error":"Not Found","code":"resource_not_found"}';

# Every status nginx has an HTML page for, with Rails' reason phrase; the
# status the client sees (494-497 are sent as 400) and the body.
our @Statuses = (
    [400, 400, 'Bad Request'],
    [401, 401, 'Unauthorized'],
    [402, 402, 'Payment Required'],
    [403, 403, 'Forbidden'],
    [404, 404, 'Not Found', 'resource_not_found'],
    [405, 405, 'Method Not Allowed'],
    [406, 406, 'Not Acceptable'],
    [409, 409, 'Conflict'],
    [410, 410, 'Gone'],
    [411, 411, 'Length Required'],
    [412, 412, 'Precondition Failed'],
    [413, 413, 'Payload Too Large', 'request_body_too_large'],
    [414, 414, 'URI Too Long'],
    [415, 415, 'Unsupported Media Type'],
    [416, 416, 'Range Not Satisfiable'],
    [421, 421, 'Misdirected Request'],
    [429, 429, 'Too Many Requests'],
    [494, 400, 'Bad Request'],
    [495, 400, 'Bad Request'],
    [496, 400, 'Bad Request'],
    [497, 400, 'Bad Request'],
    [500, 500, 'Internal Server Error'],
    [501, 501, 'Not Implemented'],
    [502, 502, 'Bad Gateway'],
    [503, 503, 'Service Unavailable'],
    [504, 504, 'Gateway Timeout'],
    [505, 505, 'HTTP Version Not Supported'],
    [507, 507, 'Insufficient Storage'],
);

sub error_body {
    my ($status, $phrase, $code) = @_;
    return qq({"status":$status,"error":"$phrase")
           . (defined $code ? qq(,"code":"$code") : '') . '}';
}

run_tests();

__DATA__

=== TEST 1: a 10 KB URI is a JSON 414, and the connection is closed
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- raw_request eval
"GET /api/v1/webhook_endpoints/" . ('a' x 10240) . " HTTP/1.1\r\n"
. "Host: localhost\r\n\r\n"
--- error_code: 414
--- response_headers eval
"Content-Type: $main::Json\nConnection: close"
--- response_body chomp
{"status":414,"error":"URI Too Long"}
--- error_log
client sent too long URI
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a 64 KB header line, and 40 KB of headers: nginx's 494, sent as a JSON 400
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["GET /api/v1/webhook_endpoints", "GET /api/v1/webhook_endpoints"]
--- more_headers eval
["X-Big: " . ('h' x 65536),
 CORE::join "\n", map { "X-Part-$_: " . ('p' x 1024) } 1 .. 40]
--- error_code eval
[400, 400]
--- response_headers eval
[("Content-Type: $main::Json\nConnection: close") x 2]
--- response_body eval
[($main::BadRequest) x 2]
--- error_log eval
qr/client sent too (?:long header line|large request)/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: %00 in the path is a JSON 400
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["GET /api/v1/webhook_endpoints/%00",
 "GET /api/v1/%00/webhook_endpoints",
 "DELETE /api/v1/webhook_endpoints/a%00b"]
--- error_code eval
[400, 400, 400]
--- response_headers eval
[("Content-Type: $main::Json\nConnection: close") x 3]
--- response_body eval
[($main::BadRequest) x 3]
--- error_log
client sent invalid request while reading client request line
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: ".." out of /api/v1/ is resolved by nginx to /etc/passwd (a JSON 404 from the static handling), above "/" it is a JSON 400
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["GET /api/v1/../../etc/passwd",
 "GET /api/v1/%2e%2e/%2E%2E/etc/passwd",
 "GET /api/v1/..%2f..%2fetc/passwd",
 "GET /api/v1/../../../etc/passwd"]
--- error_code eval
[404, 404, 404, 400]
--- response_headers eval
[("Content-Type: $main::Json") x 4]
--- response_body eval
[($main::NotFound) x 3, $main::BadRequest]
--- error_log eval
qr{open\(\) "[^"]*/html/etc/passwd" failed \(2: No such file or directory\)|client sent invalid request while reading client request line}
--- no_error_log
[alert]
[crit]



=== TEST 5: broken chunked framing is a JSON 400, on a route that reads the body and on one that discards it
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["POST /api/v1/webhook_endpoints\nzz\r\n{}\r\n0\r\n\r\n",
 "POST /api/v1/webhook_endpoints\n3\r\n{\"webhook_endpoint\":{}}\r\n0\r\n\r\n",
 "GET /api/v1/webhook_endpoints\nzz\r\n{}\r\n0\r\n\r\n"]
--- more_headers
Authorization: Bearer $LAGO_KEY
Transfer-Encoding: chunked
--- error_code eval
[400, 400, 400]
--- response_headers eval
[("Content-Type: $main::Json\nConnection: close") x 3]
--- response_body eval
[($main::BadRequest) x 3]
--- error_log
client sent invalid chunked body
--- no_error_log
[alert]
[crit]



=== TEST 6: a bad request line is a JSON 400; an HTTP version nginx does not speak, a JSON 505
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["GET /api/v1/webhook_endpoints HTTX/1.1",
 "get /api/v1/webhook_endpoints HTTP/1.1",
 "GET /api/v1/webhook_endpoints HTTP/1.1000",
 "GET /api/v1/webhook_endpoints HTTP/2.0",
 "GET /api/v1/webhook_endpoints HTTP/3.1"]
--- error_code eval
[400, 400, 400, 505, 505]
--- response_headers eval
[("Content-Type: $main::Json\nConnection: close") x 5]
--- response_body eval
[($main::BadRequest) x 3,
 ('{"status":505,"error":"HTTP Version Not Supported"}') x 2]
--- error_log eval
qr/client sent invalid (?:request|method|version) while reading client request line/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: header sets nginx refuses: two Content-Length, Content-Length with chunked, an invalid length or Host, chunked in HTTP/1.0 (400); an unknown Transfer-Encoding (501)
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["POST /api/v1/webhook_endpoints\n{}",
 "POST /api/v1/webhook_endpoints\n2\r\n{}\r\n0\r\n\r\n",
 "POST /api/v1/webhook_endpoints\n{}",
 "GET /api/v1/webhook_endpoints",
 "POST /api/v1/webhook_endpoints HTTP/1.0\n2\r\n{}\r\n0\r\n\r\n",
 "POST /api/v1/webhook_endpoints\n{}"]
--- more_headers eval
["Content-Length: 2\nContent-Length: 2",
 "Transfer-Encoding: chunked\nContent-Length: 2",
 "Content-Length: two",
 "Host: bad/host",
 "Transfer-Encoding: chunked",
 "Transfer-Encoding: gzip"]
--- error_code eval
[400, 400, 400, 400, 400, 501]
--- response_headers eval
[("Content-Type: $main::Json\nConnection: close") x 6]
--- response_body eval
[($main::BadRequest) x 5, '{"status":501,"error":"Not Implemented"}']
--- error_log eval
qr/client sent (?:duplicate header line: "Content-Length: 2", previous value: "Content-Length: 2"|"Content-Length" and "Transfer-Encoding" headers at the same time|invalid "Content-Length" header|invalid host header|HTTP\/1\.0 request with "Transfer-Encoding" header|unknown "Transfer-Encoding": "gzip")/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: the module's own location, a temporary file nginx cannot create: a JSON 500
The body is larger than client_body_buffer_size, so nginx spools it to a
file under client_body_temp_path before the module sees it (t/hostile.t
shows the spooling).  That path is a regular file here: nginx starts (its
mkdir finds the name taken) but open() of a file under it fails with
ENOTDIR, even for root, and nginx answers 500 itself.
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ {
        lago_webhook;
        client_body_buffer_size 1k;
        client_body_temp_path $TEST_NGINX_SERVER_ROOT/html/not_a_directory;
    }
--- user_files
>>> not_a_directory
a regular file
--- request eval
"POST /api/v1/webhook_endpoints\n"
. '{"webhook_endpoint":{"webhook_url":"https://big.example","name":"'
. ('n' x 4000) . '"}}'
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code: 500
--- response_headers eval
"Content-Type: $main::Json\nConnection: close"
--- response_body chomp
{"status":500,"error":"Internal Server Error"}
--- error_log eval
qr{\[crit\] .*open\(\) "[^"]*/not_a_directory/\d+" failed \(20: Not a directory\)}
--- no_error_log
[alert]



=== TEST 9: TRACE and CONNECT, which nginx refuses before any location: a JSON 405
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["TRACE /api/v1/webhook_endpoints", "CONNECT /api/v1/webhook_endpoints"]
--- error_code eval
[405, 405]
--- response_headers eval
[("Content-Type: $main::Json") x 2]
--- response_body eval
[('{"status":405,"error":"Method Not Allowed"}') x 2]
--- error_log eval
qr/client sent (?:TRACE|CONNECT) method/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: nginx's own 413, in a location without the module (the module takes client_max_body_size over in its own): the module's JSON 413
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
    location /api/v1/files/ { client_max_body_size 1k; }
--- request eval
"POST /api/v1/files/upload\n" . ('x' x 2000)
--- error_code: 413
--- response_headers eval
"Content-Type: $main::Json\nConnection: close"
--- response_body chomp
{"status":413,"error":"Payload Too Large","code":"request_body_too_large"}
--- error_log
client intended to send too large body: 2000 bytes
--- no_error_log
[alert]
[crit]



=== TEST 11: a range past the end of a static file: a JSON 416
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- user_files
>>> file.txt
hello
--- request
GET /file.txt
--- more_headers
Range: bytes=100-
--- error_code: 416
--- response_headers eval
"Content-Type: $main::Json\nContent-Range: bytes */6"
--- response_body chomp
{"status":416,"error":"Range Not Satisfiable"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: under /api/v1/, an upstream that is not there: a JSON 502
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
    location /api/v1/gone/ {
        proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/no-upstream.sock:/;
    }
--- request
GET /api/v1/gone/x
--- error_code: 502
--- response_headers eval
"Content-Type: $main::Json"
--- response_body chomp
{"status":502,"error":"Bad Gateway"}
--- error_log eval
qr{\[crit\] .*connect\(\) to unix:\S+/no-upstream\.sock failed \(2: No such file or directory\)}
--- no_error_log
[alert]



=== TEST 13: under /api/v1/, an upstream that never answers: a JSON 504
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
    location /api/v1/silent/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SILENT_PORT/;
        proxy_read_timeout 300ms;
    }
--- request
GET /api/v1/silent/x
--- error_code: 504
--- response_headers eval
"Content-Type: $main::Json"
--- response_body chomp
{"status":504,"error":"Gateway Timeout"}
--- error_log
upstream timed out (110: Connection timed out) while reading response header from upstream
--- no_error_log
[alert]
[crit]



=== TEST 14: under /api/v1/, a request over limit_req: a JSON 503 without the module's code
--- http_config
    limit_req_zone $binary_remote_addr zone=edge_errors:1m rate=1r/m;
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ {
        limit_req zone=edge_errors;
        lago_webhook;
    }
--- pipelined_requests eval
["GET /api/v1/webhook_endpoints", "GET /api/v1/webhook_endpoints"]
--- error_code eval
[401, 503]
--- response_headers eval
[("Content-Type: $main::Json") x 2]
--- response_body eval
['{"status":401,"error":"Unauthorized"}',
 '{"status":503,"error":"Service Unavailable"}']
--- no_error_log
[alert]
[crit]



=== TEST 15: every status nginx has a page for, as nginx's own "return N;" sends it: JSON, 494-497 as 400
--- config eval
"include \$TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;\n"
. CORE::join "", map { "location = /status/$_->[0] { return $_->[0]; }\n" }
               @main::Statuses
--- request eval
[map { "GET /status/$_->[0]" } @main::Statuses]
--- error_code eval
[map { $_->[1] } @main::Statuses]
--- response_headers eval
[("Content-Type: $main::Json") x @main::Statuses]
--- response_body eval
[map { main::error_body(@$_[1 .. 3]) } @main::Statuses]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: a header that never ends: nginx closes the connection without a byte (408 is never sent)
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    client_header_timeout 300ms;
    location /api/v1/ { lago_webhook; }
--- raw_request eval
"GET /api/v1/webhook_endpoints HTTP/1.1\r\nHost: localhost\r\n"
--- error_code eval
""
--- response_body eval
""
--- error_log
client timed out
--- no_error_log
[alert]
[crit]



=== TEST 17: a body that stops short: closed without a byte as well
nginx logs nothing above debug level here; the connection closing after
client_body_timeout, well before the client's own timeout, is the proof.
The key is valid: the body of an unknown key is never waited for.
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ {
        lago_webhook;
        client_body_timeout 300ms;
    }
--- request
POST /api/v1/webhook_endpoints
{"webh
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Length: 100
--- error_code eval
""
--- response_body eval
""
--- no_error_log
[alert]
[crit]



=== TEST 18: nginx's own "return 408;": closed without a byte
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location = /status/408 { return 408; }
--- request
GET /status/408
--- error_code eval
""
--- response_body eval
""
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: the module's own error answers are not replaced (their codes stay), nor its successes
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
["GET /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11",
 "POST /api/v1/webhook_endpoints\n{\"other\":{}}",
 "POST /api/v1/webhook_endpoints\n{\"webhook_endpoint\":{\"webhook_url\":\"ftp://x\"}}",
 "GET /api/v1/webhook_endpoints"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[404, 400, 422, 200]
--- response_headers eval
[("Content-Type: $main::Json") x 4]
--- response_body eval
['{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}',
 '{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: webhook_endpoint"}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["url_is_invalid"]}}',
 '{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 20: the module's 503 keeps its code (Redis unreachable)
--- http_config
    lago_webhook_redis 127.0.0.1:1;
    lago_webhook_redis_connect_timeout 200ms;
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer some-key
--- error_code: 503
--- response_headers eval
"Content-Type: $main::Json"
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- no_error_log
[alert]
[crit]



=== TEST 21: nginx's 404 keeps the connection open, like any 404
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
["GET /nothing", "GET /api/v1/webhook_endpoints"]
--- error_code eval
[404, 401]
--- response_headers eval
["Content-Type: $main::Json\nConnection: keep-alive",
 "Content-Type: $main::Json"]
--- response_body eval
[$main::NotFound, '{"status":401,"error":"Unauthorized"}']
--- no_error_log
[alert]
[crit]



=== TEST 22: the error pages' own locations cannot be asked for (a JSON 404); HEAD gets the headers alone
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    location /api/v1/ { lago_webhook; }
--- request eval
["GET /lago_webhook_error/500", "GET /lago_webhook_error/400", "HEAD /nothing"]
--- error_code eval
[404, 404, 404]
--- response_headers eval
[("Content-Type: $main::Json") x 2,
 "Content-Type: $main::Json\nContent-Length: 62"]
--- response_body eval
[($main::NotFound) x 2, ""]
--- no_error_log
[alert]
[crit]



=== TEST 23: with lago_webhook_api_only.conf every path outside the API is Lago's JSON 404, ".." included, and nothing is read from disk
--- config
    include $TEST_NGINX_LAGO_CONF/lago_webhook_errors.conf;
    include $TEST_NGINX_LAGO_CONF/lago_webhook_api_only.conf;
    location /api/v1/ { lago_webhook; }
--- user_files
>>> index.html
a page nginx would serve
--- request eval
["GET /",
 "GET /index.html",
 "POST /index.html\n{}",
 "GET /api/v1",
 "GET /api/v2/webhook_endpoints",
 "GET /api/v1/../../etc/passwd",
 "GET /api/v1/%2e%2e/%2e%2e/etc/passwd",
 "GET /api/v1/webhook_endpoints"]
--- error_code eval
[(404) x 7, 401]
--- response_headers eval
[("Content-Type: $main::Json") x 8]
--- response_body eval
[($main::NotFound) x 7, '{"status":401,"error":"Unauthorized"}']
--- no_error_log
open()
[error]
[alert]
[crit]
