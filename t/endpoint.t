# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Show, update (PUT and PATCH) and delete of one webhook endpoint: id
# normalisation, 404s, partial updates, update validation, and the URL
# index kept in step with updates and deletes.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket;
use Lago;
use LagoSeed;

repeat_each(1);

plan tests => repeat_each() * LagoSeed::count_tests();

run_tests();

__DATA__

=== TEST 1: show: the record, exactly
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'https://a.example/hook?x=1',
                              name => 'first', signature_algo => 'hmac',
                              event_types => ['invoice.created',
                                              'customer.created']});
--- request
GET /api/v1/webhook_endpoints/@A@
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"webhook_endpoint":@A_REC@}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: show: upper case, unhyphenated and braced ids are normalised
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints/@A_UC@',
 'GET /api/v1/webhook_endpoints/@A_HEX@',
 'GET /api/v1/webhook_endpoints/%7B@A@%7D',
 'GET /api/v1/webhook_endpoints/%7B@A_UC@%7D',
 'GET /api/v1/webhook_endpoints/{@A_HEX@}']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body eval
[('{"webhook_endpoint":@A_REC@}') x 5]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: show: anything that is not a UUID is a 404
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints/abc',
 'GET /api/v1/webhook_endpoints/123',
 'GET /api/v1/webhook_endpoints/@A@0',
 'GET /api/v1/webhook_endpoints/x@A@',
 'GET /api/v1/webhook_endpoints/@A@-',
 'GET /api/v1/webhook_endpoints/%7B@A@',
 'GET /api/v1/webhook_endpoints/@A@%7D',
 'GET /api/v1/webhook_endpoints/%20@A@',
 'GET /api/v1/webhook_endpoints/g0000000-0000-4000-8000-000000000000',
 'GET /api/v1/webhook_endpoints/null']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[(404) x 10]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}') x 10]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: update and delete of a non-UUID id are 404s too
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['PUT /api/v1/webhook_endpoints/abc
{"webhook_endpoint":{"name":"x"}}',
 'PATCH /api/v1/webhook_endpoints/12345
{"webhook_endpoint":{"name":"x"}}',
 'DELETE /api/v1/webhook_endpoints/abc']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[404, 404, 404]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}') x 3]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: unknown ids: 404 for show, update and delete
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'PUT /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":{"name":"x"}}',
 'PATCH /api/v1/webhook_endpoints/00000000-0000-0000-0000-000000000000
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'DELETE /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[404, 404, 404, 404, 200]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}') x 4,
 '{"webhook_endpoints":[@A_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: another organization's id is a 404, and it stays untouched
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'mine'});
--- request eval
['GET /api/v1/webhook_endpoints/@A@',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"theirs"}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'DELETE /api/v1/webhook_endpoints/@A@',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers eval
[('Authorization: Bearer $LAGO_KEY2
Content-Type: application/json') x 4,
 'Authorization: Bearer $LAGO_KEY']
--- error_code eval
[404, 404, 404, 404, 200]
--- response_body eval
[('{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}') x 4,
 '{"webhook_endpoint":@A_REC@}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: PUT is partial: only the fields sent change
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'old',
                              signature_algo => 'hmac',
                              event_types => ['invoice.created']});
--- request eval
['PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"new"}}',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200]
--- response_body eval
[('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"hmac","name":"new","event_types":["invoice.created"],"created_at":"@A_AT@"}}') x 2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: PATCH changes URL, signature_algo and event_types, keeps name
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'keep'});
--- request eval
['PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"https://b.example/x","signature_algo":"hmac","event_types":[" Invoice.Created ","customer.created","invoice.created",null,""]}}',
 'GET /api/v1/webhook_endpoints/@A@',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"signature_algo":"jwt","event_types":["*"]}}',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"https://b.example/x","signature_algo":"hmac","name":"keep","event_types":["invoice.created","customer.created"],"created_at":"@A_AT@"}}') x 2,
 ('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"https://b.example/x","signature_algo":"jwt","name":"keep","event_types":null,"created_at":"@A_AT@"}}') x 2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: "name":null and "event_types":null set null, [] stays []
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'named',
                              event_types => ['invoice.created']});
--- request eval
['PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":null,"event_types":[]}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"event_types":null}}',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 200]
--- response_body eval
['{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":null,"event_types":[],"created_at":"@A_AT@"}}',
 ('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":null,"event_types":null,"created_at":"@A_AT@"}}') x 2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: lago_id, lago_organization_id and created_at never change; unknown fields are ignored
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"lago_id":"0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11","lago_organization_id":"0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a12","created_at":"2000-01-01T00:00:00Z","updated_at":"2000-01-01T00:00:00Z","webhook_url":"http://b","extra":{"a":[1]}}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"unknown":1}}',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 200]
--- response_body eval
[('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"@A_AT@"}}') x 3]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: update with a missing or bad root key: 400, and nothing changes
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'n'});
--- request eval
['PUT /api/v1/webhook_endpoints/@A@',
 'PUT /api/v1/webhook_endpoints/@A@
{}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_url":"http://b"}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":null}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{}}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":[]}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":""}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":"abc"}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":1}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":true}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":["a"]}',
 'PUT /api/v1/webhook_endpoints/@A@
[{"webhook_endpoint":{"name":"x"}}]',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"x"}',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(400) x 13, 200]
--- response_body eval
[('{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: webhook_endpoint"}') x 12,
 '{"status":400,"error":"Bad Request"}',
 '{"webhook_endpoint":@A_REC@}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: unknown id with a missing root key or bad JSON: the 400 comes first
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['PUT /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"name":"x"}',
 'PATCH /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'PUT /api/v1/webhook_endpoints/not-a-uuid
{"webhook_endpoint":null}',
 'PATCH /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":',
 'PUT /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":{"webhook_url":"ftp://x"}}']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[400, 400, 400, 400, 404]
--- response_body eval
[('{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: webhook_endpoint"}') x 3,
 '{"status":400,"error":"Bad Request"}',
 '{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: update to another endpoint's URL: 422 value_already_exist, nothing changes; its own URL is fine
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a', B => {webhook_url => 'http://b',
                                              name => 'bee'});
--- request eval
['PUT /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"webhook_url":"http://a","name":"changed"}}',
 'GET /api/v1/webhook_endpoints/@B@',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"http://a","name":"same url"}}',
 'PUT /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[422, 200, 200, 200, 200]
--- response_body eval
['{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_already_exist"]}}',
 '{"webhook_endpoint":@B_REC@}',
 '{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"same url","event_types":null,"created_at":"@A_AT@"}}',
 '{"webhook_endpoint":@B_REC@}',
 '{"webhook_endpoints":[{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"same url","event_types":null,"created_at":"@A_AT@"},@B_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":2}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: update validation: signature_algo and webhook_url
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'n',
                              signature_algo => 'hmac'});
--- request eval
['PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"signature_algo":null}}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"signature_algo":"JWT","name":"changed"}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"signature_algo":""}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"signature_algo":1}}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":null}}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":""}}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"   "}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"ftp://foo.bar","name":"changed"}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":" http://a"}}',
 'GET /api/v1/webhook_endpoints/@A@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 9, 200]
--- response_body eval
[('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"signature_algo":["value_is_invalid"]}}') x 4,
 ('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_is_mandatory","url_is_invalid"]}}') x 3,
 ('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["url_is_invalid"]}}') x 2,
 '{"webhook_endpoint":@A_REC@}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: update validation: event_types, and several errors in order
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a',
                        B => {webhook_url => 'http://b',
                              event_types => ['invoice.created']});
--- request eval
['PUT /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"event_types":"invoice.created"}}',
 'PUT /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"event_types":{"a":1}}}',
 'PATCH /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"event_types":["a.b","invoice.created"," C "]}}',
 'PATCH /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"event_types":["*","invoice.created"]}}',
 'PUT /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"webhook_url":"foobar","signature_algo":"x","event_types":5,"name":"changed"}}',
 'PUT /api/v1/webhook_endpoints/@B@
{"webhook_endpoint":{"event_types":["nope"],"signature_algo":null,"webhook_url":"http://a"}}',
 'GET /api/v1/webhook_endpoints/@B@']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 6, 200]
--- response_body eval
[('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":["must_be_array"]}}') x 2,
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":["contains invalid types: [\"a.b\", \"c\"]"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":["contains invalid types: [\"*\"]"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["url_is_invalid"],"signature_algo":["value_is_invalid"],"event_types":["must_be_array"]}}',
 '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_already_exist"],"signature_algo":["value_is_invalid"],"event_types":["contains invalid types: [\"nope\"]"]}}',
 '{"webhook_endpoint":@B_REC@}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: update at the maximum number of endpoints is no "base" error
--- config
    lago_webhook_max_endpoints 1;

    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request
PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"http://b","name":"at the limit"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- response_body chomp
{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":"at the limit","event_types":null,"created_at":"@A_AT@"}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a URL change moves the URL index: the old URL is free, the new one taken
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
--- request eval
['PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://a"}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"webhook_url":"http://a"}}',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 422, 200, 422, 200]
--- response_body_like eval
[main::lit('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"@A_AT@"}}'),
 main::lit('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_already_exist"]}}'),
 main::lit('{"webhook_endpoint":{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}}'),
 main::lit('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_already_exist"]}}'),
 main::lit('{"webhook_endpoints":[{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"},{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"@A_AT@"}],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":2}}')]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: delete returns the record; then it is gone from show, update, delete and list, and its URL is free
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'gone',
                              signature_algo => 'hmac',
                              event_types => ['invoice.created']},
                        B => 'http://b');
--- request eval
['DELETE /api/v1/webhook_endpoints/@A@',
 'GET /api/v1/webhook_endpoints/@A@',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"x"}}',
 'DELETE /api/v1/webhook_endpoints/@A@',
 'GET /api/v1/webhook_endpoints',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://a"}}']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 404, 404, 404, 200, 200]
--- response_body_like eval
[main::lit('{"webhook_endpoint":@A_REC@}'),
 (main::lit('{"status":404,"error":"Not Found","code":"webhook_endpoint_not_found"}')) x 3,
 main::lit('{"webhook_endpoints":[@B_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}'),
 main::lit('{"webhook_endpoint":{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}}')]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: delete and update by a normalised id answer with the lower-case id
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a', B => 'http://b');
--- request eval
['PATCH /api/v1/webhook_endpoints/%7B@A_UC@%7D
{"webhook_endpoint":{"name":"braced"}}',
 'DELETE /api/v1/webhook_endpoints/@B_HEX@',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 200]
--- response_body eval
['{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"braced","event_types":null,"created_at":"@A_AT@"}}',
 '{"webhook_endpoint":@B_REC@}',
 '{"webhook_endpoints":[{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"braced","event_types":null,"created_at":"@A_AT@"}],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}']
--- no_error_log
[error]
[alert]
[crit]
