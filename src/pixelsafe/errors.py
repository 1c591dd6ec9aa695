"""Typed errors raised by the library. The CLI and the web layer translate them, each by the
one attribute its class carries: ``http_status`` (the API's answer) and ``exit_status``
(the CLI's, :class:`pixelsafe.cli.common.ExitStatus`); a subclass inherits both."""

from __future__ import annotations


class PixelSafeError(Exception):
    """Base class of every error that PixelSafe raises on purpose."""

    #: short machine-readable name used in JSON error lines
    code = "error"
    #: the web API's status for it
    http_status = 500
    #: the CLI's exit status for it (1: "failed")
    exit_status = 1


class InputError(PixelSafeError):
    """The input file cannot be analysed."""

    code = "input_error"
    http_status = 422


class EmptyFileError(InputError):
    code = "empty_file"


class UnsupportedFormatError(InputError):
    code = "unsupported_format"
    http_status = 415


class CorruptImageError(InputError):
    code = "corrupt_image"


class DecompressionBombError(InputError):
    code = "decompression_bomb"
    http_status = 413


class FileTooLargeError(InputError):
    code = "file_too_large"
    http_status = 413


class ModelError(PixelSafeError):
    """A model file is missing, or its hash does not match the pinned one."""

    code = "model_error"
    http_status = 503  # the set-up is incomplete: not the request's fault


class ModelMissingError(ModelError):
    code = "model_missing"


class ModelHashError(ModelError):
    code = "model_hash_mismatch"


class UnknownDetectorError(PixelSafeError, ValueError):
    """A detector name that the registry does not know."""

    code = "unknown_detector"
    http_status = 400
    exit_status = 2  # the command line was wrong


class OcrError(PixelSafeError):
    """OCR could not read this image (too thin for its detector, for one)."""

    code = "ocr_error"
    http_status = 422


class AnalysisTimeoutError(PixelSafeError):
    code = "timeout"
    http_status = 503


class AnalysisResourceError(PixelSafeError):
    """The analysis ran out of its memory budget or its worker died."""

    code = "resource_limit"
    http_status = 422  # over the memory limit of the worker


class ReportFormatError(PixelSafeError):
    """A JSON report does not follow the report format."""

    code = "report_format"
    http_status = 422


class StoreError(PixelSafeError):
    code = "store_error"
    http_status = 503  # the database cannot be used now


class OutputFormatError(PixelSafeError):
    """A scan's output cannot be written in the form its path asks for."""

    code = "output_format"


class ClusterError(PixelSafeError):
    """A Ray cluster cannot be used: Ray is not installed, or the address does not answer."""

    code = "cluster_error"
    http_status = 503


class UnsafePathError(PixelSafeError):
    """A folder where PixelSafe keeps what it writes (its data folder, the library's
    uploads or trash) is a link, not a folder, or another user's: nothing is written there."""

    code = "unsafe_path"
    http_status = 409


class ProtectError(PixelSafeError):
    """Redaction, restoration or the vault could not do what was asked."""

    code = "protect_error"
    http_status = 422  # wrong passphrase, tampered, no payload, residual leak


class OutputPathError(ProtectError):
    """The output path is an input, or exists and overwriting was not asked for."""

    code = "bad_output_path"
    http_status = 409


class PassphraseError(ProtectError):
    """No passphrase, or the passphrase does not open this file."""

    code = "wrong_passphrase"
    exit_status = 3


class TamperedError(ProtectError):
    """Encrypted data failed authentication: a byte was changed."""

    code = "tampered"
    exit_status = 4


class PayloadMissingError(ProtectError):
    """The file carries no encrypted regions to restore."""

    code = "no_encrypted_payload"
    exit_status = 5


class ResidualLeakError(ProtectError):
    """Re-analysing the redacted output still found something that was to be hidden."""

    code = "residual_leak"
    exit_status = 6


# --- the optional VLM (Ollama) ---------------------------------------------------------

class VlmError(PixelSafeError):
    code = "vlm_error"
    http_status = 502  # the local Ollama failed


class VlmUnreachableError(VlmError):
    code = "vlm_unreachable"


class VlmModelMissingError(VlmError):
    code = "vlm_model_missing"


class VlmNoVisionError(VlmError):
    code = "vlm_no_vision"


class VlmTimeoutError(VlmError):
    code = "vlm_timeout"
    http_status = 504


class VlmServerError(VlmError):
    code = "vlm_server_error"


class VlmAnswerError(VlmError):
    """The answer is not JSON, or not the JSON the schema asks for."""

    code = "vlm_bad_answer"


class VlmTruncatedError(VlmError):
    code = "vlm_truncated"


class VlmUrlError(VlmError, ValueError):
    """An Ollama URL that cannot be used: not http(s), no host, or a port out of range."""

    code = "vlm_bad_url"
    http_status = 400
    exit_status = 2


def by_code(code: str) -> type[PixelSafeError]:
    """The error class whose ``code`` this is (PixelSafeError when none is): a worker
    process reports errors by code, its parent raises them typed again."""
    todo: list[type[PixelSafeError]] = [PixelSafeError]
    while todo:
        cls = todo.pop()
        if cls.code == code:
            return cls
        todo.extend(cls.__subclasses__())
    return PixelSafeError
