# A minimal SMTP sink: answers every command, counts messages, prints the time of each.
import asyncio, sys, time
count = 0
stamps = []
async def handle(reader, writer):
    global count
    writer.write(b"220 sink ESMTP\r\n"); await writer.drain()
    data = False
    while True:
        line = await reader.readline()
        if not line: break
        if data:
            if line == b".\r\n":
                data = False; count += 1; stamps.append(time.time())
                writer.write(b"250 ok\r\n")
            continue
        cmd = line[:4].upper()
        if cmd == b"EHLO": writer.write(b"250-sink\r\n250 8BITMIME\r\n")
        elif cmd == b"DATA": data = True; writer.write(b"354 go\r\n")
        elif cmd == b"QUIT": writer.write(b"221 bye\r\n"); await writer.drain(); break
        else: writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        while True:
            await asyncio.sleep(1)
            with open(sys.argv[2], "w") as f:
                f.write("\n".join(str(s) for s in stamps))
asyncio.run(main())
