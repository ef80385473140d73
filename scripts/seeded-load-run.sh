#!/usr/bin/env bash
# One run of 200 people against a seeded database (docs/performance.md):
# starts $BIN/waymark serve on $DIR/waymark.db with the keys in $DIR/keys,
# waits for /readyz, runs waymark-load for 2 minutes with the seeded mix,
# reads the waymark_db_ counters from the metrics listener, stops the server.
# serve says each sign-in's hash time (--server-timing-hash), so the report
# has sign-ins less their hash too.
# Writes $OUT/LABEL.txt (and the server's log beside it).
#
#   BIN=/tmp/binA DIR=/tmp/s1m LOAD=/tmp/bin/waymark-load scripts/seeded-load-run.sh LABEL [EXTRA_SERVE_FLAGS]
set -u
LABEL=$1
SERVEX=${2:-}
BIN=${BIN:?the folder with the waymark binary to run}
DIR=${DIR:-/tmp/s1m}
LOAD=${LOAD:-/tmp/bin/waymark-load}
OUT=${OUT:-/tmp/r1m}
MIX=${MIX:-inbox=20,case=25,nrm=10,search=15,mywork=13,note=5,raise=10,signin=2}
mkdir -p "$OUT"
out=$OUT/$LABEL.txt
echo "start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" > "$out"
WAYMARK_MASTER_KEY_FILE=$DIR/keys "$BIN/waymark" serve --data "$DIR" --database "$DIR/waymark.db" \
  --addr 127.0.0.1:18300 --metrics-addr 127.0.0.1:18301 --childrens-services-org org-p001-cs \
  --api-rate-limit 0 --server-timing-hash $SERVEX > "$OUT/$LABEL.serve.log" 2>&1 &
sp=$!
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:18300/readyz > /dev/null 2>&1 && break; sleep 0.2; done
"$LOAD" --url http://127.0.0.1:18300 --seeded 150 --server-pid "$sp" --users 200 --think 1s-3s \
  --duration 2m --mix "$MIX" >> "$out" 2>&1
echo "end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
curl -s http://127.0.0.1:18301/metrics |
  grep -E '^waymark_db_(pool_wait_seconds_total|pool_waits_total|read_gate_wait|transaction_duration_seconds_(sum|count))' >> "$out"
kill "$sp"
wait "$sp" 2> /dev/null
