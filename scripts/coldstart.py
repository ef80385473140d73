#!/usr/bin/env python3
# usage: coldstart.py BIN DB DATADIR KEYFILE RUNS   (docs/performance.md, "A million cases on SQLite")
# Starts `waymark serve`, times start -> first /readyz 200, then reads idle RSS after 10 s.
import os, subprocess, sys, time, urllib.request, statistics
binp, db, data, keys, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
port = 18093
res = []
for i in range(runs):
    env = dict(os.environ, WAYMARK_MASTER_KEY_FILE=keys)
    t0 = time.monotonic()
    p = subprocess.Popen([binp, "serve", "--data", data, "--database", db, "--addr", f"127.0.0.1:{port}",
                          "--childrens-services-org", "org-p001-cs"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = None
    while time.monotonic() - t0 < 120:
        try:
            r = urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            if r.status == 200:
                ready = time.monotonic() - t0
                break
        except Exception:
            pass
        time.sleep(0.005)
    time.sleep(10)
    rss = 0
    for line in open(f"/proc/{p.pid}/status"):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024 / 1e6  # kibibytes to MB of 10^6 bytes
    p.terminate(); p.wait()
    print(f"run {i+1}: ready in {ready*1000 if ready else -1:.0f} ms, idle RSS {rss:.1f} MB, load {os.getloadavg()[0]:.2f}", flush=True)
    res.append((ready or 999, rss))
    time.sleep(2)
print(f"median ready {statistics.median(r[0] for r in res)*1000:.0f} ms, median idle RSS {statistics.median(r[1] for r in res):.1f} MB")
