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
#   redis-cluster://[[user]:password@]host[:port][,host[:port]...][/0]
#   rediss-cluster://[[user]:password@]host[:port][,host[:port]...][/0]
#       [?ssl_ca_certs=FILE&ssl_certfile=FILE&ssl_keyfile=FILE
#       &ssl_cert_reqs=required|none]
#
# redis-sentinel:// is Lettuce's form: the sentinels (port 26379 unless
# given) are asked in turn for the address of the master named after the
# '#', which is then connected to, and must say with ROLE that it is the
# master.  The user and password are the master's; the sentinels are asked
# without AUTH.
#
# redis-cluster:// is a Redis Cluster, known by some of its nodes (the
# seeds, port 6379 unless given); connect() then returns a
# Lago::Redis::Cluster (below), which has the same command() and
# transaction(), sends each command to the master that serves its key's
# slot and follows the cluster's redirections.  The user and password are
# every node's; a cluster has database 0 only.  rediss-cluster:// is the
# same over TLS: every node, the seeds and those the slot map names, is
# connected to as rediss:// with the URL's parameters, and verified by the
# address it is reached at (a seed's host as given, the others' addresses
# as CLUSTER SLOTS reports them, usually IP addresses: the certificate
# must name those).
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
    'redis-cluster' => { parse => \&parse_cluster_url, connect => undef },
    'rediss-cluster' => { parse => \&parse_cluster_url, connect => undef },
);

my $FORMS = 'redis://[[user]:password@]host[:port][/db],'
          . ' rediss://[[user]:password@]host[:port][/db][?ssl_ca_certs=FILE'
          . '&ssl_certfile=FILE&ssl_keyfile=FILE&ssl_cert_reqs=required|none]'
          . ', unix:///path/to/socket[?db=N&password=P&user=U]'
          . ', redis-sentinel://[[user]:password@]host[:port]'
          . '[,host[:port]...][/db]#master_name'
          . ', redis-cluster://[[user]:password@]host[:port]'
          . '[,host[:port]...]'
          . ' or rediss-cluster://[[user]:password@]host[:port]'
          . '[,host[:port]...][?ssl_ca_certs=FILE&ssl_certfile=FILE'
          . '&ssl_keyfile=FILE&ssl_cert_reqs=required|none]';

# rediss://'s (and rediss-cluster://'s) query parameters, as redis-py names
# them
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

    parse_tls_query($query, \%c);

    return \%c;
}


# rediss://'s TLS parameters into $c: ssl_verify, ssl_ca_certs,
# ssl_certfile, ssl_keyfile
sub parse_tls_query {
    my ($query, $c) = @_;

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
    $c->{ssl_verify} = $reqs eq 'none' ? 0 : 1;
    $c->{$_} = $p{$_} for qw(ssl_ca_certs ssl_certfile ssl_keyfile);
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


# redis-cluster:// and rediss-cluster://: the seed nodes as [host, port]
# pairs; only rediss-cluster:// takes a query (its TLS settings)
sub parse_cluster_url {
    my ($url) = @_;

    my ($scheme, $user, $password, $hosts, $db, $query) = $url =~ m{
        \A (rediss?-cluster)://
        (?: ([^:@/?\#]*) (?: : ([^@/?\#]*) )? @ )?    # [user][:password]@
        ( [^@/?\#]+ )                                # host[:port],...
        (?: / ([0-9]*) )?                            # /db
        (?: \? ([^\#]*) )?                           # ?query
        \z
    }xi or die "a Redis URL must look like $FORMS\n";

    my $tls = lc $scheme eq 'rediss-cluster';
    die "a Redis URL must look like $FORMS\n" if defined $query && !$tls;

    die "Redis URL: a Redis Cluster has database 0 only\n"
        if defined $db && $db ne '' && $db != 0;

    my @seeds;
    for my $hp (split /,/, $hosts, -1) {
        my ($host, $port) = $hp =~ m{
            \A ( \[ [0-9A-Fa-f:.]+ \] | [^:\[\]]+ ) (?: : ([0-9]+) )? \z
        }x or die "Redis URL: '$hp' is not a cluster node's host[:port]\n";
        $host =~ s/\A\[(.*)\]\z/$1/;
        $port = 6379 unless defined $port;
        die "Redis URL: port out of range\n"
            unless $port >= 1 && $port <= 65535;
        push @seeds, [$host, 0 + $port];
    }

    my %c = (seeds => \@seeds, user => unescape($user),
             password => unescape($password), db => $db);

    parse_tls_query($query, \%c) if $tls;

    return \%c;
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
    return 'the Redis Cluster of ' . join(',', map {
               address({ host => $_->[0], port => $_->[1] })
           } @{ $c->{seeds} })
        if !defined $c->{host} && defined $c->{seeds};
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

    return Lago::Redis::Cluster->new($c, %opt)
        if $c->{scheme} =~ /\Arediss?-cluster\z/;

    return $class->connect_parsed($c, %opt);
}


# connect() for a URL parsed already
sub connect_parsed {
    my ($class, $c, %opt) = @_;

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


# a Lago::Redis::Cluster says yes
sub is_cluster { 0 }


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


package Lago::Redis::Cluster;

# A Redis Cluster, seen as one Redis (Lago::Redis->connect with a
# redis-cluster:// URL makes one):
#
#   my $cluster = Lago::Redis->connect('redis-cluster://127.0.0.1:7000,'
#                                      . '127.0.0.1:7001');
#   $cluster->command('HGET', "lago:{$org}:organization", 'name');
#   $cluster->transaction(['HSET', "lago:{$org}:organization", ...],
#                         ['SADD', "lago:{$org}:api_keys", $sha]);
#   my $replies = $cluster->on_all_masters('DBSIZE');    # address => reply
#
# The slot map comes from CLUSTER SLOTS, asked of the seeds (then of the
# nodes known already) until one answers.  A command goes to the master
# that serves the slot of its key: the first key argument (the first of
# KEYS for EVAL and EVALSHA), by the CRC16 of its hash tag or whole key.
# Each node gets a connection of its own when first needed.  A node's
# answers:
#   MOVED <slot> <address>  the slot is that node's now: the map is
#                           updated and the command sent there
#   ASK <slot> <address>    the slot is being migrated and the key is
#                           there already: ASKING and the command go to
#                           that node, once; the map stays as it is
#   TRYAGAIN                the keys of a multi-key command are split by
#                           a migration: sent again after 50 ms, 20 times
#                           at most
# A master that cannot be connected to, or whose connection breaks, is
# looked for again in a fresh slot map (its replica may have taken over),
# for about the time a failover takes, and the command sent again: a
# command may then run twice, when a node died between running it and
# answering (those of lago-admin may: they set, add and delete).  A
# command that timed out is never sent again.
#
# Commands without a key, as this client runs them:
#   KEYS, DBSIZE             on every master: the keys of all, their sum
#   SCAN                     every master in turn; the cursor, "0" at both
#                            ends, says which master and where in it
#   FLUSHALL, FLUSHDB,       on every master; the first master's reply
#   SCRIPT, FUNCTION
#   DEL, UNLINK, EXISTS,     keys of several slots: split by slot, the
#   TOUCH                    counts added up
#   MULTI, EXEC, DISCARD     refused: transaction() runs a whole one
#   AUTH, SELECT             refused: the URL sets them for every node
#   the others (PING, INFO,  one master: the one serving slot 0
#   CLIENT, CONFIG...)
# on_all_masters() runs any command on every master.
#
# A transaction's keys must all be in one slot (a {hash tag} does it):
# Redis runs MULTI/EXEC on one node only.  WATCH goes to the node of its
# keys, and a transaction after it must be on that node.

use strict;
use warnings;

use Time::HiRes ();

my $SLOTS            = 16384;
my $MAX_REDIRECTS    = 16;
my $TRYAGAIN_TRIES   = 20;
my $TRYAGAIN_WAIT    = 0.05;
# a master lost: how often, and how long apart, the slot map is asked
# for again (cluster-node-timeout and an election: a few seconds)
my $FAILOVER_TRIES   = 20;
my $FAILOVER_WAIT    = 0.5;

# CRC16/XMODEM (polynomial 0x1021, initial 0), a byte at a time
my @CRC16 = map {
    my $crc = $_ << 8;
    for (1 .. 8) {
        $crc = $crc & 0x8000 ? (($crc << 1) ^ 0x1021) & 0xffff
                             : ($crc << 1) & 0xffff;
    }
    $crc;
} 0 .. 255;

sub crc16 {
    my ($bytes) = @_;

    my $crc = 0;
    $crc = (($crc << 8) & 0xffff) ^ $CRC16[(($crc >> 8) ^ $_) & 0xff]
        for unpack 'C*', $bytes;

    return $crc;
}

# The slot of a key: of its hash tag, the bytes between the first '{' and
# the next '}' when there are any, or else of the whole key
sub key_slot {
    my ($key) = @_;

    my $bytes = defined $key ? "$key" : '';
    utf8::encode($bytes) if utf8::is_utf8($bytes);

    my $open = index $bytes, '{';
    if ($open >= 0) {
        my $close = index $bytes, '}', $open + 1;
        $bytes = substr $bytes, $open + 1, $close - $open - 1
            if $close > $open + 1;
    }

    return crc16($bytes) % $SLOTS;
}

my %ALL_MASTERS = map { $_ => 1 } qw(KEYS DBSIZE FLUSHALL FLUSHDB SCRIPT
                                     FUNCTION);
my %SPLIT_BY_SLOT = map { $_ => 1 } qw(DEL UNLINK EXISTS TOUCH);
my %KEYLESS = map { $_ => 1 } qw(
    ACL BGREWRITEAOF BGSAVE CLIENT CLUSTER COMMAND CONFIG DEBUG ECHO
    FAILOVER HELLO INFO LASTSAVE LATENCY LOLWUT MODULE MONITOR
    PING PUBLISH PUBSUB RANDOMKEY READONLY READWRITE ROLE SAVE SHUTDOWN
    SLOWLOG TIME WAIT UNWATCH);
my %REFUSED = (
    MULTI   => 'use transaction()',
    EXEC    => 'use transaction()',
    DISCARD => 'use transaction()',
    AUTH    => 'the URL gives the user and password of every node',
    SELECT  => 'a Redis Cluster has database 0 only',
    SWAPDB  => 'a Redis Cluster has database 0 only',
);


sub new {
    my ($class, $c, %opt) = @_;

    my $self = bless {
        c       => $c,
        opt     => \%opt,
        address => Lago::Redis::address($c),
        nodes   => {},          # "host:port" => Lago::Redis
        slots   => [],          # slot => "host:port" of its master
        masters => [],          # "host:port" of every master, sorted
    }, $class;

    $self->refresh_slots;

    return $self;
}


sub is_cluster { 1 }


# the masters of the slot map, as "host:port", sorted
sub masters {
    my ($self) = @_;
    return @{ $self->{masters} };
}


# the master serving a slot, as "host:port"
sub slot_master {
    my ($self, $slot) = @_;
    return $self->{slots}[$slot];
}


sub split_address {
    my ($addr) = @_;

    my ($host, $port) = $addr =~ /\A(.*):([0-9]+)\z/
        or die "Redis Cluster: '$addr' is not a node's address\n";
    $host =~ s/\A\[(.*)\]\z/$1/;

    return ($host, 0 + $port);
}


# The connection to a node ("host:port"), opened when first needed
sub node {
    my ($self, $addr) = @_;

    return $self->{nodes}{$addr} if $self->{nodes}{$addr};

    my ($host, $port) = split_address($addr);
    my %c = (scheme => 'redis', host => $host, port => $port, db => 0,
             user => $self->{c}{user}, password => $self->{c}{password});

    # rediss-cluster://: each node as rediss:// with the URL's parameters
    if ($self->{c}{scheme} eq 'rediss-cluster') {
        $c{scheme} = 'rediss';
        $c{$_} = $self->{c}{$_}
            for qw(ssl_verify ssl_ca_certs ssl_certfile ssl_keyfile);
    }

    return $self->{nodes}{$addr} =
        Lago::Redis->connect_parsed(\%c, %{ $self->{opt} });
}


sub drop_node {
    my ($self, $addr) = @_;

    my $node = delete $self->{nodes}{$addr};
    $node->close if $node;
}


# The slot map again, from CLUSTER SLOTS of the first node that answers:
# the seeds first, then the other nodes known; dies when none does
sub refresh_slots {
    my ($self) = @_;

    my @candidates = map { Lago::Redis::address({ host => $_->[0],
                                                  port => $_->[1] }) }
                     @{ $self->{c}{seeds} };
    my %seen = map { $_ => 1 } @candidates;
    push @candidates, grep { !$seen{$_}++ }
                      @{ $self->{masters} }, sort keys %{ $self->{nodes} };

    my @why;

    for my $addr (@candidates) {
        my $reply = eval { $self->node($addr)->command('CLUSTER', 'SLOTS') };
        if (!defined $reply) {
            my $err = $@ || 'no answer';
            $err =~ s/\s+\z//;
            $err =~ s/\A(?:Redis error: )?//;
            push @why, "$addr: $err";
            $self->drop_node($addr) if $@ && $@ !~ /\ARedis error: /;
            next;
        }

        if (ref $reply ne 'ARRAY' || !@$reply) {
            push @why, "$addr: serves no slots";
            next;
        }

        my ($asked_host) = split_address($addr);
        my (@slots, %masters);
        for my $range (@$reply) {
            my ($from, $to, $master) = @$range;
            next unless ref $master eq 'ARRAY';
            my ($host, $port) = @$master;
            # a node that does not know its own address says "" or "?"
            $host = $asked_host if !defined $host || $host eq ''
                                   || $host eq '?';
            my $master_addr = ($host =~ /:/ ? "[$host]" : $host) . ":$port";
            $masters{$master_addr} = 1;
            $slots[$_] = $master_addr for $from .. $to;
        }

        $self->{slots} = \@slots;
        $self->{masters} = [ sort keys %masters ];
        return;
    }

    die "no node of $self->{address} gave the slot map: "
        . join('; ', @why) . "\n";
}


# The key that places a command, or undef for a command without one
sub command_key {
    my ($name, @args) = @_;

    if ($name =~ /\A(?:EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL|FCALL_RO)\z/) {
        return defined $args[1] && $args[1] =~ /\A[0-9]+\z/ && $args[1] > 0
               ? $args[2] : undef;
    }
    if ($name eq 'OBJECT' || $name eq 'XINFO') {
        return $args[1];
    }
    if ($name eq 'MEMORY') {
        return defined $args[0] && uc $args[0] eq 'USAGE' ? $args[1] : undef;
    }

    return $args[0];
}


# One command on the master of a slot, following MOVED, ASK and TRYAGAIN;
# $run, when given, runs it on the node instead (a transaction): it gets
# the node, whether ASKING must come first and the node's address
sub on_slot {
    my ($self, $slot, $cmd, $run) = @_;

    my ($redirects, $tryagain, $failover, $asking) = (0, 0, 0, 0);
    my $addr = $self->{slots}[$slot];

    for (;;) {
        if (!defined $addr) {
            die "Redis Cluster: no master serves slot $slot\n"
                if $failover++ >= $FAILOVER_TRIES;
            Time::HiRes::sleep($FAILOVER_WAIT);
            $self->refresh_slots;
            $addr = $self->{slots}[$slot];
            next;
        }

        # not reached: nothing was sent, so the slot's master may be
        # looked for again
        my $node = eval { $self->node($addr) };
        if (!$node) {
            my $err = $@;
            die $err if $asking || $failover++ >= $FAILOVER_TRIES;
            Time::HiRes::sleep($FAILOVER_WAIT);
            eval { $self->refresh_slots };
            $addr = $self->{slots}[$slot];
            next;
        }

        my $reply = eval {
            if ($run) {
                $run->($node, $asking, $addr);
            } else {
                $node->send_command('ASKING') if $asking;
                $node->send_command(@$cmd);
                if ($asking) {
                    my $ok = $node->read_reply;
                    die "Redis error: $ok->{message}\n"
                        if ref $ok eq 'Lago::Redis::Error';
                }
                $node->read_reply;
            }
        };
        if (my $err = $@) {
            # an error reply leaves the connection usable; a failure of
            # the connection does not
            $self->drop_node($addr) unless $err =~ /\ARedis error: /;

            # the node went away (not a timeout: a slow node may still
            # run the command): a new connection, perhaps to its replica
            if ($err =~ /closed the connection|cannot (?:write to|read from)/
                && !$asking && $failover++ < $FAILOVER_TRIES)
            {
                Time::HiRes::sleep($FAILOVER_WAIT) if $failover > 1;
                eval { $self->refresh_slots };
                $addr = $self->{slots}[$slot];
                next;
            }

            $reply = bless { message => $1 }, 'Lago::Redis::Error'
                if $err =~ /\ARedis error: ((?:MOVED|ASK|TRYAGAIN)\b.*)\n/;
            die $err unless ref $reply eq 'Lago::Redis::Error';
        }

        return $reply unless ref $reply eq 'Lago::Redis::Error';

        my $message = $reply->{message};

        if ($message =~ /\A(MOVED|ASK) ([0-9]+) (\S+)\z/) {
            die "Redis Cluster: more than $MAX_REDIRECTS redirections for"
                . " slot $slot\n"
                if ++$redirects > $MAX_REDIRECTS;
            $addr = $3;
            $asking = $1 eq 'ASK';
            $self->{slots}[$2] = $3 unless $asking;
            $self->add_master($3) unless $asking;
            next;
        }

        if ($message =~ /\ATRYAGAIN\b/ && ++$tryagain < $TRYAGAIN_TRIES) {
            Time::HiRes::sleep($TRYAGAIN_WAIT);
            next;
        }

        return $reply;
    }
}


sub add_master {
    my ($self, $addr) = @_;
    $self->{masters} = [ sort { $a cmp $b } grep { $_ ne $addr }
                         @{ $self->{masters} }, $addr ]
        unless grep { $_ eq $addr } @{ $self->{masters} };
}


# The command on every master; { "host:port" => reply }.  An error reply
# of any dies.
sub on_all_masters {
    my ($self, @cmd) = @_;

    my %replies;
    for my $addr ($self->masters) {
        $replies{$addr} = $self->node($addr)->command(@cmd);
    }

    return \%replies;
}


# the reply of a command sent to a slot's master; dies on an error reply
sub slot_command {
    my ($self, $slot, @cmd) = @_;

    my $reply = $self->on_slot($slot, \@cmd);
    die "Redis error: $reply->{message}\n"
        if ref $reply eq 'Lago::Redis::Error';

    return $reply;
}


sub command {
    my ($self, @cmd) = @_;

    die "Redis: no command\n" unless @cmd;
    my $name = uc $cmd[0];

    die "Redis Cluster: $name is not for a cluster: $REFUSED{$name}\n"
        if $REFUSED{$name};

    if ($ALL_MASTERS{$name}) {
        my $replies = $self->on_all_masters(@cmd);
        my @masters = $self->masters;
        return [ map { @{ $replies->{$_} } } @masters ] if $name eq 'KEYS';
        if ($name eq 'DBSIZE') {
            my $sum = 0;
            $sum += $_ for values %$replies;
            return $sum;
        }
        return $replies->{ $masters[0] };
    }

    return $self->scan(@cmd) if $name eq 'SCAN';

    if ($name eq 'UNWATCH') {
        my $addr = delete $self->{watching};
        return defined $addr && $self->{nodes}{$addr}
               ? $self->{nodes}{$addr}->command(@cmd) : 'OK';
    }

    if ($name eq 'WATCH') {
        my %slots = map { key_slot($_) => 1 } @cmd[1 .. $#cmd];
        die "Redis Cluster: WATCH of keys of several slots\n"
            if keys %slots > 1;
        my ($slot) = keys %slots;
        my $reply = $self->slot_command($slot, @cmd);
        $self->{watching} = $self->{slots}[$slot];
        return $reply;
    }

    if ($SPLIT_BY_SLOT{$name} && @cmd > 2) {
        my %by_slot;
        push @{ $by_slot{ key_slot($_) } }, $_ for @cmd[1 .. $#cmd];
        my $sum = 0;
        $sum += $self->slot_command($_, $cmd[0], @{ $by_slot{$_} })
            for sort { $a <=> $b } keys %by_slot;
        return $sum;
    }

    my $key = $KEYLESS{$name} ? undef : command_key($name, @cmd[1 .. $#cmd]);

    return $self->slot_command(defined $key ? key_slot($key) : 0, @cmd);
}


# SCAN over every master in turn: the cursor is "<master>:<its cursor>"
# between calls, "0" at the start and at the end.  Masters that change in
# the middle of a scan may have their keys seen twice or not at all.
sub scan {
    my ($self, $name, $cursor, @rest) = @_;

    my ($index, $node_cursor) = (0, 0);
    if (!defined $cursor || $cursor ne '0') {
        ($index, $node_cursor) = (defined $cursor ? $cursor : '')
                                 =~ /\A([0-9]+):([0-9]+)\z/
            or die "Redis Cluster: invalid SCAN cursor\n";
    }

    my @masters = $self->masters;
    return ['0', []] if $index > $#masters;

    my $reply = $self->node($masters[$index])
                     ->command($name, $node_cursor, @rest);
    my ($next, $keys) = @$reply;

    if ($next eq '0') {
        $index++;
        $next = $index > $#masters ? '0' : "$index:0";
    } else {
        $next = "$index:$next";
    }

    return [$next, $keys];
}


# The commands in one MULTI/EXEC on the master of their slot: EXEC's
# replies, or undef when a WATCHed key changed.  All keys must be in one
# slot.  A MOVED, ASK or TRYAGAIN while queueing discards the transaction,
# which is then sent again where the cluster says (not after a WATCH: that
# was on the node which refused).
sub transaction {
    my ($self, @commands) = @_;

    my %slots;
    for my $cmd (@commands) {
        my ($name, @args) = @$cmd;
        my @keys = $SPLIT_BY_SLOT{uc $name} ? @args
                 : grep { defined } command_key(uc $name, @args);
        $slots{ key_slot($_) } = 1 for @keys;
    }
    die "Redis Cluster: a transaction's keys must be in one slot"
        . " (give them one {hash tag})\n"
        if keys %slots > 1;

    my ($slot) = keys %slots;
    $slot = 0 unless defined $slot;

    my $watching = delete $self->{watching};
    die "Redis Cluster: WATCH was on another node than the transaction's"
        . " slot\n"
        if defined $watching && $watching ne ($self->{slots}[$slot] // '');

    my $replies = $self->on_slot($slot, undef, sub {
        my ($node, $asking, $addr) = @_;
        die "Redis Cluster: the slot moved after WATCH; try again\n"
            if defined $watching && ($asking || $addr ne $watching);
        $node->command('ASKING') if $asking;
        my $r = $node->transaction(@commands);
        return defined $r ? $r : \undef;
    });

    die "Redis error: $replies->{message}\n"
        if ref $replies eq 'Lago::Redis::Error';

    return ref $replies eq 'SCALAR' ? undef : $replies;
}


sub close {
    my ($self) = @_;
    $self->drop_node($_) for keys %{ $self->{nodes} };
}


package Lago::Redis::Error;

sub message { $_[0]{message} }


1;
