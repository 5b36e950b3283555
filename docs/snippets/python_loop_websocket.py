# goodhart_ws.py: push goodhart records to serveIngest (docs/ingest.md) from any number of workers.
# Standard library only: an RFC 6455 handshake, then one masked text frame per batch.
import base64
import hashlib
import json
import os
import socket
from urllib.parse import urlparse


class GoodhartSocket:
    def __init__(self, url="ws://127.0.0.1:7070", token=os.environ.get("GOODHART_TOKEN")):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port or 80))
        key = base64.b64encode(os.urandom(16)).decode()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.sock.sendall(
            f"GET {u.path or '/'} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{auth}\r\n".encode()
        )
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed during the websocket handshake")
            reply += chunk
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        if not reply.startswith(b"HTTP/1.1 101") or accept not in reply:
            raise ConnectionError(reply.split(b"\r\n", 1)[0].decode())  # e.g. HTTP/1.1 401 Unauthorized

    def send(self, records):
        """One record or a list of records (events or step records), as one frame."""
        self.frame(0x1, json.dumps(records, default=float).encode())

    def close(self):
        self.frame(0x8, (1000).to_bytes(2, "big"))  # normal close: the server keeps every frame sent
        self.sock.recv(16)  # the server's close frame
        self.sock.close()

    def frame(self, opcode, payload):
        n = len(payload)
        size = bytes([0x80 | n]) if n < 126 else bytes([0xFE]) + n.to_bytes(2, "big") if n < 65536 else bytes([0xFF]) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big")).to_bytes(n, "big")
        self.sock.sendall(bytes([0x80 | opcode]) + size + mask + masked)


# ws = GoodhartSocket("ws://127.0.0.1:7070")  # token: $GOODHART_TOKEN, when the server has one
# ws.send([{"step": step, "reward": r, "group": g, "response": text} for r, g, text in batch])
# ws.close()
