#!/usr/bin/env python3
# A stand-in for Claude Code (no real Claude here): takes --settings JSON like Claude Code, and after answering
# each line it reads runs the settings' Stop hook command with sh, in its own environment (AGENTWIRE_TERMINAL_ID
# comes from the hub), as Claude Code does when its turn ends.
import json, subprocess, sys
args = sys.argv[1:]
settings = json.loads(args[args.index('--settings') + 1])
hooks = settings['hooks']
print('hooks: ' + ','.join(sorted(hooks)), flush=True)
for line in sys.stdin:
    print('answer: ' + line.strip(), flush=True)
    for group in hooks['Stop']:
        for hook in group['hooks']:
            subprocess.run(['sh', '-c', hook['command']])
    print('turn done', flush=True)
