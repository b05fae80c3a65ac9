# Outbox sends/s to a local sink: N answers posted on email cases, timed until the sink has them.
import json, sys, time, threading, urllib.request
api, key, n, conns, stamps_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def get(path):
    r = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + key})
    return json.load(urllib.request.urlopen(r))
cases, cursor = [], ""
while len(cases) < 50:
    page = get("/cases?limit=200" + cursor)
    cases += [c["id"] for c in page["cases"] if (c.get("customer_email") or "").startswith("customer")]
    if "next_cursor" not in page: break
    cursor = "&cursor=" + page["next_cursor"]
def stamps():
    try: return [float(x) for x in open(stamps_file).read().split()]
    except Exception: return []
before = len(stamps())
posted = []
lock = threading.Lock()
def worker(k):
    for i in range(k, n, conns):
        body = json.dumps({"direction": "outbound", "body": f"Answer {i}: we are looking into it."}).encode()
        r = urllib.request.Request(api + f"/cases/{cases[i % len(cases)]}/messages", data=body, method="POST",
            headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        urllib.request.urlopen(r).read()
        with lock: posted.append(time.time())
t0 = time.time()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
t_posted = time.time()
while len(stamps()) - before < n and time.time() - t0 < 120: time.sleep(0.2)
s = stamps()[before:]
posted.sort()
lat = sorted(max(0.0, a - p) for a, p in zip(s, posted))
print(f"outbox: {n} answers posted in {t_posted-t0:.2f} s ({n/(t_posted-t0):.1f}/s over HTTP, {conns} clients); "
      f"{len(s)} at the sink, last {s[-1]-t0:.2f} s after the first post: {len(s)/(s[-1]-t0):.1f} sends/s; "
      f"post-to-sink p50 {lat[len(lat)//2]*1000:.0f} ms, p99 {lat[int(len(lat)*0.99)-1]*1000:.0f} ms")
