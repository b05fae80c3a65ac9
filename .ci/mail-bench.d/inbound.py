# Inbound mails/s through the SMTP receiver to a stored case: N mails from `conns` connections.
import smtplib, sys, time, threading, statistics
from email.message import EmailMessage
port, n, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
lat = []
lock = threading.Lock()
def worker(k):
    with smtplib.SMTP("127.0.0.1", port) as s:
        for i in range(k, n, conns):
            m = EmailMessage()
            m["From"] = f"customer{i}@example.com"; m["To"] = "support@northwind.example"
            m["Subject"] = f"My parcel {i} never arrived"; m["Message-ID"] = f"<bench-{sys.argv[4]}-{i}@example.com>"
            m.set_content("Hello, my order has not arrived, it has been two weeks. Where is it?")
            t = time.perf_counter(); s.send_message(m); d = time.perf_counter() - t
            with lock: lat.append(d)
t0 = time.perf_counter()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
el = time.perf_counter() - t0
lat.sort()
print(f"inbound: {n} mails, {conns} connection(s): {n/el:.1f} mails/s, p50 {statistics.median(lat)*1000:.1f} ms, p99 {lat[int(len(lat)*0.99)-1]*1000:.1f} ms")
