"""The JSON API (``/api``). Images are addressed by id only: no route takes a path."""

from __future__ import annotations

import base64
import hashlib
import io
import math
import os
import re
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, send_file

from .. import imageio, policy
from .._version import __version__
from ..errors import EmptyFileError, PixelSafeError, UnsupportedFormatError, VlmUrlError
from ..fsutil import private_dir
from ..policy import (
    MAX_BOX_COVER,
    MAX_EXPORT_IDS,
    MAX_MANUAL_BOXES,
    MIN_PASSPHRASE,
    STYLES,
    passphrase_problem,
    passphrase_warning,
)
from ..protect import UnverifiedCarrierWarning
from ..protect.bounded import Bounded
from ..protect.core import FORMAT_SUFFIX, RedactOptions
from ..report import Box, Kind, Report, RiskLevel
from ..vlm.settings import check_url
from . import library as lib
from .errors import ApiError, status_for
from .openapi import spec

bp = Blueprint("api", __name__, url_prefix="/api")

#: the renditions' longest sides
SIZES = {"thumb": 480, "display": 1600}

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff",
        "BMP": "image/bmp", "GIF": "image/gif", "HEIF": "image/heif"}


def library() -> lib.Library:
    return current_app.extensions["pixelsafe"]  # type: ignore[no-any-return]


def engine() -> Bounded:
    """The bounded worker that decodes photos for the server: renditions, previews, exports,
    strips, restores (the server never decodes one in its own process)."""
    return current_app.extensions["pixelsafe.engine"]  # type: ignore[no-any-return]


def db() -> Any:
    if "db" not in g:
        g.db = library().reader()
    return g.db


@bp.teardown_app_request
def _close(_exc: BaseException | None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ApiError(400, "bad_request", f"{name} must be between {low} and {high}")
    return value


def _choice(name: str, value: Any, choices: tuple[str, ...] | list[str]) -> Any:
    if value is not None and value not in choices:
        raise ApiError(400, "bad_request", f"{name} must be one of {', '.join(choices)}")
    return value


def _record(image_id: int) -> dict[str, Any]:
    return lib.get_image(db(), library(), image_id)


def _report(image_id: int) -> tuple[dict[str, Any], Report]:
    record = _record(image_id)
    if record["report"] is None:
        raise ApiError(409, "not_analysed", f"image {image_id} is not analysed yet "
                                            f"(state: {record['state']})")
    return record, Report.from_dict(record["report"])


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body


# -- reading ----------------------------------------------------------------------------

@bp.get("/status")
def status() -> Response:
    return jsonify(version=__version__, pipeline=library().pipeline,
                   library=library().root.name, stats=lib.stats(db(), library()))


@bp.get("/changes")
def changes() -> Response:
    """How many times what the gallery shows has changed: an idle page asks often, and it
    costs no query."""
    return jsonify(changes=library().changes)


@bp.get("/config")
def config() -> Response:
    """The policy table: the page builds its kind lists, toggles and checks from it; and
    the gallery's orders."""
    return jsonify({**policy.as_config(),
                    "sorts": [{"sort": k, "title": title} for k, (title, _) in lib.SORTS.items()]})


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())


@bp.get("/images")
def list_images() -> Response:
    page = _int_arg("page", 1, 1, 1_000_000)
    per_page = _int_arg("per_page", 48, 1, 200)
    risk = _choice("risk", request.args.get("risk"), [r.value for r in RiskLevel])
    kind = _choice("kind", request.args.get("kind"), [k.value for k in Kind])
    sort = _choice("sort", request.args.get("sort"), list(lib.SORTS)) or "newest"
    after = request.args.get("after") or None
    changed = library().changes  # read first: a change during the listing is seen next time
    images, total, following = lib.list_images(db(), library(), page, per_page, risk, kind,
                                               sort, after)
    return jsonify(images=images, total=total, page=page, per_page=per_page, next=following,
                   changes=changed, stats=lib.stats(db(), library()))


@bp.get("/images/<id:image_id>")
def get_image(image_id: int) -> Response:
    return jsonify(_record(image_id))


@bp.get("/images/<id:image_id>/report")
def get_report(image_id: int) -> Response:
    return jsonify(_report(image_id)[0]["report"])


@bp.get("/images/<id:image_id>/file")
def get_file(image_id: int) -> Response:
    record = _record(image_id)
    path = library().resolve(record["path"])
    if not path.is_file():
        raise ApiError(404, "not_found", f"the file of image {image_id} is gone")
    mime = MIME.get(_format_of(path), "application/octet-stream")
    response = send_file(path, mimetype=mime, download_name=lib.safe_name(record["name"]),
                         max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


#: renditions that failed, by (file hash, variant): remembered for the process's life
_FAILED_RENDERS: dict[tuple[str, str], PixelSafeError] = {}
MAX_FAILED_RENDERS = 1000


@bp.get("/images/<id:image_id>/thumb")
def get_thumb(image_id: int) -> Response:
    size = _choice("size", request.args.get("size", "thumb"), tuple(SIZES))
    redacted = _choice("redacted", request.args.get("redacted", "0"), ("0", "1")) == "1"
    record = _record(image_id)
    report = None
    if redacted:
        record, report = _report(image_id)
    variant = (f"{size}-redacted:{record['report']['analyzer']['pipeline']}" if redacted
               else size)
    data = library().thumbnail(record["sha256"], variant)
    if data is None:
        key = (record["sha256"], variant)
        failed = _FAILED_RENDERS.get(key)
        if failed is not None:
            raise failed  # a file that cannot be rendered is not decoded again at every view
        try:
            data = engine().render(library().resolve(record["path"]), SIZES[size], report)
        except PixelSafeError as exc:
            if len(_FAILED_RENDERS) >= MAX_FAILED_RENDERS:
                _FAILED_RENDERS.pop(next(iter(_FAILED_RENDERS)))
            _FAILED_RENDERS[key] = exc
            raise
        library().save_thumbnail(record["sha256"], variant, data)
    response = Response(data, mimetype="image/jpeg")
    # private photos stay out of the browser's disk cache: the page keeps what it shows
    response.headers["Cache-Control"] = "no-store"
    response.headers["ETag"] = hashlib.sha256(
        (record["sha256"] + variant).encode()).hexdigest()[:32]
    return response


# -- changing ---------------------------------------------------------------------------

@bp.post("/images")
def upload() -> tuple[Response, int]:
    files = request.files.getlist("file")
    if not files:
        raise ApiError(400, "bad_request", "send one or more files in the multipart field "
                                           "'file'")
    results: list[dict[str, Any]] = []
    for storage in files:
        name = os.path.basename((storage.filename or "upload").replace("\\", "/")) or "upload"
        data = storage.stream.read()
        fmt = imageio.sniff_format(data[:16])
        try:
            if fmt is None:
                if not data:
                    raise EmptyFileError(f"{name}: the file is empty")
                raise UnsupportedFormatError(
                    f"{name}: not a supported image (accepted: JPEG, PNG, WebP, TIFF, BMP, "
                    "GIF, HEIC/HEIF)")
            imageio.open_image(data, name)  # header only: refuses bombs before decoding
        except PixelSafeError as exc:
            results.append({"name": name, "status": "error", "error": {
                "type": exc.code, "message": str(exc), "status": status_for(exc)}})
            continue
        sha = hashlib.sha256(data).hexdigest()
        image_id, created = library().save_upload(name, data, sha, FORMAT_SUFFIX[str(fmt)])
        results.append({"name": name, "status": "created" if created else "duplicate",
                        "image": _record(image_id)})
    if all(r["status"] == "error" for r in results):
        first = results[0]["error"]
        raise ApiError(first["status"], first["type"], first["message"])
    code = 201 if any(r["status"] == "created" for r in results) else 200
    return jsonify(uploaded=results), code


@bp.post("/images/<id:image_id>/analyze")
def analyze(image_id: int) -> tuple[Response, int]:
    job = library().enqueue(image_id)
    record = _record(image_id)
    return jsonify(image=record, job=job), 202 if record["pending"] else 200


@bp.delete("/images/<id:image_id>")
def delete(image_id: int) -> Response:
    dst = library().trash(image_id)
    return jsonify(deleted=image_id, trash=dst.relative_to(library().root).as_posix())


@bp.get("/trash")
def trash() -> Response:
    files = library().trash_files()
    return jsonify(count=len(files), bytes=sum(p.stat().st_size for p in files))


@bp.delete("/trash")
def empty_trash() -> Response:
    """Delete the files in the trash for good (their reports and renditions went when they
    were moved there)."""
    return jsonify(deleted=library().empty_trash())


@bp.post("/images/<id:image_id>/lock")
def lock(image_id: int) -> Response:
    locked = _body().get("locked")
    if not isinstance(locked, bool):
        raise ApiError(400, "bad_request", "'locked' must be true or false")
    library().set_flag(image_id, "locked", locked)
    return jsonify(_record(image_id))


def _options(body: dict[str, Any], width: int, height: int) -> RedactOptions:
    style = _choice("style", body.get("style", "auto"), STYLES)
    keep = body.get("keep", [])
    if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
        raise ApiError(400, "bad_request", "'keep' must be a list of finding ids")
    raw_boxes = body.get("boxes", [])
    if not isinstance(raw_boxes, list):
        raise ApiError(400, "bad_request", "'boxes' must be a list of [x1, y1, x2, y2]")
    if len(raw_boxes) > MAX_MANUAL_BOXES or len(keep) > 10 * MAX_MANUAL_BOXES:
        raise ApiError(400, "too_many_boxes", f"at most {MAX_MANUAL_BOXES} boxes per request")
    boxes: list[Box] = []
    for raw in raw_boxes:
        if (not isinstance(raw, list) or len(raw) != 4
                or not all(isinstance(v, int | float) and not isinstance(v, bool)
                           and math.isfinite(v) for v in raw)):
            raise ApiError(400, "bad_request", "'boxes' must be a list of [x1, y1, x2, y2]")
        box = Box.from_floats(raw[0], raw[1], raw[2], raw[3], width, height)
        if box is None:
            raise ApiError(400, "bad_request", f"box {raw} is empty or outside the image")
        boxes.append(box)
    if sum(b.area for b in boxes) > MAX_BOX_COVER * width * height:
        raise ApiError(400, "too_many_boxes", f"the boxes cover the image more than "
                                              f"{MAX_BOX_COVER:g} times over")
    all_text = body.get("all_text", False)
    if not isinstance(all_text, bool):
        raise ApiError(400, "bad_request", "'all_text' must be true or false")
    return RedactOptions(style=style, keep=frozenset(keep), boxes=tuple(boxes),
                         overwrite=True, all_text=all_text)


def _format_of(path: Path) -> str:
    """The format the file's first bytes announce ("" when none we know)."""
    with path.open("rb") as fh:
        return imageio.sniff_format(fh.read(16)) or ""


#: the prefix of a restore's private working folder inside the exports folder
RESTORE_PREFIX = ".restore-"


def _exports() -> Path:
    return private_dir(Path(current_app.config["EXPORT_DIR"]))


def _send(path: Path, download: str, extra: dict[str, str] | None = None) -> Response:
    """Send a file the app wrote, from memory; it is not kept (a copy of every export in the
    data folder was one more copy to leak) unless the app was started to keep exports."""
    data = path.read_bytes()
    if not current_app.config["KEEP_EXPORTS"]:
        path.unlink(missing_ok=True)
    response = send_file(io.BytesIO(data),
                         mimetype=MIME.get(imageio.sniff_format(data[:16]) or "",
                                           "application/octet-stream"),
                         as_attachment=True, download_name=download, max_age=0)
    for key, value in (extra or {}).items():
        response.headers[key] = value
    return response


def _export_job(image_id: int, passphrase: str | None
                ) -> tuple[Path, Path, RedactOptions, Report, str]:
    """The export of an image with the page's choices: (source, file to write, options,
    report, download name). The preview and the export both come from here."""
    body = _body()
    record, report = _report(image_id)
    options = _options(body, report.image.width, report.image.height)
    options.passphrase = passphrase
    fmt = report.image.format
    if passphrase is not None and fmt != "JPEG":
        fmt = "PNG"  # the encrypted regions travel inside a PNG chunk or a JPEG segment
    out, name = _export_names(image_id, record, fmt, "protected" if passphrase else "redacted")
    return library().resolve(record["path"]), out, options, report, name


def _export_names(image_id: int, record: dict[str, Any], fmt: str, label: str
                  ) -> tuple[Path, str]:
    """An export's file in the exports folder, and the name it is downloaded under."""
    name = f"{Path(lib.safe_name(record['name'])).stem}.{label}{FORMAT_SUFFIX.get(fmt, '.png')}"
    return _exports() / f"{image_id}-{name}", name


def _regions(result: Any) -> list[dict[str, Any]]:
    """Every region the output got, in the order applied: the plan (toggles and manual
    boxes included), the face check's escalations, and what the verification added."""
    return [{"box": t.box.as_list(), "style": t.style, "kind": t.kind, "finding": t.finding_id}
            for t in result.regions]


def _protect(image_id: int, passphrase: str | None) -> Response:
    src, out, options, report, name = _export_job(image_id, passphrase)
    result = engine().redact(src, out, options, report)
    library().set_flag(image_id, "exported", True)
    added = result.verification.added if result.verification else []
    return _send(out, name, {"X-PixelSafe-Regions": str(len(result.regions)),
                             "X-PixelSafe-Added": str(len(added))})


@bp.post("/images/<id:image_id>/preview")
def preview(image_id: int) -> Response:
    """What the export with these choices writes, at display size, with its regions: the
    export itself (planned, escalated, re-analysed), made and not kept."""
    src, out, options, report, _ = _export_job(image_id, None)
    shown, result = engine().preview(src, out, options, report, SIZES["display"])
    return jsonify(jpeg=base64.b64encode(shown).decode(),
                   regions=_regions(result),
                   added=[x.to_dict() for x in result.verification.added]
                   if result.verification else [],
                   checked=bool(result.verification and result.verification.ok))


@bp.post("/images/<id:image_id>/export")
def export(image_id: int) -> Response:
    return _protect(image_id, None)


@bp.post("/export")
def export_many() -> Response:
    """Several photos redacted as each one's export with its defaults (every finding the
    policy redacts, ``style``), in one ZIP. Every id is checked (known, analysed) before
    any photo is written; the ZIP is made in the exports folder and not kept."""
    body = _body()
    ids = body.get("ids")
    if (not isinstance(ids, list) or not ids or len(ids) > MAX_EXPORT_IDS
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 2**63
                       for i in ids)):
        raise ApiError(400, "bad_request",
                       f"'ids' must be a list of 1 to {MAX_EXPORT_IDS} image ids")
    style = _choice("style", body.get("style", "auto"), STYLES)
    jobs = [(image_id, *_report(image_id)) for image_id in dict.fromkeys(ids)]
    names: set[str] = set()
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".zip.tmp", dir=_exports())  # swept
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
            for image_id, record, report in jobs:
                out, name = _export_names(image_id, record, report.image.format, "redacted")
                if name in names:  # two photos of one name, in different folders
                    name = f"{image_id}-{name}"
                names.add(name)
                engine().redact(library().resolve(record["path"]), out,
                                RedactOptions(style=style, overwrite=True), report)
                try:
                    archive.write(out, name)
                finally:
                    if not current_app.config["KEEP_EXPORTS"]:
                        out.unlink(missing_ok=True)
                library().set_flag(image_id, "exported", True)
        data = Path(tmp).read_bytes()
    finally:
        Path(tmp).unlink(missing_ok=True)
    response = send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                         download_name=f"pixelsafe-{len(jobs)}-photos.redacted.zip",
                         max_age=0)
    response.headers["X-PixelSafe-Exported"] = str(len(jobs))
    return response


def _passphrase(value: Any) -> str:
    if not isinstance(value, str) or passphrase_problem(value):
        raise ApiError(400, "weak_passphrase",
                       f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    return value


@bp.post("/images/<id:image_id>/encrypt")
def encrypt(image_id: int) -> Response:
    """Redact, and carry each region's original pixels encrypted inside the file."""
    passphrase = _passphrase(_body().get("passphrase"))
    response = _protect(image_id, passphrase)
    warning = passphrase_warning(passphrase)
    if warning:
        response.headers["X-PixelSafe-Warning"] = warning
    return response


@bp.post("/images/<id:image_id>/strip")
def strip(image_id: int) -> Response:
    record = _record(image_id)
    src = library().resolve(record["path"])
    ext = FORMAT_SUFFIX.get(_format_of(src), ".png")
    stem = Path(lib.safe_name(record["name"])).stem
    out = _exports() / f"{image_id}-{stem}.stripped{ext}"
    engine().strip(src, out, overwrite=True)
    return _send(out, f"{stem}.stripped{ext}")


@bp.post("/restore")
def restore() -> Response:
    """Upload a protected file and its passphrase; get the restored original back. Neither
    the passphrase nor the files are kept."""
    storage = request.files.get("file")
    if storage is None:
        raise ApiError(400, "bad_request", "send the protected file in the field 'file'")
    passphrase = request.form.get("passphrase", "")
    if not passphrase:
        raise ApiError(400, "wrong_passphrase", "give the passphrase")
    name = lib.safe_name(storage.filename or "protected.png")
    # a private folder of its own (0700), removed on every path; one left by a crash is
    # removed at the next start (web.sweep_stray)
    with tempfile.TemporaryDirectory(prefix=RESTORE_PREFIX, dir=_exports()) as tmp:
        src = Path(tmp) / name
        storage.save(src)
        out = Path(tmp) / (Path(name).stem.replace(".protected", "") + ".restored.png")
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", UnverifiedCarrierWarning)
            engine().restore(src, out, passphrase)
        data = out.read_bytes()
    response = Response(data, mimetype="image/png")
    for w in seen:
        if issubclass(w.category, UnverifiedCarrierWarning):
            response.headers["X-PixelSafe-Warning"] = str(w.message)
    response.headers["Content-Disposition"] = f'attachment; filename="{out.name}"'
    return response


# -- the VLM switch ---------------------------------------------------------------------

LOCAL_OLLAMA = ("127.0.0.1", "localhost", "::1")
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}")
KEEP_ALIVE = re.compile(r"-?[0-9]{1,6}(ms|s|m|h)?")


def switch() -> Any:
    return current_app.extensions["pixelsafe.vlm"]


@bp.get("/vlm")
def get_vlm() -> Response:
    """The VLM setting and a live check of Ollama (tags, the model, its vision)."""
    return jsonify(switch().status())


@bp.post("/vlm")
def set_vlm() -> Response:
    """Switch the VLM on or off, or change its model, URL (loopback only from the page;
    any other URL must come from the command line or the environment), timeout and
    keep-alive. Images are queued again for the new pipeline."""
    from dataclasses import replace
    from urllib.parse import urlsplit

    body = _body()
    current = switch().settings
    changes: dict[str, Any] = {}
    enabled = body.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise ApiError(400, "bad_request", "'enabled' must be true or false")
    if "model" in body:
        if not isinstance(body["model"], str) or not MODEL_NAME.fullmatch(body["model"]):
            raise ApiError(400, "bad_request", "'model' must be an Ollama model name")
        changes["model"] = body["model"]
    if "url" in body:
        url = body["url"]
        try:
            parts = urlsplit(check_url(url))
        except VlmUrlError:
            parts = None
        if (parts is None or parts.scheme != "http" or parts.hostname not in LOCAL_OLLAMA
                or parts.path not in ("", "/") or parts.query or parts.username):
            raise ApiError(400, "bad_request", "'url' must be http://127.0.0.1:PORT or "
                                               "http://localhost:PORT; set any other Ollama "
                                               "URL with --ollama-url")
        changes["url"] = url.rstrip("/")
    if "timeout" in body:
        timeout = body["timeout"]
        if (not isinstance(timeout, int | float) or isinstance(timeout, bool)
                or not 1 <= timeout <= 3600):
            raise ApiError(400, "bad_request", "'timeout' must be 1 to 3600 seconds")
        changes["timeout"] = float(timeout)
    if "keep_alive" in body:
        keep = body["keep_alive"]
        if not isinstance(keep, str) or not KEEP_ALIVE.fullmatch(keep):
            raise ApiError(400, "bad_request", "'keep_alive' must look like 10m, 1h or 0")
        changes["keep_alive"] = keep
    switch().apply(replace(current, **changes) if changes else None, enabled)
    return jsonify(switch().status())
