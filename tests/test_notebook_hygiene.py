"""The stored notebooks follow the course's conventions (see STYLE.md and the README).

nbval checks that each notebook still produces its stored outputs; these tests check what
nbval does not: that the outputs are there, in order, from a clean run, and readable.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


def code_cells(nb):
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code" and source(cell).strip()]


def test_the_course_has_its_notebooks():
    numbers = [path.name[:2] for path in NOTEBOOKS]
    assert numbers == [f"{k:02d}" for k in range(len(NOTEBOOKS))], numbers
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
class TestNotebook:
    def test_kernelspec_is_python3(self, path):
        assert load(path)["metadata"]["kernelspec"]["name"] == "python3"

    def test_no_saved_widget_state(self, path):
        assert "widgets" not in load(path)["metadata"]

    def test_executed_top_to_bottom(self, path):
        counts = [cell.get("execution_count") for cell in code_cells(load(path))]
        assert counts == list(range(1, len(counts) + 1))

    def test_no_errors_stored(self, path):
        for cell in code_cells(load(path)):
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", source(cell)[:200]
                assert output.get("name") != "stderr", (source(cell)[:200], output)

    def test_no_raw_numpy_reprs_or_object_reprs(self, path):
        # Print rounded numbers; end plot cells with plt.show().
        for cell in code_cells(load(path)):
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", "")) + "".join(
                    output.get("data", {}).get("text/plain", ""))
                assert "np.float64(" not in text, source(cell)[:200]
                assert not re.search(r"<matplotlib\.\w+.* at 0x|<Line2D|Text\(", text), text

    def test_first_cell_introduces_the_notebook(self, path):
        first = load(path)["cells"][0]
        text = source(first)
        assert first["cell_type"] == "markdown" and text.startswith("# ")
        assert "What you will learn" in text
        assert "Prerequisites" in text or "prerequisites" in text

    def test_ends_with_summary_and_exercises_with_solutions(self, path):
        markdown = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
        assert "Summary" in markdown and "Exercise" in markdown
        assert markdown.count("<summary>Solution</summary>") >= 2

    def test_imports_rnn_core_without_path_hacks(self, path):
        code = "\n".join(source(c) for c in code_cells(load(path)))
        assert re.search(r"^\s*(import rnn_core|from rnn_core import)", code, re.M)
        assert "sys.path" not in code
        assert not re.search(r"['\"](/work|/home|/root|/tmp|C:\\)", code)
