# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Hostile and odd input: each gets the spec's answer or a clear JSON 4xx,
# and nothing is written (the list afterwards is checked where a write
# could have happened).

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Lago;

repeat_each(1);
no_shuffle();

our $Empty = '{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}';
our $BadRequest = '{"status":400,"error":"Bad Request"}';

run_tests();

__DATA__

=== TEST 1: a body bigger than client_body_buffer_size is spooled to a file and read
--- config
    location /api/v1/ {
        lago_webhook;
        client_body_buffer_size 1k;
    }
--- request eval
"POST /api/v1/webhook_endpoints\n"
. '{"webhook_endpoint":{"webhook_url":"https://big.example","name":"'
. ('n' x 2048) . '"}}'
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like eval
qr/^\{"webhook_endpoint":\{"lago_id":"$Lago::Uuid","lago_organization_id":"[^"]+","webhook_url":"https:\/\/big\.example","signature_algo":"jwt","name":"n{2048}","event_types":null,"created_at":"$Lago::Time"\}\}$/
--- no_error_log
[alert]
[crit]
[error]



=== TEST 2: a raw NUL in a string is malformed JSON; an escaped \u0000 is valid JSON, refused as a value (422); nothing written
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- pipelined_requests eval
["POST /api/v1/webhook_endpoints\n"
 . qq({"webhook_endpoint":{"webhook_url":"https://a.example","name":"a\0b"}}),
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","name":"a\u0000b"}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example/\u0000"}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","event_types":["customer.created","customer.\u0000created","nope"]}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"\u0000","signature_algo":"jwt\u0000","name":"\u0000","event_types":["\u0000"]}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","name":"\u0000\u0000"}}',
 "GET /api/v1/webhook_endpoints"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[400, 422, 422, 422, 422, 422, 200]
--- response_body eval
[$main::BadRequest,
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"name":["value_is_invalid"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["url_is_invalid"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":["value_is_invalid"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["url_is_invalid"],"signature_algo":["value_is_invalid"],"name":["value_is_invalid"],"event_types":["value_is_invalid"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"name":["value_is_invalid"]}}',
 $main::Empty]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 3: deeply nested JSON and numbers out of range: 400, nothing written
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- pipelined_requests eval
["POST /api/v1/webhook_endpoints\n" . ('[' x 100000) . (']' x 100000),
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","name":'
 . ('[' x 5000) . (']' x 5000) . '}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","name":1e999}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","name":'
 . ('9' x 400) . '}}',
 "GET /api/v1/webhook_endpoints"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[400, 400, 400, 400, 200]
--- response_body eval
[($main::BadRequest) x 4, $main::Empty]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 4: duplicate keys: the last one wins, as in Ruby
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"ftp://first","webhook_url":"https://last.example","name":"x","name":"y"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://last\.example","signature_algo":"jwt","name":"y","event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[alert]
[crit]
[error]



=== TEST 5: any Content-Type: the body is JSON all the same
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://typed.example"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/x-www-form-urlencoded
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://typed\.example",
--- no_error_log
[alert]
[crit]
[error]



=== TEST 6: a chunked body is read whole
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- raw_request eval
my $body = '{"webhook_endpoint":{"webhook_url":"https://chunked.example"}}';
"POST /api/v1/webhook_endpoints HTTP/1.1\r\nHost: localhost\r\n"
. "Authorization: Bearer \$LAGO_KEY\r\nConnection: close\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n%s\r\n", 10, substr($body, 0, 10))
. sprintf("%x\r\n%s\r\n", length($body) - 10, substr($body, 10))
. "0\r\n\r\n"
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://chunked\.example",
--- no_error_log
[alert]
[crit]
[error]



=== TEST 7: a very long key is only an unknown key
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer " . ('k' x 6000)
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]
[error]



=== TEST 8: ids with odd characters are the 404 of an unknown id
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- pipelined_requests eval
["GET /api/v1/webhook_endpoints/%01",
 "GET /api/v1/webhook_endpoints/%C3%A9t%C3%A9",
 "GET /api/v1/webhook_endpoints/" . ('a' x 3000),
 "GET /api/v1/webhook_endpoints/'%20OR%201=1",
 "DELETE /api/v1/webhook_endpoints/*",
 "PUT /api/v1/webhook_endpoints/%7B%7D\n{\"webhook_endpoint\":{\"name\":\"x\"}}"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[(404) x 6]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}') x 6]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 9: an unknown key with a body over the limit: the key is checked first
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 1k;
    }
--- request eval
"POST /api/v1/webhook_endpoints\n" . ('x' x 5000)
--- more_headers
Authorization: Bearer not-a-key
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]
[error]



=== TEST 10: a 4 MB chunked body against a 1k limit: read and dropped, a JSON 413, nothing spooled
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 1k;
        client_body_buffer_size 1k;
    }
--- raw_request eval
my $chunk = 'y' x 65536;
"POST /api/v1/webhook_endpoints HTTP/1.1\r\nHost: localhost\r\n"
. "Authorization: Bearer \$LAGO_KEY\r\nConnection: close\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. (sprintf("%x\r\n%s\r\n", length $chunk, $chunk) x 64)
. "0\r\n\r\n"
--- error_code: 413
--- response_body chomp
{"status":413,"error":"Payload Too Large","code":"request_body_too_large"}
--- no_error_log
[alert]
[crit]
[error]
a client request body is buffered to a temporary file



=== TEST 11: over the limit after part of the body went to a temporary file: a JSON 413
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 8k;
        client_body_buffer_size 1k;
    }
--- request eval
"POST /api/v1/webhook_endpoints\n"
. '{"webhook_endpoint":{"webhook_url":"https://a.example","name":"'
. ('z' x 20000) . '"}}'
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code: 413
--- response_body chomp
{"status":413,"error":"Payload Too Large","code":"request_body_too_large"}
--- no_error_log
[alert]
[crit]
[error]



=== TEST 12: numbers given as a name are written as Ruby's to_s writes them
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 20;
    }
--- pipelined_requests eval
[map { "POST /api/v1/webhook_endpoints\n"
       . qq({"webhook_endpoint":{"webhook_url":"https://n$_.example","name":$_}}) }
 qw(10.0 1500.0 1e20 0.0001 0.00001 -2.5e-7 1e15 1e16 0.1 12 -0)]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like eval
[map { qr/"name":"\Q$_\E","event_types"/ }
 qw(10.0 1500.0 1.0e+20 0.0001 1.0e-05 -2.5e-07 1000000000000000.0 1.0e+16 0.1 12 0)]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 13: an unknown key with a body that never ends: the 401 comes at once, before any body byte is read
--- config
    location /api/v1/ {
        lago_webhook;
        # what the client goes on sending is read for this long
        lingering_timeout 200ms;
    }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://never.example"
--- more_headers
Authorization: Bearer not-a-key
Content-Length: 1000000000000
--- timeout: 3
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]
[error]



=== TEST 14: no key at all, an endless chunked body: the 401 comes at once
--- config
    location /api/v1/ {
        lago_webhook;
        # what the client goes on sending is read for this long
        lingering_timeout 200ms;
    }
--- request eval
"POST /api/v1/webhook_endpoints\n" . sprintf("%x\r\n%s\r\n", 20, 'x' x 20)
--- more_headers
Transfer-Encoding: chunked
--- timeout: 3
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]
[error]



=== TEST 15: a valid key with a Content-Length over the limit: the JSON 413 comes at once, the body is never read, nothing is written
--- config
    location /api/v1/ {
        lago_webhook;
        # what the client goes on sending is read for this long
        lingering_timeout 200ms;
        client_max_body_size 100;
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://over.example"}}',
 "GET /api/v1/webhook_endpoints"]
--- more_headers eval
["Authorization: Bearer \$LAGO_KEY\nContent-Length: 1000000000000",
 "Authorization: Bearer \$LAGO_KEY"]
--- timeout: 3
--- error_code eval
[413, 200]
--- response_body eval
['{"status":413,"error":"Payload Too Large","code":"request_body_too_large"}',
 $main::Empty]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 16: a valid key with an endless chunked body: the JSON 413 comes as soon as the body passes the limit, nothing is written
--- config
    location /api/v1/ {
        lago_webhook;
        # what the client goes on sending is read for this long
        lingering_timeout 200ms;
        client_max_body_size 100;
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . CORE::join('', map { sprintf("%x\r\n%s\r\n", length $_, $_) }
     '{"webhook_endpoint":{"webhook_url":"https://chunk.example",',
     '"name":"' . ('n' x 60)),
 "GET /api/v1/webhook_endpoints"]
--- more_headers eval
["Authorization: Bearer \$LAGO_KEY\nTransfer-Encoding: chunked",
 "Authorization: Bearer \$LAGO_KEY"]
--- timeout: 3
--- error_code eval
[413, 200]
--- response_body eval
['{"status":413,"error":"Payload Too Large","code":"request_body_too_large"}',
 $main::Empty]
--- response_headers eval
["Connection: close", ""]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 17: a webhook_url or name over lago_webhook_max_value_length (2048 bytes by default) is a 422 value_is_too_long; nothing written
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example/' . ('p' x 2031) . '","name":"' . ('<' x 2049) . '"}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example","name":"' . ('\\u00e9' x 1025) . '"}}',
 "GET /api/v1/webhook_endpoints"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[422, 422, 200]
--- response_body eval
['{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_is_too_long"],"name":["value_is_too_long"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"name":["value_is_too_long"]}}',
 $main::Empty]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 18: lago_webhook_max_value_length sets the limit; a value at the limit is taken
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_value_length 24;
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example/123456","name":"' . ('n' x 24) . '"}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://a.example/1234567","name":"' . ('n' x 25) . '"}}']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 422]
--- response_body_like eval
['^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://a\.example/123456","signature_algo":"jwt","name":"n{24}","event_types":null,"created_at":"$LAGO_TIME"\}\}$',
 '^\{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":\{"webhook_url":\["value_is_too_long"\],"name":\["value_is_too_long"\]\}\}$']
--- no_error_log
[alert]
[crit]
[error]
