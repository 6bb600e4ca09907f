# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Authentication and per-key permissions (spec section 2): resource
# webhook_endpoint, and webhook_jwt_public_key for the key routes; modes
# read (GET, HEAD) and write (the rest); a key without a permission list
# may do everything; the 403 comes before the body and the id are looked
# at.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket;
use Lago;
use LagoSeed;
use File::Temp ();
use MIME::Base64 ();

our ($PublicKeyText, $PublicKeyJson);

# nginx reads lago_webhook_public_key at start, before any "--- init"
BEGIN {
    my $dir = File::Temp::tempdir('lago-keys-XXXXXX', TMPDIR => 1,
                                  CLEANUP => 1);

    my $genpkey = 'openssl genpkey -algorithm RSA'
                  . ' -pkeyopt rsa_keygen_bits:2048';
    my $out = qx{$genpkey -out $dir/private.pem 2>&1};
    die "openssl genpkey: $out" if $?;

    my $pem = qx{openssl pkey -in $dir/private.pem -pubout};
    die "openssl pkey failed" if $? || $pem !~ /^-----BEGIN PUBLIC KEY-----/;

    $ENV{TEST_NGINX_PRIVKEY_FILE} = "$dir/private.pem";

    my $b64 = MIME::Base64::encode_base64($pem, '');
    $PublicKeyText = join '', map { "$_\n" } $b64 =~ /(.{1,60})/g;
    $PublicKeyJson = '{"webhook":{"public_key":"'
                     . ($PublicKeyText =~ s/\n/\\n/gr) . '"}}';
}

repeat_each(1);

plan tests => repeat_each() * LagoSeed::count_tests();

run_tests();

__DATA__

=== TEST 1: a read-only key reads, may not write, and may not read the public key
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- init
main::seed('$LAGO_KEY', A => {webhook_url => 'http://a', name => 'kept'});
main::key('$LAGO_ORG', RO => 'webhook_endpoint:read');
--- request eval
['GET /api/v1/webhook_endpoints',
 'GET /api/v1/webhook_endpoints/@A@',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"changed"}}',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"changed"}}',
 'DELETE /api/v1/webhook_endpoints/@A@',
 'GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer @RO@
Content-Type: application/json
--- error_code eval
[200, 200, 403, 403, 403, 403, 403, 403, 200]
--- response_body eval
['{"webhook_endpoints":[@A_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}',
 '{"webhook_endpoint":@A_REC@}',
 ('{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"}') x 4,
 ('{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_jwt_public_key"}') x 2,
 '{"webhook_endpoints":[@A_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: HEAD is a read: allowed for a read-only key
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::key('$LAGO_ORG', RO => 'webhook_endpoint:read');
--- request
HEAD /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer @RO@
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a write-only key writes but may not read
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
main::key('$LAGO_ORG', WO => 'webhook_endpoint:write');
--- request eval
['GET /api/v1/webhook_endpoints',
 'GET /api/v1/webhook_endpoints/@A@',
 'PUT /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"written"}}',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'DELETE /api/v1/webhook_endpoints/@A@',
 'GET /api/v1/webhooks/json_public_key',
 'GET /api/v1/webhook_endpoints']
--- more_headers eval
[('Authorization: Bearer @WO@
Content-Type: application/json') x 6,
 'Authorization: Bearer $LAGO_KEY']
--- error_code eval
[403, 403, 200, 200, 200, 403, 200]
--- response_body_like eval
[(main::lit('{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_endpoint"}')) x 2,
 (main::lit('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"written","event_types":null,"created_at":"@A_AT@"}}')),
 main::lit('{"webhook_endpoint":{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}}'),
 (main::lit('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"written","event_types":null,"created_at":"@A_AT@"}}')),
 main::lit('{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_jwt_public_key"}'),
 main::lit('{"webhook_endpoints":[{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}')]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: HEAD is a read: 403 for a write-only key, without a body
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::key('$LAGO_ORG', WO => 'webhook_endpoint:write');
--- request
HEAD /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer @WO@
--- error_code: 403
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: webhook_jwt_public_key:read opens the key routes and nothing else
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- init
main::key('$LAGO_ORG', RW => ['webhook_endpoint:read,write'],
                       PK => ['webhook_jwt_public_key:read'],
                       PW => ['webhook_jwt_public_key:write',
                              'webhook_endpoint:read']);
--- request eval
['GET /api/v1/webhook_endpoints',
 'GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key',
 'GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key',
 'GET /api/v1/webhook_endpoints',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhook_endpoints']
--- more_headers eval
[('Authorization: Bearer @RW@') x 3, ('Authorization: Bearer @PK@') x 4,
 ('Authorization: Bearer @PW@') x 2]
--- error_code eval
[200, 403, 403, 200, 200, 403, 403, 403, 200]
--- response_body eval
['{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}',
 ('{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_jwt_public_key"}') x 2,
 $main::PublicKeyText,
 $main::PublicKeyJson,
 '{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_endpoint"}',
 '{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"}',
 '{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_jwt_public_key"}',
 '{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: a key without a permission list may do everything
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a');
main::key('$LAGO_ORG', ALL => []);
--- request eval
['GET /api/v1/webhook_endpoints',
 'GET /api/v1/webhook_endpoints/@A@',
 'PATCH /api/v1/webhook_endpoints/@A@
{"webhook_endpoint":{"name":"all"}}',
 'DELETE /api/v1/webhook_endpoints/@A@',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers eval
[('Authorization: Bearer @ALL@
Content-Type: application/json') x 5,
 ('Authorization: Bearer $LAGO_KEY') x 2]
--- error_code eval
[(200) x 7]
--- response_body_like eval
[main::lit('{"webhook_endpoints":[@A_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}'),
 main::lit('{"webhook_endpoint":@A_REC@}'),
 (main::lit('{"webhook_endpoint":{"lago_id":"@A@","lago_organization_id":"$LAGO_ORG","webhook_url":"http://a","signature_algo":"jwt","name":"all","event_types":null,"created_at":"@A_AT@"}}')) x 2,
 main::lit('{"webhook_endpoint":{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"http://b","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"}}'),
 '^' . quotemeta($main::PublicKeyText) . '\z',
 '^' . quotemeta($main::PublicKeyJson) . '\z']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: "none" grants nothing
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- init
main::key('$LAGO_ORG', NONE => ['webhook_endpoint:none',
                                'webhook_jwt_public_key:none']);
--- request eval
['GET /api/v1/webhook_endpoints',
 'POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"http://b"}}',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers
Authorization: Bearer @NONE@
Content-Type: application/json
--- error_code eval
[403, 403, 403]
--- response_body eval
['{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_endpoint"}',
 '{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"}',
 '{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_jwt_public_key"}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: the 403 comes before a bad body (400) and an unknown id (404)
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::key('$LAGO_ORG', RO => 'webhook_endpoint:read',
                       WO => 'webhook_endpoint:write');
--- request eval
['POST /api/v1/webhook_endpoints
{"webhook_endpoint":',
 'POST /api/v1/webhook_endpoints',
 'PUT /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11
{"webhook_endpoint":null}',
 'PATCH /api/v1/webhook_endpoints/not-a-uuid
{"webhook_endpoint":{"webhook_url":"ftp://x"}}',
 'DELETE /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'GET /api/v1/webhook_endpoints/0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'GET /api/v1/webhook_endpoints/not-a-uuid']
--- more_headers eval
[('Authorization: Bearer @RO@
Content-Type: application/json') x 5,
 ('Authorization: Bearer @WO@') x 2]
--- error_code eval
[(403) x 7]
--- response_body eval
[('{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"}') x 5,
 ('{"status":403,"error":"Forbidden","code":"read_action_not_allowed_for_webhook_endpoint"}') x 2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: the key is the second word of Authorization, the first is not checked
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
[('GET /api/v1/webhook_endpoints') x 6]
--- more_headers eval
['Authorization: Bearer $LAGO_KEY',
 'Authorization: bearer $LAGO_KEY',
 'Authorization: Token $LAGO_KEY',
 'Authorization: Bearer    $LAGO_KEY',
 "Authorization: Bearer\t" . '$LAGO_KEY',
 'Authorization: Bearer $LAGO_KEY trailing words']
--- error_code eval
[(200) x 6]
--- response_body eval
[('{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}') x 6]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: 401 for no header, an empty or one-word header, an unknown, expired or revoked key
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::key('$LAGO_ORG', OLD => {expired => 1},
                       GONE => {revoked => 1},
                       LATER => {expires_at => '2099-12-31T23:59:59Z'});
--- request eval
[('GET /api/v1/webhook_endpoints') x 9]
--- more_headers eval
['',
 'Authorization: ',
 'Authorization: $LAGO_KEY',
 'Authorization: Bearer',
 'Authorization: Bearer 0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11',
 'Authorization: Bearer $LAGO_KEY2',
 'Authorization: Bearer @OLD@',
 'Authorization: Bearer @GONE@',
 'Authorization: Bearer @LATER@']
--- error_code eval
[(401) x 5, 200, 401, 401, 200]
--- response_body eval
[('{"status":401,"error":"Unauthorized"}') x 5,
 '{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}',
 ('{"status":401,"error":"Unauthorized"}') x 2,
 '{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a key that may not write, with a body that never ends: the 403 comes at once, before any body byte is read
--- config
    location /api/v1/ {
        lago_webhook;
        # what the client goes on sending is read for this long
        lingering_timeout 200ms;
    }
--- init
main::key('$LAGO_ORG', RO => 'webhook_endpoint:read');
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://never.example"
--- more_headers
Authorization: Bearer @RO@
Content-Length: 1000000000000
--- timeout: 3
--- error_code: 403
--- response_body chomp
{"status":403,"error":"Forbidden","code":"write_action_not_allowed_for_webhook_endpoint"}
--- no_error_log
[error]
[alert]
[crit]
