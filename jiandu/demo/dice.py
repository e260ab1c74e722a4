"""Seeded decisions that also guarantee coverage.

`Dice.roll` fires with the given rate, but a die that has not fired by its `force_within`-th
slot fires there: a small demo shows every quirk, a large run keeps the rate. `Dice.pick` goes
once through every option (in a seeded order) before drawing by weight, so every spelling
variant appears as soon as there are as many slots as variants. A die counts only the slots it
is asked about, so one Dice must be consulted in a fixed order for the output to be repeatable.
"""
from __future__ import annotations

import bisect
import itertools
import random
import zlib
from typing import Sequence, TypeVar

T = TypeVar("T")


class FastRandom(random.Random):
    """random.Random with cheaper integer draws (from one float each). The generator makes
    millions of them; their sequences differ from the stdlib's but are just as repeatable."""

    def _randbelow(self, n: int) -> int:
        return int(self.random() * n)

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            return int(self.random() * start)
        if step == 1:
            return start + int(self.random() * (stop - start))
        return start + step * int(self.random() * ((stop - start + step - 1) // step))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


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
        self.rng = FastRandom(seed)
        self._random = self.rng.random
        self.force_within = force_within
        self.slots: dict[str, int] = {}
        self.fired: dict[str, int] = {}
        self._cycles: dict[str, list[int]] = {}
        self._cum: dict[str, list[float]] = {}

    def roll(self, name: str, rate: float, *, force_within: int | None = None, min_hits: int = 1) -> bool:
        """True with probability `rate`; forced on slot `force_within` (and every `force_within`
        slots after, until it has fired `min_hits` times)."""
        if rate <= 0:
            return False
        slots = self.slots.get(name, 0) + 1
        self.slots[name] = slots
        fired = self.fired.get(name, 0)
        if self._random() >= rate and not (
                fired < min_hits and slots >= (force_within or self.force_within) * (fired + 1)):
            return False
        self.fired[name] = fired + 1
        return True

    def pick(self, name: str, options: Sequence[T], weights: Sequence[float] | None = None) -> T:
        pending = self._cycles.get(name)
        if pending is None:
            pending = list(range(len(options)))
            self.rng.shuffle(pending)
            self._cycles[name] = pending
        if pending:
            return options[pending.pop()]
        if weights is None:
            return options[int(self._random() * len(options))]
        cum = self._cum.get(name)
        if cum is None:
            cum = self._cum[name] = list(itertools.accumulate(weights))
        return options[min(bisect.bisect_right(cum, self._random() * cum[-1]), len(options) - 1)]

    def done(self, name: str) -> bool:
        """Every option of that pick has been shown (or it was never asked)."""
        return not self._cycles.get(name, True)

    def random(self) -> float:
        return self._random()

    def randint(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self._random() * len(seq))]


class Weighted:
    """A fixed weighted choice, drawn with one random() and a bisection."""
    __slots__ = ("options", "cum")

    def __init__(self, options, weights):
        self.options = tuple(options)
        total, cum = 0.0, []
        for w in weights:
            total += w
            cum.append(total)
        self.cum = [x / total for x in cum]

    def draw(self, rng: random.Random):
        return self.options[min(bisect.bisect_right(self.cum, rng.random()), len(self.options) - 1)]
