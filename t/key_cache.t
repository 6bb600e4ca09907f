# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# The per-worker API key cache: a revoked key keeps working while its
# entry is younger than lago_webhook_key_cache_ttl and stops after, at once
# with a TTL of 0 or a size of 0, or once a key of the same slot took
# its place,
# and an expiry is checked on every request, cached or not.  The blocks
# after a --- config run on the same nginx (no restart).

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Time::HiRes ();
use Lago;

our ($Org, $Key) = Lago::new_org();
our ($Org2, $Key2) = Lago::new_org();
our ($Org3, $Key3) = Lago::new_org();
our ($Org5, $Key5) = Lago::new_org();
our ($Org6, $Key6) = Lago::new_org();
our ($Org7, $Key7) = Lago::new_org();

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: a key is looked up and cached
--- http_config eval
$Lago::HttpConfig . "    lago_webhook_key_cache_ttl 60s;\n"
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: revoked: still served from the cache within the TTL
--- init
Lago::admin('key', 'revoke', $main::Key);
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a key that expires soon, seen while valid
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
# made here, just before this block runs on the nginx already up
$main::Expiry4 = time + 2;
my @t = gmtime $main::Expiry4;
my $out = Lago::admin('key', 'create', '--org', $main::Org, '--expires-at',
    sprintf('%04d-%02d-%02dT%02d:%02d:%02dZ', $t[5] + 1900, $t[4] + 1,
            @t[3, 2, 1, 0]));
($main::Key4) = $out =~ /^api_key=(\S+)$/m;
"Authorization: Bearer $main::Key4"
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: expired: refused although its cache entry is fresh
--- init
Time::HiRes::sleep($main::Expiry4 - Time::HiRes::time() + 0.5);
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key4"
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]



=== TEST 5: a short TTL
--- http_config eval
$Lago::HttpConfig . "    lago_webhook_key_cache_ttl 300ms;\n"
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key3"
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: revoked: refused once the cached entry is older than the TTL
--- init
Lago::admin('key', 'revoke', $main::Key3);
Time::HiRes::sleep(0.4);
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key3"
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]



=== TEST 7: without a cache, revocation takes effect at once
--- http_config eval
$Lago::HttpConfig . "    lago_webhook_key_cache_ttl 0;\n"
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 11;
    }
--- init
# seen once while valid
my $res = (Lago::concurrent(Lago::http_request('GET',
    '/api/v1/webhook_endpoints', $main::Key2)))[0];
Test::More::is($res->[0], 200, 'the key works before it is revoked');
Lago::admin('key', 'revoke', $main::Key2);
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key2"
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]



=== TEST 8: a cache of one entry: a key seen after another takes its place, and the other's revocation takes effect at once
--- http_config eval
$Lago::HttpConfig . "    lago_webhook_key_cache_ttl 60s;\n"
                  . "    lago_webhook_key_cache_size 1;\n"
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
for my $key ($main::Key5, $main::Key6) {
    my $res = (Lago::concurrent(Lago::http_request('GET',
        '/api/v1/webhook_endpoints', $key)))[0];
    Test::More::is($res->[0], 200, 'the key works before a revocation');
}
Lago::admin('key', 'revoke', $main::Key5);
Lago::admin('key', 'revoke', $main::Key6);
--- request eval
["GET /api/v1/webhook_endpoints", "GET /api/v1/webhook_endpoints"]
--- more_headers eval
["Authorization: Bearer $main::Key5", "Authorization: Bearer $main::Key6"]
--- error_code eval
[401, 200]
--- response_body eval
['{"status":401,"error":"Unauthorized"}',
 '{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}']
--- no_error_log
[alert]
[crit]



=== TEST 9: a cache of size 0 is no cache: revocation takes effect at once
--- http_config eval
$Lago::HttpConfig . "    lago_webhook_key_cache_ttl 60s;\n"
                  . "    lago_webhook_key_cache_size 0;\n"
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
my $res = (Lago::concurrent(Lago::http_request('GET',
    '/api/v1/webhook_endpoints', $main::Key7)))[0];
Test::More::is($res->[0], 200, 'the key works before it is revoked');
Lago::admin('key', 'revoke', $main::Key7);
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key7"
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[alert]
[crit]
