# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# GET /api/v1/webhook_endpoints: pagination and meta (spec section 6),
# byte order of webhook_url, and one organization's records only.

use strict;
use warnings;

use lib 't';
use Test::Nginx::Socket;
use Lago;
use LagoSeed;

repeat_each(1);

plan tests => repeat_each() * LagoSeed::count_tests();

run_tests();

__DATA__

=== TEST 1: an organization without endpoints: page 0 of 0
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: no records at all is page 0 of 0 whatever page is asked for
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- request eval
['GET /api/v1/webhook_endpoints?page=3&per_page=2',
 'GET /api/v1/webhook_endpoints?page=0&per_page=0']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
[('{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}') x 2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: per_page defaults to 100; per_page 0, "x", "-1", "" and "-5" are 25
--- config
    lago_webhook_max_endpoints 101;

    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', map { (sprintf('E%03d', $_),
                              sprintf('http://e%03d', $_)) } reverse 0 .. 100);
--- request eval
['GET /api/v1/webhook_endpoints',
 'GET /api/v1/webhook_endpoints?page=2',
 'GET /api/v1/webhook_endpoints?per_page=0',
 'GET /api/v1/webhook_endpoints?per_page=x',
 'GET /api/v1/webhook_endpoints?per_page=-1',
 'GET /api/v1/webhook_endpoints?per_page=',
 'GET /api/v1/webhook_endpoints?per_page=0&page=2',
 'GET /api/v1/webhook_endpoints?page=5&per_page=-5',
 'GET /api/v1/webhook_endpoints?page=6&per_page=x']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[(200) x 9]
--- response_body eval
my $recs = sub { CORE::join ',', map { sprintf '@E%03d_REC@', $_ } @_ };
['{"webhook_endpoints":[' . $recs->(0 .. 99) . '],"meta":{"current_page":1,"next_page":2,"prev_page":null,"total_pages":2,"total_count":101}}',
 '{"webhook_endpoints":[' . $recs->(100) . '],"meta":{"current_page":2,"next_page":null,"prev_page":1,"total_pages":2,"total_count":101}}',
 ('{"webhook_endpoints":[' . $recs->(0 .. 24) . '],"meta":{"current_page":1,"next_page":2,"prev_page":null,"total_pages":5,"total_count":101}}') x 4,
 '{"webhook_endpoints":[' . $recs->(25 .. 49) . '],"meta":{"current_page":2,"next_page":3,"prev_page":1,"total_pages":5,"total_count":101}}',
 '{"webhook_endpoints":[' . $recs->(100) . '],"meta":{"current_page":5,"next_page":null,"prev_page":4,"total_pages":5,"total_count":101}}',
 '{"webhook_endpoints":[],"meta":{"current_page":6,"next_page":null,"prev_page":5,"total_pages":5,"total_count":101}}']
--- timeout: 10
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: page: a leading number is read; empty, not a number or below 1 is 1
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', C => 'http://c', A => 'http://a', B => 'http://b');
--- request eval
['GET /api/v1/webhook_endpoints?page=2&per_page=1',
 'GET /api/v1/webhook_endpoints?page=2abc&per_page=1',
 'GET /api/v1/webhook_endpoints?per_page=1&page=02',
 'GET /api/v1/webhook_endpoints?page=2.9&per_page=1',
 'GET /api/v1/webhook_endpoints?page=&per_page=1',
 'GET /api/v1/webhook_endpoints?page=abc&per_page=1',
 'GET /api/v1/webhook_endpoints?page=-1&per_page=1',
 'GET /api/v1/webhook_endpoints?page=0&per_page=1',
 'GET /api/v1/webhook_endpoints?per_page=1']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[(200) x 9]
--- response_body eval
[('{"webhook_endpoints":[@B_REC@],"meta":{"current_page":2,"next_page":3,"prev_page":1,"total_pages":3,"total_count":3}}') x 4,
 ('{"webhook_endpoints":[@A_REC@],"meta":{"current_page":1,"next_page":2,"prev_page":null,"total_pages":3,"total_count":3}}') x 5]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: the last page, and pages past the end: [] with the page asked for
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', B => 'http://b', C => 'http://c', A => 'http://a');
--- request eval
['GET /api/v1/webhook_endpoints?page=3&per_page=1',
 'GET /api/v1/webhook_endpoints?page=4&per_page=1',
 'GET /api/v1/webhook_endpoints?page=100&per_page=1',
 'GET /api/v1/webhook_endpoints?page=2']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[(200) x 4]
--- response_body eval
['{"webhook_endpoints":[@C_REC@],"meta":{"current_page":3,"next_page":null,"prev_page":2,"total_pages":3,"total_count":3}}',
 '{"webhook_endpoints":[],"meta":{"current_page":4,"next_page":null,"prev_page":3,"total_pages":3,"total_count":3}}',
 '{"webhook_endpoints":[],"meta":{"current_page":100,"next_page":null,"prev_page":99,"total_pages":3,"total_count":3}}',
 '{"webhook_endpoints":[],"meta":{"current_page":2,"next_page":null,"prev_page":1,"total_pages":1,"total_count":3}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: total_pages is ceil(total_count / per_page); per_page "2abc" is 2
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a', B => 'http://b', C => 'http://c');
--- request eval
['GET /api/v1/webhook_endpoints?per_page=2',
 'GET /api/v1/webhook_endpoints?per_page=2abc',
 'GET /api/v1/webhook_endpoints?per_page=2&page=2',
 'GET /api/v1/webhook_endpoints?per_page=3',
 'GET /api/v1/webhook_endpoints?per_page=1000',
 'GET /api/v1/webhook_endpoints']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[(200) x 6]
--- response_body eval
[('{"webhook_endpoints":[@A_REC@,@B_REC@],"meta":{"current_page":1,"next_page":2,"prev_page":null,"total_pages":2,"total_count":3}}') x 2,
 '{"webhook_endpoints":[@C_REC@],"meta":{"current_page":2,"next_page":null,"prev_page":1,"total_pages":2,"total_count":3}}',
 ('{"webhook_endpoints":[@A_REC@,@B_REC@,@C_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":3}}') x 3]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: percent-encoded page and per_page values are decoded
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a', B => 'http://b', C => 'http://c');
--- request
GET /api/v1/webhook_endpoints?page=%32&per_page=%31
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[@B_REC@],"meta":{"current_page":2,"next_page":3,"prev_page":1,"total_pages":3,"total_count":3}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: ordered by webhook_url in byte order, not by creation or case-folded
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY',
           S  => {webhook_url => 'https://a', name => 'secure',
                  event_types => ['invoice.created']},
           AP => 'http://a/b',
           UB => {webhook_url => 'http://B', signature_algo => 'hmac'},
           LA => 'http://a',
           UA => 'http://A',
           AH => {webhook_url => 'http://a-', name => 'dash',
                  event_types => []},
           UZ => 'http://Z');
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[@UA_REC@,@UB_REC@,@UZ_REC@,@LA_REC@,@AH_REC@,@AP_REC@,@S_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":7}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: pages follow the byte order too
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', LA => 'http://a', UB => 'http://B', S => 'https://a',
                        UA => 'http://A');
--- request eval
['GET /api/v1/webhook_endpoints?per_page=2',
 'GET /api/v1/webhook_endpoints?per_page=2&page=2']
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code eval
[200, 200]
--- response_body eval
['{"webhook_endpoints":[@UA_REC@,@UB_REC@],"meta":{"current_page":1,"next_page":2,"prev_page":null,"total_pages":2,"total_count":4}}',
 '{"webhook_endpoints":[@LA_REC@,@S_REC@],"meta":{"current_page":2,"next_page":null,"prev_page":1,"total_pages":2,"total_count":4}}']
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: only the caller's organization is listed
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::seed('$LAGO_KEY', A => 'http://a', C => 'http://c');
main::seed('$LAGO_KEY2', B => 'http://b');
--- request eval
['GET /api/v1/webhook_endpoints',
 'GET /api/v1/webhook_endpoints']
--- more_headers eval
['Authorization: Bearer $LAGO_KEY', 'Authorization: Bearer $LAGO_KEY2']
--- error_code eval
[200, 200]
--- response_body eval
['{"webhook_endpoints":[@A_REC@,@C_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":2}}',
 '{"webhook_endpoints":[@B_REC@],"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}}']
--- no_error_log
[error]
[alert]
[crit]
