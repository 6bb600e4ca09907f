# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Redis outages: stopped, slow, restarted, its script cache flushed.  The
# blocks after the first have no --- config, so one nginx lives through
# all of them: recovery must come without a restart or a reload.
#
# This suite runs its own Redis (append-only file on, so a restart keeps
# the data), on a free port.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes ();
use Lago;

our ($Port, $Dir, $Org, $Key);

$Dir = File::Temp::tempdir(CLEANUP => 1);
$Port = Lago::free_port();

sub redis_cli {
    return scalar qx{redis-cli -p $Port @_ 2>&1};
}

sub start_redis {
    Lago::start_redis($Port, $Dir, '--enable-debug-command', 'local');
}

# nginx has told of the end of every outage it told of
sub back {
    return Lago::error_log_count('is reachable again')
           >= Lago::error_log_count('answering 503 until it is back');
}

# Redis busy for $secs (DEBUG SLEEP, on a connection of its own): returns
# once it is, that is once a PING goes unanswered for 100 ms
sub stall {
    my ($secs) = @_;

    our $Sleeper = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                         PeerPort => $Port)
        or die "connect: $!";
    $Sleeper->syswrite("DEBUG SLEEP $secs\r\n");

    Lago::wait_until(sub {
        my $ping = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                         PeerPort => $Port) or return 0;
        $ping->syswrite("PING\r\n");
        return !IO::Select->new($ping)->can_read(0.1);
    }, 10, 'Redis to be in its DEBUG SLEEP');
}

start_redis();
END { redis_cli('shutdown', 'nosave') if $Port }

$ENV{TEST_NGINX_OUTAGE_REDIS_PORT} = $Port;
$ENV{LAGO_REDIS_URL} = "redis://127.0.0.1:$Port/0";
($Org, $Key) = Lago::new_org();

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: served while Redis is up
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_OUTAGE_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_timeout 500ms;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://kept.example"}}
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/^\{"webhook_endpoint":\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/kept\.example",/
--- no_error_log
[alert]
[crit]
[error]



=== TEST 2: Redis stopped: a JSON 503 at once, one error line
--- init
main::redis_cli('shutdown');
Lago::wait_until(sub {
    Lago::error_log_count('answering 503 until it is back') >= 1
}, 10, 'nginx to see Redis gone');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 503
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- error_log
answering 503 until it is back
--- no_error_log
[alert]
[crit]



=== TEST 3: still down: still 503
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 503
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- no_error_log
[alert]
[crit]



=== TEST 4: Redis back: served again by the same nginx, data kept
--- init
# the whole outage so far (two requests, many reconnect attempts) logged
# one error line
Test::More::is(Lago::error_log_count('\[error\]'), 1, 'one error line per outage');
main::start_redis();
Lago::wait_until(\&main::back, 10, 'nginx to reach Redis again');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/^\{"webhook_endpoints":\[\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/kept\.example",.*"total_count":1\}\}$/
--- error_log
is reachable again
--- no_error_log
[alert]
[crit]



=== TEST 5: Redis too slow: 503 within the timeout
--- init
main::stall(1.2);
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 503
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- error_log
did not answer in time
--- no_error_log
[alert]
[crit]



=== TEST 6: after the stall: served again
--- init
# the stall over, and nginx connected again
Lago::wait_until(\&main::back, 10, 'nginx to reach Redis again');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/"total_count":1\}\}$/
--- no_error_log
[alert]
[crit]



=== TEST 7: script cache flushed: EVALSHA's NOSCRIPT is answered with EVAL
--- init
main::redis_cli('script', 'flush');
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://after-flush.example"}}
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/^\{"webhook_endpoint":\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/after-flush\.example",/
--- no_error_log
[alert]
[crit]
