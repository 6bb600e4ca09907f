#!/usr/bin/perl
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# lib/Lago/Redis.pm over TLS (rediss://), and bin/lago-admin with it,
# against TLS-only Redis servers of this test's own (no plaintext port),
# with certificates made by tools/lib.sh's tls_certs:
#
#   main     server.crt (localhost, 127.0.0.1), on 127.0.0.1 and 127.0.0.2,
#            an ACL user with a password
#   mutual   server.crt, a client certificate required
#   other    other-name-server.crt, for other-name.invalid only
#   expired  expired-server.crt
#
# Needs redis-server built with TLS (Debian's is), openssl and
# IO::Socket::SSL (libio-socket-ssl-perl).

use strict;
use warnings;

use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep time);

use Lago::Redis;

my $ROOT  = "$FindBin::Bin/..";
my $ADMIN = "$ROOT/bin/lago-admin";
my $DIR   = tempdir(CLEANUP => 1);
my $TLS   = "$DIR/tls";

plan skip_all => 'IO::Socket::SSL is needed (libio-socket-ssl-perl)'
    unless eval { require IO::Socket::SSL; 1 };

system('bash', '-c', '. "$1/tools/lib.sh" && tls_certs "$2"', '-', $ROOT, $TLS)
    == 0 or BAIL_OUT('tls_certs failed');

# a file with the client's certificate and key together, as ssl_certfile
# alone may give them
{
    open my $out, '>', "$TLS/client-combined.pem" or die $!;
    for my $f ("$TLS/client.crt", "$TLS/client.key") {
        open my $in, '<', $f or die "$f: $!";
        print {$out} <$in>;
    }
    close $out or die $!;
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "port: $!";
    return $s->sockport;
}

my $USER      = 'lago-tls';
my $USER_PASS = 'tls-secret';
my %PORT;
my @PIDFILES;

# a TLS-only redis-server with CERT (a tls_certs name), daemonized
sub start_redis {
    my ($name, $cert, @opts) = @_;

    my $port = $PORT{$name} = free_port();
    mkdir "$DIR/$name";
    push @PIDFILES, "$DIR/$name/redis.pid";

    system('redis-server', '--port', 0, '--tls-port', $port,
           '--bind', '127.0.0.1',
           '--tls-cert-file', "$TLS/$cert.crt",
           '--tls-key-file', "$TLS/$cert.key",
           '--tls-ca-cert-file', "$TLS/ca.crt",
           '--tls-auth-clients', 'no',
           '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
           '--dir', "$DIR/$name", '--logfile', "$DIR/$name/redis.log",
           '--pidfile', "$DIR/$name/redis.pid", @opts) == 0
        or die "cannot start redis-server ($name)";

    # up once its TLS port accepts connections
    for (1 .. 50) {
        return if IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                        PeerPort => $port);
        sleep 0.1;
    }
    BAIL_OUT("redis-server ($name) did not start");
}

END {
    local $?;
    for my $pidfile (@PIDFILES) {
        open my $fh, '<', $pidfile or next;
        my $pid = <$fh>;
        kill 'TERM', $pid if $pid;
    }
}

start_redis('main', 'server', '--bind', '127.0.0.1 127.0.0.2',
            '--user', $USER, 'on', ">$USER_PASS", '~*', '&*', '+@all');
start_redis('mutual', 'server', '--tls-auth-clients', 'yes');
start_redis('other', 'other-name-server');
start_redis('expired', 'expired-server');

my $CA = "ssl_ca_certs=$TLS/ca.crt";
my $MAIN = "rediss://$USER:$USER_PASS\@127.0.0.1:$PORT{main}";

# --- parsing ------------------------------------------------------------------

is_deeply(Lago::Redis->parse_url($_->[0]), $_->[1], "parse $_->[0]") for
    ['rediss://redis.example',
     { scheme => 'rediss', host => 'redis.example', port => 6379, db => 0,
       user => undef, password => undef, ssl_verify => 1,
       ssl_ca_certs => undef, ssl_certfile => undef, ssl_keyfile => undef }],
    ['rediss://:pw@[::1]:6390/4?ssl_ca_certs=/etc/a%20b.pem'
     . '&ssl_certfile=c.pem&ssl_keyfile=k.pem&ssl_cert_reqs=required',
     { scheme => 'rediss', host => '::1', port => 6390, db => 4,
       user => '', password => 'pw', ssl_verify => 1,
       ssl_ca_certs => '/etc/a b.pem', ssl_certfile => 'c.pem',
       ssl_keyfile => 'k.pem' }],
    ['REDISS://h:1/?ssl_cert_reqs=NONE',
     { scheme => 'rediss', host => 'h', port => 1, db => 0,
       user => undef, password => undef, ssl_verify => 0,
       ssl_ca_certs => undef, ssl_certfile => undef, ssl_keyfile => undef }],
    ['rediss://h?ssl_cert_reqs=optional&ssl_certfile=both.pem',
     { scheme => 'rediss', host => 'h', port => 6379, db => 0,
       user => undef, password => undef, ssl_verify => 1,
       ssl_ca_certs => undef, ssl_certfile => 'both.pem',
       ssl_keyfile => undef }];

for my $bad (
    ['rediss://h?ssl_ca=x',                 qr/\ARedis URL: unsupported parameter 'ssl_ca' \(ssl_ca_certs, ssl_cert_reqs, ssl_certfile, ssl_keyfile\)\n\z/],
    ['rediss://h?db=2',                     qr/unsupported parameter 'db'/],
    ['rediss://h?ssl_ca_certs=a&ssl_ca_certs=b', qr/parameter 'ssl_ca_certs' given twice/],
    ['rediss://h?ssl_ca_certs=',            qr/parameter 'ssl_ca_certs' is empty/],
    ['rediss://h?ssl_cert_reqs=maybe',      qr/ssl_cert_reqs must be required, optional or none/],
    ['rediss://h?ssl_keyfile=k.pem',        qr/ssl_keyfile needs ssl_certfile/],
    ['redis://h?ssl_ca_certs=a',            qr/\Aa Redis URL must look like/],
    ['rediss://h:0',                        qr/port out of range/],
    ['rediss://alice@h',                    qr/a user name needs a password/],
) {
    my ($url, $like) = @$bad;
    ok !eval { Lago::Redis->parse_url($url); 1 }, "'$url' refused";
    like $@, $like, "'$url' refused: message";
}

# --- verified connections -------------------------------------------------------

for my $host ('127.0.0.1', 'localhost') {
    my $r = Lago::Redis->connect(
        "rediss://$USER:$USER_PASS\@$host:$PORT{main}/3?$CA");
    is $r->command('ACL', 'WHOAMI'), $USER, "$host: verified, logged in";
    is $r->command('CLIENT', 'INFO') =~ /\bdb=(\d+)/ && $1, 3,
       "$host: database 3";
    $r->close;
}

{
    my $r = Lago::Redis->connect("$MAIN/0?$CA");
    my $k = "tls-test:$$:";

    # larger than a TLS record many times over: partial writes, and replies
    # that OpenSSL holds decrypted while select() sees nothing more
    my $big = join '', map { chr } map { $_ % 256 } 1 .. 3 * 1024 * 1024;
    is $r->command('SET', "${k}big", $big), 'OK', 'SET of 3 MiB over TLS';
    ok $r->command('GET', "${k}big") eq $big, 'GET of 3 MiB over TLS';

    $r->command('RPUSH', "${k}list", map { "item$_" } 1 .. 2000);
    is_deeply $r->command('LRANGE', "${k}list", 0, -1),
              [map { "item$_" } 1 .. 2000], 'an array of 2000 over TLS';
    is_deeply $r->transaction(['INCR', "${k}n"], ['INCR', "${k}n"]), [1, 2],
              'MULTI/EXEC over TLS';

    my $err = eval { $r->command('NOSUCHCOMMAND'); 1 } ? '' : $@;
    like $err, qr/\ARedis error: ERR unknown command/, 'an error reply';
    is $r->command('PING'), 'PONG', 'the connection goes on';

    $r->command('DEL', "${k}big", "${k}list", "${k}n");
    $r->close;
}

# the port speaks TLS only
my $err = eval {
    Lago::Redis->connect("redis://$USER:$USER_PASS\@127.0.0.1:$PORT{main}",
                         timeout => 2);
    1;
} ? '' : $@;
like $err, qr/\A(?:Redis at 127\.0\.0\.1:$PORT{main} closed the connection|cannot (?:read from|write to) Redis at 127\.0\.0\.1:$PORT{main}: .+)\n\z/,
     'plaintext to the TLS port: refused';

# --- mutual TLS -------------------------------------------------------------------

my $MUTUAL = "rediss://127.0.0.1:$PORT{mutual}/0?$CA";

is(Lago::Redis->connect("$MUTUAL&ssl_certfile=$TLS/client.crt"
                        . "&ssl_keyfile=$TLS/client.key")->command('PING'),
   'PONG', 'mutual TLS: with the client certificate');
is(Lago::Redis->connect("$MUTUAL&ssl_certfile=$TLS/client-combined.pem")
       ->command('PING'),
   'PONG', 'mutual TLS: certificate and key in one file');

# With TLS 1.3 the server judges the client's certificate after the
# client's side of the handshake is done: the refusal may come at the
# first command.
my $REFUSED_MUTUAL = qr/\A(?:TLS handshake with Redis at 127\.0\.0\.1:$PORT{mutual} failed: |cannot (?:read from|write to) Redis at 127\.0\.0\.1:$PORT{mutual}: |Redis at 127\.0\.0\.1:$PORT{mutual} closed the connection\n\z)/;

for my $c (['no client certificate', ''],
           ['a client certificate of another CA',
            "&ssl_certfile=$TLS/untrusted-client.crt"
            . "&ssl_keyfile=$TLS/untrusted-client.key"])
{
    my ($name, $query) = @$c;
    $err = eval {
        Lago::Redis->connect("$MUTUAL$query", timeout => 2)->command('PING');
        1;
    } ? '' : $@;
    like $err, $REFUSED_MUTUAL, "mutual TLS: $name: refused";
    note "mutual TLS: $name: $err";
}

# --- refusals -----------------------------------------------------------------------

sub refused {
    my ($url, $like, $name) = @_;

    my $e = eval { Lago::Redis->connect($url, timeout => 2); 1 } ? '' : $@;
    like $e, $like, $name;
    note "$name: $e";
    unlike $e, qr/\Q$USER_PASS\E/, "$name: no password in the message";
    return $e;
}

# OpenSSL's error, and the reason it gives for the chain
sub verify_failed {
    my ($where, $reason) = @_;
    return qr/\ATLS handshake with Redis at \Q$where\E failed: error:[0-9A-F]+:SSL routines::certificate verify failed \((?:$reason)\)\n\z/;
}

# (Redis sends its CA along with its certificate)
my $UNKNOWN_CA = 'self-signed certificate in certificate chain'
                 . '|unable to get local issuer certificate';

refused("$MAIN/0?ssl_ca_certs=$TLS/untrusted-ca.crt",
        verify_failed("127.0.0.1:$PORT{main}", $UNKNOWN_CA),
        'a CA that did not sign the certificate');
refused("$MAIN/0", verify_failed("127.0.0.1:$PORT{main}", $UNKNOWN_CA),
        'no ssl_ca_certs: the system CAs do not know the test CA');
refused("rediss://localhost:$PORT{expired}/0?$CA",
        verify_failed("localhost:$PORT{expired}", 'certificate has expired'),
        'an expired certificate');

refused("rediss://localhost:$PORT{other}/0?$CA",
        qr/\ATLS handshake with Redis at localhost:$PORT{other} failed: hostname verification failed\n\z/,
        'a certificate for another name');
refused("rediss://$USER:$USER_PASS\@127.0.0.2:$PORT{main}/0?$CA",
        qr/\ATLS handshake with Redis at 127\.0\.0\.2:$PORT{main} failed: hostname verification failed\n\z/,
        'an IP address the certificate does not name');

refused("$MAIN/0?ssl_ca_certs=$DIR/none.pem",
        qr/\ARedis URL: ssl_ca_certs: cannot read \Q$DIR\E\/none\.pem: /,
        'a missing ssl_ca_certs file');
refused("$MAIN/0?$CA&ssl_certfile=$DIR/none.pem",
        qr/\ARedis URL: ssl_certfile: cannot read /,
        'a missing ssl_certfile');

my $closed = free_port();
refused("rediss://127.0.0.1:$closed/0?$CA",
        qr/\Acannot connect to Redis at 127\.0\.0\.1:$closed: .+\n\z/,
        'nothing listening: as for redis://');

# a peer that accepts and never answers the handshake
my $mute = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                 LocalPort => 0) or die;
my $start = time;
$err = eval {
    Lago::Redis->connect('rediss://127.0.0.1:' . $mute->sockport . "/0?$CA",
                         connect_timeout => 0.5);
    1;
} ? '' : $@;
my $took = time - $start;
like $err, qr/\Atimed out in the TLS handshake with Redis at 127\.0\.0\.1:\d+\n\z/,
     'a silent peer: the handshake times out';
ok $took >= 0.45 && $took < 2,
   sprintf 'after the connect timeout (%.2fs)', $took;

# --- ssl_cert_reqs=none ---------------------------------------------------------------

# what $code prints on stderr
sub stderr_of {
    my ($code) = @_;

    open my $saved, '>&', \*STDERR or die $!;
    open STDERR, '>', "$DIR/stderr" or die $!;
    my $ok = eval { $code->(); 1 };
    my $e = $@;
    open STDERR, '>&', $saved or die $!;
    die $e unless $ok;

    open my $fh, '<', "$DIR/stderr" or die $!;
    local $/;
    return scalar <$fh> // '';
}

my $UNVERIFIED = "rediss://localhost:$PORT{other}/0?ssl_cert_reqs=none";
my $pong;
my $stderr = stderr_of(sub {
    $pong = Lago::Redis->connect($UNVERIFIED)->command('PING');
});
is $pong, 'PONG', 'ssl_cert_reqs=none: another name, no CA: connected';
is $stderr, "warning: the TLS certificate of Redis at localhost:$PORT{other}"
            . " is not verified (ssl_cert_reqs=none)\n",
   'ssl_cert_reqs=none: a warning on stderr';

$stderr = stderr_of(sub {
    $pong = Lago::Redis->connect("rediss://localhost:$PORT{expired}/0"
                                 . '?ssl_cert_reqs=none')->command('PING');
});
is $pong, 'PONG', 'ssl_cert_reqs=none: an expired certificate: connected';
is $stderr, '', 'the warning only once';

# --- bin/lago-admin -----------------------------------------------------------------

# runs lago-admin with LAGO_REDIS_URL; [exit status, stdout, stderr]
sub admin {
    my ($url, @args) = @_;

    local $ENV{LAGO_REDIS_URL} = $url;
    local $ENV{LAGO_REDIS_PREFIX} = "tls-test-$$:";
    my $out = qx{$ADMIN @args 2>"$DIR/admin.err"};
    my $status = $? >> 8;
    open my $fh, '<', "$DIR/admin.err" or die $!;
    local $/;
    return [$status, $out, scalar <$fh> // ''];
}

my $res = admin("$MAIN/2?$CA", 'org', 'create', '--name', 'tls');
is $res->[0], 0, 'lago-admin over TLS: org create';
like $res->[1], qr/\Aorganization_id=[0-9a-f-]{36}\napi_key=\S+\n\z/,
     'lago-admin over TLS: the organization and its key';
is $res->[2], '', 'lago-admin over TLS: nothing on stderr';
my ($org) = $res->[1] =~ /organization_id=(\S+)/;

$res = admin("$MAIN/2?$CA", 'key', 'list', '--org', $org);
is $res->[0], 0, 'lago-admin over TLS: key list';
like $res->[1], qr/\Akey=[0-9a-f]{12} created_at=\S+ expires_at=never permissions=all\n\z/,
     'lago-admin over TLS: one key';

$res = admin("rediss://localhost:$PORT{mutual}/2?$CA"
             . "&ssl_certfile=$TLS/client.crt&ssl_keyfile=$TLS/client.key",
             'org', 'create');
is $res->[0], 0, 'lago-admin over mutual TLS: org create';

$res = admin("rediss://localhost:$PORT{other}/2?ssl_cert_reqs=none",
             'org', 'create');
is $res->[0], 0, 'lago-admin, ssl_cert_reqs=none: org create';
like $res->[1], qr/\Aorganization_id=/, 'lago-admin, ssl_cert_reqs=none: output';
is $res->[2], "warning: the TLS certificate of Redis at localhost:$PORT{other}"
              . " is not verified (ssl_cert_reqs=none)\n",
   'lago-admin, ssl_cert_reqs=none: the one warning';

$res = admin("$MAIN/2?ssl_ca_certs=$TLS/untrusted-ca.crt", 'org', 'create');
is $res->[0], 2, 'lago-admin, wrong CA: exit status 2';
like $res->[2], qr/\Alago-admin: TLS handshake with Redis at 127\.0\.0\.1:$PORT{main} failed: [^\n]*certificate verify failed[^\n]*\n\z/,
     'lago-admin, wrong CA: one line';
unlike $res->[2], qr/\Q$USER_PASS\E/, 'lago-admin, wrong CA: no password';

$res = admin('rediss://localhost/0?ssl_cert_reqs=sometimes', 'org', 'create');
is $res->[0], 2, 'lago-admin, bad parameter: exit status 2';
is $res->[2], "lago-admin: LAGO_REDIS_URL: ssl_cert_reqs must be required,"
              . " optional or none\n", 'lago-admin, bad parameter: message';

# what lago-admin wrote
my $r = Lago::Redis->connect("$MAIN/2?$CA");
my $keys = $r->command('KEYS', "tls-test-$$:*");
ok @$keys > 0, 'lago-admin wrote over TLS';
$r->command('DEL', @$keys) if @$keys;

done_testing;
