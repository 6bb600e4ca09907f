# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Reload and shutdown under load: requests in flight while nginx reloads
# are all answered, the old workers' Redis connections go away with them,
# and no worker leaves a socket open when it exits.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use POSIX ();
use Time::HiRes ();
use Lago;

repeat_each(1);
no_shuffle();
master_on();
workers(2);

sub nginx_redis_clients {
    return scalar Lago::nginx_clients(Lago::redis('CLIENT', 'LIST'));
}

# creates and lists in batches of 20 concurrent requests for $secs
# seconds; returns the statuses seen
sub load {
    my ($secs) = @_;
    my @statuses;
    my $end = Time::HiRes::time() + $secs;
    my $n = 0;

    while (Time::HiRes::time() < $end) {
        push @statuses, map { $_->[0] } Lago::concurrent(map {
            $n++;
            $_ % 2
                ? Lago::http_request('POST', '/api/v1/webhook_endpoints',
                      $Lago::Key,
                      qq({"webhook_endpoint":{"webhook_url":"https://l$$-$n.example"}}))
                : Lago::http_request('GET', '/api/v1/webhook_endpoints',
                                     $Lago::Key);
        } 1 .. 20);
    }

    return @statuses;
}

run_tests();

__DATA__

=== TEST 1: nginx -s reload under load: every request answered 200
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 100000;
    }
--- init
my $pid = do {
    my $root = $ENV{TEST_NGINX_SERVROOT} // 't/servroot';
    open my $fh, '<', "$root/logs/nginx.pid" or die "nginx.pid: $!";
    scalar <$fh>;
};
chomp $pid;
my $child = fork // die "fork: $!";
if ($child == 0) {
    # two reloads while the parent keeps the load on
    Time::HiRes::sleep(0.5);
    kill 'HUP', $pid;
    Time::HiRes::sleep(0.7);
    kill 'HUP', $pid;
    POSIX::_exit(0);
}
my @statuses = main::load(2.5);
waitpid $child, 0;
Test::More::cmp_ok(scalar @statuses, '>', 100, 'load ran');
Test::More::is(scalar(grep { $_ != 200 } @statuses), 0,
               'no request failed across two reloads');
# the old workers are gone, and their Redis connections with them
Lago::wait_until(sub { main::nginx_redis_clients() == 2 }, 10,
                 'the old workers\' connections to go');
Test::More::is(main::nginx_redis_clients(), 2,
               'one Redis connection per current worker');
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID",.*"total_count":\d+\}\}$
--- no_error_log
[alert]
[crit]
[error]
open socket



=== TEST 2: shutdown (nginx -s quit) leaves no socket open in a worker
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[alert]
[crit]
[error]
--- no_shutdown_error_log
open socket
[alert]
