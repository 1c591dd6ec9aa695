"""Atomic file writes: a temporary file in the target directory, fsync, then a rename, so a
reader (or a rerun after a crash) sees either the whole file or none of it."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UnsafePathError


def default_mode(folder: bool = False) -> int:
    """The permissions a plain ``open()`` (or ``mkdir()``) would give under the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if folder else 0o666) & ~mask


@contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary file beside ``path`` (its owner's alone while it is written) that takes
    its place, synced, with ``mode`` or the permissions a plain ``open()`` would give, when
    the block ends well; removed when it does not."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, default_mode() if mode is None else mode)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | Iterable[bytes], mode: int | None = None) -> None:
    """Write ``data`` (bytes, or chunks streamed one by one) to ``path`` atomically, with
    ``mode``, or the permissions that a plain ``open()`` would give."""
    with replacing(path, mode) as tmp, open(tmp, "wb") as fh:
        for chunk in [data] if isinstance(data, bytes) else data:
            fh.write(chunk)


def private_dir(path: Path) -> Path:
    """``path`` as a folder that only its owner may open (0700), made if missing: what the
    tool keeps (its database, exports, uploads, trash) is not for other local users.

    A link there, or a folder another user owns, is refused (:class:`UnsafePathError`):
    in a photo folder that someone else can write to, a planted ``uploads`` or ``.trash``
    link would otherwise receive this user's photos. The folder is opened without
    following a link and checked and closed to others through that descriptor."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:  # a link (ELOOP) or not a folder (ENOTDIR)
        raise UnsafePathError(f"{path} is a link or not a folder: PixelSafe keeps nothing "
                              "there") from exc
    try:
        if os.fstat(fd).st_uid != os.getuid():
            raise UnsafePathError(f"{path} belongs to another user: PixelSafe keeps nothing "
                                  "there")
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)
    return path


def regular_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, is a regular file inside ``root``: a link out of
    the tree (``passwd.jpg -> /etc/passwd``), a dangling or looping link, a FIFO or a
    device is not."""
    try:
        target = path.resolve(strict=True)
        return target.is_relative_to(root.resolve()) and stat.S_ISREG(target.stat().st_mode)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        return False


def owned_entry(path: Path) -> str | None:
    """``"file"`` or ``"dir"`` when ``path`` itself (not what a link points to) is a
    regular file or a folder of this user's; None for anything else (a link, a device,
    another user's file)."""
    try:
        st = path.lstat()
    except OSError:
        return None
    if st.st_uid != os.getuid():
        return None
    if stat.S_ISREG(st.st_mode):
        return "file"
    return "dir" if stat.S_ISDIR(st.st_mode) else None


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist (a database that SQLite
    then opens: its journal files take the same mode)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return path


def data_home() -> Path:
    """Where PixelSafe keeps what it derives from photos (databases, renditions, reports):
    ``$PIXELSAFE_DATA``, else ``$XDG_DATA_HOME/pixelsafe``, else ``~/.local/share/pixelsafe``.
    Never inside a photo folder: zipping or syncing the folder must not carry the text read
    in its photos, their thumbnails or their GPS."""
    if os.environ.get("PIXELSAFE_DATA"):
        return Path(os.environ["PIXELSAFE_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pixelsafe"


def cache_home() -> Path:
    """Where PixelSafe keeps what it can make again (the scan cache, the VLM's answers, the
    int8 text detector): ``$XDG_CACHE_HOME/pixelsafe``, else ``~/.cache/pixelsafe``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pixelsafe"


def library_data(root: Path) -> Path:
    """The private folder of one photo library's data, named by a hash of its path."""
    import hashlib

    digest = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:20]
    return data_home() / "libraries" / digest
