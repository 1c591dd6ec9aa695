"""The vault: a whole file encrypted in the age format (scrypt recipient), which the
standard ``age -d`` opens."""

from __future__ import annotations

from pathlib import Path

from ..errors import OutputPathError, PassphraseError, ProtectError
from ..fsutil import write_atomic
from .core import check_output

AGE_SUFFIX = ".age"


def lock(path: str | Path, passphrase: str, out: str | Path | None = None,
         overwrite: bool = False) -> Path:
    """Encrypt a whole file in the age format (scrypt recipient): ``age -d`` opens it."""
    import pyrage

    if not passphrase:
        raise PassphraseError("an empty passphrase cannot protect anything")
    src = Path(path)
    dst = Path(out) if out else Path(str(src) + AGE_SUFFIX)
    check_output(dst, [src], overwrite)
    data = src.read_bytes()
    blob = pyrage.passphrase.encrypt(data, passphrase)
    if pyrage.passphrase.decrypt(blob, passphrase) != data:  # pragma: no cover
        raise ProtectError(f"{src}: the vault copy did not decrypt back to the original")
    write_atomic(dst, blob)
    return dst


def unlock(path: str | Path, passphrase: str, out: str | Path | None = None,
           overwrite: bool = False) -> Path:
    import pyrage

    src = Path(path)
    if out is None:
        if src.suffix != AGE_SUFFIX:
            raise OutputPathError(f"{src} does not end in .age; give an output path")
        out = src.with_suffix("")
    dst = Path(out)
    check_output(dst, [src], overwrite)
    blob = src.read_bytes()
    if not blob.startswith(b"age-encryption.org/v1"):
        raise ProtectError(f"{src} is not an age file")
    try:
        data = pyrage.passphrase.decrypt(blob, passphrase)
    except pyrage.DecryptError as exc:
        message = str(exc).lower()
        if "header" in message and "mac" not in message:
            raise PassphraseError(f"{src}: wrong passphrase") from exc
        raise PassphraseError(f"{src}: wrong passphrase, or the file was changed ({exc})") \
            from exc
    write_atomic(dst, data)
    return dst
