"""Typed errors raised by the library. The CLI and the web layer translate them."""

from __future__ import annotations


class PixelSafeError(Exception):
    """Base class of every error that PixelSafe raises on purpose."""

    #: short machine-readable name used in JSON error lines
    code = "error"


class InputError(PixelSafeError):
    """The input file cannot be analysed."""

    code = "input_error"


class EmptyFileError(InputError):
    code = "empty_file"


class UnsupportedFormatError(InputError):
    code = "unsupported_format"


class CorruptImageError(InputError):
    code = "corrupt_image"


class DecompressionBombError(InputError):
    code = "decompression_bomb"


class FileTooLargeError(InputError):
    code = "file_too_large"


class ModelError(PixelSafeError):
    """A model file is missing, or its hash does not match the pinned one."""

    code = "model_error"


class ModelMissingError(ModelError):
    code = "model_missing"


class ModelHashError(ModelError):
    code = "model_hash_mismatch"


class UnknownDetectorError(PixelSafeError, ValueError):
    """A detector name that the registry does not know."""

    code = "unknown_detector"


class OcrError(PixelSafeError):
    """OCR could not read this image (too thin for its detector, for one)."""

    code = "ocr_error"


class AnalysisTimeoutError(PixelSafeError):
    code = "timeout"


class AnalysisResourceError(PixelSafeError):
    """The analysis ran out of its memory budget or its worker died."""

    code = "resource_limit"


class ReportFormatError(PixelSafeError):
    """A JSON report does not follow the report format."""

    code = "report_format"


class StoreError(PixelSafeError):
    code = "store_error"


class UnsafePathError(PixelSafeError):
    """A folder where PixelSafe keeps what it writes (its data folder, the library's
    uploads or trash) is a link, not a folder, or another user's: nothing is written there."""

    code = "unsafe_path"


class ProtectError(PixelSafeError):
    """Redaction, restoration or the vault could not do what was asked."""

    code = "protect_error"


class OutputPathError(ProtectError):
    """The output path is an input, or exists and overwriting was not asked for."""

    code = "bad_output_path"


class PassphraseError(ProtectError):
    """No passphrase, or the passphrase does not open this file."""

    code = "wrong_passphrase"


class TamperedError(ProtectError):
    """Encrypted data failed authentication: a byte was changed."""

    code = "tampered"


class PayloadMissingError(ProtectError):
    """The file carries no encrypted regions to restore."""

    code = "no_encrypted_payload"


class ResidualLeakError(ProtectError):
    """Re-analysing the redacted output still found something that was to be hidden."""

    code = "residual_leak"


# --- the optional VLM (Ollama) ---------------------------------------------------------

class VlmError(PixelSafeError):
    code = "vlm_error"


class VlmUnreachableError(VlmError):
    code = "vlm_unreachable"


class VlmModelMissingError(VlmError):
    code = "vlm_model_missing"


class VlmNoVisionError(VlmError):
    code = "vlm_no_vision"


class VlmTimeoutError(VlmError):
    code = "vlm_timeout"


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
