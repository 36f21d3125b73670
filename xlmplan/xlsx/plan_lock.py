"""One writer at a time per plan.

A writing command holds an OS lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on a
lock file beside the plan, ``~$plan.xlsx.xlmplan-lock``, for its whole read–compute–replace.
A second writer is refused at once. The lock dies with its process, so a lock file left by
a killed run blocks nothing; the holder removes it when done. The plan's digest is taken
when the lock is taken, and ``verify_unchanged`` compares it again just before the plan is
replaced: a file another program saved meanwhile is never overwritten.

While the lock is held, scratch files of earlier runs on the same plan (``scratch_name``:
tagged with the plan's name) cannot be in use, and are removed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from xlmplan.errors import WorkbookError, XlmplanError

NAME_MAX = 255
"""Bytes in a file name on the usual file systems (ext4, NTFS in UTF-16 units, APFS)."""
SCRATCH_PREFIX = ".~xlmplan-"
LOCK_SUFFIX = ".xlmplan-lock"


def fit_name(prefix: str, name: str, suffix: str) -> str:
    """``prefix + name + suffix``, with ``name`` shortened and a hash of it added when the
    result would be longer than a file name may be."""
    full = prefix + name + suffix
    if len(full.encode("utf-8")) <= NAME_MAX:
        return full
    tag = "~" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    room = NAME_MAX - len((prefix + tag + suffix).encode("utf-8"))
    short = name.encode("utf-8")[:room].decode("utf-8", "ignore")
    return prefix + short + tag + suffix


def lock_path(target: Path) -> Path:
    """The lock file of ``target``: ``~$plan.xlsx.xlmplan-lock`` beside it."""
    return target.with_name(fit_name("~$", target.name, LOCK_SUFFIX))


def _tag(target: Path) -> str:
    """8 hex digits naming ``target``; a scratch file carries the tag of its plan."""
    match = re.match(rf"{re.escape(SCRATCH_PREFIX)}([0-9a-f]{{8}})-", target.name)
    if match:
        return match.group(1)
    return hashlib.sha1(target.name.encode("utf-8")).hexdigest()[:8]


def scratch_name(target: Path, suffix: str | None = None) -> Path:
    """A new scratch file name beside ``target``, tagged with ``target``'s name:
    ``.~xlmplan-<tag>-<random>.xlsx``."""
    sfx = target.suffix if suffix is None else suffix
    return target.with_name(f"{SCRATCH_PREFIX}{_tag(target)}-{secrets.token_hex(4)}{sfx}")


_SCRATCH = rf"{re.escape(SCRATCH_PREFIX)}[0-9a-f]{{8}}-[0-9a-f]{{8}}[.\w]*"


@contextmanager
def naming(plan: Path, folder: Path) -> Iterator[None]:
    """Errors raised inside that name a scratch file in ``folder`` name ``plan`` instead:
    the user knows their plan, not xlmplan's scratch copies of it."""
    try:
        yield
    except XlmplanError as exc:
        text = str(exc)
        pattern = f"(?:{re.escape(str(folder) + os.sep)})?{_SCRATCH}"
        fixed = re.sub(pattern, lambda _m: str(plan), text)
        if fixed == text:
            raise
        raise type(exc)(fixed) from exc


def is_scratch(target: Path) -> bool:
    return Path(target).name.startswith(SCRATCH_PREFIX)


def clean_stale(target: Path) -> list[Path]:
    """Remove scratch files of ``target`` left by killed runs (call with the lock held)."""
    pattern = re.compile(rf"{re.escape(SCRATCH_PREFIX)}{_tag(target)}-[0-9a-f]{{8}}[.\w-]*$")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


def digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when there is no file."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except FileNotFoundError:
        return None
    return h.hexdigest()


@dataclass
class _Held:
    fd: int
    lock: Path
    digest: str | None
    depth: int = 1


_held: dict[str, _Held] = {}


def _key(target: Path) -> str:
    return os.path.realpath(target)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:  # a file system without locks: one writer cannot be ensured
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                return True
            raise
        return True


def _acquire(target: Path, lock: Path) -> int:
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
        except OSError as exc:
            raise WorkbookError(
                f"{target} cannot be locked for writing: {lock.name} cannot be created "
                f"({exc.strerror}) — check the folder's permissions"
            ) from exc
        if not _try_lock(fd):
            os.close(fd)
            raise WorkbookError(
                f"{target} is being written by another xlmplan run — wait until it has "
                f"finished and try again (its lock file is {lock.name})"
            )
        try:  # a finishing writer removes the file: the lock must be on the file named so
            if os.path.samestat(os.fstat(fd), os.stat(lock)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _changed(target: Path) -> WorkbookError:
    return WorkbookError(
        f"{target} changed while xlmplan worked on it (saved by another program?) — "
        "nothing was written; run the command again"
    )


@contextmanager
def plan_lock(target: Path, *, expect: str | None = None) -> Iterator[None]:
    """Hold ``target``'s write lock (re-entrant within a process). With ``expect``, the
    file must still have that digest. Scratch files are private and not locked."""
    target = Path(target)
    key = _key(target)
    held = _held.get(key)
    if held is not None or is_scratch(target):
        if held is not None:
            held.depth += 1
        try:
            yield
        finally:
            if held is not None:
                held.depth -= 1
        return
    lock = lock_path(Path(key))
    fd = _acquire(target, lock)
    held = _Held(fd, lock, None)
    try:
        held.digest = digest(target)
        if expect is not None and held.digest != expect:
            raise _changed(target)
        _held[key] = held
        clean_stale(Path(key))
        yield
    finally:
        _held.pop(key, None)
        with contextlib.suppress(OSError):  # Windows keeps an open file; the next holder reuses it
            os.unlink(lock)
        os.close(fd)


def verify_unchanged(target: Path) -> None:
    """Refuse to replace ``target`` when it is no longer the file its lock holder read."""
    held = _held.get(_key(target))
    if held is not None and digest(target) != held.digest:
        raise _changed(target)


def replaced(target: Path) -> None:
    """Record that the lock holder itself has just replaced ``target``."""
    held = _held.get(_key(target))
    if held is not None:
        held.digest = digest(target)
