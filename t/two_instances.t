#!/usr/bin/perl
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Two nginx instances on one store, as behind a load balancer: each a
# process of its own (its own prefix, port, configuration and key cache),
# both with the Redis directives of the run's store (t/Lago.pm) and
# lago_webhook_key_cache_ttl 2s.
#
# - A key that both have cached (their cache hit counters say so) and that
#   lago-admin then revokes is refused by both, with the exact 401, within
#   the TTL of the revocation: no request sent later than that is served.
#   Until then a cached instance may still serve it, as the README says.
#   Once refused it stays refused.
# - A key that lago-admin makes afterwards works on A and at once on B (an
#   unknown key is never cached), and an endpoint created through A is
#   shown by B as A answered it.
#
# Test::Nginx runs one nginx, hence a suite of plain Test::More that
# starts both itself (TEST_NGINX_BINARY, or the static build).  Each runs
# in the foreground as a child of ours in a process group of its own, so
# that an END block can kill whatever is left when the suite dies.

use strict;
use warnings;

use FindBin ();
use lib $FindBin::Bin;

use File::Temp qw(tempdir);
use HTTP::Tiny ();
use IO::Socket::INET ();
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

use Lago;

my $NGINX = $ENV{TEST_NGINX_BINARY}
            || "$FindBin::Bin/../build/nginx-static/nginx";

plan skip_all => "no $NGINX (run make first)" unless -x $NGINX;

# the cache's time to live, in seconds, and how long to go on asking past
# it (requests sent then must all be refused)
my $TTL = 2;
my $PAST = 0.3;

my $UNAUTHORIZED = '{"status":401,"error":"Unauthorized"}';
my $EMPTY_LIST = '{"webhook_endpoints":[],"meta":{"current_page":0,'
                 . '"next_page":null,"prev_page":null,"total_pages":0,'
                 . '"total_count":0}}';

# name => { pid, port, prefix } of the instances not yet stopped
my %running;

END {
    local $?;
    for my $nginx (values %running) {
        kill 'KILL', -$nginx->{pid};
        waitpid $nginx->{pid}, 0;
    }
}

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return scalar <$fh> // '';
}

sub port_open {
    my ($port) = @_;
    return defined IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                         PeerPort => $port, Timeout => 1);
}

# The configuration of one instance: the store's directives only from
# t/Lago.pm, so that every kind of LAGO_REDIS_URL the run may use
# (address, unix socket, ACL user, TLS...) is reached the same way.
sub nginx_conf {
    my ($prefix, $port) = @_;

    my $load_modules = join '', map { "load_module $_;\n" }
                       grep { length }
                       split /\s+/, $ENV{TEST_NGINX_LOAD_MODULES} // '';
    my $user = $> == 0 ? "user root;\n" : '';
    my $temp_paths = join '', map { "    ${_}_temp_path $prefix/${_}_temp;\n" }
                     qw(client_body proxy fastcgi uwsgi scgi);

    my $store = Lago::redis_directives($ENV{LAGO_REDIS_URL})
                . '    lago_webhook_redis_prefix '
                . Lago::nginx_quote($ENV{TEST_NGINX_LAGO_PREFIX}) . ";\n";

    return <<"EOC";
$load_modules${user}worker_processes 1;
daemon off;
master_process on;
error_log $prefix/logs/error.log info;
pid $prefix/logs/nginx.pid;

events {
    worker_connections 64;
}

http {
    access_log $prefix/logs/access.log;
$temp_paths
$store    lago_webhook_key_cache_ttl ${TTL}s;

    server {
        listen 127.0.0.1:$port;

        location /api/v1/ {
            lago_webhook;
        }

        location = /metrics {
            lago_webhook_metrics;
        }

        location = /health {
            lago_webhook_health;
        }
    }
}
EOC
}

# Starts an instance and returns once its worker is connected to Redis.
sub start_nginx {
    my ($name) = @_;

    my $prefix = tempdir(CLEANUP => 1);
    mkdir "$prefix/$_" or die "mkdir $prefix/$_: $!" for qw(conf logs);
    my $port = Lago::free_port();

    open my $fh, '>', "$prefix/conf/nginx.conf" or die "nginx.conf: $!";
    print $fh nginx_conf($prefix, $port);
    close $fh;

    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgrp(0, 0);
        open STDOUT, '>>', "$prefix/logs/stderr.log" or die;
        open STDERR, '>&', \*STDOUT or die;
        exec($NGINX, '-p', "$prefix/", '-c', "$prefix/conf/nginx.conf",
             '-e', "$prefix/logs/error.log")
            or POSIX::_exit(127);
    }

    my $nginx = $running{$name} = { pid => $pid, port => $port,
                                    prefix => $prefix };

    my $deadline = time + 10;
    while (time < $deadline) {
        die "nginx $name exited at its start:\n"
            . slurp("$prefix/logs/error.log")
            . slurp("$prefix/logs/stderr.log")
            if waitpid($pid, WNOHANG) == $pid;
        my ($status) = get($nginx, '/health');
        return $nginx if $status == 200;
        sleep 0.05;
    }

    die "nginx $name not serving after 10 s:\n"
        . slurp("$prefix/logs/error.log");
}

# A graceful stop (SIGQUIT) that must end every process of the instance.
sub stop_nginx {
    my ($name) = @_;

    my $nginx = delete $running{$name};
    kill 'QUIT', $nginx->{pid};

    my $deadline = time + 10;
    sleep 0.05 while waitpid($nginx->{pid}, WNOHANG) == 0 && time < $deadline;
    my $exited = time < $deadline;
    is $exited && $?, 0, "$name: a graceful stop, exit status 0";
    if (!$exited) {
        kill 'KILL', -$nginx->{pid};
        waitpid $nginx->{pid}, 0;
    }

    # the worker is in the master's group: none of it may be left
    my $gone = time + 2;
    sleep 0.05 while kill(0, -$nginx->{pid}) && time < $gone;
    ok !kill(0, -$nginx->{pid}), "$name: no process left";
    ok !port_open($nginx->{port}), "$name: its port is closed";

    my $log = slurp("$nginx->{prefix}/logs/error.log");
    unlike $log, qr/\[(?:error|crit|alert|emerg)\]/,
           "$name: nothing wrong in error.log"
        or diag $log;
}

# [status, body] of one request, on a connection of its own
sub request {
    my ($nginx, $method, $uri, $key, $body) = @_;

    my $res = HTTP::Tiny->new(timeout => 5, keep_alive => 0)->request(
        $method, "http://127.0.0.1:$nginx->{port}$uri",
        { headers => { defined $key ? (Authorization => "Bearer $key") : (),
                       defined $body
                       ? ('Content-Type' => 'application/json') : () },
          defined $body ? (content => $body) : () });

    return ($res->{status}, $res->{content});
}

sub get {
    my ($nginx, $uri, $key) = @_;
    return request($nginx, 'GET', $uri, $key);
}

# the key cache's counters of an instance: (hits, misses)
sub cache_counters {
    my ($nginx) = @_;

    my ($status, $text) = get($nginx, '/metrics');
    die "GET /metrics: $status" unless $status == 200;

    my ($hits) = $text =~ /^lago_webhook_key_cache_hits_total (\d+)$/m;
    my ($misses) = $text =~ /^lago_webhook_key_cache_misses_total (\d+)$/m;

    return ($hits, $misses);
}

my %nginx = (A => start_nginx('A'), B => start_nginx('B'));
my @names = sort keys %nginx;

my ($org, $key) = Lago::new_org();

# Both cache the key: a miss, then a hit, in each.
for my $name (@names) {
    my @before = cache_counters($nginx{$name});
    for my $try (1, 2) {
        is_deeply [get($nginx{$name}, '/api/v1/webhook_endpoints', $key)],
                  [200, $EMPTY_LIST], "$name: the key works ($try)";
    }
    my @after = cache_counters($nginx{$name});
    is_deeply [$after[0] - $before[0], $after[1] - $before[1]], [1, 1],
              "$name: looked up in Redis once, then from its cache";
}

Lago::admin('key', 'revoke', $key);

# The revocation is in Redis by now: from $deadline on, no request may be
# served with the key.  Poll both instances, recording when each request
# was sent, until a while past that.  Before the deadline an instance may
# still serve the key from its cache (the README promises "within the
# TTL", nothing sooner), so a 200 is allowed then, but no 200 after a 401:
# once refused, refused.  A slow answer cannot make this flaky: what
# counts is when a request was sent, not when its answer came.
my $revoked = time;
my $deadline = $revoked + $TTL;
my (%first_401, %cached_200, %refused_late, @late, @wrong);

while (time < $deadline + $PAST) {
    for my $name (@names) {
        my $sent = time;
        my ($status, $body) = get($nginx{$name}, '/api/v1/webhook_endpoints',
                                  $key);
        my $what = sprintf '%s, sent %.3f s after the revocation: %s %s',
                           $name, $sent - $revoked, $status, $body;

        if ($status == 401 && $body eq $UNAUTHORIZED) {
            $first_401{$name} //= $sent - $revoked;
            $refused_late{$name} = 1 if $sent >= $deadline;

        } elsif ($status == 200 && $body eq $EMPTY_LIST) {
            push @late, $what if $sent >= $deadline;
            push @wrong, "$what, after a 401" if defined $first_401{$name};
            $cached_200{$name}++;

        } else {
            push @wrong, $what;
        }
    }
    sleep 0.05;
}

is_deeply \@late, [],
          'no instance serves the key later than the TTL after its revocation';
is_deeply \@wrong, [], 'only the exact 200 or 401, and no 200 after a 401';

for my $name (@names) {
    ok $refused_late{$name}, "$name: refuses the key after the TTL";
    note sprintf '%s: %d answers from its cache, first 401 %s', $name,
                 $cached_200{$name} // 0,
                 defined $first_401{$name}
                     ? sprintf('%.2f s after the revocation', $first_401{$name})
                     : 'never';

    is_deeply [get($nginx{$name}, '/api/v1/webhook_endpoints', $key)],
              [401, $UNAUTHORIZED], "$name: still refused afterwards";
}

# A key made now works on A and at once on B, and so does what A wrote.
my $new_key = Lago::new_key($org);

my ($status, $created) = request($nginx{A}, 'POST',
    '/api/v1/webhook_endpoints', $new_key,
    '{"webhook_endpoint":{"webhook_url":"https://two.example/hook"}}');
is $status, 200, 'A: the new key creates an endpoint';
like $created,
     qr/\A\{"webhook_endpoint":\{"lago_id":"($Lago::Uuid)","lago_organization_id":"\Q$org\E","webhook_url":"https:\/\/two\.example\/hook","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$Lago::Time"\}\}\z/,
     'A: the created endpoint';
my ($id) = $created =~ /"lago_id":"([^"]+)"/;

is_deeply [get($nginx{B}, "/api/v1/webhook_endpoints/$id", $new_key)],
          [200, $created], 'B: the new key at once, and the endpoint as A '
                           . 'answered it';

stop_nginx($_) for @names;

done_testing;
