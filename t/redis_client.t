#!/usr/bin/perl
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# lib/Lago/Redis.pm, the client of bin/lago-admin and the tests, against a
# Redis of this test's own: a password for the default user, an ACL user
# whose password needs percent-encoding in a URL, a unix socket.  Core
# Perl modules only.  TLS (rediss://): t/redis_client_tls.t.

use strict;
use warnings;

use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use IO::Socket::INET;
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep time);

use Lago::Redis;

my $DIR  = tempdir(CLEANUP => 1);
my $SOCK = "$DIR/redis.sock";
my $PORT = do {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "port: $!";
    $s->sockport;
};

my $DEFAULT_PASS = 'default-secret';
my $USER         = 'ops@team';            # '@' percent-encoded as %40
my $USER_PASS    = 'p@ss:w/rd%?#&=';     # every character a URL reserves
my $USER_ENC     = 'ops%40team';
my $PASS_ENC     = 'p%40ss%3Aw%2Frd%25%3F%23%26%3D';

system('redis-server', '--port', $PORT, '--bind', '127.0.0.1',
       '--unixsocket', $SOCK, '--unixsocketperm', '700',
       '--requirepass', $DEFAULT_PASS, '--save', '', '--appendonly', 'no',
       '--daemonize', 'yes', '--dir', $DIR, '--logfile', "$DIR/redis.log",
       '--pidfile', "$DIR/redis.pid",
       '--user', $USER, 'on', ">$USER_PASS", '~*', '&*', '+@all',
       # a user that may only read, for an error reply inside EXEC
       '--user', 'reader', 'on', '>reader-pw', '~*', '+@read', '+multi',
       '+exec', '+discard', '+ping', '+select') == 0
    or die "cannot start redis-server";

END {
    local $?;
    if (open my $fh, '<', "$DIR/redis.pid") {
        my $pid = <$fh>;
        kill 'TERM', $pid if $pid;
    }
}

my $TCP  = "redis://$USER_ENC:$PASS_ENC\@127.0.0.1:$PORT";
my $UNIX = "unix://$SOCK?user=$USER_ENC&password=$PASS_ENC";

my $up;
for (1 .. 50) {
    last if $up = eval { Lago::Redis->connect($TCP)->command('PING') };
    sleep 0.1;
}
BAIL_OUT('redis-server did not start') unless $up;

# --- parsing -----------------------------------------------------------------

is_deeply(Lago::Redis->parse_url($_->[0]), $_->[1], "parse $_->[0]") for
    ['redis://127.0.0.1',
     { scheme => 'redis', host => '127.0.0.1', port => 6379, db => 0,
       user => undef, password => undef }],
    ['redis://localhost:6380/',
     { scheme => 'redis', host => 'localhost', port => 6380, db => 0,
       user => undef, password => undef }],
    ['redis://:s3cret@10.0.0.1:7000/15',
     { scheme => 'redis', host => '10.0.0.1', port => 7000, db => 15,
       user => '', password => 's3cret' }],
    ["redis://$USER_ENC:$PASS_ENC\@[::1]:6390/2",
     { scheme => 'redis', host => '::1', port => 6390, db => 2,
       user => $USER, password => $USER_PASS }],
    ['REDIS://Host.Example',
     { scheme => 'redis', host => 'Host.Example', port => 6379, db => 0,
       user => undef, password => undef }],
    ['unix:///run/redis/redis.sock',
     { scheme => 'unix', path => '/run/redis/redis.sock', db => 0 }],
    ["unix:///tmp/a%20b.sock?db=3&user=$USER_ENC&password=$PASS_ENC",
     { scheme => 'unix', path => '/tmp/a b.sock', db => 3, user => $USER,
       password => $USER_PASS }],
    ['unix:///tmp/r.sock?password=',
     { scheme => 'unix', path => '/tmp/r.sock', db => 0, password => '' }];

for my $bad (
    [undef,                         qr/\Ano Redis URL given/],
    ['',                            qr/\Ano Redis URL given/],
    ['127.0.0.1:6379',              qr/\Aa Redis URL must look like redis:\/\//],
    ['http://127.0.0.1/',           qr/\Aunsupported Redis URL scheme 'http' \(supported: redis:\/\/, redis-cluster:\/\/, redis-sentinel:\/\/, rediss:\/\/, rediss-cluster:\/\/, unix:\/\/\)\n\z/],
    ['redis-sentinel://h:26379/',   qr/\Aa Redis URL must look like /],   # no #master_name
    ['redis://',                    qr/must look like/],
    ['redis://h:0',                 qr/port out of range/],
    ['redis://h:65536',             qr/port out of range/],
    ['redis://h:x',                 qr/must look like/],
    ['redis://h/x',                 qr/must look like/],
    ['redis://h/1/2',               qr/must look like/],
    ['redis://h?db=1',              qr/must look like/],
    ['redis://alice@h',             qr/a user name needs a password/],
    ['unix://relative.sock',        qr/must look like/],
    ['unix:///s.sock?db=x',         qr/database must be a non-negative integer/],
    ['unix:///s.sock?db=-1',        qr/database must be a non-negative integer/],
    ['unix:///s.sock?timeout=1',    qr/unsupported parameter 'timeout'/],
    ['unix:///s.sock?db=1&db=2',    qr/parameter 'db' given twice/],
    ['unix:///s.sock?user=alice',   qr/a user name needs a password/],
) {
    my ($url, $like) = @$bad;
    my $name = defined $url ? "'$url' refused" : 'undef refused';
    ok !eval { Lago::Redis->parse_url($url); 1 }, $name;
    like $@, $like, "$name: message";
}

ok !eval { Lago::Redis->parse_url('redis://u:Hunter2pw@h:1/x'); 1 },
   'bad URL with a password';
unlike $@, qr/Hunter2pw/, 'the password is not in the message';

# --- AUTH, SELECT, both transports ----------------------------------------

for my $c (['tcp', $TCP], ['unix socket', $UNIX]) {
    my ($name, $url) = @$c;

    my $r = Lago::Redis->connect($url);
    is $r->command('ACL', 'WHOAMI'), $USER, "$name: logged in as the ACL user";
    is $r->command('CLIENT', 'INFO') =~ /\bdb=(\d+)/ && $1, 0, "$name: database 0";

    my $sep = $url =~ /\?/ ? '&' : '/';
    my $r5 = Lago::Redis->connect($url . ($sep eq '&' ? '&db=5' : '/5'));
    $r5->command('SET', "client-test:$name", 'in five');
    is $r5->command('CLIENT', 'INFO') =~ /\bdb=(\d+)/ && $1, 5,
       "$name: SELECT 5";
    is $r->command('GET', "client-test:$name"), undef,
       "$name: not in database 0";
    is $r5->command('GET', "client-test:$name"), 'in five',
       "$name: in database 5";
    $r5->close;
    ok !eval { $r5->command('PING'); 1 }, "$name: no command after close";
}

is(Lago::Redis->connect("redis://:$DEFAULT_PASS\@127.0.0.1:$PORT")
       ->command('ACL', 'WHOAMI'),
   'default', 'a password alone logs in as the default user');

for my $c (
    ["redis://127.0.0.1:$PORT",                    qr/\ARedis error: NOAUTH /],
    ["redis://:wrong\@127.0.0.1:$PORT",            qr/\ARedis error: WRONGPASS /],
    ["redis://$USER_ENC:$DEFAULT_PASS\@127.0.0.1:$PORT", qr/\ARedis error: WRONGPASS /],
    ["unix://$SOCK?user=nobody&password=x",        qr/\ARedis error: WRONGPASS /],
    ["redis://:$DEFAULT_PASS\@127.0.0.1:$PORT/99999", qr/\ARedis error: ERR DB index is out of range\n\z/],
) {
    my ($url, $like) = @$c;
    my $ok = eval {
        my $r = Lago::Redis->connect($url);
        $r->command('PING');
        1;
    };
    ok !$ok, "refused: $url";
    like $@, $like, "refused: $url: message";
}

# --- replies -----------------------------------------------------------------

my $r = Lago::Redis->connect($TCP);
my $k = "client-test:$$:";

is $r->command('PING'), 'PONG', 'simple string';
is $r->command('INCRBY', "${k}n", 41), 41, 'integer';
is $r->command('INCR', "${k}n") + 0, 42, 'integer, again';
is $r->command('DECRBY', "${k}n", 50), -8, 'negative integer';
is $r->command('GET', "${k}missing"), undef, 'nil bulk string';
is $r->command('SET', "${k}empty", ''), 'OK', 'SET';
is $r->command('GET', "${k}empty"), '', 'empty bulk string';

my $binary = join '', map { chr } 0 .. 255;
$binary .= "\r\n$binary";
$r->command('SET', "${k}bin", $binary);
is $r->command('GET', "${k}bin"), $binary, 'bulk string with CR LF and NUL';

my $big = 'x' x (3 * 1024 * 1024) . 'end';
$r->command('SET', "${k}big", $big);
ok $r->command('GET', "${k}big") eq $big, 'bulk string of 3 MiB';

my $utf8 = "caf\x{e9} \x{263a}";
$r->command('SET', "${k}utf8", $utf8);
my $bytes = $utf8;
utf8::encode($bytes);
is $r->command('GET', "${k}utf8"), $bytes, 'a character string goes as UTF-8';

is_deeply $r->command('LRANGE', "${k}missing", 0, -1), [], 'empty array';
$r->command('RPUSH', "${k}list", 'a', '', 'c');
is_deeply $r->command('LRANGE', "${k}list", 0, -1), ['a', '', 'c'], 'array';
is_deeply $r->command('EVAL', q{return {1, 'two', {3, {}}, false, -4}}, 0),
          [1, 'two', [3, []], undef, -4], 'nested arrays, integers, nil';
is $r->command('BLPOP', "${k}nothing", '0.01'), undef, 'nil array';

my $err = eval { $r->command('NOSUCHCOMMAND', 'x'); 1 } ? '' : $@;
like $err, qr/\ARedis error: ERR unknown command 'NOSUCHCOMMAND'/,
     'error reply: dies with the message';
like eval { $r->command('LPUSH', "${k}empty", 'x'); 1 } ? '' : $@,
     qr/\ARedis error: WRONGTYPE /, 'WRONGTYPE error';
is $r->command('PING'), 'PONG', 'the connection goes on after an error';

my $evalerr = $r->command('EVAL',
                          q{return {1, redis.error_reply('CUSTOM inner')}}, 0);
is $evalerr->[0], 1, 'array with an error element: the rest';
isa_ok $evalerr->[1], 'Lago::Redis::Error', 'the error element';
is $evalerr->[1]->message, 'CUSTOM inner', 'its message';

# --- transactions --------------------------------------------------------------

is_deeply $r->transaction(['SET', "${k}t1", 'a'], ['INCR', "${k}t2"],
                          ['GET', "${k}t1"]),
          ['OK', 1, 'a'], 'MULTI/EXEC: the replies in order';

$r->command('WATCH', "${k}t1");
Lago::Redis->connect($UNIX)->command('SET', "${k}t1", 'changed');
is $r->transaction(['SET', "${k}t1", 'mine']), undef,
   'a WATCHed key changed: undef, nothing done';
is $r->command('GET', "${k}t1"), 'changed', 'the other write stands';

$err = eval { $r->transaction(['SET', "${k}t3", 'x'], ['GET']); 1 } ? '' : $@;
like $err, qr/\ARedis error: ERR wrong number of arguments for 'get'/,
     'a command refused while queueing dies';
is $r->command('EXISTS', "${k}t3"), 0, 'and nothing of the transaction ran';
is $r->command('PING'), 'PONG', 'the queue was discarded: not in MULTI';

$err = eval { $r->transaction(['SET', "${k}t4", 'x'], ['INCR', "${k}t1"]); 1 }
       ? '' : $@;
like $err, qr/\ARedis error: ERR value is not an integer/,
     'an error reply inside EXEC dies';

my $reader = Lago::Redis->connect("redis://reader:reader-pw\@127.0.0.1:$PORT");
$err = eval { $reader->command('SET', "${k}t5", 'x'); 1 } ? '' : $@;
like $err, qr/\ARedis error: NOPERM /, 'ACL: a read-only user cannot write';

# --- failures and timeouts -----------------------------------------------------

my $closed = do {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die;
    $s->sockport;
};
$err = eval { Lago::Redis->connect("redis://127.0.0.1:$closed"); 1 } ? '' : $@;
like $err, qr/\Acannot connect to Redis at 127\.0\.0\.1:$closed: .+\n\z/,
     'connection refused';

$err = eval { Lago::Redis->connect("unix://$DIR/none.sock"); 1 } ? '' : $@;
like $err, qr/\Acannot connect to Redis at unix:\Q$DIR\E\/none\.sock: .+\n\z/,
     'missing unix socket';

# a peer that accepts and never answers
my $mute = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                 LocalPort => 0) or die;
my $start = time;
$err = eval {
    Lago::Redis->connect('redis://127.0.0.1:' . $mute->sockport,
                         timeout => 0.5)->command('PING');
    1;
} ? '' : $@;
my $took = time - $start;
like $err, qr/\Atimed out waiting for Redis at 127\.0\.0\.1:\d+ to reply\n\z/,
     'a silent peer: timed out';
ok $took >= 0.45 && $took < 2, sprintf 'after the timeout (%.2fs)', $took;

# a peer that answers garbage
my $liar = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                 LocalPort => 0) or die;
my $pid = fork // die;
if (!$pid) {
    my $c = $liar->accept;
    sysread $c, my $buf, 1024;
    syswrite $c, "?what\r\n";
    sleep 1;
    POSIX::_exit(0);    # not exit: END would stop the Redis
}
$err = eval {
    Lago::Redis->connect('redis://127.0.0.1:' . $liar->sockport)
        ->command('PING');
    1;
} ? '' : $@;
like $err, qr/\ARedis protocol error: /, 'a reply that is not RESP';
waitpid $pid, 0;

# the connection closed under a command
my $victim = Lago::Redis->connect($TCP);
my $id = $victim->command('CLIENT', 'ID');
$r->command('CLIENT', 'KILL', 'ID', $id);
$err = eval { $victim->command('PING'); 1 } ? '' : $@;
like $err, qr/\A(?:Redis at 127\.0\.0\.1:$PORT closed the connection|cannot (?:read from|write to) Redis)/,
     'a connection closed by Redis';

$r->command('DEL', map { "$k$_" } qw(n empty bin big utf8 list t1 t2 t3 t4 t5));

done_testing;
