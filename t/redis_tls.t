# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Redis over TLS: each way a TLS connection can fail gives a JSON 503
# within the connect timeout and one error line that says which, and
# never a plaintext fallback; mutual TLS; a Redis restarted under TLS
# is used again without a reload, and a reconnect resumes the TLS session.
#
# This suite runs Redis servers of its own, TLS only, each with one of the
# certificates tools/run-tests makes in TEST_NGINX_REDIS_TLS_DIR.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use Time::HiRes ();
use Lago;

our $Tls = $ENV{TEST_NGINX_REDIS_TLS_DIR}
    or die "TEST_NGINX_REDIS_TLS_DIR is not set (run through tools/run-tests)";

our $Dir = File::Temp::tempdir(CLEANUP => 1);
our %Port;

# a TLS-only redis-server presenting $cert; $clients: ask for a client
# certificate
sub start_redis {
    my ($name, $cert, $clients) = @_;

    $Port{$name} //= Lago::free_port();

    # append-only, so that a restart keeps the organizations
    system('redis-server', '--port', 0, '--tls-port', $Port{$name},
           '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
           '--appendfsync', 'always', '--appenddirname', "$name-aof",
           '--tls-cert-file', "$Tls/$cert.crt",
           '--tls-key-file', "$Tls/$cert.key",
           '--tls-ca-cert-file', "$Tls/ca.crt",
           '--tls-auth-clients', $clients ? 'yes' : 'no',
           '--dir', $Dir, '--daemonize', 'yes',
           '--pidfile', "$Dir/$name.pid",
           '--logfile', "$Dir/$name.log") == 0
        or die "cannot start redis-server $name";

    for (1 .. 50) {
        return if redis_cli($name, 'PING') =~ /PONG/;
        Time::HiRes::sleep(0.1);
    }

    die "redis-server $name did not answer";
}

sub redis_cli {
    my ($name, @args) = @_;

    # the test's own checks need no verification
    return scalar qx{redis-cli --tls --insecure --cacert $Tls/ca.crt --cert $Tls/client.crt --key $Tls/client.key -h 127.0.0.1 -p $Port{$name} @args 2>&1};
}

sub stop_redis {
    my $name = shift;
    redis_cli($name, 'SHUTDOWN', 'NOSAVE');
    Lago::wait_until(sub { redis_cli($name, 'PING') !~ /PONG/ }, 10,
                     "redis-server $name to stop");
}

# an organization in the Redis $name, made by lago-admin over TLS
sub org_in {
    my $name = shift;

    local $ENV{LAGO_REDIS_URL} = "rediss://127.0.0.1:$Port{$name}/0"
        . "?ssl_ca_certs=$Tls/ca.crt&ssl_certfile=$Tls/client.crt"
        . "&ssl_keyfile=$Tls/client.key";

    return Lago::new_org();
}

start_redis('good', 'server');
start_redis('untrusted', 'untrusted-server');
start_redis('other', 'other-name-server');
start_redis('expired', 'expired-server');
start_redis('mutual', 'server', 1);

$ENV{TEST_NGINX_TLS} = $Tls;
$ENV{"TEST_NGINX_TLS_\U$_\E_PORT"} = $Port{$_} for keys %Port;

our ($Org, $Key) = org_in('good');
our ($MOrg, $MKey) = org_in('mutual');

END {
    local $?;
    stop_redis($_) for keys %Port;
}

# TLS on, verification on (the default), no trusted CA: nginx refuses the
# configuration, with a message that says what is missing
{
    my $conf = "$Dir/refused.conf";
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh "error_log stderr; pid $Dir/refused.pid; events {}\n"
        . "http { lago_webhook_redis 127.0.0.1:$Port{good};\n"
        . "       lago_webhook_redis_ssl on;\n"
        . "       server { listen 127.0.0.1:1; location / { lago_webhook; } } }\n";
    close $fh;

    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my $load = $ENV{TEST_NGINX_LOAD_MODULES}
               ? "-g 'load_module $ENV{TEST_NGINX_LOAD_MODULES};'" : '';
    # nginx -t leaves its first pool to exit(): no leak report for it
    local $ENV{ASAN_OPTIONS} = ($ENV{ASAN_OPTIONS} // '') . ':detect_leaks=0';
    my $out = qx{$nginx -t -e stderr -p $Dir -c $conf $load 2>&1};

    Test::More::isnt($?, 0, 'TLS without a trusted CA: nginx -t fails');
    Test::More::like($out, qr/\[emerg\] \d+#\d+: no lago_webhook_redis_ssl_trusted_certificate for lago_webhook_redis_ssl_verify/,
                     'and says which directive is missing');
}

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: a verified TLS connection: the API works
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_GOOD_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
["POST /api/v1/webhook_endpoints\n"
 . '{"webhook_endpoint":{"webhook_url":"https://tls.example"}}',
 "GET /api/v1/webhook_endpoints"]
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code eval
[200, 200]
--- response_body_like eval
[qr/^\{"webhook_endpoint":\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/tls\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$Lago::Time"\}\}$/,
 qr/^\{"webhook_endpoints":\[\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/tls\.example",[^{}]*\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$/]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a certificate from a CA that is not trusted: 503, and a line that says so
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_UNTRUSTED_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer some-key
--- error_code: 503
--- response_body eval
$Lago::Unavailable
--- error_log eval
qr/\[error\] .*lago_webhook: redis "127\.0\.0\.1:\d+" presented a certificate that does not verify: (?:unable to verify the first certificate|unable to get local issuer certificate|self-signed certificate in certificate chain), answering 503/
--- no_error_log
[alert]
[crit]



=== TEST 3: a certificate for another name: 503, and a line that names the name
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_OTHER_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
    lago_webhook_redis_ssl_name localhost;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer some-key
--- error_code: 503
--- response_body eval
$Lago::Unavailable
--- error_log eval
qr/\[error\] .*redis "127\.0\.0\.1:\d+" presented a certificate for another name: localhost, answering 503/
--- no_error_log
[alert]
[crit]



=== TEST 4: the address as the name: checked against the certificate's IP addresses
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_OTHER_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer some-key
--- error_code: 503
--- response_body eval
$Lago::Unavailable
--- error_log eval
qr/presented a certificate for another name: 127\.0\.0\.1, answering 503/
--- no_error_log
[alert]
[crit]



=== TEST 5: an expired certificate: 503, and a line that says so
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_EXPIRED_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer some-key
--- error_code: 503
--- response_body eval
$Lago::Unavailable
--- error_log eval
qr/presented a certificate that does not verify: certificate has expired, answering 503/
--- no_error_log
[alert]
[crit]



=== TEST 6: a server that asks for a client certificate we do not have: 503, and one line with the server's alert
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_MUTUAL_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer some-key
--- error_code: 503
--- response_body eval
$Lago::Unavailable
--- error_log eval
qr/\[error\] .*lago_webhook: redis "127\.0\.0\.1:\d+" (?:TLS handshake failed|closed the connection): SSL_\w+\(\) failed .*certificate required.*, answering 503/
--- no_error_log
[alert]
[crit]



=== TEST 7: mutual TLS: with the client certificate, the API works
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_MUTUAL_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
    lago_webhook_redis_ssl_certificate $TEST_NGINX_TLS/client.crt;
    lago_webhook_redis_ssl_certificate_key $TEST_NGINX_TLS/client.key;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::MKey"
--- error_code: 200
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: lago_webhook_redis_ssl_verify off: an untrusted certificate is accepted
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_UNTRUSTED_PORT;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_verify off;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer not-a-key
--- error_code: 401
--- response_body chomp
{"status":401,"error":"Unauthorized"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: a reconnect resumes the TLS session
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_TLS_GOOD_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_ssl on;
    lago_webhook_redis_ssl_trusted_certificate $TEST_NGINX_TLS/ca.crt;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
# up once, then its connection killed: the worker connects again
my $res = (Lago::concurrent(Lago::http_request('GET',
    '/api/v1/webhook_endpoints', $main::Key)))[0];
Test::More::is($res->[0], 200, 'served before the connection is killed');
main::redis_cli('good', 'CLIENT', 'KILL', 'TYPE', 'normal');
Lago::wait_until(sub {
    Lago::error_log_count('TLS up, session reused: 1') >= 1
}, 10, 'the worker to connect again');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 200
--- error_log
TLS up, session reused: 1
--- no_error_log
[alert]
[crit]



=== TEST 10: Redis stopped under TLS load: every request answered, 200 or a JSON 503, then 503 while it is down
--- init
# requests in flight while Redis goes: each gets its answer
my @res = Lago::concurrent(map {
    Lago::http_request('GET', '/api/v1/webhook_endpoints', $main::Key)
} 1 .. 40);
main::stop_redis('good');
push @res, Lago::concurrent(map {
    Lago::http_request('GET', '/api/v1/webhook_endpoints', $main::Key)
} 1 .. 40);
Test::More::is(scalar(grep { $_->[0] != 200
                             && !($_->[0] == 503
                                  && $_->[1] eq $Lago::Unavailable) } @res),
               0, 'under load, every answer is a 200 or the JSON 503');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 503
--- response_body eval
$Lago::Unavailable
--- error_log
answering 503 until it is back
--- no_error_log
[alert]
[crit]



=== TEST 11: Redis back under TLS load: served again by the same nginx, without a reload
--- init
main::start_redis('good', 'server');
my $deadline = Time::HiRes::time() + 5;
my $ok = 0;
while (!$ok && Time::HiRes::time() < $deadline) {
    $ok = grep { $_->[0] == 200 } Lago::concurrent(map {
        Lago::http_request('GET', '/api/v1/webhook_endpoints', $main::Key)
    } 1 .. 20);
    Time::HiRes::sleep(0.1) unless $ok;
}
Test::More::ok($ok, 'the load gets 200s again within seconds');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 200
--- response_body_like eval
qr/^\{"webhook_endpoints":\[\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/tls\.example",.*"total_count":1\}\}$/
--- error_log
is reachable again
--- no_error_log
[alert]
[crit]
