# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Redis as deployments have it: a password and an ACL user (AUTH), a
# database number, a unix socket.  This suite runs its own Redis with an
# ACL user and a socket.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use Lago;

our ($Port, $Dir, $Org, $Key);

$Dir = File::Temp::tempdir(CLEANUP => 1);
$Port = Lago::free_port();

system('redis-server', '--port', $Port, '--bind', '127.0.0.1',
       '--unixsocket', "$Dir/redis.sock", '--unixsocketperm', '700',
       '--requirepass', 'default-secret', '--save', '', '--appendonly', 'no',
       '--daemonize', 'yes', '--dir', $Dir, '--logfile', "$Dir/redis.log",
       '--user', 'lago', 'on', '>lago-secret', '~*', '&*', '+@all') == 0
    or die "cannot start redis-server";

sub cli { scalar qx{redis-cli -p $Port --user lago --pass lago-secret --no-auth-warning @_ 2>&1} }

Lago::wait_for_redis($Port, '--user', 'lago', '--pass', 'lago-secret');

END { local $?; cli('shutdown', 'nosave') if $Port }

$ENV{TEST_NGINX_AUTH_REDIS_PORT} = $Port;
$ENV{TEST_NGINX_AUTH_REDIS_SOCKET} = "$Dir/redis.sock";

# the organization lives in database 3
$ENV{LAGO_REDIS_URL} = "redis://lago:lago-secret\@127.0.0.1:$Port/3";
($Org, $Key) = Lago::new_org();

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: an ACL user and its password, database 3
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_AUTH_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_user lago;
    lago_webhook_redis_password lago-secret;
    lago_webhook_redis_db 3;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
POST /api/v1/webhook_endpoints
{"webhook_endpoint":{"webhook_url":"https://auth.example"}}
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/^\{"webhook_endpoint":\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/auth\.example",/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: the record is in database 3, nowhere else
--- init
Test::More::is(main::cli('-n', 3, 'hlen',
    "'$ENV{TEST_NGINX_LAGO_PREFIX}\{$main::Org\}:webhook_endpoints'") + 0, 1,
    'one record in database 3');
Test::More::is(main::cli('-n', 0, 'dbsize') + 0, 0, 'database 0 is empty');
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/"total_count":1\}\}$/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: the default user's password (AUTH with one argument), over the unix socket
--- http_config
    lago_webhook_redis unix:$TEST_NGINX_AUTH_REDIS_SOCKET;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_password default-secret;
    lago_webhook_redis_db 3;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- response_body_like eval
qr/^\{"webhook_endpoints":\[\{"lago_id":"$Lago::Uuid","lago_organization_id":"$main::Org","webhook_url":"https:\/\/auth\.example",.*"total_count":1\}\}$/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a wrong password: a JSON 503 and one clear error line
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_AUTH_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
    lago_webhook_redis_user lago;
    lago_webhook_redis_password wrong;
    lago_webhook_redis_db 3;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 503
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- error_log
refused AUTH, SELECT or PING
--- no_error_log
[alert]
[crit]



=== TEST 5: no password where one is required: 503
--- http_config
    lago_webhook_redis 127.0.0.1:$TEST_NGINX_AUTH_REDIS_PORT;
    lago_webhook_redis_prefix $TEST_NGINX_LAGO_PREFIX;
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers eval
"Authorization: Bearer $main::Key"
--- error_code: 503
--- response_body chomp
{"status":503,"error":"Service Unavailable","code":"store_unavailable"}
--- no_error_log
[alert]
[crit]
