"""Drives the Mailyard POP3 server with Python's poplib and prints what it saw as JSON.

usage: poplib_client.py PORT USER PASSWORD MODE(plain|stls|ssl) DELETE_LAST(0|1)
Message bodies are printed base64-encoded, lines joined with CRLF plus a final CRLF (poplib undoes dot-stuffing).
"""
import base64
import json
import poplib
import ssl
import sys

port, user, password, mode, delete_last = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE

if mode == "ssl":
    client = poplib.POP3_SSL("127.0.0.1", int(port), context=context, timeout=10)
else:
    client = poplib.POP3("127.0.0.1", int(port), timeout=10)
    if mode == "stls":
        client.stls(context=context)

result = {"welcome": client.getwelcome().decode(), "capa": sorted(client.capa().keys())}
client.user(user)
client.pass_(password)
count, size = client.stat()
result["stat"] = [count, size]
result["list"] = [line.decode() for line in client.list()[1]]
result["uidl"] = [line.decode() for line in client.uidl()[1]]
result["messages"] = []
for n in range(1, count + 1):
    _, lines, octets = client.retr(n)
    result["messages"].append(base64.b64encode(b"\r\n".join(lines) + b"\r\n").decode())
result["top"] = [line.decode(errors="replace") for line in client.top(1, 0)[1]]
try:
    client._shortcmd("LAST")
    result["last"] = "accepted"
except poplib.error_proto as err:
    result["last"] = err.args[0].decode()
result["noop"] = client.noop().decode()
if delete_last and count:
    result["dele"] = client.dele(count).decode()
result["quit"] = client.quit().decode()
print(json.dumps(result))
