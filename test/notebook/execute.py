"""Executes notebooks on a kernel with nbclient and exports each to HTML (test helper).

usage: /usr/bin/python3 execute.py OUT_DIR REPORT.json NOTEBOOK.ipynb...
Each notebook runs in its own folder (so ../data resolves as in the repo). For each one the report
has: name, seconds, error (the CellExecutionError text or null), errors (error outputs), stderr
(stderr stream texts), figures (plotly outputs), loaders (outputs carrying plotly.js), html, ipynb.
"""
import json, os, sys, time, traceback
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

out_dir, report_path, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
report = []
for path in paths:
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    entry = {"name": name, "error": None}
    t = time.time()
    client = NotebookClient(nb, timeout=180, kernel_name="wirebook", startup_timeout=90,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    try:
        client.execute()
    except CellExecutionError as e:
        entry["error"] = str(e)[-4000:]
    except Exception:
        entry["error"] = traceback.format_exc()[-4000:]
    entry["seconds"] = time.time() - t
    errors, stderr, figures, loaders, counts = [], [], 0, 0, []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        counts.append(cell.get("execution_count"))
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                errors.append({"ename": o.ename, "evalue": o.evalue})
            elif o.output_type == "stream" and o.name == "stderr":
                stderr.append(o.text)
            elif o.output_type in ("display_data", "execute_result"):
                if "application/vnd.plotly.v1+json" in o.data:
                    figures += 1
                if "wirebookPlotly = (async" in o.data.get("text/html", ""):
                    loaders += 1
    entry.update(errors=errors, stderr=stderr, figures=figures, loaders=loaders, execution_counts=counts)
    entry["ipynb"] = os.path.join(out_dir, name + ".ipynb")
    nbformat.write(nb, entry["ipynb"])
    html, _ = HTMLExporter().from_notebook_node(nb)
    entry["html"] = os.path.join(out_dir, name + ".html")
    with open(entry["html"], "w", encoding="utf-8") as f:
        f.write(html)
    entry["html_bytes"] = len(html.encode("utf-8"))
    report.append(entry)
with open(report_path, "w") as f:
    json.dump(report, f)
