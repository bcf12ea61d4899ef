"""A caller that knows nothing of agentwire: it pushes the seed's request envelope onto agentwire:call:SERVICE with
a reply_to list and prints the answer envelope it pops from there.

usage: redis_caller.py PORT SERVICE REQUEST_JSON
"""
import json
import sys
import uuid

import redis

port, service, request = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
reply_to = "caller:" + uuid.uuid4().hex
request["reply_to"] = reply_to
r.lpush("agentwire:call:" + service, json.dumps(request))
answer = r.brpop(reply_to, timeout=20)
print(answer[1] if answer else "no answer")
