"""The orchestrator seed's naming agent, as a plain-socket script: it connects to agents/naming.sock,
reads one request envelope per line and answers one per line."""
import json
import socket
import sys


def main(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    lines = sock.makefile("rb")
    count = 0
    taken = set()
    for line in lines:
        request = json.loads(line)
        data = request.get("data") or {}
        if request.get("action") == "allocate_namespace" and data.get("name") in taken:
            answer = {
                "id": request["id"],
                "status": "error",
                "error": {
                    "code": "NAMESPACE_COLLISION",
                    "message": "Namespace already exists",
                    "details": {"existing_namespace": data["name"]},
                },
            }
        elif request.get("action") == "allocate_namespace" and data.get("name"):
            taken.add(data["name"])
            answer = {"id": request["id"], "status": "success", "data": {"namespace": data["name"]}}
        elif request.get("action") == "allocate_namespace":
            count += 1
            namespace = "%s.%s.ns%d" % (data.get("project", "default"), data.get("environment", "dev"), count)
            answer = {
                "id": request["id"],
                "status": "success",
                "data": {"namespace": namespace, "cid": "cid:" + namespace.replace(".", ":")},
            }
        else:
            answer = {
                "id": request["id"],
                "status": "error",
                "error": {
                    "code": "UNKNOWN_ACTION",
                    "message": "naming does not know " + str(request.get("action")),
                    "details": {"action": request.get("action")},
                },
            }
        sock.sendall((json.dumps(answer) + "\n").encode())


if __name__ == "__main__":
    main(sys.argv[1])
