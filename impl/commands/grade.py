"""``verified-backprop grade SUBMISSIONS --function backward --hidden H --output O --out R``.

Grades every submission in a folder (:mod:`impl.testing.grading`): each runs in its own child
process with a time limit per call and a memory limit; the verdicts are computed here.
Writes ``R/grades.csv`` and ``R/<submission>/results.json`` (Gradescope's format), shows a
progress bar, and prints one line per submission.  Exit 0 when every submission was graded
(whatever the grades), 2 for a usage error — one line on standard error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis.configuration import set_hypothesis_home_dir
from tqdm import tqdm

from impl.commands.check_backward import add_convention_arguments, check_options
from impl.testing import grading
from impl.validation import check_output_directory

HELP = "grade a folder of backward passes: partial credit, feedback, Gradescope results"
DESCRIPTION = (
    "Grade every submission in SUBMISSIONS (a .py file, or a folder holding one) by checking "
    "its FUNCTION like check-backward does. Each submission runs in its own process with a "
    "time limit per call and a memory limit (process isolation, not a security sandbox). "
    "Writes OUT/grades.csv (submission, score, max_score, verdict, diagnosis) and "
    "OUT/<submission>/results.json in Gradescope's autograder format. See docs/grading.md."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", metavar="SUBMISSIONS", help="the folder to grade")
    parser.add_argument(
        "--function", default="backward", help="the function to grade (default: backward)"
    )
    parser.add_argument("--out", required=True, metavar="RESULTS", help="where results go")
    add_convention_arguments(parser)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.submissions)
    out = Path(args.out)
    try:
        options = check_options(args)
        if folder.is_file():
            raise ValueError(
                f"{folder} is a file, not a folder (SUBMISSIONS is the folder of them)"
            )
        if not folder.is_dir():
            raise ValueError(f"no such folder: {folder}")
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out {out} exists and is not a folder")
        check_output_directory("--out", out)  # before any grading: where the results go
        if not args.function.isidentifier():
            raise ValueError(f"--function {args.function!r} is not a Python name")
        if not grading.find_submissions(folder, args.function, exclude=out):
            raise ValueError(f"{folder} holds no submissions (.py files or folders)")
    except ValueError as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    options.pop("max_examples")
    hidden, output = options.pop("hidden"), options.pop("output")

    def bar(items: Iterator[Any], total: int) -> Iterator[Any]:
        return iter(tqdm(items, total=total, desc="grading", unit="submission", file=sys.stderr))

    with tempfile.TemporaryDirectory(prefix="verified-backprop-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            grades = grading.grade(
                folder,
                function=args.function,
                hidden=hidden,
                output=output,
                max_examples=args.examples,
                exclude=out,
                progress=bar,
                **options,
            )
        except ValueError as error:
            print(f"grade: {error}", file=sys.stderr)
            return 2
        finally:
            set_hypothesis_home_dir(None)
    if not grades:
        print(f"grade: {folder} holds no submissions (.py files or folders)", file=sys.stderr)
        return 2
    try:
        grading.write(grades, out)
    except OSError as error:  # checked above; a disk that filled up since, say
        print(f"grade: --out {out} cannot be written: {error.strerror or error}", file=sys.stderr)
        return 2
    width = max(len(entry.submission) for entry in grades)
    for entry in grades:
        print(
            f"{entry.submission:<{width}}  {entry.score:g}/{entry.max_score:g}  "
            f"{entry.verdict:<7}  {entry.diagnosis}"
        )
    print(f"wrote {out / 'grades.csv'} and {len(grades)} results.json")
    return 0
