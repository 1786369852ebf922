"""Elementwise algebra for the *simplify* pass: rational functions in a program's arrays.

An elementwise expression of a program (``dA * A * (1 - A)``, ``-(1 - Y) / (1 - A)``) is a
rational function of the arrays it reads — its *atoms*.  Here it is kept as

    coefficient × Π factorᵏ        (k a nonzero int: the factors with k < 0 are the denominator)

where a factor is a polynomial in the atoms, expanded and normalised (its terms sorted, the
first one's coefficient 1), so that the same polynomial written two ways is one factor.
Multiplying and dividing add and subtract the powers of factors: ``A / A`` cancels.  Adding
first takes out the factors both terms share (the smaller power of each), so a sum over a
common denominator is expanded only where it must be: ``Y / A − (1 − Y) / (1 − A)``
becomes ``(Y − A) / (A (1 − A))``, whose denominator the sigmoid's ``A (1 − A)`` cancels.

These are identities of real numbers, not of floating point: a simplified expression gives
the same value up to rounding, and the limit where the original divides 0 by 0.
"""
from __future__ import annotations

#: Expanding (a + b)(c + d)… can grow without bound: past this many terms, give up.
MAX_TERMS = 24


class TooBig(Exception):
    """An expansion would pass :data:`MAX_TERMS` terms (or divides by zero): keep the original."""


# A monomial is a sorted tuple of (atom, power); a polynomial a dict {monomial: coefficient};
# its frozen form (a dict key) the sorted tuple of its items.  A form is (coefficient,
# {frozen polynomial: power}).

def atom(name):
    """The form of one atom (an array the expression reads)."""
    return 1.0, {_atom_key(name): 1}


def _atom_key(name):
    monomial = ((name, 1),)
    return ((monomial, 1.0),)


def constant(value):
    """The form of a number."""
    return float(value), {}


ZERO = constant(0.0)


def multiply(f, g):
    """f · g."""
    (a, fa), (b, fb) = f, g
    coefficient = a * b
    if coefficient == 0.0:
        return ZERO
    factors = dict(fa)
    for key, power in fb.items():
        power += factors.get(key, 0)
        if power:
            factors[key] = power
        else:
            factors.pop(key, None)
    return coefficient, factors


def reciprocal(f):
    """1 / f (raises :class:`TooBig` for 1 / 0)."""
    a, fa = f
    if a == 0.0:
        raise TooBig("division by zero")
    return 1.0 / a, {key: -power for key, power in fa.items()}


def divide(f, g):
    """f / g."""
    return multiply(f, reciprocal(g))


def negate(f):
    """−f."""
    return -f[0], f[1]


def add(f, g):
    """f + g, over the factors the two share."""
    if f[0] == 0.0:
        return g
    if g[0] == 0.0:
        return f
    common = {}
    for key in set(f[1]) | set(g[1]):
        power = min(f[1].get(key, 0), g[1].get(key, 0))
        if power:
            common[key] = power
    shared = (1.0, common)
    rest_f = _expand(divide(f, shared))
    rest_g = _expand(divide(g, shared))
    for monomial, c in rest_g.items():
        rest_f[monomial] = rest_f.get(monomial, 0.0) + c
    return multiply(shared, normalise(rest_f))


def subtract(f, g):
    """f − g."""
    return add(f, negate(g))


def normalise(poly):
    """The form of a polynomial {monomial: coefficient}: the atoms every term has taken out,
    the rest as one factor whose first term has coefficient 1."""
    poly = {m: c for m, c in poly.items() if c != 0.0}
    if not poly:
        return ZERO
    atoms = None
    for monomial in poly:
        powers = dict(monomial)
        atoms = powers if atoms is None else {
            a: min(p, powers[a]) for a, p in atoms.items() if a in powers}
    factors = {_atom_key(a): p for a, p in atoms.items()}
    if atoms:
        poly = {_divide_monomial(m, atoms): c for m, c in poly.items()}
    if len(poly) == 1:
        (monomial, coefficient), = poly.items()
        return coefficient, factors
    items = sorted(poly.items(), key=_order)
    lead = items[0][1]
    key = tuple((m, c / lead) for m, c in items)
    factors[key] = 1
    return lead, factors


def _order(item):
    monomial = item[0]
    return sum(p for _, p in monomial), monomial


def _divide_monomial(monomial, atoms):
    return tuple((a, p - atoms.get(a, 0)) for a, p in monomial if p - atoms.get(a, 0))


def _expand(f):
    """The polynomial {monomial: coefficient} of a form with no denominator."""
    coefficient, factors = f
    poly = {(): coefficient}
    for key, power in factors.items():
        if power < 0:
            raise TooBig("a denominator left in a sum")
        for _ in range(power):
            poly = _times(poly, key)
    return poly


def _times(poly, key):
    out = {}
    for m1, c1 in poly.items():
        for m2, c2 in key:
            powers = dict(m1)
            for a, p in m2:
                powers[a] = powers.get(a, 0) + p
            monomial = tuple(sorted(powers.items()))
            out[monomial] = out.get(monomial, 0.0) + c1 * c2
    if len(out) > MAX_TERMS:
        raise TooBig(f"more than {MAX_TERMS} terms")
    return out


def atoms_of(f):
    """The atoms a form reads."""
    return {a for key in f[1] for monomial, _ in key for a, _ in monomial}


def is_atom(key):
    """The atom a factor is, or None when it is a polynomial."""
    if len(key) == 1:
        ((monomial, c),) = key
        if c == 1.0 and len(monomial) == 1 and monomial[0][1] == 1:
            return monomial[0][0]
    return None
