"""Seeded decisions that also guarantee coverage.

`Dice.roll` fires with the given rate, but a die that has not fired by its `force_within`-th
slot fires there: a small demo shows every quirk, a large run keeps the rate. `Dice.pick` goes
once through every option (in a seeded order) before drawing by weight, so every spelling
variant appears as soon as there are as many slots as variants. A die counts only the slots it
is asked about, so one Dice must be consulted in a fixed order for the output to be repeatable.
"""
from __future__ import annotations

import random
import zlib
from collections import Counter
from typing import Sequence, TypeVar

T = TypeVar("T")


def mix(*parts: object) -> int:
    """A stable 63-bit seed from any parts (str/int), independent of PYTHONHASHSEED."""
    h = 0x9E3779B97F4A7C15
    for p in parts:
        v = zlib.crc32(str(p).encode("utf-8")) if not isinstance(p, int) else p
        h ^= (v + 0x9E3779B97F4A7C15 + ((h << 6) & 0xFFFFFFFFFFFFFFFF) + (h >> 2)) & 0xFFFFFFFFFFFFFFFF
        # splitmix64 finaliser: neighbouring inputs give unrelated seeds
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return h & 0x7FFFFFFFFFFFFFFF


class Dice:
    def __init__(self, seed: int, *, force_within: int = 2):
        self.rng = random.Random(seed)
        self.force_within = force_within
        self.slots: Counter[str] = Counter()
        self.fired: Counter[str] = Counter()
        self._cycles: dict[str, list[int]] = {}

    def roll(self, name: str, rate: float, *, force_within: int | None = None) -> bool:
        if rate <= 0:
            return False
        self.slots[name] += 1
        hit = self.rng.random() < rate
        if not hit and not self.fired[name] and self.slots[name] >= (force_within or self.force_within):
            hit = True
        if hit:
            self.fired[name] += 1
        return hit

    def pick(self, name: str, options: Sequence[T], weights: Sequence[float] | None = None) -> T:
        pending = self._cycles.get(name)
        if pending is None:
            pending = list(range(len(options)))
            self.rng.shuffle(pending)
            self._cycles[name] = pending
        if pending:
            idx = pending.pop()
        elif weights is None:
            idx = self.rng.randrange(len(options))
        else:
            idx = self.rng.choices(range(len(options)), weights=weights)[0]
        self.fired[f"{name}={idx}"] += 1
        return options[idx]

    def random(self) -> float:
        return self.rng.random()

    def randint(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]
