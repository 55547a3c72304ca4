"""Independent, reproducible random streams.

Each table draws from its own stream derived from (seed, stream name), so changing one table's generator, or the
number of days, never shifts the numbers of another table.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["stream"]


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator for stream ``name`` of world ``seed``; the same arguments always give the same numbers."""
    salt = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, salt]))
