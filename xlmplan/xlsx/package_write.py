"""Writing a package: refuse a file Excel or LibreOffice holds open or that is read-only,
then write a new version atomically beside it, with every untouched part copied as its raw
compressed bytes and the previous version kept as a backup. The new file keeps the old
one's mode and (where the process may set it) owner; names made from the plan's name are
shortened to fit a file name; the write holds the plan's lock (``plan_lock``)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.error_text import show
from xlmplan.xlsx.package import Package, checked_raw_chunks, unsafe_name
from xlmplan.xlsx.plan_lock import (
    fit_name,
    plan_lock,
    replaced,
    scratch_name,
    verify_unchanged,
)
from xlmplan.xlsx.zip_writer import Content, ZipWriter


def _owner_files(path: Path) -> list[tuple[Path, str]]:
    name = path.name
    excel = [f"~${name}"] + ([f"~${name[2:]}"] if len(name) > 2 else [])
    return [(path.with_name(n), "Excel") for n in excel] + [
        (path.with_name(f".~lock.{name}#"), "LibreOffice")
    ]


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name too long for the file system cannot."""
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def _read_only(st: os.stat_result, path: Path) -> bool:
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


def check_writable(path: Path) -> None:
    """Refuse to write ``path`` when Excel or LibreOffice holds it open, or when the file
    or its folder is read-only."""
    path = Path(path)
    for lock, program in _owner_files(path) if path.exists() else []:
        if _exists(lock):
            raise WorkbookError(
                f"{path} is open in {program} — close it there and try again (if {program} "
                f"is not running, delete the leftover lock file {show(lock.name)})"
            )
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise WorkbookError(
                f"{show(path.name[:40])}…: the file name is too long — shorten it"
            ) from exc
        raise WorkbookError(f"{path} cannot be written ({exc.strerror}) — check the path") from exc
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise WorkbookError(f"{path} is a folder, not a workbook — give the path of the .xlsx")
        if _read_only(st, path):
            raise WorkbookError(
                f"{path} is read-only — clear its read-only flag or save under another name"
            )
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise WorkbookError(f"{path} cannot be written: {folder} is not a folder — check the path")
    if _read_only(folder.stat(), folder):
        raise WorkbookError(
            f"{path} cannot be written: the folder {folder} is read-only — choose another "
            "folder or fix its permissions"
        )


def backup_path(target: Path) -> Path:
    """Where ``write_package`` keeps the previous version: ``plan.xlsx`` -> ``plan.backup.xlsx``."""
    return target.with_name(fit_name("", target.stem, f".backup{target.suffix}"))


def write_package(
    pkg: Package,
    target: Path,
    *,
    replace: Mapping[str, Content],
    remove: Iterable[str] = (),
    add: Mapping[str, Content] | None = None,
    backup: bool = True,
) -> Path | None:
    """Write ``pkg`` with some parts replaced, removed or added to ``target``, atomically.

    Untouched parts keep their bytes (the compressed data is copied raw after checking its
    CRC), zip entry and order; replaced parts keep their place and entry; added parts go
    last, dated 1980-01-01, so equal inputs give byte-identical files. A replacement may be
    an iterable of byte chunks instead of bytes, to stream a large part. Callers update
    ``[Content_Types].xml`` and rels themselves. The previous ``target`` is kept as
    ``backup_path(target)`` when ``backup`` is true (returned; otherwise None). Writing over
    ``pkg``'s own file closes ``pkg``. On any failure ``target`` is untouched.
    """
    target = Path(os.path.realpath(target)) if Path(target).is_symlink() else Path(target)
    add = dict(add or {})
    removed = set(remove)
    _check_edits(pkg, replace, removed, add)
    check_writable(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target, exc) from exc
    with plan_lock(target):
        try:
            old = target.stat() if target.exists() else None
        except OSError as exc:
            raise write_error(target, exc) from exc
        same = old is not None and pkg.path.exists() and os.path.samefile(pkg.path, target)

        def write(tmp: Path) -> None:
            with open(tmp, "w+b") as out:
                _write_zip(out)

        def _write_zip(out: BinaryIO) -> None:
            writer = ZipWriter(out)
            for info in pkg.infos():
                name = info.filename
                if name in removed:
                    continue
                if name in replace:
                    writer.replace(info, replace[name])
                else:
                    writer.copy_raw(info, checked_raw_chunks(pkg, info))
            for name, data in add.items():
                writer.add(name, data)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())

        def before_replace() -> Path | None:
            made = None
            if backup and old is not None:
                made = backup_path(target)
                _keep_backup(target, made)
            if same:
                pkg.close()
            return made

        return replace_atomically(target, write, before_replace)


def replace_atomically(
    target: Path,
    write: Callable[[Path], None],
    before_replace: Callable[[], Path | None] = lambda: None,
) -> Path | None:
    """Write a new ``target`` through a scratch file beside it (``write`` writes the file
    at the path it is given), check that ``target`` is still the file its lock holder read,
    give the new file the old one's mode and owner, run ``before_replace`` and replace
    ``target``; returns what ``before_replace`` returned. On any failure ``target`` is
    untouched and the scratch file removed."""
    tmp: Path | None = None
    try:
        old = target.stat() if target.exists() else None
        tmp, fd = _create_temp(target)
        os.close(fd)
        write(tmp)
        keep_owner(tmp, old)
        verify_unchanged(target)
        made = before_replace()
        os.replace(tmp, target)
        tmp = None
        replaced(target)
        return made
    except Exception as exc:
        cause = os_error(exc)
        if cause is None:
            raise
        raise write_error(target, cause) from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def os_error(exc: BaseException | None) -> OSError | None:
    """The OSError behind ``exc`` (writers wrap it in their own exception types)."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError):
            return exc
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


def keep_owner(path: Path, old: os.stat_result | None) -> None:
    """Give ``path`` the mode of ``old`` (a file it replaces) and, where this process may,
    its owner and group."""
    if old is None:
        return
    os.chmod(path, stat.S_IMODE(old.st_mode))
    chown = getattr(os, "chown", None)
    now = path.stat()
    if chown is not None and (now.st_uid, now.st_gid) != (old.st_uid, old.st_gid):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            chown(path, old.st_uid, old.st_gid)


def _check_edits(
    pkg: Package, replace: Mapping[str, Content], removed: set[str], add: Mapping[str, Content]
) -> None:
    names = set(pkg.names())
    lower = {n.lower() for n in names}
    if unknown := (set(replace) | removed) - names:
        raise ValueError(f"no such parts to replace or remove: {sorted(unknown)}")
    if both := set(replace) & removed:
        raise ValueError(f"parts both replaced and removed: {sorted(both)}")
    for name in add:
        if name.lower() in lower or unsafe_name(name) or name.endswith("/"):
            raise ValueError(f"cannot add part {name!r}: it exists or is not a valid part name")


def _create_temp(target: Path) -> tuple[Path, int]:
    """A new temporary file beside ``target``, created with the mode the umask gives new
    files (so a new target gets the usual permissions)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = scratch_name(target)
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


def _keep_backup(target: Path, backup: Path) -> None:
    """Make ``backup`` the current ``target`` (a hard link where possible, else a copy)."""
    staged = scratch_name(target)
    try:
        try:
            os.link(target, staged)
        except OSError:
            shutil.copy2(target, staged)
        os.replace(staged, backup)
    finally:
        staged.unlink(missing_ok=True)


def write_error(target: Path, exc: OSError) -> WorkbookError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return WorkbookError(
            f"{target}: the disk holding {target.parent} is full (or the file is too large "
            "for it) — free some space and try again; the file is unchanged"
        )
    if exc.errno == errno.ENAMETOOLONG:
        return WorkbookError(f"{target.name[:40]}…: the file name is too long — shorten it")
    if exc.errno == errno.EROFS:
        return WorkbookError(f"{target} is on a read-only disk — save it to another folder")
    return WorkbookError(
        f"{target} cannot be written ({exc.strerror or exc}) — check the folder's "
        "permissions, or close the file in Excel"
    )
