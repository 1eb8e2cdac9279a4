"""Reading planner files with clear errors, and writing outputs atomically."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from common.errors import InputError


def require_file(path: Path, what: str) -> Path:
    """Return path if it is a readable file, else an InputError naming it."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), f"the {what} file does not exist",
                         f"check the path, or pass the right file on the command line")
    if not path.is_file():
        raise InputError(str(path), f"the {what} path is not a file", "point it at a CSV/YAML file")
    return path


def read_csv(path: Path, what: str, required: list[str]) -> pd.DataFrame:
    """Read a CSV as strings, checking it parses and has the required columns.

    Columns stay strings so each caller converts and validates its own types
    and can name the exact row that is wrong.
    """
    require_file(path, what)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(str(path), f"the {what} file is empty",
                         f"it needs a header row with columns {', '.join(required)}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read as CSV ({str(exc).strip()})",
                         "save it as comma-separated UTF-8 text with one header row") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(repr(c) for c in missing)}; "
                         f"found {', '.join(repr(c) for c in frame.columns)}",
                         f"add the column(s); the {what} file needs {', '.join(required)}")
    return frame


def row_label(path: Path, index: int) -> str:
    """'file.csv row N' where N counts the header as row 1, as a spreadsheet shows it."""
    return f"{path} row {index + 2}"


def parse_number(value: str, where: str, column: str, *, integer: bool = False,
                 minimum: float | None = None) -> float:
    """Parse one numeric cell with a message naming row and column."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{where}, column '{column}'", f"'{text}' is not a number",
                         f"write a plain number in '{column}' (e.g. 12 or 12.5)") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"{where}, column '{column}'", f"'{text}' is not a finite number",
                         f"write a plain number in '{column}'")
    if integer and not number.is_integer():
        raise InputError(f"{where}, column '{column}'", f"'{text}' is not a whole number",
                         f"'{column}' counts things; write a whole number")
    if minimum is not None and number < minimum:
        raise InputError(f"{where}, column '{column}'", f"{text} is below the minimum {minimum:g}",
                         f"'{column}' cannot be negative; correct the value")
    return number


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder beside out_dir; on success move its files into out_dir.

    If anything fails, nothing in out_dir changes, so a planner never finds a
    half-written roster next to an old report.
    """
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-staging-", dir=parent))
    try:
        yield staging
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in sorted(staging.iterdir()):
            target = out_dir / item.name
            if item.is_dir() and target.is_dir():   # a folder of outputs replaces the old one whole
                shutil.rmtree(target)
            os.replace(item, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file via a temporary sibling and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
