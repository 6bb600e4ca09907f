# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# POST /api/v1/webhook_endpoints: authentication, the record it returns,
# the 400s, the 422s (URL rules, event_types, the maximum, duplicates)
# and the order of the checks.
#
# Blocks with several requests use --- pipelined_requests; a rejected
# create is followed by a GET of the list to show that nothing was written.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Lago;

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: the documented request (hmac) creates the seven-field record
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{
  "webhook_endpoint": {
    "webhook_url": "https://foo.bar",
    "signature_algo": "hmac"
  }
}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"hmac","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: auth: no Authorization header is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: auth: an empty Authorization header is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization:
Content-Type: application/json
--- error_code: 401
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: auth: the single word "Bearer" is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Bearer
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: auth: a valid key as the only word is a 401 (the key is the second word)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: $LAGO_KEY
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: auth: Bearer and an unknown key is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Bearer 0f3c1a52-9a1e-4d7b-8c51-2b7e4f1d9a60
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: auth: Bearer and a key that is not even a UUID is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Bearer not-a-key
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: auth: the first word is not checked (a valid key after "Token")
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Token $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: auth: the key is the second whitespace-separated word (runs of blanks, a third word)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers eval
"Authorization: bearer \t  \$LAGO_KEY   extra\nContent-Type: application/json"
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: auth: an expired key is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers eval
my ($org) = Lago::new_org();
my $key = Lago::expire_key(Lago::new_key($org), 1577836800);
"Authorization: Bearer $key\nContent-Type: application/json"
--- error_code: 401
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: auth: a key that expires in the future is accepted
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers eval
my ($org) = Lago::new_org();
my ($key) = Lago::admin('key', 'create', '--org', $org,
                        '--expires-at', '2999-01-01T00:00:00Z')
            =~ /^api_key=(\S+)$/m;
"Authorization: Bearer $key\nContent-Type: application/json"
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_UUID","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: auth: a revoked key is a 401
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers eval
my ($org, $key) = Lago::new_org();
Lago::admin('key', 'revoke', $key);
"Authorization: Bearer $key\nContent-Type: application/json"
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: order: the key is checked before the body (malformed JSON, no key)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: order: the key is checked before the body (no body, unknown key)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer 0f3c1a52-9a1e-4d7b-8c51-2b7e4f1d9a60
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: order: an unauthenticated create with invalid fields is a 401 and writes nothing
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"ftp://x","signature_algo":"x"}}~,
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers eval
[
"Content-Type: application/json",
"Authorization: Bearer 0f3c1a52-9a1e-4d7b-8c51-2b7e4f1d9a60\nContent-Type: application/json",
"Authorization: Bearer \$LAGO_KEY",
]
--- error_code eval
[401, 401, 200]
--- response_body_like eval
[
'^\{"status":401,"error":"Unauthorized"\}$',
'^\{"status":401,"error":"Unauthorized"\}$',
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: permissions: a read-only key may not create (403, nothing written)
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers eval
my ($org, $key) = Lago::new_org();
[
"Authorization: Bearer " . Lago::new_key($org, 'webhook_endpoint:read') . "\nContent-Type: application/json",
"Authorization: Bearer $key",
]
--- error_code eval
[403, 200]
--- response_headers eval
[("Content-Type: application/json; charset=utf-8") x 2]
--- response_body_like eval
[
'^\{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"\}$',
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: permissions: a key with rights on webhook_jwt_public_key only may not create (403, nothing written)
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers eval
my ($org, $key) = Lago::new_org();
[
"Authorization: Bearer " . Lago::new_key($org, 'webhook_jwt_public_key:read,write') . "\nContent-Type: application/json",
"Authorization: Bearer $key",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[
'^\{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"\}$',
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: permissions: the 403 comes before the 400 (read-only key, malformed body)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":
--- more_headers eval
my ($org) = Lago::new_org();
"Authorization: Bearer " . Lago::new_key($org, 'webhook_endpoint:read') . "\nContent-Type: application/json"
--- error_code: 403
--- response_body chomp
{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: permissions: a write-only key may create
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar","signature_algo":"hmac"}}
--- more_headers eval
my ($org) = Lago::new_org();
"Authorization: Bearer " . Lago::new_key($org, 'webhook_endpoint:write') . "\nContent-Type: application/json"
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_UUID","webhook_url":"https://foo\.bar","signature_algo":"hmac","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 20: route: an unknown path is a 404 resource_not_found, no key needed
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoint
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
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



=== TEST 21: route: POST on a member is a 404 resource_not_found, no key needed
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints/0f3c1a52-9a1e-4d7b-8c51-2b7e4f1d9a60
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Content-Type: application/json
--- error_code: 404
--- response_body chomp
{"status":404,"error":"Not Found","code":"resource_not_found"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 22: route: a trailing slash and a .json suffix reach create
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints/\n" . q~{"webhook_endpoint":{"webhook_url":"https://a.test"}}~,
"POST /api/v1/webhook_endpoints.json\n" . q~{"webhook_endpoint":{"webhook_url":"https://b.test"}}~,
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200]
--- response_body_like eval
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://a\.test","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://b\.test","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: the record belongs to the key's organization; the same URL in two organizations
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers eval
[
"Authorization: Bearer \$LAGO_KEY\nContent-Type: application/json",
"Authorization: Bearer \$LAGO_KEY2\nContent-Type: application/json",
"Authorization: Bearer \$LAGO_KEY2",
]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG2","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG2","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 24: defaults: only webhook_url gives jwt, a null name and null event_types; the list shows it
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200]
--- response_headers eval
["Content-Type: application/json; charset=utf-8", "Content-Type: application/json; charset=utf-8"]
--- response_body_like eval
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 25: defaults: signature_algo null is jwt; explicit null name and event_types stay null
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar","signature_algo":null,"name":null,"event_types":null}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 26: signature_algo "jwt" given explicitly
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"signature_algo":"jwt","webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 27: all four fields given, in another order than the record's
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"event_types":["invoice.created","customer.created"],"name":"Billing hook","signature_algo":"hmac","webhook_url":"https://hooks.example.com/lago"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://hooks\.example\.com/lago","signature_algo":"hmac","name":"Billing hook","event_types":\["invoice\.created","customer\.created"\],"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 28: unknown and read-only fields in the body are ignored
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"other":1,"webhook_endpoint":{"lago_id":"00000000-0000-4000-8000-000000000000","lago_organization_id":"00000000-0000-4000-8000-000000000001","created_at":"2000-01-01T00:00:00Z","updated_at":"2000-01-01T00:00:00Z","foo":{"bar":[1,2]},"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"(?!00000000-)$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"(?!2000-)$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 29: name: <, >, & and U+2028/U+2029 are escaped as Lago does; quotes, backslash, slash
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"a<b>c&d\u2028e\u2029f\"g\\h/i\/j\u003Ck"}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":"a\\u003cb\\u003ec\\u0026d\\u2028e\\u2029f\\"g\\\\h/i/j\\u003ck","event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 30: name: raw and escaped non-ASCII input; U+2028/U+2029 escaped, everything else raw UTF-8
--- config
    location /api/v1/ { lago_webhook; }
--- request eval
"POST /api/v1/webhook_endpoints\n"
. q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"~
. "\xc3\xa4|\xe6\x97\xa5|\xf0\x9f\x98\x80|\xe2\x80\xa8|\xe2\x80\xa9|"
. q~\u00e4|\u65e5|\ud83d\ude00|\u00A0~
. q~"}}~
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like eval
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":"'
. quotemeta("\xc3\xa4|\xe6\x97\xa5|\xf0\x9f\x98\x80|" . '\u2028|\u2029|'
            . "\xc3\xa4|\xe6\x97\xa5|\xf0\x9f\x98\x80|\xc2\xa0")
. '","event_types":null,"created_at":"$LAGO_TIME"\}\}$'
--- no_error_log
[error]
[alert]
[crit]



=== TEST 31: name: control characters are \b \f \n \r \t or lower-case \u00xx; DEL stays raw
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\u0001\u001F\u001b\b\f\n\r\t\u000B\u007f."}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like eval
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":"'
. quotemeta('\u0001\u001f\u001b\b\f\n\r\t\u000b' . "\x7f.")
. '","event_types":null,"created_at":"$LAGO_TIME"\}\}$'
--- no_error_log
[error]
[alert]
[crit]



=== TEST 32: name: an empty string is kept
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":""}}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":"","event_types":null,"created_at":"$LAGO_TIME"\}\}$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 33: name: a number is kept as its string, an array or object is dropped (null)
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://a.test","name":42}}~,
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://b.test","name":["a"]}}~,
"POST /api/v1/webhook_endpoints\n" . q~{"webhook_endpoint":{"webhook_url":"https://c.test","name":{"a":"b"}}}~,
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://a\.test","signature_algo":"jwt","name":"42","event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://b\.test","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://c\.test","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 34: 400: no body at all
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code: 400
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: webhook_endpoint"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 35: 400: an empty body (Content-Length: 0)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
Content-Length: 0
--- error_code: 400
--- response_body chomp
{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: webhook_endpoint"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 36: 400: a body that is not an object, a missing root key, a root value that is not a non-empty object; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~[]~,
    q~"x"~,
    q~1~,
    q~true~,
    q~null~,
    q~[{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}]~,
    q~{}~,
    q~{"other":{"webhook_url":"https://foo.bar"}}~,
    q~{"webhook_endpoints":{"webhook_url":"https://foo.bar"}}~,
    q~{"WEBHOOK_ENDPOINT":{"webhook_url":"https://foo.bar"}}~,
    q~{"webhook_endpoint":null}~,
    q~{"webhook_endpoint":{}}~,
    q~{"webhook_endpoint":[]}~,
    q~{"webhook_endpoint":""}~,
    q~{"webhook_endpoint":"abc"}~,
    q~{"webhook_endpoint":1}~,
    q~{"webhook_endpoint":0}~,
    q~{"webhook_endpoint":true}~,
    q~{"webhook_endpoint":false}~,
    q~{"webhook_endpoint":["a"]}~,
    q~{"webhook_endpoint":[{"webhook_url":"https://foo.bar"}]}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(400) x 21, 200]
--- response_body_like eval
[
('^' . quotemeta('{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: webhook_endpoint"}') . '$') x 21,
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 37: 400: malformed JSON is a JSON 400 Bad Request
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 400
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":400,"error":"Bad Request"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 38: 400: malformed JSON of many kinds, invalid UTF-8 included; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~{~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.b~,
    q~{"webhook_endpoint":}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}} x~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}{}~,
    q~{'webhook_endpoint':{'webhook_url':'https://foo.bar'}}~,
    q~{webhook_endpoint:{webhook_url:"https://foo.bar"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar",}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar" "name":"x"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\x"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\u12"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":NaN}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":01}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":tru}}~,
    q~x~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"a\x01b"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"a\nb"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\xff"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\xc3"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\xc0\xaf"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"\xed\xa0\x80"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar/\xe9"}}~,
    qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","n\xffame":"x"}}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(400) x 24, 200]
--- response_body_like eval
[
('^\{"status":400,"error":"Bad Request"\}$') x 24,
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 39: 422: webhook_url absent, null, empty or only white space; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~{"webhook_endpoint":{"signature_algo":"hmac"}}~,
    q~{"webhook_endpoint":{"webhook_url":null}}~,
    q~{"webhook_endpoint":{"webhook_url":""}}~,
    q~{"webhook_endpoint":{"webhook_url":" "}}~,
    q~{"webhook_endpoint":{"webhook_url":" \t\r\n "}}~,
    q~{"webhook_endpoint":{"webhook_url":[]}}~,
    q~{"webhook_endpoint":{"webhook_url":{}}}~,
    q~{"webhook_endpoint":{"webhook_url":["https://foo.bar"]}}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 8, 200]
--- response_headers eval
[("Content-Type: application/json; charset=utf-8") x 9]
--- response_body_like eval
[
('^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_is_mandatory","url_is_invalid"]}}') . '$') x 8,
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 40: 5.1: every valid URL example is accepted and stored exactly as sent
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100;
    }
--- pipelined_requests eval
my @urls = (
    # [ as sent in the JSON body, as the record shows it ]
    ['http://foo.bar'],
    ['https://foo.bar'],
    ['HTTP://FOO.BAR'],
    ['https://foo'],
    ['http://localhost:3000/x'],
    ['http://127.0.0.1'],
    ['http://[::1]:8080/'],
    ['http://foo_bar.com'],
    ['http://user:pass@foo.bar'],
    ['http://foo.bar:99999'],
    ['https://-foo.bar'],
    ['http://foo..bar'],
    ['http://a'],
    ['http://%66oo.bar'],
    ['http://foo.bar/p?a=1&b=2#frag'],
    ['http://foo.bar?x=<y>'],
    ['https:\/\/foo.bar\/x'],
);
[
(map { "POST /api/v1/webhook_endpoints\n"
       . qq~{"webhook_endpoint":{"webhook_url":"$_->[0]"}}~ } @urls),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(200) x 18]
--- response_body_like eval
my @out = (
    'http://foo.bar',
    'https://foo.bar',
    'HTTP://FOO.BAR',
    'https://foo',
    'http://localhost:3000/x',
    'http://127.0.0.1',
    'http://[::1]:8080/',
    'http://foo_bar.com',
    'http://user:pass@foo.bar',
    'http://foo.bar:99999',
    'https://-foo.bar',
    'http://foo..bar',
    'http://a',
    'http://%66oo.bar',
    'http://foo.bar/p?a=1\u0026b=2#frag',
    'http://foo.bar?x=\u003cy\u003e',
    'https://foo.bar/x',
);
[
(map { '^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"'
       . quotemeta($_)
       . '","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$' } @out),
'^\{"webhook_endpoints":\[.*\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":17\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 41: 5.1: every invalid URL example is url_is_invalid; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n"
       . qq~{"webhook_endpoint":{"webhook_url":"$_"}}~ }
    'ftp://foo.bar',
    'ws://foo.bar',
    'wss://foo.bar',
    'mailto:a@b',
    'foobar',
    '//foo.bar',
    'http://',
    'https://',
    'http:foo',
    'http:///path',
    ' http://foo.bar',
    'http://foo.bar ',
    '\thttp://foo.bar',
    'http://foo.bar\n',
    'http://foo bar.com',
    'http://foo.bar/a b',
    'http://foo.bar:abc',
    'http://foo.bar/%zz',
    'http://foo.bar/%4',
    "http://ex\xc3\xa4mple.com",
    'http://ex\u00e4mple.com',
    "http://foo.bar/\xc3\xa4",
    'http://foo.bar/<',
    'http://foo.bar/>',
    'http://foo.bar/{',
    'http://foo.bar/}',
    'http://foo.bar/|',
    'http://foo.bar/#a b',
    'http://foo.bar/\u0001'),
(map { "POST /api/v1/webhook_endpoints\n"
       . qq~{"webhook_endpoint":{"webhook_url":$_}}~ } 1, 0, 'true', 'false'),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 33, 200]
--- response_body_like eval
[
('^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["url_is_invalid"]}}') . '$') x 33,
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 42: duplicate webhook_url: exact bytes only; nothing written by the rejected ones
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar/"}}~,
    q~{"webhook_endpoint":{"webhook_url":"HTTPS://foo.bar"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https:\/\/foo.bar","signature_algo":"hmac","name":"other","event_types":[]}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar/"}}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 422, 200, 200, 422, 422, 200]
--- response_body_like eval
my $rec = sub { '\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"' . quotemeta($_[0]) . '","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}' };
my $dup = '^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"webhook_url":["value_already_exist"]}}') . '$';
[
'^\{"webhook_endpoint":' . $rec->('https://foo.bar') . '\}$',
$dup,
'^\{"webhook_endpoint":' . $rec->('https://foo.bar/') . '\}$',
'^\{"webhook_endpoint":' . $rec->('HTTPS://foo.bar') . '\}$',
$dup,
$dup,
'^\{"webhook_endpoints":\[' . CORE::join(',', map { $rec->($_) } 'HTTPS://foo.bar', 'https://foo.bar', 'https://foo.bar/')
    . '\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":3\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 43: maximum (lago_webhook_max_endpoints 2): the third create is refused; nothing written
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 2;
    }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n" . qq~{"webhook_endpoint":{"webhook_url":"https://$_.test"}}~ } 'a', 'b', 'c'),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, 422, 200]
--- response_body_like eval
my $rec = sub { '\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://' . $_[0] . '\.test","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}' };
[
'^\{"webhook_endpoint":' . $rec->('a') . '\}$',
'^\{"webhook_endpoint":' . $rec->('b') . '\}$',
'^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"base":["Maximum number of webhook endpoints was reached"]}}') . '$',
'^\{"webhook_endpoints":\[' . $rec->('a') . ',' . $rec->('b') . '\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":2\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 44: maximum: errors at the maximum also list webhook_url, signature_algo and event_types, in order
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 2;
    }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~{"webhook_endpoint":{"webhook_url":"https://a.test"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://b.test"}}~,
    q~{"webhook_endpoint":{"signature_algo":"hmac"}}~,
    q~{"webhook_endpoint":{"webhook_url":"ftp://c.test"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://a.test"}}~,
    q~{"webhook_endpoint":{"event_types":["nope"],"signature_algo":"JWT","webhook_url":"foo"}}~,
    q~{"webhook_endpoint":{"event_types":"customer.created","signature_algo":"","webhook_url":""}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://c.test","event_types":["customer.created"]}}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 200, (422) x 6, 200]
--- response_body_like eval
my $e = sub { '^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{' . $_[0] . '}}') . '$' };
my $base = '"base":["Maximum number of webhook endpoints was reached"]';
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://a\.test",.*\}\}$',
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://b\.test",.*\}\}$',
$e->('"webhook_url":["value_is_mandatory","url_is_invalid"],' . $base),
$e->('"webhook_url":["url_is_invalid"],' . $base),
$e->('"webhook_url":["value_already_exist"],' . $base),
$e->('"webhook_url":["url_is_invalid"],"signature_algo":["value_is_invalid"],' . $base . ',"event_types":["contains invalid types: [\"nope\"]"]'),
$e->('"webhook_url":["value_is_mandatory","url_is_invalid"],"signature_algo":["value_is_invalid"],' . $base . ',"event_types":["must_be_array"]'),
$e->($base),
'^\{"webhook_endpoints":\[.*\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":2\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 45: maximum: the default is 10, the eleventh create is refused
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n" . qq~{"webhook_endpoint":{"webhook_url":"https://h$_.test"}}~ } 10 .. 20),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(200) x 10, 422, 200]
--- response_body_like eval
[
(map { '^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://h' . $_ . '\.test","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$' } 10 .. 19),
'^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"base":["Maximum number of webhook endpoints was reached"]}}') . '$',
'^\{"webhook_endpoints":\[(?:\{[^{}]*\},){9}\{[^{}]*"webhook_url":"https://h19\.test"[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":10\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 46: concurrent creates of the same URL: exactly one succeeds
--- config
    location /api/v1/ { lago_webhook; }
    location = /race {
        mirror /race1;
        mirror /race2;
        mirror /race3;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race1 {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race2 {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race3 {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
--- pipelined_requests eval
[
"POST /race\n" . q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code_like eval
['^(?:200|422)$', '^200$']
--- response_body_like eval
[
'^(?:\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar",[^{}]*\}\}|\{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":\{"webhook_url":\["value_already_exist"\]\}\})$',
'^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 47: concurrent creates never pass the maximum (lago_webhook_max_endpoints 2, five at once)
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 2;
    }
    location = /race {
        mirror /race1;
        mirror /race2;
        mirror /race3;
        mirror /race4;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race1 {
        internal;
        proxy_set_body '{"webhook_endpoint":{"webhook_url":"https://r1.test"}}';
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race2 {
        internal;
        proxy_set_body '{"webhook_endpoint":{"webhook_url":"https://r2.test"}}';
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race3 {
        internal;
        proxy_set_body '{"webhook_endpoint":{"webhook_url":"https://r3.test"}}';
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
    location = /race4 {
        internal;
        proxy_set_body '{"webhook_endpoint":{"webhook_url":"https://r4.test"}}';
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/api/v1/webhook_endpoints;
    }
--- pipelined_requests eval
[
"POST /race\n" . q~{"webhook_endpoint":{"webhook_url":"https://r0.test"}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code_like eval
['^(?:200|422)$', '^200$']
--- response_body_like eval
[
'^(?:\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://r0\.test",[^{}]*\}\}|\{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":\{"base":\["Maximum number of webhook endpoints was reached"\]\}\})$',
'^\{"webhook_endpoints":\[\{[^{}]*"webhook_url":"https://r[0-4]\.test"[^{}]*\},\{[^{}]*"webhook_url":"https://r[0-4]\.test"[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":2\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 48: several errors below the maximum: webhook_url, signature_algo, event_types in that order; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~{"webhook_endpoint":{"event_types":["a.b","c"],"signature_algo":"HMAC","webhook_url":"foo"}}~,
    q~{"webhook_endpoint":{"event_types":{},"signature_algo":1}}~,
    q~{"webhook_endpoint":{"event_types":1,"webhook_url":"https://foo.bar"}}~,
    q~{"webhook_endpoint":{"signature_algo":"x","webhook_url":"https://foo.bar"}}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 4, 200]
--- response_body_like eval
my $e = sub { '^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{' . $_[0] . '}}') . '$' };
[
$e->('"webhook_url":["url_is_invalid"],"signature_algo":["value_is_invalid"],"event_types":["contains invalid types: [\"a.b\", \"c\"]"]'),
$e->('"webhook_url":["value_is_mandatory","url_is_invalid"],"signature_algo":["value_is_invalid"],"event_types":["must_be_array"]'),
$e->('"event_types":["must_be_array"]'),
$e->('"signature_algo":["value_is_invalid"]'),
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 49: signature_algo: anything but exactly "jwt" or "hmac" is value_is_invalid; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n"
       . qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","signature_algo":$_}}~ }
    q~"JWT"~, q~"HMAC"~, q~"Jwt"~, q~""~, q~" jwt"~, q~"hmac "~, q~"rsa"~,
    q~1~, q~0~, q~true~, q~false~, q~[]~, q~["jwt"]~, q~{}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 14, 200]
--- response_body_like eval
[
('^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"signature_algo":["value_is_invalid"]}}') . '$') x 14,
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 50: event_types: normalised (trim, lower-case, blanks and nulls dropped, first of duplicates kept); ["*"] is null; [] stays []
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100;
    }
--- pipelined_requests eval
my @cases = (
    q~[" Customer.Created ","invoice.created","CUSTOMER.CREATED",null,"","  ","invoice.created"]~,
    q~["wallet_transaction.payment_failure","alert.triggered","customer.created"]~,
    q~["\tInvoice.Paid_Credit_Added\n\r\f\u000b"]~,
    q~["*"]~,
    q~[" * ","*",null,""]~,
    q~[]~,
    q~[null,""," \t"]~,
    q~null~,
);
my $i = 0;
[
(map { $i++; "POST /api/v1/webhook_endpoints\n"
       . qq~{"webhook_endpoint":{"webhook_url":"https://e$i.test","event_types":$_}}~ } @cases),
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(200) x 8]
--- response_body_like eval
my @out = (
    '["customer.created","invoice.created"]',
    '["wallet_transaction.payment_failure","alert.triggered","customer.created"]',
    '["invoice.paid_credit_added"]',
    'null',
    'null',
    '[]',
    '[]',
    'null',
);
my $i = 0;
[
(map { $i++; '^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://e' . $i . '\.test","signature_algo":"jwt","name":null,"event_types":' . quotemeta($_) . ',"created_at":"$LAGO_TIME"\}\}$' } @out),
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 51: event_types: unknown names (after normalisation, Ruby-style list), "*" among others, not an array; nothing written
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
my @cases = (
    q~["*","customer.created"]~,
    q~["customer.created","*"]~,
    q~["a.b","C ","customer.created","c",null,"a.b"]~,
    q~["x","X"," x "]~,
    q~["customer.created ","customer.created2"]~,
    q~[1,true]~,
    q~"customer.created"~,
    q~""~,
    q~1~,
    q~1.5~,
    q~true~,
    q~false~,
    q~{}~,
    q~{"customer.created":true}~,
);
[
(map { "POST /api/v1/webhook_endpoints\n"
       . qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","event_types":$_}}~ } @cases),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[(422) x 14, 200]
--- response_body_like eval
my @out = (
    '"contains invalid types: [\"*\"]"',
    '"contains invalid types: [\"*\"]"',
    '"contains invalid types: [\"a.b\", \"c\"]"',
    '"contains invalid types: [\"x\"]"',
    '"contains invalid types: [\"customer.created2\"]"',
    '"contains invalid types: [\"1\", \"true\"]"',
    ('"must_be_array"') x 8,
);
[
(map { '^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":[' . $_ . ']}}') . '$' } @out),
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 52: event_types: the invalid names are quoted as Ruby's inspect does, then JSON-escaped
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n"
. q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","event_types":["a\"b","c\\\\d","<x>&","e\u0001","customer.created"]}}~,
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[422, 200]
--- response_body_like eval
[
'^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":["contains invalid types: [\"a\\\\\\"b\", \"c\\\\\\\\d\", \"\u003cx\u003e\u0026\", \"e\\\\u0001\"]"]}}') . '$',
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 53: event_types: lower-casing is not limited to ASCII (Ruby's downcase)
--- config
    location /api/v1/ { lago_webhook; }
--- request eval
"POST /api/v1/webhook_endpoints\n"
. qq~{"webhook_endpoint":{"webhook_url":"https://foo.bar","event_types":["\xc3\x84rger","Customer.Created"]}}~
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code: 422
--- response_body eval
'{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"event_types":["contains invalid types: [\"' . "\xc3\xa4" . 'rger\"]"]}}'
--- no_error_log
[error]
[alert]
[crit]



=== TEST 54: the key is checked before the body size limit
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 64;
    }
--- request eval
"POST /api/v1/webhook_endpoints\n"
. '{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"' . ('x' x 100) . '"}}'
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 55: a body over client_max_body_size is a JSON 413; nothing written
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 64;
    }
--- pipelined_requests eval
[
"POST /api/v1/webhook_endpoints\n"
. '{"webhook_endpoint":{"webhook_url":"https://foo.bar","name":"' . ('x' x 100) . '"}}',
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[413, 200]
--- response_headers eval
[("Content-Type: application/json; charset=utf-8") x 2]
--- response_body_like eval
[
'^\{"status":413,"error":"Payload Too Large","code":"request_body_too_large"\}$',
'^\{"webhook_endpoints":\[\],"meta":\{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 56: a chunked body (no Content-Length) is read; over client_max_body_size it is a JSON 413, and the connection is closed
--- config
    location /api/v1/ {
        lago_webhook;
        client_max_body_size 80;
    }
--- request eval
my $chunked = sub {
    my $b = shift;
    my $h = int(length($b) / 2);
    CORE::join '', map { sprintf("%x\r\n%s\r\n", length $_, $_) } substr($b, 0, $h), substr($b, $h);
};
[
"POST /api/v1/webhook_endpoints\n"
. $chunked->(q~{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}~) . "0\r\n\r\n",
"POST /api/v1/webhook_endpoints\n"
. $chunked->('{"webhook_endpoint":{"webhook_url":"https://foo.baz","name":"' . ('x' x 100) . '"}}') . "0\r\n\r\n",
"GET /api/v1/webhook_endpoints",
]
--- more_headers eval
[
"Authorization: Bearer \$LAGO_KEY\nContent-Type: application/json\nTransfer-Encoding: chunked",
"Authorization: Bearer \$LAGO_KEY\nContent-Type: application/json\nTransfer-Encoding: chunked",
"Authorization: Bearer \$LAGO_KEY",
]
--- error_code eval
[200, 413, 200]
--- response_body_like eval
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
'^\{"status":413,"error":"Payload Too Large","code":"request_body_too_large"\}$',
'^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar",[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 57: the store unreachable is a JSON 503
--- http_config
    lago_webhook_redis 127.0.0.1:1;
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers
Authorization: Bearer 0f3c1a52-9a1e-4d7b-8c51-2b7e4f1d9a60
Content-Type: application/json
--- error_code: 503
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- no_error_log
[alert]
[crit]



=== TEST 58: a taken webhook_url is reported beside the other errors, and the taken one is not claimed again
--- config
    location /api/v1/ { lago_webhook; }
--- pipelined_requests eval
[
(map { "POST /api/v1/webhook_endpoints\n$_" }
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","signature_algo":"hmac"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","signature_algo":"nope"}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","event_types":["nope"]}}~,
    q~{"webhook_endpoint":{"webhook_url":"https://foo.bar","signature_algo":"jwt"}}~),
"GET /api/v1/webhook_endpoints",
]
--- more_headers
Authorization: Bearer $LAGO_KEY
Content-Type: application/json
--- error_code eval
[200, 422, 422, 422, 200]
--- response_body_like eval
my $e = sub { '^' . quotemeta('{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{' . $_[0] . '}}') . '$' };
[
'^\{"webhook_endpoint":\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"hmac","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\}$',
$e->('"webhook_url":["value_already_exist"],"signature_algo":["value_is_invalid"]'),
$e->('"webhook_url":["value_already_exist"],"event_types":["contains invalid types: [\"nope\"]"]'),
$e->('"webhook_url":["value_already_exist"]'),
'^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://foo\.bar","signature_algo":"hmac",[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$',
]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 59: auth: a stored expiry of 0 has passed (only an absent expiry means never)
--- config
    location /api/v1/ { lago_webhook; }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://foo.bar"}}
--- more_headers eval
require Digest::SHA;
my ($org) = Lago::new_org();
my $key = Lago::new_key($org);
Lago::redis('HSET', $ENV{TEST_NGINX_LAGO_PREFIX} . 'apikey:'
                    . Digest::SHA::sha256_hex($key), 'expires_at', 0);
"Authorization: Bearer $key\nContent-Type: application/json"
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]
