#!/usr/bin/perl
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# `make run` (tools/run-local) in a run directory inside a directory only
# its owner may enter: it comes up, a create whose body is larger than
# client_body_buffer_size (so nginx spools it to a temporary file in the
# run directory) is a 200, and Ctrl-C stops nginx and Redis.  As root the
# same runs again as the user "nobody", with a run directory of its own.
#
# Needs build/nginx-static/nginx (make).  Core Perl modules only.

use strict;
use warnings;

use File::Temp qw(tempdir);
use FindBin;
use HTTP::Tiny;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

my $ROOT  = "$FindBin::Bin/..";
my $NGINX = "$ROOT/build/nginx-static/nginx";

plan skip_all => "no $NGINX (run make first)" unless -x $NGINX;

my $UUID = qr/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;
my $TIME = qr/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/;

sub free_ports {
    my @socks = map {
        IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                              LocalPort => 0, ReuseAddr => 1) or die "port: $!"
    } 1 .. $_[0];
    return map { $_->sockport } @socks;
}

sub port_open {
    my ($port) = @_;
    return defined IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                         PeerPort => $port, Timeout => 1);
}

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return scalar <$fh> // '';
}

# the process groups of runs not yet ended, killed if the test dies early
my %running;
END { kill 'KILL', -$_ for keys %running }

# Runs tools/run-local (as $user when given) in $run_dir, checks it, stops it.
sub check_make_run {
    my ($name, $run_dir, $user) = @_;

    my ($http_port, $redis_port) = free_ports(2);
    my $out = "$run_dir.out";

    my $pid = fork // die "fork: $!";
    if (!$pid) {
        # a process group of its own, as a job in a terminal: Ctrl-C
        # sends SIGINT to the whole group
        setpgrp(0, 0);
        open STDOUT, '>', $out or die;
        open STDERR, '>&', \*STDOUT or die;
        $ENV{LAGO_RUN_DIR}    = $run_dir;
        $ENV{LAGO_HTTP_PORT}  = $http_port;
        $ENV{LAGO_REDIS_PORT} = $redis_port;
        my @cmd = ("$ROOT/tools/run-local");
        unshift @cmd, 'runuser', '-u', $user, '--' if $user;
        exec @cmd or die "exec: $!";
    }
    $running{$pid} = 1;

    subtest $name => sub {
        my $deadline = time + 30;
        sleep 0.1 while slurp($out) !~ /Press Ctrl-C/
                        && waitpid($pid, WNOHANG) == 0 && time < $deadline;
        my $banner = slurp($out);
        like $banner, qr/Press Ctrl-C to stop\.\n\z/, 'make run is up'
            or diag $banner;
        my ($key) = $banner =~ /^API key: +(\S+)$/m;
        like $key, qr/\A$UUID\z/, 'it printed the demo API key';

        # past the default client_body_buffer_size (16k) by far: a name
        # as long as lago_webhook_max_value_length allows, and blank space
        my $name_field = 'n' x 2048;
        my $res = HTTP::Tiny->new(timeout => 5)->post(
            "http://127.0.0.1:$http_port/api/v1/webhook_endpoints",
            { headers => { Authorization => "Bearer $key",
                           'Content-Type' => 'application/json' },
              content => '{"webhook_endpoint":{"webhook_url":"https://big.example",'
                       . qq("name":"$name_field") . (' ' x 40000) . '}}' });
        is $res->{status}, 200, 'a body over the buffer size: 200';
        # ok(), not like(): a failure shows the body's start, not 2 KB
        ok $res->{content} =~
            qr/\A\{"webhook_endpoint":\{"lago_id":"$UUID","lago_organization_id":"$UUID","webhook_url":"https:\/\/big\.example","signature_algo":"jwt","name":"$name_field","event_types":null,"created_at":"$TIME"\}\}\z/,
            'the created endpoint'
            or diag substr $res->{content}, 0, 300;

        my $log = slurp("$run_dir/nginx/logs/error.log");
        unlike $log, qr/\[(?:crit|alert|emerg)\]|Permission denied/,
            'nothing wrong in error.log' or diag $log;

        kill 'INT', -$pid;
        my $end = time + 10;
        sleep 0.1 while waitpid($pid, WNOHANG) == 0 && time < $end;
        ok time < $end, 'Ctrl-C ends it' or kill 'KILL', -$pid;
        delete $running{$pid};
        like slurp($out), qr/^stopped$/m, 'it says it stopped';
        ok !port_open($http_port), 'nginx is gone';
        ok !port_open($redis_port), 'Redis is gone';
    };
}

# File::Temp's directories are 0700: only their owner may enter
my $private = tempdir(CLEANUP => 1);

check_make_run('make run in a private directory', "$private/run");

SKIP: {
    skip 'the run as nobody needs root', 1 unless $> == 0;
    skip 'no runuser', 1 unless -x '/usr/sbin/runuser' || -x '/sbin/runuser';
    skip 'nobody cannot reach the checkout', 1
        unless system('runuser', '-u', 'nobody', '--', 'test', '-x',
                      "$ROOT/tools/run-local") == 0
               && system('runuser', '-u', 'nobody', '--', 'test', '-x',
                         $NGINX) == 0;

    my $dir = "$private/nobody";
    mkdir $dir or die "mkdir: $!";
    chmod 0700, $dir;
    chown scalar(getpwnam 'nobody'), -1, $dir or die "chown: $!";
    # nobody must pass through $private to reach its own directory
    chmod 0711, $private;

    check_make_run('make run as a user other than root', "$dir/run", 'nobody');
}

done_testing;
