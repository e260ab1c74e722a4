"""Deterministic demo and benchmark data for the three sources (LP, LG, EX).

`Universe(seed, cases, as_of, rates)` models the province's reality; `write_lg`, `write_ex` and
`lp_requests` render it into each source with the quirks of shared/legacy at `Rates`;
`generate` does all of it in one pass for `jiandu generate`.
"""
from jiandu.demo.ex_writer import corrections, write_ex
from jiandu.demo.generate import generate
from jiandu.demo.lg_writer import mutate_lg, write_lg
from jiandu.demo.lp_payloads import lp_requests
from jiandu.demo.rates import CLEAN, Rates
from jiandu.demo.universe import Universe

__all__ = ["CLEAN", "Rates", "Universe", "corrections", "generate", "lp_requests", "mutate_lg", "write_ex",
           "write_lg"]
