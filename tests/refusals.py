"""The shape every refusal of bad input has: one line, naming the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from xlmplan.errors import DataError


def one_line_refusal(read: Callable[..., Any], path: Path, **kwargs: object) -> str:
    """The message of the DataError ``read(path, **kwargs)`` raises, checked to be one line
    that names ``path``'s file."""
    with pytest.raises(DataError) as info:
        read(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message
    return message
