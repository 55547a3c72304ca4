"""Is an interview question fair? A rule-based check against 就業服務法 §5: the 18 grounds of §5 I and the private
data of §5 II item 2 (施行細則 §1-1), in Traditional Chinese, Simplified Chinese and English.

How a question is read (the rules are the lexicon's, :mod:`casekit.cases.t1_recruitment.lexicon`, per ground and
never per question):

1. Normalised: NFKC (full-width to half-width), Simplified to Traditional (OpenCC ``s2tw``), lower case.
2. Chinese is segmented with jieba (its bundled dictionary, nothing downloaded), the lexicon's terms and exemption
   compounds added to the dictionary so each is one word; a term counts only as a whole word, so 性向 inside
   性向測驗 (an aptitude test) is not 性向 (sexual orientation). Segmentation is dictionary-only (no HMM guesses),
   so only a known longer word can hide a term.
3. English terms match as whole words (runs of Latin letters and digits, so Latin next to Chinese is a boundary),
   looked up word by word; phrases that contain a term but mean something else (job aids, a blind transfer) are
   masked first.
4. Indirect phrasings are regular expressions (幾年次, 哪一年畢業, "start a family", "what year did you graduate").
5. A term in a clause whose subject is a customer ("a customer who mentioned their pregnancy", 核對客戶的年齡) is
   about the customer the candidate serves, not the candidate: no flag, unless a second-person word stands between
   the customer and the term or right before the term. A language the job needs and shift availability are not
   terms at all (see the lexicon's header).

The first call builds the matcher (jieba's dictionary, about a second); it is kept for the process, and each call
after that takes well under a millisecond for a question.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from casekit.cases.t1_recruitment.lexicon import Category, Lexicon, load_lexicon, normalise
from casekit.errors import UsageError
from casekit.i18n import normalise_lang, t

__all__ = ["MAX_QUESTION", "Flag", "article_text", "check_question", "initialise"]

#: The longest text one call checks (an advert is checked sentence by sentence).
MAX_QUESTION: Final = 2_000
#: jieba frequency given to the lexicon's words: high enough that each segments as one word, the same for all so
#: a compound that contains a term wins over the term and its rest.
_WORD_FREQ: Final = 50_000
#: How close before a term a second-person word makes it about the candidate (characters / English words).
_ZH_LEAD: Final = 3
_EN_LEAD_WORDS: Final = 2
_CLAUSE_END: Final = re.compile(r"[。！？!?；;，,:：\n]|\.(?=\s|$)|\s[-—–]+\s|—")
_CJK: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN: Final = re.compile(r"[a-z]")


def article_text(article: str, lang: str | None = None) -> str:
    """The citation of an article id (``esa_5_1`` -> 就業服務法第5條第1項)."""
    return t(f"t1fair.article_{article}", lang)


@dataclass(frozen=True)
class Flag:
    """One reason a question is unfair: the ground (or private-data category), its kind, the article it breaks,
    and the text that raised it (in normalised form)."""

    ground: str
    kind: Literal["ground", "private_data"]
    article: str
    term: str
    also: tuple[str, ...] = ()

    def label(self, lang: str | None = None) -> str:
        """The ground's name (婚姻 / marital status)."""
        return load_lexicon().category(self.ground).label.get(normalise_lang(lang))

    def explain(self, lang: str | None = None) -> str:
        """Why this is a flag, with the article: 涉及「婚姻」：就業服務法第5條第1項禁止以婚姻為由歧視求職人."""
        key = "t1fair.flag_ground" if self.kind == "ground" else "t1fair.flag_private_data"
        text = t(key, lang, ground=self.label(lang), article=article_text(self.article, lang))
        return text + "".join(t("t1fair.see_also", lang, article=article_text(a, lang)) for a in self.also)


_LATIN_WORD: Final = re.compile(r"[a-z0-9]+", re.ASCII)


class _EnglishTerms:
    """The lexicon's English terms as word sequences, looked up word by word (a dictionary probe per word and
    length, not a regular expression per term). Words are runs of Latin letters and digits, so a term is always
    word-bounded: "age" is not in "manage", and Latin next to Chinese is a boundary."""

    def __init__(self, categories: tuple[Category, ...]) -> None:
        self.exact: dict[tuple[str, ...], list[Category]] = {}
        self.prefix: dict[tuple[str, ...], list[tuple[str, Category]]] = {}  # words before the last -> stems
        self.longest = 1
        for category in categories:
            for term in category.en:
                words = tuple(_LATIN_WORD.findall(term.rstrip("*")))
                self.longest = max(self.longest, len(words))
                if term.endswith("*"):
                    self.prefix.setdefault(words[:-1], []).append((words[-1], category))
                else:
                    self.exact.setdefault(words, []).append(category)

    def matches(self, text: str) -> Iterator[tuple[Category, int, int]]:
        """(category, start, end) of every term in ``text``."""
        spans = [(m.group(), m.start(), m.end()) for m in _LATIN_WORD.finditer(text)]
        words = [w for w, _, _ in spans]
        for i in range(len(words)):
            for n in range(1, min(self.longest, len(words) - i) + 1):
                key, start, end = tuple(words[i : i + n]), spans[i][1], spans[i + n - 1][2]
                for category in self.exact.get(key, ()):
                    yield category, start, end
                for stem, category in self.prefix.get(key[:-1], ()):
                    if key[-1].startswith(stem):
                        yield category, start, end


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.ASCII) if patterns else None


class _Matcher:
    """The compiled lexicon and a jieba tokenizer of its own (jieba's global one is left as it is)."""

    def __init__(self, lexicon: Lexicon) -> None:
        import jieba  # imported on first use: loading its dictionary takes about a second

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer: Any = jieba.Tokenizer()
        self._tokenizer.initialize()
        ex = lexicon.exemptions
        words = {w for c in lexicon.categories for w in c.zh} | set(ex.compounds_zh) | set(ex.subjects_zh)
        for word in sorted(words):
            self._tokenizer.add_word(word, freq=_WORD_FREQ)
        self.categories = lexicon.categories
        self._zh_terms = [(w, c) for c in lexicon.categories for w in c.zh]
        self._zh_indirect = [(re.compile(p), c) for c in lexicon.categories for p in c.indirect_zh]
        self._en_terms = _EnglishTerms(lexicon.categories)
        self._en_indirect: list[tuple[re.Pattern[str], Category]] = []
        for c in lexicon.categories:
            pattern = _alternation(list(c.indirect_en))
            if pattern is not None:
                self._en_indirect.append((pattern, c))
        self._masks = _alternation(list(ex.masks_en))
        subjects_zh = sorted(ex.subjects_zh, key=len, reverse=True)
        self._subjects = [re.compile("|".join(map(re.escape, subjects_zh))), _alternation(list(ex.subjects_en))]
        self._second_zh = re.compile("|".join(map(re.escape, ex.second_person_zh)))
        self._second_en = _alternation(list(ex.second_person_en))

    # ------------------------------------------------------------------------------------------- matching
    def check(self, text: str) -> tuple[Flag, ...]:
        norm = normalise(text)
        ends = [m.start() for m in _CLAUSE_END.finditer(norm)]
        found: dict[str, tuple[int, Flag]] = {}

        def consider(category: Category, start: int, end: int, zh: bool) -> None:
            if category.id in found and found[category.id][0] <= start:
                return
            if self._about_customer(norm, ends, start, end, zh):
                return
            flag = Flag(category.id, category.kind, category.article, norm[start:end], category.also)
            found[category.id] = (start, flag)

        if _CJK.search(norm):
            bounds = self._bounds(norm)
            for term, category in self._zh_terms:
                at = norm.find(term)
                while at >= 0:
                    if at in bounds and at + len(term) in bounds:
                        consider(category, at, at + len(term), True)
                    at = norm.find(term, at + 1)
            for pattern, category in self._zh_indirect:
                for m in pattern.finditer(norm):
                    consider(category, m.start(), m.end(), True)
        if not _LATIN.search(norm):
            return _in_order(found)
        latin = self._masks.sub(lambda m: " " * len(m.group()), norm) if self._masks else norm
        for category, start, end in self._en_terms.matches(latin):
            consider(category, start, end, False)
        for pattern, category in self._en_indirect:
            for m in pattern.finditer(latin):
                consider(category, m.start(), m.end(), False)
        return _in_order(found)

    def _bounds(self, norm: str) -> set[int]:
        """The offsets where one jieba word ends and the next begins (0 and len included)."""
        bounds, at = {0}, 0
        for token in self._tokenizer.cut(norm, HMM=False):
            at += len(token)
            bounds.add(at)
        return bounds

    def _second_person(self, text: str) -> bool:
        return bool(self._second_zh.search(text) or (self._second_en and self._second_en.search(text)))

    def _about_customer(self, text: str, ends: list[int], start: int, end: int, zh: bool) -> bool:
        """Whether the term at ``text[start:end]`` is about a customer: a customer word in the same clause, with no
        second-person word between them or right before the term."""
        i = bisect.bisect_left(ends, start)
        low = ends[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(ends, end)
        high = ends[j] if j < len(ends) else len(text)
        lead = text[max(low, start - _ZH_LEAD) : start] if zh else " ".join(text[low:start].split()[-_EN_LEAD_WORDS:])
        if self._second_person(lead):
            return False
        for pattern in self._subjects:
            for m in pattern.finditer(text, low, high) if pattern else ():
                if m.end() <= start:
                    gap = text[m.end() : start]
                elif m.start() >= end:
                    gap = text[end : m.start()]
                else:
                    continue
                if not self._second_person(gap):
                    return True
        return False


def _in_order(found: dict[str, tuple[int, Flag]]) -> tuple[Flag, ...]:
    return tuple(flag for _, flag in sorted(found.values(), key=lambda pair: pair[0]))


_lock = threading.Lock()
_cache: dict[str, _Matcher] = {}


def _matcher() -> _Matcher:
    found = _cache.get("matcher")
    if found is None:
        with _lock:
            found = _cache.get("matcher")
            if found is None:
                found = _cache["matcher"] = _Matcher(load_lexicon())
    return found


def initialise() -> None:
    """Build the matcher now (load the lexicon, jieba's dictionary and the compiled rules) rather than on the
    first check; it is kept for the process."""
    _matcher()


def check_question(text: str) -> tuple[Flag, ...]:
    """The flags of one interview question (zh-TW, Simplified Chinese or English), in the order they occur; empty
    when the question is fair by the lexicon's rules. One flag per ground at most."""
    if len(text) > MAX_QUESTION:
        raise UsageError(t("t1fair.too_long", None, limit=MAX_QUESTION, length=len(text)))
    if not text.strip():
        return ()
    return _matcher().check(text)
