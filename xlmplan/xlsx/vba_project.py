"""Read and write ``vbaProject.bin``, the VBA project of a macro workbook (MS-OVBA).

Reading keeps what a rewrite needs: each module's source, the ``dir`` stream's
PROJECTINFORMATION and PROJECTREFERENCES records byte for byte (so references such as
stdole and Office survive), and the PROJECT stream's lines. Writing follows MS-OVBA's
advice to writers: a 7-byte ``_VBA_PROJECT`` stream without performance cache, module
streams holding only compressed source, so the host recompiles the project on load.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

import olefile

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.compound_file import write_compound_file

ModuleKind = Literal["module", "class", "document"]

CHUNK = 4096
DEFAULT_WORKSPACE = "0, 0, 0, 0, C"
VBA_PROJECT_STREAM = b"\xcc\x61\xff\xff\x00\x00\x00"  # reserved, version 0xFFFF: no cache

# dir stream record ids (MS-OVBA 2.3.4.2)
PROJECTCODEPAGE, PROJECTNAME, PROJECTVERSION = 0x0003, 0x0004, 0x0009
PROJECTMODULES, PROJECTCOOKIE, DIR_TERMINATOR = 0x000F, 0x0013, 0x0010
INFORMATION_IDS = {0x01, 0x4A, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08}
INFORMATION_IDS |= {0x09, 0x0C, 0x3C}
MODULENAME, MODULENAMEUNICODE = 0x0019, 0x0047
MODULESTREAMNAME, MODULESTREAMNAMEUNICODE = 0x001A, 0x0032
MODULEDOCSTRING, MODULEDOCSTRINGUNICODE = 0x001C, 0x0048
MODULEOFFSET, MODULEHELPCONTEXT, MODULECOOKIE = 0x0031, 0x001E, 0x002C
MODULETYPE_PROCEDURAL, MODULETYPE_OTHER = 0x0021, 0x0022
MODULEREADONLY, MODULEPRIVATE, MODULE_TERMINATOR = 0x0025, 0x0028, 0x002B

_ITEM = re.compile(r"(Document|Module|Class|BaseClass)=(.*)")
_KINDS: dict[str, ModuleKind] = {"Document": "document", "Module": "module", "Class": "class"}
_VB_NAME = re.compile(r'Attribute VB_Name = "([^"]*)"')


@dataclass(frozen=True)
class VbaModule:
    """One module: its name, kind and source as stored (code-page bytes, CRLF lines), and
    the dir stream's MODULE record fields a rewrite keeps (docstring, help context, the
    read-only and private flags)."""

    name: str  # also its stream's name under VBA/
    kind: ModuleKind  # module: MODULETYPE 0x21; class and document: 0x22
    source: bytes  # starts with its "Attribute VB_Name" line
    docstring: str = ""  # MODULEDOCSTRING, e.g. the Dictionary class's
    help_context: int = 0  # MODULEHELPCONTEXT
    read_only: bool = False  # MODULEREADONLY present
    private: bool = False  # MODULEPRIVATE present


@dataclass(frozen=True)
class VbaProject:
    """A VBA project: its modules plus what a rewrite must carry over unchanged."""

    modules: tuple[VbaModule, ...]
    information: bytes  # the dir stream's PROJECTINFORMATION records, as read
    references: bytes  # the dir stream's PROJECTREFERENCES records, as read
    project_id: str  # the PROJECT stream's ID, e.g. "{318BEE36-…}"
    properties: tuple[str, ...] = ()  # PROJECT lines after the modules, before [Workspace]
    workspace: tuple[tuple[str, str], ...] = ()  # [Workspace] window positions by module
    extra_streams: tuple[tuple[str, bytes], ...] = ()  # other streams, e.g. PROJECTlk

    @property
    def code_page(self) -> int:
        """The project's code page (PROJECTCODEPAGE), e.g. 1252."""
        return struct.unpack("<H", _information_record(self.information, PROJECTCODEPAGE))[0]

    @property
    def codec(self) -> str:
        """Python's codec for the project's code page."""
        return codec_for(self.code_page)

    @property
    def name(self) -> str:
        """The project's name (PROJECTNAME)."""
        return _information_record(self.information, PROJECTNAME).decode(self.codec)

    def renamed(self, name: str) -> VbaProject:
        """A copy called ``name``: the PROJECTNAME record and the PROJECT stream's Name."""
        _check_module_name(name)  # a project name follows the same rules
        for pos, rec_id, payload in _records(self.information):
            if rec_id == PROJECTNAME:
                new = name.encode(self.codec)
                record = struct.pack("<HI", PROJECTNAME, len(new)) + new
                end = pos + 6 + len(payload)
                information = self.information[:pos] + record + self.information[end:]
                break
        else:
            raise WorkbookError("The VBA project has no name record to rename.")
        properties = tuple(
            f'Name="{name}"' if line.startswith("Name=") else line for line in self.properties
        )
        return replace(self, information=information, properties=properties)

    def module(self, name: str) -> VbaModule:
        """The module called ``name`` (VBA names ignore case)."""
        for module in self.modules:
            if module.name.casefold() == name.casefold():
                return module
        raise WorkbookError(f"The VBA project has no module {name!r}.")

    def replace_modules(
        self, add: Iterable[VbaModule] = (), drop: Iterable[str] = ()
    ) -> VbaProject:
        """A copy without the ``drop`` modules, with ``add`` replacing same-named ones or
        appended."""
        dropped = {self.module(name).name.casefold() for name in drop}
        modules = [m for m in self.modules if m.name.casefold() not in dropped]
        for new in add:
            at = [i for i, m in enumerate(modules) if m.name.casefold() == new.name.casefold()]
            if at:
                modules[at[0]] = new
            else:
                modules.append(new)
        return replace(self, modules=tuple(modules))


def module_from_bas(name: str, text: str, codepage: int = 1252) -> VbaModule:
    """A standard module from ``.bas`` text, stored with CRLF line ends in ``codepage``."""
    _check_module_name(name)
    text = re.sub(r"\r\n|\r|\n", "\r\n", text.removeprefix("\ufeff"))
    found = _VB_NAME.match(text)
    if found is None:
        text = f'Attribute VB_Name = "{name}"\r\n' + text
    elif found.group(1) != name:
        raise WorkbookError(
            f"The .bas text names its module {found.group(1)!r}, not {name!r}: "
            f'make its first line Attribute VB_Name = "{name}".'
        )
    try:
        source = text.encode(codec_for(codepage))
    except UnicodeEncodeError as exc:
        raise WorkbookError(
            f"Module {name} has a character code page {codepage} cannot hold "
            f"({text[exc.start : exc.end]!r}); use plain characters or Chr() instead."
        ) from None
    return VbaModule(name, "module", source)


def codec_for(code_page: int) -> str:
    """Python's codec name for a Windows code page."""
    name = {65001: "utf-8", 10000: "mac_roman"}.get(code_page, f"cp{code_page}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise WorkbookError(f"The VBA project uses code page {code_page}, unknown here.") from None


# --- reading -------------------------------------------------------------------------


def read_vba_project(data: bytes) -> VbaProject:
    """The VBA project held by ``data``, the bytes of a ``vbaProject.bin``."""
    try:
        return _read(data)
    except WorkbookError:
        raise
    except (OSError, ValueError, IndexError, KeyError, struct.error) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise WorkbookError(f"vbaProject.bin is not a readable VBA project: {reason}.") from None


def _read(data: bytes) -> VbaProject:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        streams = {
            "/".join(path): ole.openstream(path).read() for path in ole.listdir(streams=True)
        }
    for required in ("PROJECT", "VBA/dir"):
        if required not in streams:
            raise ValueError(f"it has no {required} stream")
    dir_data = decompress(streams["VBA/dir"])
    information, references, modules_at = _split_dir(dir_data)
    encoding = codec_for(struct.unpack("<H", _information_record(information, PROJECTCODEPAGE))[0])
    entries = _module_entries(dir_data, modules_at, encoding)
    project_id, kinds, properties, workspace = _parse_project(streams["PROJECT"].decode(encoding))
    modules = []
    for entry in entries:
        stream = streams.get(f"VBA/{entry.stream_name}")
        if stream is None:
            raise ValueError(f"module {entry.name} has no stream VBA/{entry.stream_name}")
        kind = kinds.get(entry.name.casefold())
        if kind is None or (kind == "module") != entry.procedural:
            kind = "module" if entry.procedural else "class"
        modules.append(
            VbaModule(
                entry.name,
                kind,
                decompress(stream[entry.offset :]),
                entry.docstring,
                entry.help_context,
                entry.read_only,
                entry.private,
            )
        )
    extra = tuple(
        (path, body)
        for path, body in streams.items()
        if path not in ("PROJECT", "PROJECTwm") and not path.startswith("VBA/")
    )
    return VbaProject(
        tuple(modules), information, references, project_id, properties, workspace, extra
    )


@dataclass(frozen=True)
class _ModuleEntry:
    """A module's MODULE records in the dir stream."""

    name: str
    stream_name: str
    docstring: str
    offset: int
    help_context: int
    procedural: bool
    read_only: bool
    private: bool


def _records(data: bytes, start: int = 0) -> Iterable[tuple[int, int, bytes]]:
    """(offset, id, payload) of each dir stream record from ``start``."""
    pos = start
    while pos < len(data):
        rec_id, size = struct.unpack_from("<HI", data, pos)
        if rec_id == PROJECTVERSION:
            size = 6  # its size field says 4 but 6 bytes follow (MS-OVBA 2.3.4.2.1.11)
        end = pos + 6 + size
        if end > len(data):
            raise ValueError(f"the dir stream's record 0x{rec_id:04X} runs past its end")
        yield pos, rec_id, data[pos + 6 : end]
        pos = end


def _split_dir(data: bytes) -> tuple[bytes, bytes, int]:
    """PROJECTINFORMATION bytes, PROJECTREFERENCES bytes and where PROJECTMODULES starts."""
    references_at = -1
    for pos, rec_id, _ in _records(data):
        if references_at < 0 and rec_id not in INFORMATION_IDS:
            references_at = pos
        if rec_id == PROJECTMODULES:
            return data[:references_at], data[references_at:pos], pos
    raise ValueError("its dir stream has no PROJECTMODULES record")


def _module_entries(data: bytes, modules_at: int, encoding: str) -> list[_ModuleEntry]:
    """The MODULE record sets of the dir stream's PROJECTMODULES."""
    entries: list[_ModuleEntry] = []
    fields: dict[int, bytes] = {}
    for _, rec_id, payload in _records(data, modules_at):
        if rec_id == DIR_TERMINATOR:
            return entries
        if rec_id == MODULE_TERMINATOR:
            entries.append(_module_entry(fields, encoding))
            fields = {}
        elif rec_id not in (PROJECTMODULES, PROJECTCOOKIE):
            fields[rec_id] = payload
    raise ValueError("its dir stream has no terminator")


def _module_entry(fields: dict[int, bytes], encoding: str) -> _ModuleEntry:
    def text(unicode_id: int, mbcs_id: int) -> str:
        if unicode_id in fields:
            return fields[unicode_id].decode("utf-16-le")
        return fields.get(mbcs_id, b"").decode(encoding)

    name = text(MODULENAMEUNICODE, MODULENAME)
    if not name or MODULEOFFSET not in fields:
        raise ValueError("its dir stream has a MODULE record without name or offset")
    return _ModuleEntry(
        name=name,
        stream_name=text(MODULESTREAMNAMEUNICODE, MODULESTREAMNAME) or name,
        docstring=text(MODULEDOCSTRINGUNICODE, MODULEDOCSTRING),
        offset=struct.unpack("<I", fields[MODULEOFFSET])[0],
        help_context=struct.unpack("<I", fields.get(MODULEHELPCONTEXT, bytes(4)))[0],
        procedural=MODULETYPE_PROCEDURAL in fields,
        read_only=MODULEREADONLY in fields,
        private=MODULEPRIVATE in fields,
    )


def _information_record(information: bytes, rec_id: int) -> bytes:
    for _, found, payload in _records(information):
        if found == rec_id:
            return payload
    raise ValueError(f"its dir stream has no record 0x{rec_id:04X}")


def _parse_project(
    text: str,
) -> tuple[str, dict[str, ModuleKind], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """ID, module kinds by folded name, other lines, and [Workspace] entries."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    project_id = ""
    kinds: dict[str, ModuleKind] = {}
    properties: list[str] = []
    workspace: list[tuple[str, str]] = []
    in_workspace = False
    for line in lines:
        item = _ITEM.fullmatch(line)
        if in_workspace:
            key, sep, value = line.partition("=")
            if sep:
                workspace.append((key, value))
        elif line == "[Workspace]":
            in_workspace = True
        elif line.startswith("ID="):
            project_id = line[3:].strip('"')
        elif item and item.group(1) == "BaseClass":
            raise WorkbookError(
                f"The VBA project has a UserForm ({item.group(2)}), which cannot be "
                "rewritten here; remove it in the VBA editor first."
            )
        elif item:
            kinds[item.group(2).split("/")[0].casefold()] = _KINDS[item.group(1)]
        else:
            properties.append(line)
    if not project_id:
        raise ValueError("its PROJECT stream has no ID line")
    return project_id, kinds, tuple(properties), tuple(workspace)


# --- writing -------------------------------------------------------------------------


def write_vba_project(project: VbaProject) -> bytes:
    """The bytes of a ``vbaProject.bin`` holding ``project``."""
    seen: set[str] = set()
    for module in project.modules:
        _check_module_name(module.name)
        if module.name.casefold() in seen:
            raise WorkbookError(f"The VBA project has two modules named {module.name!r}.")
        seen.add(module.name.casefold())
        try:
            module.name.encode(project.codec)
        except UnicodeEncodeError:
            raise WorkbookError(
                f"Module name {module.name!r} does not fit code page {project.code_page}."
            ) from None
    encoding = project.codec
    streams = {
        "PROJECT": _project_stream(project).encode(encoding),
        "PROJECTwm": _projectwm_stream(project, encoding),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(_dir_stream(project, encoding)),
    }
    for module in project.modules:
        streams[f"VBA/{module.name}"] = compress(module.source)
    streams.update(project.extra_streams)
    return write_compound_file(streams)


def _record(rec_id: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HI", rec_id, len(payload)) + payload


def _dir_stream(project: VbaProject, encoding: str) -> bytes:
    out = [
        project.information,
        project.references,
        _record(PROJECTMODULES, struct.pack("<H", len(project.modules))),
        _record(PROJECTCOOKIE, b"\xff\xff"),
    ]
    for module in project.modules:
        name, uname = module.name.encode(encoding), module.name.encode("utf-16-le")
        doc = module.docstring.encode(encoding, errors="replace")
        kind = MODULETYPE_PROCEDURAL if module.kind == "module" else MODULETYPE_OTHER
        out += [
            _record(MODULENAME, name),
            _record(MODULENAMEUNICODE, uname),
            _record(MODULESTREAMNAME, name),
            _record(MODULESTREAMNAMEUNICODE, uname),
            _record(MODULEDOCSTRING, doc),
            _record(MODULEDOCSTRINGUNICODE, module.docstring.encode("utf-16-le")),
            _record(MODULEOFFSET, struct.pack("<I", 0)),
            _record(MODULEHELPCONTEXT, struct.pack("<I", module.help_context)),
            _record(MODULECOOKIE, b"\xff\xff"),
            _record(kind),
            _record(MODULEREADONLY) if module.read_only else b"",
            _record(MODULEPRIVATE) if module.private else b"",
            _record(MODULE_TERMINATOR),
        ]
    out.append(_record(DIR_TERMINATOR))
    return b"".join(out)


def _project_stream(project: VbaProject) -> str:
    items = {
        "document": "Document={}/&H00000000",
        "module": "Module={}",
        "class": "Class={}",
    }
    positions = {name.casefold(): value for name, value in project.workspace}
    lines = [f'ID="{project.project_id}"']
    lines += [items[m.kind].format(m.name) for m in project.modules]
    lines += project.properties
    lines.append("[Workspace]")
    lines += [
        f"{m.name}={positions.get(m.name.casefold(), DEFAULT_WORKSPACE)}" for m in project.modules
    ]
    lines.append("")
    return "".join(line + "\r\n" for line in lines)


def _projectwm_stream(project: VbaProject, encoding: str) -> bytes:
    names = [
        m.name.encode(encoding) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
        for m in project.modules
    ]
    return b"".join(names) + b"\0\0"


def _check_module_name(name: str) -> None:
    if not (
        0 < len(name) <= 31 and name[0].isalpha() and all(c.isalnum() or c == "_" for c in name)
    ):
        raise WorkbookError(
            f"{name!r} is not a VBA module name: use up to 31 letters, digits or _, "
            "starting with a letter."
        )


# --- compression (MS-OVBA 2.4.1) -----------------------------------------------------


def compress(data: bytes) -> bytes:
    """``data`` as an MS-OVBA CompressedContainer.

    A final chunk that does not compress below 4096 bytes is stored raw and, as MS-OVBA
    2.4.1.3.10 prescribes, padded with zero bytes to 4096; source text never comes close.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data[start : start + CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = _token_sequences(chunk)
    if len(body) <= CHUNK:
        return struct.pack("<H", 0xB000 | (len(body) - 1)) + body  # size - 3, flag, 0b011
    return struct.pack("<H", 0x3000 | (CHUNK - 1)) + chunk.ljust(CHUNK, b"\0")


def _token_sequences(chunk: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _longest_match(chunk, pos)
            if length:
                bits = _offset_bits(pos)
                out += (((offset - 1) << (16 - bits)) | (length - 3)).to_bytes(2, "little")
                out[flag_at] |= 1 << bit
                pos += length
            else:
                out.append(chunk[pos])
                pos += 1
    return bytes(out)


def _offset_bits(pos: int) -> int:
    """Bits of a CopyToken given to the offset at ``pos`` bytes into the chunk."""
    return max((pos - 1).bit_length(), 4)


def _longest_match(chunk: bytes, pos: int) -> tuple[int, int]:
    """(offset, length) of the nearest longest earlier match at ``pos``, or (0, 0)."""
    max_length = min((0xFFFF >> _offset_bits(pos)) + 3, len(chunk) - pos)
    if pos == 0 or max_length < 3:
        return 0, 0

    def find(length: int) -> int:  # nearest start before pos matching `length` bytes
        return chunk.rfind(chunk[pos : pos + length], 0, pos + length - 1)

    at = find(3)
    if at < 0:
        return 0, 0
    good, bad = 3, max_length + 1  # a match of `good` bytes exists, of `bad` does not
    while bad - good > 1:
        trial = min(2 * good, max_length) if bad > max_length else (good + bad) // 2
        hit = find(trial)
        if hit >= 0:
            good, at = trial, hit
        else:
            bad = trial
    return pos - at, good


def decompress(data: bytes) -> bytes:
    """The bytes held by an MS-OVBA CompressedContainer."""
    if not data or data[0] != 0x01:
        raise ValueError("a compressed stream does not start with signature byte 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("a compressed stream ends inside a chunk header")
        header = int.from_bytes(data[pos : pos + 2], "little")
        if header & 0x7000 != 0x3000:
            raise ValueError("a compressed chunk has a bad signature")
        end = min(pos + (header & 0x0FFF) + 3, len(data))
        if header & 0x8000:
            out += _decompress_chunk(data[pos + 2 : end])
        elif end - pos == CHUNK + 2:
            out += data[pos + 2 : end]
        else:
            raise ValueError("an uncompressed chunk is not 4096 bytes long")
        pos = end
    return bytes(out)


def _decompress_chunk(body: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(body):
        flags = body[i]
        i += 1
        for bit in range(8):
            if i >= len(body):
                break
            if not flags >> bit & 1:
                out.append(body[i])
                i += 1
                continue
            if i + 2 > len(body):
                raise ValueError("a compressed chunk ends inside a copy token")
            token = int.from_bytes(body[i : i + 2], "little")
            i += 2
            bits = _offset_bits(len(out))
            length = (token & (0xFFFF >> bits)) + 3
            offset = (token >> (16 - bits)) + 1
            if offset > len(out):
                raise ValueError("a copy token points before the start of its chunk")
            start = len(out) - offset
            if offset >= length:
                out += out[start : start + length]
            else:
                for k in range(length):
                    out.append(out[start + k])
    return bytes(out)
