#!/usr/bin/perl
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Tests for bin/lago-admin against a real Redis.
#
#   LAGO_REDIS_URL=redis://127.0.0.1:6391/0 prove t/admin.t
#
# Every run works under its own random key prefix and deletes it at the end,
# so a shared Redis can be used. Core Perl modules and lib/Lago/Redis.pm.

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempfile);
use FindBin;
use lib "$FindBin::Bin/../lib";
use IO::Socket::IP;
use POSIX qw(strftime);
use Test::More;
use Time::HiRes qw(time);

use Lago::Redis;

plan skip_all => 'set LAGO_REDIS_URL (e.g. redis://127.0.0.1:6391/0) to a Redis'
               . ' that the tests may write to'
    unless $ENV{LAGO_REDIS_URL};

my $ADMIN  = "$FindBin::Bin/../bin/lago-admin";
my $PREFIX = 'test-admin-' . join('', map { sprintf '%02x', int rand 256 } 1 .. 8) . ':';
$ENV{LAGO_REDIS_PREFIX} = $PREFIX;

my $UUID4 = qr/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

# --- the store, through the project's own client -----------------------------

my $redis = eval { Lago::Redis->connect($ENV{LAGO_REDIS_URL}) }
    or BAIL_OUT("cannot use LAGO_REDIS_URL: $@");

sub r { $redis->command(@_) }

sub hash_of { my %h = @{ r('HGETALL', $_[0]) }; return \%h }

sub keys_under_prefix {
    my ($cursor, @keys) = (0);
    do {
        my $res = r('SCAN', $cursor, 'MATCH', "$PREFIX*", 'COUNT', 1000);
        ($cursor, my $batch) = @$res;
        push @keys, @$batch;
    } while ($cursor ne '0');
    return sort @keys;
}

END {
    # Runs after a failure too, so no test data is left behind.
    if ($redis) {
        my @keys = eval { keys_under_prefix() };
        eval { r('DEL', splice @keys, 0, 500) } while @keys;
    }
}

# --- running the command ----------------------------------------------------

# run(\%env_overrides, @args) -> { rc, out, err, secs }; an undef value in the
# overrides removes that variable.
sub run {
    my ($env, @args) = @_;
    my ($out_fh, $out_file) = tempfile(UNLINK => 1);
    my ($err_fh, $err_file) = tempfile(UNLINK => 1);
    my $start = time;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>&', $out_fh or die;
        open STDERR, '>&', $err_fh or die;
        for my $k (keys %$env) {
            if (defined $env->{$k}) { $ENV{$k} = $env->{$k} } else { delete $ENV{$k} }
        }
        exec $^X, $ADMIN, @args or die "exec: $!";
    }
    waitpid $pid, 0;
    my %res = (rc => $? >> 8, secs => time - $start);
    for (['out', $out_file], ['err', $err_file]) {
        open my $fh, '<', $_->[1] or die;
        local $/;
        $res{ $_->[0] } = <$fh> // '';
    }
    return \%res;
}

sub admin { run({}, @_) }

# Asserts the failure contract: exit 2, nothing on stdout, exactly one line
# on stderr starting with "lago-admin: ". Returns the stderr line.
sub fails_ok {
    my ($res, $name, $like) = @_;
    subtest $name => sub {
        is $res->{rc}, 2, 'exit status 2';
        is $res->{out}, '', 'nothing on stdout';
        like $res->{err}, qr/\Alago-admin: [^\n]+\n\z/, 'one line on stderr';
        like $res->{err}, $like, 'error text' if $like;
    };
    return $res->{err};
}

# Creates an organization, returning (org id, plain key).
sub new_org {
    my $res = admin('org', 'create', @_);
    die "org create failed: $res->{err}" if $res->{rc};
    my ($org, $key) = $res->{out} =~ /\Aorganization_id=(\S+)\napi_key=(\S+)\n\z/ or die;
    return ($org, $key);
}

sub new_key {
    my $res = admin('key', 'create', @_);
    die "key create failed: $res->{err}" if $res->{rc};
    my ($key) = $res->{out} =~ /\Aapi_key=(\S+)\n\z/ or die;
    return $key;
}

# --- tests --------------------------------------------------------------------

ok -x $ADMIN, 'bin/lago-admin is executable';

subtest '--help' => sub {
    my $res = admin('--help');
    is $res->{rc}, 0, 'exit 0';
    like $res->{out}, qr/\Ausage: lago-admin org create/, 'usage on stdout';
    like $res->{out}, qr/key create --org ID/, 'mentions key create';
    is $res->{err}, '', 'nothing on stderr';
};

subtest '--version' => sub {
    open my $fh, '<', "$FindBin::Bin/../VERSION" or die "VERSION: $!";
    my ($release) = <$fh> =~ /\A(\S+)/;
    my $res = admin('--version');
    is $res->{rc}, 0, 'exit 0';
    is $res->{out}, "lago-admin $release\n", 'the release of the VERSION file';
    is $res->{err}, '', 'nothing on stderr';
};

subtest 'org create' => sub {
    my $before = time;
    my $res = admin('org', 'create');
    my $after = time;
    is $res->{rc}, 0, 'exit 0';
    is $res->{err}, '', 'nothing on stderr';
    like $res->{out}, qr/\Aorganization_id=$UUID4\napi_key=$UUID4\n\z/, 'exactly two lines';
    my ($org, $key) = $res->{out} =~ /\Aorganization_id=(\S+)\napi_key=(\S+)\n\z/;
    my $sha = sha256_hex($key);
    isnt $org, $key, 'org id and key differ';

    is_deeply [ keys_under_prefix() ],
        [ sort "${PREFIX}apikey:$sha", "$PREFIX\{$org}:api_keys",
               "$PREFIX\{$org}:organization", "${PREFIX}organizations" ],
        'exactly the four keys of the data model';

    my $o = hash_of("$PREFIX\{$org}:organization");
    is_deeply [ sort keys %$o ], [qw(created_at hmac_key id name)], 'organization fields';
    is $o->{id}, $org, 'organization id';
    is $o->{name}, '', 'name defaults to empty';
    like $o->{hmac_key}, qr/\A[0-9a-f]{64}\z/, 'hmac_key is 64 lower-case hex';
    like $o->{created_at}, qr/\A[0-9]+\z/, 'created_at is an integer';
    ok $o->{created_at} >= int($before) && $o->{created_at} <= $after, 'created_at is now';

    is_deeply hash_of("${PREFIX}apikey:$sha"),
        { organization_id => $org, created_at => $o->{created_at} },
        'api key hash holds only organization_id and created_at';
    is_deeply r('SMEMBERS', "$PREFIX\{$org}:api_keys"), [$sha], "org's key set";
    is_deeply r('SMEMBERS', "${PREFIX}organizations"), [$org], 'organizations set';

    my $everything = join "\n", map {
        my $t = r('TYPE', $_);
        $t eq 'hash' ? @{ r('HGETALL', $_) } : $t eq 'set' ? @{ r('SMEMBERS', $_) } : ()
    } keys_under_prefix();
    unlike $everything . join('', keys_under_prefix()), qr/\Q$key\E/,
        'the plain API key is stored nowhere';
};

subtest 'org create --name' => sub {
    my ($org1) = new_org('--name', 'Acme Corp');
    is r('HGET', "$PREFIX\{$org1}:organization", 'name'), 'Acme Corp', '--name NAME';
    my ($org2) = new_org('--name=Beta=Gamma');
    is r('HGET', "$PREFIX\{$org2}:organization", 'name'), 'Beta=Gamma', '--name=NAME';
    isnt r('HGET', "$PREFIX\{$org1}:organization", 'hmac_key'),
         r('HGET', "$PREFIX\{$org2}:organization", 'hmac_key'), 'hmac keys differ';
    ok r('SISMEMBER', "${PREFIX}organizations", $_), "$_ in organizations" for $org1, $org2;
    fails_ok(admin('org', 'create', '--name'), '--name without a value', qr/--name/);
};

my ($ORG) = new_org('--name', 'Keys Inc');

subtest 'key create' => sub {
    my $res = admin('key', 'create', '--org', $ORG);
    is $res->{rc}, 0, 'exit 0';
    is $res->{err}, '', 'nothing on stderr';
    like $res->{out}, qr/\Aapi_key=$UUID4\n\z/, 'one line api_key=<uuid>';
    my ($key) = $res->{out} =~ /=(\S+)/;
    my $h = hash_of("${PREFIX}apikey:" . sha256_hex($key));
    is_deeply [ sort keys %$h ], [qw(created_at organization_id)],
        'no expires_at and no permissions field by default';
    is $h->{organization_id}, $ORG, 'organization_id';
    ok r('SISMEMBER', "$PREFIX\{$ORG}:api_keys", sha256_hex($key)), "in the org's key set";

    my $upper = new_key('--org', uc $ORG);
    is r('HGET', "${PREFIX}apikey:" . sha256_hex($upper), 'organization_id'), $ORG,
        'an upper-case org id is normalised to lower case';
};

subtest 'key create --expires-at' => sub {
    my %cases = (
        '2096-12-31T23:59:59Z'      => 4007836799,
        '2096-12-31T23:59:59+02:00' => 4007836799 - 7200,
        '2096-12-31T23:59:59-05:30' => 4007836799 + 5 * 3600 + 1800,
        '2096-12-31T23:59:59.250Z'  => 4007836799,
        '2096-12-31'                => 4007750400,
        '2096-02-29'                => 3981312000,
    );
    for my $in (sort keys %cases) {
        my $key = new_key('--org', $ORG, '--expires-at', $in);
        is r('HGET', "${PREFIX}apikey:" . sha256_hex($key), 'expires_at'), $cases{$in}, $in;
    }
    my $key = new_key('--org', $ORG, '--expires-at=2096-12-31');
    is r('HGET', "${PREFIX}apikey:" . sha256_hex($key), 'expires_at'), 4007750400,
        '--expires-at=VALUE';

    my $soon = int(time) + 120;
    $key = new_key('--org', $ORG, '--expires-at',
                   strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $soon));
    is r('HGET', "${PREFIX}apikey:" . sha256_hex($key), 'expires_at'), $soon,
        'two minutes from now';
};

subtest 'key create: an expiry at or before now is refused' => sub {
    my $count = r('SCARD', "$PREFIX\{$ORG}:api_keys");
    my $now = int time;
    for my $past (strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $now),
                  strftime('%Y-%m-%dT%H:%M:%S+01:00', gmtime $now + 3600),
                  strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $now - 1),
                  strftime('%Y-%m-%d', gmtime $now),
                  '2024-02-29', '1970-01-01T00:00:00Z') {
        my $err = fails_ok(admin('key', 'create', '--org', $ORG, '--expires-at', $past),
                           "'$past' is refused");
        like $err, qr/\Alago-admin: --expires-at '\Q$past\E' is not in the future \(now is \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\n\z/,
            "'$past': the message says why";
    }
    is r('SCARD', "$PREFIX\{$ORG}:api_keys"), $count, 'no key was created';
};

subtest 'key create: bad --expires-at values write nothing' => sub {
    my $count = r('SCARD', "$PREFIX\{$ORG}:api_keys");
    for my $bad ('', 'tomorrow', '2096-13-01', '2096-02-30', '2097-02-29', '2096-12-31T24:00:00Z',
                 '2096-12-31T23:60:00Z', '2096-12-31T23:59:60Z', '2096-12-31T23:59:59',
                 '2096-12-31 23:59:59Z', '2096-12-31T23:59:59+25:00', '2096-12-31T23:59:59+02:60',
                 '96-12-31', '2096-12-31Z', '1969-12-31', '2096-12-31T23:59:59z') {
        fails_ok(admin('key', 'create', '--org', $ORG, '--expires-at', $bad),
                 "'$bad' is refused", qr/invalid --expires-at/);
    }
    fails_ok(admin('key', 'create', '--org', $ORG, '--expires-at'), '--expires-at without value');
    is r('SCARD', "$PREFIX\{$ORG}:api_keys"), $count, 'no key was created';
};

subtest 'key create --permission' => sub {
    my @cases = (
        [ ['webhook_endpoint:read,write', 'webhook_jwt_public_key:read'],
          '{"webhook_endpoint":["read","write"],"webhook_jwt_public_key":["read"]}' ],
        [ ['webhook_endpoint:read'], '{"webhook_endpoint":["read"]}' ],
        [ ['webhook_jwt_public_key:write'], '{"webhook_jwt_public_key":["write"]}' ],
        [ ['webhook_endpoint:none'], '{"webhook_endpoint":[]}' ],
        # canonical order whatever the order given; repeats are merged
        [ ['webhook_jwt_public_key:write', 'webhook_endpoint:write,read'],
          '{"webhook_endpoint":["read","write"],"webhook_jwt_public_key":["write"]}' ],
        [ ['webhook_endpoint:write', 'webhook_endpoint:read', 'webhook_endpoint:read'],
          '{"webhook_endpoint":["read","write"]}' ],
        [ ['webhook_endpoint:none', 'webhook_jwt_public_key:none'],
          '{"webhook_endpoint":[],"webhook_jwt_public_key":[]}' ],
    );
    for my $c (@cases) {
        my ($perms, $json) = @$c;
        my $key = new_key('--org', $ORG, map { ('--permission', $_) } @$perms);
        my $h = hash_of("${PREFIX}apikey:" . sha256_hex($key));
        is $h->{permissions}, $json, join(' ', @$perms) . " -> $json";
        ok !exists $h->{expires_at}, 'no expires_at';
    }

    my $count = r('SCARD', "$PREFIX\{$ORG}:api_keys");
    for my $bad ('webhook_endpoint', 'webhook_endpoint:', 'foo:read', ':read',
                 'webhook_endpoint:admin', 'webhook_endpoint:read,', 'webhook_endpoint:none,read',
                 'webhook_endpoint:READ', 'webhook_endpoints:read') {
        fails_ok(admin('key', 'create', '--org', $ORG, '--permission', $bad),
                 "'$bad' is refused", qr/--permission/);
    }
    is r('SCARD', "$PREFIX\{$ORG}:api_keys"), $count, 'no key was created';
};

subtest 'key create: organization checks' => sub {
    my $absent = '00000000-0000-4000-8000-000000000000';
    fails_ok(admin('key', 'create', '--org', $absent), 'unknown organization',
             qr/does not exist/);
    is_deeply [ grep { /\Q$absent/ } keys_under_prefix() ], [], 'nothing written for it';
    fails_ok(admin('key', 'create', '--org', 'not-a-uuid'), 'malformed org id',
             qr/invalid organization id/);
    fails_ok(admin('key', 'create', '--org', "$ORG-0"), 'org id with a suffix');
    fails_ok(admin('key', 'create'), 'missing --org', qr/--org/);
    fails_ok(admin('key', 'create', '--org'), '--org without a value', qr/--org/);
    fails_ok(admin('key', 'create', '--org', '--permission', 'webhook_endpoint:read'),
             '--org followed by another option', qr/--org needs a value/);
};

subtest 'key revoke' => sub {
    my ($org, $first) = new_org();
    my $second = new_key('--org', $org);
    my ($sha1, $sha2) = map { sha256_hex($_) } $first, $second;

    my $res = admin('key', 'revoke', $second);
    is $res->{rc}, 0, 'exit 0';
    is $res->{err}, '', 'nothing on stderr';
    is $res->{out}, 'revoked=' . substr($sha2, 0, 12) . "\n", 'revoked=<sha prefix>';
    is r('EXISTS', "${PREFIX}apikey:$sha2"), 0, 'key hash deleted';
    is_deeply r('SMEMBERS', "$PREFIX\{$org}:api_keys"), [$sha1], 'removed from the org set';
    is r('EXISTS', "${PREFIX}apikey:$sha1"), 1, 'the other key is untouched';
    is r('EXISTS', "$PREFIX\{$org}:organization"), 1, 'the organization is untouched';

    fails_ok(admin('key', 'revoke', $second), 'revoking twice', qr/unknown API key/);
    fails_ok(admin('key', 'revoke', 'no-such-key'), 'unknown key', qr/unknown API key/);
    fails_ok(admin('key', 'revoke', $sha1), 'the sha instead of the key is unknown',
             qr/unknown API key/);
    is r('EXISTS', "${PREFIX}apikey:$sha1"), 1, 'still there';
    fails_ok(admin('key', 'revoke'), 'no KEY');
    fails_ok(admin('key', 'revoke', $first, $first), 'two KEYs');
    fails_ok(admin('key', 'revoke', ''), 'empty KEY');
    is r('EXISTS', "${PREFIX}apikey:$sha1"), 1, 'bad arguments revoke nothing';
};

subtest 'key list' => sub {
    my ($org, $k1) = new_org('--name', 'List Co');
    my $k2 = new_key('--org', $org, '--expires-at', '2096-12-31T23:59:59+02:00',
                     '--permission', 'webhook_endpoint:read,write',
                     '--permission', 'webhook_jwt_public_key:read');
    my $k3 = new_key('--org', $org, '--expires-at', '2097-01-15', '--permission',
                     'webhook_endpoint:none');
    my ($s1, $s2, $s3) = map { sha256_hex($_) } $k1, $k2, $k3;

    # Fixed creation times make the expected order independent of timing.
    r('HSET', "${PREFIX}apikey:$s1", 'created_at', 1700000300);
    r('HSET', "${PREFIX}apikey:$s2", 'created_at', 1700000100);
    r('HSET', "${PREFIX}apikey:$s3", 'created_at', 1700000200);

    my $res = admin('key', 'list', '--org', $org);
    is $res->{rc}, 0, 'exit 0';
    is $res->{err}, '', 'nothing on stderr';
    is $res->{out}, join('',
        'key=' . substr($s2, 0, 12) . ' created_at=2023-11-14T22:15:00Z'
          . ' expires_at=2096-12-31T21:59:59Z'
          . ' permissions={"webhook_endpoint":["read","write"],"webhook_jwt_public_key":["read"]}' . "\n",
        'key=' . substr($s3, 0, 12) . ' created_at=2023-11-14T22:16:40Z'
          . ' expires_at=2097-01-15T00:00:00Z permissions={"webhook_endpoint":[]}' . "\n",
        'key=' . substr($s1, 0, 12) . ' created_at=2023-11-14T22:18:20Z'
          . ' expires_at=never permissions=all' . "\n",
    ), 'one line per key, sorted by created_at';

    my $hmac = r('HGET', "$PREFIX\{$org}:organization", 'hmac_key');
    for ([$k1, 'key 1'], [$k2, 'key 2'], [$k3, 'key 3'], [$hmac, 'hmac key'],
         [$s1, 'full sha 1'], [$s2, 'full sha 2'], [$s3, 'full sha 3']) {
        unlike $res->{out}, qr/\Q$_->[0]\E/, "the $_->[1] is not shown";
    }

    my ($other) = new_org();
    $res = admin('key', 'list', '--org', $other);
    is $res->{rc}, 0, 'other org: exit 0';
    unlike $res->{out}, qr/\Q@{[ substr $s1, 0, 12 ]}\E/, "another org's keys are not listed";

    admin('key', 'revoke', $_) for $k1, $k2, $k3;
    $res = admin('key', 'list', '--org', $org);
    is_deeply [ @$res{qw(rc out err)} ], [ 0, '', '' ], 'no keys: empty output, exit 0';

    fails_ok(admin('key', 'list', '--org', '00000000-0000-4000-8000-000000000000'),
             'unknown organization', qr/does not exist/);
    fails_ok(admin('key', 'list'), 'missing --org', qr/--org/);
    fails_ok(admin('key', 'list', '--org'), '--org without a value', qr/--org/);
    fails_ok(admin('key', 'list', '--org', 'xyz'), 'malformed org id', qr/invalid organization id/);
    fails_ok(admin('key', 'list', '--org', $org, 'extra'), 'extra argument', qr/unexpected argument/);
};

subtest 'bad arguments' => sub {
    my @keys = keys_under_prefix();
    for my $args ([], ['foo'], ['org'], ['key'], ['org', 'delete'], ['org', 'list'],
                  ['key', 'show'], ['org', 'create', 'extra'], ['org', 'create', '--bogus'],
                  ['org', 'create', '-n', 'x'], ['key', 'create', '--org', $ORG, '--bogus', 'x'],
                  ['key', 'create', '--org', $ORG, '--org', $ORG], ['--help', 'extra'],
                  ['help'], ['--version', 'extra'], ['ORG', 'create']) {
        fails_ok(admin(@$args), "lago-admin @$args", qr/usage|unknown|unexpected|more than once/);
    }
    is_deeply [ keys_under_prefix() ], \@keys, 'nothing was written';

    # Arguments are validated before Redis is contacted.
    fails_ok(run({ LAGO_REDIS_URL => 'redis://127.0.0.1:1/0' }, 'org', 'bogus'),
             'usage error wins over an unreachable Redis', qr/unknown command/);
};

subtest 'unreachable or failing Redis' => sub {
    # A port that was free a moment ago: connecting is refused.
    my $l = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0, Listen => 1) or die;
    my $closed = $l->sockport;
    close $l;
    my $res = run({ LAGO_REDIS_URL => "redis://127.0.0.1:$closed/0" }, 'org', 'create');
    fails_ok($res, 'closed port', qr/cannot connect to Redis at 127\.0\.0\.1:\Q$closed\E/);
    ok $res->{secs} < 3, sprintf 'fails fast (%.2fs)', $res->{secs};

    fails_ok(run({ LAGO_REDIS_URL => 'unix:///nonexistent/redis.sock' }, 'key', 'list',
                 '--org', $ORG), 'missing unix socket', qr/cannot connect/);

    # A peer that accepts the connection but never answers: the read timeout.
    my $mute = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0, Listen => 5) or die;
    $res = run({ LAGO_REDIS_URL => 'redis://127.0.0.1:' . $mute->sockport . '/0' },
               'key', 'list', '--org', $ORG);
    fails_ok($res, 'silent server', qr/timed out/);
    ok $res->{secs} >= 4 && $res->{secs} < 8, sprintf 'gives up after ~5s (%.2fs)', $res->{secs};
    close $mute;

    if ($ENV{LAGO_REDIS_URL} =~ m{\Aredis://}) {
        (my $base = $ENV{LAGO_REDIS_URL}) =~ s{/\d*\z}{};
        fails_ok(run({ LAGO_REDIS_URL => "$base/99999" }, 'org', 'create'),
                 'Redis error reply (bad db)', qr/Redis error: ERR/);
    }
    fails_ok(run({ LAGO_REDIS_URL => 'http://127.0.0.1:6379/' }, 'org', 'create'),
             'unsupported URL', qr/LAGO_REDIS_URL/);
    my $err = fails_ok(run({ LAGO_REDIS_URL => 'redis://:s3cret-pw@127.0.0.1:1/0' },
                           'org', 'create'), 'URL with a password');
    unlike $err, qr/s3cret-pw/, 'the password is not echoed';
};

done_testing;
