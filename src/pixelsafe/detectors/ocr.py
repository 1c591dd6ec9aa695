"""OCR: RapidOCR (PP-OCRv6 small, ONNX) with the models that ship inside its wheel.

Nothing is downloaded: every model path is given explicitly (RapidOCR only fetches when a
path is missing) and each file's SHA-256 is checked against its pin in
:mod:`pixelsafe.models` before the first session is created. Detection runs first and
recognition only on the regions it finds, so a photo without text costs one detection pass.

Lines come back with their polygon, text, confidence and word boxes. ``Line.span_box``
turns a character range into pixels, so that an email inside a long line covers only its
own characters.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import unicodedata
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..errors import ModelError, OcrError, UnsafePathError
from ..fsutil import cache_home, private_dir, write_atomic
from ..models import OCR_MODELS, ocr_model_paths
from ..report import Box, Detail, Kind
from .base import Candidate, Deadline, Detector, Memo, Rect, Scene

log = logging.getLogger(__name__)

Point = tuple[float, float]


@dataclass(frozen=True)
class Word:
    text: str
    score: float
    quad: tuple[Point, Point, Point, Point]
    #: offset of the word's first character in its line's text
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Line:
    text: str
    score: float
    #: corners clockwise from the top left of the text, in image pixels
    quad: tuple[Point, Point, Point, Point]
    words: tuple[Word, ...]

    @property
    def rect(self) -> Rect:
        return _bounds(self.quad)

    @property
    def height(self) -> float:
        """Text height: the shorter side of the line's polygon."""
        (ax, ay), (bx, by), (cx, cy), _ = self.quad
        side1 = float(np.hypot(bx - ax, by - ay))
        side2 = float(np.hypot(cx - bx, cy - by))
        return min(side1, side2)

    def span_box(self, start: int, end: int) -> Rect:
        """Pixels of the characters ``text[start:end]``: the words they touch, cut in
        proportion to the characters when the span starts or ends inside a word."""
        parts: list[Rect] = []
        for w in self.words:
            lo, hi = max(start, w.start), min(end, w.end)
            if hi <= lo:
                continue
            n = max(1, len(w.text))
            parts.append(_sub_quad(w.quad, (lo - w.start) / n, (hi - w.start) / n))
        if not parts:  # no word geometry: proportional cut of the whole line
            n = max(1, len(self.text))
            parts.append(_sub_quad(self.quad, start / n, end / n))
        return (min(p[0] for p in parts), min(p[1] for p in parts),
                max(p[2] for p in parts), max(p[3] for p in parts))


def _bounds(quad: tuple[Point, ...]) -> Rect:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


def _sub_quad(quad: tuple[Point, Point, Point, Point], a: float, b: float) -> Rect:
    """The part of a text polygon between fractions ``a`` and ``b`` of its reading
    direction (top-left to top-right), with a small margin so no stroke is left out."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    if abs(y3 - y0) > abs(x1 - x0) * 1.5:  # a vertical polygon: keep all of it
        return _bounds(quad)
    margin = 0.5 / max(1.0, float(np.hypot(x1 - x0, y1 - y0)))
    a, b = max(0.0, a - margin), min(1.0, b + margin)
    pts = [
        (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
        (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
        (x3 + (x2 - x3) * b, y3 + (y2 - y3) * b),
        (x3 + (x2 - x3) * a, y3 + (y2 - y3) * a),
    ]
    return _bounds(tuple(pts))


_DROP_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC",
                 "FULLWIDTH", "HALFWIDTH")


def clean_text(text: str) -> str:
    """Drop the stray CJK characters that the multilingual recogniser emits on Latin text
    (a Latin-script product choice, stated in the README) and normalise compatibility forms."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text
                   if not any(s in unicodedata.name(c, "") for s in _DROP_SCRIPTS))


@dataclass(frozen=True)
class OcrConfig:
    #: images are scaled down to this longest side before detection
    det_side: int = 1920
    #: and recognised from crops of the image scaled down to at most this side
    max_side: int = 4096
    #: lines whose recognition score is below this are dropped
    min_score: float = 0.5
    #: the 0/180 degree classifier flips some clean horizontal lines (measured on the
    #: sample letter), and upside-down text is rare in photos: off by default
    use_cls: bool = False
    #: onnxruntime threads (None: one per core)
    threads: int | None = None
    #: recognise only the characters that :func:`clean_text` keeps (2,554 of the model's
    #: 18,708: Latin, Greek, Cyrillic, digits, signs) instead of reading CJK and dropping
    #: it after: the recogniser's last layer and its decoding were a fifth of a page's
    #: recognition (:func:`kept_characters_model`)
    kept_characters_only: bool = True
    #: the gate's small pass (below) runs the text detector in int8
    #: (:func:`quantized_detector`): 0.6 of its time, and the gate's recall as in float32
    #: (``bench/ocr-gate-results.md``)
    int8_gate: bool = True
    #: every pass of the text detector in int8: not the default, because names' precision
    #: on documents-seed fell 0.97 -> 0.94 and world addresses' recall 1.00 -> 0.98
    #: (``bench/kinds.py``), though plates and MRZ read as well (``bench/ocr-int8-results.md``)
    int8_detector: bool = False
    #: the text-presence gate (:class:`GatedDetection`): the detector first sees its input
    #: at this share of its scale, and the whole input only if text is read there (0: no
    #: gate)
    gate_scale: float = 0.5
    #: the small pass's thresholds, below RapidOCR's (0.3 and 0.5): small text is weaker
    #: in a smaller map
    gate_threshold: float = 0.1
    gate_box: float = 0.2
    #: more candidate boxes than this: text is everywhere, detect it all
    gate_max_boxes: int = 60
    #: the gate runs only on inputs of at least this many pixels: a photo of 1920x1080 or
    #: more. Below, detection costs under a second and the gate's own pass (a quarter of
    #: it) made receipts 9 % slower (speedcheck)
    gate_min_pixels: int = 2_000_000


class OcrEngine:
    """A RapidOCR pipeline, created on first use. Get the process's one engine from
    :func:`pixelsafe.runtime.models`."""

    def __init__(self, config: OcrConfig | None = None) -> None:
        self.config = config or OcrConfig()
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        """RapidOCR's pipeline with the sessions of our own, and the int8 detector's session
        (None when neither the gate's small pass nor the detection uses it)."""
        from rapidocr import RapidOCR

        paths = ocr_model_paths()
        cfg = self.config
        for name in ("RapidOCR", "rapidocr"):
            logging.getLogger(name).setLevel(logging.ERROR)
        engine = RapidOCR(params={
            "Global.log_level": "error",
            "Global.text_score": cfg.min_score,
            "Global.use_cls": cfg.use_cls,
            "Global.max_side_len": cfg.max_side,
            "Global.min_side_len": 16,
            "Global.return_word_box": True,
            "Det.model_path": str(paths["det"]),
            "Rec.model_path": str(paths["rec"]),
            "Cls.model_path": str(paths["cls"]),
            "Det.limit_type": "max",
            "Det.limit_side_len": cfg.det_side,
            "EngineConfig.onnxruntime.intra_op_num_threads": cfg.threads or os.cpu_count() or 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        from omegaconf import flag_override  # RapidOCR's configuration library

        def own_session(section: Any, session: Any) -> None:
            with flag_override(section, "allow_objects", True):
                section.session = session  # RapidOCR's hook for a session of one's own

        if cfg.kept_characters_only:
            own_session(engine.cfg.Rec, kept_characters_model(paths["rec"], cfg.threads))
        int8 = None
        if cfg.int8_detector or (cfg.int8_gate and cfg.gate_scale > 0):
            int8 = int8_detector_session(paths["det"], cfg.threads)
        # the detector's session is ours too, made with the process's options
        own_session(engine.cfg.Det, int8 if cfg.int8_detector
                    else _session(paths["det"].read_bytes(), cfg.threads))
        return engine, int8

    def engine(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    cfg = self.config
                    engine, int8 = self._load()
                    det = engine._load_det_model()
                    preprocess = _table_preprocess(det)  # no state per call: made once
                    det.get_preprocess = lambda: preprocess
                    if cfg.gate_scale > 0:
                        # the small pass in int8; when the whole detector is, it is det's own
                        small = (Network(int8) if cfg.int8_gate and not cfg.int8_detector
                                 else None)
                        det.session = GatedDetection(det.session, cfg, engine, small)
                    self._engine = engine
        return self._engine

    def read(self, image: Image.Image) -> list[Line]:
        """OCR an RGB image. Lines are in reading order (top to bottom, left to right)."""
        from rapidocr.utils.process_img import ResizeImgError

        engine = self.engine()
        try:
            result = engine(image.convert("RGB"))
        except ResizeImgError as exc:  # an image it cannot scale for its detector
            raise OcrError(f"OCR cannot read a {image.width}x{image.height} image: too thin "
                           "for its text detector") from exc
        if result.boxes is None or result.txts is None:
            return []
        words_per_line = result.word_results or [()] * len(result.txts)
        lines: list[Line] = []
        for quad, raw, score, words in zip(result.boxes, result.txts, result.scores,
                                           words_per_line, strict=False):
            line = _make_line(quad, raw, float(score), words)
            if line is not None:
                lines.append(line)
        lines = reading_order(lines)
        return lines


def kept_characters_model(path: Path, threads: int | None = None) -> Any:
    """An onnxruntime session of the recognition model ``path`` whose output covers only
    the blank, the characters :func:`clean_text` keeps, and the space.

    The model's last layer maps 120 features to 18,710 classes, then a softmax; RapidOCR
    then takes the best class of each step. Reading Chinese and dropping it after cost a
    fifth of a page's recognition; here the layer's weights are cut to the kept columns,
    and the model's character list (which RapidOCR reads from it) to the kept characters.
    A step whose best class was a dropped character now gives its best kept class (often
    the blank): on 2,205 lines of receipts, pages, passports, plates and photos, 2,195 read
    the same, and the others lost stray CJK glyphs that had split words or eaten MRZ
    fillers (``bench/ocr_vocabulary.py``)."""
    import onnx
    from onnx import numpy_helper

    try:
        model = onnx.load(str(path))
        meta = {prop.key: prop for prop in model.metadata_props}
        chars = meta["character"].value.splitlines()
        kept = [i for i, c in enumerate(chars) if clean_text(c)]
        # the classes: the blank, then the dictionary, then the space
        columns = np.array([0] + [i + 1 for i in kept] + [len(chars) + 1])
        classes = len(chars) + 2
        cut = 0
        for weight in model.graph.initializer:
            if weight.dims and weight.dims[-1] == classes:
                values = numpy_helper.to_array(weight)
                weight.CopyFrom(numpy_helper.from_array(
                    np.ascontiguousarray(values[..., columns]), weight.name))
                cut += 1
        (output,) = model.graph.output
        if cut != 2 or output.type.tensor_type.shape.dim[-1].dim_value != classes:
            raise ValueError(f"not the recogniser this was written for ({cut} layers of "
                             f"{classes} classes)")
        output.type.tensor_type.shape.dim[-1].dim_value = len(columns)
        meta["character"].value = "\n".join(chars[i] for i in kept)
        return _session(model.SerializeToString(), threads)
    except Exception as exc:
        raise ModelError(f"cannot load the OCR recognition model {path}: {exc}") from exc


#: the text detector's activation ranges for its int8 form, in the calibration cache format
#: of onnxruntime's quantizer; recorded by ``bench/ocr_int8.py calibrate``
DET_INT8_RANGES = Path(__file__).resolve().parents[1] / "data" / "ocr-det-int8-ranges.json"


#: the detector's convolutions kept in float32: the first (it reads the image itself) and the
#: last before the map's upsampling. All in int8 lost 1 of 42 plates of plates-seed and read
#: 2 of 110 plates' text wrongly on plates-openalpr; with these two in float32 both sets
#: score as the float32 detector or better (``bench/ocr-int8-results.md``)
DET_FLOAT_CONVS = ("Conv.0", "Conv.82")


def quantized_detector(path: Path, reader: Any = None) -> bytes:
    """The text detector ``path`` with its convolutions in int8 (onnxruntime's static QDQ
    quantization: weights per channel, activations by the ranges in
    :data:`DET_INT8_RANGES`), but for :data:`DET_FLOAT_CONVS`. Convolutions are four fifths
    of the detector's time; in int8 the gate's small pass over a 12 MP photo (960x704)
    takes 227 ms instead of 365 on this machine's two cores. With a calibration ``reader``
    and no ranges file, the ranges are measured and written first."""
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    try:
        model = onnx.load(str(path))
        names = {node.name for node in model.graph.node}
        if not names.issuperset(DET_FLOAT_CONVS):
            raise ValueError(f"no node {sorted(set(DET_FLOAT_CONVS) - names)}: "
                             "not the detector this was written for")
        # per-channel scales need opset 13's DequantizeLinear (the file is opset 11)
        model = version_converter.convert_version(model, 13)
        with tempfile.TemporaryDirectory(prefix="pixelsafe-det-") as tmp, _quiet_quantizer():
            out = Path(tmp) / "det-int8.onnx"
            quantize_static(model, out, reader, quant_format=QuantFormat.QDQ,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                            per_channel=True, op_types_to_quantize=["Conv"],
                            nodes_to_exclude=list(DET_FLOAT_CONVS),
                            calibrate_method=CalibrationMethod.MinMax,
                            calibration_cache_path=DET_INT8_RANGES)
            return out.read_bytes()
    except Exception as exc:
        raise ModelError(f"cannot prepare the int8 OCR detection model from {path}: {exc}"
                         ) from exc


def int8_detector_session(path: Path, threads: int | None = None) -> Any:
    """A session of :func:`quantized_detector` of ``path``, whose model is kept in the
    user's cache folder (its owner's only): preparing it costs a second or two, reading it
    back a few milliseconds. The file is named by what it is made from (the detector's
    pinned hash, the ranges, the float32 convolutions, the onnxruntime and onnx versions),
    so a change to any makes a new one; a file that onnxruntime cannot load is made again."""
    import onnx
    import onnxruntime

    recipe = "|".join([OCR_MODELS["det"][1], hashlib.sha256(DET_INT8_RANGES.read_bytes())
                       .hexdigest(), *DET_FLOAT_CONVS, onnxruntime.__version__, onnx.__version__])
    folder = cache_home() / "models"
    cached = folder / f"ocr-det-int8-{hashlib.sha256(recipe.encode()).hexdigest()[:24]}.onnx"
    try:
        return _session(cached.read_bytes(), threads)
    except Exception:  # missing, or not a model any more: made again
        pass
    data = quantized_detector(path)
    try:
        write_atomic(private_dir(folder) / cached.name, data, mode=0o600)
    except (OSError, UnsafePathError) as exc:
        log.warning("the int8 text detector is not kept (%s): it is prepared again in "
                    "the next process", exc)
    return _session(data, threads)


@contextlib.contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """onnxruntime's quantizer advises on the root logger ("consider pre-processing"): not
    for a user of PixelSafe to read."""
    def drop(record: logging.LogRecord) -> bool:
        return "onnxruntime" not in record.pathname

    root = logging.getLogger()
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


def _session(model: bytes, threads: int | None) -> Any:
    """An onnxruntime session with the process's options
    (:func:`pixelsafe.runtime.session_options`)."""
    import onnxruntime

    from ..runtime import default_threads, session_options

    options = session_options(threads or default_threads())
    options.enable_cpu_mem_arena = False  # as RapidOCR's own sessions
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def _table_preprocess(det: Any) -> Any:
    """RapidOCR's detector input, the same float32 values read from a table of the 256
    levels per channel instead of computed in float64 over every pixel (on a 12 MP photo's
    1920x1440 input: 80 -> 15 ms)."""
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    class TablePreProcess(DetPreProcess):  # type: ignore[misc]
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            levels = np.arange(256, dtype=np.float32)[:, None]
            self.table = ((levels * self.scale - self.mean) / self.std).astype(np.float32)

        def __call__(self, img: np.ndarray) -> np.ndarray | None:
            resized = self.resize(img)
            if resized is None:
                return None
            out = np.empty((1, resized.shape[2], *resized.shape[:2]), dtype=np.float32)
            for c in range(resized.shape[2]):  # mode="clip": an unbuffered take
                np.take(self.table[:, c], resized[:, :, c], out=out[0, c], mode="clip")
            return out

    return TablePreProcess(det.limit_side_len, det.limit_type, det.mean, det.std)


@dataclass(frozen=True)
class Network:
    """An onnxruntime session as the detector's network: a tensor in, the map out."""

    session: Any

    def __call__(self, tensor: np.ndarray) -> np.ndarray:
        (name,) = (i.name for i in self.session.get_inputs())
        return np.asarray(self.session.run(None, {name: tensor})[0])


class GatedDetection:
    """The text detector's network, skipped where the image shows no text.

    RapidOCR hands the detector one tensor, the image at the detector's scale. This gate
    runs the network (in int8: ``small``) on that tensor downscaled by ``gate_scale``
    first, takes the boxes its map gives (with thresholds lower than RapidOCR's) and
    recognises them from the full-scale tensor. Only if one of them reads as text does the
    network run on the whole input, exactly as without the gate, so every image with
    readable text is detected as before; an image without is given an empty map and costs
    the small pass and a few recognitions. (Running the network only on the regions was
    tried: its maps depend on the whole input, and plates were lost; see the README.)"""

    def __init__(self, session: Any, config: OcrConfig, engine: Any, small: Any = None
                 ) -> None:
        from rapidocr.ch_ppocr_det.utils import DBPostProcess

        self.session = session
        #: the network of the small pass (the int8 detector by default)
        self.small = small or session
        self.config = config
        self.engine = engine
        self.boxes = DBPostProcess(thresh=config.gate_threshold, box_thresh=config.gate_box,
                                   unclip_ratio=1.6, use_dilation=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def __call__(self, tensor: np.ndarray) -> np.ndarray:
        if self.has_text(tensor):
            return self.session(tensor)
        _, _, height, width = tensor.shape
        return np.zeros((1, 1, height, width), dtype=np.float32)

    def has_text(self, tensor: np.ndarray) -> bool:
        """Whether the whole input is to be detected: always for a small input; else when
        the small pass finds a box that the recogniser reads as text."""
        import cv2
        from rapidocr.ch_ppocr_rec.typings import TextRecInput

        cfg = self.config
        _, _, height, width = tensor.shape
        if height * width < cfg.gate_min_pixels:
            return True
        gw = max(32, round(width * cfg.gate_scale / 32) * 32)
        gh = max(32, round(height * cfg.gate_scale / 32) * 32)
        planes = tensor[0].transpose(1, 2, 0)
        small = cv2.resize(planes, (gw, gh), interpolation=cv2.INTER_AREA)
        prob = np.asarray(self.small(small.transpose(2, 0, 1)[None].astype(np.float32)))
        if float(prob.max()) <= cfg.gate_threshold:
            return False
        boxes, scores = self.boxes(prob, (height, width))
        if len(boxes) == 0:
            return False
        if len(boxes) > cfg.gate_max_boxes:
            return True  # text-like nearly everywhere: detect it all
        recognise = self.engine._load_rec_model()
        order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
        for start in range(0, len(order), 8):  # the likeliest first; stop at the first text
            crops = [self.crop(planes, boxes[i], self.engine.text_det)
                     for i in order[start:start + 8]]
            crops = [c for c in crops if c.size and min(c.shape[:2]) >= 2]
            if not crops:
                continue
            read = recognise(TextRecInput(img=crops))
            if any(score >= cfg.min_score and clean_text(str(text)).strip()
                   for text, score in zip(read.txts or (), read.scores, strict=False)):
                return True
        return False

    @staticmethod
    def crop(planes: np.ndarray, box: Any, det: Any) -> np.ndarray:
        """A box's pixels from the detector's input (HWC, normalised), back in 0..255 and
        cut straight as RapidOCR cuts them; only the box's region is turned back."""
        from rapidocr.utils.process_img import get_rotate_crop_image

        quad = np.asarray(box, dtype=np.float32)
        x1, y1 = np.maximum(np.floor(quad.min(axis=0)).astype(int) - 3, 0)
        x2, y2 = np.ceil(quad.max(axis=0)).astype(int) + 4
        region = np.clip((planes[y1:y2, x1:x2] * np.asarray(det.std) + np.asarray(det.mean))
                         * 255.0, 0, 255).astype(np.uint8)
        corner = np.array([x1, y1], dtype=np.float32)
        return np.asarray(get_rotate_crop_image(region, quad - corner))


def reading_order(lines: list[Line]) -> list[Line]:
    """Top to bottom by rows, left to right within a row. A line joins the current row
    when its vertical centre lies within half a line height of the row's first line."""
    def centre(ln: Line) -> float:
        return (ln.rect[1] + ln.rect[3]) / 2

    rows: list[list[Line]] = []
    for ln in sorted(lines, key=centre):
        if rows and abs(centre(ln) - centre(rows[-1][0])) <= 0.5 * min(
                ln.height, rows[-1][0].height):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda x: x.rect[0])]


def _quad(points: Any) -> tuple[Point, Point, Point, Point]:
    p = [(float(x), float(y)) for x, y in np.asarray(points, dtype=float).reshape(4, 2)]
    return (p[0], p[1], p[2], p[3])


def _make_line(quad: Any, raw: str, score: float, words: Any) -> Line | None:
    """Rebuild the line text from its words so that every word has a known offset."""
    built: list[Word] = []
    pieces: list[str] = []
    pos = 0
    for item in words or ():
        text, wscore, wquad = item[0], item[1], item[2]
        text = clean_text(str(text)).strip()
        if not text:
            continue
        if pieces:
            pieces.append(" ")
            pos += 1
        built.append(Word(text, float(wscore), _quad(wquad), pos))
        pieces.append(text)
        pos += len(text)
    if built:
        text = "".join(pieces)
    else:
        text = " ".join(clean_text(raw).split())
    if not text:
        return None
    return Line(text, score, _quad(quad), tuple(built))


class TextPage(Memo):
    """The OCR lines of one image, read once, and what the text detectors work out from
    them (MRZ zones, personal text, ...), each computed once through ``shared``."""

    def __init__(self, lines: Sequence[Line], width: int, height: int, image_format: str = ""
                 ) -> None:
        super().__init__()
        self.lines = tuple(lines)
        self.width = width
        self.height = height
        self.format = image_format


class TextReader(Detector):
    """A detector that reads the image's one OCR result: it writes only ``read``."""

    reads_text = True

    def __init__(self, engine: OcrEngine | None = None) -> None:
        from ..runtime import models

        self.engine = engine or models().ocr()

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Sequence[Candidate]:
        return self.read(text_page(scene, self.engine))

    @abstractmethod
    def read(self, page: TextPage) -> Sequence[Candidate]:
        """What this detector finds in the page's lines."""


def text_page(scene: Scene, engine: OcrEngine) -> TextPage:
    """The image's one OCR result, shared by every detector that reads text."""
    image = scene.image
    return scene.shared(("ocr", id(engine)), lambda: TextPage(
        engine.read(image.rgb), image.width, image.height, image.format))


# --- geometry of what the text detectors report -------------------------------------------

def pad(rect: Rect, height: float) -> Rect:
    """OCR boxes hug the glyphs and sometimes cut the first or last one: pad by a share
    of the text height, so that a fill leaves no sliver of a character."""
    x1, y1, x2, y2 = rect
    return (x1 - 0.3 * height, y1 - 0.12 * height, x2 + 0.3 * height, y2 + 0.12 * height)


def span_rect(line: Line, start: int, end: int) -> Rect:
    """The padded pixels of ``line.text[start:end]``."""
    return pad(line.span_box(start, end), line.height)


def union(rects: Sequence[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


def grow(rect: Rect, fx: float, fy: float) -> Rect:
    x1, y1, x2, y2 = rect
    w, h = x2 - x1, y2 - y1
    return (x1 - fx * w, y1 - fy * h, x2 + fx * w, y2 + fy * h)


@dataclass
class Collector:
    """Candidates of one page; one whose box falls outside the page is not collected (the
    rules ask whether a value was taken)."""

    page: TextPage
    found: list[Candidate]

    def add(self, kind: Kind, label: str, rect: Rect, confidence: float, source: str,
            text: str | None = None, data: dict[str, object] | None = None,
            detail: Detail | None = None) -> bool:
        if Box.from_floats(*rect, self.page.width, self.page.height) is None:
            return False
        self.found.append(Candidate(kind, label, confidence, source, rect, text, data, detail))
        return True
