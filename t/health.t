# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# lago_webhook_health, and the Redis metrics, through an outage: Redis
# up, stopped, started again.  The blocks after the first have no
# --- config, so one nginx lives through all of them.
#
# This suite runs its own Redis (append-only file on, so a restart keeps
# the organization), on a free port.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use Time::HiRes ();
use Lago;
use LagoMetrics;

our ($Port, $Dir, $Org, $Key, %Seen);

$Dir = File::Temp::tempdir(CLEANUP => 1);
$Port = Lago::free_port();

sub redis_cli {
    return scalar qx{redis-cli -p $Port @_ 2>&1};
}

sub start_redis {
    Lago::start_redis($Port, $Dir);
}

start_redis();
END { redis_cli('shutdown', 'nosave') if $Port }

$ENV{TEST_NGINX_HEALTH_REDIS_PORT} = $Port;
$ENV{LAGO_REDIS_URL} = "redis://127.0.0.1:$Port/0";
($Org, $Key) = Lago::new_org();

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: Redis up: 200, one connection up, no outage
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_HEALTH_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
--- config
    location /api/v1/ {
        lago_webhook;
    }

    location = /health {
        lago_webhook_health;
    }

    location = /metrics {
        lago_webhook_metrics;
    }
--- init
LagoMetrics::wait_for('/health', sub { $_[0] == 200 });
my $m = LagoMetrics::scrape();
Test::More::is($m->{lago_webhook_redis_connections_up}, 1, 'up');
Test::More::is($m->{lago_webhook_redis_outages_total}, 0, 'no outage');
Test::More::is($m->{lago_webhook_redis_outage_seconds_total}, '0.000000',
               'no time in outage');
Test::More::is($m->{lago_webhook_redis_reconnects_total}, 0,
               'no reconnect');
--- request
GET /health
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":"ok"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: Redis stopped: 503, the outage counted and timed
--- init
main::redis_cli('shutdown', 'nosave');
LagoMetrics::wait_for('/health', sub { $_[0] == 503 });
my $m = LagoMetrics::scrape();
Test::More::is($m->{lago_webhook_redis_connections_up}, 0, 'down');
Test::More::is($m->{lago_webhook_redis_outages_total}, 1, 'one outage');
Lago::wait_until(sub {
    my $now = LagoMetrics::scrape();
    $now->{lago_webhook_redis_outage_seconds_total}
        >= $m->{lago_webhook_redis_outage_seconds_total} + 0.25
    && $now->{lago_webhook_redis_reconnects_total} > 0
}, 10, 'a quarter of a second more outage, and a reconnect attempt');
my $later = LagoMetrics::scrape();
Test::More::cmp_ok($later->{lago_webhook_redis_outage_seconds_total}, '>=',
                   $m->{lago_webhook_redis_outage_seconds_total} + 0.25,
                   'the outage goes on counting');
Test::More::is($later->{lago_webhook_redis_outages_total}, 1,
               'still one outage, however many attempts');
Test::More::cmp_ok($later->{lago_webhook_redis_reconnects_total}, '>', 0,
                   'reconnect attempts');
my ($status) = Lago::api('GET', '/api/v1/webhook_endpoints', $main::Key);
Test::More::is($status, 503, 'the API answers 503');
--- request
GET /health
--- response_headers
Content-Type: application/json; charset=utf-8
--- error_code: 503
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}



=== TEST 3: Redis back: 200, the outage over; a script sent again
--- init
main::start_redis();
LagoMetrics::wait_for('/health', sub { $_[0] == 200 });
my $m = LagoMetrics::scrape();
Test::More::is($m->{lago_webhook_redis_connections_up}, 1, 'up again');
Test::More::is($m->{lago_webhook_redis_outages_total}, 1, 'one outage');
Test::More::cmp_ok($m->{lago_webhook_redis_outage_seconds_total}, '>=', 0.3,
                   'its length');
Time::HiRes::sleep(0.2);
my $later = LagoMetrics::scrape();
Test::More::is($later->{lago_webhook_redis_outage_seconds_total},
               $m->{lago_webhook_redis_outage_seconds_total},
               'no longer counting');
# the restarted Redis has no script cached: a create sends it again
my ($status) = Lago::api('POST', '/api/v1/webhook_endpoints',
    $main::Key, '{"webhook_endpoint":{"webhook_url":"https://h.example"}}');
Test::More::is($status, 200, 'a create');
my $after = LagoMetrics::scrape();
Test::More::is($after->{lago_webhook_redis_script_reloads_total}
               - $m->{lago_webhook_redis_script_reloads_total}, 1,
               'one script reload');
Test::More::is($after->{lago_webhook_redis_commands_in_flight}, 0,
               'nothing in flight');
--- request
GET /health
--- response_body chomp
{"status":"ok"}
--- no_error_log
[alert]
[crit]



=== TEST 4: health takes no key and reveals nothing else; GET and HEAD only
--- request
POST /health
--- error_code: 405
