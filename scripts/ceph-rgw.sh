#!/usr/bin/env bash
# A throwaway single-node Ceph cluster with an S3 gateway, for tests and benchmarks.
#
#   scripts/ceph-rgw.sh start    start (or reuse) one monitor, one OSD on memstore and radosgw on
#                                loopback; prints `export THOTH_S3_ENDPOINT_URL=... THOTH_CEPH_KEY_ID=...
#                                THOTH_CEPH_SECRET_KEY=...` lines on stdout (eval "$(... start)")
#   scripts/ceph-rgw.sh env      print those lines for a running cluster
#   scripts/ceph-rgw.sh status   exit 0 when the cluster runs
#   scripts/ceph-rgw.sh stop     stop the daemons this script started and delete the state
#
# Packages come from the distribution (radosgw ceph-mon ceph-osd); when they are missing the script
# installs them with apt-get (as root). Exit status 77 means they are missing and cannot be installed.
# Everything lives under .thoth-storages/ceph (THOTH_CEPH_STATE_DIR); logs under its log/ folder.
# Settings: THOTH_CEPH_MON_PORT, THOTH_CEPH_RGW_PORT (default: free ports picked at start, so two
# checkouts never collide), THOTH_CEPH_START_TIMEOUT seconds (default 120). Progress goes to stderr.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${THOTH_CEPH_STATE_DIR:-$REPO/.thoth-storages/ceph}"
MON_PORT="${THOTH_CEPH_MON_PORT:-}"
RGW_PORT="${THOTH_CEPH_RGW_PORT:-}"
TIMEOUT="${THOTH_CEPH_START_TIMEOUT:-120}"
CONF="$STATE/ceph.conf"
DEADLINE=$((SECONDS + TIMEOUT)) # reset after a package installation, see start()
PACKAGES=(radosgw ceph-mon ceph-osd)
DAEMONS=(mon.a osd.0 client.rgw.a)

log() { echo "ceph-rgw: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

ensure_packages() {
    if command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null && command -v radosgw >/dev/null &&
        command -v radosgw-admin >/dev/null && command -v ceph >/dev/null; then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        log "packages ${PACKAGES[*]} are missing and cannot be installed (needs root and apt-get)"
        exit 77
    fi
    log "installing ${PACKAGES[*]} with apt-get"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${PACKAGES[@]}"; } >"${TMPDIR:-/tmp}/ceph-rgw-apt.log" 2>&1; then
        log "apt-get could not install ${PACKAGES[*]} (see ${TMPDIR:-/tmp}/ceph-rgw-apt.log)"
        exit 77
    fi
}

pid_of() { cat "$STATE/run/$1.pid" 2>/dev/null || true; }

running() {
    local pid
    pid="$(pid_of "$1")"
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

all_running() {
    local daemon
    for daemon in "${DAEMONS[@]}"; do
        running "$daemon" || return 1
    done
    [[ -f $STATE/s3.env ]]
}

wait_for() {
    local what="$1"
    shift
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= DEADLINE)); then
            tail -n 15 "$STATE"/log/*.log >&2 2>/dev/null || true
            die "timed out after ${TIMEOUT}s waiting for $what (logs in $STATE/log, their ends above)"
        fi
        sleep 0.5
    done
}

ceph_cli() { timeout 20 ceph -c "$CONF" --connect-timeout 10 "$@"; }

osd_up() { ceph_cli osd dump 2>/dev/null | grep -Eq '^osd\.0 up +in'; }

http_up() { (exec 3<>"/dev/tcp/127.0.0.1/$RGW_PORT") 2>/dev/null; }

# A port nothing listens on, from the kernel.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# radosgw answering on its port; dies at once (with its log's end) when the daemon has exited, for
# example because the port was taken, instead of waiting for the deadline.
wait_for_rgw() {
    until http_up; do
        if ! running client.rgw.a; then
            tail -n 15 "$STATE/log/client.rgw.a.out" >&2 2>/dev/null || true
            die "radosgw exited during start-up (logs in $STATE/log, the end above)"
        fi
        if ((SECONDS >= DEADLINE)); then
            tail -n 15 "$STATE"/log/*.log >&2 2>/dev/null || true
            die "timed out after ${TIMEOUT}s waiting for the radosgw HTTP frontend (logs in $STATE/log)"
        fi
        sleep 0.5
    done
}

# Run a daemon in the foreground (-f) as a background job, so every wait below stays under the deadline.
spawn() {
    local name="$1"
    shift
    nohup "$@" -f >>"$STATE/log/$name.out" 2>&1 </dev/null &
    echo $! >"$STATE/run/$name.pid"
}

stop_daemons() {
    local daemon pid
    for daemon in client.rgw.a osd.0 mon.a; do
        pid="$(pid_of "$daemon")"
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
}

write_conf() {
    local fsid="$1"
    cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
run dir = $STATE/run
admin socket = $STATE/run/\$name.asok
pid file = $STATE/run/\$name.pid
log file = $STATE/log/\$name.log
keyring = $STATE/keyring
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false

[mon.a]
mon data = $STATE/mon/a

[osd.0]
osd data = $STATE/osd/0

[client.rgw.a]
rgw data = $STATE/rgw/a
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw dns name = 127.0.0.1
EOF
}

start() {
    ensure_packages
    DEADLINE=$((SECONDS + TIMEOUT))
    if all_running; then
        log "cluster already running"
        cat "$STATE/s3.env"
        return 0
    fi
    stop_daemons
    rm -rf "$STATE"
    mkdir -p "$STATE"/{run,log,mon/a,osd/0,rgw/a}
    MON_PORT="${MON_PORT:-$(free_port)}"
    RGW_PORT="${RGW_PORT:-$(free_port)}"
    local fsid osd_uuid key_id secret_key
    fsid="$(cat /proc/sys/kernel/random/uuid)"
    osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
    write_conf "$fsid"

    log "creating monitor on 127.0.0.1:$MON_PORT"
    ceph-authtool --create-keyring "$STATE/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$STATE/monmap" >/dev/null
    ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" --keyring "$STATE/keyring"
    spawn mon.a ceph-mon -c "$CONF" -i a
    wait_for "the monitor" ceph_cli mon stat

    log "creating osd.0 on memstore"
    local osd_id
    osd_id="$(ceph_cli osd new "$osd_uuid")"
    [[ $osd_id == 0 ]] || die "expected osd id 0, got '$osd_id'"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$STATE/log/osd-mkfs.log"
    # With no manager daemon nothing reports a dead OSD to the monitor: mark it down before (re)starting
    # it so that its boot is not held back by a stale "up" entry.
    ceph_cli osd down 0 >/dev/null 2>&1 || true
    spawn osd.0 ceph-osd -c "$CONF" -i 0
    wait_for "osd.0 to come up" osd_up

    log "starting radosgw on 127.0.0.1:$RGW_PORT"
    spawn client.rgw.a radosgw -c "$CONF" -n client.rgw.a
    wait_for_rgw

    key_id="THOTH$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F')"
    secret_key="$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    wait_for "the S3 user" timeout 30 radosgw-admin -c "$CONF" -n client.rgw.a user create --uid=thoth \
        --display-name="thoth-storages tests" --access-key="$key_id" --secret-key="$secret_key"
    cat >"$STATE/s3.env" <<EOF
export THOTH_S3_ENDPOINT_URL=http://127.0.0.1:$RGW_PORT
export THOTH_CEPH_KEY_ID=$key_id
export THOTH_CEPH_SECRET_KEY=$secret_key
EOF
    log "ready after ${SECONDS}s"
    cat "$STATE/s3.env"
}

case "${1:-}" in
start) start ;;
env)
    all_running || die "the cluster is not running (scripts/ceph-rgw.sh start)"
    cat "$STATE/s3.env"
    ;;
status) all_running ;;
stop)
    stop_daemons
    rm -rf "$STATE"
    log "stopped"
    ;;
*)
    echo "usage: $0 start|env|status|stop" >&2
    exit 2
    ;;
esac
