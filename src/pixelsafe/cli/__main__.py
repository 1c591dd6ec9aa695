"""``python -m pixelsafe.cli``."""

from . import main

main()
