#!/usr/bin/env bash
# What serve holds once it falls quiet after use (docs/performance.md, "Idle
# after use"): starts $BIN/waymark serve on $DIR/waymark.db with the keys in
# $DIR/keys, waits for /readyz, reads its RSS 5 s later, runs 200 people of
# the seeded mix for 30 s, then reads VmRSS, RssAnon and RssFile from
# /proc at 0, 15, 30, 60, 90, 120 and 180 s, copies /proc/PID/smaps at 180
# s, reads the memory and pool gauges from the metrics listener, and stops
# the server. Writes $OUT/idle-LABEL.txt (the load tool's report, the
# server's log and the smaps beside it).
#
#   BIN=/tmp/binA DIR=/tmp/s1m LOAD=/tmp/bin/waymark-load scripts/idle-after-use.sh LABEL
set -u
LABEL=$1
BIN=${BIN:?the folder with the waymark binary to run}
DIR=${DIR:-/tmp/s1m}
LOAD=${LOAD:-/tmp/bin/waymark-load}
OUT=${OUT:-/tmp/r1m}
mkdir -p "$OUT"
out=$OUT/idle-$LABEL.txt
rss() { grep -E 'VmRSS|RssAnon|RssFile' "/proc/$1/status" | tr -s ' \n' ' '; }
echo "start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" > "$out"
WAYMARK_MASTER_KEY_FILE=$DIR/keys "$BIN/waymark" serve --data "$DIR" --database "$DIR/waymark.db" \
  --addr 127.0.0.1:18300 --metrics-addr 127.0.0.1:18301 --childrens-services-org org-p001-cs \
  --api-rate-limit 0 > "$OUT/idle-$LABEL.serve.log" 2>&1 &
sp=$!
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:18300/readyz > /dev/null 2>&1 && break; sleep 0.2; done
sleep 5
echo "ready+5s $(rss $sp)" >> "$out"
"$LOAD" --url http://127.0.0.1:18300 --seeded 150 --server-pid "$sp" --users 200 --think 1s-3s \
  --duration 30s > "$OUT/idle-$LABEL.load.txt" 2>&1
t0=$(date +%s)
for at in 0 15 30 60 90 120 180; do
  while [ $(($(date +%s) - t0)) -lt "$at" ]; do sleep 1; done
  echo "t+$at $(rss $sp)" >> "$out"
done
cp "/proc/$sp/smaps" "$OUT/idle-$LABEL.smaps"
curl -s http://127.0.0.1:18301/metrics | grep -E '^(waymark_db_pool_(open|in_use)|go_memstats_(heap_inuse|heap_idle|heap_released|sys)_bytes)' >> "$out"
kill "$sp"
wait "$sp" 2> /dev/null
echo "end $(date -u +%T)" >> "$out"
