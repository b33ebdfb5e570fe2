"""The package's version: the one place it is written.

pyproject.toml reads it from here (hatch's dynamic version), so the installed metadata, the
``X-Stream-Client`` header and ``streamchat_core.__version__`` always agree, from a checkout
too.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
