# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# The metrics zone outlives its workers: a reload (SIGHUP to the master)
# and a worker killed with SIGKILL (which the master replaces) leave every
# counter as it was, and the gauges count the workers that are there.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Time::HiRes ();
use Lago;
use LagoMetrics;

repeat_each(1);
no_shuffle();
master_on();
workers(2);

sub master_pid {
    my $root = $ENV{TEST_NGINX_SERVROOT} // 't/servroot';
    open my $fh, '<', "$root/logs/nginx.pid" or die "nginx.pid: $!";
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

# the master's children (its workers), from /proc
sub workers_of {
    my ($master) = @_;
    my @pids;

    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh> // next;
        # pid (comm) state ppid ...: comm may hold spaces
        my ($pid, $ppid) = $line =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @pids, $pid if $ppid == $master;
    }

    return sort { $a <=> $b } @pids;
}

# waits until the master has $n workers, none of them in @gone
sub wait_workers {
    my ($master, $n, @gone) = @_;
    my %gone = map { $_ => 1 } @gone;

    for (1 .. 100) {
        my @w = workers_of($master);
        return @w if @w == $n && !grep { $gone{$_} } @w;
        Time::HiRes::sleep(0.05);
    }

    die "nginx did not get back to $n new workers\n";
}

# the series that must never go back: counters and histograms
# the counters a reload leaves as they were: all but the outage time,
# and a Cluster's slot map reads, which each new worker makes
sub counters {
    my ($series) = @_;
    return { map { $_ => $series->{$_} }
             grep { /_total(?:\{|$)|_bucket\{|_count$|_sum$/
                    && !/^lago_webhook_redis_(?:outage_seconds|slot_map_reads)_total$/ }
             keys %$series };
}

sub create {
    my ($key, $n) = @_;

    return map { (Lago::api('POST', '/api/v1/webhook_endpoints', $key,
        qq({"webhook_endpoint":{"webhook_url":"https://r$$-$_.example"}})))[0]
    } @$n;
}

run_tests();

__DATA__

=== TEST 1: a reload, then a killed worker: the counters stay
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100;
    }

    location = /metrics {
        lago_webhook_metrics;
    }
--- init
my $k = q{$LAGO_KEY};
my $master = main::master_pid();
my @workers = main::wait_workers($master, 2);
LagoMetrics::wait_for('/metrics', sub {
    $_[1] =~ /^lago_webhook_redis_connections_up 2$/m });

my $before = LagoMetrics::scrape();
my @st = main::create($k, [1 .. 6]);
push @st, (Lago::api('GET', '/api/v1/webhook_endpoints', $k))[0];
Test::More::is("@st", '200 200 200 200 200 200 200', 'the traffic');
LagoMetrics::wait_counted($before, 7);
my $counted = LagoMetrics::scrape();
Test::More::is($counted->{'lago_webhook_requests_total{action="create",status="200"}'}
               - $before->{'lago_webhook_requests_total{action="create",status="200"}'},
               6, 'creates counted across both workers');
my $kept = main::counters($counted);

# a reload: new workers, the same zone
kill 'HUP', $master;
@workers = main::wait_workers($master, 2, @workers);
LagoMetrics::wait_for('/metrics', sub {
    $_[1] =~ /^lago_webhook_redis_connections_up 2$/m });
my ($reloaded, $text) = LagoMetrics::scrape();
Test::More::is_deeply(main::counters($reloaded), $kept,
                      'a reload keeps every counter');
LagoMetrics::promtool_ok($text, 'after a reload');

# a worker killed outright: its replacement finds the zone as it was
kill 'KILL', $workers[0];
main::wait_workers($master, 2, $workers[0]);
LagoMetrics::wait_for('/metrics', sub {
    $_[1] =~ /^lago_webhook_redis_connections_up 2$/m });
my $killed = LagoMetrics::scrape();
Test::More::is_deeply(main::counters($killed), $kept,
                      'a killed worker keeps every counter');
Test::More::is($killed->{lago_webhook_redis_commands_in_flight}, 0,
               'nothing in flight');

# and counting goes on from there
@st = main::create($k, [7 .. 9]);
Test::More::is("@st", '200 200 200', 'more traffic');
LagoMetrics::wait_counted($kept, 3);
my $after = LagoMetrics::scrape();
Test::More::is($after->{'lago_webhook_requests_total{action="create",status="200"}'}
               - $kept->{'lago_webhook_requests_total{action="create",status="200"}'},
               3, 'counted on top');
Test::More::is($after->{lago_webhook_request_duration_seconds_count}
               - $kept->{lago_webhook_request_duration_seconds_count},
               3, 'durations on top');
--- request
GET /metrics
--- response_body_like chomp
\nlago_webhook_redis_connections_up 2\n
--- error_log
exited on signal 9
--- no_error_log
[crit]
[emerg]
