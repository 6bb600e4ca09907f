package Test::Nginx::Util;

# Server-side half of the test scaffold: settings, the generated
# nginx.conf, starting/stopping/reloading nginx, and reading back the
# part of error.log that belongs to the current test block.  The
# request/response half lives in Test::Nginx::Socket.

use strict;
use warnings;

use base 'Exporter';

use Carp ();
use File::Path qw(make_path remove_tree);
use File::Spec ();
use IO::Select ();
use IO::Socket::INET ();
use List::Util qw(shuffle);
use POSIX qw(SIGQUIT SIGKILL SIGTERM SIGHUP SIGUSR1 WNOHANG);
use Test::LongString ();
use Test::More ();
use Time::HiRes qw(sleep time);

our @EXPORT = qw(
    env_to_nginx is_str no_long_string run_tests repeat_each workers
    master_on master_off master_process_enabled log_level no_shuffle
    no_root_location use_hup timeout server_addr server_name server_port
    server_port_for_client server_root html_dir worker_connections
    add_block_preprocessor add_cleanup_handler bail_out
    expand_env_in_text parse_time error_log_data sleep_time
    $ServerAddr $ServerName $ServerPort $ServerPortForClient $ServRoot
    $NoLongString $RepeatEach
);

# ---------------------------------------------------------------------
# Settings.  Every environment variable honoured here has the same name
# and meaning as in openresty/test-nginx, so that a suite and its
# Makefile work unchanged with either implementation.
# ---------------------------------------------------------------------

our $NginxBinary     = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $ServerAddr      = '127.0.0.1';
our $ServerName      = 'localhost';
our $ServerPort      = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT}
                       || 1984;
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $Workers         = 1;
our $WorkerConnections = 64;
our $LogLevel        = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $DaemonEnabled   = 'on';
our $RepeatEach      = 1;
our $Timeout         = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $TestNginxSleep  = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $NoShuffle       = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $NoRootLocation  = 0;
our $NoLongString;
our $UseHup          = $ENV{TEST_NGINX_USE_HUP};
our $UseValgrind     = $ENV{TEST_NGINX_USE_VALGRIND};
our $LoadModules     = $ENV{TEST_NGINX_LOAD_MODULES};
our $Verbose         = $ENV{TEST_NGINX_VERBOSE};
our $CheckAccumErrLog = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};

our @EnvToNginx;
our @BlockPreprocessors;
our @CleanupHandlers;

# Valgrind needs nginx to stay in the foreground so that its reports
# reach our stderr and the process can be reaped as our child.
if ($UseValgrind) {
    $DaemonEnabled = 'off';
}

our $ServRoot = $ENV{TEST_NGINX_SERVROOT}
                || File::Spec->rel2abs('t/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

our $LogDir     = File::Spec->catfile($ServRoot, 'logs');
our $ErrLogFile = File::Spec->catfile($LogDir, 'error.log');
our $AccLogFile = File::Spec->catfile($LogDir, 'access.log');
our $HtmlDir    = File::Spec->catfile($ServRoot, 'html');
our $ConfDir    = File::Spec->catfile($ServRoot, 'conf');
our $ConfFile   = File::Spec->catfile($ConfDir, 'nginx.conf');
our $PidFile    = File::Spec->catfile($LogDir, 'nginx.pid');

# Hooks installed by Test::Nginx::Socket.
our $RunTestHelper;          # ($block, $repeated_req_idx)
our $CheckShutdownErrorLog;  # ($block, $dry_run)

# Run-time state.
our $NginxVersion;           # canonical, e.g. 1.022001
our $NginxV;                 # output of "nginx -V"
our $ErrLogFilePos = 0;
our $PrevConfig;
our $PrevBlock;
our $ChildPid;               # nginx (or valgrind) when run in foreground
our $ConfigVersion;          # token served by /ver in HUP mode
our $FirstTime = 1;
our $RandPorts = {};
our $InSubprocess;
our $NextBlockReusesNginx;

# ---------------------------------------------------------------------
# Setters/getters used by test files.
# ---------------------------------------------------------------------

sub repeat_each {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub workers {
    if (@_) { $Workers = shift; return }
    return $Workers;
}

sub worker_connections {
    if (@_) { $WorkerConnections = shift; return }
    return $WorkerConnections;
}

sub log_level {
    if (@_) { $LogLevel = shift; return }
    return $LogLevel;
}

sub master_on  { $MasterProcessEnabled = 'on' }
sub master_off { $MasterProcessEnabled = 'off' }

sub master_process_enabled {
    if (@_) { $MasterProcessEnabled = shift() ? 'on' : 'off'; return }
    return $MasterProcessEnabled;
}

sub no_long_string   { $NoLongString = 1 }
sub no_shuffle       { $NoShuffle = 1 }
sub no_root_location { $NoRootLocation = 1 }
sub use_hup          { $UseHup = 1 }
sub sleep_time       { $TestNginxSleep }
sub server_root      { $ServRoot }
sub html_dir         { $HtmlDir }

sub timeout {
    $Timeout = shift if @_;
    return $Timeout;
}

sub server_addr {
    if (@_) { $ServerAddr = shift; return }
    return $ServerAddr;
}

sub server_name {
    if (@_) { $ServerName = shift; return }
    return $ServerName;
}

sub server_port {
    if (@_) { $ServerPort = shift; return }
    return $ServerPort;
}

sub server_port_for_client {
    if (@_) { $ServerPortForClient = shift; return }
    return $ServerPortForClient;
}

sub env_to_nginx {
    Carp::croak("env_to_nginx: no arguments specified") unless @_;
    for my $v (@_) {
        Carp::croak("env_to_nginx: bad argument value: $v")
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

# Preprocessors added later run first, as upstream does.
sub add_block_preprocessor (&) {
    unshift @BlockPreprocessors, shift;
}

sub add_cleanup_handler ($) {
    unshift @CleanupHandlers, shift;
}

sub bail_out {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

sub is_str {
    my ($got, $expected, $desc) = @_;

    # report failures at the caller's line, not here
    local $Test::Builder::Level = $Test::Builder::Level + 1;

    if (ref $expected && ref $expected eq 'Regexp') {
        return Test::More::like($got, $expected, $desc);
    }

    if ($NoLongString) {
        return Test::More::is($got, $expected, $desc);
    }

    return Test::LongString::is_string($got, $expected, $desc);
}

# "100ms" -> 0.1, "2s" -> 2, "2" -> 2.
sub parse_time {
    my $tm = shift;
    return $tm unless defined $tm;
    if ($tm =~ s/([^_a-zA-Z])ms$/$1/) {
        return $tm / 1000;
    }
    $tm =~ s/([^_a-zA-Z])s$/$1/;
    return $tm;
}

# Replace $TEST_NGINX_FOO by the environment variable's value; an
# undefined variable is a mistake in the test setup, so stop loudly.
# $TEST_NGINX_RAND_PORT_N gets a free port, stable within one block.
sub expand_env_in_text {
    my ($text, $name) = @_;

    return undef unless defined $text;

    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $val;
        if ($var =~ /^TEST_NGINX_RAND_PORT_[0-9]+$/) {
            $val = $RandPorts->{$var} //= pick_free_port();
        } else {
            bail_out("$name - No environment $var defined.\n")
                unless defined $ENV{$var};
            $val = $ENV{$var};
        }
        $val;
    }ge;

    return $text;
}

sub pick_free_port {
    my %taken = ($ServerPort => 1, map { $_ => 1 } values %$RandPorts);
    for (1 .. 1000) {
        my $port = 1988 + int rand 63547;
        next if $taken{$port};
        my $sock = IO::Socket::INET->new(
            LocalAddr => $ServerAddr,
            LocalPort => $port,
            Proto     => 'tcp',
            Listen    => 1,
            ReuseAddr => 1,
        ) or next;
        close $sock;
        return $port;
    }
    bail_out("Cannot find a free port for TEST_NGINX_RAND_PORT_*\n");
}

# ---------------------------------------------------------------------
# Error log
# ---------------------------------------------------------------------

# Lines of error.log written since the previous call (or since nginx was
# started for this block).  The short sleep lets nginx finish logging for
# requests whose log phase runs after the response was sent.
sub error_log_data {
    sleep $TestNginxSleep * 3;

    open my $in, '<', $ErrLogFile or return [];

    if (!$CheckAccumErrLog && $ErrLogFilePos > 0) {
        seek $in, $ErrLogFilePos, 0;
    }

    my @lines = <$in>;

    if (!$CheckAccumErrLog) {
        $ErrLogFilePos = tell $in;
    }

    close $in;
    return \@lines;
}

# ---------------------------------------------------------------------
# nginx binary
# ---------------------------------------------------------------------

sub find_nginx_binary {
    my $cmd = $NginxBinary;
    if ($cmd =~ m{/}) {
        return -f $cmd && -x _ ? $cmd : undef;
    }
    for my $dir (File::Spec->path) {
        my $abs = File::Spec->catfile($dir, $cmd);
        return $abs if -f $abs && -x _;
    }
    return undef;
}

sub probe_nginx {
    find_nginx_binary()
        or bail_out("Cannot find the nginx executable \"$NginxBinary\"");

    $NginxV = `$NginxBinary -V 2>&1`;
    if ($? != 0 || $NginxV !~ m{\w+/(\d+)\.(\d+)\.(\d+)}) {
        bail_out("Failed to get the version of nginx from "
                 . "\"$NginxBinary -V\": $NginxV");
    }

    $NginxVersion = sprintf "%d.%03d%03d", $1, $2, $3;
}

# ---------------------------------------------------------------------
# Process control
# ---------------------------------------------------------------------

sub is_running {
    my $pid = shift;
    return 0 unless $pid;
    # reap it first if it is our own child, otherwise a zombie would
    # still look alive to kill(0)
    if (defined $ChildPid && $pid == $ChildPid) {
        if (waitpid($pid, WNOHANG) == $pid) {
            undef $ChildPid;
            return 0;
        }
    }
    return 0 unless kill 0, $pid;

    # A daemonized nginx is not our child; once it exits it may linger as
    # a zombie until init gets round to reaping it.  It holds no
    # resources any more, so do not wait for that (Linux only check).
    if (open my $stat, '<', "/proc/$pid/stat") {
        my $line = <$stat> // '';
        close $stat;
        return 0 if $line =~ /^\d+ \(.*\) Z/s;
    }

    return 1;
}

sub read_pid_file {
    open my $in, '<', $PidFile or return undef;
    my $pid = do { local $/; <$in> };
    close $in;
    return undef unless defined $pid;
    $pid =~ s/\s+//g;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

# Ask nginx to quit gracefully (SIGQUIT) and wait for it; force it after
# the usual timeout so that a hung nginx cannot stall the whole suite.
sub kill_process {
    my ($pid, $name) = @_;

    kill SIGQUIT, $pid;

    my $left = $Timeout;
    while ($left > 0 && is_running($pid)) {
        sleep 0.05;
        $left -= 0.05;
    }

    if (is_running($pid)) {
        warn "$name - timeout when waiting for the process $pid to exit\n";
        # a process group leader (our forked valgrind) takes its
        # children with it
        if (getpgrp($pid) == $pid) {
            kill SIGKILL, -$pid;
        } else {
            kill SIGKILL, $pid;
        }
        my $wait = 1;
        while ($wait > 0 && is_running($pid)) {
            sleep 0.05;
            $wait -= 0.05;
        }
    }
}

sub stop_nginx {
    my $name = shift // '';

    my $pid = read_pid_file();
    if ($pid && is_running($pid)) {
        kill_process($pid, $name);
    }

    # the foreground child may have died before writing its pid file
    if (defined $ChildPid && is_running($ChildPid)) {
        kill_process($ChildPid, $name);
    }
    undef $ChildPid;

    unlink $PidFile if -f $PidFile;
}

sub cleanup {
    return if $InSubprocess;
    $_->() for @CleanupHandlers;
    @CleanupHandlers = ();
    if (defined $ChildPid && is_running($ChildPid)) {
        kill_process($ChildPid, 'cleanup');
        undef $ChildPid;
    }
}

# ---------------------------------------------------------------------
# Server root and nginx.conf
# ---------------------------------------------------------------------

sub setup_server_root {
    my $first_time = shift;

    if (-d $ServRoot) {
        remove_tree($ConfDir, glob("$ServRoot/*_cache"),
                    glob("$ServRoot/*_temp"));

        if ($UseHup && !$first_time) {
            # nginx keeps running across blocks: keep its pid file and
            # directories, but drop the logs and user files so that
            # every block starts from a clean slate.
            require File::Find;
            File::Find::find({ no_chdir => 1, wanted => sub {
                return if -d $_;
                return if /(?:\bnginx\.pid|\.sock|\.crt|\.key)$/;
                unlink $_ or warn "Failed to remove $_: $!\n";
            }}, $ServRoot);

        } else {
            remove_tree($HtmlDir, $LogDir);
        }
    }

    for my $dir ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        next if -d $dir;
        make_path($dir) or bail_out("Failed to mkdir $dir: $!\n");
    }

    # upstream serves this from its default "location /"
    my $index = "$HtmlDir/index.html";
    open my $out, '>', $index
        or bail_out("Can't open $index for writing: $!\n");
    print $out '<html><head><title>It works!</title></head>'
               . '<body>It works!</body></html>';
    close $out;
}

# "--- user_files": either ">>> name" separated text or an arrayref of
# [name, body] pairs; relative names go under html/.
sub write_user_files {
    my $block = shift;
    my $name  = $block->name;
    my $files = $block->user_files;

    return unless $files;

    if (!ref $files) {
        my @list;
        for my $line (split /^/, $files) {
            if ($line =~ /^>>> (\S+)/) {
                push @list, [$1, ''];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    }

    bail_out("$name - --- user_files must be a string or an ARRAY")
        unless ref $files eq 'ARRAY';

    for my $file (@$files) {
        my ($fname, $body) = @$file;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/} && !-d $1) {
            make_path($1) or bail_out("$name - Cannot create directory $1");
        }
        open my $out, '>', $path
            or bail_out("$name - Cannot open $path for writing: $!\n");
        binmode $out;
        print $out expand_env_in_text($body // '', $name);
        close $out;
    }
}

sub write_config_file {
    my ($block, $config) = @_;

    my $name        = $block->name;
    my $http_config = expand_env_in_text(scalar $block->http_config, $name) // '';
    my $main_config = expand_env_in_text(scalar $block->main_config, $name) // '';
    my $post_main_config =
        expand_env_in_text(scalar $block->post_main_config,
                           $name) // '';
    my $log_level   = $block->log_level || $LogLevel;
    my $master      = $UseHup ? 'on' : $MasterProcessEnabled;

    my $load_modules = '';
    if ($LoadModules) {
        $load_modules = join '', map { "load_module $_;\n" }
                                 grep { length } split /\s+/, $LoadModules;
    }

    my $env = join '', map { /\s/ ? "env '$_';\n" : "env $_;\n" }
                           @EnvToNginx;

    # Keep nginx's scratch files under the server root rather than the
    # compiled-in locations of a packaged nginx.
    my $temp_paths = '';
    for my $mod (qw(fastcgi scgi uwsgi)) {
        next if $NginxV =~ /--without-http_${mod}_module/;
        $temp_paths .= " ${mod}_temp_path $ServRoot/${mod}_temp;";
    }
    if ($http_config !~ /\bproxy_temp_path\b/) {
        $temp_paths .= " proxy_temp_path $ServRoot/proxy_temp;";
    }
    if ($http_config !~ /\bclient_body_temp_path\b/) {
        $temp_paths .= " client_body_temp_path $ServRoot/client_body_temp;";
    }

    my $root_location = $NoRootLocation ? '' : <<_EOC_;
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    # Only in HUP mode: a second virtual server that reports which
    # configuration generation is live, so we know the reload finished.
    my $version_server = !$UseHup ? '' : <<_EOC_;
    server {
        listen          $ServerPort;
        server_name     'Test-Nginx';

        location = /ver {
            return 200 '$ConfigVersion';
        }
    }
_EOC_

    (my $server_name = $block->server_name // $ServerName) =~ s/(['\\])/\\$1/g;

    my $user = $> == 0 ? "user root;\n" : '';

    open my $out, '>', $ConfFile
        or bail_out("Can't open $ConfFile for writing: $!\n");

    print $out <<_EOC_;
${load_modules}worker_processes  $Workers;
daemon $DaemonEnabled;
master_process $master;
error_log $ErrLogFile $log_level;
pid       $PidFile;
$env
$main_config

http {
    access_log $AccLogFile;$temp_paths

    default_type text/plain;
    keepalive_timeout  68000ms;

$http_config

    server {
        listen          $ServerPort;
        server_name     '$server_name';
        client_max_body_size 30M;

        # Begin test case config...
$config
        # End test case config.

$root_location    }
$version_server}

$post_main_config

events {
    accept_mutex off;

    worker_connections  $WorkerConnections;
}
$user
_EOC_

    close $out;
}

# ---------------------------------------------------------------------
# Starting and reloading nginx
# ---------------------------------------------------------------------

sub nginx_command {
    # -e makes nginx log its own startup errors into our error.log
    # instead of the compiled-in path; it exists since nginx 1.19.5.
    my $cmd = "$NginxBinary";
    $cmd .= " -e $ErrLogFile" if $NginxVersion >= 1.019005;
    $cmd .= " -p $ServRoot/ -c $ConfFile";

    return $cmd unless $UseValgrind;

    my $opts;
    if ($UseValgrind =~ /^\d+$/) {
        $opts = "--num-callers=100 -q --tool=memcheck --leak-check=full"
                . " --keep-debuginfo=yes --show-possibly-lost=no"
                . " --gen-suppressions=all";
        # upstream's place (the current directory), then this repository's
        for my $file ('valgrind.suppress', 't/valgrind.suppress') {
            $opts .= " --suppressions=$file" if -f $file;
        }
    } else {
        # any other value is taken as the valgrind options to use
        $opts = "-q $UseValgrind";
    }

    return "valgrind $opts $cmd";
}

# nginx under valgrind takes seconds to come up: wait until it accepts
# connections (or has died) so that --- init code finds it listening.
sub wait_for_listen {
    my ($name, $pid) = @_;

    my $left = $ENV{TEST_NGINX_VALGRIND_START_TIMEOUT} || 60;
    while ($left > 0) {
        my $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr,
                                         PeerPort => $ServerPort,
                                         Proto    => 'tcp',
                                         Timeout  => 1);
        if ($sock) {
            close $sock;
            return;
        }
        return unless is_running($pid);
        sleep 0.1;
        $left -= 0.1;
    }

    warn "$name - nginx under valgrind is not listening on"
         . " $ServerAddr:$ServerPort\n";
}

sub start_nginx {
    my $block = shift;
    my $name  = $block->name;
    my $cmd   = nginx_command();

    if ($UseValgrind) {
        # valgrind's reports go to stderr; print the block name first so
        # they can be attributed
        warn "$name\n";

        my $pid = fork;
        bail_out("$name - fork() failed: $!") unless defined $pid;

        if ($pid == 0) {
            $InSubprocess = 1;
            Test::More->builder->no_ending(1);
            setpgrp;
            open STDOUT, '>', '/dev/null';
            exec("exec $cmd") or POSIX::_exit(127);
        }

        $ChildPid = $pid;
        sleep $TestNginxSleep;
        wait_for_listen($name, $pid);
        return;
    }

    # A port still held by the previous nginx is worth retrying; any
    # other startup failure (bad config) will not fix itself.
    my $waited = 0;
    while (1) {
        system("$cmd > /dev/null");
        last if $? == 0;

        my $status = $?;
        my $log = '';
        if (open my $in, '<', $ErrLogFile) {
            local $/;
            $log = <$in> // '';
            close $in;
        }

        if ($log =~ /bind\(\) to \S+ failed .*Address already in use/
            && $waited < 30)
        {
            sleep 0.5;
            $waited += 0.5;
            next;
        }

        my @emerg = grep { /\[emerg\]/ } split /\n/, $log;
        bail_out("$name - Cannot start nginx using command \"$cmd\" "
                 . "(status code $status)."
                 . (@emerg ? "\n" . join("\n", @emerg) : ''));
    }

    sleep $TestNginxSleep;
}

# Tiny HTTP GET used only to poll /ver during HUP reloads.
sub fetch_config_version {
    my $sock = IO::Socket::INET->new(
        PeerAddr => $ServerAddr,
        PeerPort => $ServerPort,
        Proto    => 'tcp',
        Timeout  => 2,
    ) or return undef;

    print $sock "GET /ver HTTP/1.0\r\nHost: Test-Nginx\r\n\r\n";

    my $resp = '';
    my $sel = IO::Select->new($sock);
    while ($sel->can_read(2)) {
        my $n = sysread $sock, my $buf, 4096;
        last unless $n;
        $resp .= $buf;
    }
    close $sock;

    return $resp =~ /\r\n\r\n(.*)\z/s ? $1 : undef;
}

# After SIGHUP old workers keep serving for a while; insist on seeing the
# new generation answer many times in a row before trusting the reload.
sub wait_for_config_version {
    my $name = shift;
    my $ok = 0;

    for my $try (1 .. 200) {
        my $ver = fetch_config_version();
        if (defined $ver && $ver eq $ConfigVersion) {
            sleep $TestNginxSleep if ++$ok == 5;
            return if $ok >= 20;
            next;
        }

        $ok = 0;
        my $wait = ($TestNginxSleep + $TestNginxSleep * $try) * $try / 2;
        $wait = 1 if $wait > 1;
        sleep $wait;
    }

    Test::More->builder->no_ending(1);
    Test::More::fail("$name - failed to reload configuration after 200 "
                     . "failed test requests");
}

sub reload_nginx {
    my ($block, $config, $pid) = @_;

    setup_server_root(0);
    write_user_files($block);
    write_config_file($block, $config);

    # USR1 reopens the log files we just removed, HUP loads the config
    kill SIGUSR1, $pid;
    sleep $TestNginxSleep;
    kill SIGHUP, $pid;
    sleep $TestNginxSleep * 3;

    warn $block->name, "\n" if $UseValgrind;

    wait_for_config_version($block->name);
}

sub gen_config_version {
    my @chars = ('A' .. 'Z', 'a' .. 'z', '0' .. '9');
    return join '', map { $chars[rand @chars] } 1 .. 10;
}

sub check_prev_block_shutdown_error_log {
    my $block = $PrevBlock;
    return unless $block && $CheckShutdownErrorLog;

    if (defined $block->shutdown_error_log
        || defined $block->no_shutdown_error_log)
    {
        # with HUP the previous nginx never shut down
        $CheckShutdownErrorLog->($block, $UseHup ? 'HUP reload' : undef);
    }
}

# ---------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------

sub run_tests {
    probe_nginx();

    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;

    for my $i (0 .. $#blocks) {
        my $block = $blocks[$i];
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        # a following block without --- config runs against this nginx
        $NextBlockReusesNginx = $i < $#blocks
                                && !defined $blocks[$i + 1]->config;
        run_test($block);
        $PrevBlock = $block;
    }

    finish();
}

sub run_test {
    my $block = shift;
    my $name  = $block->name;

    my $first_time = $FirstTime;
    undef $FirstTime;

    $RandPorts = {};

    my $config = expand_env_in_text(scalar $block->config, $name);

    if (!defined $config) {
        # a block without --- config reuses the running server as is
        bail_out("$name - No '--- config' section specified and could "
                 . "not get previous one.")
            unless defined $PrevConfig;

    } else {
        $PrevConfig = $config;
        $ConfigVersion = gen_config_version() if $UseHup;

        my $pid = read_pid_file();
        if ($UseHup && !$first_time && $pid && is_running($pid)) {
            reload_nginx($block, $config, $pid);
            check_prev_block_shutdown_error_log();

        } else {
            stop_nginx($name);
            check_prev_block_shutdown_error_log();
            setup_server_root($first_time);
            write_user_files($block);
            write_config_file($block, $config);
            start_nginx($block);
        }
    }

    if (defined $block->init) {
        eval $block->init;
        bail_out("$name - init failed: $@") if $@;
    }

    $ErrLogFilePos = 0;
    for my $i (0 .. $RepeatEach - 1) {
        write_user_files($block) if $i > 0;
        $RunTestHelper->($block, $i);
    }

    # under valgrind stop nginx after every block so that its leak
    # report follows the block that caused it; not when the next block has
    # no --- config: that one runs against this same nginx
    if ($UseValgrind && !$UseHup && !$NextBlockReusesNginx) {
        stop_nginx($name);
    }
}

my $Finished;

sub finish {
    return if $Finished++;
    return if $InSubprocess;

    cleanup();

    if ($UseValgrind || !$ENV{TEST_NGINX_NO_CLEAN}) {
        local $?;
        stop_nginx('END');
    }

    check_prev_block_shutdown_error_log();
}

END {
    # also reached when a test file dies half way through
    local $?;
    finish() unless $InSubprocess;
}

1;
