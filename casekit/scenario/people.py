"""Realistic zh-TW names for simulated staff and leavers."""

from __future__ import annotations

import numpy as np

from casekit.scenario.catalogs import load_people

__all__ = ["draw_names"]


def draw_names(rng: np.random.Generator, genders: np.ndarray, taken: set[str] | None = None) -> list[str]:
    """One name per entry of ``genders`` ('F' or 'M'), unique across the call and ``taken``."""
    people = load_people()
    surnames = list(people["surnames"])
    weights = np.array([people["surnames"][s] for s in surnames], dtype=float)
    weights /= weights.sum()
    used = set() if taken is None else taken
    names: list[str] = []
    for g in genders:
        first = people["given_first"][g]
        second = people["given_second"][g]
        for _ in range(200):
            name = (
                surnames[rng.choice(len(surnames), p=weights)]
                + first[rng.integers(len(first))]
                + second[rng.integers(len(second))]
            )
            if name not in used:
                break
        used.add(name)
        names.append(name)
    return names
