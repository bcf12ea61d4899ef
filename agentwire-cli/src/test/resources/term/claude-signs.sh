#!/bin/sh
# A stand-in for Claude Code without hooks that shows the end of its turn one way, given as $1: the title
# (a Braille spinner, then the idle star), OSC 9;4 progress (shown, then removed), or the status line
# ("esc to interrupt" while it works, then nothing).
printf 'ready\n'
read -r line
case "$1" in
  title) printf '\033]0;\342\240\202 Working\007'; sleep 0.2; printf '\033]0;\342\234\263 Claude Code\007' ;;
  progress) printf '\033]9;4;3\007working\n'; sleep 0.2; printf '\033]9;4;0\007' ;;
  status) printf '\342\234\273 Thinking (esc to interrupt)\r'; sleep 0.2; printf '\342\234\273 Thinking (esc to interrupt)\r' ;;
esac
printf 'answered %s\n' "$line"
exec cat
