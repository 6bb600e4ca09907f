# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause

package LagoMetrics;

# Helpers of the suites that read the module's metrics (lago_webhook_metrics)
# and health (lago_webhook_health): one request on a connection of its
# own, the Prometheus text parsed into series, and the two checks every
# scrape must pass (promtool's, and the histograms' own consistency).

use strict;
use warnings;

use File::Temp ();
use IO::Socket::INET ();
use Time::HiRes ();
use Test::More ();

use Lago ();

our @Actions = qw(create list show update delete public_key none);
our @Statuses = qw(200 400 401 403 404 408 413 422 499 500 503 other);


# GET (or another method) of $uri; returns (status, content type, body)
sub get {
    my ($uri, $method) = @_;

    $method //= 'GET';

    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => $port, Proto => 'tcp',
                                     Timeout => 5)
        or die "connect: $!";

    $sock->print("$method $uri HTTP/1.1\r\nHost: localhost\r\n"
                 . "Connection: close\r\n\r\n");

    local $/;
    my $response = <$sock> // '';
    close $sock;

    my ($head, $body) = split /\r\n\r\n/, $response, 2;
    my ($status) = $head =~ m{^HTTP/1\.1 (\d+)};
    my ($type) = $head =~ m{^Content-Type: ([^\r\n]*)}mi;

    return ($status // 0, $type // '', $body // '');
}


# the metrics as { 'name{labels}' => value }, and the text itself
sub scrape {
    my ($uri) = @_;

    my ($status, $type, $body) = get($uri // '/metrics');
    die "metrics: status $status\n$body" unless $status == 200;

    my %series;
    for my $line (split /\n/, $body) {
        next if $line =~ /^#/;
        my ($name, $value) = $line =~ /^(\S+) (\S+)$/
            or die "metrics: malformed line: $line";
        $series{$name} = $value;
    }

    return wantarray ? (\%series, $body) : \%series;
}


# the requests counters of a scrape, as { "action/status" => count }
sub requests {
    my ($series) = @_;

    my %counts;
    for my $a (@Actions) {
        for my $s (@Statuses) {
            my $name = qq(lago_webhook_requests_total{action="$a",status="$s"});
            die "metrics: no $name" unless defined $series->{$name};
            $counts{"$a/$s"} = $series->{$name};
        }
    }

    return \%counts;
}


# promtool's own check of the exposition format and naming rules
sub promtool_ok {
    my ($text, $name) = @_;

    my $tmp = File::Temp->new;
    print $tmp $text;
    close $tmp;

    my $out = qx{promtool check metrics < $tmp 2>&1};
    Test::More::is($? >> 8, 0, "$name: promtool check metrics")
        or Test::More::diag($out);
}


# a histogram's buckets grow with "le", and +Inf is its _count
sub histogram_ok {
    my ($series, $metric, $name) = @_;

    my @les = qw(0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1
                 2.5 +Inf);
    my $prev = 0;
    my $sorted = 1;

    for my $le (@les) {
        my $v = $series->{qq(${metric}_bucket{le="$le"})};
        die "metrics: no $metric bucket $le" unless defined $v;
        $sorted = 0 if $v < $prev;
        $prev = $v;
    }

    Test::More::ok($sorted, "$name: $metric buckets are cumulative");
    Test::More::is($series->{"${metric}_count"}, $prev,
                   "$name: $metric count is its +Inf bucket");
}


# polls $uri until $check->(status, body) holds; dies after $secs (10)
sub wait_for {
    my ($uri, $check, $secs) = @_;

    my ($status, $body);

    Lago::wait_until(sub {
        ($status, undef, $body) = get($uri);
        return $check->($status, $body);
    }, $secs, "$uri to pass its check")
        or die "wait_for $uri: still $status $body\n";
}


# Waits until the scrapes count $n requests more than $before (a scrape)
# does.  A request is counted in its log phase, which may end after its
# client has read the answer: a scrape right after it may miss it.
sub wait_counted {
    my ($before, $n) = @_;

    my $count = 'lago_webhook_request_duration_seconds_count';

    Lago::wait_until(sub { scrape()->{$count} - $before->{$count} >= $n },
                     10, "$n more requests counted");
}



1;
