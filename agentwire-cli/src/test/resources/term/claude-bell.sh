#!/bin/sh
# A stand-in for Claude Code without hooks: answers each line and rings the bell when its turn ends.
printf 'ready\n'
while read -r line; do
  printf 'answer: %s\n' "$line"
  printf '\a'
done
