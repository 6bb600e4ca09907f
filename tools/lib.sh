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
#
# A Redis over TLS, with certificates made by tls_certs:
#
#   tls_certs "$dir/tls"
#   REDIS_TLS_DIR=$dir/tls REDIS_TLS_AUTH_CLIENTS=yes \
#       redis_start "$dir/redis" "$redis_port"

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

# url_escape STRING: STRING percent-encoded for a URL's path or query
# (a file name in a rediss:// URL, say)
url_escape() {
    perl -e 'print join "", map { /[A-Za-z0-9\/._~-]/ ? $_
                                  : sprintf "%%%02X", ord } split //, $ARGV[0]' \
        "$1"
}

# tls_certs DIR: the certificates of a Redis over TLS and of its clients,
# and the wrong ones that failure tests need, made with openssl into DIR
# (PEM, EC P-256 keys readable by their owner only).  Kept when DIR has
# them all already, so a run directory keeps its CA across runs; made
# afresh, all together, when any is missing.
#
#   ca.crt ca.key              the CA that signs the good ones
#   server.crt server.key      CN localhost, subjectAltName DNS:localhost
#                              and IP:127.0.0.1, serverAuth
#   client.crt client.key      CN lago-webhook-client, clientAuth (mutual TLS)
#   untrusted-ca.crt .key      a second CA, that nothing trusts
#   untrusted-server.crt .key  as server.crt, signed by the untrusted CA
#   untrusted-client.crt .key  as client.crt, signed by the untrusted CA
#   expired-server.crt .key    as server.crt, valid only in January 2020
#   other-name-server.crt .key signed by the CA, for other-name.invalid only
#
# Everything but the expired one is valid for ten years from today.
tls_certs() {
    local dir=$1
    local names="ca server client untrusted-ca untrusted-server
                 untrusted-client expired-server other-name-server"
    local name missing=no

    for name in $names; do
        if [ ! -s "$dir/$name.crt" ] || [ ! -s "$dir/$name.key" ]; then
            missing=yes
        fi
    done
    [ "$missing" = no ] && return 0

    mkdir -p "$dir" || return 1

    # made aside and moved in at the end: an interrupted run leaves no
    # half set behind that a later run would take for complete
    local tmp
    tmp=$(mktemp -d "$dir/.tls_certs.XXXXXX") || return 1

    # a configuration of its own: the system's openssl.cnf adds extensions
    # of its own choosing to every certificate req -x509 makes
    cat > "$tmp/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no

[dn]

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[other_name_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other-name.invalid
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

# `openssl ca`, for the one certificate whose dates are given, not counted
[ca]
default_ca = ca_default

[ca_default]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none

[policy_any]
commonName = supplied
CNF

    # a shell of its own, so that -e holds even when the caller tests
    # tls_certs's status (a subshell would inherit the exemption)
    if ! (cd "$tmp" && umask 077 && OPENSSL_CONF=$tmp/openssl.cnf \
              bash -eu -s) > "$tmp/openssl.log" 2>&1 <<'SH'
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
            -out "$1.key"; }
ca() {      # NAME CN
    key "$1"
    openssl req -new -x509 -key "$1.key" -out "$1.crt" -days 3650 \
        -subj "/CN=$2" -config openssl.cnf -extensions ca_ext
}
csr() {     # NAME CN
    key "$1"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" \
        -config openssl.cnf
}
sign() {    # NAME CA EXTENSIONS
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 3650 \
        -extfile openssl.cnf -extensions "$3" -out "$1.crt"
}

ca ca "Lago webhook test CA"
ca untrusted-ca "Lago webhook untrusted test CA"

csr server localhost
sign server ca server_ext
csr client lago-webhook-client
sign client ca client_ext
csr untrusted-server localhost
sign untrusted-server untrusted-ca server_ext
csr untrusted-client lago-webhook-client
sign untrusted-client untrusted-ca client_ext
csr other-name-server other-name.invalid
sign other-name-server ca other_name_ext

# x509 -req takes no start date: openssl ca does
csr expired-server localhost
: > index.txt
openssl rand -hex 16 > serial
openssl ca -batch -config openssl.cnf -cert ca.crt -keyfile ca.key \
    -in expired-server.csr -out expired-server.crt -notext \
    -startdate 20200101000000Z -enddate 20200131000000Z \
    -extfile openssl.cnf -extensions server_ext

chmod 644 ./*.crt
SH
    then
        echo "tls_certs: openssl failed in $dir:" >&2
        cat "$tmp/openssl.log" >&2
        rm -rf "$tmp"
        return 1
    fi

    for name in $names; do
        mv -f "$tmp/$name.key" "$tmp/$name.crt" "$dir/" || return 1
    done
    rm -rf "$tmp"
}

# redis_cli ARGS...: redis-cli against the Redis of redis_start
redis_cli() {
    redis-cli -p "$REDIS_PORT" ${REDIS_CLI_AUTH[@]+"${REDIS_CLI_AUTH[@]}"} \
        ${REDIS_CLI_TLS[@]+"${REDIS_CLI_TLS[@]}"} --no-auth-warning "$@"
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
#
# REDIS_TLS_DIR (a directory of tls_certs) makes PORT a TLS port, and the
# only one: no plaintext TCP, server.crt, clients verified against ca.crt.
# REDIS_TLS_AUTH_CLIENTS=yes then requires a client certificate (mutual
# TLS; default: no).  redis_cli follows, with client.crt.
redis_start() {
    REDIS_DIR=$1
    REDIS_PORT=$2
    shift 2

    mkdir -p "$REDIS_DIR"

    local listen=(--port "$REDIS_PORT")
    REDIS_CLI_TLS=()
    if [ -n "${REDIS_TLS_DIR:-}" ]; then
        local tls=$REDIS_TLS_DIR
        listen=(--port 0 --tls-port "$REDIS_PORT"
                --tls-cert-file "$tls/server.crt"
                --tls-key-file "$tls/server.key"
                --tls-ca-cert-file "$tls/ca.crt"
                --tls-auth-clients "${REDIS_TLS_AUTH_CLIENTS:-no}")
        REDIS_CLI_TLS=(--tls --cacert "$tls/ca.crt"
                       --cert "$tls/client.crt" --key "$tls/client.key")
    fi

    # a background child of a non-interactive shell ignores SIGINT, so a
    # Ctrl-C reaches the script, whose redis_stop then ends it
    redis-server "${listen[@]}" --bind 127.0.0.1 --save '' \
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

# sentinel_start DIR PORT MASTER_NAME MASTER_PORT: a Redis Sentinel on
# 127.0.0.1:PORT watching MASTER_NAME at 127.0.0.1:MASTER_PORT (quorum 2),
# a child of this shell, with its configuration (which Sentinel rewrites)
# and log in DIR.  The failure detection is quick, for a loopback set-up:
# a master is down after 1 s without an answer.  Its pid is appended to
# SENTINEL_PIDS, for sentinel_stop.
sentinel_start() {
    local dir=$1 port=$2 name=$3 master_port=$4

    mkdir -p "$dir"

    cat > "$dir/sentinel-$port.conf" <<CONF
port $port
bind 127.0.0.1
daemonize no
dir $dir
logfile $dir/sentinel-$port.log
sentinel monitor $name 127.0.0.1 $master_port 2
sentinel down-after-milliseconds $name 1000
sentinel failover-timeout $name 3000
sentinel parallel-syncs $name 1
CONF

    redis-server "$dir/sentinel-$port.conf" --sentinel &
    SENTINEL_PIDS+=("$!")

    local _
    for _ in $(seq 50); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    echo "redis-server --sentinel on port $port did not start" \
         "(see $dir/sentinel-$port.log)" >&2
    return 1
}

# sentinel_stop: ends every sentinel of sentinel_start
sentinel_stop() {
    local pid
    for pid in ${SENTINEL_PIDS[@]+"${SENTINEL_PIDS[@]}"}; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    SENTINEL_PIDS=()
}

# free_port_run N: the first of N consecutive free loopback TCP ports
# whose Redis Cluster bus ports (each + 10000) are free as well, for
# cluster_start.  Taken from 20000-22767, so that the bus ports
# (30000-32767) too are below the kernel's ephemeral range (32768 on) and
# outgoing connections do not take them in the meantime.
free_port_run() {
    perl -MIO::Socket::INET -e '
        my $n = $ARGV[0] || 1;
        for (1 .. 200) {
            my $first = 20000 + int rand(2768 - $n);
            my @socks;
            for my $port (map { ($_, $_ + 10000) } $first .. $first + $n - 1) {
                my $sock = IO::Socket::INET->new(
                    Listen => 1, LocalAddr => "127.0.0.1",
                    LocalPort => $port, ReuseAddr => 1) or last;
                push @socks, $sock;
            }
            if (@socks == 2 * $n) { print "$first\n"; exit 0 }
        }
        die "no run of $n free ports\n";' "${1:-1}"
}

# A Redis Cluster of six nodes on 127.0.0.1, three masters and a replica
# each, for make run and make test:
#
#   cluster_start "$dir/cluster" 7000 [redis-server options...]
#   cluster_cli 7000 cluster info
#   cluster_stop "$dir/cluster"
#
# CLUSTER_PORTS (the six ports) and CLUSTER_DIR are set for the others.
# REDIS_CLI_AUTH (see above) is used with every node; a cluster that wants
# AUTH also needs --masteruser/--masterauth among the options, for its
# replicas.
#
# A Redis Cluster over TLS, as redis_start's single Redis (REDIS_TLS_DIR,
# REDIS_TLS_AUTH_CLIENTS):
#
#   tls_certs "$dir/tls"
#   REDIS_TLS_DIR=$dir/tls cluster_start "$dir/cluster" 7000
#   REDIS_TLS_DIR=$dir/tls cluster_stop "$dir/cluster"
#
# Every port is then a TLS port and the only one (no plaintext TCP), and
# the cluster bus and replication are TLS too (tls-cluster,
# tls-replication), as in a managed cluster with in-transit encryption.
# A node presents server.crt to its clients and client.crt when it is the
# client (of another node's bus, of its master): server.crt is for
# serverAuth only, which a node with tls-auth-clients yes would refuse.
# Nodes do not check each other's names, only the chain to ca.crt.

# cluster_tls_opts: REDIS_CLI_TLS for the nodes of a cluster over TLS
# (REDIS_TLS_DIR set), or empty; redis-cli always presents client.crt, so
# that a cluster with REDIS_TLS_AUTH_CLIENTS=yes answers it as well
cluster_tls_opts() {
    REDIS_CLI_TLS=()
    if [ -n "${REDIS_TLS_DIR:-}" ]; then
        REDIS_CLI_TLS=(--tls --cacert "$REDIS_TLS_DIR/ca.crt"
                       --cert "$REDIS_TLS_DIR/client.crt"
                       --key "$REDIS_TLS_DIR/client.key")
    fi
}

# cluster_cli PORT ARGS...: redis-cli against the node on PORT (over TLS
# when cluster_start or cluster_stop set REDIS_CLI_TLS)
cluster_cli() {
    local port=$1
    shift
    redis-cli -p "$port" ${REDIS_CLI_AUTH[@]+"${REDIS_CLI_AUTH[@]}"} \
        ${REDIS_CLI_TLS[@]+"${REDIS_CLI_TLS[@]}"} --no-auth-warning "$@"
}

# cluster_slot_map PORT: the slot map node PORT believes in, one line per
# master that serves slots ("<node id> <ranges...>"), sorted; empty when
# the node does not answer
cluster_slot_map() {
    cluster_cli "$1" cluster nodes 2>/dev/null | awk '
        $3 ~ /master/ && $3 !~ /fail/ {
            line = $1
            for (i = 9; i <= NF; i++)
                if ($i !~ /^\[/)        # a slot being migrated, not owned
                    line = line " " $i
            if (line != $1)
                print line
        }' | sort
}

# cluster_wait [SECONDS]: until every node of CLUSTER_PORTS says
# cluster_state:ok, knows all six nodes and has the same slot map as the
# others, and every replica has synced with its master (30 s at most)
cluster_wait() {
    local tries=$(( ${1:-30} * 10 )) _ port info map first ok

    for _ in $(seq "$tries"); do
        ok=yes
        first=""
        for port in "${CLUSTER_PORTS[@]}"; do
            info=$(cluster_cli "$port" cluster info 2>/dev/null | tr -d '\r')
            if [[ $info != *cluster_state:ok* ]] \
               || [[ $info != *cluster_known_nodes:6* ]]; then
                ok=no
                break
            fi
            # a replica that has not synced yet could not take over
            info=$(cluster_cli "$port" info replication 2>/dev/null \
                   | tr -d '\r')
            if [[ $info == *role:slave* ]] \
               && [[ $info != *master_link_status:up* ]]; then
                ok=no
                break
            fi
            map=$(cluster_slot_map "$port")
            if [ -z "$first" ]; then
                first=$map
            elif [ "$map" != "$first" ]; then
                ok=no
                break
            fi
        done
        [ "$ok" = yes ] && return 0
        sleep 0.1
    done

    echo "Redis Cluster on ports ${CLUSTER_PORTS[*]} not ready" \
         "(see $CLUSTER_DIR/*/redis.log)" >&2
    return 1
}

# cluster_start DIR FIRST_PORT [redis-server options...]: the six nodes on
# ports FIRST_PORT to FIRST_PORT+5 (their cluster bus 10000 above), each
# daemonized with its data, nodes-<port>.conf, redis.pid and redis.log in
# DIR/<port>, the append-only file on and no RDB snapshots; a replica's
# first sync starts at once (repl-diskless-sync-delay 0), not 5 s later,
# and the masters that are up go on serving their slots while another is
# down (cluster-require-full-coverage no).  The first
# time, redis-cli --cluster create makes them one cluster, a replica to
# each master; on a DIR of an earlier run (the nodes-<port>.conf files
# exist) the nodes start with their data and find each other again.
# Returns once the cluster is ready (cluster_wait).
#
# REDIS_TLS_DIR (and REDIS_TLS_AUTH_CLIENTS): over TLS, as said above.
# CLUSTER_NODE_TIMEOUT: cluster-node-timeout, in ms (2000): how long a
# master may not answer before its replica takes over.
cluster_start() {
    CLUSTER_DIR=$1
    local first=$2
    shift 2

    CLUSTER_PORTS=()
    local port i existing=0 listen
    for i in 0 1 2 3 4 5; do
        port=$((first + i))
        CLUSTER_PORTS+=("$port")
        [ -s "$CLUSTER_DIR/$port/nodes-$port.conf" ] \
            && existing=$((existing + 1))
    done

    if [ "$existing" != 0 ] && [ "$existing" != 6 ]; then
        echo "cluster_start: $CLUSTER_DIR holds the configuration of" \
             "$existing nodes of ports ${CLUSTER_PORTS[*]}, not 6:" \
             "remove it to start afresh" >&2
        return 1
    fi

    cluster_tls_opts
    local tls_opts=()
    if [ -n "${REDIS_TLS_DIR:-}" ]; then
        local tls=$REDIS_TLS_DIR
        tls_opts=(--tls-cluster yes --tls-replication yes
                  --tls-cert-file "$tls/server.crt"
                  --tls-key-file "$tls/server.key"
                  --tls-client-cert-file "$tls/client.crt"
                  --tls-client-key-file "$tls/client.key"
                  --tls-ca-cert-file "$tls/ca.crt"
                  --tls-auth-clients "${REDIS_TLS_AUTH_CLIENTS:-no}")
    fi

    for port in "${CLUSTER_PORTS[@]}"; do
        mkdir -p "$CLUSTER_DIR/$port"
        # with TLS, the node's port is its TLS port and --port 0 closes
        # the plaintext one
        if [ -n "${REDIS_TLS_DIR:-}" ]; then
            listen=(--port 0 --tls-port "$port" "${tls_opts[@]}")
        else
            listen=(--port "$port")
        fi
        redis-server "${listen[@]}" --bind 127.0.0.1 \
            --dir "$CLUSTER_DIR/$port" \
            --logfile "$CLUSTER_DIR/$port/redis.log" \
            --daemonize yes --pidfile "$CLUSTER_DIR/$port/redis.pid" \
            --save '' --appendonly yes \
            --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
            --cluster-node-timeout "${CLUSTER_NODE_TIMEOUT:-2000}" \
            --repl-diskless-sync-delay 0 \
            --cluster-require-full-coverage no \
            "$@" || {
            echo "cluster_start: redis-server on port $port did not start" \
                 "(see $CLUSTER_DIR/$port/redis.log)" >&2
            return 1
        }
    done

    local _ up
    for port in "${CLUSTER_PORTS[@]}"; do
        up=no
        for _ in $(seq 50); do
            if [ "$(cluster_cli "$port" ping 2>/dev/null)" = PONG ]; then
                up=yes
                break
            fi
            sleep 0.1
        done
        if [ "$up" = no ]; then
            echo "cluster_start: redis-server on port $port does not" \
                 "answer (see $CLUSTER_DIR/$port/redis.log)" >&2
            return 1
        fi
    done

    if [ "$existing" = 0 ]; then
        local nodes=()
        for port in "${CLUSTER_PORTS[@]}"; do
            nodes+=("127.0.0.1:$port")
        done
        if ! redis-cli ${REDIS_CLI_AUTH[@]+"${REDIS_CLI_AUTH[@]}"} \
                 ${REDIS_CLI_TLS[@]+"${REDIS_CLI_TLS[@]}"} \
                 --no-auth-warning --cluster create "${nodes[@]}" \
                 --cluster-replicas 1 --cluster-yes \
                 > "$CLUSTER_DIR/create.log" 2>&1; then
            echo "cluster_start: redis-cli --cluster create failed:" >&2
            cat "$CLUSTER_DIR/create.log" >&2
            return 1
        fi
    fi

    cluster_wait
}

# cluster_stop DIR: SHUTDOWN to every node of DIR (each writes its
# append-only file out first), then waits for them; a node that does not
# obey within 10 s is killed.  REDIS_TLS_DIR as for cluster_start.
cluster_stop() {
    local dir=$1 pidfile port pid pids=() clis=() _ alive

    cluster_tls_opts

    for pidfile in "$dir"/*/redis.pid; do
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill -0 "$pid" 2>/dev/null || continue
        pids+=("$pid")
        port=$(basename "$(dirname "$pidfile")")
        # in the background: a master's SHUTDOWN waits for its replica
        cluster_cli "$port" shutdown >/dev/null 2>&1 &
        clis+=("$!")
    done

    for _ in $(seq 100); do
        alive=no
        for pid in ${pids[@]+"${pids[@]}"}; do
            kill -0 "$pid" 2>/dev/null && alive=yes
        done
        [ "$alive" = no ] && break
        sleep 0.1
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in ${clis[@]+"${clis[@]}"}; do
        wait "$pid" 2>/dev/null || true
    done
}
