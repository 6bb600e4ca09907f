package Lago;

# Shared set-up for the Test::Nginx suites (works with the bundled runner
# and with upstream Test::Nginx alike):
#
# - every block with a --- config gets the module's Redis directives in
#   its http_config (the Redis that `make test` started, a key prefix of
#   this run's own);
# - $LAGO_KEY / $LAGO_ORG in a block's sections become the API key and id
#   of an organization made for that block alone ($LAGO_KEY2 / $LAGO_ORG2:
#   a second one), so blocks never see each other's endpoints;
# - $LAGO_UUID matches a lower-case version 4 UUID and $LAGO_TIME a
#   created_at timestamp, for response_body_like.

use strict;
use warnings;

use Test::Nginx::Socket ();
use File::Basename ();
use Cwd ();
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes ();

our $Root = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/..');

our $Uuid = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-'
            . '[0-9a-f]{12}';
our $Time = '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ';

$ENV{TEST_NGINX_REDIS_PORT} //= 6379;
$ENV{LAGO_REDIS_URL} //= "redis://127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT}/0";
$ENV{TEST_NGINX_LAGO_PREFIX} //= sprintf 't%d%04d:', $$, int rand 10000;
$ENV{LAGO_REDIS_PREFIX} = $ENV{TEST_NGINX_LAGO_PREFIX};

our $HttpConfig = <<'_EOC_';
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
_EOC_


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


# a raw HTTP/1.1 request that closes its connection
sub http_request {
    my ($method, $uri, $key, $body) = @_;

    $body //= '';

    return "$method $uri HTTP/1.1\r\nHost: localhost\r\n"
           . "Authorization: Bearer $key\r\nConnection: close\r\n"
           . "Content-Type: application/json\r\n"
           . "Content-Length: " . length($body) . "\r\n\r\n$body";
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
             && $block->http_config !~ /lago_webhook_redis\s/)
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
