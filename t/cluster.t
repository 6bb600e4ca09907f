# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Redis Cluster: the module learns the slot map, keeps a connection per
# master, sends each organization's commands to its slot's master, and
# follows the cluster as slots move and masters fail.  This suite runs a
# cluster of its own on loopback: three masters and a replica each, a
# node failing after 1 s, and the cluster serving the slots it still
# has when a master is lost (cluster-require-full-coverage no).  The
# blocks run in order and change the cluster: TEST 4 moves slots, TEST 5
# and TEST 6 kill masters.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();
use Lago;

our $Dir = File::Temp::tempdir(CLEANUP => 1);
our (@Ports, %Pid);

# a free port whose cluster bus port (10000 above) is free too, both
# below the kernel's ephemeral ports (32768 on), which outgoing
# connections could take in the meantime
sub cluster_port {
    for (1 .. 1000) {
        my $port = 20000 + int rand 2768;
        next if grep { $_ == $port } @Ports;
        my @socks = map {
            IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => $_, ReuseAddr => 0)
        } $port, $port + 10000;
        return $port if 2 == grep { defined } @socks;
    }

    die "no free port for a cluster node";
}

push @Ports, cluster_port() for 1 .. 6;

sub start_node {
    my ($port) = @_;

    mkdir "$Dir/$port";

    $Pid{$port} = Lago::spawn_redis('--port', $port, '--bind', '127.0.0.1',
        '--dir', "$Dir/$port", '--save', '', '--appendonly', 'yes',
        '--logfile', "$Dir/$port/redis.log",
        '--cluster-enabled', 'yes',
        '--cluster-config-file', "nodes-$port.conf",
        '--cluster-node-timeout', 1000,
        '--cluster-require-full-coverage', 'no',
        '--repl-diskless-sync-delay', 0);
    Lago::wait_for_redis($port);
}

sub kill_node {
    my ($port) = @_;

    Lago::kill_redis(delete $Pid{$port});
}

sub cli {
    my ($port, @args) = @_;
    my $out = qx{redis-cli -p $port @args 2>&1};
    $out =~ s/\s+\z//;
    return $out;
}

# the cluster as a node sees it: [port, id, flags, slots] per node
sub nodes {
    my ($port) = @_;

    return map {
        my ($id, $addr, $flags, undef, undef, undef, undef, undef, @slots)
            = split / /;
        my ($p) = $addr =~ /:(\d+)/;
        [$p, $id, $flags, join(' ', @slots)];
    } split /\n/, cli($port, 'CLUSTER', 'NODES');
}

# the ports of the masters that serve slots, as a live node sees them
sub masters {
    my ($alive) = grep { $Pid{$_} } @Ports;
    return map { $_->[0] }
           grep { $_->[2] =~ /master/ && $_->[2] !~ /fail/ && $_->[3] ne '' }
           nodes($alive);
}

sub node_id {
    my ($port) = @_;
    return cli($port, 'CLUSTER', 'MYID');
}

# the port of the master that owns an organization's slot
sub master_of {
    my ($org) = @_;

    my ($alive) = grep { $Pid{$_} } @Ports;
    my $slot = cli($alive, 'CLUSTER', 'KEYSLOT', "{$org}");

    for my $node (nodes($alive)) {
        next unless $node->[2] =~ /master/ && $node->[2] !~ /fail/;
        for (split / /, $node->[3]) {
            my ($lo, $hi) = /^(\d+)(?:-(\d+))?$/ or next;
            return $node->[0] if $slot >= $lo && $slot <= ($hi // $lo);
        }
    }

    return 0;
}

# waits until every live node says the cluster is ok and agrees on who
# serves the slots
sub wait_cluster {
    my %views;

    for (1 .. 600) {
        my @live = grep { $Pid{$_} } @Ports;
        my @ok = grep { cli($_, 'CLUSTER', 'INFO') =~ /cluster_state:ok/ }
                 @live;
        %views = map {
            my $p = $_;
            (join(',', sort map { "$_->[0]:$_->[3]" }
                       grep { $_->[2] =~ /master/ && $_->[2] !~ /fail/ }
                       nodes($p)) => $p)
        } @live;
        return if @ok == @live && keys %views == 1;
        Time::HiRes::sleep(0.1);
    }

    die "the cluster did not settle: "
        . join('; ', map { "$views{$_} sees $_" } sort keys %views) . "\n";
}

# waits until every master has a replica in sync with it
sub wait_replicas {
    for my $master (masters()) {
        for (1 .. 100) {
            my $info = cli($master, 'INFO', 'replication');
            my ($offset) = $info =~ /master_repl_offset:(\d+)/;
            last if $info =~ /^slave\d+:.*state=online,offset=$offset\b/m;
            Time::HiRes::sleep(0.1);
        }
    }
}

# the master with the lowest slots, and the next one
sub lowest_masters {
    my ($alive) = grep { $Pid{$_} } @Ports;
    my %first;

    for my $node (nodes($alive)) {
        next unless $node->[2] =~ /master/ && $node->[3] =~ /^(\d+)/;
        $first{ $node->[0] } = $1;
    }

    return (sort { $first{$a} <=> $first{$b} } keys %first)[0, 1];
}

# how many slots a master serves
sub slot_count {
    my ($port) = @_;

    my ($node) = grep { $_->[0] == $port } nodes($port);
    my $n = 0;

    for (split / /, $node->[3]) {
        my ($lo, $hi) = /^(\d+)(?:-(\d+))?$/ or next;
        $n += ($hi // $lo) - $lo + 1;
    }

    return $n;
}

start_node($_) for @Ports;
cli($Ports[0], '--cluster', 'create', map("127.0.0.1:$_", @Ports),
    '--cluster-replicas', 1, '--cluster-yes');
wait_cluster();

END {
    local $?;
    kill_node($_) for keys %Pid;
}

$ENV{TEST_NGINX_CLUSTER_SEEDS} = join ' ', map "127.0.0.1:$_", @Ports[0 .. 2];

# lago-admin and the suite's checks reach the cluster as the module does
$ENV{LAGO_REDIS_URL} = 'redis-cluster://'
                       . join ',', map "127.0.0.1:$_", @Ports[0 .. 2];

# an organization (and its key) on each master: [org, key, port]
sub orgs_on_every_master {
    my %on;

    for (1 .. 200) {
        my ($org, $key) = Lago::new_org();
        $on{ master_of($org) } //= [$org, $key, master_of($org)];
        last if keys %on == 3;
    }

    die "no organization on every master" unless keys %on == 3;

    return map { $on{$_} } sort keys %on;
}

# Creates in batches of 10 per organization, all at once, until $until
# returns true or $seconds pass; $during runs between batches.  Returns
# per organization: {url => status}, the wrong answers, the slowest 503.
sub load {
    my ($orgs, $seconds, $during) = @_;

    my (%answer, @bad, $n, $slowest_503);
    my $end = Time::HiRes::time() + $seconds;

    while (Time::HiRes::time() < $end) {
        my @batch;

        for my $o (@$orgs) {
            push @batch, map { [$o, 'https://' . $o->[0] . '.example/' . ++$n] }
                         1 .. 10;
        }

        my $t0 = Time::HiRes::time();
        my @res = Lago::concurrent(map {
            Lago::http_request('POST', '/api/v1/webhook_endpoints', $_->[0][1],
                qq({"webhook_endpoint":{"webhook_url":"$_->[1]"}}))
        } @batch);
        my $took = Time::HiRes::time() - $t0;

        for my $i (0 .. $#batch) {
            my ($o, $url) = @{ $batch[$i] };
            my ($status, $body) = @{ $res[$i] };

            $answer{ $o->[0] }{$url} = $status;

            if ($status == 503 && $body eq $Lago::Unavailable) {
                $slowest_503 = $took if $took > ($slowest_503 // 0);
            } elsif ($status != 200) {
                push @bad, "$status $body";
            }
        }

        last if $during && $during->(\%answer, \@res, \@batch);
    }

    return (\%answer, \@bad, $slowest_503 // 0);
}

# Kills the master of $orgs->[0] once 50 of its creates are answered, and
# loads all three until its organization gets a 200 again after the
# promotion (then $on_promoted, if given, has run) or $seconds pass.
# Returns load()'s results and the times of the kill, the promotion and
# the first 200 after it.
sub kill_under_load {
    my ($orgs, $seconds, $on_promoted) = @_;

    my $victim = $orgs->[0][2];
    my ($killed, $promoted, $back);

    my @results = load($orgs, $seconds, sub {
        my ($answer, $res, $batch) = @_;
        my $now = Time::HiRes::time();

        if (!$killed && keys %{ $answer->{ $orgs->[0][0] } } >= 50) {
            kill_node($victim);
            $killed = $now;
            return 0;
        }

        if ($killed && !$promoted && master_of($orgs->[0][0]) != $victim
            && master_of($orgs->[0][0]) != 0)
        {
            $promoted = $now;
            $on_promoted->() if $on_promoted;
        }

        if ($promoted
            && grep { $batch->[$_][0] == $orgs->[0] && $res->[$_][0] == 200 }
                    0 .. $#$batch)
        {
            $back = $now;
            return 1;
        }

        return 0;
    });

    return (@results, $killed, $promoted, $back);
}

# the acknowledged creates of an organization that are not stored
sub lost {
    my ($org, $answers) = @_;

    my %stored = @{ Lago::redis('HGETALL',
        "$ENV{TEST_NGINX_LAGO_PREFIX}\{$org\}:webhook_endpoint_urls") };

    return grep { $answers->{$_} == 200 && !exists $stored{$_} }
           keys %$answers;
}

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: organizations on all three masters: every action works on each, wait 1 included
--- http_config
    lago_webhook_redis_cluster $TEST_NGINX_CLUSTER_SEEDS;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_wait 1 500ms;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::wait_replicas();
my @orgs = main::orgs_on_every_master();

for my $o (@orgs) {
    my ($org, $key, $port) = @$o;

    my ($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $key,
        '{"webhook_endpoint":{"webhook_url":"https://c.example","name":"c"}}');
    Test::More::is($status, 200, "create on $port: 200");
    my ($id) = $body =~ /"lago_id":"([^"]+)"/;
    Test::More::like($body, qr/^\{"webhook_endpoint":\{"lago_id":"$Lago::Uuid","lago_organization_id":"$org","webhook_url":"https:\/\/c\.example","signature_algo":"jwt","name":"c","event_types":null,"created_at":"$Lago::Time"\}\}$/, "create on $port: the record");

    Test::More::is(main::cli($port, 'HLEN',
                   "'$ENV{TEST_NGINX_LAGO_PREFIX}\{$org\}:webhook_endpoints'"),
                   1, "the record is on $port");

    ($status, $body) = Lago::api('GET', "/api/v1/webhook_endpoints/$id", $key);
    Test::More::is($status, 200, "show on $port: 200");
    Test::More::like($body, qr/"lago_id":"$id".*"name":"c"/, "show on $port: the record");

    ($status, $body) = Lago::api('PUT', "/api/v1/webhook_endpoints/$id", $key,
        '{"webhook_endpoint":{"name":"d"}}');
    Test::More::is($status, 200, "update on $port: 200");
    Test::More::like($body, qr/"lago_id":"$id".*"name":"d"/, "update on $port: the record");

    ($status, $body) = Lago::api('GET', '/api/v1/webhook_endpoints', $key);
    Test::More::is($status, 200, "list on $port: 200");
    Test::More::like($body, qr/^\{"webhook_endpoints":\[\{"lago_id":"$id",.*"name":"d".*\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$/, "list on $port: the page");

    ($status, $body) = Lago::api('DELETE', "/api/v1/webhook_endpoints/$id", $key);
    Test::More::is($status, 200, "delete on $port: 200");

    ($status, $body) = Lago::api('GET', "/api/v1/webhook_endpoints/$id", $key);
    Test::More::is($status, 404, "show after delete on $port: 404");
}
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: lago_webhook_redis_cluster with another mode, or with a database: refused
--- config
    location /t {
        return 200;
    }
--- init
# nginx -t leaves its first pool to exit(): no leak report for it
local $ENV{ASAN_OPTIONS} = ($ENV{ASAN_OPTIONS} // '') . ':detect_leaks=0';

my %cases = (
    'redis' => ["lago_webhook_redis 127.0.0.1:$main::Ports[0];\n"
                . "    lago_webhook_redis_cluster 127.0.0.1:$main::Ports[0];\n",
                qr/\[emerg\] "lago_webhook_redis_cluster" directive cannot be used with "lago_webhook_redis": one Redis, or a Cluster in \S+\.conf:4/],
    'sentinel' => ["lago_webhook_redis_cluster 127.0.0.1:$main::Ports[0];\n"
                   . "    lago_webhook_redis_sentinel lago 127.0.0.1:1;\n",
                   qr/\[emerg\] "lago_webhook_redis_sentinel" directive cannot be used with "lago_webhook_redis_cluster": the master the sentinels name, or a Cluster in \S+\.conf:4/],
    'twice' => ["lago_webhook_redis_cluster 127.0.0.1:$main::Ports[0];\n"
                . "    lago_webhook_redis_cluster 127.0.0.1:$main::Ports[1];\n",
                qr/\[emerg\] "lago_webhook_redis_cluster" directive is duplicate in \S+\.conf:4/],
    'db' => ["lago_webhook_redis_cluster 127.0.0.1:$main::Ports[0];\n"
             . "    lago_webhook_redis_db 1;\n",
             qr/\[emerg\] lago_webhook_redis_db 1 cannot be used with lago_webhook_redis_cluster: Redis Cluster has database 0 only in \S+\.conf:5/],
);

for my $case (sort keys %cases) {
    my ($directives, $message) = @{ $cases{$case} };
    my $conf = "$main::Dir/$case.conf";
    open my $fh, '>', $conf or die $!;
    print $fh "events {}\nhttp {\n    $directives}\n";
    close $fh;
    my $out = qx{$ENV{TEST_NGINX_BINARY} -t -p $main::Dir -c $conf -e $main::Dir/$case.log 2>&1};
    Test::More::isnt($? >> 8, 0, "$case: nginx -t fails");
    Test::More::like($out, $message, "$case: the message says why");
}
--- request
GET /t
--- response_body



=== TEST 3: a slot migrating by hand: TRYAGAIN while its keys are split, ASK once they are moved, MOVED after; scripts loaded on the new node
--- http_config
    lago_webhook_redis_cluster $TEST_NGINX_CLUSTER_SEEDS;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_timeout 5s;
--- config
    location /api/v1/ {
        lago_webhook;
    }
    location = /metrics {
        lago_webhook_metrics;
    }
--- init
my $p = "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:";
my $from = main::master_of($Lago::Org);
my ($to) = grep { $_ != $from } main::masters();
my $slot = main::cli($from, 'CLUSTER', 'KEYSLOT', "{$Lago::Org}");

my ($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://m1.example"}}');
Test::More::is($status, 200, 'a create before the migration');

# $to has never run the scripts: the module learns that from NOSCRIPT
main::cli($to, 'SCRIPT', 'FLUSH');

main::cli($to, 'CLUSTER', 'SETSLOT', $slot, 'IMPORTING', main::node_id($from));
main::cli($from, 'CLUSTER', 'SETSLOT', $slot, 'MIGRATING', main::node_id($to));

# one of the organization's three keys moved: a script on all three is
# told TRYAGAIN until the others follow, 300 ms later, with the rest of
# the slot's keys (lago-admin's too: a node still holding keys of a slot
# refuses to give it away)
main::cli($from, 'MIGRATE', '127.0.0.1', $to, "'${p}webhook_endpoints'", 0, 5000);

my $pid = fork // die;
if ($pid == 0) {
    Time::HiRes::sleep(0.3);
    my @keys = split /\n/,
                     main::cli($from, 'CLUSTER', 'GETKEYSINSLOT', $slot, 1000);
    main::cli($from, 'MIGRATE', '127.0.0.1', $to, '""', 0, 5000, 'KEYS',
              map { "'$_'" } @keys);
    POSIX::_exit(0);
}

my $t0 = Time::HiRes::time();
($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://m2.example"}}');
my $took = Time::HiRes::time() - $t0;
waitpid $pid, 0;
Test::More::is($status, 200, 'a create while the keys were split: 200');
Test::More::cmp_ok($took, '>=', 0.25, 'answered once the keys were together');

# every key on $to now: $from answers ASK, for this slot only
($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://m3.example"}}');
Test::More::is($status, 200, 'a create while the slot migrates: 200');

($status, $body) = Lago::api('GET', '/api/v1/webhook_endpoints', $Lago::Key);
Test::More::like($body, qr/"total_count":3\}\}$/, 'a list while the slot migrates');

# the migration done: $from answers MOVED
main::cli($_, 'CLUSTER', 'SETSLOT', $slot, 'NODE', main::node_id($to))
    for main::masters();

($status, $body) = Lago::api('POST', '/api/v1/webhook_endpoints', $Lago::Key,
    '{"webhook_endpoint":{"webhook_url":"https://m4.example"}}');
Test::More::is($status, 200, 'a create after the migration: 200');

Test::More::is(main::cli($to, 'HLEN', "'${p}webhook_endpoints'"), 4,
               'the four records are on the new master');
Test::More::like(main::cli($from, 'EXISTS', "'${p}webhook_endpoints'"),
                 qr/MOVED $slot 127\.0\.0\.1:$to\b/, 'and none on the old one');
Test::More::is(main::cli($from, 'CLUSTER', 'COUNTKEYSINSLOT', $slot), 0,
               'the slot\'s keys all moved');
Test::More::is_deeply([Lago::check_org($Lago::Org)], [], 'store consistent');

($status, $body) = Lago::api('GET', '/metrics', $Lago::Key);
for my $kind (qw(moved ask tryagain)) {
    Test::More::like($body, qr/^lago_webhook_redis_redirects_total\{kind="$kind"\} [1-9]\d*$/m,
                     "the metrics count $kind");
}
Test::More::like($body, qr/^lago_webhook_redis_slot_map_reads_total ([2-9]|\d\d+)$/m,
                 'and the slot maps read: at the start, and after MOVED');
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
"total_count":4\}\}$
--- grep_error_log eval: qr/redirects op:\w+: (?:TRYAGAIN|ASK|MOVED)/
--- grep_error_log_out eval
qr/TRYAGAIN.*ASK.*MOVED/s
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: resharding under load: a master's slots move to another and back while creates and lists run; no request fails, none is lost
--- http_config
    lago_webhook_redis_cluster $TEST_NGINX_CLUSTER_SEEDS;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_timeout 5s;
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100000;
    }
--- init
my ($from, $to) = main::lowest_masters();
my @orgs = sort { ($b->[2] == $from) <=> ($a->[2] == $from) }
           main::orgs_on_every_master();
# all of $from's slots but its last one to $to (a master left with none
# becomes a replica), then as many back: the lowest, its own
my $count = main::slot_count($from) - 1;
my $pid = fork // die;
if ($pid == 0) {
    # a child of the test runner: it must never return into it
    my $ok = eval {
        for ([$from, $to], [$to, $from]) {
            my ($a, $b) = @$_;
            main::wait_cluster();
            system("redis-cli --cluster reshard 127.0.0.1:$a --cluster-from "
                   . main::node_id($a) . " --cluster-to "
                   . main::node_id($b) . " --cluster-slots $count"
                   . " --cluster-yes >>$main::Dir/reshard.log 2>&1") == 0
                or die "redis-cli --cluster reshard failed\n";
        }
        1;
    };
    warn $@ unless $ok;
    POSIX::_exit($ok ? 0 : 1);
}

my ($lists_bad, $over, $reshard);
my ($answers, $bad) = main::load(\@orgs, 180, sub {
    # a list for each organization between batches
    for my $o (@orgs) {
        my ($status, $body) = Lago::api('GET',
                                        '/api/v1/webhook_endpoints?per_page=1',
                                        $o->[1]);
        $lists_bad++ unless $status == 200 && $body =~ /"total_count":\d+\}\}$/;
    }
    $over = waitpid($pid, POSIX::WNOHANG()) == $pid;
    $reshard = $? if $over;
    return $over;
});
Test::More::ok($over, 'the load lasted as long as the reshards')
    or do { waitpid $pid, 0; $reshard = $? };
Test::More::is($reshard, 0, 'both reshards done');
Test::More::is_deeply($bad, [], 'every create answered 200');
Test::More::ok(!$lists_bad, 'every list answered 200');
Test::More::is(main::master_of($orgs[0][0]), $from, 'the slots came back')
    or Test::More::diag(`cat $main::Dir/reshard.log`);

for my $o (@orgs) {
    Test::More::is_deeply([main::lost($o->[0], $answers->{ $o->[0] })], [],
                          "no acknowledged create lost on $o->[2]");
    Test::More::is_deeply([Lago::check_org($o->[0])], [],
                          "store consistent on $o->[2]");
}
Test::More::diag(sprintf "resharding: %d creates",
                 scalar map { keys %$_ } values %$answers);
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
"total_count":0\}\}$
--- grep_error_log eval: qr/redirects op:\w+: MOVED/
--- grep_error_log_out eval
qr/MOVED/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: a master killed under load: the other masters' organizations get 200s throughout; the victim's get 200 or a fast JSON 503, and 200 again soon after its replica's promotion
--- http_config
    lago_webhook_redis_cluster $TEST_NGINX_CLUSTER_SEEDS;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_timeout 1s;
    lago_webhook_redis_connect_timeout 300ms;
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100000;
    }
--- init
my @orgs = main::orgs_on_every_master();
my $victim = $orgs[0][2];

my ($answers, $bad, $slowest_503, $killed, $promoted, $back)
    = main::kill_under_load(\@orgs, 30);

my %status;
for my $o (@orgs) {
    $status{ $o->[0] }{$_}++ for values %{ $answers->{ $o->[0] } };
}

Test::More::ok($killed, 'the master was killed');
Test::More::ok($promoted, 'its replica was promoted');
Test::More::ok($back, '200 again for its organization');
Test::More::cmp_ok($back - $promoted, '<', 3, 'within 3 s of the promotion')
    if $back && $promoted;
Test::More::is_deeply($bad, [], 'every answer a 200 or a JSON 503');
Test::More::ok($status{ $orgs[0][0] }{503}, 'the victim\'s organization saw 503s');
Test::More::cmp_ok($slowest_503, '<', 1.5, 'each 503 within the timeout');
for my $o (@orgs[1, 2]) {
    Test::More::is_deeply($status{ $o->[0] }, { 200 => scalar keys %{ $answers->{ $o->[0] } } },
                          "only 200s on $o->[2]");
}
Test::More::diag(sprintf "cluster failover: promotion %.1f s after the "
    . "kill, 200 again %.1f s after it", ($promoted // 0) - ($killed // 0),
    ($back // 0) - ($promoted // 0));

# the old master comes back as a replica of the new one
main::start_node($victim);
main::wait_cluster();
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
"total_count":0\}\}$
--- no_error_log
[alert]
[crit]



=== TEST 6: a master killed under load, wait 1: no acknowledged create is lost
--- http_config
    lago_webhook_redis_cluster $TEST_NGINX_CLUSTER_SEEDS;
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
main::wait_replicas();
my @orgs = main::orgs_on_every_master();

# the new master needs a replica of its own for WAIT 1: the old one
my ($answers, $bad, undef, $killed, $promoted, $back)
    = main::kill_under_load(\@orgs, 30,
                            sub { main::start_node($orgs[0][2]) });

Test::More::ok($killed && $promoted && $back, 'killed, promoted, 200 again');
Test::More::is_deeply($bad, [], 'every answer a 200 or a JSON 503');

my $ok = 0;
for my $o (@orgs) {
    $ok += grep { $_ == 200 } values %{ $answers->{ $o->[0] } };
    Test::More::is_deeply([main::lost($o->[0], $answers->{ $o->[0] })], [],
                          "lost on $o->[2]: no acknowledged create is missing");
    Test::More::is_deeply([Lago::check_org($o->[0])], [],
                          "store consistent on $o->[2]");
}
Test::More::diag("cluster failover with wait 1: $ok acknowledged");
main::wait_cluster();
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
"total_count":0\}\}$
--- no_error_log
[alert]
[crit]
