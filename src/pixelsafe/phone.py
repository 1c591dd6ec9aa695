"""The phone app's build: the page and its worker (``phone/`` in the source tree, an npm
project with a committed lock file), onnxruntime-web's wasm files and the face network,
put together in :data:`APP_DIR`, which ``pixelsafe serve`` serves at ``/phone/``.

The browser runs the same network and the same face plan as the library: the model is the
one this package verified and prepared (:meth:`CenterFaceModel.prepared`), and its numbers
reach the worker as data (``rules.json``, from :class:`FaceConfig`), never as a copy in
JavaScript. Each wasm file copied out of the npm package is checked against its SHA-256
pinned here (``npm ci`` has checked the package against the lock file's hash).

    python -m pixelsafe.phone build     # run by `make setup`
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import ModelHashError, PixelSafeError

#: the built app, inside the package (not kept in git)
APP_DIR = Path(__file__).resolve().parent / "web" / "phone"
#: the npm project, in a source tree
SOURCE = Path(__file__).resolve().parents[2] / "phone"
#: the files the worker loads out of npm packages, pinned: onnxruntime-web 1.31.1's and
#: zxing-wasm 3.1.8's reader (exifr, plain JavaScript, is bundled into the worker)
WASM_SHA256 = {
    "ort/ort.wasm.min.mjs": "c21d9c326d453a4a61398270c804d5979e118540597cb0c07f7b3d64e6098234",
    "ort/ort-wasm-simd-threaded.mjs":
        "30ed0b5cd1182ede931fea448afb567d4dc705ec957af09f108a2be5f770dac3",
    "ort/ort-wasm-simd-threaded.wasm":
        "4b884c203b0fa48d057be3332c65513ff85aa3c5bddd6946acc0fab7ecda001d",
    "zxing/zxing_reader.wasm":
        "8451d7fe72f3d8e9ced56c7b6805e8bab88a0c218bfcd25c47c0a999e8188f3d",
}
MODEL_FILE = "models/centerface.onnx"
#: the page's policy: its worker compiles wasm from this origin's files, nothing else runs
CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
       "connect-src 'self'; img-src 'self' blob:; style-src 'self'; form-action 'none'; "
       "frame-ancestors 'none'; base-uri 'none'")
#: what every response of the app carries: COOP and COEP make the page cross-origin
#: isolated, which wasm threads need
HEADERS = (("Content-Security-Policy", CSP), ("Cross-Origin-Opener-Policy", "same-origin"),
           ("Cross-Origin-Embedder-Policy", "require-corp"),
           ("Cross-Origin-Resource-Policy", "same-origin"), ("X-Content-Type-Options", "nosniff"),
           ("Referrer-Policy", "no-referrer"))


class PhoneBuildError(PixelSafeError):
    """The phone app could not be built (no Node.js, npm failed, a file did not match)."""


def rules() -> dict[str, Any]:
    """What the page and its worker read instead of copying the library's numbers: the face
    plan (:class:`FaceConfig`), the policy table's score rules and risk levels, how a code's
    box is made and which label each field of its payload gets, how regions are treated,
    the text rules shared as data (card networks, IBAN lengths, the date grammar, the
    recognisers' patterns, the text padding), the machine-readable zone's alphabet and
    repairs, and the OCR's numbers (the build adds the recogniser's characters)."""
    from .detectors.barcodes import box_rules
    from .detectors.faces import FaceConfig
    from .models.ocr import phone_rules
    from .policy import score_table
    from .protect.core import style_rules
    from .text import mrz
    from .text.page import PAD
    from .text.recognizers import shared_rules

    faces = dataclasses.asdict(FaceConfig())
    faces["model"] = MODEL_FILE
    return {"faces": faces, "score": score_table(),
            "codes": box_rules(),
            "protect": style_rules(), "text": {**shared_rules(), "pad": list(PAD)},
            "ocr": phone_rules(), "mrz": mrz.phone_rules()}


def _npm(source: Path) -> None:
    """``npm ci`` when the installed packages are missing or older than the lock file."""
    lock = source / "package-lock.json"
    installed = source / "node_modules" / ".package-lock.json"
    if installed.is_file() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise PhoneBuildError("the phone app needs Node.js 20 and npm to build")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=source,
                   check=True)


def build(out: Path = APP_DIR, source: Path = SOURCE) -> Path:
    """Build the app into ``out`` (replaced whole, never left half-written)."""
    from .models.centerface import CenterFaceModel

    if not (source / "package.json").is_file():
        raise PhoneBuildError(f"no phone app source at {source}")
    _npm(source)
    node = shutil.which("node")
    if node is None:
        raise PhoneBuildError("the phone app needs Node.js 20 to build")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".phone-", dir=out.parent))
    work.chmod(0o755)  # static files, the same for anyone who may read the package
    try:
        subprocess.run([node, str(source / "build.mjs"), str(work)], check=True)
        for name, want in WASM_SHA256.items():
            got = hashlib.sha256((work / name).read_bytes()).hexdigest()
            if got != want:
                raise ModelHashError(f"{name} has SHA-256 {got}, expected {want}")
        (work / "models").mkdir()
        (work / MODEL_FILE).write_bytes(CenterFaceModel().prepared())
        shipped = rules()
        shipped["ocr"]["chars"] = _ocr_models(work, shipped["ocr"])
        (work / "rules.json").write_text(json.dumps(shipped, indent=1) + "\n")
        _manifest(work)
        old = out.with_name(out.name + ".old")
        if out.exists():
            os.replace(out, old)
        os.replace(work, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out


def _ocr_models(app: Path, ocr: dict[str, Any]) -> list[str]:
    """The text detector and the recogniser the library runs (its verified files; the
    recogniser cut to the characters it keeps), written into the app; the recogniser's
    characters, in its classes' order."""
    from .models import ocr_model_paths
    from .models.ocr import kept_characters

    paths = ocr_model_paths()
    (app / ocr["det"]).write_bytes(paths["det"].read_bytes())
    data, chars = kept_characters(paths["rec"])
    (app / ocr["rec"]).write_bytes(data)
    return chars


def _manifest(app: Path) -> str:
    """List every file of the built app with its SHA-256 (``manifest.json``, which the
    service worker keeps for offline use) and write the build's version, a hash of that
    list, into the service worker, so that a new build replaces the old cache."""
    files = sorted(p for p in app.rglob("*") if p.is_file() and p.name not in
                   ("manifest.json", "sw.js"))
    listed = [{"path": p.relative_to(app).as_posix(),
               "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in files]
    version = hashlib.sha256(json.dumps(listed).encode()).hexdigest()[:16]
    (app / "manifest.json").write_text(json.dumps({"version": version, "files": listed},
                                                  indent=1) + "\n")
    worker = app / "sw.js"
    code = worker.read_text()
    if "__PIXELSAFE_VERSION__" not in code:
        raise PhoneBuildError("the service worker has no version placeholder")
    worker.write_text(code.replace("__PIXELSAFE_VERSION__", version))
    return version


def export_site(dest: Path) -> Path:
    """Write the built app to ``dest`` (new, or an empty folder) as a static site for any
    HTTPS host, with its headers in ``_headers`` (the format Netlify and Cloudflare Pages
    read; another host must send the same ones). Written beside ``dest`` and renamed."""
    if not (APP_DIR / "index.html").is_file():
        raise PhoneBuildError("the phone app is not built: run `make setup`")
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PhoneBuildError(f"{dest} exists and is not an empty folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        shutil.copytree(APP_DIR, work, dirs_exist_ok=True)
        lines = ["/*", *(f"  {name}: {value}" for name, value in HEADERS)]
        (work / "_headers").write_text("\n".join(lines) + "\n")
        work.chmod(0o755)
        if dest.exists():
            dest.rmdir()
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


def main(argv: list[str]) -> int:
    if argv != ["build"]:
        print("usage: python -m pixelsafe.phone build", file=sys.stderr)
        return 2
    try:
        print(f"phone app built in {build()}")
    except (PixelSafeError, subprocess.CalledProcessError) as exc:
        print(f"phone app: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
