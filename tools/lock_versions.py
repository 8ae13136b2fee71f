"""Write constraints/current.txt: the exact versions in this venv, which produced the stored
notebook outputs (nbval compares them), so that every install reproduces them.

    python course.py lock        (runs this in .venv after re-executing the notebooks)

A version that does not support every Python the course supports (3.10 and up) is pinned only
for the Pythons it supports (an environment marker); older Pythons get the newest release that
requirements.txt allows.
"""

import sys
from importlib import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "constraints" / "current.txt"
SUPPORTED_MINORS = range(10, 14)      # Python 3.10 .. 3.13
SKIP = {"pip", "setuptools", "wheel", "rnn-from-scratch"}


def marker(requires_python):
    """An environment marker for the first supported Python that `requires_python` allows."""
    if not requires_python:
        return ""
    allowed = SpecifierSet(requires_python)
    minors = [m for m in SUPPORTED_MINORS if allowed.contains(f"3.{m}.99", prereleases=True)]
    if not minors or minors[0] == SUPPORTED_MINORS[0]:
        return ""
    return f'; python_version >= "3.{minors[0]}"'


def main():
    lines = []
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name in SKIP:
            continue
        lines.append(f"{name}=={dist.version}{marker(dist.metadata.get('Requires-Python'))}")
    python = ".".join(map(str, sys.version_info[:3]))
    header = ("# The exact versions that produced the notebooks' stored outputs (Python "
              f"{python}, {sys.platform}).\n# Used by every install (course.py); regenerate "
              "with `python course.py lock` after re-executing the notebooks.\n")
    OUTPUT.write_text(header + "\n".join(sorted(set(lines))) + "\n", encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(lines)} packages")


if __name__ == "__main__":
    if sys.argv[1:]:                   # nothing to choose: refuse rather than guess
        sys.exit(f"lock_versions: takes no arguments, got {' '.join(sys.argv[1:])}\n"
                 "usage: python course.py lock")
    main()
