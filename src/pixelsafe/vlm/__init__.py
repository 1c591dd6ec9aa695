"""The optional local VLM: Qwen2.5-VL served by Ollama, asked for a typed JSON answer.

``settings`` (where and which model), ``schema`` (the prompt, the answer's JSON schema and
its parsing), ``geometry`` (the image sent, the boxes mapped back), ``cache`` (answers on
disk) and ``client`` (Ollama). :class:`pixelsafe.detectors.vlm.VlmDetector` puts it under
the detector contract; :mod:`pixelsafe.vlm_fuse` merges its findings with the detectors'.
"""

from ..errors import (
    VlmAnswerError,
    VlmError,
    VlmModelMissingError,
    VlmNoVisionError,
    VlmServerError,
    VlmTimeoutError,
    VlmTruncatedError,
    VlmUnreachableError,
)
from .cache import AnswerCache
from .client import Status, Vlm
from .geometry import MAX_TOKENS, MIN_TOKENS, PATCH, input_size, prepare, to_original
from .schema import ANSWER_SCHEMA, NUM_PREDICT, PROMPT, Answer, Region, parse
from .settings import DEFAULT_MODEL, DEFAULT_URL, PROMPT_VERSION, VlmSettings

__all__ = ["ANSWER_SCHEMA", "DEFAULT_MODEL", "DEFAULT_URL", "MAX_TOKENS", "MIN_TOKENS",
           "NUM_PREDICT", "PATCH", "PROMPT", "PROMPT_VERSION", "Answer", "AnswerCache",
           "Region", "Status", "Vlm", "VlmAnswerError", "VlmError", "VlmModelMissingError",
           "VlmNoVisionError", "VlmServerError", "VlmSettings", "VlmTimeoutError",
           "VlmTruncatedError", "VlmUnreachableError", "input_size", "parse", "prepare",
           "to_original"]
