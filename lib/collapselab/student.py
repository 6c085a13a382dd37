"""The student edition: the course's notebooks with every way to the answers taken out.

    python -m collapselab student                 # writes build/student/NN_*.ipynb
    python -m collapselab student --out handout/  # somewhere else

The committed notebooks already keep their solutions out of sight: the worked answers live in
``solutions/NN_*.py`` (run by the tests through each checker), and every exercise cell is stored
unsolved, its checker answering ``not yet: ...``. The student edition goes one step further, for a
room or a self-paced learner who should not stumble on the answers:

* the "Stuck? Worked solutions: ..." links to ``solutions/`` are replaced by a pointer to the
  checker's hints;
* every exercise cell (tagged ``exercise``) is cleared of its outputs and execution count, so the
  learner sees only the stub, runs it, and reads the verdict on their own answer;
* everything else (the narrative, figures and numbers) is kept as executed, so the notebook still
  reads well before it is run.

The notebooks are written beside each other, so their links to one another still work; they find
the library and the data folder as the originals do (``collapselab`` installed, ``data/`` or
``$COLLAPSELAB_DATA``).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
from pathlib import Path

from .course import LESSONS

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "student"

#: the tag that marks an exercise cell (a stub and its checker)
EXERCISE_TAG = "exercise"
#: a link to the worked solutions, as the notebooks write it, with the rest of its sentence
SOLUTION_LINK = re.compile(r"Stuck\? Worked solutions: \[[^\]]*\]\([^)]*solutions/[^)]*\)[^.\n]*\.?")
HINT = "Stuck? Run the checker with your best guess: its `not yet:` answer comes with a hint."


def is_exercise(cell: dict) -> bool:
    """Whether ``cell`` is an exercise cell (a code cell tagged :data:`EXERCISE_TAG`)."""
    return cell["cell_type"] == "code" and EXERCISE_TAG in cell.get("metadata", {}).get("tags", [])


def student_notebook(notebook: dict) -> dict:
    """A copy of ``notebook`` (nbformat JSON as a dict) with solution links replaced by :data:`HINT`
    and exercise cells cleared of outputs and execution counts."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            cell["source"] = SOLUTION_LINK.sub(HINT, source)
        elif is_exercise(cell):
            cell["outputs"] = []
            cell["execution_count"] = None
    return notebook


def mentions_solutions(notebook: dict) -> list[str]:
    """The cells of ``notebook`` that still point to or show a solution (links to ``solutions/``,
    or a ``correct:`` verdict in an output): empty for a proper student edition."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if "solutions/" in source:
            found.append(f"cell {index}: links to solutions/")
        for output in cell.get("outputs", []):
            text = output.get("text", output.get("data", {}).get("text/plain", ""))
            text = "".join(text) if isinstance(text, list) else text
            if re.search(r"(^|\n)correct:", text):
                found.append(f"cell {index}: shows a 'correct:' verdict")
    return found


def write(out: Path = OUT, root: Path = ROOT) -> list[Path]:
    """Write the student edition of every notebook of the course map into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in LESSONS:
        source = root / "notebooks" / lesson.filename
        if not source.is_file():
            continue
        notebook = student_notebook(json.loads(source.read_text(encoding="utf-8")))
        problems = mentions_solutions(notebook)
        if problems:
            raise ValueError(f"{lesson.filename}: the student edition would still show solutions "
                             f"({'; '.join(problems)}); write solution links as 'Stuck? Worked solutions: "
                             "[...](../solutions/...) ...' so they can be removed")
        target = out / lesson.filename
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``student`` to ``python -m collapselab``'s subcommands; :func:`run` handles it."""
    parser = subparsers.add_parser("student", help="write the student edition of the notebooks (no solutions)",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the student notebooks")
    return parser


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    written = write(args.out.resolve())
    shown = args.out if not args.out.is_absolute() else args.out.resolve()
    print(f"student edition: {len(written)} notebooks in {shown}/ (exercise outputs cleared, no links to "
          f"solutions/)\n  open it: jupyter lab {shown / LESSONS[0].filename}")
    return 0
