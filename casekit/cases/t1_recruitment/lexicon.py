"""The fairness lexicon and the labelled interview-question bank: the two packaged data files the fairness check of
T1 rests on, loaded and validated (every problem at once, each naming the file and the field).

``casekit/data/fairness_lexicon.yaml`` lists, per ground of 就業服務法 §5 I and per category of private data of §5 II
item 2 / 施行細則 §1-1, the Traditional-Chinese terms, the English terms and the indirect phrasings (regular
expressions) that raise it, and the exemptions (customer scenarios, words that contain a term but mean something
else). ``casekit/data/interview_questions.yaml`` is the bank of bilingual interview questions, each labelled fair or
unfair (with the ground it violates): the benchmark and the world's interview kit draw on it.

Text is compared in one normal form (:func:`normalise`): NFKC (full-width letters, digits and punctuation to
half-width), Simplified to Traditional Chinese with Taiwan's standard characters (OpenCC ``s2tw``), lower case. Not
``s2twp``: its phrase table also rewrites text that is already Traditional (對象 becomes 物件, the mainland word for a
programming object), which would change what a Taiwanese question says; and not plain ``s2t``, whose variants are
not Taiwan's (群 becomes 羣, 吃 becomes 喫). ``s2tw`` converts characters, so a Traditional text keeps its words and
only variant characters settle on one form (台 becomes 臺, in the text and in the terms alike).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from importlib import resources
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from casekit.errors import Problem, SpecError
from casekit.scenario.catalogs import load_skills
from casekit.validation import got, load_versioned_yaml, pydantic_problems

__all__ = [
    "ARTICLES",
    "GROUNDS",
    "LEXICON_FILE",
    "PRIVATE_DATA",
    "QUESTIONS_FILE",
    "BankQuestion",
    "Category",
    "Exemptions",
    "FairnessDataError",
    "Lexicon",
    "load_lexicon",
    "load_question_bank",
    "normalise",
    "parse_lexicon",
    "parse_question_bank",
]

SCHEMA_VERSION: Final = 1
LEXICON_FILE: Final = "fairness_lexicon.yaml"
QUESTIONS_FILE: Final = "interview_questions.yaml"

#: The 18 grounds of 就業服務法 §5 I, in the order the Act lists them.
GROUNDS: Final = (
    "race", "class", "language", "thought", "religion", "political_party", "native_place", "birthplace", "sex",
    "sexual_orientation", "age", "marital_status", "appearance", "facial_features", "disability", "zodiac",
    "blood_type", "union_membership",
)  # fmt: skip
#: The private data of 施行細則 §1-1 (physiological, psychological, personal life), which §5 II item 2 forbids
#: demanding when the job does not need it.
PRIVATE_DATA: Final = (
    "genetic", "drug_test", "health", "hiv", "iq_test", "fingerprint", "psych_test", "honesty_test", "polygraph",
    "credit_record", "criminal_record", "pregnancy", "background_check",
)  # fmt: skip
#: Citation ids (their text is in the t1fair catalog, ``t1fair.article_<id>``).
ARTICLES: Final = ("esa_5_1", "esa_5_2_2", "esa_5_2_6", "gea_7", "lsa_21", "org_band")
#: The smallest bank the benchmark and the world's kit may draw on, and the share of it that must be fair.
MIN_QUESTIONS: Final = 64
MIN_FAIR_SHARE: Final = 0.5

Article = Literal["esa_5_1", "esa_5_2_2", "esa_5_2_6", "gea_7", "lsa_21", "org_band"]
_ID = r"^[a-z][a-z_]{1,39}$"
_EN_TERM = re.compile(r"[a-z0-9][a-z0-9 '\-]*\*?")
_ZH_TERM_MAX = 20
_PATTERN_MAX = 300


class FairnessDataError(SpecError):
    """The fairness lexicon or the interview-question bank is malformed (all problems at once)."""


@cache
def _converter() -> Any:
    import opencc  # a compiled extension: imported only when text is first compared

    try:
        return opencc.OpenCC("s2tw")
    except Exception:  # older releases want the file name of the configuration
        return opencc.OpenCC("s2tw.json")


def normalise(text: str) -> str:
    """``text`` in the form the lexicon is matched in: NFKC, Traditional Chinese, lower case."""
    folded = unicodedata.normalize("NFKC", text)
    converted: str = _converter().convert(folded)
    return converted.lower()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Label(_Model):
    zh_tw: str = Field(alias="zh-TW", min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=60)

    def get(self, lang: str) -> str:
        return self.zh_tw if lang == "zh-TW" else self.en


_Terms = Annotated[tuple[str, ...], Strict(False)]  # a YAML list


class Category(_Model):
    """One ground or private-data category: what raises it, and which article it breaks."""

    id: str = Field(pattern=_ID)
    kind: Literal["ground", "private_data"]
    article: Article
    also: Annotated[tuple[Article, ...], Strict(False)] = Field(default=(), max_length=3)
    label: Label
    zh: _Terms = Field(min_length=1, max_length=80)  # terms, matched as whole words of the segmented text
    en: _Terms = Field(min_length=1, max_length=80)  # terms, matched between word boundaries; "pregnan*" = prefix
    indirect_zh: _Terms = Field(default=(), max_length=40)  # regular expressions over the normalised text
    indirect_en: _Terms = Field(default=(), max_length=40)


class Exemptions(_Model):
    """What keeps a term from being a flag: a customer as the subject of the clause (unless the candidate is
    addressed between them), words that contain a term but mean something else, English phrases masked out."""

    subjects_zh: _Terms = Field(min_length=1, max_length=40)
    subjects_en: _Terms = Field(min_length=1, max_length=40)
    second_person_zh: _Terms = Field(min_length=1, max_length=10)
    second_person_en: _Terms = Field(min_length=1, max_length=20)
    compounds_zh: _Terms = Field(default=(), max_length=200)
    masks_en: _Terms = Field(default=(), max_length=100)


class Lexicon(_Model):
    schema_version: Literal[1]
    categories: Annotated[tuple[Category, ...], Strict(False)] = Field(min_length=1, max_length=60)
    exemptions: Exemptions

    def category(self, ground: str) -> Category:
        return next(c for c in self.categories if c.id == ground)


class BankQuestion(_Model):
    """One labelled interview question of the bank."""

    id: str = Field(pattern=r"^IQ\d{3}$")
    zh_tw: str = Field(alias="zh-TW", min_length=1, max_length=300)
    zh_hans: str = Field(default="", alias="zh-Hans", max_length=300)  # the same question in Simplified Chinese
    en: str = Field(min_length=1, max_length=300)
    fair: bool
    ground: str | None
    competency: str
    type: Literal["behavioural", "situational", "other"]

    def text(self, lang: str) -> str:
        return {"zh-TW": self.zh_tw, "zh-Hans": self.zh_hans}.get(lang, self.en)


def _regex_problem(source: str, field: str, pattern: str) -> Problem | None:
    if len(pattern) > _PATTERN_MAX:
        return Problem(source, field, "expect.string_too_long", got(pattern), {"max_length": _PATTERN_MAX})
    try:
        re.compile(pattern)
    except re.error as exc:
        return Problem(source, field, "t1fair.expect_regex", got(pattern), {"error": str(exc)})
    return None


def _lexicon_problems(source: str, data: dict[str, Any]) -> list[Problem]:
    """Checks across fields: the grounds and categories complete and of the right kind, terms in normal form and
    used once, the regular expressions valid. Reads the raw data defensively (the schema reports wrong types)."""
    problems: list[Problem] = []
    raw = data.get("categories")
    categories = [c if isinstance(c, dict) else {} for c in raw] if isinstance(raw, list) else []
    first_id: dict[str, int] = {}
    first_term: dict[str, str] = {}

    def add(field: str, key: str, value: str, **params: Any) -> None:
        problems.append(Problem(source, field, key, value, params))

    for i, cat in enumerate(categories):
        where = f"categories[{i}]"
        cid = cat.get("id")
        if isinstance(cid, str):
            if cid in first_id:
                add(f"{where}.id", "t1fair.expect_unique", got(cid), first=f"categories[{first_id[cid]}]")
            first_id.setdefault(cid, i)
            kind = "ground" if cid in GROUNDS else "private_data" if cid in PRIVATE_DATA else None
            if kind is None:
                add(f"{where}.id", "t1fair.expect_category", got(cid), allowed=", ".join(GROUNDS + PRIVATE_DATA))
            elif cat.get("kind") != kind:
                add(f"{where}.kind", "expect.one_of", got(cat.get("kind")), expected=kind)
        for lang in ("zh", "en"):
            terms = cat.get(lang)
            for j, term in enumerate(terms if isinstance(terms, list) else []):
                if not isinstance(term, str):
                    continue
                field = f"{where}.{lang}[{j}]"
                ok = _zh_term_ok(term) if lang == "zh" else bool(_EN_TERM.fullmatch(term))
                if not ok:
                    add(field, f"t1fair.expect_{lang}_term", got(term))
                key = f"{lang}:{term.rstrip('*')}"
                if key in first_term:
                    add(field, "t1fair.expect_unique", got(term), first=first_term[key])
                first_term.setdefault(key, field)
        for lang in ("indirect_zh", "indirect_en"):
            patterns = cat.get(lang)
            for j, pattern in enumerate(patterns if isinstance(patterns, list) else []):
                found = _regex_problem(source, f"{where}.{lang}[{j}]", pattern) if isinstance(pattern, str) else None
                problems += [found] if found else []
    missing = [g for g in GROUNDS + PRIVATE_DATA if g not in first_id]
    if isinstance(raw, list) and missing:
        add("categories", "t1fair.expect_all_categories", "", missing=", ".join(missing))
    exemptions = data.get("exemptions")
    for name in ("subjects_zh", "compounds_zh"):
        words = exemptions.get(name) if isinstance(exemptions, dict) else None
        for j, word in enumerate(words if isinstance(words, list) else []):
            if isinstance(word, str) and not _zh_term_ok(word):
                add(f"exemptions.{name}[{j}]", "t1fair.expect_zh_term", got(word))
    for name in ("subjects_en", "second_person_en", "masks_en"):
        patterns = exemptions.get(name) if isinstance(exemptions, dict) else None
        for j, pattern in enumerate(patterns if isinstance(patterns, list) else []):
            found = _regex_problem(source, f"exemptions.{name}[{j}]", pattern) if isinstance(pattern, str) else None
            problems += [found] if found else []
    return problems


def _zh_term_ok(term: str) -> bool:
    """A term of at least two characters, written as :func:`normalise` writes it (Traditional, lower case)."""
    return 2 <= len(term) <= _ZH_TERM_MAX and not any(c.isspace() for c in term) and normalise(term) == term


def parse_lexicon(text: str, source: str = LEXICON_FILE) -> Lexicon:
    """Validate the YAML ``text`` of a fairness lexicon; :class:`FairnessDataError` with every problem."""
    data = load_versioned_yaml(text, source, SCHEMA_VERSION, FairnessDataError)
    problems: list[Problem] = []
    lexicon = None
    try:
        lexicon = Lexicon.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(source, exc, Lexicon)
    problems += _lexicon_problems(source, data)
    if problems or lexicon is None:
        raise FairnessDataError(problems)
    return lexicon


def _bank_problems(source: str, data: dict[str, Any], lexicon: Lexicon) -> list[Problem]:
    problems: list[Problem] = []
    raw = data.get("questions")
    items = [q if isinstance(q, dict) else {} for q in raw] if isinstance(raw, list) else []
    skills = {s.id for s in load_skills()}
    grounds = {c.id for c in lexicon.categories}
    first: dict[str, int] = {}

    def add(i: int, field: str, expected: str, value: Any, **params: Any) -> None:
        problems.append(Problem(source, f"questions[{i}].{field}", expected, got(value), params))

    for i, item in enumerate(items):
        qid, fair, ground, competency = item.get("id"), item.get("fair"), item.get("ground"), item.get("competency")
        if isinstance(qid, str):
            if qid in first:
                add(i, "id", "t1fair.expect_unique", qid, first=f"questions[{first[qid]}]")
            first.setdefault(qid, i)
        if fair is True and ground is not None:
            add(i, "ground", "t1fair.expect_no_ground", ground)
        if fair is False and not (isinstance(ground, str) and ground in grounds):
            add(i, "ground", "t1fair.expect_ground", ground, allowed=", ".join(sorted(grounds)))
        if isinstance(competency, str) and competency:
            if competency not in skills:
                add(i, "competency", "t1fair.expect_skill", competency, allowed=", ".join(sorted(skills)))
            elif fair is False:
                add(i, "competency", "t1fair.expect_no_competency", competency)
    if isinstance(raw, list):
        fair_count = Counter(q.get("fair") for q in items)[True]
        if len(items) < MIN_QUESTIONS:
            problems.append(
                Problem(source, "questions", "expect.too_short", str(len(items)), {"min_length": MIN_QUESTIONS})
            )
        if fair_count < MIN_FAIR_SHARE * len(items):
            share = {"share": f"{MIN_FAIR_SHARE:.0%}"}
            problems.append(
                Problem(source, "questions", "t1fair.expect_fair_share", f"{fair_count}/{len(items)}", share)
            )
    return problems


class _Bank(_Model):
    schema_version: Literal[1]
    questions: Annotated[tuple[BankQuestion, ...], Strict(False)] = Field(min_length=1, max_length=1000)


def parse_question_bank(
    text: str, source: str = QUESTIONS_FILE, lexicon: Lexicon | None = None
) -> tuple[BankQuestion, ...]:
    """Validate the YAML ``text`` of an interview-question bank against ``lexicon`` (default: the packaged one)."""
    data = load_versioned_yaml(text, source, SCHEMA_VERSION, FairnessDataError)
    problems: list[Problem] = []
    bank = None
    try:
        bank = _Bank.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(source, exc, _Bank)
    problems += _bank_problems(source, data, lexicon or load_lexicon())
    if problems or bank is None:
        raise FairnessDataError(problems)
    return bank.questions


def _packaged(name: str) -> str:
    return (resources.files("casekit") / "data" / name).read_text(encoding="utf-8")


@cache
def load_lexicon() -> Lexicon:
    """The packaged fairness lexicon (validated once per process)."""
    return parse_lexicon(_packaged(LEXICON_FILE), LEXICON_FILE)


@cache
def load_question_bank() -> tuple[BankQuestion, ...]:
    """The packaged bank of labelled interview questions (validated once per process)."""
    return parse_question_bank(_packaged(QUESTIONS_FILE), QUESTIONS_FILE)
