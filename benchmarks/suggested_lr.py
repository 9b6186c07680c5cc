"""Derive ``optimizers.suggested.OVERRIDES``: for every formula landscape and every optimizer kind
of the race, a learning rate that neither diverges nor leaves the window within 500 steps from the
landscape's first start and, where some rate does, reaches a minimum.

Candidates are the kind's Ravine rate (``BASE``) times 2^-20 .. 2^3. The Ravine rate is kept when it
is good enough (safe, and reaching a minimum unless no candidate does); otherwise the pick is a
*robust* candidate (its halving and doubling are safe too; else any safe one) that reaches a minimum
first, or, when none reaches one, the largest robust (else any) safe candidate. Prints the
tables to paste into ``optimizers/suggested.py``: the rates, the pairs where no candidate reaches a
minimum and the pairs no candidate makes safe.

Run: ``python -m benchmarks.suggested_lr``.
"""

from __future__ import annotations

from optimizers.suggested import BASE, Verdict, formula_landscapes, judge

FACTORS = [2.0**j for j in range(-20, 4)]


def pick(base: float, verdicts: list[Verdict]) -> float | None:
    """The rate to suggest among ``base * FACTORS`` (``verdicts`` in that order); ``None``: none is safe."""
    rates = [base * f for f in FACTORS]
    by_rate = dict(zip(rates, verdicts, strict=True))
    any_reach = any(v.safe and v.reached for v in verdicts)
    here = by_rate[base]
    if here.safe and (here.reached or not any_reach):
        return base
    robust = [
        r
        for i, r in enumerate(rates)
        if verdicts[i].safe and all(verdicts[j].safe for j in (i - 1, i + 1) if 0 <= j < len(rates))
    ]
    safe = [r for r in rates if by_rate[r].safe]
    if not safe:
        return None
    reaching = [r for r in robust if by_rate[r].reached] or [r for r in safe if by_rate[r].reached]
    if reaching:
        return min(reaching, key=lambda r: (by_rate[r].hit_step, r))
    return max(robust or safe)  # none reaches a minimum: the largest safe rate gets furthest


def main() -> None:
    overrides: dict[str, dict[str, float]] = {}
    hopeless = []
    unreached: dict[str, list[str]] = {}
    for land in formula_landscapes():
        pairs = [(kind, BASE[kind] * f) for kind in BASE for f in FACTORS]
        verdicts = judge(land, pairs)
        n = len(FACTORS)
        for i, kind in enumerate(BASE):
            mine = verdicts[i * n : (i + 1) * n]
            chosen = pick(BASE[kind], mine)
            if not any(v.safe and v.reached for v in mine):
                unreached.setdefault(land, []).append(kind)
            if chosen is None:
                hopeless.append((land, kind))
            elif chosen != BASE[kind]:
                overrides.setdefault(land, {})[kind] = float(f"{chosen:.12g}")
    print("OVERRIDES: dict[str, dict[str, float]] = {")
    for land, table in overrides.items():
        print(f"    {land!r}: {table!r},")
    print("}")
    print("UNREACHED: dict[str, tuple[str, ...]] = {")
    for land, kinds in unreached.items():
        print(f"    {land!r}: {tuple(kinds)!r},")
    print("}")
    print("UNSAFE:", hopeless)


if __name__ == "__main__":
    main()
