"""Issue 32: the gallery lists, filters, sorts and counts by a summary kept beside each
image (its chosen report's score, risk level and kinds, indexed), not by reading every
report's JSON. These tests hold the summary to the reports it comes from: at start on a
database made before it existed, when the pipelines change (the VLM switched on and off),
and when an image arrives whose bytes already have a report."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pixelsafe.policy import RiskLevel
from pixelsafe.web import library as lib
from pixelsafe.web.library import Library


def report(score: int, kinds: list[str]) -> str:
    return json.dumps({"privacy_score": score, "risk_level": RiskLevel.for_score(score).value,
                       "explanation": "", "recommended_action": "none",
                       "findings": [{"kind": k, "label": k} for k in kinds],
                       "analyzer": {"pipeline": "p"}})


def image(conn: sqlite3.Connection, name: str, sha: str, added: float,
          folder: str = "") -> None:
    conn.execute("INSERT INTO images (path, name, sha256, size, mtime_ns, added_at) "
                 "VALUES (?, ?, ?, 1, 1, ?)", (folder + name, name, sha, added))


def reported(conn: sqlite3.Connection, sha: str, pipeline: str, score: int,
             kinds: list[str], at: float = 1.0) -> None:
    conn.execute("INSERT INTO reports VALUES (?, ?, ?, ?)",
                 (sha, pipeline, report(score, kinds), at))


def listed(library: Library, **query: object) -> list[str]:
    with library.reader() as conn:
        images, total, _ = lib.list_images(
            conn, library, 1, 50, query.get("risk"),  # type: ignore[arg-type]
            query.get("kind"), str(query.get("sort", "newest")))  # type: ignore[arg-type]
    assert total == len(images)
    return [i["name"] for i in images]


def counts(library: Library) -> dict[str, int | bool]:
    with library.reader() as conn:
        return lib.stats(conn, library)


def test_a_database_from_before_the_summary_is_summarised_at_start(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    db = tmp_path / "library.db"
    library = Library(root, db, "v1")
    with library.write() as conn:
        for n, (name, score, kinds) in enumerate([("passport.jpg", 5, ["document", "face"]),
                                                  ("letter.png", 2, ["personal_text"]),
                                                  ("new.jpg", 0, []), ("bad.jpg", 0, [])]):
            image(conn, name, f"{n:064x}", float(n))
            if score:
                reported(conn, f"{n:064x}", "v1", score, kinds)
        conn.execute("INSERT INTO failures VALUES (?, 'v1', 'input_error', 'truncated', 0)",
                     (f"{3:064x}",))
        # as the database was before the summary: its columns at their defaults, no listing
        conn.execute("UPDATE images SET score = 0, risk = NULL, kinds = NULL, failed = 0")
        conn.execute("DELETE FROM listing")
    library.close()
    library = Library(root, db, "v1")
    try:
        library.indexed.set()
        assert listed(library, risk="critical") == ["passport.jpg"]
        assert listed(library, kind="personal_text") == ["letter.png"]
        assert listed(library, kind="face", risk="critical") == ["passport.jpg"]
        assert listed(library, kind="metadata") == []
        assert listed(library, sort="risk") == ["passport.jpg", "letter.png", "bad.jpg",
                                                "new.jpg"]
        assert listed(library) == ["bad.jpg", "new.jpg", "letter.png", "passport.jpg"]
        got = counts(library)
        assert (got["total"], got["analysed"], got["high_risk"], got["failed"]) == (4, 2, 1, 1)
    finally:
        library.close()


def test_the_summary_follows_the_pipelines_and_bytes_seen_before(tmp_path: Path) -> None:
    """A file whose bytes have a report is listed by it at once; the VLM switched on shows
    the detectors' report until its own exists; a VLM report is kept when it is off again
    (it only adds); a second file with the same bytes is listed alike at once."""
    root = tmp_path / "photos"
    root.mkdir()
    library = Library(root, tmp_path / "library.db", "v1")
    try:
        library.indexed.set()
        sha = "a" * 64
        with library.write() as conn:
            reported(conn, sha, "v1", 2, ["face"], at=1.0)
        library.add("street.jpg", "street.jpg", sha, 1, 1)
        assert listed(library, risk="medium") == ["street.jpg"]
        library.configure("v1+vlm", "v1+vlm")
        assert listed(library, risk="medium") == ["street.jpg"]  # no VLM report yet
        with library.write() as conn:
            reported(conn, sha, "v1+vlm", 4, ["face", "context"], at=2.0)
        library.configure("v1", "v1")
        assert listed(library, risk="high") == ["street.jpg"]
        assert listed(library, kind="context") == ["street.jpg"]
        assert listed(library, risk="medium") == []
        library.add("copy.jpg", "copy.jpg", sha, 1, 1)
        assert sorted(listed(library, risk="high")) == ["copy.jpg", "street.jpg"]
        assert counts(library)["analysed"] == 2
    finally:
        library.close()


def test_pages_by_cursor_walk_each_order_once(tmp_path: Path) -> None:
    """Keyset pagination: page after page by the server's `next`, every photo comes once,
    in the order of the whole listing, through ties of time, score and name (in any
    case); the last page has no `next`; a cursor of another order is refused."""
    import pytest

    from pixelsafe.web.library import BadCursor

    root = tmp_path / "photos"
    root.mkdir()
    library = Library(root, tmp_path / "library.db", "v1")
    try:
        library.indexed.set()
        with library.write() as conn:
            for n in range(23):
                sha = f"{n:064x}"
                image(conn, ["b.jpg", "B.jpg", "a.jpg"][n % 3], sha, float(n // 4), f"{n}/")
                if n % 5:
                    reported(conn, sha, "v1", 1 + n % 3, ["face"])
            library._summarise(conn)
        with library.reader() as conn:
            for sort in ("newest", "risk", "name"):
                whole = [i["id"] for i in lib.list_images(conn, library, 1, 50, None, None,
                                                          sort)[0]]
                walked: list[int] = []
                after = None
                for page in range(1, 10):
                    images, total, after = lib.list_images(conn, library, page, 5, None,
                                                           None, sort, after)
                    assert total == 23
                    walked += [i["id"] for i in images]
                    if after is None:
                        break
                assert walked == whole, sort
                assert page == 5  # 5 + 5 + 5 + 5 + 3
            first = lib.list_images(conn, library, 1, 5, None, None, "risk")[2]
            assert first is not None
            for bad in (first, "x", "W10", "WyJuZXdlc3QiXQ"):  # risk's; junk; []; ["newest"]
                with pytest.raises(BadCursor):
                    lib.list_images(conn, library, 2, 5, None, None, "newest", bad)
    finally:
        library.close()
