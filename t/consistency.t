# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Racing updates and deletes, and a random mix of writes: the store's
# keys of an organization stay consistent (Lago::check_org walks them),
# and the clients' answers agree with what is stored; records damaged in
# the store are refused with a JSON 500.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Lago;

repeat_each(1);
no_shuffle();
master_on();
workers(2);

# one request at a time, returning [status, body]
sub call {
    my ($method, $uri, $body) = @_;
    return (Lago::concurrent(Lago::http_request($method, $uri, $Lago::Key,
                                                $body)))[0];
}

sub create {
    my $url = shift;
    my $res = call('POST', '/api/v1/webhook_endpoints',
                   qq({"webhook_endpoint":{"webhook_url":"$url"}}));
    my ($id) = $res->[1] =~ /"lago_id":"([^"]+)"/ or die "create: @$res";
    return $id;
}

sub count {
    my $want = shift;
    return scalar grep { $_->[0] == $want } @_;
}

run_tests();

__DATA__

=== TEST 1: concurrent updates of ten endpoints to one URL: exactly one wins
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
my @ids = map { main::create("https://u$_.example") } 1 .. 10;
my @res = Lago::concurrent(map {
    Lago::http_request('PUT', "/api/v1/webhook_endpoints/$_", $Lago::Key,
        '{"webhook_endpoint":{"webhook_url":"https://target.example"}}')
} @ids);
Test::More::is(main::count(200, @res), 1, 'one update won');
Test::More::is(scalar(grep { $_->[1] =~ /"value_already_exist"/ } @res), 9,
               'nine were told the URL exists');
Test::More::is_deeply([Lago::check_org($Lago::Org)], [], 'store consistent');
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[(\{[^{}]*"webhook_url":"https://(target|u\d+)\.example"[^{}]*\},?){10}\],"meta":\{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":10\}\}$
--- no_error_log
[alert]
[crit]
[error]



=== TEST 2: deletes racing updates: every delete answers, nothing is left behind
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 40;
    }
--- init
my @ids = map { main::create("https://r$_.example") } 1 .. 20;
my @res = Lago::concurrent(map {
    (Lago::http_request('PUT', "/api/v1/webhook_endpoints/$_", $Lago::Key,
         qq({"webhook_endpoint":{"webhook_url":"https://moved-$_.example"}})),
     Lago::http_request('DELETE', "/api/v1/webhook_endpoints/$_", $Lago::Key))
} @ids);
my @updates = @res[grep { $_ % 2 == 0 } 0 .. $#res];
my @deletes = @res[grep { $_ % 2 == 1 } 0 .. $#res];
Test::More::is(main::count(200, @deletes), 20, 'every delete found its record');
Test::More::is(main::count(200, @updates) + main::count(404, @updates), 20,
               'every update either won or found the record gone');
Test::More::is_deeply([Lago::check_org($Lago::Org)], [], 'store consistent');
Test::More::is(Lago::redis('EXISTS',
    "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:webhook_endpoint_urls"), 0,
    'no orphan URL index');
--- request
GET /api/v1/webhook_endpoints
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body chomp
{"webhook_endpoints":[],"meta":{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}}
--- no_error_log
[alert]
[crit]
[error]



=== TEST 3: a random mix of creates, updates and deletes stays consistent
--- config
    location /api/v1/ {
        lago_webhook;
        lago_webhook_max_endpoints 40;
    }
--- init
srand(20261127);
my @ids = map { main::create("https://m$_.example") } 1 .. 20;
for my $round (1 .. 6) {
    my @reqs = map {
        my $op = int rand 3;
        my $url = 'https://m' . int(rand 30) . '.example';
        my $id = $ids[rand @ids];
        $op == 0 ? Lago::http_request('POST', '/api/v1/webhook_endpoints',
                       $Lago::Key,
                       qq({"webhook_endpoint":{"webhook_url":"$url"}}))
        : $op == 1 ? Lago::http_request('PATCH',
                       "/api/v1/webhook_endpoints/$id", $Lago::Key,
                       qq({"webhook_endpoint":{"webhook_url":"$url",)
                       . qq("name":"round $round"}}))
        : Lago::http_request('DELETE', "/api/v1/webhook_endpoints/$id",
                             $Lago::Key);
    } 1 .. 40;
    for my $res (Lago::concurrent(@reqs)) {
        push @ids, $1 if $res->[0] == 200 && $res->[1] =~ /"lago_id":"([^"]+)"/;
        die "unexpected answer: @$res" if $res->[0] !~ /^(200|404|422)$/;
    }
}
Test::More::is_deeply([Lago::check_org($Lago::Org)], [], 'store consistent');
my $stored = Lago::redis('HLEN',
    "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:webhook_endpoints");
Test::More::cmp_ok($stored, '<=', 40, 'never past the maximum');
--- request
GET /api/v1/webhook_endpoints?per_page=1
--- more_headers
Authorization: Bearer $LAGO_KEY
--- response_body_like chomp
^\{"webhook_endpoints":\[\{"lago_id":"$LAGO_UUID","lago_organization_id":"$LAGO_ORG","webhook_url":"https://m\d+\.example",
--- no_error_log
[alert]
[crit]
[error]



=== TEST 4: records damaged in the store are a logged JSON 500, the sound ones still served
--- config
    location /api/v1/ {
        lago_webhook;
    }
--- init
main::create("https://d.example");
my $p = "$ENV{TEST_NGINX_LAGO_PREFIX}\{$Lago::Org\}:";
Lago::redis('ZADD', "${p}webhook_endpoint_order", 0,
            "https://e.example\0only\0three\0fields");
Lago::redis('ZADD', "${p}webhook_endpoint_order", 0, "no separator at all");
Lago::redis('HSET', "${p}webhook_endpoints",
            '00000000-0000-4000-8000-000000000001',
            "00000000-0000-4000-8000-000000000001\0https://f.example\0hmac\0N\0N\0noon");
my $res = main::call('GET', '/api/v1/webhook_endpoints?per_page=1&page=1');
Test::More::is($res->[0], 200, 'the sound record\'s page is served');
Test::More::like($res->[1], qr/^\{"webhook_endpoints":\[\{"lago_id":"$Lago::Uuid","lago_organization_id":"$Lago::Org","webhook_url":"https:\/\/d\.example","signature_algo":"jwt","name":null,"event_types":null,"created_at":"$Lago::Time"\}\],"meta":\{"current_page":1,"next_page":2,"prev_page":null,"total_pages":3,"total_count":3\}\}$/, 'with the sound record');
for my $page (2, 3) {
    $res = main::call('GET', "/api/v1/webhook_endpoints?per_page=1&page=$page");
    Test::More::is_deeply($res, [500, '{"status":500,"error":"Internal Server Error"}'],
                          "page $page, a damaged member: a JSON 500");
}
--- request
GET /api/v1/webhook_endpoints/00000000-0000-4000-8000-000000000001
--- more_headers
Authorization: Bearer $LAGO_KEY
--- error_code: 500
--- response_body chomp
{"status":500,"error":"Internal Server Error"}
--- error_log
lago_webhook: unexpected reply from the store
--- no_error_log
[alert]
[crit]
