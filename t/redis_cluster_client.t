#!/usr/bin/perl
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# lib/Lago/Redis.pm with a redis-cluster:// URL, against a Redis Cluster of
# this test's own (tools/lib.sh's cluster_start: three masters, a replica
# each): the slot of a key, commands on every master, a slot moved by hand
# (ASK while it migrates, TRYAGAIN while its keys are split, MOVED once it
# has moved), a reshard by redis-cli, a master killed and replaced by its
# replica, and bin/lago-admin writing and reading through the cluster.
# Core Perl modules only.

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep);

use Lago::Redis;

my $ROOT = "$FindBin::Bin/..";
my $DIR  = tempdir(CLEANUP => 1);

# tools/lib.sh's functions, in a shell of their own
sub lib_sh {
    my ($script, @args) = @_;
    my $out = qx{bash -c '. "\$0/tools/lib.sh" && $script' "$ROOT" @args 2>&1};
    return ($? == 0, $out);
}

my ($ok, $FIRST) = lib_sh('free_port_run 6');
chomp $FIRST;
BAIL_OUT("no free ports: $FIRST") unless $ok && $FIRST =~ /\A[0-9]+\z/;

my @PORTS = map { $FIRST + $_ } 0 .. 5;

# the cluster over TLS, once started
my $TLS_CLUSTER;

END {
    local $?;
    lib_sh('cluster_stop "$1"', $DIR) if $DIR;
    if ($TLS_CLUSTER) {
        local $ENV{REDIS_TLS_DIR} = "$DIR/tls";
        lib_sh('cluster_stop "$1"', $TLS_CLUSTER);
    }
}

# quicker failovers than make run's: the test waits for one
{
    local $ENV{CLUSTER_NODE_TIMEOUT} = 1000;
    my ($started, $out) = lib_sh('cluster_start "$1" "$2"', $DIR, $FIRST);
    BAIL_OUT("cluster_start failed: $out") unless $started;
}

my $URL = "redis-cluster://127.0.0.1:$PORTS[0],127.0.0.1:$PORTS[1]";

# a node by itself, no cluster logic: what it holds, how it answers
sub node {
    my ($addr) = @_;
    return Lago::Redis->connect("redis://$addr/0");
}

sub node_id {
    my ($addr) = @_;
    return node($addr)->command('CLUSTER', 'MYID');
}

# a key (with a prefix of its own) whose slot is served by $master
sub key_on {
    my ($cluster, $master, $prefix) = @_;
    for my $n (1 .. 100000) {
        my $key = "$prefix$n";
        return $key if $cluster->slot_master(
                           Lago::Redis::Cluster::key_slot($key)) eq $master;
    }
    die "no key found on $master";
}

# --- the URL -----------------------------------------------------------------

is_deeply(Lago::Redis->parse_url(
              'redis-cluster://u%40s:p%3Aw@127.0.0.1:7000,[::1]:7001,h'),
          { scheme => 'redis-cluster', user => 'u@s', password => 'p:w',
            db => 0, seeds => [['127.0.0.1', 7000], ['::1', 7001],
                               ['h', 6379]] },
          'parse redis-cluster:// with a user, IPv6 and a default port');
is(Lago::Redis->parse_url('redis-cluster://h:1/0')->{db}, 0, '/0 is allowed');
for (['redis-cluster://h:1/2', qr/\ARedis URL: a Redis Cluster has database 0 only\n\z/],
     ['redis-cluster://h:99999', qr/\ARedis URL: port out of range\n\z/],
     ['redis-cluster://h:1,', qr/\ARedis URL: '' is not a cluster node's host\[:port\]\n\z/],
     ['redis-cluster://h:1?x=1', qr/\Aa Redis URL must look like /])
{
    eval { Lago::Redis->parse_url($_->[0]) };
    like($@, $_->[1], "refused: $_->[0]");
}

# --- slots -------------------------------------------------------------------

my $cluster = Lago::Redis->connect($URL);
ok($cluster->is_cluster, 'a cluster client');

is(Lago::Redis::Cluster::crc16('123456789'), 0x31c3,
   'CRC16/XMODEM of the check string');

{
    my $seed = node("127.0.0.1:$PORTS[0]");
    my @keys = ('', 'a', 'foo', "lago:{org}:organization", '{}x', '{x}',
                'a{b}c{d}', 'a{}{b}', '{{x}}', "\x{e9}t\x{e9}",
                map { join '', map { chr 32 + int rand 95 } 0 .. rand 30 }
                    1 .. 200);
    my @wrong = grep {
        Lago::Redis::Cluster::key_slot($_)
            != $seed->command('CLUSTER', 'KEYSLOT', $_)
    } @keys;
    is_deeply(\@wrong, [], 'key_slot agrees with CLUSTER KEYSLOT on '
                           . @keys . ' keys');
}

my @MASTERS = $cluster->masters;
is(scalar @MASTERS, 3, 'three masters in the slot map');

# --- a key on every master ---------------------------------------------------

my %on;
for my $master (@MASTERS) {
    my $key = key_on($cluster, $master, 'spread:');
    $on{$master} = $key;
    is($cluster->command('SET', $key, "value of $key"), 'OK', "SET $key");
}
for my $master (@MASTERS) {
    my $key = $on{$master};
    is($cluster->command('GET', $key), "value of $key", "GET $key");
    is(node($master)->command('GET', $key), "value of $key",
       "$key is stored on $master, the master of its slot");
}

is($cluster->command('EVAL', 'return redis.call("GET", KEYS[1])', 1,
                     $on{ $MASTERS[2] }),
   "value of $on{ $MASTERS[2] }", 'EVAL goes to the master of KEYS[1]');

# keyless commands
is($cluster->command('DBSIZE'), 3, 'DBSIZE: the sum over the masters');
is_deeply([ sort @{ $cluster->command('KEYS', 'spread:*') } ],
          [ sort values %on ], 'KEYS: every master');
{
    my ($cursor, @seen) = ('0');
    do {
        my $reply = $cluster->command('SCAN', $cursor, 'MATCH', 'spread:*',
                                      'COUNT', 1);
        ($cursor, my $batch) = @$reply;
        push @seen, @$batch;
    } while ($cursor ne '0');
    is_deeply([ sort @seen ], [ sort values %on ], 'SCAN: every master');
}
is_deeply($cluster->on_all_masters('DBSIZE'), { map { $_ => 1 } @MASTERS },
          'on_all_masters: each master answers');
is($cluster->command('EXISTS', values %on), 3,
   'EXISTS of keys of three slots, split by slot');

eval { $cluster->command('MULTI') };
like($@, qr/\ARedis Cluster: MULTI is not for a cluster: use transaction\(\)\n\z/,
     'MULTI is refused');
eval { $cluster->transaction(['SET', $on{ $MASTERS[0] }, 1],
                             ['SET', $on{ $MASTERS[1] }, 1]) };
like($@, qr/\ARedis Cluster: a transaction's keys must be in one slot/,
     'a transaction over two slots is refused');
is_deeply($cluster->transaction(['HSET', '{tx}:h', 'f', 'v'],
                                ['SADD', '{tx}:s', 'm']), [1, 1],
          'a transaction in one slot');

# WATCH, and a change by another client: EXEC answers nil
$cluster->command('WATCH', '{tx}:h');
node($cluster->slot_master(Lago::Redis::Cluster::key_slot('{tx}:h')))
    ->command('HSET', '{tx}:h', 'f', 'changed');
is($cluster->transaction(['HSET', '{tx}:h', 'f', 'mine']), undef,
   'WATCH then a change elsewhere: the transaction is not run');

# --- a slot moved by hand: ASK, TRYAGAIN, then MOVED -------------------------

{
    my $slot = Lago::Redis::Cluster::key_slot('{mig}');
    my $source = $cluster->slot_master($slot);
    my ($target) = grep { $_ ne $source } @MASTERS;
    my ($target_host, $target_port) = split /:/, $target;
    my ($source_id, $target_id) = (node_id($source), node_id($target));
    my ($src, $tgt) = (node($source), node($target));

    $cluster->command('SET', "{mig}:$_", "v$_") for qw(a b c);
    $cluster->command('SADD', '{mig}:set', 'x');

    $tgt->command('CLUSTER', 'SETSLOT', $slot, 'IMPORTING', $source_id);
    $src->command('CLUSTER', 'SETSLOT', $slot, 'MIGRATING', $target_id);
    $src->command('MIGRATE', $target_host, $target_port, '', 0, 5000,
                  'KEYS', '{mig}:a', '{mig}:set');

    # the client's map still says source
    is($cluster->slot_master($slot), $source, 'migrating: the map says source');
    is($cluster->command('GET', '{mig}:a'), 'va',
       'ASK: a key migrated already is read on the target');
    is($cluster->command('GET', '{mig}:b'), 'vb',
       'a key not migrated yet is read on the source');
    is($cluster->command('SET', '{mig}:new', 'n'), 'OK',
       'ASK: a new key is written on the target');
    is($tgt->command('ASKING') && $tgt->command('GET', '{mig}:new'), 'n',
       'the new key is on the target');
    is($cluster->slot_master($slot), $source, 'ASK leaves the map as it was');
    is_deeply($cluster->transaction(['SADD', '{mig}:set', 'y'],
                                    ['SCARD', '{mig}:set']), [1, 2],
              'ASK: a transaction runs on the target, after ASKING');

    # keys split between the two: TRYAGAIN until the migration ends,
    # which a child finishes meanwhile; the source then answers MOVED
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        sleep 0.3;
        my ($s, $t) = (node($source), node($target));
        $s->command('MIGRATE', $target_host, $target_port, '', 0, 5000,
                    'KEYS', '{mig}:b', '{mig}:c');
        for my $addr (@MASTERS) {
            node($addr)->command('CLUSTER', 'SETSLOT', $slot, 'NODE',
                                 $target_id);
        }
        POSIX::_exit(0);
    }
    is_deeply($cluster->command('MGET', '{mig}:a', '{mig}:b', '{mig}:c'),
              ['va', 'vb', 'vc'],
              'TRYAGAIN while the keys are split, then MOVED: all three');
    waitpid $pid, 0;
    is($?, 0, 'the migration finished');
    # (the MGET may have been sent after the keys had moved and before
    # the slot had: an ASK, which leaves the map as it was)
    is($cluster->command('GET', '{mig}:new'), 'n', 'read on the new master');
    is($cluster->slot_master($slot), $target, 'MOVED updated the map');
}

# --- a reshard by redis-cli: MOVED for every slot that changed hands --------

{
    # redis-cli moves the source's lowest slots: 100, so that every master
    # keeps some (only those vote for a failover, below)
    my $from = $MASTERS[0];
    my $to = $MASTERS[1];
    my @moved = (grep { $cluster->slot_master($_) eq $from } 0 .. 16383)
                [0 .. 99];
    my %moved = map { $_ => 1 } @moved;
    my @keys;
    for (my $n = 0; @keys < 20; $n++) {
        push @keys, "reshard:$n"
            if $moved{ Lago::Redis::Cluster::key_slot("reshard:$n") };
    }
    $cluster->command('SET', $_, "r$_") for @keys;

    my $old = Lago::Redis->connect($URL);    # the map before
    my $out = qx{redis-cli --cluster reshard 127.0.0.1:$PORTS[0] --cluster-from @{[ node_id($from) ]} --cluster-to @{[ node_id($to) ]} --cluster-slots 100 --cluster-yes 2>&1};
    is($?, 0, 'redis-cli --cluster reshard') or diag($out);
    my ($waited, $why) = lib_sh('CLUSTER_PORTS=($(seq "$1" "$(($1 + 5))"))'
                                . ' CLUSTER_DIR="$2" && cluster_wait',
                                $FIRST, $DIR);
    ok($waited, 'the cluster agrees on the new map') or diag($why);

    is_deeply([ map { $old->command('GET', $_) } @keys ],
              [ map { "r$_" } @keys ],
              'every key read through the old map, after a MOVED');
    is($old->slot_master(Lago::Redis::Cluster::key_slot($keys[0])), $to,
       'the map learned the new master');
}

# --- lago-admin through the cluster ------------------------------------------

{
    local $ENV{LAGO_REDIS_URL} = $URL;
    local $ENV{LAGO_REDIS_PREFIX} = 'cl:';
    my $admin = "$ROOT/bin/lago-admin";

    my $out = qx{$admin org create --name Acme 2>&1};
    is($?, 0, 'lago-admin org create') or diag($out);
    my ($org) = $out =~ /^organization_id=(\S+)$/m;
    my ($key) = $out =~ /^api_key=(\S+)$/m;
    ok($org && $key, 'an organization and its key') or diag($out);
    $org //= '';
    $key //= '';

    my $c = Lago::Redis->connect($URL);
    my %org = @{ $c->command('HGETALL', "cl:{$org}:organization") };
    is($org{name}, 'Acme', 'the organization hash');
    is($org{id}, $org, 'its id');
    ok($c->command('SISMEMBER', 'cl:organizations', $org),
       'in the organizations set');
    is($c->command('HGET', 'cl:apikey:' . sha256_hex($key),
                   'organization_id'), $org, 'the key hash');
    is_deeply($c->command('SMEMBERS', "cl:{$org}:api_keys"),
              [sha256_hex($key)], "the organization's key set");

    my $second = qx{$admin key create --org $org --permission webhook_endpoint:read 2>&1};
    is($?, 0, 'lago-admin key create') or diag($second);
    ($second) = $second =~ /^api_key=(\S+)$/m;
    $second //= '';
    is($c->command('HGET', 'cl:apikey:' . sha256_hex($second),
                   'permissions'), '{"webhook_endpoint":["read"]}',
       'the second key and its permissions');

    $out = qx{$admin key list --org $org 2>&1};
    is(scalar(() = $out =~ /^key=/mg), 2, 'lago-admin key list: two keys')
        or diag($out);

    $out = qx{$admin key revoke $second 2>&1};
    is($out, 'revoked=' . substr(sha256_hex($second), 0, 12) . "\n",
       'lago-admin key revoke');
    is($c->command('EXISTS', 'cl:apikey:' . sha256_hex($second)), 0,
       'the key hash is gone');
    is_deeply($c->command('SMEMBERS', "cl:{$org}:api_keys"),
              [sha256_hex($key)], 'and its entry in the set');

    $out = qx{$admin key create --org 00000000-0000-4000-8000-000000000000 2>&1};
    is($out, "lago-admin: organization 00000000-0000-4000-8000-000000000000"
             . " does not exist\n", 'key create for no organization');

    local $ENV{LAGO_REDIS_URL} = "redis-cluster://127.0.0.1:$PORTS[0]/1";
    $out = qx{$admin org create 2>&1};
    is($out, "lago-admin: LAGO_REDIS_URL: a Redis Cluster has database 0"
             . " only\n", 'a database other than 0 is refused');
}

# --- a master killed: its replica takes over ---------------------------------

{
    my $victim = $cluster->slot_master(Lago::Redis::Cluster::key_slot('{fo}'));
    $cluster->command('SET', '{fo}:k', 'kept');
    is(node($victim)->command('WAIT', 1, 2000), 1, 'the replica has it')
        or diag(node($victim)->command('INFO', 'replication'));

    my ($port) = $victim =~ /:([0-9]+)\z/;
    open my $fh, '<', "$DIR/$port/redis.pid" or die "redis.pid: $!";
    chomp(my $pid = <$fh>);
    kill 'KILL', $pid;

    is($cluster->command('GET', '{fo}:k'), 'kept',
       'read after the failover, from the promoted replica');
    isnt($cluster->slot_master(Lago::Redis::Cluster::key_slot('{fo}')),
         $victim, 'the map names the new master');
    is($cluster->command('SET', '{fo}:k', 'again'), 'OK', 'and writes go there');
}

# --- rediss-cluster://: a cluster over TLS -----------------------------------

# Every node TLS only, the cluster bus and replication included, and a
# client certificate required (tools/lib.sh's cluster_start with
# REDIS_TLS_DIR): the seeds and the masters the slot map names are all
# verified, the latter by their IP address.
{
    my $tls = "$DIR/tls";
    my ($made, $why) = lib_sh('tls_certs "$1"', $tls);
    BAIL_OUT("tls_certs failed: $why") unless $made;

    my ($found, $first) = lib_sh('free_port_run 6');
    chomp $first;
    BAIL_OUT("no free ports: $first") unless $found && $first =~ /\A[0-9]+\z/;

    local $ENV{REDIS_TLS_DIR} = $tls;
    local $ENV{REDIS_TLS_AUTH_CLIENTS} = 'yes';
    $TLS_CLUSTER = "$DIR/tls-cluster";
    my ($started, $out) = lib_sh('cluster_start "$1" "$2"', $TLS_CLUSTER,
                                 $first);
    BAIL_OUT("cluster_start over TLS failed: $out") unless $started;

    my @ports = map { $first + $_ } 0 .. 2;
    my $query = "ssl_ca_certs=$tls/ca.crt&ssl_certfile=$tls/client.crt"
                . "&ssl_keyfile=$tls/client.key";

    is_deeply(Lago::Redis->parse_url(
                  "rediss-cluster://u:p\@127.0.0.1:$ports[0],localhost/0"
                  . "?$query&ssl_cert_reqs=required"),
              { scheme => 'rediss-cluster', user => 'u', password => 'p',
                db => 0, seeds => [['127.0.0.1', $ports[0]],
                                   ['localhost', 6379]],
                ssl_verify => 1, ssl_ca_certs => "$tls/ca.crt",
                ssl_certfile => "$tls/client.crt",
                ssl_keyfile => "$tls/client.key" },
              'rediss-cluster://: seeds and redis-py\'s TLS parameters');
    eval { Lago::Redis->parse_url("redis-cluster://127.0.0.1:1?$query") };
    like($@, qr/\Aa Redis URL must look like /,
         'redis-cluster:// takes no TLS parameters');

    # the seed by name, the masters by the addresses CLUSTER SLOTS gives
    my $c = Lago::Redis->connect("rediss-cluster://localhost:$ports[0]"
                                 . "?$query");
    is_deeply([ $c->masters ], [ map { "127.0.0.1:$_" } @ports ],
              'the masters, at their TLS ports');
    for my $master ($c->masters) {
        my $key = key_on($c, $master, 'tls:');
        is($c->command('SET', $key, $master), 'OK', "a write on $master");
        is($c->command('GET', $key), $master, "read back from $master");
    }
    is_deeply($c->transaction(['SET', '{tls}:a', 1], ['INCR', '{tls}:a']),
              ['OK', 2], 'a transaction over TLS');

    eval {
        Lago::Redis->connect("rediss-cluster://127.0.0.1:$ports[0]"
                             . "?ssl_ca_certs=$tls/untrusted-ca.crt"
                             . "&ssl_certfile=$tls/client.crt"
                             . "&ssl_keyfile=$tls/client.key");
    };
    my $seed = "127.0.0.1:$ports[0]";
    like($@, qr/\A\Qno node of the Redis Cluster of $seed gave the slot map:\E
                \Q $seed: TLS handshake with Redis at $seed failed: \E
                .*certificate\ verify\ failed/x,
         'a certificate of another CA is refused');

    eval {
        Lago::Redis->connect("rediss-cluster://127.0.0.1:$ports[0]"
                             . "?ssl_ca_certs=$tls/ca.crt", timeout => 2);
    };
    like($@, qr/\A\Qno node of the Redis Cluster of $seed gave the slot map:\E
                \Q $seed: \E/x,
         'without a client certificate, the nodes do not answer');

    local $ENV{LAGO_REDIS_URL} = "rediss-cluster://127.0.0.1:$ports[1]"
                                 . "?$query";
    local $ENV{LAGO_REDIS_PREFIX} = 'tls:';
    my $admin = "$ROOT/bin/lago-admin";
    $out = qx{$admin org create --name overtls 2>&1};
    is($?, 0, 'lago-admin org create through rediss-cluster://')
        or diag($out);
    my ($org) = $out =~ /^organization_id=(\S+)$/m;
    is($c->command('HGET', "tls:{$org}:organization", 'name'), 'overtls',
       'the organization is in the cluster');
}

done_testing;
