"""Files and streams as untrusted input: capped reads of regular files only, atomic writes of regular files.

`read_capped` reads at most `limit + 1` bytes of a regular file (or of standard input for `-`) and
refuses anything else before it reads: a FIFO (which would wait for a writer forever), a character or
block device (`/dev/zero` never ends), a directory, a socket. The file is looked at before it is opened
and again once it is open (non-blocking, so that a file swapped for a FIFO in between cannot wait).

`write_atomic` writes a whole output through a temporary file in the same folder and a rename. It
writes regular files only (an existing device, FIFO, socket or folder, or a symlink to one, is refused),
never over one of the inputs (same device and inode), with the user's umask for a new file and the mode
of the file it replaces, and a temporary name short enough for any name the folder can hold.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import InputError

NAME_MAX = 255  # bytes in one file name on Linux and macOS file systems
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_capped(path: str, limit: int, where: str) -> bytes:
    """At most `limit + 1` bytes of the regular file `path` (standard input for `-`): the caller refuses
    more than `limit`. Errors say `where`."""
    if path == "-":
        return _read_stdin(limit, where)
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            raise InputError(f"is {kind(before.st_mode)}, not a file", where)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("no such file", where) from None
    except PermissionError:
        raise InputError("permission denied", where) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", where) from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):
            raise InputError(f"is {kind(now.st_mode)}, not a file", where)
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", where) from None
    finally:
        os.close(fd)


def _read_stdin(limit: int, where: str) -> bytes:
    stream = sys.stdin
    if stream is None:  # the process was started with standard input closed (`derive show - <&-`)
        raise InputError("standard input is closed", where)
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # a text stream put in its place (tests)
            data = stream.read(limit + 1)
            return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        chunks, size = [], 0
        while size <= limit:
            chunk = buffer.read1(limit + 1 - size) if hasattr(buffer, "read1") else buffer.read(limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except (OSError, ValueError) as error:  # ValueError: a closed file object
        raise InputError(f"cannot read standard input: {getattr(error, 'strerror', None) or error}", where) from None


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def write_atomic(data: str | bytes, path: str, where: str, inputs: tuple[str, ...] = ()) -> None:
    """`data` into the regular file `path`, whole or not at all; never over one of `inputs`."""
    target = Path(path)
    if len(os.fsencode(target.name)) > NAME_MAX:
        raise InputError(f"the file name is longer than {NAME_MAX} bytes", where)
    try:
        existing = os.stat(target)  # through a symlink: what a write would reach
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror or error}", where) from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise InputError("is a directory", where)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise InputError(f"is {kind(existing.st_mode)}: derive writes regular files only", where)
    if target.is_symlink() and existing is None:
        raise InputError("is a symbolic link to nothing: derive writes regular files only", where)
    if existing is not None:
        for name in inputs:
            try:
                if name != "-" and same_file(existing, os.stat(name)):
                    raise InputError(f"is the input {name}: derive does not overwrite its input", where)
            except OSError:
                continue
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"directory {str(directory)!r} does not exist", where)
    if _links_into_kernel(target):
        raise InputError("is a symbolic link into /proc, /sys or /dev: derive writes regular files only", where)
    if _special_filesystem(directory):
        raise InputError(f"{str(directory)!r} is not a folder for files (a kernel file system)", where)
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
    temp = directory / _temp_name(target.name)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror or error}", where) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise InputError(f"cannot write: {error.strerror or error}", where) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_folder(folder: Path, files: Mapping[str, str | bytes], where: str, inputs: tuple[str, ...] = (),
                 written: Callable[[str], None] | None = None) -> None:
    """Each of `files` (a name under `folder`, a subfolder allowed) written whole by `write_atomic`, in order,
    `written(path)` called after each: a path already there that is not a regular file is said before any file
    is written; the folders are made as needed (`where`: the option that named `folder`)."""
    paths = [folder / name for name in files]
    for path in paths:
        if path.exists() and not path.is_file():
            raise InputError("is not a regular file: derive writes regular files only", str(path))
    for directory in dict.fromkeys(path.parent for path in paths):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"cannot make the folder {str(directory)!r}: {error.strerror or error}", where) from None
    for path, data in zip(paths, files.values()):
        write_atomic(data, str(path), str(path), inputs)
        if written is not None:
            written(str(path))


def _temp_name(name: str) -> str:
    """`.NAME.RANDOM.part`, NAME cut so that the whole fits in `NAME_MAX` bytes."""
    tail = f".{secrets.token_hex(4)}.part"
    room = NAME_MAX - 1 - len(tail)
    return f".{os.fsdecode(os.fsencode(name)[:room])}{tail}"


def _special_filesystem(directory: Path) -> bool:
    """A folder of the kernel's (`/proc`, `/sys`, `/dev`): never a place for derive's output."""
    try:
        real = directory.resolve()
    except OSError:
        return False
    if real == Path("/dev/shm") or Path("/dev/shm") in real.parents:  # shared memory: ordinary files
        return False
    return any(real == Path(top) or Path(top) in real.parents for top in ("/proc", "/sys", "/dev"))


def _links_into_kernel(path: Path, hops: int = 40) -> bool:
    """Whether `path` is a symlink whose chain passes through `/proc`, `/sys` or `/dev` (e.g. `/proc/self/fd/1`,
    which stat sees as whatever standard output is)."""
    for _ in range(hops):
        if not path.is_symlink():
            return False
        path = path.parent / os.readlink(path)
        if _special_filesystem(path.parent) or _special_filesystem(path):
            return True
    return True


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
