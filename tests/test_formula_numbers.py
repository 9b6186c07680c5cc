"""Refusals of a typed formula's numbers name the right cause (issue 11): a constant floating point
would make 0 is too small, not too large; a 400-digit integer is too large, not an OverflowError."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
from landscapes.formula import FormulaError


def make_custom(formula: str):
    return landscapes.get("custom", formula=formula)


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("x*(1e-300)**2", "too small"),  # 1e-600: floating point would make it 0, it is not "too large"
        ("x*1e-300*1e-300", "too small"),
        ("x*(1e-200)**-2", "too large"),
        ("x*" + "9" * 400, "The number is too large"),  # not "cannot be built: OverflowError"
        ("(((((2*x)**10)**10)**10)**10)", "too large"),
        ("pi**pi**pi**pi**pi * x", "too large for floating point"),
    ],
)
def test_refusals_of_numbers_name_the_right_cause(text, cause):
    with pytest.raises(FormulaError) as e:
        make_custom(text)
    assert cause in str(e.value)
    assert "Error" not in str(e.value)  # a reason, not an exception's class name


def test_small_numbers_a_float_holds_are_accepted():
    assert make_custom("x**2 + 1e-300*y**2").value(np.array([1.0, 0.0])) == 1.0
