"""Protection: redact regions (blur, pixelate, fill), keep their original pixels encrypted
for a passphrase holder, restore them, strip metadata, and lock whole files in an age vault.

One module per job: :mod:`.core` (plan, styles, encoding, the result types),
:mod:`.redaction` (the redaction as one operation), :mod:`.hardening` (faces treated until the
detector no longer finds them), :mod:`.verification` (the check of an output), :mod:`.restoration`,
:mod:`.stripping`, :mod:`.vault`, :mod:`.sealed` (the encrypted regions' format),
:mod:`.rendition` (screen-size copies) and :mod:`.bounded` (all of them in one bounded
worker process).
"""

from .core import Leftover, RedactOptions, RedactResult, Target, Verification
from .redaction import redact
from .restoration import restore
from .sealed import UnverifiedCarrierWarning
from .stripping import strip
from .vault import lock, unlock

__all__ = ["Leftover", "RedactOptions", "RedactResult", "Target", "UnverifiedCarrierWarning",
           "Verification", "lock", "redact", "restore", "strip", "unlock"]
