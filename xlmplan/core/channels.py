"""Channel names across languages: the starter plan's channels are the keys of the label
packs' ``[channel]`` section, so a channel in the user's data named as in any pack
(``بحث مدفوع``, ``جست‌وجوی پولی``, ``paid search``) is the template's Paid Search.

Names are compared folded: case, spaces, the zero-width non-joiner, hyphens and other
punctuation, Arabic diacritics and tatweel ignored; Arabic and Persian forms of the same
letter (ي/ی, ك/ک, ى, أ/إ/آ/ا, ة/ه) taken as one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ي -> ی
        "\u0649": "\u06cc",  # ى -> ی
        "\u0643": "\u06a9",  # ك -> ک
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0629": "\u0647",  # ة -> ه
        "\u0640": None,  # tatweel
    }
)


def fold(name: str) -> str:
    """A channel name reduced to what tells channels apart."""
    text = unicodedata.normalize("NFKC", str(name)).casefold().translate(_LETTERS)
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch)[0] in "LN" and not 0x064B <= ord(ch) <= 0x065F
    )


def channel_keys(packs: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Folded channel name in any pack -> its key (``paid_search``); packs are the flat
    texts of each language (``channel.paid_search`` -> name)."""
    out: dict[str, str] = {}
    for texts in packs:
        for full, name in texts.items():
            if full.startswith("channel."):
                out.setdefault(fold(name), full[len("channel.") :])
    return out


@dataclass
class ChannelBinding:
    """The template's channels bound to the user's: each template channel's name in the
    plan, and what could not be bound (channel -> the rows naming it)."""

    names: dict[str, str]  # template channel (as written in the template) -> name in the plan
    bound: set[str] = field(default_factory=set)  # template channels the data has
    unbound: dict[str, list[str]] = field(default_factory=dict)

    def __call__(self, channel: str, row: str) -> str:
        """The plan's name for a template row's channel; notes the row when unbound."""
        if not channel:
            return channel
        name = self.names.get(channel, channel)
        if channel not in self.bound:
            self.unbound.setdefault(name, []).append(row)
        return name


def bind_channels(
    template: Iterable[str],
    data: list[str],
    keys: Mapping[str, str],
    plan_names: Mapping[str, str],
) -> ChannelBinding:
    """Bind each template channel to the data's channel spelled the same (any case), else
    to the one of the same key (the same name in any language), else to the one that folds
    the same; an unbound one takes its
    name in the plan's language (``plan_names``: key -> name). Without data channels (a
    plan laid out from its own tables) every channel counts as bound."""
    by_key: dict[str, str] = {}
    by_fold: dict[str, str] = {}
    exact: dict[str, str] = {}  # a data channel spelled as the template's wins ("~x", not "x")
    for name in data:
        exact.setdefault(str(name).casefold(), name)
        by_fold.setdefault(fold(name), name)
        key = keys.get(fold(name))
        if key is not None:
            by_key.setdefault(key, name)
    names: dict[str, str] = {}
    bound: set[str] = set()
    for channel in dict.fromkeys(template):
        key = keys.get(fold(channel))
        found = exact.get(str(channel).casefold())
        found = found or (by_key.get(key) if key is not None else None)
        found = found or by_fold.get(fold(channel))
        if found is not None or not data:
            bound.add(channel)
        default = plan_names.get(key, channel) if key is not None else channel
        names[channel] = found or default
    return ChannelBinding(names, bound=bound)
