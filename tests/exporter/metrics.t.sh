#!/bin/bash
# mempolicy-exporter: /metrics checked by promtool, label values escaped
# (a guest-chosen name with quotes, backslash, newline, escape and a
# non-UTF-8 byte), values read at scrape time, bad --listen refused; then
# a real Prometheus server (Debian's package) on a loopback port scrapes
# it every second and answers a query for a domain's target.  Readiness
# comes from -d (the parent returns once the daemon serves) and from
# polling Prometheus's HTTP API under a generous deadline, never from a
# fixed pause.  At the end xensim is killed: the exporter must exit.
# Everything listens on 127.0.0.1 only; ports are free
# ones (the exporter's: --listen 127.0.0.1:0, read back from its log).
. "$(dirname "$0")/../xlmem/common.sh"

EXPORTER=$MP_BUILD/bin/mempolicy-exporter

start_sim --domains 2
xensim_hv clock pause >/dev/null
prom_pid=
cleanup() {
    [ -f "$T/exp.pid" ] && kill "$(cat "$T/exp.pid")" 2>/dev/null
    [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid"
    rm -rf "$T"
    _xensim_cleanup
}
trap cleanup EXIT

"$XLMEM" mem-set guest1 300
xenstore-write /local/domain/2/name $'ev"il\\\n\e[2Jname\xff'

# --- bad --listen ----------------------------------------------------------
for bad in 127.0.0.1 127.0.0.1:99999 :9787 localhost:9787 '[::1:9787' \
    $'127.0.0.1:97\n87'; do
    out=$("$EXPORTER" --listen "$bad" 2>&1)
    rc=$?
    like "$rc/$(printf '%s\n' "$out" | grep -c '')/$out" \
        "^1/1/mempolicy-exporter: error: --listen .*" \
        "--listen $(printf '%q' "$bad") refused in one line"
done
ok '! xenstore-ls /tool/mempolicy/actors | grep -q exporter' \
    "... and nothing announced"

# --- the exporter ----------------------------------------------------------
"$EXPORTER" -d -p "$T/exp.pid" --log-file "$T/exp.log" \
    --listen 127.0.0.1:0 ||
    { echo "Bail out! the exporter did not start: $(cat "$T/exp.log")"; exit 1; }
port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' \
    "$T/exp.log")
like "$port" '^[1-9][0-9]*$' "it logs the port it listens on"
URL=http://127.0.0.1:$port

curl -sf "$URL/metrics" >"$T/m1"
is "$?" 0 "GET /metrics"
ok "promtool check metrics <'$T/m1'" "promtool check metrics passes"
is "$(grep '^mempolicy_domain_target_bytes' "$T/m1")" \
    'mempolicy_domain_target_bytes{domain="guest1",domid="1",actor=""} 314572800' \
    "guest1's target in bytes, the only domain with one"
is "$(grep -c '^mempolicy_domain_actual_bytes{' "$T/m1")" 3 \
    "one actual_bytes per domain, dom0 included"
is "$(grep '^mempolicy_domain_actual_bytes{.*domid="2"' "$T/m1" | cut -d'}' -f1)" \
    'mempolicy_domain_actual_bytes{domain="ev\"il\\n\\e[2Jname\\xff",domid="2",actor=""' \
    "a hostile name: escaped, one line, ASCII"
# libxl_domain_need_memory's extra for a PV guest of static-max 1024 MiB
# with one vcpu: 4 KiB x (256 + 1024) + 1 MiB = 6 MiB; none for dom0.
is "$(grep '^mempolicy_domain_overhead_bytes{.*domid="1"' "$T/m1" | cut -d' ' -f2)|$(grep '^mempolicy_domain_overhead_bytes{.*domid="0"' "$T/m1" | cut -d' ' -f2)" \
    "$((6 * 1024 * 1024))|0" "Xen's overhead next to actual: 6 MiB for guest1, 0 for dom0"
like "$(grep '^mempolicy_host_total_bytes ' "$T/m1")" \
    '^mempolicy_host_total_bytes [1-9][0-9]+$' "host total"
like "$(grep '^mempolicy_host_free_bytes ' "$T/m1")" \
    '^mempolicy_host_free_bytes [1-9][0-9]+$' "host free"
is "$(grep '^mempolicy_actor_up{actor="xl-manual"}' "$T/m1")" \
    'mempolicy_actor_up{actor="xl-manual"} 0' "xl-manual not running: 0"
is "$(grep -o '^mempolicy_[a-z_]*' "$T/m1" | sort -u | grep '_total$')" \
    mempolicy_domain_cow_breaks_total "the _total suffix only on the counter"
is "$(awk '$2 == "TYPE" && $4 == "counter" { print $3 }' "$T/m1")" \
    mempolicy_domain_cow_breaks_total "... the only counter"

# Computed at scrape time: a change shows in the next scrape.
"$XLMEM" mem-policy-set guest1 xl-manual 2>/dev/null
"$MP_BUILD/bin/xl-manual" -d -p "$T/xlm.pid" --log-file "$T/xlm.log" ||
    { echo "Bail out! xl-manual did not start"; exit 1; }
curl -sf "$URL/metrics" >"$T/m2"
is "$(grep '^mempolicy_actor_up{actor="xl-manual"}' "$T/m2")" \
    'mempolicy_actor_up{actor="xl-manual"} 1' "xl-manual started: 1 at the next scrape"
like "$(grep '^mempolicy_domain_status_info{.*domid="1"' "$T/m2")" \
    'actor="xl-manual",status="(below|at|above)-target"} 1$' \
    "guest1's status: its actor and where it stands"
kill "$(cat "$T/xlm.pid")"

is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/nothing")" 404 "404 elsewhere"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")" 405 \
    "405 for POST"
like "$(curl -s -D - -o /dev/null "$URL/metrics" | tr -d '\r' |
    grep -i '^content-type:')" \
    '^[Cc]ontent-[Tt]ype: text/plain; version=0\.0\.4; charset=utf-8$' \
    "the exposition format's content type"
fails "'$EXPORTER' --listen 127.0.0.1:0 2>/dev/null" \
    "a second exporter refuses to start"

# --- a real Prometheus scrapes it ------------------------------------------
if ! command -v prometheus >/dev/null; then
    _tap_result 1 "prometheus installed (tools/install-deps.sh build)"
    finish
fi
pport=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mempolicy
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$pport" >"$T/prom.log" 2>&1 &
prom_pid=$!

# query EXPR: Prometheus's answer's first value ("" if none yet).  The
# answer is {"status":"success","data":{"resultType":"vector","result":
# [{"metric":{...},"value":[TIME,"VALUE"]},...]}}: the first "value"'s
# string, read with grep and sed (no python start per query: seconds
# each on a loaded machine, and the query is repeated until Prometheus
# has it).
query() {
    curl -s "http://127.0.0.1:$pport/api/v1/query" \
        --data-urlencode "query=$1" 2>/dev/null |
        grep -o '"value":\[[^]]*\]' |
        sed -n '1s/^"value":\[[^,]*,"\([^"]*\)"\]$/\1/p'
}
# wait_query EXPR VALUE DESC: until Prometheus answers VALUE, at most
# MP_WAIT_S.  Prometheus is a program of its own on real time (it
# starts, then scrapes every second) with nothing to watch: its answer
# is asked for every half second; the bound only turns a hang into a
# failure.
wait_query() {
    local deadline=$((SECONDS + MP_WAIT_S)) v=
    while [ "$SECONDS" -lt "$deadline" ]; do
        v=$(query "$1")
        [ "$v" == "$2" ] && break
        kill -0 "$prom_pid" 2>/dev/null || break
        sleep 0.5
    done
    is "$v" "$2" "$3"
    [ "$v" == "$2" ] || sed 's/^/#   /' "$T/prom.log" | tail -5
}
wait_query 'mempolicy_domain_target_bytes{domain="guest1"}' 314572800 \
    "Prometheus scraped guest1's target"
wait_query 'count(mempolicy_domain_actual_bytes)' 3 \
    "... and every domain, the hostile name included"
wait_query 'up{job="mempolicy"}' 1 "... the target is up"

# --- the store going away ends it (systemd's Restart= brings it back) ------
epid=$(cat "$T/exp.pid")
kill -KILL "$_xensim_pid"
wait "$_xensim_pid" 2>/dev/null
_xensim_pid=
# Not our child: tail --pid waits until it is gone, reaped too, as the
# kill -0 below sees it (bounded).
timeout "$MP_WAIT_S" tail --pid="$epid" -f /dev/null
fails "kill -0 $epid" "the store gone: the exporter ends"
like "$(grep -E 'xenstore closed the connection|the store went away' "$T/exp.log")" \
    'mempolicy-exporter\[[0-9]+\]: error: .*' "... logging why in one error line"
ok "[ ! -e '$T/exp.pid' ]" "... and removing its pid file"
rm -f "$T/exp.pid"
finish
