"""How one case unfolds: its stages (ZF20) with the fields each fills, cut at the as_of date.

A case is planned in full first (every stage it would reach), then revoked or stalled when its
die says so, then cut at the end of as_of: what happens later has not happened yet. Penalty,
inspection and coercion records are derived from the stages that remain, so a case never says
more than its steps do (except where a rendering deliberately breaks that, e.g. LG's P05).

Cases recorded in LP must pass the case-entry service's checks (stage order, C4 before C5,
legal review where required, two valid certificates, the summary procedure's ceiling); the
breaches of those rules are built only into LG and EX cases.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from jiandu.demo import catalog, places
from jiandu.demo.covers import SourceState
from jiandu.demo.dice import Weighted
from jiandu.demo.model import (PENALTY_THRESHOLD, SUMMARY_CEILING, Case, Inspection, Measure, Officer, Penalty,
                               Step)
from jiandu.demo.workdays import add_workdays, next_workday

DAY = dt.timedelta(days=1)
_SUSPENDED = ("02", "03")
# stages that take time, and the results that come only at their end
_DURATIVE = {"J1": (), "J2": ("inspected_at",), "J3": ("rectified_at",), "C1": (), "C2": (),
             "C3": ("legal_review_at", "collective_discussion_at"), "C4": ("hearing_notice_at", "hearing_at"),
             "C6": ("paid_at",), "Q1": ()}
_DISTRICT_CODES = tuple(places.DISTRICTS)


_PT_INSPECTION = Weighted(("2", "4", "3"), (5, 4, 1))
_PT_COERCION = Weighted(("4", "2", "1"), (4, 4, 2))
_PT_SMALL = Weighted(("1", "4", "2"), (5, 3, 2))
_PT_LARGE = Weighted(("2", "1", "4", "3"), (7, 1, 1, 1))
_KINDS_SUMMARY = Weighted((("03",), ("01",), ("01", "03")), (6, 2.5, 1.5))
_KINDS_GENERAL = Weighted((("03",), ("01", "03"), ("03", "04"), ("03", "06"), ("01",)), (65, 10, 15, 5, 5))
_LG_INSPECTION_KIND = Weighted(("01", "02"), (85, 15))
_INSPECTION_KIND = Weighted(("01", "02", "03", "04", "05"), (50, 20, 15, 10, 5))
_RESULT = Weighted(("01", "02", "03", "04", "05"), (50, 30, 10, 5, 5))
_N_MEASURES = Weighted((1, 2, 3), (70, 22, 8))
_CHANNEL_LP = Weighted(("01", "02", "03", "04", "05", "06", "99"), (45, 30, 8, 7, 3, 4, 3))
_CHANNEL_OLD = Weighted(("01", "02", "03", "04", "05"), (45, 30, 8, 7, 3))   # what LG and EX can say


def on(day: dt.date, rng: random.Random, after: dt.datetime | None = None) -> dt.datetime:
    """A time in office hours on `day`, later than `after`."""
    r = rng.random()
    t = dt.datetime(day.year, day.month, day.day, 9 + int(r * 8), int(r * 96) % 12 * 5)
    if after is not None and t <= after:
        t = after + dt.timedelta(minutes=rng.randint(10, 90))
    return t


class _Ctx:
    def __init__(self, u, case: Case, rng: random.Random, st: SourceState):
        self.u, self.c, self.rng, self.st, self.dice = u, case, rng, st, st.dice
        self.r = u.rates
        self.steps: list[Step] = []
        self.published_at: dt.datetime | None = None
        self.lp = case.source == "LP"
        self.showcase = False   # a case that must show every stage it has: complete, never cut short
        self.reviewed_showcase = False   # a case that must keep its legal review
        self.forced_officer: Officer | None = None   # an officer LP never registered

    def roll(self, name: str, rate: float, **kw) -> bool:
        hit = self.dice.roll(name, rate, **kw)
        if hit:
            self.c.traits.add(name)
        return hit

    def handler(self, start: dt.datetime, end: dt.datetime | None = None) -> Officer | None:
        """An officer of the case with a certificate valid over the step (LP always; LG and EX
        also let an invalid one handle steps, which is their P04)."""
        officers = self.c.officers
        if "invalid_officer" in self.c.traits and self.rng.random() < 0.5:
            return officers[-1]
        first, last = start.date(), (end or start).date()
        o = officers[int(self.rng.random() * len(officers))] if officers else None
        if o is not None and o.valid_from <= first and last <= o.valid_to and o.status not in _SUSPENDED:
            return o
        ok = [o for o in officers if o.valid_from <= first and last <= o.valid_to and o.status not in _SUSPENDED]
        if not ok:
            ok = [o for o in self.u.registered_officers_by_subject[self.c.subject.code]
                  if o.valid_from <= first and last <= o.valid_to and o.status not in _SUSPENDED]
        return self.rng.choice(ok) if ok else None

    def step(self, stage: str, entered: dt.datetime, completed: dt.datetime | None,
             approver: str | None = None, **fields) -> Step:
        s = Step(stage, entered, completed, self.handler(entered, completed), approver,
                 self.rng.choice(catalog.OPINIONS[stage]), fields)
        self.steps.append(s)
        return s


# --- building a case -------------------------------------------------------------------------

def _party_type(item, case_type: str, rng: random.Random) -> str:
    if case_type == "1":
        return _PT_INSPECTION.draw(rng)
    if case_type == "3":
        return _PT_COERCION.draw(rng)
    if item.fine_max is not None and item.fine_max <= 20000:
        return _PT_SMALL.draw(rng)
    return _PT_LARGE.draw(rng)


def _choose_officers(u, subject, day: dt.date, n: int, rng: random.Random) -> list[Officer]:
    everyone = u.registered_officers_by_subject[subject.code]
    pool = [o for o in everyone if o.valid_from <= day <= o.valid_to and o.status not in _SUSPENDED]
    if len(pool) < n:
        if subject.source == "LP":
            # The service refuses a case whose officers lack valid certificates, so an LP case
            # names fewer officers instead; the unit's two core officers are always valid.
            return rng.sample(pool, len(pool))
        # old LG dates: take whoever the unit has (the supervision side must see those)
        pool += [o for o in everyone if o not in pool]
    return rng.sample(pool, min(n, len(pool)))


def build_case(u, i: int, rng: random.Random, source: str, st: SourceState) -> Case:
    r = u.rates
    subject = u.pick_subject(rng, source)
    t = rng.random()
    case_type = "1" if t < r.inspection_share else "3" if t < r.inspection_share + r.coercion_share else "2"
    covering = bool(st.covers["case_type"])
    case_type = st.take("case_type") or case_type
    forced_item = forced_officer = None
    twin_waiting = case_type == "2" and st.pending_twin is not None
    if source != "LP" and not twin_waiting:
        # a reference LP never registered: the case is held from the push until a steward maps it
        if case_type == "2" and st.dice.roll("unregistered_item", r.unregistered_reference, force_within=1):
            forced_item = next(x for x in u.unregistered_items if u.owner_of_item[x.code].source == source)
            subject = u.owner_of_item[forced_item.code]
        elif st.dice.roll("unregistered_officer", r.unregistered_reference, force_within=1):
            forced_officer = next(o for o in u.unregistered_officers
                                  if u.subject_by_code[o.subject_code].source == source)
            subject = u.subject_by_code[forced_officer.subject_code]
    reg_day = u.registration_day(rng, source, old=st.take("lg_old") if source == "LG" else None)
    if covering and source != "EX" and reg_day > u.as_of - dt.timedelta(days=60):
        # the cases that show every stage must have had the time to reach them
        reg_day = u.as_of - dt.timedelta(days=rng.randint(60, 400))
    item = forced_item or rng.choice(u.items_for(subject.domain, case_type, lp_only=True))
    ptype = st.take("party_type") or _party_type(item, case_type, rng)
    special = st.take("credential") if ptype == "1" and source != "LP" else None
    party = u.party(u.party_index(rng, ptype, credential=special))
    twin = st.pending_twin if case_type == "2" else None
    if twin is not None:   # the same party fined again for the same item by the same unit (B02)
        st.pending_twin = None
        subject, item, party = twin.subject, twin.item, twin.party
        reg_day = twin.registered_at.date() + dt.timedelta(days=rng.randint(3, 15))
    if rng.random() < 0.9:
        reg_day = next_workday(reg_day)
    if reg_day > u.as_of:
        reg_day = u.as_of
    registered = on(reg_day, rng)
    if registered > u.cutoff:
        registered = u.cutoff - dt.timedelta(hours=1)

    if subject.region_code != places.CITY_CODE:
        region = subject.region_code
    else:
        region = party.region_code if rng.random() < 0.7 else rng.choice(_DISTRICT_CODES)
    dname = places.DISTRICTS[region]
    address = party.address if party.region_code == region and party.type != "1" else \
        f"广州市{dname}{rng.choice(places.ROADS[region])}{rng.randint(1, 899)}号"
    channel = st.take("channel") or (_CHANNEL_LP if source == "LP" else _CHANNEL_OLD).draw(rng)
    year = registered.year
    kind_char = {"1": "检", "2": "罚立", "3": "强"}[case_type]
    case_no = f"{subject.prefix}{kind_char}〔{year}〕{i + 1}号"
    if source == "LP":
        ref = f"LP{i:07d}"
    elif source == "LG":
        ref = f"{subject.dept}{year}-{i + 1:04d}"
    else:
        ref = f"{year}-{ {'1': 'JC', '2': 'CF', '3': 'QZ'}[case_type]}-{i + 1:04d}".replace(" ", "")
    c = Case(index=i, source=source, ref=ref, case_no=case_no, case_type=case_type, subject=subject,
             item=item, party=party, source_channel=channel, region_code=region, procedure=None,
             officers=[], violation_at=None, found_at=None, registered_at=registered,
             time_limit_extended=False, cause=rng.choice(item.causes), address=address)
    ctx = _Ctx(u, c, rng, st)
    if twin is not None:
        c.traits.add("repeat_fine")
        c.procedure = twin.procedure
    ctx.forced_officer = forced_officer
    if forced_item:
        c.traits.add("unregistered_item")

    if case_type == "2":
        _plan_penalty(ctx, twin)
    else:
        c.officers = _choose_officers(u, subject, reg_day, 2 + (rng.random() < 0.15), rng)
        _breach_officers(ctx)
        if case_type == "1":
            _plan_inspection(ctx)
        else:
            _plan_coercion(ctx)
    if (ctx.showcase or ctx.reviewed_showcase) and source != "EX":
        last = max([s.completed_at or s.entered_at for s in ctx.steps] + [ctx.published_at or registered])
        latest = u.cutoff - dt.timedelta(days=rng.randint(5, 60))
        if last > latest:   # it must have had the time to reach its every stage
            _shift(c, ctx.steps, ctx, dt.timedelta(days=(latest.date() - last.date()).days - 1))
    _finish(ctx)
    if c.registered_at.year != year:   # a stalled case was moved in time: so is its number
        c.case_no = c.case_no.replace(f"〔{year}〕", f"〔{c.registered_at.year}〕")
        if c.source != "LP":
            c.ref = c.ref.replace(str(year), str(c.registered_at.year), 1)
    if case_type == "2" and twin is None and r.repeat_fine > 0 and c.penalty and c.penalty.fine_amount \
            and c.penalty.decision_at and c.penalty.decision_at + 20 * DAY < u.cutoff and not c.revoked_at \
            and ctx.roll("repeat_fine_first", r.repeat_fine):
        st.pending_twin = c
    return c


def _breach_officers(ctx: _Ctx) -> None:
    """LG and EX cases sometimes name an officer whose certificate was not valid (P03/P04) or
    one LP never registered."""
    if ctx.lp:
        return
    c, day = ctx.c, ctx.c.registered_at.date()
    everyone = ctx.u.officers_by_subject[c.subject.code]
    invalid = [o for o in everyone if o.registered and not o.valid_on(day)]
    if invalid and len(c.officers) >= 1 and ctx.roll("invalid_officer", ctx.r.invalid_officer):
        c.officers = c.officers[:1] + [ctx.rng.choice(invalid)]
    if ctx.forced_officer is not None:
        c.officers = [o for o in c.officers if o is not ctx.forced_officer][:1] + [ctx.forced_officer]
        c.traits.discard("invalid_officer")
        c.traits.add("unregistered_officer")


def _amount(lo: Decimal, hi: Decimal, rng: random.Random) -> Decimal:
    step = 10 if hi <= 1000 else 100 if hi <= 50000 else 1000
    lo_n, hi_n = int(-(-lo // step)), int(hi // step)
    if hi_n < lo_n:
        return hi
    return Decimal(rng.randint(max(lo_n, 1), max(hi_n, 1)) * step)


def _range(item) -> tuple[Decimal, Decimal]:
    return (item.fine_min if item.fine_min is not None else Decimal(0),
            item.fine_max if item.fine_max is not None else Decimal(10000))


def _plan_penalty(ctx: _Ctx, twin: Case | None) -> None:
    c, rng, r, u = ctx.c, ctx.rng, ctx.r, ctx.u
    ptype = c.party.type
    ceiling, threshold = SUMMARY_CEILING[ptype], PENALTY_THRESHOLD[ptype]
    big = False
    if c.procedure is None:
        domain_items = [x for x in u.items_for(c.subject.domain, "2", lp_only=True) if x.fine_max is not None]
        cheapest = min(domain_items, key=lambda x: _range(x)[0], default=None)
        fixed = "unregistered_item" in c.traits   # the item is the point of this case
        if fixed:
            cheapest = c.item
        wanted = ctx.st.take("procedure", ok=lambda v: v != "1" or (cheapest and _range(cheapest)[0] <= ceiling))
        if wanted == "1" and _range(c.item)[0] > ceiling:
            c.item = cheapest   # on-the-spot fines exist only for small matters
            c.cause = rng.choice(c.item.causes)
        if wanted == "2" and domain_items and not fixed and ctx.st.take("big"):
            big = ctx.showcase = True   # the unit's weightiest matter: a hearing and a collective discussion
            c.item = max(domain_items, key=lambda x: _range(x)[1])
            c.cause = rng.choice(c.item.causes)
        if wanted:
            c.procedure = wanted
        elif _range(c.item)[0] <= ceiling and rng.random() < 0.4:
            c.procedure = "1"
        elif rng.random() < 0.08:
            c.procedure = "3"
        else:
            c.procedure = "2"
    item = c.item
    lo, hi = _range(item)
    p = Penalty()
    over_ceiling = False
    if not ctx.lp and c.procedure == "2" and hi > ceiling and not big and twin is None and \
            ctx.roll("summary_over_ceiling", r.summary_over_ceiling):
        c.procedure, over_ceiling = "1", True
    # kinds and amounts
    if c.procedure == "1" and not over_ceiling:
        p.kinds = list(_KINDS_SUMMARY.draw(rng))
    else:
        p.kinds = list(_KINDS_GENERAL.draw(rng))
    hearing_floor = Decimal(10000 if ptype in "14" else 100000)
    if big:
        p.kinds = ["03"] if hi >= 100000 else ["03", "06"]
    if "03" in p.kinds:
        if big:
            floor = Decimal(100000) if hi >= 100000 else hearing_floor
            p.fine_amount = _amount(max(lo, min(hi, floor)), hi, rng)
        elif over_ceiling:
            p.fine_amount = _amount(max(lo, ceiling + 1), min(hi, max(ceiling * 5, lo + 1)), rng)
        elif c.procedure == "1":
            p.fine_amount = _amount(max(lo, Decimal(20)), min(hi, ceiling), rng)
        else:
            p.fine_amount = _amount(lo, hi, rng)
            if twin is None and not big and ctx.roll("fine_out_of_range", r.fine_out_of_range):
                if lo >= 100 and rng.random() < 0.6:
                    p.fine_amount = _amount(lo * Decimal("0.3"), lo * Decimal("0.8"), rng)
                    p.discretion_reason = catalog.DISCRETION_BELOW
                else:
                    p.fine_amount = _amount(hi * Decimal("1.1"), hi * Decimal("1.5"), rng)
                    p.discretion_reason = catalog.DISCRETION_ABOVE
    if twin is not None and twin.penalty:
        p.kinds, p.fine_amount = list(twin.penalty.kinds), twin.penalty.fine_amount
        p.discretion_reason = twin.penalty.discretion_reason
    if "04" in p.kinds:
        p.confiscation_amount = Decimal(rng.randint(5, 300) * 100)
    p.must_publish = not (c.procedure == "1" and p.kinds == ["01"])
    review_needed = c.procedure != "1" and (item.review or (p.fine_amount or 0) > threshold)
    review = review_needed or (c.procedure == "2" and rng.random() < 0.2)
    if c.procedure == "2" and not big and twin is None and ctx.st.take("review"):
        review = ctx.reviewed_showcase = True   # reviewed, and kept whole (or stopped after C5)
    elif review_needed and not big and not ctx.lp and ctx.roll("missing_legal_review", r.missing_legal_review):
        review = False
    if over_ceiling:   # decided on the spot by the book, but the ceiling was ignored
        review = False

    n_officers = 1 if c.procedure == "1" and rng.random() < 0.5 else 2 + (rng.random() < 0.1)
    c.officers = _choose_officers(u, c.subject, c.registered_at.date(), n_officers, rng)
    _breach_officers(ctx)
    R, d0 = c.registered_at, c.registered_at.date()
    lead, reviewer = c.subject.leaders
    year = R.year
    decision_no = f"{c.subject.prefix}罚字〔{year}〕{c.index + 1}号"

    if c.procedure == "1":   # on the spot: everything within the hour
        c.violation_at = c.found_at = R - dt.timedelta(minutes=rng.randint(10, 60))
        ctx.step("C1", R, R + dt.timedelta(minutes=5), lead)
        n = R + dt.timedelta(minutes=rng.randint(8, 15))
        ctx.step("C4", n, n + dt.timedelta(minutes=5), notified_at=n, hearing_requested=False)
        dec = n + dt.timedelta(minutes=rng.randint(10, 30))
        _decision(ctx, p, dec, decision_no)
        served = dec + dt.timedelta(minutes=5)
        _service(ctx, p, served, dec, on_the_spot=True)
        return

    c.found_at = on(d0 - dt.timedelta(days=rng.randint(0, 10)), rng)
    if c.found_at > R:
        c.found_at = R - dt.timedelta(hours=2)
    c.violation_at = c.found_at - dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(1, 8))
    hearing = (c.procedure == "2" and (p.fine_amount or 0) >= hearing_floor
               and ctx.roll("hearing", r.hearing, force_within=1))
    if c.procedure == "3":
        D = rng.randint(2, 7)
    else:
        extended = twin is None and ctx.roll("limit_extended", r.limit_extended)
        late = twin is None and ctx.roll("late_decision", r.late_decision)
        if extended:
            c.time_limit_extended = True
            D = rng.randint(125, 160) if late else rng.randint(91, 112)
        elif late:
            D = rng.randint(95, 150)
        else:
            D = rng.randint(45 if hearing else 15, 80)
        if twin is not None and twin.penalty and twin.penalty.decision_at:
            D = max(3, (twin.penalty.decision_at.date() - twin.registered_at.date()).days)
    ctx.step("C1", R, R + dt.timedelta(minutes=rng.randint(20, 120)), lead)
    t = ctx.steps[-1].completed_at
    c2_end = on(d0 + dt.timedelta(days=max(1, round(D * 0.45))), rng, after=t)
    ctx.step("C2", t, c2_end)
    t = c2_end
    if review:
        lr = on(d0 + dt.timedelta(days=max(1, round(D * 0.65))), rng, after=t)
        fields = {"legal_review_at": lr}
        end = lr
        if (p.fine_amount or 0) >= 100000 or "06" in p.kinds:
            end = fields["collective_discussion_at"] = on(lr.date() + DAY, rng, after=lr)
        ctx.step("C3", t, end, reviewer, **fields)
        t = end
    notify_day = d0 + dt.timedelta(days=max(1, (D - 25) if hearing else round(D * 0.78)))
    notified = on(max(notify_day, t.date()), rng, after=t)
    if hearing:
        notice = on(add_workdays(notified.date(), 2), rng, after=notified)
        held = on(add_workdays(notice.date(), rng.randint(7, 9)), rng, after=notice)
        ctx.step("C4", notified, held, hearing_requested=True, notified_at=notified,
                 hearing_notice_at=notice, hearing_at=held)
        t = held
    else:
        end = on(add_workdays(notified.date(), rng.randint(1, 3)), rng, after=notified)
        ctx.step("C4", notified, end, notified_at=notified, hearing_requested=False)
        t = end
    dec_day = next_workday(max(d0 + dt.timedelta(days=D), t.date() + DAY))
    dec = on(dec_day, rng, after=t)
    _decision(ctx, p, dec, decision_no)
    k = rng.randint(0, 5)
    if ctx.roll("late_service", r.late_service):
        k = rng.randint(9, 20)
    served = on(add_workdays(dec.date(), k), rng, after=dec)
    _service(ctx, p, served, dec, on_the_spot=False)


def _decision(ctx: _Ctx, p: Penalty, dec: dt.datetime, decision_no: str) -> None:
    fields = {"decision_no": decision_no, "decision_at": dec, "penalty_kinds": list(p.kinds),
              "fine_amount": p.fine_amount, "confiscation_amount": p.confiscation_amount}
    if p.discretion_reason:
        fields["discretion_reason"] = p.discretion_reason
    ctx.step("C5", dec, dec, ctx.c.subject.leaders[0], **fields)
    ctx.c.penalty = p
    if p.must_publish:
        k = ctx.rng.randint(1, 5)
        if ctx.roll("unpublished", ctx.r.unpublished):
            return
        if ctx.roll("late_publication", ctx.r.late_publication):
            k = ctx.rng.randint(9, 25)
        ctx.published_at = on(add_workdays(dec.date(), k), ctx.rng, after=dec)


def _service(ctx: _Ctx, p: Penalty, served: dt.datetime, dec: dt.datetime, *, on_the_spot: bool) -> None:
    rng = ctx.rng
    paid = None
    if p.fine_amount:
        if ctx.roll("unpaid", ctx.r.unpaid):
            paid = None
        elif ctx.roll("late_payment", ctx.r.late_payment):
            paid = on(served.date() + dt.timedelta(days=rng.randint(17, 60)), rng, after=served)
        elif on_the_spot and rng.random() < 0.4:
            paid = served + dt.timedelta(minutes=3)
        else:
            paid = on(served.date() + dt.timedelta(days=rng.randint(0, 12)), rng, after=served)
    done = paid if p.fine_amount else served
    ctx.step("C6", served, done, served_at=served, paid_at=paid,
             execution_status="3" if done else "1")
    if done is None:
        return
    closed = on(done.date() + dt.timedelta(days=rng.randint(0 if on_the_spot else 1, 10)), rng, after=done)
    ctx.step("C7", closed, closed, ctx.c.subject.leaders[0], closed_at=closed)
    archived = on(closed.date() + dt.timedelta(days=rng.randint(5, 40)), rng, after=closed)
    ctx.step("C8", archived, archived, archived_at=archived)


def _plan_inspection(ctx: _Ctx) -> None:
    c, rng, r = ctx.c, ctx.rng, ctx.r
    if c.source == "LG":   # LG can tell only 日常 from 专项
        kind = _LG_INSPECTION_KIND.draw(rng)
    else:
        kind = _INSPECTION_KIND.draw(rng)
    kind = ctx.st.take("inspection_kind") or kind
    c.inspection = Inspection(kind=kind)
    R = c.registered_at
    ctx.step("J1", R, R + dt.timedelta(minutes=rng.randint(5, 60)), c.subject.leaders[0])
    t = ctx.steps[-1].completed_at
    insp = on(add_workdays(R.date(), rng.randint(0, 3)), rng, after=t)
    ctx.step("J2", t, insp, inspected_at=insp)
    result = ctx.st.take("result") or _RESULT.draw(rng)
    decided = on(insp.date() + dt.timedelta(days=rng.randint(0, 5)), rng, after=insp)
    if result == "02":
        deadline = decided.date() + dt.timedelta(days=rng.randint(7, 30))
        if ctx.roll("late_rectification", r.late_rectification):
            fixed = None if rng.random() < 0.4 else \
                on(deadline + dt.timedelta(days=rng.randint(3, 30)), rng, after=decided)
        else:
            fixed = on(max(decided.date(), deadline - dt.timedelta(days=rng.randint(0, 5))), rng, after=decided)
        ctx.step("J3", decided, fixed, result=result, rectify_deadline=deadline, rectified_at=fixed)
        end = fixed
    else:
        ctx.step("J3", decided, decided, result=result)
        end = decided
    ctx.steps[-1].opinion = catalog.RESULT_OPINIONS[result]
    if end is not None:
        closed = on(end.date() + dt.timedelta(days=rng.randint(1, 7)), rng, after=end)
        ctx.step("J4", closed, closed, c.subject.leaders[0])


def _plan_coercion(ctx: _Ctx) -> None:
    c, rng, r = ctx.c, ctx.rng, ctx.r
    R = c.registered_at
    lead = c.subject.leaders[0]
    if ctx.st.take("coercion_kind"):
        ctx.showcase = True
    if ctx.showcase or (not ctx.st.covers["measure"] and rng.random() < 0.1):   # 行政强制执行
        code = rng.choice(("11", "15", "13"))
        m = Measure(seq=1, kind="2", code=code, started_at=R, term_days=None, emergency=False)
        c.measures = [m]
        ctx.step("Q1", R, R + dt.timedelta(minutes=30), lead)
        m.approved_at = on(R.date(), rng, after=R + dt.timedelta(minutes=30))
        ctx.step("Q2", m.approved_at, m.approved_at, lead, measure_seq=1, approved_at=m.approved_at)
        demand = on(add_workdays(R.date(), rng.randint(1, 5)), rng, after=m.approved_at)
        ctx.step("Q5", demand, demand, measure_seq=1, demand_notice_at=demand)
        court = on(add_workdays(demand.date(), rng.randint(10, 20)), rng, after=demand)
        ctx.step("Q6", court, court, lead, measure_seq=1, court_applied_at=court)
        done = on(court.date() + dt.timedelta(days=rng.randint(30, 90)), rng, after=court)
        ctx.step("Q7", done, done, measure_seq=1, lifted_at=done)
        end = on(done.date() + dt.timedelta(days=rng.randint(1, 10)), rng, after=done)
        ctx.step("Q8", end, end, lead)
        return
    allowed = c.item.measures or ("02",)
    n = ctx.st.take("n_measures")
    if n:   # sealing and seizure together, both extended
        ctx.showcase = True
        codes = [x for x in ("02", "03") if x in allowed or not ctx.lp] or [allowed[0]]
    else:
        n = _N_MEASURES.draw(rng)
        codes = [rng.choice(allowed) for _ in range(n)]
        codes[0] = ctx.st.take("measure", ok=lambda v: v in allowed or not ctx.lp) or codes[0]
    term = 30 if rng.random() < 0.8 else rng.choice((15, 20, 25))
    emergency = ctx.roll("emergency", r.emergency)
    if emergency:
        start = R - dt.timedelta(minutes=rng.randint(10, 60))
        hours = rng.randint(26, 72) if ctx.roll("late_approval", r.late_approval) else rng.randint(1, 20)
        approved = start + dt.timedelta(hours=hours, minutes=rng.randint(0, 59))
    else:
        approved = R + dt.timedelta(minutes=rng.randint(30, 180))
        start = on(approved.date() + DAY * rng.randint(0, 1), rng, after=approved)
    c.measures = [Measure(seq=k + 1, kind="1", code=code, started_at=start + dt.timedelta(minutes=20 * k),
                          term_days=term, emergency=emergency) for k, code in enumerate(codes)]
    ctx.step("Q1", R, R + dt.timedelta(minutes=20), lead)
    t = max(approved, R + dt.timedelta(minutes=20))
    for m in c.measures:
        m.approved_at = approved
        ctx.step("Q2", t, t, lead, measure_seq=m.seq, approved_at=approved)
    for m in c.measures:
        when = max(m.started_at, t)
        ctx.step("Q3", when, when, measure_seq=m.seq)
        t = when
    extended = [m for m in c.measures if m.code in ("02", "03") and (
        ctx.showcase or ctx.roll("measure_extended", r.measure_extended, min_hits=2))]
    last_ext = t
    for m in extended:
        m.extended_days = 30 if rng.random() < 0.7 else 15
        when = on(m.started_at.date() + dt.timedelta(days=term - rng.randint(1, 3)), rng, after=last_ext)
        ctx.step("Q4", when, when, lead, measure_seq=m.seq, extended_days=m.extended_days)
        last_ext = when
    lifts = []
    for m in c.measures:
        limit = term + (m.extended_days or 0)
        if m.code in ("02", "03") and ctx.roll("measure_overdue", r.measure_overdue):
            lifted = None if rng.random() < 0.5 else \
                on(m.started_at.date() + dt.timedelta(days=limit + rng.randint(3, 40)), rng)
        else:
            low = term + 1 if m.extended_days else 3
            lifted = on(m.started_at.date() + dt.timedelta(days=rng.randint(low, max(low, limit - 2))), rng)
        if lifted is not None:
            lifted = max(lifted, last_ext + dt.timedelta(hours=1))
            lifts.append((lifted, m))
    lifts.sort(key=lambda x: (x[0], x[1].seq))
    for lifted, m in lifts:
        ctx.step("Q7", lifted, lifted, lead, measure_seq=m.seq, lifted_at=lifted)
    if len(lifts) == len(c.measures):
        end = on(lifts[-1][0].date() + dt.timedelta(days=rng.randint(1, 10)), rng, after=lifts[-1][0])
        ctx.step("Q8", end, end, lead)


# --- revoking, stalling, cutting, deriving ----------------------------------------------------

def _shift(c: Case, steps: list[Step], ctx: _Ctx, delta: dt.timedelta) -> None:
    for attr in ("violation_at", "found_at", "registered_at"):
        v = getattr(c, attr)
        if v is not None:
            setattr(c, attr, v + delta)
    for s in steps:
        s.entered_at += delta
        if s.completed_at:
            s.completed_at += delta
        for k, v in s.fields.items():
            if isinstance(v, (dt.datetime, dt.date)):
                s.fields[k] = v + delta
    for m in c.measures:
        for attr in ("started_at", "approved_at"):
            v = getattr(m, attr)
            if v is not None:
                setattr(m, attr, v + delta)
    if ctx.published_at:
        ctx.published_at += delta
    _revalidate(ctx, steps)


def _valid_over(o: Officer, first: dt.date, last: dt.date) -> bool:
    return o.valid_from <= first and last <= o.valid_to and o.status not in _SUSPENDED


def _revalidate(ctx: _Ctx, steps: list[Step]) -> None:
    """After a case moved in time, its officers and step handlers must hold certificates valid
    on the new dates (except the breaches built in on purpose)."""
    c = ctx.c
    day = c.registered_at.date()
    deliberate = [o for o in c.officers if o is ctx.forced_officer] + \
        ([c.officers[-1]] if "invalid_officer" in c.traits and c.officers else [])
    others = [o for o in c.officers if o not in deliberate]
    if any(not _valid_over(o, day, day) for o in others):
        c.officers = _choose_officers(ctx.u, c.subject, day, len(others), ctx.rng) + deliberate
    for s in steps:
        h = s.handler
        if h is not None and h not in deliberate and \
                not _valid_over(h, s.entered_at.date(), (s.completed_at or s.entered_at).date()):
            s.handler = ctx.handler(s.entered_at, s.completed_at)


def _cover_status(ctx: _Ctx, steps: list[Step]) -> list[Step]:
    """Stop a penalty case early (decided, served, under investigation) and move it to recent
    weeks, while the status cover list still wants such a case."""
    c, rng = ctx.c, ctx.rng
    stages = [s.stage for s in steps]
    if c.case_type != "2" or c.procedure == "1" or "C5" not in stages or "C2" not in stages:
        return steps
    last_stages = {"20": "C5", "30": "C6", "10": "C2"}
    want = ctx.st.take("status", ok=lambda v: last_stages[v] in stages and not (ctx.reviewed_showcase and v == "10"))
    if want is None:
        return steps
    last_stage = last_stages[want]
    steps = steps[: stages.index(last_stage) + 1]
    last = steps[-1]
    if want in ("30", "10"):   # still running: served and unpaid, or still investigating
        last.completed_at = None
        for key in _DURATIVE.get(last.stage, ()):
            last.fields[key] = None
        if last.stage == "C6":
            last.fields["execution_status"] = "1" if c.penalty and c.penalty.fine_amount else "3"
    if want != "20" or (ctx.published_at and ctx.published_at > last.entered_at):
        ctx.published_at = None
    days_back = {"20": rng.randint(1, 4), "30": rng.randint(2, 6), "10": rng.randint(3, 15)}[want]
    target = ctx.u.cutoff.date() - dt.timedelta(days=days_back)
    _shift(c, steps, ctx, dt.timedelta(days=(target - last.entered_at.date()).days))
    c.traits.add(f"status_{want}")
    return steps


def _finish(ctx: _Ctx) -> None:
    c, rng, u = ctx.c, ctx.rng, ctx.u
    steps = ctx.steps
    # every step starts no earlier than the one before: the service records them in order
    for a, b in zip(steps, steps[1:]):
        assert b.entered_at >= a.entered_at, (c.index, a.stage, b.stage)
    dec = next((s for s in steps if s.stage == "C5" and s.entered_at < u.cutoff - 10 * DAY), None)
    revoke = None
    keep = ctx.showcase or ctx.reviewed_showcase
    if not keep:
        if dec is not None and ctx.roll("revoked_after_decision", ctx.r.revoked):
            revoke = "after_decision"
        elif ctx.roll("revoked", ctx.r.revoked):
            revoke = "early"
    if revoke:
        c.traits.add("revoked")
        if revoke == "after_decision":
            when = on(dec.completed_at.date() + dt.timedelta(days=rng.randint(5, 40)), rng, after=dec.completed_at)
        else:
            when = c.registered_at + dt.timedelta(days=rng.randint(1, 10), hours=1)
        closing = next((s.entered_at for s in steps if s.stage in ("C7", "J4", "Q8")), None)
        if closing is not None:   # only a running case can be revoked
            when = min(when, closing - dt.timedelta(hours=1))
        when = min(when, u.cutoff - dt.timedelta(hours=1))
        earliest = dec.completed_at if revoke == "after_decision" else c.registered_at
        if when > earliest:
            c.revoked_at = when
            c.revoke_reason = rng.choice(catalog.REVOKE_REASONS)
            steps = [s for s in steps if s.entered_at <= when]
            for s in steps:   # nothing of the case happens after its revocation
                if s.completed_at and s.completed_at > when:
                    s.completed_at = None
                for key, v in s.fields.items():
                    if isinstance(v, dt.datetime) and v > when:
                        s.fields[key] = None
                if s.stage == "C6" and s.fields.get("paid_at") is None and s.fields.get("execution_status"):
                    s.fields["execution_status"] = "1" if ctx.c.penalty and ctx.c.penalty.fine_amount else "3"
            if ctx.published_at and ctx.published_at > when:
                ctx.published_at = None
        else:
            c.traits.discard("revoked")
            c.traits.discard("revoked_after_decision")
    elif not keep and c.source != "EX" and len(steps) >= 3 and ctx.roll("stale", ctx.r.stale):
        k = rng.randrange(2, len(steps))
        while k > 1 and steps[k - 1].stage in ("C7", "C8", "J4", "Q8"):
            k -= 1
        steps = steps[:k]
        open_step = steps[-1]
        if open_step.stage in _DURATIVE:   # the stage it got stuck in: its results are not in
            open_step.completed_at = None
            for key in _DURATIVE[open_step.stage]:
                if key in open_step.fields:
                    open_step.fields[key] = None
            if open_step.stage == "C6" and c.penalty and c.penalty.fine_amount:
                open_step.fields["execution_status"] = "1"
        if not any(s.stage == "C5" for s in steps):
            ctx.published_at = None
        last = max([s.entered_at for s in steps] + [s.completed_at for s in steps if s.completed_at])
        target = u.cutoff - dt.timedelta(days=rng.randint(31, 100))
        _shift(c, steps, ctx, dt.timedelta(days=(target.date() - last.date()).days))
    elif not ctx.showcase:
        steps = _cover_status(ctx, steps)
    # cut at the end of as_of: what happens later has not happened yet
    cutoff = u.cutoff
    kept = []
    for s in steps:
        if s.entered_at > cutoff:
            break
        if s.completed_at and s.completed_at > cutoff:
            s.completed_at = None
        for key, v in s.fields.items():
            if isinstance(v, dt.datetime) and v > cutoff:
                s.fields[key] = None
        if s.stage == "C6" and s.fields.get("paid_at") is None and c.penalty and c.penalty.fine_amount:
            s.fields["execution_status"] = "1"
        kept.append(s)
    c.steps = kept
    for m in c.measures:
        if m.approved_at and m.approved_at > cutoff:
            m.approved_at = None
        if m.started_at > cutoff:   # decided, about to be carried out: nothing may lie ahead of as_of
            m.started_at = cutoff
    _derive(c, ctx.published_at if ctx.published_at and ctx.published_at <= cutoff else None)


def _derive(c: Case, published_at: dt.datetime | None) -> None:
    stages = {s.stage for s in c.steps}
    if c.case_type == "2":
        p = c.penalty or Penalty()
        decided = Penalty(kinds=[], must_publish=p.must_publish, discretion_reason=p.discretion_reason)
        if "C5" not in stages:
            decided.discretion_reason = None
        for s in c.steps:
            f = s.fields
            if s.stage == "C3":
                decided.legal_review_at = f.get("legal_review_at")
                decided.collective_discussion_at = f.get("collective_discussion_at")
            elif s.stage == "C4":
                decided.notified_at = f.get("notified_at")
                decided.hearing_requested = f.get("hearing_requested")
                decided.hearing_notice_at = f.get("hearing_notice_at")
                decided.hearing_at = f.get("hearing_at")
            elif s.stage == "C5":
                decided.decision_no = f.get("decision_no")
                decided.decision_at = f.get("decision_at")
                decided.kinds = list(f.get("penalty_kinds") or [])
                decided.fine_amount = f.get("fine_amount")
                decided.confiscation_amount = f.get("confiscation_amount")
            elif s.stage == "C6":
                decided.served_at = f.get("served_at")
                decided.paid_at = f.get("paid_at")
                decided.execution_status = f.get("execution_status")
            elif s.stage == "C7":
                c.closed_at = f.get("closed_at")
            elif s.stage == "C8":
                c.archived_at = f.get("archived_at")
        if decided.decision_at:
            decided.published_at = published_at
        c.penalty = decided
    elif c.case_type == "1":
        insp = c.inspection
        for s in c.steps:
            f = s.fields
            if s.stage == "J2":
                insp.inspected_at = f.get("inspected_at")
            elif s.stage == "J3":
                insp.result = f.get("result")
                insp.rectify_deadline = f.get("rectify_deadline")
                insp.rectified_at = f.get("rectified_at")
            elif s.stage == "J4":
                c.closed_at = s.completed_at or s.entered_at
    else:
        by_seq = {m.seq: m for m in c.measures}
        for s in c.steps:
            f = s.fields
            m = by_seq.get(f.get("measure_seq"))
            if s.stage == "Q2" and m:
                m.approved_at = f.get("approved_at")
            elif s.stage == "Q4" and m:
                m.extended_days = f.get("extended_days")
            elif s.stage == "Q5" and m:
                m.demand_notice_at = f.get("demand_notice_at")
            elif s.stage == "Q6" and m:
                m.court_applied_at = f.get("court_applied_at")
            elif s.stage == "Q7" and m:
                m.lifted_at = f.get("lifted_at")
            elif s.stage == "Q8":
                c.closed_at = s.completed_at or s.entered_at
        for m in c.measures:   # a planned extension or lift that did not happen by as_of
            if not any(s.stage == "Q4" and s.fields.get("measure_seq") == m.seq for s in c.steps):
                m.extended_days = None
            if not any(s.stage == "Q7" and s.fields.get("measure_seq") == m.seq for s in c.steps):
                m.lifted_at = None
    if c.revoked_at:
        c.status = "90"
    elif c.archived_at:
        c.status = "50"
    elif c.closed_at:
        c.status = "40"
    elif c.penalty and c.penalty.served_at:
        c.status = "30"
    elif c.penalty and c.penalty.decision_at:
        c.status = "20"
    else:
        c.status = "10"
