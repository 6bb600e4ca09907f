package Test::Nginx::Socket;

# Client-side half of the test scaffold: turns the request sections of a
# Test::Base block into raw HTTP/1.1 bytes, talks to nginx over a plain
# TCP socket, and checks status, headers, body and error.log.
#
# "-base" (lower case) makes this a Test::Base subclass without Spiffy's
# source filter, so the subs below are ordinary Perl subs.

use strict;
use warnings;

use Test::Base -base;

use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use List::Util qw(min);
use Test::LongString ();
use Time::HiRes qw(sleep time);

use Test::Nginx::Util;

our @EXPORT = qw(
    env_to_nginx is_str plan run_tests repeat_each worker_connections
    master_process_enabled no_long_string workers master_on master_off
    log_level no_shuffle no_root_location use_hup server_name server_addr
    server_root html_dir server_port server_port_for_client timeout
    add_block_preprocessor bail_out add_cleanup_handler
);

$Test::Nginx::Util::RunTestHelper         = \&run_test_helper;
$Test::Nginx::Util::CheckShutdownErrorLog = \&check_shutdown_error_log;

my $TotalConnectFailures = 0;

# ---------------------------------------------------------------------
# Building requests
# ---------------------------------------------------------------------

# "--- more_headers" lines become "Name: value\r\n"; "#" lines are
# comments.  Also reports whether the request body is sent chunked.
sub parse_more_headers {
    my $in = shift;
    my ($out, $chunked) = ('', 0);

    for my $line (split /\n+/, $in) {
        next if $line =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $line, 2;
        $val //= '';
        $chunked = 1 if lc $key eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }

    return ($out, $chunked);
}

# "METHOD [URI [VERSION]]\n<body>" plus the extra header lines -> raw
# request bytes.
sub build_request {
    my ($name, $request, $more_headers, $conn) = @_;

    my ($hdrs, $chunked) = parse_more_headers($more_headers);

    my ($first, $body) = split /\n/, $request, 2;
    if (!defined $first || $first !~ /\S/) {
        bail_out("$name - Request line should be non-empty");
    }

    my ($method, $uri, $ver) = split ' ', $first;
    $uri //= '/';
    $ver //= 'HTTP/1.1';
    $body //= '';

    my $len = '';
    if (!$chunked && $body ne '' && $hdrs !~ /(?:^|\n)Content-Length:/) {
        # the section's trailing newline is not part of the body
        $body =~ s/^\s+|\s+$//gs;
        $len = 'Content-Length: ' . length($body) . "\r\n";
    }

    my $head = '';
    $head .= "Host: $ServerName\r\n"   if $hdrs !~ /(?:^|\n)Host:/i;
    $head .= "Connection: $conn\r\n"   if $hdrs !~ /(?:^|\n)Connection/i;

    return "$method $uri $ver\r\n$head$hdrs$len\r\n$body";
}

sub headers_for {
    my ($name, $more_headers, $i) = @_;
    return $more_headers unless ref $more_headers;
    my $h = $more_headers->[$i];
    bail_out("$name - --- more_headers lacks data for request $i")
        unless defined $h;
    return $h;
}

# Returns a list of requests; each request is a list of packets (strings)
# that are written one after another.
sub get_req_from_block {
    my $block = shift;
    my $name  = $block->name;

    if (defined(my $raw = $block->raw_request)) {
        return [ref $raw eq 'ARRAY' ? [@$raw] : [$raw]];
    }

    my $more_headers = $block->more_headers // '';

    if (my $reqs = $block->pipelined_requests) {
        bail_out("$name - invalid entries in --- pipelined_requests")
            unless ref $reqs eq 'ARRAY';

        my $all = '';
        for my $i (0 .. $#$reqs) {
            my $req = expand_env_in_text($reqs->[$i], $name);
            # all but the last request keep the connection open
            my $conn = $i == $#$reqs ? 'close' : 'keep-alive';
            $all .= build_request($name, $req,
                                  headers_for($name, $more_headers, $i),
                                  $conn);
        }
        return [[$all]];
    }

    my $request = $block->request;
    bail_out("$name - request empty") unless defined $request;

    if (!ref $request) {
        # leading comment lines and blank space are not part of it
        1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;
        return [[build_request($name, $request,
                               headers_for($name, $more_headers, 0),
                               'close')]];
    }

    if (ref $request eq 'ARRAY') {
        my @list;
        for my $i (0 .. $#$request) {
            my $one = $request->[$i];
            bail_out("$name - only plain string requests are supported "
                     . "inside a --- request array")
                if ref $one;
            push @list, [build_request($name, $one,
                                       headers_for($name, $more_headers, $i),
                                       'close')];
        }
        return \@list;
    }

    bail_out("$name - invalid --- request: MUST be string or array of "
             . "requests");
}

# ---------------------------------------------------------------------
# Talking to nginx
# ---------------------------------------------------------------------

sub connect_to_server {
    my ($block) = @_;
    my $name = $block->name;
    my $max  = $TotalConnectFailures ? 20 : 50;

    # nginx was started just before; retry with a growing delay
    for my $try (1 .. $max) {
        my $sock = IO::Socket::INET->new(
            PeerAddr => $ServerAddr,
            PeerPort => $ServerPortForClient,
            Proto    => 'tcp',
            Timeout  => timeout(),
        );
        return $sock if $sock;

        my $err = $!;

        # a foreground nginx (valgrind) that died will never answer
        my $child = $Test::Nginx::Util::ChildPid;
        if (defined $child && waitpid($child, POSIX::WNOHANG()) == $child) {
            undef $Test::Nginx::Util::ChildPid;
            Test::More->builder->no_ending(1);
            fail("$name - Can't connect to $ServerAddr:$ServerPortForClient:"
                 . " $err (nginx exited)\n");
            return undef;
        }

        my $wait = (sleep_time() + sleep_time() * $try) * $try / 2;
        $wait = 1 if $wait > 1;
        if ($wait >= 0.6) {
            warn "$name - Can't connect to $ServerAddr:$ServerPortForClient:"
                 . " $err\n\tRetry connecting after $wait sec\n";
        }
        sleep $wait;
    }

    my $msg = "$name - Can't connect to $ServerAddr:$ServerPortForClient: "
              . "$! (aborted)\n";
    # one unreachable server is a failed test; repeated ones mean nginx
    # is not coming up at all
    bail_out($msg) if ++$TotalConnectFailures >= 3;
    Test::More->builder->no_ending(1);
    fail($msg);
    return undef;
}

# Writes the packets and reads until nginx closes the connection.  The
# timeout is an idle timeout, as in upstream.
sub send_request {
    my ($packets, $block, $timeout, $middle_delay) = @_;
    my $name = $block->name;

    my $sock = connect_to_server($block) or return undef;
    $sock->blocking(0);

    my @out  = @$packets;
    my $wbuf = shift @out;
    my $resp = '';
    my $sel  = IO::Select->new($sock);

    while (1) {
        my ($r, $w) = IO::Select->select($sel, defined $wbuf ? $sel : undef,
                                         undef, $timeout);

        if (!$r && !$w) {
            next if $!{EINTR};
            if (!defined $block->abort) {
                Test::More->builder->no_ending(1);
                fail("ERROR: client socket timed out - $name\n");
            }
            last;
        }

        if ($w && @$w) {
            my $n = syswrite $sock, $wbuf;
            if (!defined $n) {
                if ($! != EAGAIN && $! != EWOULDBLOCK && $! != EINTR) {
                    warn "$name - write failed: $!\n";
                    undef $wbuf;
                }
            } else {
                substr($wbuf, 0, $n, '');
                if ($wbuf eq '') {
                    $wbuf = shift @out;
                    sleep $middle_delay if defined $wbuf && $middle_delay;
                }
            }
        }

        if ($r && @$r) {
            my $n = sysread $sock, my $buf, 4096;
            if (!defined $n) {
                next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
                warn "WARNING: $name - HTTP response read failure: $!\n";
                last;
            }
            last if $n == 0;
            $resp .= $buf;
        }
    }

    close $sock;
    return $resp;
}

# ---------------------------------------------------------------------
# Parsing responses
# ---------------------------------------------------------------------

# Returns (HTTP::Response, raw header text, bytes left after this
# response).  The left-over bytes are the next pipelined response.
sub parse_response {
    my ($name, $raw, $head_req) = @_;

    my $raw_headers = $raw =~ /(.*?\r\n)\r\n/s ? $1 : '';

    my $res  = HTTP::Response->parse($raw);
    my $code = $res->code;

    if (defined $code && $code !~ /^\d+$/) {
        $res->code(undef);
        $code = undef;
    }

    return ($res, $raw_headers, undef)
        if $code && ($code == 304 || $code == 101);

    my $te  = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');
    my $left;

    if (defined $te && $te eq 'chunked') {
        my $body = $res->content // '';
        my $decoded = '';
        my $pos = 0;

        while (1) {
            pos($body) = $pos;
            if ($body !~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*(?:;[^\r]*)?\r\n/gc) {
                Test::More->builder->no_ending(1);
                if ($pos < length $body) {
                    fail("$name - invalid chunked body received: "
                         . substr($body, $pos));
                } else {
                    fail("$name - no last chunk found - $body");
                }
                return;
            }

            my $size = hex $1;
            $pos = pos $body;

            if ($size == 0) {
                # skip trailers up to the empty line
                pos($body) = $pos;
                if ($body !~ /\G(?:[^\r\n]+\r\n)*\r\n/gc) {
                    Test::More->builder->no_ending(1);
                    fail("$name - invalid chunked data received "
                         . "(expected CRLF).");
                    return;
                }
                $pos = pos $body;
                $left = substr($body, $pos) if $pos < length $body;
                last;
            }

            if (length($body) - $pos < $size + 2) {
                Test::More->builder->no_ending(1);
                fail("$name - invalid chunked data received (not enough "
                     . "octets for the data section)");
                return;
            }

            $decoded .= substr($body, $pos, $size);
            $pos += $size;

            if (substr($body, $pos, 2) ne "\r\n") {
                Test::More->builder->no_ending(1);
                fail("$name - invalid chunked data received (expected CRLF).");
                return;
            }
            $pos += 2;
        }

        $res->content($decoded);

    } elsif (defined $len && $len =~ /^\d+$/) {
        my $body = $res->content // '';
        if (length $body < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
                 . "but got " . length($body) . "\n"
                unless $head_req;

        } elsif (length $body > $len) {
            $left = substr $body, $len;
            $res->content(substr $body, 0, $len);
        }
    }

    return ($res, $raw_headers, $left);
}

# ---------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------

# With several requests in one block every expectation is an arrayref
# indexed by request; with one request a plain value (or a one-element
# array) is expected.
sub get_indexed_value {
    my ($name, $value, $idx, $need_array) = @_;

    if ($need_array) {
        return $value->[$idx] if ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected "
                 . "results should be arrays as well.");
    }

    return ref $value eq 'ARRAY' ? $value->[0] : $value;
}

sub check_error_code {
    my ($block, $res, $idx, $need_array) = @_;
    my $name = $block->name;
    my $got  = ($res && $res->code) || '';

    if (defined $block->error_code_like) {
        my $pat = get_indexed_value($name, $block->error_code_like, $idx,
                                    $need_array);
        like($got, qr/$pat/sm, "$name - status code ok");
        return;
    }

    my $expected = defined $block->error_code
        ? get_indexed_value($name, $block->error_code, $idx, $need_array)
        : 200;

    # make a missing response obvious in the failure message
    is($got, $expected, "$name - status code ok")
        or $got ne '' or diag("$name - no HTTP response received");
}

# "Name: value" lines; "!Name" means the header must be absent.  An empty
# value ("Name:") matches a missing header too.
sub parse_headers {
    my $s = shift;
    my %headers;
    for my $line (split /\n/, $s) {
        $line =~ s/^\s+|\s+$//g;
        if ($line =~ s/^!\s*//) {
            $headers{$line} = undef;
        } else {
            my ($key, $val) = split /\s*:\s*/, $line, 2;
            $headers{$key} = $val;
        }
    }
    return \%headers;
}

sub check_raw_response_headers {
    my ($block, $raw_headers, $idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->raw_response_headers_like) {
        my $pat = get_indexed_value($name, $block->raw_response_headers_like,
                                    $idx, $need_array);
        like($raw_headers, qr/$pat/s, "$name - raw resp headers like");
    }

    if (defined $block->raw_response_headers_unlike) {
        my $pat = get_indexed_value($name,
                                    $block->raw_response_headers_unlike,
                                    $idx, $need_array);
        unlike($raw_headers, qr/$pat/s, "$name - raw resp headers unlike");
    }
}

sub check_response_headers {
    my ($block, $res, $raw_headers, $idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_headers) {
        my $headers = parse_headers(get_indexed_value(
            $name, $block->response_headers, $idx, $need_array));

        for my $key (sort keys %$headers) {
            my $val = $headers->{$key};

            if (!defined $val) {
                unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                       "$name - header $key not present in the raw headers");
                next;
            }

            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;

            my $actual = $res ? scalar $res->header($key) : undef;
            is($actual // '', $val, "$name - header $key ok");
        }

    } elsif (defined $block->response_headers_like) {
        my $headers = parse_headers(get_indexed_value(
            $name, $block->response_headers_like, $idx, $need_array));

        for my $key (sort keys %$headers) {
            my $val = $headers->{$key};
            my $actual = $res ? scalar $res->header($key) : undef;
            like($actual // '', qr/^$val$/, "$name - header $key like ok");
        }
    }
}

sub trim_summary {
    my $s = shift;
    return '' unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\s+/ /g;
    return $s;
}

sub check_response_body {
    my ($block, $res, $idx, $repeated_idx, $need_array) = @_;
    my $name = $block->name;
    my $content = $res ? $res->content : undef;

    if (defined $block->response_body) {
        my $expected = get_indexed_value($name, $block->response_body, $idx,
                                         $need_array);

        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            $expected = expand_env_in_text($expected, $name);
        }

        my $desc = "(repeated req $repeated_idx, req $idx)";

        if (ref $expected) {
            like($content, $expected, "$name - response_body - like $desc");
        } else {
            is_str($content, $expected,
                   "$name - response_body - response is expected $desc");
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my ($type, $pats) = defined $block->response_body_like
            ? ('like', $block->response_body_like)
            : ('unlike', $block->response_body_unlike);

        my $pat = get_indexed_value($name, $pats, $idx, $need_array);
        $pat =~ s/\$ServerPort\b/$ServerPort/g;
        $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;

        my $desc = "$name - response_body_$type - response is expected ("
                   . trim_summary($content) . ")";

        if ($type eq 'like') {
            like($content, qr/$pat/s, $desc);
        } else {
            unlike($content, qr/$pat/s, $desc);
        }
    }
}

# Turn a section value (text lines, a regex, or an arrayref of either)
# into a fresh list of patterns.
sub pattern_list {
    my $pats = shift;

    if (!ref $pats) {
        chomp $pats;
        return [split /\n+/, $pats];
    }

    return [$pats] if ref $pats eq 'Regexp';
    return [@$pats];
}

sub line_matches {
    my ($line, $pat) = @_;
    return ref $pat ? $line =~ /$pat/ : index($line, $pat) >= 0;
}

sub fmt_str {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

sub value_contains {
    my ($val, $str) = @_;
    return 0 unless defined $val;
    return index($val, $str) >= 0 if !ref $val;
    return index("$val", $str) >= 0 if ref $val eq 'Regexp';
    return scalar grep { value_contains($_, $str) } @$val;
}

# Every pattern must match some line.
sub expect_patterns {
    my ($name, $pats, $lines, $suffix) = @_;

    for my $pat (@$pats) {
        next unless defined $pat;
        if (grep { line_matches($_, $pat) } @$lines) {
            pass("$name - pattern \"$pat\" matches a line in error.log$suffix");
        } else {
            fail("$name - pattern \"$pat\" should match a line in "
                 . "error.log$suffix");
        }
    }
}

# No pattern may match any line; one failure per offending line.
sub reject_patterns {
    my ($name, $pats, $lines, $suffix, $with_context) = @_;

    for my $pat (@$pats) {
        next unless defined $pat;
        my $p = fmt_str($pat);
        my $hits = 0;

        for my $i (0 .. $#$lines) {
            my $line = $lines->[$i];
            next unless line_matches($line, $pat);

            # the plan can no longer be right once a pattern fails twice
            Test::More->builder->no_ending(1) if $hits++;

            my $more = '';
            if ($with_context) {
                my $last = min($i + 10, @$lines - 1) - 1;
                $more = join '', @{$lines}[$i + 1 .. $last] if $last > $i;
            }

            fail("$name - pattern \"$p\" should not match any line in "
                 . "error.log but matches line \"" . fmt_str($line)
                 . "\"$suffix\n$more");
        }

        pass("$name - pattern \"$p\" does not match a line in "
             . "error.log$suffix")
            unless $hits;
    }
}

sub check_error_log {
    my ($block, $repeated_idx) = @_;
    my $name   = $block->name;
    my $suffix = " (req $repeated_idx)";
    my $lines;

    # alerts/crits/emergs that the block does not talk about are reported
    # as warnings only, like upstream
    my %warn_level = map { $_ => 1 } qw(alert crit emerg);

    for my $section (qw(error_log no_error_log)) {
        my $pats = $block->$section;
        next unless defined $pats;
        for my $level (keys %warn_level) {
            delete $warn_level{$level} if value_contains($pats, "[$level");
        }
    }

    if (defined $block->error_log) {
        $lines ||= error_log_data();
        expect_patterns($name, pattern_list($block->error_log), $lines,
                        $suffix);
    }

    if (defined $block->no_error_log) {
        $lines ||= error_log_data();
        reject_patterns($name, pattern_list($block->no_error_log), $lines,
                        $suffix, 1);
    }

    $lines ||= error_log_data();

    for my $line (@$lines) {
        for my $level (sort keys %warn_level) {
            warn "WARNING: $name - " . fmt_str($line) . "\n"
                if $line =~ /\[\Q$level\E\]/;
        }

        if ($line =~ /\bAssertion .*?failed\b/) {
            Test::More->builder->no_ending(1);
            chomp(my $l = $line);
            fail("$name - $l\n");
        }
    }
}

# Run (by Test::Nginx::Util) after the block's nginx has been stopped.
sub check_shutdown_error_log {
    my ($block, $dry_run) = @_;
    my $name = $block->name;
    my $lines = $dry_run ? [] : error_log_data();

    for my $section (qw(shutdown_error_log no_shutdown_error_log)) {
        my $pats = $block->$section;
        next unless defined $pats;
        $pats = pattern_list($pats);

        SKIP: {
            skip("$name - $section - tests skipped due to $dry_run",
                 scalar grep { defined } @$pats)
                if $dry_run;

            if ($section eq 'shutdown_error_log') {
                expect_patterns($name, $pats, $lines, '');
            } else {
                reject_patterns($name, $pats, $lines, '', 0);
            }
        }
    }
}

# ---------------------------------------------------------------------
# One (possibly repeated) run of a block's requests
# ---------------------------------------------------------------------

sub run_test_helper {
    my ($block, $repeated_idx) = @_;
    my $name = $block->name;

    my $reqs = get_req_from_block($block);

    my $timeout = parse_time(scalar $block->timeout) // timeout();
    my $middle_delay = parse_time(scalar $block->raw_request_middle_delay);

    my ($n, $need_array);
    if ($block->pipelined_requests) {
        $n = @{ $block->pipelined_requests };
        $need_array = 1;
    } else {
        $need_array = @$reqs > 1;
    }

    my $req_idx = 0;

    for my $req (@$reqs) {
        my $head_req = join('', @$req) =~ /^\s*HEAD\s+/ ? 1 : 0;
        my $raw = send_request($req, $block, $timeout, $middle_delay) // '';

        # a pipelined connection carries several responses back to back
        while (1) {
            my ($res, $raw_headers, $left);

            if (!defined $block->ignore_response) {
                ($res, $raw_headers, $left) =
                    parse_response($name, $raw, $head_req);
                $raw_headers //= '';

                check_error_code($block, $res, $req_idx, $need_array);
                check_raw_response_headers($block, $raw_headers, $req_idx,
                                           $need_array);
                check_response_headers($block, $res, $raw_headers, $req_idx,
                                       $need_array);
                check_response_body($block, $res, $req_idx, $repeated_idx,
                                    $need_array);
            }

            if ($n) {
                $raw = $left // '';
                $n--;
            } elsif (defined $left && $left ne '') {
                (my $show = $left) =~
                    s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                warn "WARNING: $name - unexpected extra bytes after last "
                     . "chunk in response: \"$show\"\n";
            }

            # intermediate error-log checks, exactly where upstream
            # makes them, so that assertion counts agree
            if ($n || $req_idx < @$reqs - 1) {
                sleep $block->wait if $block->wait;
                check_error_log($block, $repeated_idx);
            }

            $req_idx++;
            last unless $n;
        }
    }

    sleep $block->wait if $block->wait;

    check_error_log($block, $repeated_idx);
}

1;
__END__

=head1 NAME

Test::Nginx::Socket - minimal test scaffold for nginx modules

=head1 SYNOPSIS

    use Test::Nginx::Socket 'no_plan';

    repeat_each(2);
    run_tests();

    __DATA__

    === TEST 1: hello
    --- config
        location = /t { return 200 "hello\n"; }
    --- request
    GET /t
    --- response_body
    hello
    --- no_error_log
    [error]

=head1 DESCRIPTION

A small, independently written, compatible subset of
L<Test::Nginx::Socket|https://github.com/openresty/test-nginx> from
openresty/test-nginx, built on L<Test::Base>.  A suite written against
this subset runs unchanged under upstream test-nginx: put either this
directory or upstream's F<lib> first in C<@INC> (C<prove -I ...>).
Test names, assertion counts and the generated F<nginx.conf> follow
upstream so that C<plan tests =E<gt> N> agrees under both.

Blocks are shuffled unless C<no_shuffle()> or C<TEST_NGINX_NO_SHUFFLE=1>.
nginx is restarted (SIGQUIT, then started again) for every block that has
a C<--- config>; a block without one reuses the running server.  Only the
part of F<error.log> written while the current block ran is examined.

=head2 Functions

C<plan>, C<blocks>, C<run_tests>, C<repeat_each>, C<no_long_string>,
C<no_shuffle>, C<no_root_location>, C<log_level>, C<workers>,
C<worker_connections>, C<master_on>, C<master_off>,
C<master_process_enabled>, C<env_to_nginx>, C<add_block_preprocessor>,
C<add_cleanup_handler>, C<use_hup>, C<timeout>, C<server_port>,
C<server_port_for_client>, C<server_addr>, C<server_name>,
C<server_root>, C<html_dir>, C<is_str>, C<bail_out>.

=head2 Block sections

C<main_config>, C<post_main_config>, C<http_config>, C<config>,
C<user_files>, C<init>, C<log_level>, C<server_name>,
C<request> (string, or an array of plain strings), C<raw_request>
(string or array of packets) with C<raw_request_middle_delay>,
C<pipelined_requests>, C<more_headers>, C<timeout>, C<abort>, C<wait>,
C<ignore_response>, C<error_code>, C<error_code_like>,
C<response_headers> (C<Name: value>, C<Name:> for empty-or-absent,
C<!Name> for absent), C<response_headers_like>,
C<raw_response_headers_like>, C<raw_response_headers_unlike>,
C<response_body>, C<response_body_like>, C<response_body_unlike>,
C<error_log>, C<no_error_log>, C<shutdown_error_log>,
C<no_shutdown_error_log>, and Test::Base's C<ONLY>, C<SKIP>, C<LAST>.
Any section accepts Test::Base filters such as C<eval>.

C<$TEST_NGINX_*> variables are expanded in the same sections as upstream:
C<main_config>, C<post_main_config>, C<http_config>, C<config>,
C<user_files>, each of C<pipelined_requests>, and C<response_body>.
An undefined variable aborts the run.

=head2 Environment

C<TEST_NGINX_BINARY> (default C<nginx> in C<PATH>),
C<TEST_NGINX_SERVER_PORT> / C<TEST_NGINX_PORT> (default 1984),
C<TEST_NGINX_CLIENT_PORT>, C<TEST_NGINX_SERVROOT> (default
F<t/servroot>), C<TEST_NGINX_LOAD_MODULES>, C<TEST_NGINX_LOG_LEVEL>,
C<TEST_NGINX_MASTER_PROCESS>, C<TEST_NGINX_TIMEOUT>, C<TEST_NGINX_SLEEP>,
C<TEST_NGINX_NO_SHUFFLE>, C<TEST_NGINX_NO_CLEAN>,
C<TEST_NGINX_CHECK_ACCUM_ERR_LOG>, C<TEST_NGINX_USE_HUP> (reload the
running nginx with SIGHUP between blocks instead of restarting it) and
C<TEST_NGINX_USE_VALGRIND> (run nginx in the foreground under valgrind;
a numeric value selects the default memcheck options plus
F<valgrind.suppress> when present, any other value is used as the
options).

=cut
