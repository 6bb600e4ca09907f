# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# The webhook public key (spec section 8): lago_webhook_public_key takes an
# RSA key in PEM, public or private; /api/v1/webhooks/public_key serves
# the base64 of its PUBLIC KEY PEM (Ruby's Base64.encode64: a newline
# after every 60 characters and at the end) as text, json_public_key the
# same string in JSON.
#
# nginx reads the file when it starts, before any "--- init", so the key
# files are made once, when this file is loaded, and reach the configs
# through $TEST_NGINX_* variables.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket;
use Lago;
use LagoSeed ();
use File::Temp ();
use MIME::Base64 ();

our ($PublicKeyText, $PublicKeyJson);

BEGIN {
    my $dir = File::Temp::tempdir('lago-keys-XXXXXX', TMPDIR => 1,
                                  CLEANUP => 1);

    my $run = sub {
        my $cmd = join ' ', @_;
        my $out = qx{$cmd 2>&1};
        die "$cmd: $out" if $?;
        return $out;
    };

    # one key pair in every spelling the directive takes
    $run->("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
           . " -out $dir/private.pem");
    $run->("openssl pkey -in $dir/private.pem -pubout -out $dir/public.pem");
    $run->("openssl rsa -in $dir/private.pem -traditional"
           . " -out $dir/rsa_private.pem");
    $run->("openssl rsa -in $dir/private.pem -RSAPublicKey_out"
           . " -out $dir/rsa_public.pem");

    $ENV{TEST_NGINX_PRIVKEY_FILE} = "$dir/private.pem";
    $ENV{TEST_NGINX_PUBKEY_FILE} = "$dir/public.pem";
    $ENV{TEST_NGINX_RSA_PRIVKEY_FILE} = "$dir/rsa_private.pem";
    $ENV{TEST_NGINX_RSA_PUBKEY_FILE} = "$dir/rsa_public.pem";

    my $pem = $run->("openssl pkey -in $dir/private.pem -pubout");
    die "not a PUBLIC KEY PEM: $pem" unless $pem =~
        /\A-----BEGIN PUBLIC KEY-----\n.*\n-----END PUBLIC KEY-----\n\z/s;

    my $b64 = MIME::Base64::encode_base64($pem, '');
    $PublicKeyText = join '', map { "$_\n" } $b64 =~ /(.{1,60})/g;

    (my $escaped = $PublicKeyText) =~ s/\n/\\n/g;
    $PublicKeyJson = qq({"webhook":{"public_key":"$escaped"}});
}

repeat_each(1);

plan tests => repeat_each() * LagoSeed::count_tests();

run_tests();

__DATA__

=== TEST 1: public_key: base64 of the PUBLIC KEY PEM, 60 characters a line, as text
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- request
GET /api/v1/webhooks/public_key
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers
Content-Type: text/plain; charset=utf-8
--- response_body eval
$main::PublicKeyText
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: json_public_key: the same string in JSON
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- request
GET /api/v1/webhooks/json_public_key
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body eval
$main::PublicKeyJson
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a PUBLIC KEY PEM gives the same answers
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PUBKEY_FILE;
    }
--- request eval
['GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[$main::PublicKeyText, $main::PublicKeyJson]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: an RSA PRIVATE KEY PEM (PKCS#1) gives the same answers
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_RSA_PRIVKEY_FILE;
    }
--- request eval
['GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[$main::PublicKeyText, $main::PublicKeyJson]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: an RSA PUBLIC KEY PEM (PKCS#1) gives the same answers
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_RSA_PUBKEY_FILE;
    }
--- request eval
['GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[$main::PublicKeyText, $main::PublicKeyJson]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: the directive at server level is inherited
--- config
    lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;

    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[$main::PublicKeyText, $main::PublicKeyJson]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: the directive at http level is inherited
--- http_config
    lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[$main::PublicKeyText, $main::PublicKeyJson]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: a trailing slash and ".json" reach the same routes
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- request eval
['GET /api/v1/webhooks/public_key/',
 'GET /api/v1/webhooks/json_public_key.json']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[$main::PublicKeyText, $main::PublicKeyJson]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: no key, a one-word header or an unknown key: 401
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- request eval
['GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key',
 'GET /api/v1/webhooks/public_key',
 'GET /api/v1/webhooks/json_public_key']
--- more_headers eval
['', '',
 'Authorization: Bearer',
 'Authorization: Bearer 0b5bd6ad-5b6e-4d5d-9d2a-6b4e0c0f1a11']
--- error_code eval
[401, 401, 401, 401]
--- response_body eval
[('{"status":401,"error":"Unauthorized"}') x 4]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: HEAD on public_key: the headers of GET, no body
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- request
HEAD /api/v1/webhooks/public_key
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers eval
"Content-Type: text/plain; charset=utf-8\nContent-Length: "
. length($main::PublicKeyText)
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: HEAD on json_public_key: the headers of GET, no body
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_PRIVKEY_FILE;
    }
--- request
HEAD /api/v1/webhooks/json_public_key
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers eval
"Content-Type: application/json; charset=utf-8\nContent-Length: "
. length($main::PublicKeyJson)
--- response_body
--- no_error_log
[error]
[alert]
[crit]
