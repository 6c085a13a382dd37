"""The student edition: the course's notebooks with every way to the answers taken out.

    python -m collapselab student                 # writes build/student/NN_*.ipynb
    python -m collapselab student --out handout/  # somewhere else

The committed notebooks already keep their solutions out of sight: the worked answers live in
``solutions/NN_*.py`` (run by the tests through each checker), and every exercise cell is stored
unsolved, its checker answering ``not yet: ...``. The student edition goes one step further, for a
room or a self-paced learner who should not stumble on the answers:

* the "Stuck? Worked solutions: ..." links to ``solutions/`` are replaced by a pointer to the
  checker's hints;
* the inline self-check answers (collapsed ``<details>`` blocks whose summary begins with
  "Answer") are removed; the optional maths boxes stay;
* every exercise cell (tagged ``exercise``) is cleared of its outputs and execution count, so the
  learner sees only the stub, runs it, and reads the verdict on their own answer;
* everything else (the narrative, figures and numbers) is kept as executed, so the notebook still
  reads well before it is run.

The notebooks are written beside each other, so their links to one another still work; they find
the library and the data folder as the originals do (``collapselab`` installed, ``data/`` or
``$COLLAPSELAB_DATA``).

**A learner's work is never overwritten.** The command records what it wrote (a marker file in
the folder with the SHA-256 of each notebook, see :mod:`collapselab._owned`). Run again (after a
``git pull``, say), it replaces its own unchanged notebooks, but refuses, naming them, to replace a
notebook the learner has edited since or a same-named file no student build wrote; nothing is
written then. Choose another ``--out`` for the new edition, move those files away, or pass
``--force`` to replace them (the learner's changes are lost). Other files in the folder are never
touched. It never writes into the course's own ``notebooks/`` folder (symlinks and relative paths
resolved), not even with ``--force``.

**All or nothing.** Every notebook of the course map (:data:`collapselab.course.lessons.LESSONS`) is read
and checked in memory before the first one is written: a missing or damaged notebook, or an
``--out`` that is a file or read-only, stops the command with one line naming it (exit status 2)
and nothing written. Each notebook is written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

from . import _owned
from ..course.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "build" / "student"

#: the tag that marks an exercise cell (a stub and its checker)
EXERCISE_TAG = "exercise"
#: a link to the worked solutions, as the notebooks write it, with the rest of its sentence
SOLUTION_LINK = re.compile(r"Stuck\? Worked solutions: \[[^\]]*\]\([^)]*solutions/[^)]*\)[^.\n]*\.?")
HINT = "Stuck? Run the checker with your best guess: its `not yet:` answer comes with a hint."
#: an inline self-check answer: a collapsed block whose summary begins with "Answer"
ANSWER_BLOCK = re.compile(r"\n*<details>\s*<summary>\s*Answers?\b.*?</details>[ \t]*", re.S)


def is_exercise(cell: dict) -> bool:
    """Whether ``cell`` is an exercise cell (a code cell tagged :data:`EXERCISE_TAG`)."""
    return cell["cell_type"] == "code" and EXERCISE_TAG in cell.get("metadata", {}).get("tags", [])


def student_notebook(notebook: dict) -> dict:
    """A copy of ``notebook`` (nbformat JSON as a dict) with solution links replaced by :data:`HINT`,
    inline answers (:data:`ANSWER_BLOCK`) removed, and exercise cells cleared of outputs and
    execution counts. Other collapsed blocks (the optional maths) stay."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            cell["source"] = ANSWER_BLOCK.sub("", SOLUTION_LINK.sub(HINT, source))
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
        if cell["cell_type"] == "markdown" and ANSWER_BLOCK.search(source):
            found.append(f"cell {index}: shows an inline answer")
        for output in cell.get("outputs", []):
            text = output.get("text", output.get("data", {}).get("text/plain", ""))
            text = "".join(text) if isinstance(text, list) else text
            if re.search(r"(^|\n)correct:", text):
                found.append(f"cell {index}: shows a 'correct:' verdict")
    return found


class EditionError(ValueError):
    """The student edition cannot be written; the message says why and what to do."""


def edition(root: Path = ROOT) -> dict[str, dict]:
    """Every notebook of the course map as its student edition, by file name, read and checked
    in memory. Raises :class:`EditionError` naming missing or unreadable notebooks, or a notebook
    that would still show a solution."""
    missing = [lesson.filename for lesson in LESSONS if not (root / "notebooks" / lesson.filename).is_file()]
    if missing:
        raise EditionError(f"{len(missing)} notebook(s) of the course are missing from {root / 'notebooks'}: "
                           f"{', '.join(missing)}; restore them (git checkout notebooks/) and run again")
    notebooks = {}
    for lesson in LESSONS:
        source = root / "notebooks" / lesson.filename
        try:
            notebook = student_notebook(json.loads(source.read_text(encoding="utf-8")))
            problems = mentions_solutions(notebook)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise EditionError(f"{source} is not a readable notebook ({type(exc).__name__}: {exc}); restore it "
                               "(git checkout notebooks/) and run again") from None
        if problems:
            raise EditionError(f"{lesson.filename}: the student edition would still show solutions "
                               f"({'; '.join(problems)}); write solution links as 'Stuck? Worked solutions: "
                               "[...](../solutions/...) ...' so they can be removed")
        notebooks[lesson.filename] = notebook
    return notebooks


def check_out(out: Path, root: Path = ROOT) -> None:
    """Refuse an ``out`` that is the course's own ``notebooks/`` folder (or inside it), a file, or
    not writable (:class:`EditionError`, before anything is written)."""
    course = (root / "notebooks").resolve()
    target = out.resolve()
    if target == course or course in target.parents:
        raise EditionError(f"--out {out} is the course's own notebooks/ folder: the student edition would replace "
                           "the notebooks with their solutions and outputs removed; choose another folder "
                           "(the default is build/student/)")
    try:
        _owned.check_writable_folder(out)
    except ValueError as exc:
        raise EditionError(str(exc)) from None


def write(out: Path = OUT, root: Path = ROOT, *, force: bool = False) -> list[Path]:
    """Write the student edition of every notebook of the course map into ``out``; return the paths.

    Nothing is written unless every notebook reads and checks (:func:`edition`), ``out`` is not the
    course's own ``notebooks/`` (:func:`check_out`), and no notebook in ``out`` would be replaced
    that this command did not write or that was edited since (unless ``force``)."""
    check_out(out, root)
    notebooks = edition(root)
    out.mkdir(parents=True, exist_ok=True)
    if not force:
        try:
            _owned.check_ours(out, list(notebooks), "student")
        except _owned.NotOursError as exc:
            raise EditionError(str(exc)) from None
    before = _owned.read_marker(out, "student")
    unchanged = [name for name in notebooks if isinstance(before.get(name), str) and (out / name).is_file()
                 and hashlib.sha256((out / name).read_bytes()).hexdigest() == before[name]]
    written = []
    try:
        for name, notebook in notebooks.items():
            target = out / name
            _owned.write_text(target, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
            written.append(target)
    finally:  # also when a write fails (a full disk): the marker names what this build wrote, and the
        # previous build's notebooks not reached yet, so the next build replaces them without a word
        _owned.record(out, "student", [name for name in notebooks
                                       if out / name in written or name in unchanged])
    return written


EPILOG = ("A rerun replaces only the notebooks the last student build wrote and nobody has edited since "
          "(a marker file in --out records them): a learner's edited notebook, or a same-named file no student "
          "build wrote, is refused by name and nothing is written; use another --out for a fresh edition, or "
          "--force. Every notebook is checked before any is written.")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``student`` to ``python -m collapselab``'s subcommands; :func:`run` handles it."""
    parser = subparsers.add_parser("student", help="write the student edition of the notebooks (no solutions)",
                                   description=__doc__.split("\n\n")[0], epilog=EPILOG)
    parser.add_argument("--out", type=_owned.folder_argument, default=OUT,
                        help="folder for the student notebooks [build/student/]; never the course's notebooks/")
    parser.add_argument("--force", action="store_true",
                        help="replace notebooks in --out that were edited since the last student build, or that "
                             "no student build wrote (their changes are lost)")
    return parser


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    """Write the student edition as the command line asked and say where (exit status 0). A problem
    found before writing (see :func:`write`) is one line, exit status 2 (through ``parser.error``
    when ``parser`` is given); a failure while writing (a full disk) is one line, exit status 1."""
    try:
        written = write(args.out.resolve(), force=args.force)
    except EditionError as exc:
        if parser is not None:
            parser.error(str(exc))  # one line, exit status 2
        print(f"student edition not written: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"student edition not completely written: {exc.strerror or exc} ({exc.filename or args.out}); "
              "free the space or fix the folder and run again (the notebooks written so far are kept)",
              file=sys.stderr)
        return 1
    shown = args.out if not args.out.is_absolute() else args.out.resolve()
    print(f"student edition: {len(written)} notebooks in {shown}/ (exercise outputs cleared, no links to "
          f"solutions/)\n  open it: jupyter lab {shown / LESSONS[0].filename}")
    return 0
