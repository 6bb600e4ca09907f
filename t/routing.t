# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Routing: unknown method/path pairs are a 404 resource_not_found that
# needs no key, a trailing "/" and a ".json" suffix reach the same action,
# HEAD is GET without a body, and checks run route -> key -> body -> 404.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket;
use Lago;
use LagoSeed;

repeat_each(1);

# TEST 1 serves "location /" itself
no_root_location();

plan tests => repeat_each() * LagoSeed::count_tests();

run_tests();

__DATA__

=== TEST 1: any other method/path pair is 404 resource_not_found, without a key
--- config
    location / {
        lago_webhook;
    }
--- request eval
['POST /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":{"webhook_url":"http://a"}}',
 'DELETE /api/v1/webhook_endpoints',
 'PUT /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://a"}}',
 'PATCH /api/v1/webhook_endpoints',
 'OPTIONS /api/v1/webhook_endpoints',
 'GET /api/v1/webhook_endpoint',
 'GET /api/v1/webhook_endpointss',
 'GET /api/v1/webhook-endpoints',
 'GET /api/v1/Webhook_Endpoints',
 'GET /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11/extra',
 'GET /api/v1/webhooks/other',
 'GET /api/v1/webhooks',
 'POST /api/v1/webhooks/public_key',
 'DELETE /api/v1/webhooks/json_public_key',
 'GET /api/v2/webhook_endpoints',
 'GET /api/v1/',
 'GET /']
--- error_code eval
[(404) x 17]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"resource_not_found"}') x 17]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: the same 404 with a valid key, and as JSON
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
POST /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":{"webhook_url":"http://a"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 404
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":404,"error":"Not Found","code":"resource_not_found"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a route that does not exist is 404 even with a bad key and a bad body
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['DELETE /api/v1/webhook_endpoints
{"webhook_endpoint":',
 'POST /api/v1/webhook_endpoints/abc
{"webhook_endpoint":']
--- more_headers
Authorization: Bearer 0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
Content-Type: application/json
--- error_code eval
[404, 404]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"resource_not_found"}') x 2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: the collection with a trailing slash or ".json": list and create
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints/',
 'GET /api/v1/webhook_endpoints.json',
 'GET /api/v1/webhook_endpoints.json?per_page=1&page=1',
 'POST /api/v1/webhook_endpoints/
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'POST /api/v1/webhook_endpoints.json
{"webhook_endpoint":{"webhook_url":"http://c"}}',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(200) x 6]
--- response_body_like eval
[(main::lit('{"webhook_endpoints":[@A_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}')) x 3,
 main::lit('{"webhook_endpoint":{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}}'),
 main::lit('{"webhook_endpoint":{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://c","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}}'),
 main::lit('{"webhook_endpoints":[@A_REC@,{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"},{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://c","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":3}}')]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: a member with a trailing slash or ".json": show, update, delete
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints/@A@/',
 'GET /api/v1/webhook_endpoints/@A@.json',
 'PUT /api/v1/webhook_endpoints/@A@.json
{"webhook_endpoint":{"name":"put"}}',
 'PATCH /api/v1/webhook_endpoints/@A@/
{"webhook_endpoint":{"name":"patch"}}',
 'DELETE /api/v1/webhook_endpoints/@A@.json',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 200, 200, 200, 404]
--- response_body eval
[('{"webhook_endpoint":@A_REC@}') x 2,
 '{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"put","event_types":null,"created_at":"@A_AT@"}}',
 ('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"patch","event_types":null,"created_at":"@A_AT@"}}') x 2,
 '{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: HEAD on the list: the headers of GET, no body
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request
HEAD /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 343
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: HEAD on show: the headers of GET, no body
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request
HEAD /api/v1/webhook_endpoints/@A_UC@.json
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 248
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: HEAD on an unknown id: 404 without a body
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
HEAD /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code: 404
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: HEAD without a key: 401 without a body
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
HEAD /api/v1/webhook_endpoints
--- error_code: 401
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: the key comes before the id: 401 for unknown, foreign and non-UUID ids
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'GET /api/v1/webhook_endpoints/not-a-uuid',
 'DELETE /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'PUT /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":{"name":"x"}}',
 'DELETE /api/v1/webhook_endpoints/@A@',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers eval
[('') x 3,
 'Authorization: Bearer 0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'Authorization: Bearer',
 'Authorization: Bearer $LAGO_KEY']
--- error_code eval
[(401) x 5, 200]
--- response_body eval
[('{"status":401,"error":"Unauthorized"}') x 5,
 '{"webhook_endpoint":@A_REC@}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: the key comes before the body: 401, not 400, for a bad body without a key
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['POST /api/v1/webhook_endpoints
{"webhook_endpoint":',
 'POST /api/v1/webhook_endpoints',
 'PUT /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":null}',
 'PATCH /api/v1/webhook_endpoints/abc
not json']
--- more_headers
Content-Type: application/json
--- error_code eval
[(401) x 4]
--- response_body eval
[('{"status":401,"error":"Unauthorized"}') x 4]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: with a key, the body comes before the id: 400, then 404
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['PATCH /api/v1/webhook_endpoints/abc
not json',
 'PATCH /api/v1/webhook_endpoints/abc
{"webhook_endpoint":{"name":"x"}}']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[400, 404]
--- response_body eval
['{"status":400,"error":"Bad Request"}',
 '{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: an "if" block in a lago_webhook location is part of it: creates, updates and the body limit work there
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 120;

        if ($http_x_trace) {
            add_header X-Traced yes always;
        }
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://if.example"}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://if.example/' . ('x' x 120) . '"}}',
 "GET /api/v1/webhook_endpoints"]
--- more_headers
Authorization: Bearer $LAGO_KEY
X-Trace: 1
--- error_code eval
[200, 413, 200]
--- response_body_like eval
['^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://if\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
 '^\{"status":413,"error":"Payload Too Large","code":"request_body_too_large"\}$',
 '^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://if\.example",[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: under limit_except, the methods it lets through are served by the module, not by the static files
--- config
    location /api/v1/ {
        lago_webhook;

        limit_except GET {
            allow 127.0.0.1;
            deny all;
        }
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://limit.example"}}',
 "DELETE /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11",
 "GET /api/v1/webhook_endpoints"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 404, 200]
--- response_body_like eval
['^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://limit\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
 '^\{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"\}$',
 '^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://limit\.example",[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a location nested in a lago_webhook location is its own: served by the module only with lago_webhook in it
--- config
    location /api/v1/ {
        lago_webhook;

        location /api/v1/webhook_endpoints {
            lago_webhook;
            client_max_body_size 70;
        }

        location /api/v1/other/ {
            return 200 "not the API\n";
        }
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://nested.example"}}',
 "POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://nested.example/too/long/for/the/limit"}}',
 "GET /api/v1/other/x",
 "GET /api/v1/webhooks/nothing"]
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 413, 200, 404]
--- response_body_like eval
['^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://nested\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
 '^\{"status":413,"error":"Payload Too Large","code":"request_body_too_large"\}$',
 '^not the API\n$',
 '^\{"status":404,"error":"Not Found","code":"resource_not_found"\}$']
--- no_error_log
[error]
[alert]
[crit]
