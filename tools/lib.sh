# shellcheck shell=bash
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Bash helpers for the project's scripts (tools/, bench/), sourced:
#
#   . "$root/tools/lib.sh"
#
#   read -r redis_port http_port < <(free_ports 2)
#   redis_start "$dir/redis" "$redis_port" --appendonly yes
#   redis_cli dbsize
#   redis_stop
#
# One Redis per script: redis_start sets REDIS_PORT, REDIS_DIR and
# REDIS_PID for the others.  REDIS_CLI_AUTH, an array set before
# redis_start, holds redis-cli's options for a Redis that wants AUTH
# (--user U --pass P), so that waiting and stopping work there too.

# free_ports N: N distinct free loopback TCP ports, on one line.  All are
# bound at once before any is released, so the N differ from each other.
free_ports() {
    perl -MIO::Socket::INET -e '
        my @socks = map {
            IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                  LocalPort => 0, ReuseAddr => 1)
                or die "no free port: $!\n"
        } 1 .. ($ARGV[0] || 1);
        print join(" ", map { $_->sockport } @socks), "\n";' "${1:-1}"
}

free_port() {
    free_ports 1
}

# redis_cli ARGS...: redis-cli against the Redis of redis_start
redis_cli() {
    redis-cli -p "$REDIS_PORT" ${REDIS_CLI_AUTH[@]+"${REDIS_CLI_AUTH[@]}"} \
        --no-auth-warning "$@"
}

# redis_wait: until the Redis answers PING, 5 s at most
redis_wait() {
    local _
    for _ in $(seq 50); do
        [ "$(redis_cli ping 2>/dev/null)" = PONG ] && return 0
        if [ -n "${REDIS_PID:-}" ] && ! kill -0 "$REDIS_PID" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    echo "redis-server on port $REDIS_PORT did not start" \
         "(see $REDIS_DIR/redis.log)" >&2
    return 1
}

# redis_start DIR PORT [redis-server options...]: a Redis on 127.0.0.1:PORT,
# a child of this shell, with its data and redis.log in DIR and no RDB
# snapshots (the options may turn the append-only file on); returns once
# it answers.  Not from a $(...) subshell: the variables set would be lost.
redis_start() {
    REDIS_DIR=$1
    REDIS_PORT=$2
    shift 2

    mkdir -p "$REDIS_DIR"

    # a background child of a non-interactive shell ignores SIGINT, so a
    # Ctrl-C reaches the script, whose redis_stop then ends it
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
        --appendonly no --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" \
        --daemonize no "$@" &
    REDIS_PID=$!

    redis_wait
}

# redis_stop: SHUTDOWN (the append-only file, when on, is written out
# first) and wait for the process; killed when it does not obey
redis_stop() {
    [ -n "${REDIS_PID:-}" ] || return 0

    redis_cli shutdown nosave >/dev/null 2>&1 || true

    local _
    for _ in $(seq 50); do
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true

    REDIS_PID=""
}
