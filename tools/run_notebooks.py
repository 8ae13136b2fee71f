"""Execute the course notebooks top to bottom in a fresh kernel and store their outputs.

    python tools/run_notebooks.py                     every notebook in notebooks/
    python tools/run_notebooks.py notebooks/01_*.ipynb    just these

Each notebook runs in notebooks/ (as in JupyterLab), so execution counts are 1..N. Widget
state is not stored (metadata.widgets is removed), nor are widget views, which could only show
"model not found" without it: widgets keep their static fallback (a picture, a note). The
stored outputs are what nbval compares.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(path):
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    start = time.perf_counter()
    # record_timing=False: no execution timestamps in the cells (they would change every run).
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            # No widget state is saved, so a stored widget view could only say "model not
            # found". What stays is the static fallback each widget also displays (the
            # explorers' picture and note), which GitHub, nbconvert and Lab show until the
            # cell runs again and brings the live widget.
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(nb, path)
    return seconds


def main(args):
    paths = [Path(arg) for arg in args] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {run(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
