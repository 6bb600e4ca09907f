# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause

package Lago::Redis;

# A small blocking Redis client speaking RESP2, for bin/lago-admin and the
# tests.  Core Perl modules only, so that it runs wherever perl does.
#
#   my $redis = Lago::Redis->connect('redis://lago:secret@127.0.0.1:6379/2',
#                                    connect_timeout => 2, timeout => 5);
#   my $name  = $redis->command('HGET', $key, 'name');
#   my $res   = $redis->transaction(['SADD', $set, $id], ['HSET', $key, ...]);
#
# URLs (user and password percent-decoded):
#   redis://[[user]:password@]host[:port][/db]     host may be [ipv6]
#   unix:///path/to/socket[?db=N&password=P&user=U]
# Each scheme has a parser and a connector in %SCHEMES; a new scheme
# (rediss://, redis-sentinel://...) is one more entry there.
#
# Commands go out as arrays of bulk strings.  Replies: a simple or bulk
# string is a string, an integer a number, nil undef, an array an array
# reference.  An error reply to a command makes command() die with
# "Redis error: <message>"; inside an array (EXEC's replies) an error is a
# Lago::Redis::Error object.  Every failure dies with one line, and no
# message ever repeats the URL: it may hold a password.

use strict;
use warnings;

use IO::Select ();
use IO::Socket::IP ();
use IO::Socket::UNIX ();
use Socket qw(SOCK_STREAM);

our $CONNECT_TIMEOUT = 2;
our $TIMEOUT         = 5;

my %SCHEMES = (
    redis => { parse => \&parse_redis_url, connect => \&connect_tcp },
    unix  => { parse => \&parse_unix_url,  connect => \&connect_unix },
);

my $FORMS = 'redis://[[user]:password@]host[:port][/db]'
          . ' or unix:///path/to/socket[?db=N&password=P&user=U]';


# Splits a URL into { scheme, host, port | path, user, password, db }.
sub parse_url {
    my ($class, $url) = @_;

    die "no Redis URL given (expected $FORMS)\n"
        unless defined $url && $url ne '';

    my ($scheme) = $url =~ m{\A([A-Za-z][A-Za-z0-9+.-]*)://}
        or die "a Redis URL must look like $FORMS\n";
    $scheme = lc $scheme;

    my $handler = $SCHEMES{$scheme}
        or die "unsupported Redis URL scheme '$scheme' (supported: "
             . join(', ', map { "$_://" } sort keys %SCHEMES) . ")\n";

    my $c = $handler->{parse}->($url);
    $c->{scheme} = $scheme;
    $c->{db} = 0 unless defined $c->{db} && $c->{db} ne '';

    die "Redis URL: the database must be a non-negative integer\n"
        unless $c->{db} =~ /\A[0-9]+\z/;
    die "Redis URL: a user name needs a password\n"
        if defined $c->{user} && $c->{user} ne '' && !defined $c->{password};

    return $c;
}


sub unescape {
    my ($s) = @_;
    return undef unless defined $s;
    $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $s;
}


sub parse_redis_url {
    my ($url) = @_;

    my ($user, $password, $host, $port, $db) = $url =~ m{
        \A redis://
        (?: ([^:@/?\#]*) (?: : ([^@/?\#]*) )? @ )?    # [user][:password]@
        ( \[ [0-9A-Fa-f:.]+ \] | [^:/?\#\[\]@]+ )    # host or [ipv6]
        (?: : ([0-9]+) )?                            # :port
        (?: / ([0-9]*) )?                            # /db
        \z
    }xi or die "a Redis URL must look like $FORMS\n";

    $host =~ s/\A\[(.*)\]\z/$1/;
    $port = 6379 unless defined $port;
    die "Redis URL: port out of range\n" unless $port >= 1 && $port <= 65535;

    return { host => $host, port => 0 + $port, user => unescape($user),
             password => unescape($password), db => $db };
}


sub parse_unix_url {
    my ($url) = @_;

    my ($path, $query) = $url =~ m{\Aunix://(/[^?\#]*)(?:\?([^\#]*))?\z}
        or die "a Redis URL must look like $FORMS\n";

    my %c = (path => unescape($path));

    for my $pair (split /&/, defined $query ? $query : '') {
        my ($k, $v) = split /=/, $pair, 2;
        die "Redis URL: unsupported parameter '$k' (db, password, user)\n"
            unless $k =~ /\A(?:db|password|user)\z/;
        die "Redis URL: parameter '$k' given twice\n" if exists $c{$k};
        $c{$k} = unescape(defined $v ? $v : '');
    }

    return \%c;
}


# "host:port", "[v6]:port" or "unix:/path": where, for messages
sub address {
    my ($c) = @_;
    return "unix:$c->{path}" if defined $c->{path};
    return ($c->{host} =~ /:/ ? "[$c->{host}]" : $c->{host}) . ":$c->{port}";
}


sub connect_tcp {
    my ($c, $timeout) = @_;

    my $sock = IO::Socket::IP->new(PeerHost => $c->{host},
                                   PeerPort => $c->{port},
                                   Proto => 'tcp', Timeout => $timeout);
    return $sock if $sock;

    my $why = $@ || $! || 'unknown error';
    $why =~ s/\s+\z//;
    die 'cannot connect to Redis at ' . address($c) . ": $why\n";
}


sub connect_unix {
    my ($c, $timeout) = @_;

    my $sock = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $c->{path},
                                     Timeout => $timeout);
    return $sock if $sock;

    die 'cannot connect to Redis at ' . address($c) . ": $!\n";
}


# Lago::Redis->connect($url, connect_timeout => s, timeout => s): connected,
# authenticated and on its database, or dies
sub connect {
    my ($class, $url, %opt) = @_;

    my $c = $class->parse_url($url);

    my $self = bless {
        address => address($c),
        timeout => defined $opt{timeout} ? $opt{timeout} : $TIMEOUT,
        buf     => '',
    }, $class;

    $self->{sock} = $SCHEMES{ $c->{scheme} }{connect}->($c,
        defined $opt{connect_timeout} ? $opt{connect_timeout}
                                      : $CONNECT_TIMEOUT);
    binmode $self->{sock};

    if (defined $c->{password}) {
        $self->command('AUTH',
                       (defined $c->{user} && $c->{user} ne '' ? $c->{user} : ()),
                       $c->{password});
    }

    $self->command('SELECT', $c->{db}) if $c->{db} != 0;

    return $self;
}


sub close {
    my ($self) = @_;
    CORE::close $self->{sock} if $self->{sock};
    delete $self->{sock};
}


# One command; its reply, or dies on an error reply
sub command {
    my ($self, @args) = @_;

    $self->send_command(@args);
    my $reply = $self->read_reply;

    die "Redis error: $reply->{message}\n"
        if ref $reply eq 'Lago::Redis::Error';

    return $reply;
}


# The commands in one MULTI/EXEC: EXEC's replies, or undef when a WATCHed
# key changed.  An error while queueing or in any reply dies; a refused
# queue is discarded first, so the connection stays usable.
sub transaction {
    my ($self, @commands) = @_;

    $self->command('MULTI');

    for my $cmd (@commands) {
        eval { $self->command(@$cmd); 1 } and next;
        my $err = $@;
        eval { $self->command('DISCARD') };
        die $err;
    }

    my $replies = $self->command('EXEC');
    return undef unless defined $replies;

    for (@$replies) {
        die "Redis error: $_->{message}\n" if ref $_ eq 'Lago::Redis::Error';
    }

    return $replies;
}


sub send_command {
    my ($self, @args) = @_;

    die "Redis: no connection\n" unless $self->{sock};

    my $msg = '*' . @args . "\r\n";
    for my $arg (@args) {
        my $bytes = defined $arg ? "$arg" : '';
        utf8::encode($bytes) if utf8::is_utf8($bytes);
        $msg .= '$' . length($bytes) . "\r\n$bytes\r\n";
    }

    my $sel = IO::Select->new($self->{sock});
    while (length $msg) {
        $sel->can_write($self->{timeout})
            or die "timed out writing to Redis at $self->{address}\n";
        my $n = syswrite $self->{sock}, $msg;
        die "cannot write to Redis at $self->{address}: $!\n"
            unless defined $n;
        substr $msg, 0, $n, '';
    }
}


sub fill {
    my ($self) = @_;

    IO::Select->new($self->{sock})->can_read($self->{timeout})
        or die "timed out waiting for Redis at $self->{address} to reply\n";

    my $n = sysread $self->{sock}, $self->{buf}, 65536, length $self->{buf};
    die "cannot read from Redis at $self->{address}: $!\n" unless defined $n;
    die "Redis at $self->{address} closed the connection\n" unless $n;
}


sub read_line {
    my ($self) = @_;

    my $end;
    $self->fill while ($end = index $self->{buf}, "\r\n") < 0;

    my $line = substr $self->{buf}, 0, $end + 2, '';
    return substr $line, 0, $end;
}


sub read_reply {
    my ($self) = @_;

    my $line = $self->read_line;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));

    return $rest if $type eq '+';
    return bless { message => $rest }, 'Lago::Redis::Error' if $type eq '-';

    die "Redis protocol error: bad reply line\n"
        unless $rest =~ /\A-?[0-9]+\z/;

    return 0 + $rest if $type eq ':';

    if ($type eq '$') {
        return undef if $rest < 0;
        $self->fill while length $self->{buf} < $rest + 2;
        my $data = substr $self->{buf}, 0, $rest + 2, '';
        die "Redis protocol error: bulk string not ended by CRLF\n"
            unless substr($data, $rest) eq "\r\n";
        return substr $data, 0, $rest;
    }

    if ($type eq '*') {
        return undef if $rest < 0;
        return [ map { $self->read_reply } 1 .. $rest ];
    }

    die "Redis protocol error: unknown reply type\n";
}


package Lago::Redis::Error;

sub message { $_[0]{message} }


1;
