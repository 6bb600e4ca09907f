# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Memory per request is bounded by configuration, whatever the records
# hold.  A list answer is at most min(per_page, lago_webhook_max_endpoints)
# records, each with at most lago_webhook_max_value_length bytes of URL and
# of name (a name of '<' is six times that once escaped), and a request
# holds its answer until the client has read it.  So clients that read the
# largest page slowly grow nginx by about one page each, and no more.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Test::More;
use IO::Socket::INET ();
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Time::HiRes ();
use Lago;

our ($Org, $Key) = Lago::new_org();
our $PageLen;

# slow readers, and the room allowed to each beyond its page: the request,
# its pool and nginx's buffers for it
our $Readers = 40;
our $PerReaderSlack = 64 * 1024;

repeat_each(1);
no_shuffle();
run_tests();


# the resident memory of the nginx serving the tests (master_process off)
sub nginx_rss_kb {
    my $pidfile = $Test::Nginx::Util::ServRoot . '/logs/nginx.pid';
    open my $fh, '<', $pidfile or die "$pidfile: $!";
    chomp(my $pid = <$fh>);
    open my $st, '<', "/proc/$pid/status" or die "/proc/$pid/status: $!";
    while (<$st>) {
        return $1 if /^VmRSS:\s+(\d+) kB/;
    }
    die "no VmRSS for nginx $pid";
}


# a client that asks for the page and reads nothing of it
sub slow_reader {
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $sock = IO::Socket::INET->new(Proto => 'tcp') or die "socket: $!";
    setsockopt($sock, SOL_SOCKET, SO_RCVBUF, 4096) or die "SO_RCVBUF: $!";
    $sock->connect(Socket::pack_sockaddr_in($port,
                                            Socket::inet_aton('127.0.0.1')))
        or die "connect: $!";
    $sock->syswrite("GET /api/v1/webhook_endpoints?per_page=100 HTTP/1.1\r\n"
                    . "Host: localhost\r\nAuthorization: Bearer $Key\r\n\r\n");
    return $sock;
}

__DATA__

=== TEST 1: the largest records there can be: the body limit would allow a name of 1 MB, the value limit refuses it; ten names of 2048 '<' are stored
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
my @res = Lago::concurrent(Lago::http_request('POST',
    '/api/v1/webhook_endpoints', $main::Key,
    '{"webhook_endpoint":{"webhook_url":"https://huge.example","name":"'
    . ('<' x 1_000_000) . '"}}'));
Test::More::is($res[0][0], 422, 'a name of 1 MB is refused');
Test::More::is($res[0][1], '{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{"name":["value_is_too_long"]}}',
               'as too long');
@res = Lago::concurrent(map {
    Lago::http_request('POST', '/api/v1/webhook_endpoints', $main::Key,
        '{"webhook_endpoint":{"webhook_url":"https://m' . $_ . '.example/'
        . ('p' x (2048 - 23)) . '","name":"' . ('<' x 2048) . '"}}')
} 10 .. 19);
Test::More::is(scalar(grep { $_->[0] == 200 } @res), 10,
               'ten records of the largest size are stored');
--- request
GET /api/v1/webhook_endpoints?per_page=100
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/^\{"webhook_endpoints":\[(?:\{[^{}]+\},){9}\{[^{}]+\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":10\}\}$/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: forty slow readers of that page grow nginx by about forty pages, not more
--- init
my ($res) = Lago::concurrent(Lago::http_request('GET',
    '/api/v1/webhook_endpoints?per_page=100', $main::Key));
$main::PageLen = length $res->[1];

# ten records of at most 36 + 36 + 2048 + 6 * 2048 bytes and their keys
Test::More::cmp_ok($main::PageLen, '<=', 10 * (36 + 36 + 7 * 2048 + 300),
                   'the page is within what the limits allow');

SKIP: {
    Test::More::skip('memory is not measured under valgrind or a sanitizer', 1)
        if $ENV{TEST_NGINX_USE_VALGRIND} || $ENV{SANITIZE};

    my $before = main::nginx_rss_kb();
    my @readers = map { main::slow_reader() } 1 .. $main::Readers;
    # nginx has made every answer once every reader has its first bytes
    Lago::wait_until(sub {
        !grep { !defined recv($_, my $byte, 1,
                                Socket::MSG_PEEK | Socket::MSG_DONTWAIT) }
              @readers
    }, 10, 'every slow reader to have its first bytes');
    my $after = main::nginx_rss_kb();
    close $_ for @readers;

    my $bound = $main::Readers * ($main::PageLen + $main::PerReaderSlack)
                / 1024;
    Test::More::diag(sprintf "memory: %d readers of a %d-byte page: "
                     . "+%d KiB (bound %d KiB)", $main::Readers,
                     $main::PageLen, $after - $before, $bound);
    Test::More::cmp_ok($after - $before, '<=', $bound,
                       'nginx grows by at most a page and its request per '
                       . 'slow reader');
}
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like chomp
"total_count":10\}\}$
--- no_error_log
[error]
[alert]
[crit]
