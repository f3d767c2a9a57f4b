"""The sink's own acceptance rate from a simple client: N small messages over one SMTP
connection with Python's smtplib; prints messages per second."""
import smtplib
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
body = "From: bench@example.org\r\nTo: {to}\r\nSubject: bench\r\n\r\nHello.\r\n"
with smtplib.SMTP("127.0.0.1", port) as smtp:
    started = time.time()
    for i in range(n):
        to = f"client{i}@example.org"
        smtp.sendmail("bench@example.org", [to], body.format(to=to))
    print(f"{n / (time.time() - started):.0f}")
