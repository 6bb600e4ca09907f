# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause

package Lago;

# Shared set-up for the Test::Nginx suites (works with the bundled runner
# and with upstream Test::Nginx alike):
#
# - every block with a --- config gets the module's Redis directives in
#   its http_config: those of LAGO_REDIS_URL (the Redis that `make test`
#   started: address or unix socket, user, password, database, TLS, or the
#   nodes of a Redis Cluster) and a key prefix of this run's own;
# - $LAGO_KEY / $LAGO_ORG in a block's sections become the API key and id
#   of an organization made for that block alone ($LAGO_KEY2 / $LAGO_ORG2:
#   a second one), so blocks never see each other's endpoints;
# - $LAGO_UUID matches a lower-case version 4 UUID and $LAGO_TIME a
#   created_at timestamp, for response_body_like; $Lago::Unavailable is
#   the JSON 503 of a store that cannot be reached.

use strict;
use warnings;

use Test::Nginx::Socket ();
use File::Basename ();
use Cwd ();
use Digest::SHA ();
use IO::Select ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

our $Root;
BEGIN { $Root = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/..') }

use lib "$Root/lib";
use Lago::Redis ();

our $Uuid = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-'
            . '[0-9a-f]{12}';
our ($Org, $Key);
our $Time = '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ';
our $Unavailable = '{"status":503,"error":"Service Unavailable",'
                   . '"code":"store_unavailable"}';

$ENV{TEST_NGINX_REDIS_PORT} //= 6379;
$ENV{LAGO_REDIS_URL} //= "redis://127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT}/0";
$ENV{TEST_NGINX_LAGO_PREFIX} //= sprintf 't%d%04d:', $$, int rand 10000;
$ENV{LAGO_REDIS_PREFIX} = $ENV{TEST_NGINX_LAGO_PREFIX};

our $HttpConfig = redis_directives($ENV{LAGO_REDIS_URL})
                  . "    lago_webhook_redis_prefix \$TEST_NGINX_LAGO_PREFIX;\n";

# the suites run against a Redis Cluster (make test LAGO_TEST_REDIS=cluster):
# what a suite that needs one Redis, or counts its connections, can ask
our $Cluster = Lago::Redis->parse_url($ENV{LAGO_REDIS_URL})->{scheme}
               =~ /\Arediss?-cluster\z/;


# The module's directives for the Redis of a URL (Lago::Redis's forms)
sub redis_directives {
    my ($url) = @_;

    my $c = Lago::Redis->parse_url($url);
    my $hostport = sub {
        my ($host, $port) = @_;
        return $host =~ /:/ ? "[$host]:$port" : "$host:$port";
    };

    my $conf;
    if ($c->{scheme} =~ /\Arediss?-cluster\z/) {
        # the seeds; every node has the user and password, database 0
        $conf = '    lago_webhook_redis_cluster '
                . join(' ', map { nginx_quote($hostport->(@$_)) }
                                @{ $c->{seeds} })
                . ";\n";
    } else {
        my $address = defined $c->{path} ? "unix:$c->{path}"
                      : $hostport->($c->{host}, $c->{port});
        $conf = '    lago_webhook_redis ' . nginx_quote($address) . ";\n";
    }
    $conf .= '    lago_webhook_redis_user ' . nginx_quote($c->{user}) . ";\n"
        if defined $c->{user} && $c->{user} ne '';
    $conf .= '    lago_webhook_redis_password ' . nginx_quote($c->{password})
             . ";\n"
        if defined $c->{password};
    $conf .= "    lago_webhook_redis_db $c->{db};\n" if $c->{db} != 0;

    $conf .= tls_directives($c) if $c->{scheme} =~ /\Arediss(?:-cluster)?\z/;

    return $conf;
}


# rediss://'s (or rediss-cluster://'s) query as the module's TLS directives
sub tls_directives {
    my ($c) = @_;

    my $conf = "    lago_webhook_redis_ssl on;\n";

    if (!$c->{ssl_verify}) {
        $conf .= "    lago_webhook_redis_ssl_verify off;\n";

    } else {
        $conf .= '    lago_webhook_redis_ssl_trusted_certificate '
                 . nginx_quote($c->{ssl_ca_certs}) . ";\n"
            if defined $c->{ssl_ca_certs};

        # The certificates of tools/lib.sh name the loopback as localhost
        # and as IP:127.0.0.1: a single Redis is checked by the name
        # localhost, as deployments name theirs.  A cluster's nodes, left
        # without a name, are each checked by the IP address the slot map
        # gives (the certificate's IP:127.0.0.1), as a managed cluster's
        # would be.
        $conf .= "    lago_webhook_redis_ssl_name localhost;\n"
            if defined $c->{host}
               && ($c->{host} eq '127.0.0.1' || $c->{host} eq '::1');
    }

    if (defined $c->{ssl_certfile}) {
        $conf .= '    lago_webhook_redis_ssl_certificate '
                 . nginx_quote($c->{ssl_certfile}) . ";\n";
        # the key in the certificate's file unless named, as in redis-py
        $conf .= '    lago_webhook_redis_ssl_certificate_key '
                 . nginx_quote(defined $c->{ssl_keyfile} ? $c->{ssl_keyfile}
                                                         : $c->{ssl_certfile})
                 . ";\n";
    }

    return $conf;
}


# a value as one nginx configuration token
sub nginx_quote {
    my ($value) = @_;

    return $value if $value =~ m{\A[A-Za-z0-9_.:/\[\]@%+=,-]+\z};

    (my $quoted = $value) =~ s/(['\\])/\\$1/g;
    return "'$quoted'";
}


# bin/lago-admin, as an operator would run it: org create [args]
sub admin {
    my @args = @_;

    my $out = qx{$Root/bin/lago-admin @args 2>&1};
    die "lago-admin @args failed: $out" if $?;

    return $out;
}


sub new_org {
    my $out = admin('org', 'create');

    my ($org) = $out =~ /^organization_id=(\S+)$/m;
    my ($key) = $out =~ /^api_key=(\S+)$/m;
    die "unexpected lago-admin output: $out" unless $org && $key;

    return ($org, $key);
}


# a key with permissions: new_key($org, 'webhook_endpoint:read', ...)
sub new_key {
    my ($org, @permissions) = @_;

    my $out = admin('key', 'create', '--org', $org,
                    map { ('--permission', $_) } @permissions);

    my ($key) = $out =~ /^api_key=(\S+)$/m;
    die "unexpected lago-admin output: $out" unless $key;

    return $key;
}


# Makes $key expired (a minute ago; $when: at that unix time), and returns
# it.  lago-admin makes only keys that expire in the future, so a key made
# without an expiry is given one in the store, as if its time had come
# since.
sub expire_key {
    my ($key, $when) = @_;

    redis('HSET', "$ENV{TEST_NGINX_LAGO_PREFIX}apikey:"
                  . Digest::SHA::sha256_hex($key),
          'expires_at', $when // time - 60);

    return $key;
}


# Sends every request at once, each on its own connection, and returns
# [status, body] per request, in order.  All are in flight together, so
# nginx pipelines them to Redis side by side.
sub concurrent {
    my @requests = @_;

    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my (@socks, @bufs);

    for my $req (@requests) {
        my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                         PeerPort => $port, Proto => 'tcp')
            or die "connect: $!";
        push @socks, $sock;
        push @bufs, '';
    }

    # write all before reading any
    for my $i (0 .. $#requests) {
        $socks[$i]->syswrite($requests[$i]) == length $requests[$i]
            or die "write: $!";
    }

    my $sel = IO::Select->new(@socks);
    my %index = map { ("$socks[$_]" => $_) } 0 .. $#socks;
    my $deadline = Time::HiRes::time() + 10;

    while ($sel->count && Time::HiRes::time() < $deadline) {
        for my $sock ($sel->can_read(1)) {
            my $n = $sock->sysread(my $chunk, 65536);
            if (!$n) {
                $sel->remove($sock);
                close $sock;
                next;
            }
            $bufs[$index{"$sock"}] .= $chunk;
        }
    }

    die "concurrent: responses still missing after 10 s" if $sel->count;

    return map {
        my ($status) = m{^HTTP/1\.1 (\d+)};
        my ($body) = /\r\n\r\n(.*)\z/s;
        [$status // 0, $body // ''];
    } @bufs;
}


# One API request with the key $key (http_request's arguments), on a
# connection of its own: (status, body)
sub api {
    my ($method, $uri, $key, $body) = @_;

    my ($res) = concurrent(http_request($method, $uri, $key, $body));
    return @$res;
}


# a raw HTTP/1.1 request that closes its connection
sub http_request {
    my ($method, $uri, $key, $body) = @_;

    $body //= '';

    return "$method $uri HTTP/1.1\r\nHost: localhost\r\n"
           . "Authorization: Bearer $key\r\nConnection: close\r\n"
           . "Content-Type: application/json\r\n"
           . "Content-Length: " . length($body) . "\r\n\r\n$body";
}


# A free loopback port, for suites that run a Redis of their own.
sub free_port {
    return IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                 LocalPort => 0)->sockport;
}


# Starts a Redis of a suite's own on 127.0.0.1:$port, its data in $dir,
# append-only with every write synced (a restart keeps what was answered),
# with @extra arguments; returns once it answers PING.
sub start_redis {
    my ($port, $dir, @extra) = @_;

    system('redis-server', '--port', $port, '--bind', '127.0.0.1',
           '--dir', $dir, '--appendonly', 'yes', '--appendfsync', 'always',
           '--save', '', '--daemonize', 'yes',
           '--logfile', "$dir/redis.log", @extra) == 0
        or die "cannot start redis-server";

    wait_for_redis($port);
}


# Polls $cond->() every 50 ms until it is true, for up to $timeout seconds
# (10): for what a test must wait for before it checks, instead of a
# fixed sleep that a busy machine outlasts.  Returns the last value of
# $cond->(); when the time is up, says what it waited for ($what) and
# returns that false value, and the check that follows fails on its own.
sub wait_until {
    my ($cond, $timeout, $what) = @_;

    $timeout //= 10;
    my $end = Time::HiRes::time() + $timeout;

    while (1) {
        my $done = $cond->();
        return $done if $done;

        if (Time::HiRes::time() >= $end) {
            Test::More::diag("waited $timeout s in vain for "
                             . ($what // 'a condition'));
            return $done;
        }

        Time::HiRes::sleep(0.05);
    }
}


# the lines of the error.log of the nginx under test (Test::Nginx's)
# that match $pattern
sub error_log_count {
    my ($pattern) = @_;

    open my $fh, '<', $Test::Nginx::Util::ErrLogFile or return 0;
    my $n = grep { /$pattern/ } <$fh>;
    close $fh;

    return $n;
}


# redis-server @args in the foreground of a child of ours, so that a suite
# can kill it outright (kill_redis); returns its pid at once
sub spawn_redis {
    my @args = @_;

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        exec('redis-server', @args) or POSIX::_exit(127);
    }

    return $pid;
}


# kills redis-servers of spawn_redis outright (SIGKILL), and reaps them
sub kill_redis {
    my @pids = @_;

    for my $pid (@pids) {
        kill 'KILL', $pid;
        waitpid $pid, 0;
    }
}


# Waits until the Redis on $port answers PING (redis-cli @auth: --user,
# --pass...); dies after 5 s.
sub wait_for_redis {
    my ($port, @auth) = @_;

    for (1 .. 50) {
        return if qx{redis-cli -p $port @auth --no-auth-warning ping 2>&1}
                  =~ /PONG/;
        Time::HiRes::sleep(0.1);
    }

    die "redis-server on port $port did not answer\n";
}


# the lines of a CLIENT LIST answer that are nginx's connections: all but
# the asking one, whose last command is "client", and a Cluster master's
# replica (flag S)
sub nginx_clients {
    my ($client_list) = @_;
    return grep { / cmd=(?!client)/ && !/ flags=\w*S/ }
           split /\n/, $client_list;
}


# A master killed under creates, through Sentinel: creates for $Lago::Key
# in batches of 10 concurrent requests, for up to 25 s; after 100 of them
# $a{kill}->() kills the master, and once $a{promoted}->() says a replica
# took over, the first batch with a 200 ends it.  Then $a{after}->(), if
# given, and the checks: only 200s and JSON 503s, some 503s, 200 again
# within 8 s of the promotion, every 200 stored, the store consistent.
sub check_sentinel_failover {
    my (%a) = @_;

    my (%answer, @bad, $n, $killed, $promoted, $back);
    my $end = Time::HiRes::time() + 25;

    while (Time::HiRes::time() < $end) {
        my @urls = map { 'https://k' . ++$n . '.example' } 1 .. 10;
        my @res = concurrent(map {
            http_request('POST', '/api/v1/webhook_endpoints', $Key,
                         qq({"webhook_endpoint":{"webhook_url":"$_"}}))
        } @urls);

        for my $i (0 .. $#urls) {
            my ($status, $body) = @{ $res[$i] };
            $answer{ $urls[$i] } = $status;
            push @bad, "$status $body"
                unless $status == 200
                       || ($status == 503 && $body eq $Unavailable);
        }

        my $now = Time::HiRes::time();

        if (!$killed && $n >= 100) {
            $a{kill}->();
            $killed = $now;
        }

        $promoted //= $now if $killed && $a{promoted}->();

        if ($promoted && grep { $_->[0] == 200 } @res) {
            $back = $now;
            last;
        }
    }

    $a{after}->() if $a{after};

    my @ok = grep { $answer{$_} == 200 } keys %answer;
    Test::More::ok($killed, 'the master was killed');
    Test::More::ok($promoted, 'the sentinels promoted a replica');
    Test::More::ok($back, '200 again after the promotion');
    Test::More::cmp_ok($back - $promoted, '<', 8,
                       'within 8 s of the promotion') if $back && $promoted;
    Test::More::is_deeply(\@bad, [], 'every answer a 200 or a JSON 503');
    Test::More::ok(scalar(grep { $answer{$_} == 503 } keys %answer),
                   'the failover was seen as 503s');

    my %stored = @{ redis('HGETALL',
        "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Org\}:webhook_endpoint_urls") };
    Test::More::is_deeply([grep { !exists $stored{$_} } @ok], [],
                          'lost: no acknowledged create is missing');
    Test::More::is_deeply([check_org($Org)], [], 'store consistent');
    Test::More::diag(sprintf "%s: %d acknowledged, promotion %.1f s after "
        . "the kill, 200 again %.1f s after it", $a{name}, scalar @ok,
        ($promoted // 0) - ($killed // 0), ($back // 0) - ($promoted // 0));
}


# Every action on one endpoint, with $Lago::Key, each answer checked:
# create ($url, named "s"), show, update (named "t"), then the replica
# asked ($replica->(key) gives HLEN of the organization's records there)
# holds the record already, delete, and show after delete.  For the suites
# that reach the store through Sentinel, in plaintext or over TLS.
sub check_every_action {
    my ($url, $replica) = @_;

    my $u = quotemeta $url;

    my ($status, $body) = api('POST', '/api/v1/webhook_endpoints', $Key,
        qq({"webhook_endpoint":{"webhook_url":"$url","name":"s"}}));
    Test::More::is($status, 200, 'create: 200 once two replicas have it');
    my ($id) = $body =~ /"lago_id":"([^"]+)"/;
    Test::More::like($body, qr/^\{"webhook_endpoint":\{"lago_id":"$Uuid","lago_organization_id":"$Org","webhook_url":"$u","signature_algo":"jwt","name":"s","event_types":null,"created_at":"$Time"\}\}$/, 'create: the record');

    ($status, $body) = api('GET', "/api/v1/webhook_endpoints/$id", $Key);
    Test::More::is($status, 200, 'show: 200');
    Test::More::like($body, qr/"lago_id":"$id".*"name":"s"/, 'show: the record');

    ($status, $body) = api('PUT', "/api/v1/webhook_endpoints/$id", $Key,
        '{"webhook_endpoint":{"name":"t"}}');
    Test::More::is($status, 200, 'update: 200');
    Test::More::like($body, qr/"lago_id":"$id".*"name":"t"/, 'update: the record');

    Test::More::is($replica->("$ENV{TEST_NGINX_LAGO_PREFIX}\{$Org\}:webhook_endpoints"),
                   1, 'the replica has the record when the answer came');

    ($status, $body) = api('DELETE', "/api/v1/webhook_endpoints/$id", $Key);
    Test::More::is($status, 200, 'delete: 200');
    Test::More::like($body, qr/"lago_id":"$id".*"name":"t"/, 'delete: the record');

    ($status, $body) = api('GET', "/api/v1/webhook_endpoints/$id", $Key);
    Test::More::is($status, 404, 'show after delete: 404');
}


# One command to the Redis of LAGO_REDIS_URL, for checks the API cannot
# make; a connection of its own each time, so that a Redis restarted by a
# suite is simply reached again.
sub redis {
    my @cmd = @_;

    my $redis = Lago::Redis->connect($ENV{LAGO_REDIS_URL});
    my $reply = $redis->command(@cmd);
    $redis->close;

    return $reply;
}


# Walks one organization's keys (layout: src/store/ngx_http_lago_webhook_store.c)
# and returns what is inconsistent; an empty list means all is well.
sub check_org {
    my $org = shift;

    my $p = "$ENV{TEST_NGINX_LAGO_PREFIX}\{$org\}:";
    my %records = @{ redis('HGETALL', "${p}webhook_endpoints") };
    my %urls = @{ redis('HGETALL', "${p}webhook_endpoint_urls") };
    my @problems;
    my %order;
    my @members = @{ redis('ZRANGE', "${p}webhook_endpoint_order", 0, -1,
                           'WITHSCORES') };
    while (my ($member, $score) = splice @members, 0, 2) {
        my ($url, $rec) = split /\0/, $member, 2;
        push @problems, "ordered url $url has score $score" if $score != 0;
        push @problems, "ordered url $url holds a stale record"
            if !defined $rec || !defined $urls{$url}
               || ($records{ $urls{$url} } // '') ne $rec;
        push @problems, "url $url is ordered twice" if exists $order{$url};
        $order{$url} = 0;
    }

    for my $id (sort keys %records) {
        my @f = split /\0/, $records{$id}, -1;

        if (@f != 6) {
            push @problems, "record $id has " . @f . " fields";
            next;
        }

        push @problems, "record $id holds id $f[0]" if $f[0] ne $id;
        push @problems, "record $id: url $f[1] not indexed to it"
            if ($urls{$f[1]} // '') ne $id;
        push @problems, "record $id: url $f[1] not in the order"
            if !defined $order{$f[1]} || $order{$f[1]} != 0;
        push @problems, "record $id: signature_algo $f[2]"
            if $f[2] !~ /\A(?:jwt|hmac)\z/;
        push @problems, "record $id: name $f[3]" if $f[3] !~ /\A(?:N\z|S)/;
        push @problems, "record $id: event_types $f[4]"
            if $f[4] !~ /\A(?:N|S[a-z_.,]*)\z/;
        push @problems, "record $id: created_at $f[5]" if $f[5] !~ /\A\d+\z/;
    }

    for my $url (sort keys %urls) {
        my $rec = $records{ $urls{$url} };
        push @problems, "url $url points to a missing record $urls{$url}"
            if !defined $rec;
        push @problems, "url $url points to record of another url"
            if defined $rec && (split /\0/, $rec)[1] ne $url;
    }

    for my $url (sort keys %order) {
        push @problems, "ordered url $url has no index entry"
            if !defined $urls{$url};
    }

    return @problems;
}


my @Sections = qw(request more_headers response_body response_body_like
                  pipelined_requests raw_request init http_config config
                  error_code response_headers);


sub substitute {
    my ($value, $vars) = @_;

    return $value unless defined $value;

    if (ref $value eq 'ARRAY') {
        return [ map { substitute($_, $vars) } @$value ];
    }

    return $value if ref $value;

    $value =~ s/\$(LAGO_(?:KEY|ORG)2?|LAGO_UUID|LAGO_TIME)\b/$vars->{$1}/g;

    return $value;
}


Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;

    if (defined $block->config && !defined $block->http_config) {
        $block->set_value(http_config => $HttpConfig);

    } elsif (defined $block->http_config
             && $block->http_config
                !~ /lago_webhook_redis(?:_sentinel|_cluster)?\s/)
    {
        $block->set_value(http_config => $HttpConfig . $block->http_config);
    }

    my %vars = (LAGO_UUID => $Uuid, LAGO_TIME => $Time);
    my $text = join "\n", map {
        my $v = $block->$_;
        !defined $v ? () : ref $v eq 'ARRAY' ? @$v : ($v)
    } @Sections;

    if ($text =~ /\$LAGO_(?:KEY|ORG)\b/) {
        @vars{qw(LAGO_ORG LAGO_KEY)} = new_org();
    }

    if ($text =~ /\$LAGO_(?:KEY|ORG)2\b/) {
        @vars{qw(LAGO_ORG2 LAGO_KEY2)} = new_org();
    }

    $Lago::Org = $vars{LAGO_ORG};
    $Lago::Key = $vars{LAGO_KEY};

    for my $section (@Sections) {
        my $value = $block->$section;
        next unless defined $value;
        $block->set_value($section => substitute($value, \%vars));
    }
});


1;
