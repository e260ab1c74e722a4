"""Coverage lists: the first cases of each source go through every value the renderings need.

Every spelling of LG's mapping tables and every value of the EX columns needs a case that
carries it, and a 100-case demo must show them all. So the first cases of each source take
their case type, party type, channel, procedure, measures and so on from these lists, in
order; then chance takes over. A list value the case cannot take is skipped for a later case.
"""
from __future__ import annotations

from dataclasses import dataclass

from jiandu.demo.dice import Dice
from jiandu.demo.model import Case

# name -> values, or source -> values
_COVERS = {
    "case_type": {"LG": "231232132312123211122", "EX": "123123121123", "LP": "2312321"},
    "channel": {"LG": ("01", "02", "03", "04", "05", "01", "02", "02", "02"),
                "EX": ("01", "02", "03", "04", "05", "01", "02", "02"),
                "LP": ("01", "02", "03", "04", "05", "06", "99")},
    "party_type": "1243112214",
    # an ID ending in X, an ordinary one, a passport, a Hong Kong/Macao permit (LG and EX)
    "credential": ("X", "01", "02", "03"),
    "procedure": "21321322",
    "big": (True,),             # a fine large enough for a hearing and a collective discussion
    "review": (True, True),     # legal review shown (审核, 法制审核)
    "coercion_kind": ("2",),
    "measure": ("02", "03", "04"),
    "n_measures": (2,),
    "inspection_kind": {"LG": ("02",), "EX": ("02", "03", "04", "05"), "LP": ("02", "03", "04", "05")},
    "result": ("02", "01", "03", "04", "05"),
    "status": {"LG": ("20", "30", "10"), "LP": ("20", "30", "10"), "EX": ()},
    # LG cases from before 2019 (no sxbm; some double-encoded), then recent ones
    "lg_old": {"LG": (True, False, False, True, False, True, False, False, True), "LP": (), "EX": ()},
}


@dataclass
class SourceState:
    dice: Dice
    source: str = "LP"
    pending_twin: Case | None = None   # a fined case waiting for its repeat (B02)
    covers: dict | None = None

    def __post_init__(self):
        self.covers = {name: list(v[self.source] if isinstance(v, dict) else v) for name, v in _COVERS.items()}

    def take(self, name: str, ok=None):
        """The next value of a cover list the case can take (removed from the list), or None."""
        values = self.covers[name]
        if not values:
            return None
        for k, v in enumerate(values):
            if ok is None or ok(v):
                del values[k]
                return v
        return None
