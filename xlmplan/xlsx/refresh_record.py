"""The refresh record: an xlmplan-owned part that says what the last refresh left.

A refresh that writes a plan adds ``xlmplan/refresh-record.zip``: the zip CRC-32 and size
of every other part as written (read back from the zip directory, nothing inflated), and
a compact copy of the Data frame as parsed from the Data sheet, keyed by the CRC-32 and
size of the parts that frame was read from (the Data sheet and its Table, shared strings,
styles), the sheet's name, the workbook's date system and xlmplan's version.

* The next refresh takes Data from the copy while that key matches; any edit of the Data
  sheet changes its part's CRC or size, and Data is parsed as before.
* ``up_to_date`` says whether every part is still the one the last refresh wrote: then a
  refresh cannot change anything (see ``xlmplan/unchanged.py``), and the CLI answers
  with what that refresh reported (KPIs, findings), kept here too, without recomputing.

Excel and LibreOffice drop the part when they save (they rewrite every part anyway), so a
record never outlives the file it describes; a missing, damaged or stale record is
ignored. The record's own zip holds JSON and ``.npy`` arrays read without pickle.

This module imports neither pandas nor numpy at import time: ``up_to_date`` needs
neither.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xlmplan import __version__
from xlmplan.errors import WorkbookError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from xlmplan.core.response import Fit
    from xlmplan.xlsx.package import Package

PART = "xlmplan/refresh-record.zip"
CONTENT_TYPE = "application/vnd.xlmplan.refresh-record+zip"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FORMAT = 1
MAX_RECORD_BYTES = 512 * 1024 * 1024  # a record inflated beyond this is ignored
KEY_MEMBER = "key.json"
DATA_MEMBER = "data.json"
FITS_MEMBER = "fits.json"
SPLIT_MEMBER = "split.json"
SAID_MEMBER = "said.json"

PartKeys = dict[str, list[int]]  # part name -> [CRC-32, size]


@dataclass
class DataCopy:
    """Data as the last refresh parsed it: the canonical frame and the Table's headers."""

    frame: pd.DataFrame
    headers: list[str]


def part_keys(pkg: Package) -> PartKeys:
    """CRC-32 and size of every part but the record, from the zip directory."""
    return {i.filename: [i.CRC, i.file_size] for i in pkg.infos() if i.filename != PART}


def written_keys(
    pkg: Package,
    replace: Mapping[str, Any],
    remove: list[str],
    add: Mapping[str, Any],
) -> PartKeys | None:
    """The part keys of the file ``write_package(pkg, replace, remove, add)`` writes
    (None when a part is streamed, so its CRC is not known before writing)."""
    keys = {name: key for name, key in part_keys(pkg).items() if name not in remove}
    for name, data in [*replace.items(), *add.items()]:
        if name == PART:
            continue
        if not isinstance(data, bytes | bytearray):
            return None
        keys[name] = [zlib.crc32(data), len(data)]
    return keys


def data_key(pkg: Package, keys: PartKeys, sheet: str, sheet_part: str, table_part: str) -> dict:
    """What a parse of the Data sheet depends on: its part, its Table's part, shared
    strings and styles (dates are numbers with a date format), its name (in messages),
    the workbook's date system, xlmplan's version and template folder (the reader's
    rules and header aliases)."""
    shared = [
        target
        for kind, target in pkg.rels(pkg.workbook_part).values()
        if kind.endswith(("/sharedStrings", "/styles"))
    ]
    parts = sorted({sheet_part, table_part, *shared})
    return {
        "version": __version__,
        "templates": templates_stamp(),  # header aliases in every language
        "sheet": sheet,
        "date1904": _date1904(pkg),
        "parts": {p: keys.get(p) for p in parts},
    }


def _date1904(pkg: Package) -> bool:
    root = pkg.xml(pkg.workbook_part)
    for el in root:
        if isinstance(el.tag, str) and el.tag.endswith("}workbookPr"):
            return el.get("date1904", "0").lower() in ("1", "true")
    return False


def _open_record(pkg: Package) -> zipfile.ZipFile | None:
    if not pkg.has(PART):
        return None
    try:
        if pkg.info(PART).file_size > MAX_RECORD_BYTES:
            return None
        inner = zipfile.ZipFile(io.BytesIO(pkg.read(PART)))
        if sum(i.file_size for i in inner.infolist()) > MAX_RECORD_BYTES:
            return None
        return inner
    except (WorkbookError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # a damaged record is no record


def _json(inner: zipfile.ZipFile, member: str) -> Any:
    try:
        return json.loads(inner.read(member))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return None


def read_key(pkg: Package) -> dict | None:
    """The record's key (None: no readable record)."""
    inner = _open_record(pkg)
    if inner is None:
        return None
    with inner:
        key = _json(inner, KEY_MEMBER)
    return key if isinstance(key, dict) and key.get("format") == FORMAT else None


def templates_stamp() -> str:
    """A digest of the template folder in use (each file's path, size and time): label
    packs, templates and the metric catalog shape every refresh (``XLMPLAN_TEMPLATES``)."""
    import hashlib
    import os

    from xlmplan.core.template_root import templates_root

    root = templates_root()
    digest = hashlib.sha256(str(root).encode("utf-8"))
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            st = os.stat(os.path.join(folder, name))
            rel = os.path.relpath(os.path.join(folder, name), root)
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def up_to_date(pkg: Package) -> bool:
    """Every part of ``pkg`` is the one the last refresh wrote, by the same version of
    xlmplan with the same template folder: a refresh would find nothing to change."""
    key = read_key(pkg)
    return (
        key is not None
        and key.get("version") == __version__
        and key.get("parts") == part_keys(pkg)
        and key.get("templates") == templates_stamp()
    )


def read_said(pkg: Package) -> dict[str, Any] | None:
    """What the refresh that wrote the record reported (None: nothing kept)."""
    inner = _open_record(pkg)
    if inner is None:
        return None
    with inner:
        said = _json(inner, SAID_MEMBER)
    return said if isinstance(said, dict) else None


def record(
    parts: PartKeys,
    data: dict | None = None,
    copy: DataCopy | None = None,
    fits: tuple[str, list[Fit]] | None = None,
    said: dict[str, Any] | None = None,
    split: tuple[str, dict[str, float]] | None = None,
    sheets: dict[str, str] | None = None,
) -> bytes:
    """The record's bytes: the written parts' keys; with ``data`` (a ``data_key``) the
    Data copy it keys, left out when it does not decode to an equal frame; with ``fits``
    the Budget mix's response curves and their weekly series' key; with ``split`` its
    recommended weekly split and the key of what that split was optimised from; with
    ``sheets`` the digest of each sheet's fresh layout (``kept_sheets.py``); with
    ``said`` what the refresh reported (KPIs, findings: JSON) for a later refresh of the
    same parts."""
    members: dict[str, bytes] = {}
    if split is not None:
        text = _split_text(split)
        if text is not None:
            members[SPLIT_MEMBER] = text.encode("utf-8")
    if said is not None:
        members[SAID_MEMBER] = json.dumps(said, ensure_ascii=False).encode("utf-8")
    key: dict[str, Any] = {"format": FORMAT, "version": __version__, "parts": parts}
    key["templates"] = templates_stamp()
    if sheets is not None:
        key["sheets"] = sheets
    if fits is not None:
        text = _fits_text(fits)
        if text is not None:
            members[FITS_MEMBER] = text.encode("utf-8")
    if data is not None and copy is not None:
        encoded = _encode(copy)
        if encoded is not None:
            key["data"] = data
            members.update(encoded)
    members = {KEY_MEMBER: json.dumps(key, sort_keys=True).encode("utf-8"), **members}
    return _zip(members, zipfile.ZIP_DEFLATED)


def data_copy(pkg: Package, data: dict) -> DataCopy | None:
    """The Data copy when the record keys it with ``data`` (a ``data_key`` of the file
    as it is now); None when it does not, or cannot be read."""
    inner = _open_record(pkg)
    if inner is None:
        return None
    with inner:
        key = _json(inner, KEY_MEMBER)
        if not isinstance(key, dict) or key.get("format") != FORMAT or key.get("data") != data:
            return None
        try:
            return _decode(inner)
        except (KeyError, ValueError, TypeError, IndexError, OSError, EOFError, zlib.error):
            return None
        except zipfile.BadZipFile:
            return None


def recorded_fits(pkg: Package) -> tuple[str, list[Fit]] | None:
    """The response curves the record keeps, with their weekly series' key, when the
    same version of xlmplan fitted them (None otherwise)."""
    inner = _open_record(pkg)
    if inner is None:
        return None
    with inner:
        key = _json(inner, KEY_MEMBER)
        if not isinstance(key, dict) or key.get("version") != __version__:
            return None
        saved = _json(inner, FITS_MEMBER)
    try:
        return saved["key"], [_fit(f) for f in saved["fits"]]
    except (KeyError, TypeError, ValueError):
        return None


def recorded_sheets(pkg: Package) -> tuple[dict[str, str], PartKeys] | None:
    """The sheets' layout digests the record keeps and the part keys it wrote them with,
    when the same version of xlmplan with the same template folder wrote it."""
    key = read_key(pkg)
    if key is None or key.get("version") != __version__:
        return None
    sheets, parts = key.get("sheets"), key.get("parts")
    if not isinstance(sheets, dict) or not isinstance(parts, dict):
        return None
    if key.get("templates") != templates_stamp():
        return None
    return {str(r): str(d) for r, d in sheets.items()}, parts


def recorded_split(pkg: Package) -> tuple[str, dict[str, float]] | None:
    """The Budget mix split the record keeps, with its key, when the same version of
    xlmplan optimised it (None otherwise)."""
    inner = _open_record(pkg)
    if inner is None:
        return None
    with inner:
        key = _json(inner, KEY_MEMBER)
        if not isinstance(key, dict) or key.get("version") != __version__:
            return None
        saved = _json(inner, SPLIT_MEMBER)
    try:
        spend = {str(name): float(x) for name, x in saved["spend"].items()}
        return str(saved["key"]), spend
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _split_text(split: tuple[str, dict[str, float]]) -> str | None:
    """A split as JSON (floats as Python writes them, so they read back exactly); None
    when a figure is not a finite number."""
    import math

    key, spend = split
    try:
        figures = {str(name): float(x) for name, x in spend.items()}
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(x) for x in figures.values()):
        return None
    return json.dumps({"key": key, "spend": figures})


def _fits_text(fits: tuple[str, list[Fit]]) -> str | None:
    """Fits as JSON (floats as Python writes them, so they read back exactly); None when
    a fit does not survive the round trip."""
    import dataclasses

    try:
        text = json.dumps({"key": fits[0], "fits": [dataclasses.asdict(f) for f in fits[1]]})
        again = json.loads(text)
        back = json.dumps(
            {"key": again["key"], "fits": [dataclasses.asdict(_fit(f)) for f in again["fits"]]}
        )
    except (TypeError, ValueError, KeyError):
        return None
    return text if back == text else None


def _fit(saved: dict[str, Any]) -> Fit:
    from xlmplan.core.response import Curve, Fit

    fields = dict(saved)
    curve = fields.pop("curve")
    boot = fields.pop("boot")
    return Fit(
        **fields,
        curve=None if curve is None else Curve(**curve),
        boot=[Curve(**c) for c in boot],
    )


# --- the frame as JSON and .npy arrays ---------------------------------------------------
_KINDS = ("none", "nan", "str", "float", "int", "bool", "datetime", "date")


def _npy(array: np.ndarray) -> bytes:
    import numpy as np

    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def _load(inner: zipfile.ZipFile, name: str) -> np.ndarray:
    import numpy as np

    with inner.open(name) as fh:
        return np.load(io.BytesIO(fh.read()), allow_pickle=False)


def _encode(copy: DataCopy) -> dict[str, bytes] | None:
    """JSON and arrays for ``copy``, or None when a column holds what is not encoded here
    or the decoded frame would differ in any value, type or attribute."""
    import numpy as np
    import pandas as pd

    frame = copy.frame
    try:
        json.dumps(frame.attrs)
    except (TypeError, ValueError):
        return None
    if not all(isinstance(c, str) for c in frame.columns):
        return None
    members: dict[str, bytes] = {}
    columns: list[dict[str, Any]] = []
    for j, name in enumerate(frame.columns):
        values = frame.iloc[:, j]
        dtype = values.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "fiubM":
            members[f"c{j}.npy"] = _npy(values.to_numpy())
            columns.append({"name": name, "kind": "array"})
        elif dtype.kind == "O":
            encoded = _encode_objects(values.to_numpy(dtype=object))
            if encoded is None:
                return None
            kinds, codes, numbers, table = encoded
            members[f"c{j}.kinds.npy"] = _npy(kinds)
            members[f"c{j}.texts.npy"] = _npy(codes)
            members[f"c{j}.numbers.npy"] = _npy(numbers)
            members[f"c{j}.table.npy"] = _npy(table)
            columns.append({"name": name, "kind": "objects"})
        else:
            return None
    index = frame.index
    plain = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    if not plain:
        if index.dtype.kind not in "iu" or index.name is not None:
            return None
        members["index.npy"] = _npy(index.to_numpy())
    meta = {
        "columns": columns,
        "rows": len(frame),
        "attrs": frame.attrs,
        "headers": copy.headers,
    }
    members[DATA_MEMBER] = json.dumps(meta).encode("utf-8")
    inner = zipfile.ZipFile(io.BytesIO(_zip(members)))
    decoded = _decode(inner)
    return members if _same(decoded.frame, frame) else None


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """Members dated 1980-01-01, so equal contents give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, blob in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            out.writestr(info, blob, compresslevel=1 if method == zipfile.ZIP_DEFLATED else None)
    return buffer.getvalue()


def _encode_objects(
    values: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """An object column as a kind per cell, a code per text cell into the table of
    distinct texts, a number per cell (floats; dates and times as days or microseconds
    since 1970) and that table."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # texts, no blank
        found, uniques = pd.factorize(values)
        table = np.array(list(uniques), dtype=str) if len(uniques) else table0()
        if any("\x00" in s for s in uniques):
            return None
        return np.full(len(values), 2, np.uint8), found.astype(np.int64), np.zeros(0), table
    if all(v is None for v in values):  # an extra column nobody filled
        return np.zeros(len(values), np.uint8), np.zeros(0, np.int64), np.zeros(0), table0()
    kinds = np.zeros(len(values), dtype=np.uint8)
    numbers = np.zeros(len(values), dtype=np.float64)
    codes: dict[str, int] = {}
    text_codes = np.full(len(values), -1, dtype=np.int64)
    epoch = dt.datetime(1970, 1, 1)
    for i, v in enumerate(values):
        t = type(v)
        if v is None:
            kinds[i] = 0
        elif t is float and v != v:
            kinds[i] = 1
        elif t is str:
            kinds[i] = 2
            text_codes[i] = codes.setdefault(v, len(codes))
        elif t is float:
            kinds[i], numbers[i] = 3, v
        elif t is int and abs(v) < 2**53:
            kinds[i], numbers[i] = 4, v
        elif t is bool:
            kinds[i], numbers[i] = 5, v
        elif t is dt.datetime and v.tzinfo is None:
            kinds[i], numbers[i] = 6, (v - epoch) // dt.timedelta(microseconds=1)
        elif t is dt.date:
            kinds[i], numbers[i] = 7, (v - epoch.date()).days
        else:
            return None
    table = np.array(list(codes), dtype=str) if codes else table0()
    if any("\x00" in s for s in codes):  # numpy's text arrays drop trailing NULs
        return None
    return kinds, text_codes, numbers, table


def table0() -> np.ndarray:
    """An empty table of texts."""
    import numpy as np

    return np.array([], dtype="<U1")


def _decode_objects(
    kinds: np.ndarray, text_codes: np.ndarray, numbers: np.ndarray, table: np.ndarray
) -> np.ndarray:
    import datetime as dt

    import numpy as np

    if kinds.size and int(kinds.max()) >= len(_KINDS):
        raise ValueError("unknown cell kind")
    epoch = dt.datetime(1970, 1, 1)
    out = np.full(len(kinds), None, dtype=object)
    texts = np.array([str(s) for s in table] + [""], dtype=object)
    where = kinds == 2
    if where.any():
        picked = text_codes[where]
        if picked.min() < 0 or picked.max() >= len(table):
            raise IndexError("a text code outside the Data copy's table")
        out[where] = texts[picked]
    if (kinds == 0).all():
        return out
    if len(numbers) == len(kinds):
        out[kinds == 1] = float("nan")
        for kind, cast in ((3, float), (4, int), (5, bool)):
            where = kinds == kind
            if where.any():
                cells = np.empty(int(where.sum()), dtype=object)
                cells[:] = [cast(v) for v in numbers[where].tolist()]
                out[where] = cells
        for i in np.flatnonzero(kinds == 6).tolist():
            out[i] = epoch + dt.timedelta(microseconds=int(numbers[i]))
        for i in np.flatnonzero(kinds == 7).tolist():
            out[i] = epoch.date() + dt.timedelta(days=int(numbers[i]))
    elif not where.all():
        raise ValueError("the Data copy's numbers are missing")
    return out


def _decode(inner: zipfile.ZipFile) -> DataCopy:
    import pandas as pd

    meta = json.loads(inner.read(DATA_MEMBER))
    data: dict[int, Any] = {}
    for j, column in enumerate(meta["columns"]):
        if column["kind"] == "array":
            data[j] = pd.Series(_load(inner, f"c{j}.npy"))
        else:
            kinds = _load(inner, f"c{j}.kinds.npy")
            codes = _load(inner, f"c{j}.texts.npy")
            numbers = _load(inner, f"c{j}.numbers.npy")
            table = _load(inner, f"c{j}.table.npy")
            data[j] = pd.Series(_decode_objects(kinds, codes, numbers, table), dtype=object)
        if len(data[j]) != meta["rows"]:
            raise ValueError("a column of the Data copy has the wrong length")
    frame = pd.DataFrame(data) if data else pd.DataFrame(index=range(meta["rows"]))
    frame.columns = pd.Index([c["name"] for c in meta["columns"]], dtype=object)
    if "index.npy" in inner.namelist():
        frame.index = pd.Index(_load(inner, "index.npy"))
    frame.attrs.update(meta["attrs"])
    return DataCopy(frame, [str(h) for h in meta["headers"]])


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal frames: columns, index, dtypes, attributes and every cell, the kind of
    every blank included (None and NaN are different cells to the reader)."""
    import numpy as np
    import pandas as pd

    if list(a.columns) != list(b.columns) or not a.index.equals(b.index):
        return False
    if a.attrs != b.attrs or list(a.dtypes) != list(b.dtypes):
        return False
    for j in range(a.shape[1]):
        x, y = a.iloc[:, j].to_numpy(), b.iloc[:, j].to_numpy()
        if x.dtype == object:
            texts = pd.api.types.infer_dtype(x, skipna=False) == "string"
            if texts and pd.api.types.infer_dtype(y, skipna=False) == "string":
                if not np.array_equal(x, y):
                    return False
                continue
            if all(p is None for p in x) and all(q is None for q in y):
                continue
            if any(type(p) is not type(q) for p, q in zip(x, y, strict=True)):
                return False
            same = [(p == q) or (p != p and q != q) for p, q in zip(x, y, strict=True)]
            if not all(same):
                return False
        elif not np.array_equal(x, y, equal_nan=x.dtype.kind in "fcM"):
            return False
    return True
