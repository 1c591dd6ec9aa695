"""The OCR networks: RapidOCR (PP-OCRv6 small, ONNX) with the models that ship inside its
wheel, run by sessions of our own.

Nothing is downloaded: every model path is given explicitly (RapidOCR only fetches when a
path is missing) and each file's SHA-256 is checked against its pin in
:mod:`pixelsafe.models.files` before the first session is created. Detection runs first
and recognition only on the regions it finds, so a photo without text costs one detection
pass. What the lines are is :mod:`pixelsafe.text.page`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..errors import ModelError, OcrError, UnsafePathError
from ..fsutil import cache_home, private_dir, write_atomic
from ..text.page import Line, clean_text, make_line, reading_order
from .base import InferenceModel, default_threads, onnx_session
from .files import OCR_MODELS, ocr_model_paths

log = logging.getLogger(__name__)


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


class OcrEngine(InferenceModel[Any]):
    """A RapidOCR pipeline, loaded on first use. Get the process's one engine from
    :func:`pixelsafe.models.cache.shared`."""

    def __init__(self, config: OcrConfig | None = None, threads: int | None = None) -> None:
        self.config = config or OcrConfig()
        super().__init__(threads or self.config.threads)

    def _pipeline(self) -> tuple[Any, Any]:
        """RapidOCR's pipeline with the sessions of our own, and the int8 detector's session
        (None when neither the gate's small pass nor the detection uses it)."""
        from rapidocr import RapidOCR

        paths = ocr_model_paths()
        cfg = self.config
        threads = self.threads
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
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        from omegaconf import flag_override  # RapidOCR's configuration library

        def own_session(section: Any, session: Any) -> None:
            with flag_override(section, "allow_objects", True):
                section.session = session  # RapidOCR's hook for a session of one's own

        if cfg.kept_characters_only:
            own_session(engine.cfg.Rec, kept_characters_model(paths["rec"], threads))
        int8 = None
        if cfg.int8_detector or (cfg.int8_gate and cfg.gate_scale > 0):
            int8 = int8_detector_session(paths["det"], threads)
        # the detector's session is ours too, made with the process's options
        own_session(engine.cfg.Det, int8 if cfg.int8_detector
                    else _session(paths["det"].read_bytes(), threads))
        return engine, int8

    def _load(self) -> Any:
        cfg = self.config
        engine, int8 = self._pipeline()
        det = engine._load_det_model()
        preprocess = _table_preprocess(det)  # no state per call: made once
        det.get_preprocess = lambda: preprocess
        if cfg.gate_scale > 0:
            # the small pass in int8; when the whole detector is, it is det's own
            small = Network(int8) if cfg.int8_gate and not cfg.int8_detector else None
            det.session = GatedDetection(det.session, cfg, engine, small)
        return engine

    def engine(self) -> Any:
        """RapidOCR's pipeline, loaded."""
        return self.loaded()

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
            line = make_line(quad, raw, float(score), words)
            if line is not None:
                lines.append(line)
        lines = reading_order(lines)
        return lines


#: a page is read again turned a quarter each way when at least this many of its lines
#: stand on end, and they are most of its lines: a document photographed on its side
TURNED_MIN_LINES = 3


def _standing(line: Line) -> bool:
    x1, y1, x2, y2 = line.rect
    return (y2 - y1) > 1.5 * (x2 - x1)


def _weight(lines: list[Line]) -> float:
    """How much a reading reads: its characters, each by its line's confidence."""
    return sum(line.score * len(line.text.strip()) for line in lines)


def read_upright(engine: OcrEngine, image: Image.Image) -> tuple[list[Line], int]:
    """The lines of an image and the quarter turns it was read at (0; 1 or 3 as Pillow's
    ROTATE_90 and ROTATE_270 turn it). A page whose lines mostly stand on end was
    photographed on its side: it is read turned each way, and the way that reads more is
    kept, its lines level as the text rules read them (RapidOCR reads a standing line one
    way round, so the first reading may read as much, but its lines stand). It is kept as
    it was only when neither turned reading reads half as much. Other images pay for one
    reading."""
    lines = engine.read(image)
    standing = sum(_standing(line) for line in lines)
    if standing < TURNED_MIN_LINES or 2 * standing <= len(lines):
        return lines, 0
    readings = [(engine.read(image.transpose(method)), quarter)
                for quarter, method in ((1, Image.Transpose.ROTATE_90),
                                        (3, Image.Transpose.ROTATE_270))]
    best, turn = max(readings, key=lambda r: _weight(r[0]))
    return (best, turn) if _weight(best) >= 0.5 * _weight(lines) else (lines, 0)


def phone_rules(config: OcrConfig | None = None) -> dict[str, Any]:
    """What the phone app's OCR runs by (its ``rules.json``, ``ocr``): the library's own
    settings (the detector's side, the lines' score, the text gate's numbers), and
    RapidOCR's detector and recogniser numbers from its configuration file, which the
    library runs with too."""
    import rapidocr
    from omegaconf import OmegaConf

    cfg = config or OcrConfig()
    shipped = OmegaConf.load(Path(rapidocr.__file__).parent / "config.yaml")
    det, rec = shipped.Det, shipped.Rec
    return {"det": "models/ocr-det.onnx", "rec": "models/ocr-rec.onnx",
            "det_side": cfg.det_side, "min_score": cfg.min_score,
            "gate_scale": cfg.gate_scale, "gate_threshold": cfg.gate_threshold,
            "gate_box": cfg.gate_box, "gate_max_boxes": cfg.gate_max_boxes,
            "gate_min_pixels": cfg.gate_min_pixels,
            "thresh": float(det.thresh), "box_thresh": float(det.box_thresh),
            "unclip_ratio": float(det.unclip_ratio), "mean": list(det.mean),
            "std": list(det.std), "rec_height": int(rec.rec_img_shape[1]),
            "rec_width": int(rec.rec_img_shape[2])}


def kept_characters_model(path: Path, threads: int | None = None) -> Any:
    """An onnxruntime session of :func:`kept_characters` of the recognition model ``path``."""
    return _session(kept_characters(path)[0], threads)


def kept_characters(path: Path) -> tuple[bytes, list[str]]:
    """The recognition model ``path`` cut to output only the blank, the characters
    :func:`clean_text` keeps, and the space; and those characters, in the model's order
    (class ``i + 1`` is ``chars[i]``, the last class the space). The library runs it, and
    the phone app's build ships it.

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
        for value in model.graph.value_info:  # the shapes recorded inside the graph too
            dims = value.type.tensor_type.shape.dim
            if dims and dims[-1].dim_value == classes:
                dims[-1].dim_value = len(columns)
        meta["character"].value = "\n".join(chars[i] for i in kept)
        data: bytes = model.SerializeToString()
        return data, [chars[i] for i in kept]
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
    """An onnxruntime session with the process's options, without the memory arena (as
    RapidOCR's own sessions)."""
    return onnx_session(model, threads or default_threads(), arena=False)


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
