"""Whether this machine has a font for Traditional Chinese, and a warning when it has none.

zh-TW is casekit's default language, and a page in it renders as rows of empty boxes in a browser (or in a PDF
printed from one) on a machine with only Latin fonts, such as a fresh Debian box with DejaVu alone. Nothing in the
page can fix that (pages load no fonts: they are self-contained), so the command that writes a zh-TW page says so,
once, on stderr, with the package that fixes it. fontconfig's ``fc-list`` answers the question; without it casekit
cannot tell, and warns.

Only the standard library and :mod:`casekit.i18n`: any layer may call this.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from typing import Final

from casekit.i18n import normalise_lang, t

__all__ = ["FC_LIST_TIMEOUT", "has_cjk_font", "warn_if_no_cjk_font"]

#: Seconds ``fc-list`` may take; a first call can build fontconfig's cache, which takes a moment.
FC_LIST_TIMEOUT: Final = 10.0

_warned = False


@functools.cache
def has_cjk_font() -> bool:
    """Whether fontconfig knows a font covering Traditional Chinese (``fc-list :lang=zh-tw family`` prints one).
    False when ``fc-list`` is missing, fails, times out or prints nothing. Asked once per process."""
    exe = shutil.which("fc-list")
    if exe is None:
        return False
    try:
        done = subprocess.run(
            [exe, ":lang=zh-tw", "family"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=FC_LIST_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def warn_if_no_cjk_font(lang: str | None) -> None:
    """Write one line to stderr, once per process, when ``lang`` is zh-TW and :func:`has_cjk_font` finds none."""
    global _warned
    if _warned or normalise_lang(lang) != "zh-TW" or has_cjk_font():
        return
    _warned = True
    print(t("unitpage.no_cjk_font", "zh-TW"), file=sys.stderr)
