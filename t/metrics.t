# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# lago_webhook_metrics: exact counts after known traffic, histograms that
# agree with them, an exposition promtool accepts; and the access log's
# variables.  Counts are compared as differences between two scrapes, so
# that the suite holds with TEST_NGINX_USE_HUP=1 too (the zone then lives
# across blocks).

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use Lago;
use LagoMetrics;

# a webhook key pair, so that the public key route answers 200
our $KeyDir = File::Temp::tempdir(CLEANUP => 1);
system("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
       . " -out $KeyDir/private.pem 2>/dev/null") == 0
    or die "openssl genpkey failed";
$ENV{TEST_NGINX_METRICS_PUBKEY} = "$KeyDir/private.pem";

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: known traffic gives exact counts, promtool accepts the text
--- config
    location /api/v1/ {
        lago_webhook;
    }

    location = /metrics {
        lago_webhook_metrics;
    }
--- init
my ($before) = LagoMetrics::scrape();
my $k = q{$LAGO_KEY};
my @statuses = map { (Lago::api(@$_))[0] } (
    ['POST', '/api/v1/webhook_endpoints', $k,
     '{"webhook_endpoint":{"webhook_url":"https://m1.example"}}'],
    ['POST', '/api/v1/webhook_endpoints', $k,
     '{"webhook_endpoint":{"webhook_url":"https://m2.example"}}'],
    ['GET', '/api/v1/webhook_endpoints', $k],
    # no key: answered by the handler itself, before any lookup
    ['GET', '/api/v1/webhook_endpoints', ''],
    # an unknown key: looked up in Redis
    ['GET', '/api/v1/webhook_endpoints', 'no-such-key'],
    # an unknown route needs no key
    ['GET', '/api/v1/nothing_here', ''],
);
Test::More::is("@statuses", '200 200 200 401 401 404', 'the traffic');

LagoMetrics::wait_counted($before, 6);
my ($after, $text) = LagoMetrics::scrape();
my ($b, $a) = map { LagoMetrics::requests($_) } $before, $after;
my %delta = map { $_ => $a->{$_} - $b->{$_} } keys %$a;
my %want = map { $_ => 0 } keys %$a;
$want{'create/200'} = 2;
$want{'list/200'} = 1;
$want{'list/401'} = 2;
$want{'none/404'} = 1;
Test::More::is_deeply(\%delta, \%want, 'requests by action and status');

my $d = sub { $after->{$_[0]} - $before->{$_[0]} };
Test::More::is($d->('lago_webhook_request_duration_seconds_count'), 6,
               'one request duration per request');
# two lookups of a key (the first create's, the unknown key's), two
# scripts, one page; and a script sent again if Redis had not cached it
Test::More::is($d->('lago_webhook_redis_request_duration_seconds_count'),
               5 + $d->('lago_webhook_redis_script_reloads_total'),
               'one Redis round trip per command');
Test::More::is($d->('lago_webhook_key_cache_hits_total'), 2, 'cache hits');
Test::More::is($d->('lago_webhook_key_cache_misses_total'), 2,
               'cache misses');
Test::More::is($d->('lago_webhook_redis_outages_total'), 0, 'no outage');
Test::More::is($after->{lago_webhook_redis_commands_in_flight}, 0,
               'nothing in flight');
Test::More::is($after->{lago_webhook_redis_connections_up}, 1,
               'the connection is up');
Test::More::cmp_ok($after->{lago_webhook_request_duration_seconds_sum}, '>=',
                   $before->{lago_webhook_request_duration_seconds_sum},
                   'request time sum');
Test::More::cmp_ok($d->('lago_webhook_redis_request_duration_seconds_sum'),
                   '>', 0, 'redis time sum');
LagoMetrics::histogram_ok($after, 'lago_webhook_request_duration_seconds',
                          'after traffic');
LagoMetrics::histogram_ok($after,
                          'lago_webhook_redis_request_duration_seconds',
                          'after traffic');
LagoMetrics::promtool_ok($text, 'after traffic');
--- request
GET /metrics
--- response_headers
Content-Type: text/plain; version=0.0.4
--- response_body_like chomp
^# HELP lago_webhook_requests_total .*\n# TYPE lago_webhook_requests_total counter\nlago_webhook_requests_total\{action="create",status="200"\} \d+\n
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a scrape is no request of the API, and only GET and HEAD
--- config
    location /api/v1/ {
        lago_webhook;
    }

    location = /metrics {
        lago_webhook_metrics;
    }
--- init
my $before = LagoMetrics::requests(scalar LagoMetrics::scrape());
LagoMetrics::scrape() for 1 .. 3;
my ($status) = LagoMetrics::get('/metrics', 'HEAD');
Test::More::is($status, 200, 'HEAD');
my $after = LagoMetrics::requests(scalar LagoMetrics::scrape());
Test::More::is_deeply($after, $before, 'scrapes are not counted');
--- request
POST /metrics
--- error_code: 405
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: the variables in an access log
--- http_config
    log_format lago '$lago_webhook_action|$lago_webhook_organization_id|$lago_webhook_redis_time|$status';
--- config
    access_log logs/lago.log lago;

    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 1;
        lago_webhook_public_key $TEST_NGINX_METRICS_PUBKEY;
    }

    location = /plain {
        return 204;
    }
--- init
my $log = Test::Nginx::Util::server_root() . '/logs/lago.log';
my $from = -s $log // 0;
my $k = q{$LAGO_KEY};
my $org = q{$LAGO_ORG};
LagoMetrics::get('/plain');
Lago::api('GET', '/api/v1/nothing_here', '');
Lago::api('GET', '/api/v1/webhook_endpoints', '');
Lago::api('GET', '/api/v1/webhook_endpoints', 'no-such-key');
Lago::api('POST', '/api/v1/webhook_endpoints', $k,
          '{"webhook_endpoint":{"webhook_url":"https://v1.example"}}');
Lago::api('GET', '/api/v1/webhook_endpoints', $k);
# over lago_webhook_max_endpoints: a 422 after the script ran
Lago::api('POST', '/api/v1/webhook_endpoints', $k,
          '{"webhook_endpoint":{"webhook_url":"https://v2.example"}}');
Lago::api('GET', '/api/v1/webhooks/json_public_key', $k);

open my $fh, '<', $log or die "$log: $!";
seek $fh, $from, 0;
my @lines = map { chomp; $_ } <$fh>;
close $fh;

my @times = map { /\|(\d+\.\d{3})\|\d+$/ ? $1 : () } @lines;
Test::More::cmp_ok($_, '<', 2, "redis time $_ in seconds") for @times;
s/\|\d+\.\d{3}\|(\d+)$/|T|$1/ for @lines;
Test::More::is_deeply(\@lines, [
    '-|-|-|204',
    'none|-|-|404',
    'list|-|-|401',
    'list|-|T|401',
    "create|$org|T|200",
    "list|$org|T|200",
    "create|$org|T|422",
    "public_key|$org|-|200",
], 'action, organization, Redis time, status');
--- request
GET /plain
--- error_code: 204
--- no_error_log
[error]
[alert]
[crit]
