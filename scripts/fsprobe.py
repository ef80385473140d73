# Writes 4 KB and syncs it (fdatasync) every 10 ms for N seconds beside a running server, and
# prints every sync that took over 100 ms: python3 scripts/fsprobe.py SECONDS [FILE]
import os, time, sys
f = os.open(sys.argv[2] if len(sys.argv) > 2 else 'fsprobe.dat', os.O_WRONLY|os.O_CREAT, 0o600)
end = time.time() + float(sys.argv[1])
worst = 0; n = 0
while time.time() < end:
    t0 = time.time()
    os.pwrite(f, b'x'*4096, (n % 256) * 4096)
    os.fdatasync(f)
    d = time.time() - t0
    n += 1
    if d > 0.1:
        print(time.strftime('%H:%M:%S', time.gmtime(t0)), '%.3f' % (t0 % 1), 'fdatasync %.0f ms' % (d*1000), flush=True)
    worst = max(worst, d)
    time.sleep(0.01)
print('probes', n, 'worst %.0f ms' % (worst*1000))
