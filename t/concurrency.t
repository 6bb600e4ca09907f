# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Concurrent creates, over two workers: the check of uniqueness and of the maximum and the
# write are one atomic step in Redis, so racing clients cannot slip past
# either.  The clients' view (count of 200s) is checked in --- init, and
# the store's (the list) by the block's own request.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Lago;

repeat_each(1);
# two workers, two Redis connections: the races are real
master_on();
workers(2);
no_shuffle();
# 50 concurrent creates of one URL: exactly one 200, 49 value_already_exist
sub same_url_race {
    my $body = '{"webhook_endpoint":{"webhook_url":"https://same.example"}}';
    my @res = Lago::concurrent(map {
        Lago::http_request('POST', '/api/v1/webhook_endpoints', $Lago::Key,
                           $body)
    } 1 .. 50);
    Test::More::is(scalar(grep { $_->[0] == 200 } @res), 1,
                   'exactly one create succeeded');
    Test::More::is(scalar(grep { $_->[0] == 422
                     && $_->[1] =~ /"webhook_url":\["value_already_exist"\]/ }
                   @res), 49, 'the 49 others are value_already_exist');
}

run_tests();

__DATA__

=== TEST 1: 50 concurrent creates of one URL: exactly one 200
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::same_url_race();
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://same\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1\}\}$
--- no_error_log
[alert]
[crit]
[error]



=== TEST 2: 50 concurrent creates of distinct URLs into an empty organization: exactly 10
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
my @res = Lago::concurrent(map {
    Lago::http_request('POST', '/api/v1/webhook_endpoints', $Lago::Key,
        qq({"webhook_endpoint":{"webhook_url":"https://h$_.example"}}))
} 1 .. 50);
Test::More::is(scalar(grep { $_->[0] == 200 } @res), 10, 'exactly ten creates succeeded');
Test::More::is(scalar(grep { $_->[0] == 422
                 && $_->[1] eq '{"status":422,"error":"Unprocessable Entity",'
                    . '"code":"validation_errors","error_details":{"base":'
                    . '["Maximum number of webhook endpoints was reached"]}}' }
          @res), 40, 'the 40 others are told the maximum was reached');
--- request
GET /api/v1/webhook_endpoints?per_page=100
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[(\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://h\d+\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$LAGO_TIME"\},?){10}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":10\}\}$
--- no_error_log
[alert]
[crit]
[error]
