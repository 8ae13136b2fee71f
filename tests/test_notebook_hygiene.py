"""The stored notebooks follow the course's conventions (see STYLE.md and the README).

nbval checks that each notebook still produces its stored outputs; these tests check what
nbval does not: that the outputs are there, in order, from a clean run, and readable.
"""

import base64
import importlib.util
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

    def test_no_execution_timestamps(self, path):
        # They change at every run (tools/run_notebooks.py does not record them): noise in a
        # diff, and a merge conflict in every cell when two people re-run the same lesson.
        for cell in load(path)["cells"]:
            assert "execution" not in cell.get("metadata", {}), cell["source"][:2]

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


# --------------------------------------------------------------------------------------
# Lessons that fit a class, read well without a kernel, and link to each other
# --------------------------------------------------------------------------------------

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_REPR = re.compile(r"^(VBox|HBox|Box|IntSlider|FloatSlider|FloatLogSlider|Output)\(")


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_fits_one_class(path):
    lesson_time = load_tool("lesson_time")
    minutes = lesson_time.estimate(path)[0]
    assert minutes <= lesson_time.LIMIT, f"{path.name}: about {minutes:.0f} minutes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_links_to_the_previous_and_next_lesson(path):
    last = source(load(path)["cells"][-1])
    number = NOTEBOOKS.index(path)
    links = re.findall(r"\]\(([0-9][0-9]_\w+\.ipynb)\)", last.split("---")[-1])
    expected = [p.name for p in NOTEBOOKS[max(number - 1, 0):number + 2] if p != path]
    assert links == expected, (links, expected)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_test_markers_in_the_code_students_read(path):
    for cell in code_cells(load(path)):
        assert "NBVAL" not in source(cell), source(cell)[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_outputs_are_stored_as_a_picture_or_text_not_as_a_widget(path):
    for cell in code_cells(load(path)):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert WIDGET_VIEW not in data, source(cell)[:200]
            assert not WIDGET_REPR.match("".join(data.get("text/plain", ""))), source(cell)[:200]
        if "Explorer(" in source(cell):
            fallback = [output["data"] for output in cell["outputs"] if "data" in output]
            assert any("image/png" in data or "text/html" in data for data in fallback)
            assert any("Run the notebook" in "".join(data.get("text/plain", ""))
                       for data in fallback)


def test_the_first_code_cell_of_the_course_checks_the_environment():
    first = code_cells(load(NOTEBOOKS[0]))[0]
    assert source(first).strip() == "%run ../tools/check_environment.py"


def test_the_readme_links_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(notebooks/([0-9][0-9]_\w+\.ipynb)\)", readme)
    assert linked == [path.name for path in NOTEBOOKS]


def test_the_readme_gives_each_lesson_its_estimated_time():
    lesson_time = load_tool("lesson_time")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        row = re.search(rf"\(notebooks/{path.name}\) \|.*\| (\d+) \|", readme)
        assert row and int(row.group(1)) == round(lesson_time.estimate(path)[0]), path.name


def test_no_references_to_tracker_issues():
    """The project speaks for itself: no tracker issue numbers in what it ships, tests too."""
    paths = NOTEBOOKS + sorted(ROOT.glob("*.md")) + sorted(ROOT.glob("*.py")) + sorted(
        (ROOT / "tools").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*")) + sorted(
        (ROOT / "tests").glob("*.py")) + [ROOT / ".ci" / "run"]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b[Ii]ssue #?\d+", text), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_fit_the_width_lab_shows_without_shrinking_them(path):
    # rnn_viz.MAX_FIGURE_WIDTH is 850 px; the inline backend's tight bounding box may add ~10.
    for cell in code_cells(load(path)):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                width = int.from_bytes(base64.b64decode(png)[16:20], "big")   # the IHDR chunk
                assert width <= 870, (source(cell)[:120], width)
