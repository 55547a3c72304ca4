"""Training offers: internal coaching, e-learning and vendor courses, each covering skills, with cost and capacity.

Every skill has at least one internal offer (coaching or e-learning): a centre trains its core skills in house, and
buys vendor courses on top. A compliance-critical skill always has an e-learning module (the regulator's rules and
the notices are taught to everyone at once, and fast). A coaching run is one coach's group, and a larger centre has
more coaches running the same module side by side, so its capacity grows with the headcount beyond
:data:`COACHING_HEADCOUNT`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_skills
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = ["OFFER_TYPES", "build_training"]

# type -> (cost per person NT$, hours, capacity per run, chance a skill has one)
OFFER_TYPES: dict[str, tuple[float, float, int, float]] = {
    "internal_coaching": (600.0, 4.0, 6, 0.8),
    "e_learning": (350.0, 2.0, 200, 0.7),
    "vendor_course": (9000.0, 10.0, 20, 0.55),
}
_TITLE = {
    "internal_coaching": ("{skill}：組內一對一輔導", "{skill}: one-to-one floor coaching"),
    "e_learning": ("{skill}：線上課程", "{skill}: e-learning module"),
    "vendor_course": ("{skill}：外部認證課程", "{skill}: external certified course"),
}
_PROVIDER = {"internal_coaching": "internal", "e_learning": "internal", "vendor_course": "vendor"}
_INTERNAL = ("internal_coaching", "e_learning")
#: The headcount one coaching group serves; a larger centre runs proportionally larger coaching capacity.
COACHING_HEADCOUNT = 150


def build_training(spec: OrgSpec, seed: int, headcount: int) -> pd.DataFrame:
    rng = stream(seed, "training")
    coaches = max(1.0, headcount / COACHING_HEADCOUNT)
    rows = []
    for skill in load_skills():
        chosen = [t for t, (*_, chance) in OFFER_TYPES.items() if rng.random() < chance]
        if not spec.training.vendor_courses:
            chosen = [t for t in chosen if t != "vendor_course"]
        if not any(t in _INTERNAL for t in chosen) or skill.compliance_critical:
            chosen = [t for t in OFFER_TYPES if t in (*chosen, "e_learning")]
        for kind in chosen:
            cost, hours, capacity, _ = OFFER_TYPES[kind]
            groups = coaches if kind == "internal_coaching" else 1.0
            also = [s.id for s in load_skills() if s.category == skill.category and s.id != skill.id]
            covered = [skill.id] + ([also[rng.integers(len(also))]] if kind == "vendor_course" and also else [])
            zh, en = _TITLE[kind]
            rows.append(
                {
                    "offer_type": kind,
                    "title_zh_tw": zh.format(skill=skill.zh_tw),
                    "title_en": en.format(skill=skill.en),
                    "skills": ";".join(covered),
                    "category": skill.category,
                    "cost_per_person": int(round(cost * spec.training.cost_scale * rng.uniform(0.8, 1.25), -1)),
                    "hours": float(np.round(hours * rng.uniform(0.75, 1.5) * 2) / 2),
                    "capacity": int(max(1, round(capacity * groups * rng.uniform(0.7, 1.3)))),
                    "provider": _PROVIDER[kind],
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "offer_id", [f"TR{i + 1:03d}" for i in range(len(frame))])
    return frame
