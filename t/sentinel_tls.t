# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Redis Sentinel with a master reached over TLS: the master A and its
# replicas B and C speak TLS only (no plaintext port), to their clients and
# to each other; the three sentinels watch them over TLS, so that they name
# the TLS ports, and answer the module in plaintext on their own port (and
# each other over TLS on a second one).  The certificates are
# tools/lib.sh's tls_certs (the server's names 127.0.0.1), made by
# tools/run-tests in TEST_NGINX_REDIS_TLS_DIR.  The blocks run in order:
# TEST 2 kills the master.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use POSIX ();
use Time::HiRes ();
use Lago;

our $Tls = $ENV{TEST_NGINX_REDIS_TLS_DIR}
    or die "TEST_NGINX_REDIS_TLS_DIR is not set (run through tools/run-tests)";

our $Dir = File::Temp::tempdir(CLEANUP => 1);
our (%Port, %Pid);

$Port{$_} = Lago::free_port() for qw(a b c s1 s2 s3 t1 t2 t3);

# TLS everywhere, no client certificate asked: the module's trust is the
# subject here, not the server's
our @Tls = ('--tls-cert-file', "$Tls/server.crt",
            '--tls-key-file', "$Tls/server.key",
            '--tls-ca-cert-file', "$Tls/ca.crt",
            '--tls-auth-clients', 'no');

sub cli {
    my ($name, @args) = @_;
    my $tls = $name =~ /^s/ ? '' : "--tls --cacert $Tls/ca.crt";
    my $out = qx{redis-cli $tls -h 127.0.0.1 -p $Port{$name} @args 2>&1};
    $out =~ s/\s+\z//;
    return $out;
}

# redis-server in the foreground of a child of ours, so it can be killed
sub start_redis {
    my ($name, @args) = @_;

    $Pid{$name} = Lago::spawn_redis(@args);

    for (1 .. 50) {
        return if cli($name, 'PING') =~ /PONG/;
        Time::HiRes::sleep(0.1);
    }

    die "redis-server $name did not answer (see $Dir/$name.log)";
}

sub start_node {
    my ($name, $master) = @_;

    start_redis($name, '--port', 0, '--tls-port', $Port{$name},
                '--bind', '127.0.0.1', @Tls, '--tls-replication', 'yes',
                '--dir', $Dir, '--dbfilename', "$name.rdb", '--save', '',
                '--appendonly', 'no', '--logfile', "$Dir/$name.log",
                $master ? ('--replicaof', '127.0.0.1', $Port{$master}) : ());
}

# a sentinel on s<n> in plaintext, t<n> over TLS for the other sentinels
sub start_sentinel {
    my ($n) = @_;

    # Sentinel rewrites its configuration: a file of its own
    open my $fh, '>', "$Dir/s$n.conf" or die "$Dir/s$n.conf: $!";
    print $fh "port $Port{\"s$n\"}\ntls-port $Port{\"t$n\"}\n"
              . "bind 127.0.0.1\ndir $Dir\nlogfile $Dir/s$n.log\n"
              . "tls-cert-file $Tls/server.crt\n"
              . "tls-key-file $Tls/server.key\n"
              . "tls-ca-cert-file $Tls/ca.crt\n"
              . "tls-auth-clients no\ntls-replication yes\n"
              . "sentinel monitor lago 127.0.0.1 $Port{a} 2\n"
              . "sentinel down-after-milliseconds lago 1000\n"
              . "sentinel failover-timeout lago 3000\n";
    close $fh;

    start_redis("s$n", "$Dir/s$n.conf", '--sentinel');
}

# the master's port as the sentinel s1 tells it
sub master_port {
    my ($port) = cli('s1', 'SENTINEL', 'get-master-addr-by-name', 'lago')
                 =~ /\n(\d+)\z/;
    return $port // 0;
}

sub node_of {
    my ($port) = @_;
    my ($name) = grep { $Port{$_} == $port } qw(a b c);
    return $name;
}

# waits until the master $name's $count replicas are in sync with it
sub wait_replicas {
    my ($name, $count) = @_;

    for (1 .. 100) {
        my @online = cli($name, 'INFO', 'replication')
                     =~ /^slave\d+:.*state=online/mg;
        return if @online >= $count
                  && cli($name, 'WAIT', $count, 100) =~ /^(\d+)/
                  && $1 >= $count;
        Time::HiRes::sleep(0.1);
    }

    die "the replicas of $name are not in sync";
}

# lago-admin and the suite's checks go to the master over TLS
sub follow_master {
    my ($port) = @_;
    $ENV{LAGO_REDIS_URL} = "rediss://127.0.0.1:$port/0?ssl_ca_certs="
                           . "$Tls/ca.crt";
}

start_node('a');
start_node('b', 'a');
start_node('c', 'a');
start_sentinel($_) for 1 .. 3;
wait_replicas('a', 2);
follow_master($Port{a});

END {
    local $?;
    Lago::kill_redis(values %Pid);
}

$ENV{"TEST_NGINX_SENTINEL_\U$_\E_PORT"} = $Port{$_} for keys %Port;
$ENV{TEST_NGINX_SENTINEL_TLS_DIR} = $Tls;

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: every action through the sentinels, the master over TLS (checked by its address, 127.0.0.1)
--- http_config
    lago_webhook_redis_sentinel lago 127.0.0.1:$TEST_NGINX_SENTINEL_S1_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S2_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S3_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_SENTINEL_TLS_DIR/ca.crt;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_wait 2 500ms;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
Test::More::like(main::cli('s1', 'SENTINEL', 'get-master-addr-by-name', 'lago'),
                 qr/\A127\.0\.0\.1\n$main::Port{a}\z/,
                 'the sentinels name the TLS port');

Lago::check_every_action('https://tls.example',
                         sub { main::cli('c', 'HLEN', $_[0]) });
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- error_log eval
[qr/\[notice\] .*lago_webhook: redis master "lago" is at 127\.0\.0\.1:$main::Port{a}\b/,
 qr/\[info\] .*lago_webhook: sentinel 127\.0\.0\.1:$main::Port{s1}: watching \+switch-master/]
--- no_error_log
[error]
[warn]
[alert]
[crit]



=== TEST 2: the TLS master killed under load: 200 or 503, 200 again soon after the promotion, no acknowledged create lost
--- http_config
    lago_webhook_redis_sentinel lago 127.0.0.1:$TEST_NGINX_SENTINEL_S1_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S2_PORT
                                127.0.0.1:$TEST_NGINX_SENTINEL_S3_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_SENTINEL_TLS_DIR/ca.crt;
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
    name => 'sentinel failover over TLS',
    kill => sub {
        my $name = main::node_of($old);
        Lago::kill_redis(delete $main::Pid{$name});
    },
    promoted => sub { main::master_port() != $old },
    after => sub { main::follow_master(main::master_port()) });
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID",.*"total_count":\d+\}\}$
--- error_log eval
qr/redis master "lago" is at 127\.0\.0\.1:(?!$main::Port{a}\b)\d+/
--- no_error_log
[alert]
[crit]
