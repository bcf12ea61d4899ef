#!/usr/bin/env python3
"""A minimal agentwire client: connect to the hub's Unix socket, say hub/hello, send one request, print the
answer. Run: python3 client.py [METHOD] [PARAMS-JSON]. The socket: $AGENTWIRE_HOME/hub.sock, else
~/.agentwire/hub.sock."""
import json
import os
import socket
import sys


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "hub/ping"
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    home = os.environ.get("AGENTWIRE_HOME") or os.path.expanduser("~/.agentwire")
    path = os.path.join(home, "hub.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        print(f"cannot connect to {path}: {e.strerror} (aw errno {e.errno} explains; is the hub running? aw hub)",
              file=sys.stderr)
        return 3
    lines = sock.makefile("rb")
    def call(i, m, p):
        sock.sendall((json.dumps({"jsonrpc": "2.0", "id": i, "method": m, "params": p}) + "\n").encode())
        line = lines.readline()
        if not line:
            raise ConnectionError("the hub closed the connection")
        return json.loads(line)
    hello = call(1, "hub/hello", {"name": "python-client"})
    if "error" in hello:
        print("hub/hello failed:", json.dumps(hello["error"]), file=sys.stderr)
        return 4
    answer = call(2, method, params)
    print(json.dumps(answer, separators=(",", ":")))
    return 1 if "error" in answer else 0


if __name__ == "__main__":
    sys.exit(main())
