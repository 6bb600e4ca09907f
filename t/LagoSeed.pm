# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause

package LagoSeed;

# Records and keys for a block, made from its "--- init" section (works
# with the bundled runner and with upstream Test::Nginx alike).
#
# Ids are random, so records that a block needs are made through the API
# from its "--- init" section, which both runners (t/lib and upstream)
# run once nginx is up and before they build the block's requests; the
# helpers then rewrite the block's sections:
#
#   main::seed('$LAGO_KEY', A => 'http://a', B => {webhook_url => ...})
#
# creates them in order with that key; then, in the block's request and
# expectation sections, @A@ is A's lago_id (@A_UC@ upper case, @A_HEX@
# without hyphens), @A_AT@ its created_at and @A_REC@ the record as the
# API must show it, built from what was sent.  main::key('$LAGO_ORG',
# RO => 'webhook_endpoint:read', RW => [...], LATER => {expires_at =>
# '2099-12-31'}, OLD => {expired => 1}, GONE => {revoked => 1}) makes more
# keys of that organization for @RO@ etc.
# lit() turns a literal body into an anchored pattern for
# "--- response_body_like eval" lists, leaving $LAGO_* and @X@ alone.
#
# seed, key and lit are exported, so sections call them as main::seed
# etc.; a suite's plan is repeat_each() * LagoSeed::count_tests().

use strict;
use warnings;

use Exporter qw(import);
use Test::Nginx::Socket ();
use Lago ();
use IO::Socket::INET ();
use JSON::PP ();

our @EXPORT = qw(seed key lit);
our @EXPORT_OK = qw(api replace_in_block json_str count_tests);

# the block being run, for its "--- init" to rewrite
our $Block;

Test::Nginx::Socket::add_block_preprocessor(sub { $Block = shift });


# one request on its own connection; dies unless the answer is a 200
sub api {
    my ($key, $method, $uri, $body) = @_;

    $body //= '';

    my $sock = IO::Socket::INET->new(
                   PeerAddr => Test::Nginx::Socket::server_addr(),
                   PeerPort => Test::Nginx::Socket::server_port_for_client(),
                   Timeout => 3)
        or die "cannot connect to nginx: $!\n";

    print $sock "$method $uri HTTP/1.1\r\nHost: localhost\r\n",
                "Connection: close\r\nAuthorization: Bearer $key\r\n",
                "Content-Type: application/json\r\n",
                "Content-Length: ", length($body), "\r\n\r\n", $body;

    my $resp = do { local $/; <$sock> } // '';
    my ($status) = $resp =~ m{^HTTP/1\.1 (\d+)};
    my ($content) = $resp =~ /\r\n\r\n(.*)\z/s;

    die "$method $uri: unexpected response: $resp\n"
        unless ($status // 0) == 200;

    return $content;
}


# @NAME@ -> value in the block's request and expectation sections
sub replace_in_block {
    my %subst = @_;

    my $names = join '|', map { quotemeta } sort { length $b <=> length $a }
                keys %subst;
    my $re = qr/\@($names)\@/;

    for my $section (qw(request pipelined_requests more_headers
                        response_body response_body_like))
    {
        my $value = $Block->$section;
        next unless defined $value;

        # in patterns the values stand for themselves
        my $quote = $section eq 'response_body_like';

        my @list = map {
            my $v = $_;
            $v =~ s/$re/$quote ? quotemeta $subst{$1} : $subst{$1}/ge;
            $v;
        } ref $value ? @$value : ($value);

        $Block->set_value($section => ref $value ? \@list : $list[0]);
    }
}


sub json_str { defined $_[0] ? JSON::PP->new->encode([$_[0]]) =~ s/^\[|\]$//gr
                             : 'null' }


sub seed {
    my ($key, @pairs) = @_;
    my %subst;

    while (my ($name, $spec) = splice @pairs, 0, 2) {
        my %f = ref $spec ? %$spec : (webhook_url => $spec);

        my $out = api($key, 'POST', '/api/v1/webhook_endpoints',
                      JSON::PP->new->encode({webhook_endpoint => \%f}));

        my ($id, $org, $at) = $out =~ /^\{"webhook_endpoint":\{"lago_id":"
            ($Lago::Uuid)","lago_organization_id":"($Lago::Uuid)",.*
            "created_at":"($Lago::Time)"\}\}\z/x
            or die "seed $name: unexpected record $out\n";

        my $types = $f{event_types};

        $subst{$name} = $id;
        $subst{"${name}_UC"} = uc $id;
        $subst{"${name}_HEX"} = $id =~ s/-//gr;
        $subst{"${name}_AT"} = $at;
        $subst{"${name}_REC"} = sprintf '{"lago_id":"%s",'
            . '"lago_organization_id":"%s","webhook_url":%s,'
            . '"signature_algo":"%s","name":%s,"event_types":%s,'
            . '"created_at":"%s"}', $id, $org, json_str($f{webhook_url}),
            $f{signature_algo} // 'jwt', json_str($f{name}),
            $types ? '[' . join(',', map { json_str($_) } @$types) . ']'
                   : 'null',
            $at;
    }

    replace_in_block(%subst);
}


sub key {
    my ($org, @pairs) = @_;
    my %subst;

    while (my ($name, $spec) = splice @pairs, 0, 2) {
        my %s = ref $spec eq 'HASH' ? %$spec
              : (permissions => ref $spec ? $spec : [$spec]);

        my $out = Lago::admin('key', 'create', '--org', $org,
                              (map { ('--permission', $_) }
                               @{ $s{permissions} || [] }),
                              $s{expires_at} ? ('--expires-at', $s{expires_at})
                                             : ());

        ($subst{$name}) = $out =~ /^api_key=(\S+)$/m
            or die "unexpected lago-admin output: $out";

        Lago::expire_key($subst{$name}) if $s{expired};
        Lago::admin('key', 'revoke', $subst{$name}) if $s{revoked};
    }

    replace_in_block(%subst);
}


sub lit {
    my ($text) = @_;

    return '^' . join('', map { /^(?:\$LAGO_\w+|\@\w+\@)\z/ ? $_
                                                          : quotemeta }
                          split /(\$LAGO_\w+|\@\w+\@)/, $text) . '\z';
}


# the assertions each block makes, for the plan: one status check per
# request (each of "--- pipelined_requests", else of a "--- request eval"
# list), and per request one for the body and one per line of
# response_headers, error_log and no_error_log
sub count_tests {
    my $n = 0;

    for my $block (Test::Nginx::Socket::blocks()) {
        my $reqs = $block->pipelined_requests
                   ? @{ $block->pipelined_requests }
                   : ref $block->request ? @{ $block->request } : 1;
        my $each = 1;

        $each++ if defined $block->response_body
                   || defined $block->response_body_like;

        for my $s ($block->response_headers, $block->error_log,
                   $block->no_error_log)
        {
            next unless defined $s;
            $each += ref $s eq 'ARRAY' ? @$s
                   : ref $s            ? 1
                   : scalar grep { /\S/ } split /\n/, $s;
        }

        $n += $reqs * $each;
    }

    return $n;
}


1;
