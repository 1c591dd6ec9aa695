"""Protection: redact regions (blur, pixelate, fill), keep their original pixels encrypted
for a passphrase holder, restore them, strip metadata, and lock whole files in an age vault."""

from .core import RedactOptions, RedactResult, Target
from .ops import lock, redact, restore, strip, unlock
from .sealed import UnverifiedCarrierWarning

__all__ = ["RedactOptions", "RedactResult", "Target", "UnverifiedCarrierWarning", "lock",
           "redact", "restore", "strip", "unlock"]
