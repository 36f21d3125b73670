"""Cell-level reading of CSV text (data files and platform exports): bytes to text,
delimiters, numbers and dates.

Cells are handled as `Column`s of stripped text stored as codes into their distinct
values, so every test and parse runs once per distinct value: a million-row file costs
one factorize per column plus one parse per distinct cell text.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlmplan.core.digits import (
    ARABIC_COMMA,
    ARABIC_DECIMAL,
    ARABIC_THOUSANDS,
    ascii_digits,
    strip_direction_marks,
)
from xlmplan.errors import DataError

DELIMITERS = ("\t", ";", ",")
NA_TEXT = frozenset({"", "-", "--", "—", "–", "n/a", "na", "nan", "null", "none"})

_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")
_FIELDS_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")

# --- bytes to text -----------------------------------------------------------------------


def read_file(path: Path) -> bytes:
    """The bytes of the data file at ``path``; a missing or unreadable file is one line."""
    if not path.is_file():
        raise DataError(f"{path}: file not found — check the path and file name.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"{path.name}: cannot read the file ({exc.strerror}) — check permissions."
        ) from None


def decode(name: str, raw: bytes) -> tuple[str, str]:
    """Return (text, encoding name): UTF-8 (BOM or not), UTF-16 LE/BE, else cp1256/cp1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            text, label = _utf8(raw[3:]), "UTF-8"
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name}: marked as UTF-8 but byte {exc.start + 4} is not valid UTF-8 (a damaged "
                "or re-encoded file) — download the export again or save it as CSV UTF-8."
            ) from None
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        order = "utf-16-le" if raw[:2] == b"\xff\xfe" else "utf-16-be"
        text, label = _utf16(raw[2:], order), "UTF-16"
    elif bare := _bare_utf16(raw):
        text, label = _utf16(raw, bare), "UTF-16"
    else:
        try:
            text, label = _utf8(raw), "UTF-8"
        except UnicodeDecodeError:
            text, label = _single_byte(raw)
    if _BINARY.search(text, 0, 100_000):
        raise DataError(
            f"{name}: contains binary data, not text — save it as CSV (UTF-8) or .xlsx and "
            "import that file."
        )
    return text.lstrip("\ufeff").rstrip("\x1a"), label


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # a character cut off at the very end of the file
            return raw[: exc.start].decode("utf-8")
        raise


def _utf16(raw: bytes, encoding: str) -> str:
    return raw[: len(raw) // 2 * 2].decode(encoding, errors="replace")


def _bare_utf16(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for BOM-less UTF-16 text (every other byte NUL), else None."""
    sample = raw[:4000]
    if len(sample) < 8 or sample.count(0) < len(sample) // 3:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 0.8 * len(sample) // 2:
        return "utf-16-le"
    if even > 0.8 * len(sample) // 2:
        return "utf-16-be"
    return None


def _single_byte(raw: bytes) -> tuple[str, str]:
    """Windows-1256 when high bytes come in runs (Arabic words), else Windows-1252."""
    sample = np.frombuffer(raw[:200_000], dtype=np.uint8)
    high = sample >= 0x80
    neighbour = np.zeros_like(high)
    neighbour[1:] |= high[:-1]
    neighbour[:-1] |= high[1:]
    runs = int((high & neighbour).sum())
    try:
        western = raw.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if western and runs <= 0.5 * int(high.sum()):
        return western, "Windows-1252"
    return raw.decode("cp1256", errors="replace"), "Windows-1256 (Arabic)"


# --- lines and cells ---------------------------------------------------------------------


def split_line(line: str, delimiter: str) -> list[str]:
    """Fields of one text line (quotes honoured)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # e.g. a field beyond the csv module's size limit
        return line.split(delimiter)


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits most lines into the same number (>= 2) of fields."""
    sample = [ln for ln in lines[:100] if ln.strip() and not ln.lstrip().startswith("#")]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [w for w in (len(split_line(ln, delimiter)) for ln in sample) if w >= 2]
        if not widths:
            continue
        mode, count = Counter(widths).most_common(1)[0]
        if (count, mode) > best_score:
            best, best_score = delimiter, (count, mode)
    return best


def read_cells(name: str, text: str, delimiter: str, width: int) -> pd.DataFrame:
    """Every cell as str ('' when empty); ragged rows are padded, never rejected."""
    names = list(range(max(width, 1)))
    for _ in range(100):
        try:
            return pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                header=None,
                names=names,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                low_memory=False,
            )
        except pd.errors.ParserError as exc:
            found = _FIELDS_ERROR.search(str(exc))
            if not found:
                raise DataError(
                    f"{name}: not a valid CSV file ({str(exc).strip()}) — check the quotes, or "
                    "save it again as CSV UTF-8."
                ) from None
            names = list(range(int(found.group(3))))
        except pd.errors.EmptyDataError:
            return pd.DataFrame({0: pd.Series([], dtype=object)})
    raise DataError(f"{name}: rows have too many different lengths — save it again as CSV UTF-8.")


class Column:
    """One column of stripped cell texts, stored as codes into its distinct values."""

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        self.codes = codes
        self.uniques = uniques

    @classmethod
    def of(cls, values: np.ndarray, text: Callable[[object], str] | None = None) -> Column:
        """Factorize `values` (missing -> ''); `text` turns non-str cells into text."""
        codes, uniques = pd.factorize(values)
        to_text = text or str
        cells = [_cell(u if isinstance(u, str) else to_text(u)) for u in uniques]
        table = np.array([*cells, ""], dtype=object)
        return cls(np.where(codes < 0, len(cells), codes), table)

    def __getitem__(self, i: int) -> str:
        return str(self.uniques[self.codes[i]])

    def test(self, predicate: Callable[[str], bool]) -> np.ndarray:
        """Boolean per row: `predicate` applied to each distinct value once."""
        flags = np.fromiter(
            (predicate(u) for u in self.uniques), dtype=bool, count=len(self.uniques)
        )
        return flags[self.codes]

    def equals(self, value: str) -> np.ndarray:
        return (self.uniques == value)[self.codes]

    @property
    def blank(self) -> np.ndarray:
        return self.equals("")

    def values(self) -> np.ndarray:
        return self.uniques[self.codes]

    def take(self, index: np.ndarray | slice) -> Column:
        return Column(self.codes[index], self.uniques)

    def sample(self, limit: int = 5000) -> tuple[list[str], np.ndarray]:
        """Distinct values among the first `limit` rows and how often each occurs there."""
        counts = np.bincount(self.codes[:limit], minlength=len(self.uniques))
        used = np.flatnonzero(counts)
        return [str(self.uniques[i]) for i in used], counts[used]


def _cell(text: str) -> str:
    """Cell text without surrounding whitespace (and direction marks, for non-ASCII text)."""
    s = text.strip()
    return s if s.isascii() else strip_direction_marks(s)


# --- numbers -----------------------------------------------------------------------------

_SPACE_MAP = str.maketrans("−\u00a0\u202f\u2009\u2007", "-    ")
_ARABIC_GROUPING = frozenset(ARABIC_DECIMAL + ARABIC_THOUSANDS + ARABIC_COMMA)


def _ascii(text: str) -> str:
    """Cell text with Persian/Arabic-Indic digits, Arabic separators and percent sign as
    ASCII, direction marks removed and the minus sign and narrow spaces as '-' and ' '."""
    return text if text.isascii() else ascii_digits(text).translate(_SPACE_MAP)


_SYMBOLS = "$€£¥₹₩₽₺₪฿₫₦₱₴₸₡₲₵₭₮₼₾﷼"
_CURRENCY = (
    rf"(?:[A-Z]{{0,3}}[{_SYMBOLS}]|[A-Z]{{3}}(?![A-Za-z])|zł|kr|Rs\.?|R\$|ر\.س|د\.إ|ریال|تومان)"
)
_PREFIX = re.compile(rf"^{_CURRENCY}\s*")
_SUFFIX = re.compile(rf"(?<![A-Za-z])\s*{_CURRENCY}$")
_BOUND = re.compile(r"^(?:<=?|>=?|≤|≥)\s*")
_GROUP_SPACE = re.compile(r"(?<=\d)[\s'’](?=\d{3})")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
_COMMA_SIMPLE = r"-?\d+(?:,\d+)?"

OK, BOUND, EMPTY, BAD = 0, 1, 2, 3


def number(text: str, decimal: str) -> tuple[float, int]:
    """Parse one cell: (value, OK | BOUND | EMPTY | BAD). `decimal` is '.' or ','.

    Handles currency marks (US$3.38, 1.234,56 €), percents (1.83% -> 0.0183), bounds
    ('< 10%' -> 0.1, BOUND), thousands separators, accounting negatives '(12)', Persian
    and Arabic-Indic digits, direction marks and the Arabic separators: a cell with '٫'
    (decimal), '٬' or '،' (thousands) has '٫' or '.' as decimal mark whatever `decimal`
    says, and its '٬'/'،' must group by three ('۱٬۲۳۴٫۵' -> 1234.5, '۱۲۳۴٬۵' is bad).
    """
    arabic = not text.isascii() and not _ARABIC_GROUPING.isdisjoint(text)
    s = _ascii(text).strip()
    if s.lower() in NA_TEXT:
        return np.nan, EMPTY
    flag = OK
    if bound := _BOUND.match(s):
        s, flag = s[bound.end() :], BOUND
    negative = False
    if s.startswith("(") and s.endswith(")"):
        s, negative = s[1:-1].strip(), True
    s, negative = _sign(s, negative)
    s = _PREFIX.sub("", s, count=1)
    s, negative = _sign(s, negative)
    percent = s.endswith("%") or s.startswith("%")
    s = s.strip("%").strip()
    s = _SUFFIX.sub("", s, count=1).strip()
    if not percent and s.endswith("%"):
        percent, s = True, s[:-1].strip()
    s = _GROUP_SPACE.sub("", s)
    if arabic:  # '٫' (now '.') is the decimal mark; '٬' (now ',') and '،' group thousands
        s, decimal = s.replace(ARABIC_COMMA, ","), "."
        whole = s.partition(".")[0]
        if "," in whole and not _grouped(whole, ","):
            return np.nan, BAD
    value = _plain(s, decimal)
    if value is None:
        return np.nan, BAD
    value = -value if negative else value
    return (value / 100 if percent else value), flag


def _sign(s: str, negative: bool) -> tuple[str, bool]:
    if s[:1] in ("+", "-"):
        return s[1:].lstrip(), negative ^ (s[0] == "-")
    return s, negative


def _plain(s: str, decimal: str) -> float | None:
    """Unsigned digits with '.'/',' separators, read with `decimal` as decimal mark."""
    if not s or any(c not in "0123456789.," for c in s):
        return float(s) if _SCIENTIFIC.fullmatch(s) else None
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        mark = "." if s.rfind(".") > s.rfind(",") else ","
        group = "," if mark == "." else "."
        whole, _, fraction = s.rpartition(mark)
        if not _grouped(whole, group) or not fraction.isdigit():
            return None
        return float(whole.replace(group, "") + "." + fraction)
    if not dots and not commas:
        return float(s)
    sep = "." if dots else ","
    if s.count(sep) > 1:
        return float(s.replace(sep, "")) if _grouped(s, sep) else None
    head, _, tail = s.partition(sep)
    if not tail.isdigit() or (head and not head.isdigit()):
        return None
    thousands = sep != decimal and len(tail) == 3 and 1 <= len(head) <= 3 and head != "0"
    return float(head + tail) if thousands else float((head or "0") + "." + tail)


def _grouped(s: str, sep: str) -> bool:
    parts = s.split(sep)
    return (
        1 <= len(parts[0]) <= 3
        and parts[0].isdigit()
        and all(len(p) == 3 and p.isdigit() for p in parts[1:])
    )


@dataclass
class Numbers:
    """Parsed number column: values (NaN when empty or bad), bad and bound masks per row."""

    values: np.ndarray
    bad: np.ndarray
    bound: np.ndarray


def parse_numbers(column: Column, decimal: str) -> Numbers:
    """Parse every row of `column`; plain numbers go through one vectorised pass."""
    uniques = pd.Series(column.uniques, dtype=object)
    if decimal == ".":
        fast = pd.to_numeric(uniques, errors="coerce").to_numpy(dtype=np.float64)
    else:
        fast = np.full(len(uniques), np.nan)
        simple = uniques.str.fullmatch(_COMMA_SIMPLE).to_numpy(dtype=bool)
        if simple.any():
            comma = uniques[simple].str.replace(",", ".", regex=False)
            fast[simple] = pd.to_numeric(comma, errors="coerce").to_numpy(dtype=np.float64)
    values = np.where(np.isfinite(fast), fast, np.nan)
    flags = np.zeros(len(uniques), dtype=np.int8)
    for i in np.flatnonzero(~np.isfinite(fast)):
        values[i], flags[i] = number(str(column.uniques[i]), decimal)
    codes = column.codes
    return Numbers(values[codes], (flags == BAD)[codes], (flags == BOUND)[codes])


def looks_numeric(text: str) -> bool:
    """A cell a number column could hold (either decimal convention)."""
    return number(text, ".")[1] != BAD or number(text, ",")[1] != BAD


_COMMA_EVIDENCE = re.compile(
    r"\d{1,3}(?:\.\d{3})+,\d+|\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(?:\.\d{3}){2,}"
)
_POINT_EVIDENCE = re.compile(
    r"\d{1,3}(?:,\d{3})+\.\d+|\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(?:,\d{3}){2,}"
)


def decimal_mark(columns: Sequence[Column], delimiter: str | None) -> str:
    """',' when the numbers of the mostly-numeric columns use a decimal comma, else '.'.

    With no evidence either way ('1.234' only) a ';'-delimited file reads as decimal comma.
    """
    comma = point = 0
    for column in columns:
        values, counts = column.sample()
        cores = [(_core(v), int(c)) for v, c in zip(values, counts, strict=True) if v]
        numeric = sum(c for core, c in cores if core is not None)
        if not cores or numeric < 0.9 * sum(c for _, c in cores):
            continue
        for core, c in cores:
            if core is None:
                continue
            comma += c * bool(_COMMA_EVIDENCE.fullmatch(core))
            point += c * bool(_POINT_EVIDENCE.fullmatch(core))
    if comma != point:
        return "," if comma > point else "."
    return "," if delimiter == ";" else "."


def _core(text: str) -> str | None:
    """The digits-and-separators part of a numeric-looking cell, else None."""
    if not looks_numeric(text):
        return None
    s = _BOUND.sub("", _ascii(text).strip()).strip("()+-% ")
    s = _SUFFIX.sub("", _PREFIX.sub("", s).strip("+-% ")).strip("% ")
    return _GROUP_SPACE.sub("", s)


# --- dates -------------------------------------------------------------------------------

_MONTH_NAMES = {
    1: "january jan januari januar janvier enero janeiro gennaio jänner ene gen",
    2: "february feb februari februar février fevrier febrero fevereiro febbraio fév fev",
    3: "march mar maart märz marz mars marzo março marco mrt mär",
    4: "april apr avril abril aprile avr abr",
    5: "may mei mai mayo maio maggio mag",
    6: "june jun juni juin junio junho giugno giu",
    7: "july jul juli juillet juil julio julho luglio lug",
    8: "august aug augustus août aout agosto ago",
    9: "september sep sept septembre septiembre setiembre setembro settembre set",
    10: "october oct oktober octobre octubre outubro ottobre okt out ott",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember décembre decembre diciembre dezembro dicembre dez dic déc",
}
MONTHS = {word: month for month, words in _MONTH_NAMES.items() for word in words.split()}
_FILLER_WORDS = (
    "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday ma di wo do vr za zo maandag dinsdag woensdag donderdag vrijdag "
    "zaterdag zondag mo mi fr sa so montag dienstag mittwoch donnerstag freitag samstag "
    "sonntag lun mer jeu ven sam dim lundi mardi mercredi jeudi vendredi samedi dimanche "
    "lunes martes miércoles miercoles jueves viernes sábado sabado domingo de del of the "
    "du der den st nd rd th er e"
)
_FILLERS = frozenset(_FILLER_WORDS.split())
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ,].*)?", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_YEAR_MONTH = re.compile(r"(\d{4})[-/.]?(\d{2})", re.ASCII)
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[T ,].*)?", re.ASCII)
_TIME_TAIL = re.compile(r"[\s,]*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?.*$")
_WORDS = re.compile(r"[^\W\d_]+|\d+")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?", re.ASCII)
_EXCEL_EPOCH = dt.date(1899, 12, 30)

DateSpan = tuple[dt.date, dt.date]


def parse_date(text: str, order: str = "") -> DateSpan | None:
    """(first, last) day of a date cell: one day, or a whole month ('January 2026', '202601').

    `order` ('dmy' or 'mdy') reads numeric dates such as 12/6/2025; without it they fail.
    """
    s = _ascii(text).strip().strip('"').strip()
    if not s:
        return None
    try:
        if m := _ISO.fullmatch(s):
            return _day(int(m[1]), int(m[2]), int(m[3]))
        if m := _COMPACT.fullmatch(s):
            return _day(int(m[1]), int(m[2]), int(m[3]))
        if m := _YEAR_MONTH.fullmatch(s):
            return _month(int(m[1]), int(m[2]))
        if m := _NUMERIC.fullmatch(s):
            if not order:
                return None
            a, b, year = int(m[1]), int(m[2]), int(m[3])
            year += 2000 if year < 100 else 0
            return _day(year, a, b) if order == "mdy" else _day(year, b, a)
        if _SERIAL.fullmatch(s) and 20_000 <= float(s) <= 80_000:
            day = _EXCEL_EPOCH + dt.timedelta(days=int(float(s)))
            return day, day
    except ValueError:
        return None
    return _word_date(_TIME_TAIL.sub("", s))


def _day(year: int, month: int, day: int) -> DateSpan:
    value = dt.date(year, month, day)
    return value, value


def _month(year: int, month: int) -> DateSpan:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def _word_date(s: str) -> DateSpan | None:
    """'Thu, 5 Feb 2026', 'March 27, 2026', '27 janvier 2026', 'January 2026'."""
    month: int | None = None
    numbers: list[str] = []
    for token in _WORDS.findall(s.lower()):
        if token.isdigit():
            numbers.append(token)
        elif (found := MONTHS.get(token.rstrip("."))) is not None:
            if month is not None:
                return None
            month = found
        elif token not in _FILLERS:
            return None
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if month is None or len(years) != 1 or len(days) > 1 or len(numbers) != 1 + len(days):
        return None
    try:
        if days:
            return _day(int(years[0]), month, int(days[0]))
        return _month(int(years[0]), month)
    except ValueError:
        return None


def date_order(values: Sequence[str], default: str = "") -> str | None:
    """'dmy' or 'mdy' for numeric dates such as 12/6/2025; '' when none; None when ambiguous.

    A first part above 12 means day first, a second part above 12 month first; when no
    value tells, `default` (the platform's order) is used, else the order is ambiguous.
    """
    firsts: list[int] = []
    seconds: list[int] = []
    for value in values:
        if m := _NUMERIC.fullmatch(_ascii(value).strip()):
            firsts.append(int(m[1]))
            seconds.append(int(m[2]))
    if not firsts:
        return ""
    day_first, month_first = max(firsts) > 12, max(seconds) > 12
    if day_first != month_first:
        return "dmy" if day_first else "mdy"
    return default or None


@dataclass
class Dates:
    """Parsed date column: first and last day per row (NaT when empty), bad mask per row."""

    start: np.ndarray
    end: np.ndarray
    bad: np.ndarray


def parse_dates(column: Column, order: str) -> Dates:
    """Parse every row of `column` (each distinct value once)."""
    n = len(column.uniques)
    start = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    end = start.copy()
    bad = np.zeros(n, dtype=bool)
    for i, value in enumerate(column.uniques):
        if not value or str(value).lower() in NA_TEXT:
            continue
        span = parse_date(str(value), order)
        if span is None:
            bad[i] = True
        else:
            start[i], end[i] = np.datetime64(span[0], "D"), np.datetime64(span[1], "D")
    codes = column.codes
    return Dates(start[codes], end[codes], bad[codes])


_RANGE_SEPARATORS = (" - ", " – ", " — ", " to ", " tot ", " bis ", " au ", " al ", " ~ ", "~")
_NAME_RANGES = (
    re.compile(r"(\d{4}[.\-_]\d{2}[.\-_]\d{2})\s*[-_~]\s*(\d{4}[.\-_]\d{2}[.\-_]\d{2})"),
    re.compile(r"(?<!\d)(\d{8})\s*[-_~]\s*(\d{8})(?!\d)"),
    re.compile(r"([A-Za-z]{3,9}-\d{1,2}-\d{4})-(?:to-)?([A-Za-z]{3,9}-\d{1,2}-\d{4})"),
    re.compile(r"(?<!\d)(\d{1,2}-[A-Za-z]{3,9}-\d{4})-?(\d{1,2}-[A-Za-z]{3,9}-\d{4})"),
)


def parse_range(text: str, order: str = "") -> DateSpan | None:
    """'March 27, 2026 - April 23, 2026', '20241122-20260120', '2026.02.05-2026.02.10'."""
    s = text.strip().strip('"').strip()
    for sep in _RANGE_SEPARATORS:
        if sep in s:
            left, _, right = s.partition(sep)
            return _span(parse_date(left, order), parse_date(right, order))
    for i in (i for i, c in enumerate(s) if c == "-"):
        first = parse_date(s[:i], order)
        if first is not None and (span := _span(first, parse_date(s[i + 1 :], order))):
            return span
    return None


def _span(first: DateSpan | None, last: DateSpan | None) -> DateSpan | None:
    if first is None or last is None or first[0] > last[1]:
        return None
    return first[0], last[1]


def range_in_name(stem: str) -> DateSpan | None:
    """A date range written in a download's file name, e.g. 'Devices(2026.02.05-2026.02.10)'."""
    for pattern in _NAME_RANGES:
        if m := pattern.search(stem):
            left, right = (part.replace("-", " ").replace("_", " ") for part in m.groups())
            if span := _span(parse_date(_dotted(left)), parse_date(_dotted(right))):
                return span
    return None


def _dotted(part: str) -> str:
    """'2026.02.05' and '2026 02 05' as ISO text; other parts unchanged."""
    digits = _DIGITS.findall(part)
    if len(digits) == 3 and len(digits[0]) == 4 and part.replace(" ", ".").count(".") == 2:
        return "-".join(digits)
    return part
