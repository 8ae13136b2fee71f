"""Execute the course notebooks top to bottom in a fresh kernel and store their outputs.

    python tools/run_notebooks.py                     every notebook in notebooks/
    python tools/run_notebooks.py notebooks/01_*.ipynb    just these

Each notebook runs in notebooks/ (as in JupyterLab), so execution counts are 1..N. Widget
state is not stored (metadata.widgets is removed): the stored outputs are what nbval compares.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def run(path):
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def main(args):
    paths = [Path(arg) for arg in args] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {run(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
