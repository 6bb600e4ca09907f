# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause

package Lago::Redis;

# A small blocking Redis client speaking RESP2, for bin/lago-admin and the
# tests.  Core Perl modules only, so that it runs wherever perl does; TLS
# (rediss://) needs IO::Socket::SSL too (Debian: libio-socket-ssl-perl),
# loaded only for such a URL.
#
#   my $redis = Lago::Redis->connect('redis://lago:secret@127.0.0.1:6379/2',
#                                    connect_timeout => 2, timeout => 5);
#   my $name  = $redis->command('HGET', $key, 'name');
#   my $res   = $redis->transaction(['SADD', $set, $id], ['HSET', $key, ...]);
#
# URLs (user and password percent-decoded):
#   redis://[[user]:password@]host[:port][/db]     host may be [ipv6]
#   rediss://[[user]:password@]host[:port][/db][?ssl_ca_certs=FILE
#       &ssl_certfile=FILE&ssl_keyfile=FILE&ssl_cert_reqs=required|none]
#   unix:///path/to/socket[?db=N&password=P&user=U]
#   redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]
#       #master_name
#
# redis-sentinel:// is Lettuce's form: the sentinels (port 26379 unless
# given) are asked in turn for the address of the master named after the
# '#', which is then connected to, and must say with ROLE that it is the
# master.  The user and password are the master's; the sentinels are asked
# without AUTH.
#
# rediss:// is Redis over TLS, with redis-py's query parameters:
# ssl_ca_certs, the CAs (PEM) to verify the server with (default: the
# system's); ssl_certfile and ssl_keyfile, a client certificate and its key
# (default: in the certificate's file) for Redis's tls-auth-clients;
# ssl_cert_reqs, "required" (default; "optional" is the same for a client,
# as in Python) or "none".  Verified, the certificate must chain to a
# trusted CA and name the URL's host (a subjectAltName DNS or IP entry, or
# the CN when it has no DNS entry; a wildcard only as the leftmost label).
# "none" skips both, and says so once per process on stderr.
# Each scheme has a parser and a connector in %SCHEMES; a new scheme
# (redis-sentinel://...) is one more entry there.
#
# Commands go out as arrays of bulk strings.  Replies: a simple or bulk
# string is a string, an integer a number, nil undef, an array an array
# reference.  An error reply to a command makes command() die with
# "Redis error: <message>"; inside an array (EXEC's replies) an error is a
# Lago::Redis::Error object.  Every failure dies with one line, and no
# message ever repeats the URL: it may hold a password.

use strict;
use warnings;

use Errno qw(EAGAIN EINTR EWOULDBLOCK);
use IO::Select ();
use IO::Socket::IP ();
use IO::Socket::UNIX ();
use Socket qw(SOCK_STREAM);

our $CONNECT_TIMEOUT = 2;
our $TIMEOUT         = 5;

my %SCHEMES = (
    redis  => { parse => \&parse_redis_url, connect => \&connect_tcp },
    rediss => { parse => \&parse_redis_url, connect => \&connect_tls },
    unix   => { parse => \&parse_unix_url,  connect => \&connect_unix },
    'redis-sentinel' => { parse => \&parse_sentinel_url,
                          connect => \&connect_sentinel },
);

my $FORMS = 'redis://[[user]:password@]host[:port][/db],'
          . ' rediss://[[user]:password@]host[:port][/db][?ssl_ca_certs=FILE'
          . '&ssl_certfile=FILE&ssl_keyfile=FILE&ssl_cert_reqs=required|none]'
          . ', unix:///path/to/socket[?db=N&password=P&user=U]'
          . ' or redis-sentinel://[[user]:password@]host[:port]'
          . '[,host[:port]...][/db]#master_name';

# rediss://'s query parameters, as redis-py names them
my %TLS_PARAMS = map { $_ => 1 }
    qw(ssl_ca_certs ssl_certfile ssl_keyfile ssl_cert_reqs);

# set once the warning about an unverified TLS connection was printed
my $warned_unverified;


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


# redis:// and rediss://; only rediss:// takes a query (its TLS settings)
sub parse_redis_url {
    my ($url) = @_;

    my ($scheme, $user, $password, $host, $port, $db, $query) = $url =~ m{
        \A (rediss?)://
        (?: ([^:@/?\#]*) (?: : ([^@/?\#]*) )? @ )?    # [user][:password]@
        ( \[ [0-9A-Fa-f:.]+ \] | [^:/?\#\[\]@]+ )    # host or [ipv6]
        (?: : ([0-9]+) )?                            # :port
        (?: / ([0-9]*) )?                            # /db
        (?: \? ([^\#]*) )?                           # ?query
        \z
    }xi or die "a Redis URL must look like $FORMS\n";

    my $tls = lc $scheme eq 'rediss';
    die "a Redis URL must look like $FORMS\n" if defined $query && !$tls;

    $host =~ s/\A\[(.*)\]\z/$1/;
    $port = 6379 unless defined $port;
    die "Redis URL: port out of range\n" unless $port >= 1 && $port <= 65535;

    my %c = (host => $host, port => 0 + $port, user => unescape($user),
             password => unescape($password), db => $db);

    return \%c unless $tls;

    my %p;
    for my $pair (split /&/, defined $query ? $query : '') {
        my ($k, $v) = split /=/, $pair, 2;
        die "Redis URL: unsupported parameter '$k' ("
            . join(', ', sort keys %TLS_PARAMS) . ")\n"
            unless $TLS_PARAMS{$k};
        die "Redis URL: parameter '$k' given twice\n" if exists $p{$k};
        $v = unescape(defined $v ? $v : '');
        die "Redis URL: parameter '$k' is empty\n" if $v eq '';
        $p{$k} = $v;
    }

    my $reqs = lc(defined $p{ssl_cert_reqs} ? $p{ssl_cert_reqs} : 'required');
    die "Redis URL: ssl_cert_reqs must be required, optional or none\n"
        unless $reqs =~ /\A(?:required|optional|none)\z/;
    die "Redis URL: ssl_keyfile needs ssl_certfile\n"
        if defined $p{ssl_keyfile} && !defined $p{ssl_certfile};

    # a client needs the server's certificate either way: for it, Python's
    # CERT_OPTIONAL is CERT_REQUIRED
    $c{ssl_verify} = $reqs eq 'none' ? 0 : 1;
    $c{$_} = $p{$_} for qw(ssl_ca_certs ssl_certfile ssl_keyfile);

    return \%c;
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


# redis-sentinel://: the sentinels as [host, port] pairs, and the master's
# name
sub parse_sentinel_url {
    my ($url) = @_;

    my ($user, $password, $hosts, $db, $master) = $url =~ m{
        \A redis-sentinel://
        (?: ([^:@/?\#]*) (?: : ([^@/?\#]*) )? @ )?    # [user][:password]@
        ( [^@/?\#]+ )                                # host[:port],...
        (?: / ([0-9]*) )?                            # /db
        \# (.+)                                      # #master_name
        \z
    }xi or die "a Redis URL must look like $FORMS\n";

    my @sentinels;
    for my $hp (split /,/, $hosts) {
        my ($host, $port) = $hp =~ m{
            \A ( \[ [0-9A-Fa-f:.]+ \] | [^:\[\]]+ ) (?: : ([0-9]+) )? \z
        }x or die "Redis URL: '$hp' is not a sentinel's host[:port]\n";
        $host =~ s/\A\[(.*)\]\z/$1/;
        $port = 26379 unless defined $port;
        die "Redis URL: port out of range\n"
            unless $port >= 1 && $port <= 65535;
        push @sentinels, [$host, 0 + $port];
    }

    return { sentinels => \@sentinels, master => unescape($master),
             user => unescape($user), password => unescape($password),
             db => $db };
}


# Asks each sentinel in turn where the master is, and connects to it.
# The master's address goes into $c for the messages that follow.
sub connect_sentinel {
    my ($c, $timeout) = @_;

    my @why;

    for my $s (@{ $c->{sentinels} }) {
        my $sc = { host => $s->[0], port => $s->[1] };
        my $where = 'sentinel ' . address($sc);

        my $addr = eval {
            my $sentinel = bless {
                address => address($sc), timeout => $timeout, buf => '',
                sock => connect_tcp($sc, $timeout),
            }, __PACKAGE__;
            $sentinel->{sock}->blocking(0);
            my $reply = $sentinel->command('SENTINEL',
                                           'get-master-addr-by-name',
                                           $c->{master});
            $sentinel->close;
            $reply;
        };

        if (!defined $addr) {
            my $err = $@ || "does not know the master '$c->{master}'\n";
            $err =~ s/\s+\z//;
            push @why, "$where: $err";
            next;
        }

        if (ref $addr ne 'ARRAY' || @$addr != 2
            || $addr->[1] !~ /\A[0-9]+\z/)
        {
            push @why, "$where: an unexpected answer";
            next;
        }

        @$c{qw(host port)} = ($addr->[0], 0 + $addr->[1]);

        return connect_tcp($c, $timeout);
    }

    die "no sentinel gave the master '$c->{master}': "
        . join('; ', @why) . "\n";
}


# "host:port", "[v6]:port" or "unix:/path": where, for messages
sub address {
    my ($c) = @_;
    return "unix:$c->{path}" if defined $c->{path};
    return "the master '$c->{master}'" if !defined $c->{host}
                                          && defined $c->{master};
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


sub connect_tls {
    my ($c, $timeout) = @_;

    eval { require IO::Socket::SSL; 1 }
        or die "rediss:// needs the Perl module IO::Socket::SSL"
             . " (Debian package libio-socket-ssl-perl)\n";

    # named here rather than left to OpenSSL, whose messages would not say
    # which parameter is wrong
    for my $p (qw(ssl_ca_certs ssl_certfile ssl_keyfile)) {
        next unless defined $c->{$p};
        open my $fh, '<', $c->{$p}
            or die "Redis URL: $p: cannot read $c->{$p}: $!\n";
        CORE::close $fh;
    }

    my %ssl = (
        # SNI; IO::Socket::SSL leaves it out for an IP address
        SSL_hostname => $c->{host},
        (defined $c->{ssl_ca_certs} ? (SSL_ca_file => $c->{ssl_ca_certs})
                                    : ()),
        (defined $c->{ssl_certfile}
             ? (SSL_cert_file => $c->{ssl_certfile},
                SSL_key_file  => defined $c->{ssl_keyfile}
                                 ? $c->{ssl_keyfile} : $c->{ssl_certfile})
             : ()),
    );

    if ($c->{ssl_verify}) {
        $ssl{SSL_verify_mode} = IO::Socket::SSL::SSL_VERIFY_PEER();
        $ssl{SSL_verifycn_name} = $c->{host};
        # RFC 6125 as OpenSSL's X509_check_host() has it: the CN only for a
        # certificate without DNS names, a wildcard only as a whole label
        $ssl{SSL_verifycn_scheme} = { check_cn => 'when_only',
                                      wildcards_in_alt => 'leftmost',
                                      wildcards_in_cn => 'leftmost' };
    } else {
        $ssl{SSL_verify_mode} = IO::Socket::SSL::SSL_VERIFY_NONE();
        print STDERR 'warning: the TLS certificate of Redis at '
                     . address($c) . " is not verified (ssl_cert_reqs=none)\n"
            unless $warned_unverified++;
    }

    # the reason OpenSSL gives for refusing the chain ("certificate has
    # expired"), where its handshake error says only "verify failed"
    my $refused;
    $ssl{SSL_verify_callback} = sub {
        my ($ok, $store) = @_;
        $refused = Net::SSLeay::X509_verify_cert_error_string(
                       Net::SSLeay::X509_STORE_CTX_get_error($store))
            if !$ok && !defined $refused;
        return $ok;
    } if $c->{ssl_verify};

    # TCP first, so that its failures read as redis://'s do
    my $sock = connect_tcp($c, $timeout);

    return $sock if IO::Socket::SSL->start_SSL($sock, Timeout => $timeout,
                                               %ssl);

    {
        # still waiting for the peer when the time was up
        no warnings qw(numeric once);
        my $err = $IO::Socket::SSL::SSL_ERROR;
        die 'timed out in the TLS handshake with Redis at ' . address($c)
            . "\n"
            if defined $err
               && ($err == IO::Socket::SSL::SSL_WANT_READ()
                   || $err == IO::Socket::SSL::SSL_WANT_WRITE());
    }

    my $why = IO::Socket::SSL::errstr() || $! || 'unknown error';
    $why =~ s/\s+\z//;
    $why =~ s/\ASSL connect attempt failed //;
    $why .= " ($refused)" if defined $refused;

    die 'TLS handshake with Redis at ' . address($c) . " failed: $why\n";
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
        tls     => $c->{scheme} eq 'rediss',
        buf     => '',
    }, $class;

    $self->{sock} = $SCHEMES{ $c->{scheme} }{connect}->($c,
        defined $opt{connect_timeout} ? $opt{connect_timeout}
                                      : $CONNECT_TIMEOUT);
    binmode $self->{sock};

    # a sentinel found the master there
    $self->{address} = address($c) if $c->{scheme} eq 'redis-sentinel';

    # Non-blocking from here, so that no read or write outlasts the
    # timeout: a blocking TLS read waits for a whole record, even when
    # select() saw only part of one arrive.
    $self->{sock}->blocking(0);

    if (defined $c->{password}) {
        $self->command('AUTH',
                       (defined $c->{user} && $c->{user} ne '' ? $c->{user} : ()),
                       $c->{password});
    }

    $self->command('SELECT', $c->{db}) if $c->{db} != 0;

    # a sentinel's answer may be stale: the node must be the master now
    if ($c->{scheme} eq 'redis-sentinel') {
        my $role = $self->command('ROLE');
        my $is = ref $role eq 'ARRAY' ? $role->[0] : undef;
        die "Redis at $self->{address}, given by the sentinels, is not the"
            . " master: it is a " . (defined $is ? $is : 'node of no role')
            . "\n"
            unless defined $is && $is eq 'master';
    }

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

    while (length $msg) {
        my $n = syswrite $self->{sock}, $msg;

        if (defined $n) {
            substr $msg, 0, $n, '';
            next;
        }

        my $want = $self->retry('write')
            or die "cannot write to Redis at $self->{address}: "
                   . $self->io_error . "\n";
        $self->wait_for($want)
            or die "timed out writing to Redis at $self->{address}\n";
    }
}


# More of the reply into the buffer; dies when nothing more arrives within
# the timeout
sub fill {
    my ($self) = @_;

    # TLS: what OpenSSL has read and decrypted already, select() cannot see
    my $want = $self->{tls} && $self->{sock}->pending ? undef : 'read';

    for (;;) {
        if ($want) {
            $self->wait_for($want)
                or die "timed out waiting for Redis at $self->{address}"
                       . " to reply\n";
        }

        my $n = sysread $self->{sock}, $self->{buf}, 65536,
                        length $self->{buf};

        if (defined $n) {
            die "Redis at $self->{address} closed the connection\n"
                unless $n;
            return;
        }

        $want = $self->retry('read')
            or die "cannot read from Redis at $self->{address}: "
                   . $self->io_error . "\n";
    }
}


# After a non-blocking read or write that did nothing: what to wait for
# ('read' or 'write') before trying again, or false for a real error.  TLS
# may need to write to read on, or the reverse (a handshake message).
sub retry {
    my ($self, $op) = @_;

    if ($self->{tls}) {
        # IO::Socket::SSL's verdict; an error is a message, not a number
        no warnings qw(numeric once);
        my $err = $IO::Socket::SSL::SSL_ERROR;
        return undef unless defined $err;
        return 'read' if $err == IO::Socket::SSL::SSL_WANT_READ();
        return 'write' if $err == IO::Socket::SSL::SSL_WANT_WRITE();
        return undef;
    }

    return $op if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
    return undef;
}


sub io_error {
    my ($self) = @_;

    my $why = $self->{tls} && IO::Socket::SSL::errstr() || "$!";
    $why =~ s/\s+\z//;
    return $why || 'unknown error';
}


# until the socket is ready to read or write; false after the timeout
sub wait_for {
    my ($self, $want) = @_;

    my $sel = IO::Select->new($self->{sock});
    return $want eq 'read' ? $sel->can_read($self->{timeout})
                           : $sel->can_write($self->{timeout});
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
