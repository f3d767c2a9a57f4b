"""A local SMTP sink for bench/run: accepts everything on 127.0.0.1, counts messages and
distinct recipients, and writes the counts to a file every half second (and on exit)."""
import asyncio
import json
import signal
import sys
import time

from aiosmtpd.controller import Controller

port, out_path = int(sys.argv[1]), sys.argv[2]
counts = {"messages": 0, "recipients": {}, "first": None, "last": None}


class Counting:
    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        counts["messages"] += 1
        counts["first"] = counts["first"] or now
        counts["last"] = now
        for rcpt in envelope.rcpt_tos:
            counts["recipients"][rcpt] = counts["recipients"].get(rcpt, 0) + 1
        return "250 OK"


def dump():
    recipients = counts["recipients"]
    with open(out_path, "w") as f:
        json.dump({
            "messages": counts["messages"],
            "distinct": len(recipients),
            "duplicates": sum(n - 1 for n in recipients.values() if n > 1),
            "first": counts["first"],
            "last": counts["last"],
        }, f)


async def main():
    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    while not stop.is_set():
        dump()
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass
    controller.stop()
    dump()


asyncio.run(main())
