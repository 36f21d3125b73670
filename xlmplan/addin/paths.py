"""Where the add-in is built by default (read by the CLI without importing the build)."""

from pathlib import Path

DEFAULT_OUT = Path("dist") / "xlmplan.xlam"
