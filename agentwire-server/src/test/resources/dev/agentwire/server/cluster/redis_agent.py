"""A service agent that knows nothing of agentwire: only redis-py and the orchestrator seed's envelopes.

usage: redis_agent.py PORT list|pubsub KEY
Actions: suggest {of} answers {name: OF-svc}, or the seed's NAMESPACE_COLLISION error for "taken";
garbage answers a line that is not an envelope; silent answers nothing.
"""
import json
import sys
import time

import redis

port, mode, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)


def answer(req):
    start = time.time()
    action = req.get("action")
    data = req.get("data") or {}
    if action == "silent":
        return
    if action == "garbage":
        reply = "this is not an envelope"
    elif action == "suggest" and data.get("of") == "taken":
        reply = json.dumps({"id": req["id"], "status": "error",
                            "error": {"code": "NAMESPACE_COLLISION", "message": "taken is taken",
                                      "details": {"name": "taken"}}})
    else:
        reply = json.dumps({"id": req["id"], "status": "success",
                            "data": {"name": str(data.get("of")) + "-svc", "interface": req.get("interface")},
                            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                            "processing_time_ms": int((time.time() - start) * 1000)})
    if mode == "list":
        r.lpush(req["reply_to"], reply)
    else:
        r.publish(req["reply_to"], reply)


if mode == "list":
    print("ready", flush=True)
    while True:
        _, value = r.brpop(key)
        answer(json.loads(value))
else:
    p = r.pubsub()
    p.subscribe(key)
    for m in p.listen():
        if m["type"] == "subscribe":
            print("ready", flush=True)
        elif m["type"] == "message":
            answer(json.loads(m["data"]))
