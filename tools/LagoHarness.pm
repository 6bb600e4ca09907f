# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause

package LagoHarness;

# prove's harness for tools/run-tests (prove --harness LagoHarness): the
# same run and output as TAP::Harness, and for every suite that fails, a
# note appended to the file named by LAGO_TEST_FAILURES: the suite, each
# failed test as its TAP line ("not ok 3 - name"), what else went wrong
# (exit status, plan, parse errors), and the last lines of the nginx error
# log that suite left, its [debug] entries left out (LAGO_TEST_RUN, if
# set, names the run in the note).  The note is taken as soon as the
# suite ends: the next suite starts a fresh servroot, and its log with it.
#
# The error log is Test::Nginx's: $TEST_NGINX_SERVROOT/logs/error.log, or
# t/servroot/logs/error.log (the bundled runner's and upstream's default).
# A log that has not changed since the suite started is said to be
# another's, not shown as this suite's.

use strict;
use warnings;

use parent 'TAP::Harness';

our $LogLines = $ENV{LAGO_TEST_LOG_LINES} || 30;


sub new {
    my ($class, @args) = @_;

    my $self = $class->SUPER::new(@args);
    my %run;    # per suite: failed tests, the error log as it started

    $self->callback(made_parser => sub {
        my ($parser, $job) = @_;
        my $file = $job->[0];

        $run{$file} = { failed => [], log_before => log_stat() };

        $parser->callback(test => sub {
            my ($test) = @_;
            push @{ $run{$file}{failed} }, $test->as_string
                unless $test->is_ok;
        });
    });

    $self->callback(after_test => sub {
        my ($job, $parser) = @_;
        my $file = $job->[0];
        my $run = delete $run{$file} // { failed => [] };

        return unless $parser->has_problems;

        note_failure($file, $parser, $run);
    });

    return $self;
}


sub error_log {
    my $root = $ENV{TEST_NGINX_SERVROOT} || 't/servroot';
    return "$root/logs/error.log";
}


# what tells one error log, or its state, from another
sub log_stat {
    my @st = stat error_log() or return '';
    return join ':', @st[0, 1, 7, 9];    # device, inode, size, mtime
}


sub note_failure {
    my ($file, $parser, $run) = @_;

    my $out = $ENV{LAGO_TEST_FAILURES} or return;
    my $run_name = $ENV{LAGO_TEST_RUN} ? " ($ENV{LAGO_TEST_RUN})" : '';
    my @note = ("-- $file$run_name: FAILED");

    push @note, map { "   $_" } @{ $run->{failed} };

    push @note, "   (some failed tests are not listed: "
                . join(', ', $parser->failed) . ")"
        if $parser->failed > @{ $run->{failed} };
    push @note, "   todo test unexpectedly passed: "
                . join(', ', $parser->todo_passed)
        if $parser->todo_passed && !$parser->failed;
    push @note, "   exit status " . ($parser->exit // '?')
                . ($parser->wait & 127
                   ? ', killed by signal ' . ($parser->wait & 127) : '')
        if $parser->exit || $parser->wait;
    push @note, map { "   $_" } $parser->parse_errors;

    my $log = error_log();
    my $now = log_stat();

    if ($now eq '') {
        push @note, "   no nginx error log ($log)";

    } elsif ($now eq ($run->{log_before} // '')) {
        push @note, "   no nginx error log of its own ($log is unchanged"
                    . " since the suite started)";

    } elsif (open my $fh, '<', $log) {
        # the suites log at debug level: its entries (and the lines that
        # go on one, such as a dump of headers) would hide the rest
        my ($level, @lines) = ('');
        while (my $line = <$fh>) {
            $level = $1 if $line =~ m{^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\]};
            push @lines, $line unless $level eq 'debug';
        }
        close $fh;
        my $from = @lines > $LogLines ? @lines - $LogLines : 0;
        push @note, "   last " . (@lines - $from)
                    . " lines of $log (without [debug] ones):";
        push @note, map { chomp; "   | $_" } @lines[$from .. $#lines];

    } else {
        push @note, "   cannot read $log: $!";
    }

    open my $fh, '>>', $out or die "$out: $!";
    print $fh map { "$_\n" } @note;
    close $fh;
}


1;
