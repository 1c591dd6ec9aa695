"""The package's version, in a module of its own so that no module imports the package's
facade (:mod:`pixelsafe`), which imports them lazily."""

__version__ = "0.1.0"
