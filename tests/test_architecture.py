"""The layout the README's Architecture section describes, held by the code: no import
circle, models that never import the detectors, no function over 80 lines (but literal
tables), and one model of each kind per process, loaded once."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import EVAL, needs_shared

from pixelsafe.models.base import InferenceModel
from pixelsafe.models.cache import ModelCache

SRC = Path(__file__).resolve().parents[1] / "src"
#: functions that are literal tables (the OpenAPI document), not logic
LITERAL_TABLES = {("web/openapi.py", "spec")}


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "pixelsafe").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of the package that ``name`` imports, at its top or in a function."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    circles = sorted(name for name in graph if name in _reach(graph, name))
    assert circles == []


def test_the_graph_sees_a_circle_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(n for n in graph if n in _reach(graph, n)) == ["a", "b", "c"]


def test_the_models_and_the_text_page_never_import_the_detectors() -> None:
    graph = _graph()
    for name in graph:
        if name.startswith(("pixelsafe.models", "pixelsafe.text")):
            assert not any(m.startswith("pixelsafe.detectors") for m in _reach(graph, name)), name


def test_the_text_readers_never_import_one_another() -> None:
    """pii, documents and plates share the page (pixelsafe.text), not each other's code."""
    graph = _graph()
    readers = {f"pixelsafe.detectors.{name}" for name in ("pii", "documents", "plates")}
    for reader in readers:
        assert not _reach(graph, reader) & readers, reader


@needs_shared
def test_plates_alone_load_no_name_model() -> None:
    """`--detectors plates` reads the OCR and the rules' personal text, never the entity
    model (a process of its own: this one may have loaded it for other tests)."""
    script = (
        "import sys\n"
        "from pixelsafe.detectors import registry\n"
        "from pixelsafe.pipeline import Analyzer\n"
        "report = Analyzer(registry.build(['plates'])).analyze(sys.argv[1])\n"
        "print(len(report.findings), 'spacy' in sys.modules)\n")
    car = EVAL / "plates-seed" / "Estonia" / "image" / "0003596.jpg"
    found, loaded = subprocess.run([sys.executable, "-c", script, str(car)],
                                   capture_output=True, text=True, timeout=300,
                                   check=True).stdout.split()
    assert int(found) >= 1 and loaded == "False"


def test_no_function_is_over_80_lines_but_literal_tables() -> None:
    long = []
    for path in (SRC / "pixelsafe").rglob("*.py"):
        where = path.relative_to(SRC / "pixelsafe").as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 80 and (where, node.name) not in LITERAL_TABLES:
                    long.append((where, node.name, lines))
    assert long == []


class _Slow(InferenceModel[object]):
    loads = 0

    def _load(self) -> object:
        type(self).loads += 1
        time.sleep(0.05)
        return object()


def test_a_model_loads_once_whichever_threads_ask_and_again_after_unload() -> None:
    model = _Slow(threads=1)
    assert not model.is_loaded
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(model.loaded())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _Slow.loads == 1 and len({id(x) for x in seen}) == 1 and model.is_loaded
    model.unload()
    assert not model.is_loaded
    assert model.loaded() is not seen[0] and _Slow.loads == 2


def test_the_cache_holds_one_model_per_class_and_options() -> None:
    from pixelsafe.models.centerface import CenterFaceModel
    from pixelsafe.models.ocr import OcrConfig, OcrEngine

    cache = ModelCache(threads=1)
    faces = cache.get(CenterFaceModel)
    assert cache.get(CenterFaceModel) is faces and faces.threads == 1
    plain, small = cache.get(OcrEngine), cache.get(OcrEngine, config=OcrConfig(det_side=960))
    assert plain is not small and cache.get(OcrEngine, config=OcrConfig(det_side=960)) is small
    faces.session()
    assert faces.is_loaded
    cache.unload()
    assert not faces.is_loaded
    assert faces.session() is not None  # loads again on its next run
