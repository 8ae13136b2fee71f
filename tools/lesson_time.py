"""Estimate how long each notebook takes to teach, so that every lesson fits one 50-minute class.

    python tools/lesson_time.py            a table of every notebook in notebooks/

The estimate, in minutes, of one notebook taught at a teaching pace (read aloud, explained,
run; exercises left for after class):

    prose   the words of its markdown cells, except the closing Summary and Exercises,
            at 100 words a minute (reading aloud, with pauses for questions)
    code    its lines of code, at 5 lines a minute (each line read and explained)
    figures 2 minutes each (looked at and discussed)

Calibrated on the six notebooks the course had before its lessons were split, which a reader
took about 40, 55, 80, 90, 45 and 80 minutes to go through at a teaching pace: this estimate gives
45, 51, 68, 90, 43 and 77 for them. A rule of thumb, not a measurement.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 50                      # minutes: one class
WORDS_PER_MINUTE = 100
LINES_PER_MINUTE = 5
MINUTES_PER_FIGURE = 2


def estimate(path):
    """(minutes, prose words, code lines, figures) for the notebook at path."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    words = lines = figures = 0
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            words += len(text.split("## Summary")[0].split())
        elif cell["cell_type"] == "code":
            lines += sum(1 for line in text.splitlines() if line.strip())
            figures += sum("image/png" in output.get("data", {})
                           for output in cell.get("outputs", []))
    minutes = (words / WORDS_PER_MINUTE + lines / LINES_PER_MINUTE
               + figures * MINUTES_PER_FIGURE)
    return minutes, words, lines, figures


def main():
    print(f"{'notebook':<34}{'minutes':>8}{'words':>8}{'lines':>7}{'figures':>9}")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        minutes, words, lines, figures = estimate(path)
        print(f"{path.name:<34}{minutes:8.0f}{words:8d}{lines:7d}{figures:9d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
