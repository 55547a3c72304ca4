"""Message catalogs: zh-TW (default) and English.

Catalogs live in ``casekit/locales/<lang>/<domain>.json``; a key is ``<domain>.<name>``, so each part of the
package keeps its strings in its own file. Every user-facing string goes through :func:`t`.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "add_locales",
    "catalog",
    "get_lang",
    "normalise_lang",
    "set_lang",
    "t",
    "zh_numeral",
]

LANGS: tuple[str, ...] = ("zh-TW", "en")
DEFAULT_LANG = "zh-TW"
_ALIASES = {
    "zh-tw": "zh-TW",
    "zh_tw": "zh-TW",
    "zh": "zh-TW",
    "tw": "zh-TW",
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
}

_current: str | None = None


def normalise_lang(lang: str | None) -> str:
    """Return the canonical language tag for ``lang``; ``None`` gives the current language."""
    if lang is None:
        return get_lang()
    canonical = _ALIASES.get(lang.strip().lower())
    if canonical is None:
        raise ValueError(t("error.unknown_lang", DEFAULT_LANG, lang=lang, langs=", ".join(LANGS)))
    return canonical


def get_lang() -> str:
    """The language in force: set by :func:`set_lang`, else ``CASEKIT_LANG``, else zh-TW."""
    if _current is not None:
        return _current
    env = os.environ.get("CASEKIT_LANG")
    if env and env.strip().lower() in _ALIASES:
        return _ALIASES[env.strip().lower()]
    return DEFAULT_LANG


def set_lang(lang: str | None) -> None:
    global _current
    _current = None if lang is None else normalise_lang(lang)


_extra_roots: list[Path] = []


def add_locales(root: str | os.PathLike[str]) -> None:
    """Add a plug-in's message catalogs (``root/<lang>/<domain>.json``, laid out like casekit's own).

    A plug-in adds domains of its own; a key casekit already has keeps casekit's text.
    """
    path = Path(root)
    if path not in _extra_roots:
        _extra_roots.append(path)
        catalog.cache_clear()


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every message of one language, keys prefixed by their domain file's name."""
    merged: dict[str, str] = {}
    roots: list[Any] = [resources.files("casekit") / "locales", *_extra_roots]
    for root in roots:
        folder = root / lang
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".json"):
                continue
            domain = entry.name[: -len(".json")]
            data = json.loads(entry.read_text(encoding="utf-8"))
            for key, value in data.items():
                merged.setdefault(f"{domain}.{key}", value)
    return merged


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``params``.

    A key missing from the language falls back to English, then to the key itself, so a gap is visible but
    never fatal; the catalog tests keep both languages complete.
    """
    code = normalise_lang(lang) if lang is not None else get_lang()
    text = catalog(code).get(key)
    if text is None:
        text = catalog("en").get(key, key)
    return text.format(**params) if params else text


_ZH_DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """``n`` (0-99) in Chinese numerals, as zh-TW headings number their sections (一、二、... 十一、)."""
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _ZH_DIGITS[ones]
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + ("" if ones == 0 else _ZH_DIGITS[ones])
