"""Measure the T1 interview-question fairness check against the labelled bank (casekit/data/interview_questions.yaml).

"Unfair" is the positive class. For each language set (the zh-TW texts, the English texts, and the Simplified-
Chinese variants some items carry) it prints precision, recall and F1, the confusion counts and the misclassified
ids, and how often a caught question is caught for the labelled ground. It compares two detectors:

- casekit: ``check_question`` (NFKC + OpenCC, jieba segmentation with the lexicon's words, word-bounded English,
  indirect phrasings, customer-context and compound exemptions);
- plain alternative: a naive substring match of the same lexicon terms (zh and en, no segmentation, no
  normalisation, no indirect phrasings, no exemptions).

Latency: the one-off initialisation (lexicon, OpenCC, jieba's dictionary), then ms per question (median and p95
over every text of the bank, after a warm-up pass).

    python benchmarks/bench_fairness.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from casekit.cases.t1_recruitment.fairness import check_question, initialise
from casekit.cases.t1_recruitment.lexicon import BankQuestion, load_lexicon, load_question_bank

LANGS = ("zh-TW", "en", "zh-Hans")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    right_ground: int = 0
    missed: list[str] = field(default_factory=list)

    def add(self, question: BankQuestion, grounds: set[str]) -> None:
        unfair, said = not question.fair, bool(grounds)
        if unfair and said:
            self.tp += 1
            self.right_ground += question.ground in grounds
        elif said:
            self.fp += 1
            self.missed.append(question.id)
        elif unfair:
            self.fn += 1
            self.missed.append(question.id)
        else:
            self.tn += 1

    def line(self, name: str) -> str:
        wrong = "" if name == "all" else f"  wrong: {', '.join(self.missed) or '-'}"
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        ground = f"{self.right_ground}/{self.tp}" if self.tp else "-"
        return (
            f"  {name:<8} n={self.tp + self.fp + self.fn + self.tn:3d}  P={precision:.3f} R={recall:.3f} F1={f1:.3f}  "
            f"TP={self.tp} FP={self.fp} FN={self.fn} TN={self.tn}  right ground {ground}{wrong}"
        )


def naive_detector() -> Callable[[str], set[str]]:
    """The plain alternative: does the raw text contain a lexicon term anywhere?"""
    terms = [(w, c.id) for c in load_lexicon().categories for w in c.zh]
    terms += [(w.rstrip("*"), c.id) for c in load_lexicon().categories for w in c.en]

    def detect(text: str) -> set[str]:
        low = text.lower()
        return {ground for term, ground in terms if term in low}

    return detect


def casekit_detector(text: str) -> set[str]:
    return {flag.ground for flag in check_question(text)}


def evaluate(bank: Sequence[BankQuestion], detect: Callable[[str], set[str]]) -> dict[str, Score]:
    scores = {lang: Score() for lang in (*LANGS, "all")}
    for question in bank:
        for lang in LANGS:
            text = question.text(lang)
            if text:
                grounds = detect(text)
                scores[lang].add(question, grounds)
                scores["all"].add(question, grounds)
    return scores


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="timed passes over the bank")
    args = ap.parse_args()

    t0 = time.perf_counter()
    initialise()
    init_ms = (time.perf_counter() - t0) * 1000
    bank = load_question_bank()
    texts = [q.text(lang) for q in bank for lang in LANGS if q.text(lang)]
    fair = sum(q.fair for q in bank)
    print(f"bank: {len(bank)} questions ({fair} fair, {len(bank) - fair} unfair), {len(texts)} texts")
    for name, detect in (("casekit check_question", casekit_detector), ("plain substring match", naive_detector())):
        print(f"{name} (positive class: unfair)")
        for lang, score in evaluate(bank, detect).items():
            print(score.line(lang))

    for text in texts:  # warm-up
        check_question(text)
    times = []
    for _ in range(args.repeat):
        for text in texts:
            start = time.perf_counter()
            check_question(text)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"initialisation (lexicon, OpenCC, jieba dictionary): {init_ms:.0f} ms, once per process")
    print(
        f"check_question after warm-up: median {statistics.median(times):.3f} ms, p95 {p95:.3f} ms, "
        f"max {times[-1]:.3f} ms per question ({len(times)} calls)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
