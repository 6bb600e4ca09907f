# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Redis Sentinel: the module asks the sentinels where the master is, and
# asks again when it loses it.  This suite runs a set of its own on
# loopback: a master A, replicas B and C, and three sentinels watching
# them as "lago" (quorum 2, a master down after 1 s).  The blocks run in
# order and change the set: TEST 3 moves the master to B by hand (A then
# answers READONLY), TEST 4 kills B under load and lets the sentinels
# promote a replica, TEST 5 has them fail over to the last replica.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use POSIX ();
use Time::HiRes ();
use Lago;

our $Dir = File::Temp::tempdir(CLEANUP => 1);
our (%Port, %Pid);

$Port{$_} = Lago::free_port() for qw(a b c s1 s2 s3);

# redis-server in the foreground of a child of ours, so it can be killed
sub start_redis {
    my ($name, @args) = @_;

    $Pid{$name} = Lago::spawn_redis(@args);
    Lago::wait_for_redis($Port{$name});
}

sub start_node {
    my ($name, $master) = @_;

    start_redis($name, '--port', $Port{$name}, '--bind', '127.0.0.1',
                '--dir', $Dir, '--dbfilename', "$name.rdb", '--save', '',
                '--appendonly', 'no', '--logfile', "$Dir/$name.log",
                $master ? ('--replicaof', '127.0.0.1', $Port{$master}) : ());
}

sub start_sentinel {
    my ($name) = @_;

    # Sentinel rewrites its configuration: a file of its own
    open my $fh, '>', "$Dir/$name.conf" or die "$Dir/$name.conf: $!";
    print $fh "port $Port{$name}\nbind 127.0.0.1\ndir $Dir\n"
              . "logfile $Dir/$name.log\n"
              . "sentinel monitor lago 127.0.0.1 $Port{a} 2\n"
              . "sentinel down-after-milliseconds lago 1000\n"
              . "sentinel failover-timeout lago 3000\n";
    close $fh;

    start_redis($name, "$Dir/$name.conf", '--sentinel');
}

sub cli {
    my ($name, @args) = @_;
    my $out = qx{redis-cli -p $Port{$name} @args 2>&1};
    $out =~ s/\s+\z//;
    return $out;
}

# the master's port as the sentinel s1 tells it
sub master_port {
    my ($port) = cli('s1', 'SENTINEL', 'get-master-addr-by-name', 'lago')
                 =~ /\n(\d+)\z/;
    return $port // 0;
}

# waits until every replica of the master on $port is in sync with it
sub wait_replicas {
    my ($master, $count) = @_;

    for (1 .. 100) {
        my $info = qx{redis-cli -p $master INFO replication};
        my @online = $info =~ /^slave\d+:.*state=online/mg;
        return if @online >= $count
                  && qx{redis-cli -p $master WAIT $count 100} =~ /^(\d+)/
                  && $1 >= $count;
        Time::HiRes::sleep(0.1);
    }

    die "the replicas of 127.0.0.1:$master are not in sync";
}

# Waits until the three sentinels name one master, none of them sees a
# failover going on, and the master's replica is online.  On a busy
# machine a failover can outlast failover-timeout; another sentinel then
# starts one of its own at a higher epoch, which may promote the other
# replica and demote the master that the next block's organization was
# just written to.
sub wait_settled {
    my $settled = Lago::wait_until(sub {
        my %masters;

        for my $s (qw(s1 s2 s3)) {
            my ($port) = cli($s, 'SENTINEL', 'get-master-addr-by-name',
                             'lago') =~ /\n(\d+)\z/;
            my ($flags) = cli($s, 'SENTINEL', 'master', 'lago')
                          =~ /^flags\n(\S+)$/m;
            return 0 unless $port && ($flags // '') eq 'master';
            $masters{$port} = 1;
        }

        return 0 unless keys %masters == 1;

        my ($port) = keys %masters;
        my $info = qx{redis-cli -p $port INFO replication};

        return $info =~ /^role:master\r?$/m
               && $info =~ /^slave\d+:.*state=online/m;
    }, 30, 'the sentinels to agree on one master');

    die "the sentinels did not settle on one master" unless $settled;
}

start_node('a');
start_node('b', 'a');
start_node('c', 'a');
start_sentinel($_) for qw(s1 s2 s3);
wait_replicas($Port{a}, 2);

END {
    local $?;
    Lago::kill_redis(values %Pid);
}

$ENV{"TEST_NGINX_SENTINEL_\U$_\E_PORT"} = $Port{$_} for keys %Port;

# lago-admin and the suite's checks find the master as the module does
$ENV{LAGO_REDIS_URL} = "redis-sentinel://127.0.0.1:$Port{s1},"
                       . "127.0.0.1:$Port{s2},127.0.0.1:$Port{s3}#lago";

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: every action through the sentinels (the first one down): the master they name is used
--- http_config
    lago_webhook_redis_sentinel lago 127.0.0.1:1 127.0.0.1:$TEST_NGINX_SENTINEL_S1_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S2_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_wait 2 500ms;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
Lago::check_every_action('https://s.example', sub {
    Lago::Redis->connect("redis://127.0.0.1:$main::Port{c}")
        ->command('HLEN', $_[0])
});
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- error_log eval
qr/\[notice\] .*lago_webhook: redis master "lago" is at 127\.0\.0\.1:$main::Port{a}\b/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: lago_webhook_redis and lago_webhook_redis_sentinel together: refused
--- config
    location /t {
        return 200;
    }
--- init
my $conf = "$main::Dir/both.conf";
open my $fh, '>', $conf or die $!;
print $fh "events {}\nhttp {\n"
          . "    lago_webhook_redis 127.0.0.1:$main::Port{a};\n"
          . "    lago_webhook_redis_sentinel lago 127.0.0.1:$main::Port{s1};\n"
          . "}\n";
close $fh;
# nginx -t leaves its first pool to exit(): no leak report for it
local $ENV{ASAN_OPTIONS} = ($ENV{ASAN_OPTIONS} // '') . ':detect_leaks=0';
my $out = qx{$ENV{TEST_NGINX_BINARY} -t -p $main::Dir -c $conf -e $main::Dir/both.log 2>&1};
Test::More::isnt($? >> 8, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] "lago_webhook_redis_sentinel" directive cannot be used with "lago_webhook_redis": one Redis, or the master the sentinels name in \S+both\.conf:4/, 'the message says why');
--- request
GET /t
--- response_body



=== TEST 3: READONLY from a demoted master: the sentinels are asked again, and the new master is used
--- http_config
    lago_webhook_redis_sentinel lago 127.0.0.1:$TEST_NGINX_SENTINEL_S1_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S2_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S3_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
my ($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://before.example"}}');
Test::More::is($status, 200, 'a create on A');

# B becomes the master and A its replica, behind the module's back: its
# connection to A stays open, and the sentinels are told of B
main::cli('b', 'REPLICAOF', 'NO', 'ONE');
main::cli('a', 'REPLICAOF', '127.0.0.1', $main::Port{b});
main::cli('c', 'REPLICAOF', '127.0.0.1', $main::Port{b});
for my $s (qw(s1 s2 s3)) {
    main::cli($s, 'SENTINEL', 'REMOVE', 'lago');
    main::cli($s, 'SENTINEL', 'MONITOR', 'lago', '127.0.0.1', $main::Port{b}, 2);
    main::cli($s, 'SENTINEL', 'SET', 'lago', 'down-after-milliseconds', 1000,
              'failover-timeout', 3000);
}
main::wait_replicas($main::Port{b}, 2);

($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://readonly.example"}}');
Test::More::is($status, 503, 'the write A refuses: 503');
Test::More::is($body, $Lago::Unavailable, 'the JSON 503');

my $t0 = Time::HiRes::time();
for (1 .. 50) {
    Time::HiRes::sleep(0.1);
    ($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
        '{"webhook_endpoint":{"webhook_url":"https://after.example"}}');
    last if $status == 200;
}
Test::More::is($status, 200, 'then a create on B');
Test::More::cmp_ok(Time::HiRes::time() - $t0, '<', 2, 'within 2 s');
Test::More::is(Lago::Redis->connect("redis://127.0.0.1:$main::Port{b}")
               ->command('HLEN', "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:webhook_endpoints"),
               2, 'B has both records');
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
"total_count":2\}\}$
--- error_log eval
[qr/redis "lago" is no longer the master: READONLY/,
 qr/redis master "lago" is at 127\.0\.0\.1:$main::Port{b}\b/,
 'redis "lago" is reachable again']
--- no_error_log
[alert]
[crit]



=== TEST 4: the master killed under load, wait 1: 200 or 503, 200 again soon after the promotion, no acknowledged create lost
--- http_config
    lago_webhook_redis_sentinel lago 127.0.0.1:$TEST_NGINX_SENTINEL_S1_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S2_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S3_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_wait 1 300ms;
    lago_webhook_redis_timeout 1s;
    lago_webhook_redis_connect_timeout 300ms;
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100000;
    }
--- init
my $old = main::master_port();
Lago::check_sentinel_failover(
    name => 'sentinel failover',
    kill => sub {
        my ($name) = grep { $main::Port{$_} == $old } qw(a b c);
        Lago::kill_redis(delete $main::Pid{$name});
    },
    promoted => sub { main::master_port() != $old });

# the next block's organization is written as soon as this one ends
main::wait_settled();
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID",.*"total_count":\d+\}\}$
--- error_log eval
qr/redis master "lago" is at 127\.0\.0\.1:(?!$main::Port{b}\b)\d+/
--- no_error_log
[alert]
[crit]



=== TEST 5: a graceful SENTINEL FAILOVER under reads only: +switch-master takes the worker to the new master at once, before any write
--- http_config
    lago_webhook_redis_sentinel lago 127.0.0.1:$TEST_NGINX_SENTINEL_S1_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S2_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S3_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
# the replica left by TEST 4 may still be on its way to the new master:
# the sentinels reconfigure it within their failover-timeout, or later
my $old;
for (1 .. 3) {
    $old = main::master_port();
    last if eval { main::wait_replicas($old, 1); 1 };
}
main::wait_replicas($old, 1);

my ($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://switch.example"}}');
Test::More::is($status, 200, 'a create on the old master');
my ($id) = $body =~ /"lago_id":"([^"]+)"/;

# nginx's connections to the Redis on $port: not the sentinels' (named),
# not a replica's, not redis-cli's own
my $nginx_on = sub {
    my ($port) = @_;
    return scalar grep { / name= / && !/ flags=\w*S/ && !/ cmd=client/ }
                  split /\n/, qx{redis-cli -p $port CLIENT LIST};
};
Test::More::ok($nginx_on->($old), 'nginx is connected to the old master');

# the worker listens to s1, the first sentinel, on one connection; an
# nginx gone before (the previous block's) left none behind
my $subscribers;
Lago::wait_until(sub {
    $subscribers = () = main::cli('s1', 'CLIENT', 'LIST') =~ / sub=1 /g;
    $subscribers == 1
}, 10, 'one subscription on s1');
Test::More::is($subscribers, 1, 'one subscription on s1');

# s1 is the sentinel the worker listens to first; asked, it fails over
# itself, and tells of the switch at once.  The old master stays up, and
# goes on answering reads: only +switch-master tells the worker.
my $failover = '';
for (1 .. 100) {
    $failover = main::cli('s1', 'SENTINEL', 'FAILOVER', 'lago');
    last if $failover eq 'OK';
    Time::HiRes::sleep(0.1);
}
Test::More::is($failover, 'OK', 'SENTINEL FAILOVER accepted');

my (@bad, $switched, $connected, $new);
my $end = Time::HiRes::time() + 15;

while (Time::HiRes::time() < $end) {
    ($status, $body) = Lago::api('GET', "/api/v1/webhook_endpoints/$id", $Lago::Key);
    push @bad, "$status $body"
        unless $status == 200 && $body =~ /"lago_id":"$id"/
               || $status == 503 && $body eq $Lago::Unavailable;

    my $now = Time::HiRes::time();
    my $port = main::master_port();

    if (!$switched && $port && $port != $old) {
        ($switched, $new) = ($now, $port);
    }

    if ($switched && $nginx_on->($new)) {
        $connected = $now;
        last;
    }

    Time::HiRes::sleep(0.05);
}

Test::More::ok($switched, 'the sentinels switched the master');
Test::More::ok($connected, 'nginx connected to the new master before any write');
Test::More::cmp_ok($connected - $switched, '<', 1, 'within 1 s of the switch')
    if $connected && $switched;
Test::More::is_deeply(\@bad, [], 'every read a 200 or a JSON 503');

($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://switched.example"}}');
Test::More::is($status, 200, 'the first create after the switch: 200');
Test::More::is(Lago::Redis->connect("redis://127.0.0.1:" . ($new // 0))
               ->command('HEXISTS', "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:webhook_endpoint_urls",
                         'https://switched.example'),
               1, 'it is on the new master');
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
"total_count":2\}\}$
--- error_log eval
[qr/\[notice\] .*lago_webhook: sentinel 127\.0\.0\.1:$main::Port{s1} says redis master "lago" moved to 127\.0\.0\.1:\d+/,
 qr/redis master "lago" is at 127\.0\.0\.1:\d+/]
--- no_error_log
[alert]
[crit]
