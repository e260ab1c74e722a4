"""A model of the province's enforcement reality, generated from (seed, cases, as_of, rates).

Reference data (units, officers, items) is small and kept in lists. Parties and cases are not:
party j and the core of case i come from their own seeded generators (so they can be rebuilt
on demand), and cases are produced one by one by `iter_cases`. The irregular traits of a case
(late, stale, revoked, rule breaches) and the coverage lists of `covers` belong to each source
system and are consulted in case order, so iterating only the LG cases gives exactly the LG
cases of a full iteration.
"""
from __future__ import annotations

import bisect
import datetime as dt
import random
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Iterator

from jiandu.demo import catalog, people, places, timelines
from jiandu.demo.codes import make_resident_id, make_uscc
from jiandu.demo.covers import SourceState
from jiandu.demo.dice import Dice, FastRandom, mix
from jiandu.demo.model import SOURCES, Case, Item, Officer, Party, Subject
from jiandu.demo.rates import Rates

LG_SINCE = dt.date(2014, 1, 1)
LG_SXBM_SINCE = dt.date(2019, 1, 1)   # LG has filled sxbm only since 2019
LP_YEARS = 2                          # the platform went live two years before as_of
EX_MONTHS = 6                         # months of report files before as_of's month
_PARTY_SLOTS = 20                     # party j has type by j % 20: 0-10 persons, 11-16 companies ...
_DISTRICT_CODES = tuple(places.DISTRICTS)
_BIRTH_CODES = tuple(places.BIRTH_REGIONS)
# person blocks whose parties hold a passport (02) or a Hong Kong/Macao permit (03)
_FOREIGN_CYCLE = 37
_FOREIGN_BLOCK = {"02": 5, "03": 11, "X": 17}   # X: a resident ID ending in X
_PARTY_TYPE_SLOTS = {"1": range(0, 11), "2": range(11, 17), "4": range(17, 19), "3": range(19, 20)}


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    y, m = day.year, day.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


class Universe:
    """The province's reality for (seed, cases, as_of, rates); the same arguments give the same
    universe. Reference data: `subjects`, `officers` (`officers_by_subject`), `items`,
    `unregistered_officers` and `unregistered_items` (left out of LP on purpose); parties by
    `party(j)`; cases by `iter_cases(sources)` / `iter_chunks(size, sources)`. Writers leave
    what they did (a census of quirks, examples) in `reports[source]`."""

    def __init__(self, seed: int, cases: int, as_of: dt.date, rates: Rates | dict | None = None, *,
                 cutoff: dt.datetime | None = None):
        """cutoff: the moment the data stands at, by default the end of as_of. The case-entry
        service refuses times later than its clock, so a live demo dated today passes the
        current time (naive, Beijing time) or uses yesterday as as_of."""
        if cases < 1:
            raise ValueError("cases must be at least 1")
        self.seed = int(seed)
        self.cases = int(cases)
        self.as_of = as_of
        self.rates = Rates.of(rates)
        self.cutoff = dt.datetime.combine(as_of, dt.time(23, 59, 59))
        if cutoff is not None:
            if cutoff.date() != as_of:
                raise ValueError("cutoff must fall on as_of")
            self.cutoff = cutoff.replace(tzinfo=None, microsecond=0)
        self.reports: dict[str, dict] = {}   # what each writer did (quirk census, examples)
        self.lp_since = as_of - dt.timedelta(days=365 * LP_YEARS)
        self.ex_first_month = _month_start(as_of, EX_MONTHS)
        self.ex_last_day = _month_start(as_of) - dt.timedelta(days=1)
        self._party_base = mix(self.seed, "party")
        self._case_base = mix(self.seed, "case")
        self._phase = random.Random(mix(self.seed, "phase")).random()
        rng = FastRandom(mix(self.seed, "reference"))
        self.subjects: list[Subject] = self._make_subjects(rng)
        self.subject_by_code = {s.code: s for s in self.subjects}
        self.officers: list[Officer] = self._make_officers(rng)
        self.officers_by_subject: dict[str, list[Officer]] = {}
        for o in self.officers:
            self.officers_by_subject.setdefault(o.subject_code, []).append(o)
        self.items: list[Item] = self._make_items(rng)
        # LG/EX officers and items deliberately missing from LP: their cases are held from the push
        self.unregistered_items: list[Item] = [i for i in self.items if not i.registered]
        self.owner_of_item = {i.code: next(x for x in self.subjects if x.source == src)
                              for i, src in zip(self.unregistered_items, ("LG", "EX"))}
        self.unregistered_officers: list[Officer] = [o for o in self.officers if not o.registered]
        self.registered_officers_by_subject = {code: [o for o in offs if o.registered]
                                               for code, offs in self.officers_by_subject.items()}
        self.item_by_code = {i.code: i for i in self.items}
        self._items_by_key: dict[tuple[str, str, bool], list[Item]] = {}
        for it in self.items:
            for lp_only in (True, False):
                if it.registered or not lp_only:
                    self._items_by_key.setdefault((it.domain, it.category, lp_only), []).append(it)
        self.n_parties = max(1000, int(self.cases * 0.7))
        self._party_blocks = max(3, self.n_parties // _PARTY_SLOTS)
        self.party_index_bound = self._party_blocks * _PARTY_SLOTS   # every party index is below it
        self.party = lru_cache(maxsize=4096)(self._party)   # repeat parties come back often
        # weighted choice of a unit within each source
        self._by_source: dict[str, tuple[list[Subject], list[float]]] = {}
        for src in SOURCES:
            subs = [s for s in self.subjects if s.source == src]
            cum, total = [], 0.0
            for s in subs:
                total += s.weight
                cum.append(total)
            self._by_source[src] = (subs, [c / total for c in cum])

    # --- reference data -----------------------------------------------------------------

    def subjects_of(self, source: str) -> list[Subject]:
        return [s for s in self.subjects if s.source == source]

    def _candidates(self) -> list[tuple]:
        """(level, type, dept, district, street, name) of every unit that could exist."""
        out = []
        for d in catalog.DEPARTMENTS:
            out.append(("2", "01", d.key, None, None, d.city_name))
        for dept, name in catalog.AUTHORISED:
            out.append(("2", "02", dept, None, None, name))
        for code, dname in places.DISTRICTS.items():
            for d in catalog.DEPARTMENTS:
                out.append(("3", "01", d.key, code, None, d.district_name.format(d=dname)))
            for street in places.STREETS[code]:
                out.append(("4", "01", "CG", code, street, f"广州市{dname}{street}办事处"))
        return out

    def _make_subjects(self, rng: random.Random) -> list[Subject]:
        n = min(180, max(12, 12 + self.cases // 5000))
        cands = self._candidates()
        city = [c for c in cands if c[0] == "2"]
        district = [c for c in cands if c[0] == "3"]
        street = [c for c in cands if c[0] == "4"]
        for lst in (city, district, street):
            rng.shuffle(lst)
        n_lg, n_ex = max(3, round(n * 0.15)), max(3, round(n * 0.2))
        # LG: the old system was a city bureau's (城管, 市场监管, 卫生) and a few districts took it over
        lg_pool = [c for c in district if c[2] in ("CG", "SJ", "WJ")]
        lg = lg_pool[:n_lg]
        rest = [c for c in district if c not in lg]
        # EX: units without any system: streets and small district bureaus
        ex_pool = street[: max(1, n_ex // 2)] + [c for c in rest if c[2] in ("NY", "WL", "ZR", "AJ")]
        ex = ex_pool[:n_ex]
        rest = [c for c in rest if c not in ex]
        n_lp = n - len(lg) - len(ex)
        n_city = min(len(city), max(3, n_lp // 5))
        n_street = min(len(street) - len([c for c in ex if c[0] == "4"]), max(1, n_lp // 6))
        lp = city[:n_city] + [c for c in street if c not in ex][:n_street]
        lp += rest[: max(0, n_lp - len(lp))]
        # parents are listed first: the service and the hub check references
        chosen = sorted([(c, "LG") for c in lg] + [(c, "EX") for c in ex] + [(c, "LP") for c in lp],
                        key=lambda x: (x[0][0], x[0][5]))
        subjects: list[Subject] = []
        by_key: dict[tuple, Subject] = {}
        jgid = 0
        for (level, stype, dept_key, district_code, street_name, name), source in chosen:
            dept = catalog.DEPARTMENT_BY_KEY[dept_key]
            region = district_code or places.CITY_CODE
            if street_name and rng.random() < 0.1:
                stype = "03"   # a 受委托组织 now and then
                name = name.replace("办事处", "综合行政执法队")
            code = make_uscc(rng, region, authority="1", org_type="1" if stype == "01" else "2", agency=True)
            dchar = places.DISTRICTS[district_code][0] if district_code else ""
            prefix = "穗" + dchar + (street_name[:2] + "街" if street_name else dept.short)
            parent = None
            if level == "3":
                parent = by_key.get(("2", dept_key))
            elif level == "4":
                parent = by_key.get(("3", "CG", district_code))
            weight = {"2": 1.5, "3": 1.0, "4": 0.5}[level] * (0.5 + rng.random())
            leaders = (people.person_name(rng), people.person_name(rng))
            if source == "LG":
                jgid += 1
            s = Subject(index=len(subjects), code=code, name=name, region_code=region, level=level,
                        type=stype, domain=dept.domain, dept=dept_key, prefix=prefix,
                        parent_code=parent.code if parent else None, is_active=True, source=source,
                        weight=round(weight, 3), leaders=leaders, lg_jgid=jgid if source == "LG" else None)
            subjects.append(s)
            if level == "2" and stype == "01":
                by_key[("2", dept_key)] = s
            elif level == "3":
                by_key[("3", dept_key, district_code)] = s
        # one small LG unit carries little: its credit code is the one LG lost (blank in t_jg)
        lg_subjects = [s for s in subjects if s.source == "LG"]
        lg_subjects[-1].weight = 0.2
        return subjects

    def _make_officers(self, rng: random.Random) -> list[Officer]:
        officers: list[Officer] = []
        counters: dict[tuple[str, int], int] = {}
        total_weight = {src: sum(s.weight for s in self.subjects if s.source == src) for src in SOURCES}
        share = {"LG": self.rates.lg_share, "EX": self.rates.ex_share}
        share["LP"] = max(0.0, 1 - share["LG"] - share["EX"])
        ryid = 0
        unregistered_done: set[str] = set()
        for s in self.subjects:
            expected = self.cases * share[s.source] * s.weight / total_weight[s.source]
            n = min(40, 3 + int(expected // 150) + rng.randrange(0, 3))
            periods: list[tuple[dt.date, dt.date, str]] = []
            # two long-standing officers keep every date of the unit's window covered
            first = LG_SINCE if s.source == "LG" else self.lp_since if s.source == "LP" else self.ex_first_month
            core_from = dt.date(max(2019, first.year - 1) if s.source != "LG" else 2019, rng.randint(1, 6), 1)
            for _ in range(2):
                periods.append((core_from, self.as_of + dt.timedelta(days=rng.randint(400, 1500)), "01"))
            if s.source == "LG":  # the officers of 2012-2019, long expired
                for _ in range(2):
                    periods.append((dt.date(2012, rng.randint(1, 12), 1), dt.date(2019, rng.randint(3, 12), 28),
                                    rng.choice(("04", "04", "01"))))
            while len(periods) < n:
                start = self.as_of - dt.timedelta(days=rng.randint(200, 3000))
                end = start + dt.timedelta(days=365 * rng.choice((5, 6)) - 1)
                status = "01"
                if end < self.as_of:
                    status = "04" if rng.random() < 0.7 else "01"   # status not always updated
                elif rng.random() < 0.12:
                    status = rng.choice(("02", "03"))
                periods.append((start, end, status))
            unregistered_k = None
            if s.source in ("LG", "EX") and s.source not in unregistered_done:
                # an officer never registered in LP: the cases naming them are held from the push
                unregistered_done.add(s.source)
                unregistered_k = len(periods)
                periods.append((core_from, self.as_of + dt.timedelta(days=800), "01"))
            names: set[str] = set()
            for k, (start, end, status) in enumerate(periods):
                name = people.person_name(rng)
                while name in names:
                    name = people.person_name(rng)
                if s.source == "LG" and s.lg_jgid == 1 and k == 2:
                    name = officers[-2].name   # two officers of one LG unit share a name
                names.add(name)
                key = (s.region_code, start.year)
                counters[key] = counters.get(key, 0) + 1
                cert = f"{s.region_code}{start.year}{counters[key]:04d}"
                birth = dt.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
                id_no = make_resident_id(rng, rng.choice(list(places.BIRTH_REGIONS)), birth)
                registered = k != unregistered_k
                if s.source == "LG":
                    ryid += 1
                officers.append(Officer(cert_no=cert, name=name, id_no=id_no, subject_code=s.code,
                                        valid_from=start, valid_to=end, status=status,
                                        registered=registered, lg_ryid=ryid if s.source == "LG" else None))
        return officers

    def _make_items(self, rng: random.Random) -> list[Item]:
        items: list[Item] = []
        seq: dict[str, int] = {}
        for t in catalog.ITEMS:
            seq[t.dept] = seq.get(t.dept, 0) + 1
            dept = catalog.DEPARTMENT_BY_KEY[t.dept]
            items.append(Item(code=f"{places.CITY_CODE}-{t.dept}-{seq[t.dept] * 10 + 1:04d}", name=t.name,
                              category=t.category, domain=dept.domain, dept=t.dept, basis=t.basis,
                              fine_min=t.fine_min, fine_max=t.fine_max, review=t.review,
                              limitation=t.limitation, valid_from=dt.date(rng.choice((2015, 2017, 2019)), 1, 1),
                              valid_to=None, causes=t.causes, measures=t.measures))
        # one item of an LG unit's domain and one of an EX unit's that LP never registered
        for src in ("LG", "EX"):
            s = next(x for x in self.subjects if x.source == src)
            dept = catalog.DEPARTMENT_BY_KEY[s.dept]
            name = {"LG": "对未按规定设置门前责任区标识的处罚", "EX": "对未按规定公示行政许可信息的处罚"}[src]
            items.append(Item(code=f"{s.region_code}-{s.dept}-{9900 + len(items) % 100:04d}", name=name,
                              category="2", domain=dept.domain, dept=s.dept,
                              basis="《广州市市容环境卫生管理规定》第十三条（已废止）", fine_min=Decimal(100),
                              fine_max=Decimal(1000), review=False, limitation=None,
                              valid_from=dt.date(2014, 1, 1), valid_to=dt.date(2023, 12, 31),
                              causes=(name.removeprefix("对").removesuffix("的处罚"),), measures=(),
                              registered=False))
        return items

    def items_for(self, domain: str, category: str, *, lp_only: bool) -> list[Item]:
        found = self._items_by_key.get((domain, category, lp_only))
        if not found:   # a domain without such items borrows 城市管理's
            found = self._items_by_key[("04", category, lp_only)]
        return found

    # --- parties ------------------------------------------------------------------------

    def _party(self, j: int) -> Party:
        """Party j of the pool, always the same for the same seed (see `party`, its cache)."""
        rng = FastRandom(mix(self._party_base, j))
        slot = j % _PARTY_SLOTS
        ptype = next(t for t, r in _PARTY_TYPE_SLOTS.items() if slot in r)
        region = rng.choice(_DISTRICT_CODES)
        dname = places.DISTRICTS[region]
        address = f"广州市{dname}{rng.choice(places.ROADS[region])}{rng.randint(1, 899)}号"
        if ptype == "1":
            name = people.person_name(rng)
            foreign = (j // _PARTY_SLOTS) % _FOREIGN_CYCLE
            if foreign == _FOREIGN_BLOCK["03"]:   # Hong Kong and Macao residents
                return Party(j, ptype, name, "03", rng.choice("HM") + f"{rng.randrange(10**8):08d}", region, address)
            if foreign == _FOREIGN_BLOCK["02"]:   # foreigners living in Guangzhou
                return Party(j, ptype, people.foreign_name(rng), "02",
                             rng.choice("EGP") + f"{rng.randrange(10**8):08d}", region, address)
            birth = dt.date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
            home = region if rng.random() < 0.6 else rng.choice(_BIRTH_CODES)
            id_no = make_resident_id(rng, home, birth)
            while foreign == _FOREIGN_BLOCK["X"] and not id_no.endswith("X"):
                id_no = make_resident_id(rng, home, birth)
            return Party(j, ptype, name, "01", id_no, region, address)
        if ptype == "2":
            return Party(j, ptype, people.company_name(rng, dname), "10", make_uscc(rng, region), region, address)
        if ptype == "4":
            return Party(j, ptype, people.shop_name(rng, dname.removesuffix("区")), "10",
                         make_uscc(rng, region, org_type="2"), region, address)
        return Party(j, ptype, people.org_name(rng, dname), "10", make_uscc(rng, region), region, address)

    def party_index(self, rng: random.Random, ptype: str, *, credential: str | None = None) -> int:
        """A party of that type; for a person, one with that credential type when asked."""
        slots = _PARTY_TYPE_SLOTS[ptype]
        if credential in _FOREIGN_BLOCK:
            cycles = max(1, (self._party_blocks - _FOREIGN_BLOCK[credential]) // _FOREIGN_CYCLE)
            block = rng.randrange(cycles) * _FOREIGN_CYCLE + _FOREIGN_BLOCK[credential]
            return block * _PARTY_SLOTS + slots[rng.randrange(len(slots))]
        # a few repeat offenders turn up again and again
        block = rng.randrange(max(1, self._party_blocks // 20)) if rng.random() < 0.15 \
            else rng.randrange(self._party_blocks)
        return block * _PARTY_SLOTS + slots[rng.randrange(len(slots))]

    # --- cases --------------------------------------------------------------------------

    def case_source(self, i: int) -> str:
        # a low-discrepancy sequence, not a die: every stretch of cases has the sources' shares
        u = (self._phase + i * 0.6180339887498949) % 1.0
        r = self.rates
        return "LG" if u < r.lg_share else "EX" if u < r.lg_share + r.ex_share else "LP"

    def case_rng(self, i: int) -> random.Random:
        """Case i's own generator: its core (unit, type, party, date) is rebuilt from it alone."""
        return FastRandom(mix(self._case_base, i))

    def pick_subject(self, rng: random.Random, source: str) -> Subject:
        subs, cum = self._by_source[source]
        return subs[min(bisect.bisect_left(cum, rng.random()), len(subs) - 1)]

    def registration_day(self, rng: random.Random, source: str, *, old: bool | None = None) -> dt.date:
        """A registration day in the source's window (old: an LG case of 2014-2018, or not)."""
        u = rng.random()
        if source == "EX":
            lo, hi = self.ex_first_month, self.ex_last_day
        elif source == "LG" and (old if old is not None else u < self.rates.lg_old_share):
            lo, hi = LG_SINCE, dt.date(2018, 12, 31)
        else:
            lo = self.lp_since
            if source == "LG" and rng.random() < 0.2:
                lo = LG_SXBM_SINCE
            hi = self.as_of
            if rng.random() < 0.3:   # recent cases are many: a demo shows running timers
                lo = max(lo, self.as_of - dt.timedelta(days=120))
        return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))

    def iter_cases(self, sources: Iterable[str] | None = None) -> Iterator[Case]:
        """Every case in index order (only those of `sources` when given)."""
        wanted = set(sources) if sources else set(SOURCES)
        unknown = wanted - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown source(s): {sorted(unknown)}")
        state = {src: SourceState(Dice(mix(self.seed, "traits", src)), src) for src in wanted}
        for i in range(self.cases):
            source = self.case_source(i)
            if source in wanted:
                yield timelines.build_case(self, i, self.case_rng(i), source, state[source])

    def iter_chunks(self, size: int = 5000, sources: Iterable[str] | None = None) -> Iterator[list[Case]]:
        chunk: list[Case] = []
        for case in self.iter_cases(sources):
            chunk.append(case)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def summary(self) -> dict:
        return {"seed": self.seed, "cases": self.cases, "as_of": self.as_of.isoformat(),
                "subjects": {src: len(self.subjects_of(src)) for src in SOURCES},
                "officers": len(self.officers), "items": len(self.items), "parties_pool": self.n_parties,
                "unregistered_officers": [o.cert_no for o in self.unregistered_officers],
                "unregistered_items": [i.code for i in self.unregistered_items]}
