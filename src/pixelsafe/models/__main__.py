"""``python -m pixelsafe.models fetch``: the set-up step that installs the face model."""

from .files import main

raise SystemExit(main())
