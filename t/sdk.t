# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# The API driven by Lago's official JavaScript client, lago-javascript-client
# at the exact version pinned in t/sdk/package.json, used unchanged: the
# node:test suite t/sdk/webhook_endpoints.test.mjs runs in --- init against
# this nginx, with two organizations of its own, and must pass.  The
# block's own request then checks what the scenario left in the store.
#
# Needs node (18 or later), npm and openssl.  t/sdk/node_modules is
# installed with `npm ci` from the committed lock file when it is absent.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use Lago;

our $SdkDir = "$Lago::Root/t/sdk";

# the RSA key pair whose public half the webhook public-key routes serve
our $KeyDir = File::Temp::tempdir(CLEANUP => 1);

sub make_key_pair {
    system("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
           . " -out '$KeyDir/private.pem' 2>/dev/null") == 0
        && system("openssl pkey -in '$KeyDir/private.pem' -pubout"
                  . " -out '$KeyDir/public.pem'") == 0
        or die "cannot make an RSA key pair with openssl";

    open my $fh, '<', "$KeyDir/public.pem" or die "public.pem: $!";
    local $/;
    return scalar <$fh>;
}

our $PublicKeyPem = make_key_pair();
$ENV{TEST_NGINX_LAGO_PUBLIC_KEY} = "$KeyDir/private.pem";

sub sdk_install {
    return if -d "$SdkDir/node_modules/lago-javascript-client";

    my $out = qx{cd '$SdkDir' && npm ci --no-audit --no-fund 2>&1};
    die "npm ci in t/sdk failed (exit " . ($? >> 8) . "):\n$out" if $?;
    Test::More::note($out);
}

# the node:test suite, with the organizations and the base URL in its
# environment; its TAP output is shown, in full when it fails
sub sdk_run {
    my (%env) = @_;

    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;

    local $ENV{LAGO_URL} = "http://127.0.0.1:$port/api/v1";
    local $ENV{LAGO_PUBLIC_KEY_PEM} = $PublicKeyPem;
    local @ENV{keys %env} = values %env;

    my $out = qx{node --test --test-reporter=tap '$SdkDir/webhook_endpoints.test.mjs' 2>&1};
    my $rc = $? == -1 ? -1 : $? >> 8;

    if ($rc == -1) {
        Test::More::diag("cannot run node: $!");
    } elsif ($rc) {
        Test::More::diag($out);
    } else {
        Test::More::note($out);
    }

    return $rc;
}

sdk_install();

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: lago-javascript-client: create, list, find, update, delete, errors, two organizations
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_public_key $TEST_NGINX_LAGO_PUBLIC_KEY;
    }
--- init
Test::More::is(main::sdk_run(LAGO_KEY_A => '$LAGO_KEY', LAGO_ORG_A => '$LAGO_ORG',
                             LAGO_KEY_B => '$LAGO_KEY2', LAGO_ORG_B => '$LAGO_ORG2'),
               0, 'SDK suite passed');
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://b-jwt\.example/hooks","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$
--- no_error_log
[alert]
[crit]
