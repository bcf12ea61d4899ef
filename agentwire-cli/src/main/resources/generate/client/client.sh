#!/usr/bin/env bash
# A minimal agentwire client in bash: hub/hello and one request over the hub's Unix socket, with socat (or
# OpenBSD nc). Run: bash client.sh [METHOD] [PARAMS-JSON]. The socket: $AGENTWIRE_HOME/hub.sock, else
# ~/.agentwire/hub.sock.
set -euo pipefail
method="${1:-hub/ping}"
params="${2:-{\}}"
sock="${AGENTWIRE_HOME:-$HOME/.agentwire}/hub.sock"
if [ ! -S "$sock" ]; then
  echo "no hub socket at $sock (start one with: aw hub)" >&2
  exit 3
fi
requests=$(printf '%s\n%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"hub/hello","params":{"name":"bash-client"}}' \
  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"$method\",\"params\":$params}")
if command -v socat >/dev/null; then
  answers=$(printf '%s\n' "$requests" | socat -t 5 - "UNIX-CONNECT:$sock") || { echo "cannot connect to $sock (aw doctor explains)" >&2; exit 3; }
elif command -v nc >/dev/null; then
  answers=$(printf '%s\n' "$requests" | nc -N -U "$sock") || { echo "cannot connect to $sock (aw doctor explains)" >&2; exit 3; }
else
  echo "needs socat or nc (netcat-openbsd)" >&2
  exit 2
fi
hello=$(printf '%s\n' "$answers" | sed -n 1p)
answer=$(printf '%s\n' "$answers" | sed -n 2p)
case "$hello" in *'"error"'*) echo "hub/hello failed: $hello" >&2; exit 4 ;; esac
echo "$answer"
case "$answer" in *'"error"'*) exit 1 ;; esac
