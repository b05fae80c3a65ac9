# Case creation over HTTP (read by understanding, like a mail's case): N cases from `conns` clients.
import json, sys, time, threading, statistics, urllib.request
api, key, n, conns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lat = []; lock = threading.Lock()
def worker(k):
    for i in range(k, n, conns):
        body = json.dumps({"subject": f"My parcel {i} never arrived", "channel": "email", "customer_email": f"http{i}@example.com",
                           "message": {"body": "Hello, my order has not arrived, it has been two weeks. Where is it?"}}).encode()
        r = urllib.request.Request(api + "/cases", data=body, method="POST",
            headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        t = time.perf_counter(); urllib.request.urlopen(r).read(); d = time.perf_counter() - t
        with lock: lat.append(d)
t0 = time.perf_counter()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
el = time.perf_counter() - t0; lat.sort()
print(f"cases over HTTP: {n} cases, {conns} clients: {n/el:.1f} cases/s, p50 {statistics.median(lat)*1000:.1f} ms, p99 {lat[int(len(lat)*0.99)-1]*1000:.1f} ms")
