"""Independent oracles: exiftool on every kind of output, and the standard `age` tool on
the vault (Debian packages libimage-exiftool-perl and age, installed by `make setup`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest
from conftest import EVAL, SAMPLES, needs_shared

from pixelsafe.protect import RedactOptions, lock, redact, strip, unlock

EXIFTOOL = shutil.which("exiftool")
AGE = shutil.which("age")
PASS = "tr0ub4dor&3 vault"

MX = EVAL / "metadata-extractor" / "metadata-extractor-images"
SOURCES = [
    MX / "heic" / "Issue 263 dotnet.heic",  # iPhone XR, with GPS
    MX / "heic" / "Issue 487.heic",
    EVAL / "exif-samples" / "repo" / "jpg" / "Pentax_K10D.jpg",
    EVAL / "exif-samples" / "repo" / "jpg" / "Konica_Minolta_DiMAGE_Z3.jpg",
    EVAL / "exif-samples" / "repo" / "tiff" / "Arbitro.tiff",
    SAMPLES / "street-with-gps.jpg",
]
#: groups whose tags describe the file's structure, never its content or its owner
STRUCTURE_GROUPS = {"ExifTool", "System", "File", "Composite", "JFIF", "PNG", "RIFF",
                    "QuickTime", "Meta"}
#: in a TIFF the structure lives in IFD0: only these tags may appear there
TIFF_STRUCTURE = {"ImageWidth", "ImageHeight", "BitsPerSample", "Compression",
                  "PhotometricInterpretation", "StripOffsets", "SamplesPerPixel",
                  "RowsPerStrip", "StripByteCounts", "PlanarConfiguration", "ExtraSamples",
                  "Predictor", "SampleFormat",
                  # how to show the pixels, kept alone by the lossless strip of a JPEG or
                  # PNG whose pixels it does not rotate (issue 14): says nothing about anyone
                  "Orientation"}
CONTENT_WORDS = re.compile(r"GPS|Serial|Owner|Artist|Author|Copyright|Comment|Make|Model|"
                           r"Software|DateTimeOriginal|CreateDate|Thumbnail|XMP|ICC|Lens",
                           re.IGNORECASE)
SYSTEM_TAGS = {"FileModifyDate", "FileAccessDate", "FileInodeChangeDate", "FileName",
               "Directory", "FilePermissions", "FileSize"}


def exiftool_tags(path: Path) -> dict[str, object]:
    assert EXIFTOOL, "exiftool is missing: make setup installs libimage-exiftool-perl"
    out = subprocess.run([EXIFTOOL, "-a", "-G1", "-u", "-j", str(path)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)[0]


def leftovers(path: Path) -> list[str]:
    bad = []
    tags = exiftool_tags(path)
    for key in tags:
        if ":" not in key:
            continue
        group, tag = key.split(":", 1)
        if group == "System" and tag in SYSTEM_TAGS:
            continue
        if group == "IFD0" and tag in TIFF_STRUCTURE:
            continue
        if group.startswith("ICC") and path.suffix.lower() in (".heic", ".heif"):
            continue  # a HEIC keeps its colour profile on purpose (issue 14): a profile
            # describes colours (Apple's Display P3 here), not a person or a device
        if key == "ExifTool:Warning" and "'PXSF'" in str(tags[key]):
            continue  # our own encrypted-regions segment, named as unknown: no content
        if group not in STRUCTURE_GROUPS or CONTENT_WORDS.search(tag) or tag == "Warning":
            bad.append(key)
    return bad


@needs_shared
def test_the_sources_do_carry_metadata() -> None:
    """The oracle can fail: on the inputs it does find content tags."""
    for src in SOURCES:
        assert leftovers(src), src


@needs_shared
@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.name)
@pytest.mark.parametrize("suffix", [".jpg", ".png", "same"])
def test_exiftool_finds_only_structure_after_strip(tmp_path: Path, src: Path,
                                                   suffix: str) -> None:
    out = tmp_path / ("out" + (src.suffix.lower() if suffix == "same" else suffix))
    strip(src, out)
    assert leftovers(out) == []


def test_exiftool_finds_only_structure_after_encrypted_redaction(tmp_path: Path) -> None:
    for name, suffix in (("street-with-gps.jpg", ".jpg"), ("id-card-utopia.jpg", ".png")):
        out = tmp_path / f"{name}{suffix}"
        pw = "a passphrase"
        redact(SAMPLES / name, out, RedactOptions(passphrase=pw))
        assert leftovers(out) == []


def _age(args: list[str], passphrase: str, confirm: bool) -> None:
    assert AGE, "age is missing: make setup installs it"
    child = pexpect.spawn(AGE, args, timeout=60)
    child.expect("passphrase")
    child.sendline(passphrase)
    if confirm:
        child.expect("passphrase")
        child.sendline(passphrase)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


def test_age_decrypts_our_vault(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    shutil.copy(SAMPLES / "street-with-gps.jpg", src)
    locked = lock(src, PASS)
    assert locked == tmp_path / "photo.jpg.age" and src.exists()
    plain = tmp_path / "by-age.jpg"
    _age(["-d", "-o", str(plain), str(locked)], PASS, confirm=False)
    assert plain.read_bytes() == src.read_bytes()


def test_we_open_a_file_that_age_encrypted(tmp_path: Path) -> None:
    src = tmp_path / "doc.png"
    shutil.copy(SAMPLES / "letter-contact-details.png", src)
    enc = tmp_path / "doc.png.age"
    _age(["-p", "-o", str(enc), str(src)], PASS, confirm=True)
    out = unlock(enc, PASS, tmp_path / "back.png")
    assert out.read_bytes() == src.read_bytes()


def test_vault_refusals(tmp_path: Path) -> None:
    from pixelsafe.errors import OutputPathError, PassphraseError

    src = tmp_path / "a.txt"
    src.write_bytes(b"secret")
    locked = lock(src, PASS)
    with pytest.raises(PassphraseError):
        unlock(locked, "wrong", tmp_path / "x.txt")
    with pytest.raises(OutputPathError):  # would overwrite the original
        unlock(locked, PASS)
    damaged = tmp_path / "d.age"
    blob = bytearray(locked.read_bytes())
    blob[-3] ^= 1
    damaged.write_bytes(bytes(blob))
    with pytest.raises(PassphraseError):
        unlock(damaged, PASS, tmp_path / "y.txt")
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "y.txt").exists()
