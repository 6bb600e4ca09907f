# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Nothing lost: creates under load while Redis is killed (SIGKILL) and
# started again from its append-only file (appendfsync always).  Every
# create a client was told succeeded (200) has its record afterwards; a
# record no client was told about may only come from a create whose answer
# was a 503 (Redis died between running the script and answering: the
# outcome of a 503 on a write is unknown, see README).

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use POSIX ();
use Time::HiRes ();
use Lago;

our ($Port, $Dir, $Pid);

$Dir = File::Temp::tempdir(CLEANUP => 1);
$Port = Lago::free_port();

# redis-server in the foreground of a child of ours, so it can be killed
sub start_redis {
    $Pid = Lago::spawn_redis('--port', $Port, '--bind', '127.0.0.1',
        '--dir', $Dir, '--appendonly', 'yes', '--appendfsync', 'always',
        '--save', '', '--logfile', "$Dir/redis.log");
    Lago::wait_for_redis($Port);
}

start_redis();
END { local $?; Lago::kill_redis($Pid) if $Pid }

$ENV{TEST_NGINX_DURABLE_REDIS_PORT} = $Port;
$ENV{LAGO_REDIS_URL} = "redis://127.0.0.1:$Port/0";

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: Redis killed and restarted under concurrent creates: no acknowledged create lost
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_DURABLE_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_timeout 1s;
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100000;
    }
--- init
my (%answer, $n);
my $end = Time::HiRes::time() + 3;
my ($killed, $restarted);

while (Time::HiRes::time() < $end) {
    my @urls = map { 'https://d' . ++$n . '.example' } 1 .. 25;
    my @res = Lago::concurrent(map {
        Lago::http_request('POST', '/api/v1/webhook_endpoints', $Lago::Key,
                           qq({"webhook_endpoint":{"webhook_url":"$_"}}))
    } @urls);
    @answer{@urls} = map { $_->[0] } @res;

    # kill Redis a second in, with a batch just sent; back half a second later
    if (!$killed && Time::HiRes::time() > $end - 2) {
        my @pending = map {
            Lago::http_request('POST', '/api/v1/webhook_endpoints', $Lago::Key,
                qq({"webhook_endpoint":{"webhook_url":"https://k$_.example"}}))
        } 1 .. 25;
        my $child = fork // die "fork: $!";
        if ($child == 0) {
            Time::HiRes::sleep(0.002);
            kill 'KILL', $main::Pid;
            POSIX::_exit(0);
        }
        my @kres = Lago::concurrent(@pending);
        waitpid $child, 0;
        waitpid $main::Pid, 0;
        @answer{map { "https://k$_.example" } 1 .. 25} = map { $_->[0] } @kres;
        $killed = 1;
    }

    if ($killed && !$restarted && Time::HiRes::time() > $end - 1.5) {
        main::start_redis();
        $restarted = 1;
        Time::HiRes::sleep(1.2);     # the module's reconnect backoff
    }
}

my %stored = @{ Lago::redis('HGETALL',
    "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:webhook_endpoint_urls") };

my @ok = grep { $answer{$_} == 200 } keys %answer;
my @unavailable = grep { $answer{$_} == 503 } keys %answer;
my @other = grep { $answer{$_} != 200 && $answer{$_} != 503 } keys %answer;

Test::More::cmp_ok(scalar @ok, '>', 100, 'creates succeeded before and after');
Test::More::cmp_ok(scalar @unavailable, '>', 0, 'the outage was seen as 503s');
Test::More::is_deeply(\@other, [], 'every answer was a 200 or a 503');
Test::More::is_deeply([grep { !exists $stored{$_} } @ok], [],
                      'lost: no acknowledged create is missing');
Test::More::is_deeply([grep { ($answer{$_} // 0) != 200
                                && ($answer{$_} // 0) != 503 } keys %stored],
                      [], 'every stored record was answered 200 or 503');
Test::More::is_deeply([Lago::check_org($Lago::Org)], [], 'store consistent');
Test::More::diag(sprintf "durability: %d acknowledged, %d answered 503, "
    . "%d of those stored (outcome unknown to their clients)",
    scalar @ok, scalar @unavailable,
    scalar grep { $answer{$_} == 503 } keys %stored);
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID",.*"total_count":\d+\}\}$
--- no_error_log
[alert]
[crit]
