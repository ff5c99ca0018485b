"""Runs cells on a Jupyter kernel and prints every IOPub message and reply as JSON (test helper).

usage: /usr/bin/python3 drive.py KERNEL_NAME CWD OUT.json < cells.json   (JUPYTER_PATH finds the kernel)
cells.json: [{"code": "...", "stop_on_error": false}, ...]
writes OUT.json (not stdout: the kernel shares it): {"ready_seconds": s, "cells": [{"reply": {...}, "messages": [{"msg_type", "content"}], "seconds": s}]}
"""
import json, sys, time
from jupyter_client.manager import start_new_kernel

def main():
    name, cwd = sys.argv[1], sys.argv[2]
    cells = json.load(sys.stdin)
    t0 = time.time()
    km, kc = start_new_kernel(kernel_name=name, cwd=cwd, startup_timeout=60)
    out = {"ready_seconds": time.time() - t0, "cells": []}
    try:
        for cell in cells:
            msgs = []
            t = time.time()
            reply = kc.execute_interactive(
                cell["code"], output_hook=lambda m: msgs.append({"msg_type": m["msg_type"], "content": m["content"]}),
                timeout=120, stop_on_error=cell.get("stop_on_error", True))
            out["cells"].append({"reply": reply["content"], "seconds": time.time() - t,
                                 "messages": [m for m in msgs if m["msg_type"] != "status"]})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    with open(sys.argv[3], "w") as f:
        json.dump(out, f)

main()
