"""Reading planner files with clear errors, and writing outputs atomically."""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from common.errors import InputError

log = logging.getLogger(__name__)


def require_file(path: Path, what: str) -> Path:
    """Return path if it is a readable file, else an InputError naming it."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), f"the {what} file does not exist",
                         f"check the path, or pass the right file on the command line")
    if not path.is_file():
        raise InputError(str(path), f"the {what} path is not a file", "point it at a CSV/YAML file")
    return path


def _decode(path: Path, what: str) -> str:
    """The file's text; a file that is not UTF-8 names the row of the first bad byte and the encoding to use."""
    data = Path(path).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and data[1:2] == b"\x00"):
        raise InputError(str(path), f"the {what} file is UTF-16 text (as Excel's 'Unicode Text' saves it)",
                         "save it as 'CSV UTF-8 (comma delimited)', or convert it: "
                         f"iconv -f UTF-16 -t UTF-8 {Path(path).name}")
    try:
        return data.decode("utf-8-sig")      # a byte-order mark (Excel's CSV UTF-8) is not part of the header
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        try:
            data.decode("cp1252")
            guess = "it looks like Windows-1252 (Western European, what Excel saves as plain 'CSV')"
            source = "cp1252"
        except UnicodeDecodeError:
            guess, source = "its encoding is not UTF-8", "LATIN1"
        raise InputError(f"{path} row {row}", f"byte 0x{data[exc.start]:02x} is not UTF-8 text; {guess}",
                         "save the file as UTF-8 ('CSV UTF-8' in Excel), or convert it: "
                         f"iconv -f {source} -t UTF-8 {Path(path).name} > fixed.csv") from None


def sniff_delimiter(header: str) -> str:
    """',' unless the header line is clearly split by ';' or a tab (a European spreadsheet's or an ACD's export)."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


_DECIMAL_COMMA = re.compile(r"^\s*(-?\d+),(\d+)\s*$")


def read_csv(path: Path, what: str, required: list[str]) -> pd.DataFrame:
    """Read a CSV as strings, checking it parses and has the required columns.

    Columns stay strings so each caller converts and validates its own types
    and can name the exact row that is wrong. A file split by ';' (or tabs) is
    read too, with decimal commas ("4,5") turned into points: a European
    spreadsheet saves CSV that way. In such a file a list in one cell (skills)
    is written with commas.
    """
    require_file(path, what)
    text = _decode(path, what)
    header = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True,
                            sep=delimiter)
    except pd.errors.EmptyDataError:
        raise InputError(str(path), f"the {what} file is empty",
                         f"it needs a header row with columns {', '.join(required)}") from None
    except pd.errors.ParserError as exc:
        raise InputError(str(path), f"cannot be read as CSV ({str(exc).strip()})",
                         "save it as comma-separated UTF-8 text with one header row") from None
    if delimiter != ",":
        log.info("%s: read as %s-separated, decimal commas as points", path,
                 "semicolon" if delimiter == ";" else "tab")
        frame = frame.apply(lambda column: column.str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True))
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        hint = ""
        if len(frame.columns) == 1 and any(sep in frame.columns[0] for sep in (";", "|", "\t")):
            hint = " (the header is one column: is the file split by something other than commas?)"
        raise InputError(str(path), f"missing column(s) {', '.join(repr(c) for c in missing)}; "
                         f"found {', '.join(repr(c) for c in frame.columns)}{hint}",
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


def _probe_write(folder: Path, flag: str, out: Path) -> None:
    """Create and delete a file in folder: the only test of writability that holds for root and read-only mounts."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".wfm-write-check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(flag, f"{out} cannot be written: {folder} refuses new files ({reason})",
                         "choose a folder you can write to (or fix its permissions or free space)") from None


def _nearest_existing(path: Path, flag: str, out: Path) -> Path:
    """The closest folder on the way to path that exists; a file in the way is an error."""
    for candidate in [path, *path.parents]:
        if candidate.exists():
            if not candidate.is_dir():
                raise InputError(flag, f"{out} cannot be created: {candidate} is a file, not a folder",
                                 "choose an output path whose folders are folders")
            return candidate
    return Path("/")


def check_output_folder(out: Path, flag: str = "--out") -> None:
    """Refuse an output folder that cannot be written, before any work starts (nothing is created).

    The folder may be missing (it is created when the outputs are written); it must not be a file, and
    both the folder (if it exists) and the place its staging folder goes (beside it) must take new files.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(flag, f"{out} is a file, not a folder", "give a folder (it is created if missing)")
    absolute = out.resolve()
    if out.is_dir():
        _probe_write(absolute, flag, out)
    _probe_write(_nearest_existing(absolute.parent, flag, out), flag, out)


def check_output_file(path: Path, flag: str = "--out") -> None:
    """Refuse an output file that cannot be written, before any work starts (nothing is created)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(flag, f"{path} is a folder, not a file", "give a file name, e.g. forecast.csv")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(flag, f"{path} exists and cannot be overwritten", "choose another file name")
    _probe_write(_nearest_existing(path.resolve().parent, flag, path), flag, path)


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
