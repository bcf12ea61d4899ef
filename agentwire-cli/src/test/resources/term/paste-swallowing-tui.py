#!/usr/bin/env python3
# A stand-in TUI: raw mode, echoes what is typed, and treats an Enter that comes within 100 ms of the text
# before it as part of a paste (swallows it), as Claude Code's and other TUIs' input boxes do.
import os, sys, time, tty
tty.setraw(0)
last = 0.0
line = ''
os.write(1, b'ready> ')
while True:
    data = os.read(0, 1024)
    if not data:
        break
    now = time.monotonic()
    for ch in data.decode(errors='replace'):
        if ch == '\r':
            if now - last < 0.1:
                continue
            os.write(1, ('\r\ngot: ' + line + '\r\nready> ').encode())
            line = ''
        else:
            line += ch
            last = now
            os.write(1, ch.encode())
