"""The text form: parsing, canonical specs, round trips and error messages."""

from __future__ import annotations

import math

import pytest

from clsc.distributions import FAMILIES, Distribution, as_distribution, parse
from clsc.errors import ParameterError, SpecError

#: one example per family (the brief's list) with its canonical form
EXAMPLES = {
    "normal(mean=50, sd=8)": "normal(mean=50, sd=8)",
    "truncnormal(mean=90, sd=30, lower=0, upper=180)": (
        "truncnormal(mean=90, sd=30, lower=0, upper=180)"
    ),
    "truncnormal(mean=100, sd=30, lower=0)": "truncnormal(mean=100, sd=30, lower=0)",
    "truncnormal(mean=100, sd=30, lower=-inf, upper=inf)": "truncnormal(mean=100, sd=30)",
    "uniform(low=0, high=100)": "uniform(low=0, high=100)",
    "exponential(mean=100)": "exponential(mean=100)",
    "gamma(shape=2, scale=50)": "gamma(shape=2, scale=50)",
    "poisson(mean=6)": "poisson(mean=6)",
    "binomial(n=2000, p=0.02)": "binomial(n=2000, p=0.02)",
    "discrete(values=[0,1,2], probs=[0.3,0.4,0.3])": (
        "discrete(values=[0, 1, 2], probs=[0.3, 0.4, 0.3])"
    ),
    "discrete(values=[2, 0.5], probs=[0.25, 0.75])": (
        "discrete(values=[0.5, 2], probs=[0.75, 0.25])"
    ),
    "lognormal(mu=6, sigma=0.3)": "lognormal(mu=6, sigma=0.3)",
    "empirical(values=[5, 1.5, 3])": "empirical(values=[1.5, 3, 5])",
    "scipy:burr12(c=2, d=3, scale=10)": "scipy:burr12(c=2, d=3, scale=10)",
    "  normal( sd = 8.0 , mean = 5e1 )  ": "normal(mean=50, sd=8)",
    "normal(mean=-0.1, sd=1e-3)": "normal(mean=-0.1, sd=0.001)",
}


@pytest.mark.parametrize("text", EXAMPLES)
def test_canonical_spec_and_round_trip(text):
    d = parse(text)
    assert isinstance(d, Distribution)
    assert d.spec == EXAMPLES[text]
    again = parse(d.spec)
    assert again == d and hash(again) == hash(d)
    assert again.mean == d.mean and again.sd == d.sd
    assert str(d) == d.spec and repr(d) == f"<Distribution {d.spec}>"


def test_every_registered_family_has_an_example():
    assert {t.split("(")[0].strip() for t in EXAMPLES if ":" not in t} == set(FAMILIES)


def test_round_trip_of_awkward_floats():
    d = parse(f"normal(mean={0.1 + 0.2!r}, sd={1 / 3!r})")
    assert parse(d.spec).mean == 0.1 + 0.2
    assert parse(d.spec).sd == 1 / 3


def test_as_distribution_accepts_objects_text_and_refuses_others():
    d = parse("poisson(mean=6)")
    assert as_distribution(d) is d
    assert as_distribution("poisson(mean=6)") == d
    for bad in (5, None, [1, 2], {"mean": 1}):
        with pytest.raises(ParameterError, match="must be a Distribution, a spec string"):
            as_distribution(bad)


@pytest.mark.parametrize(
    ("text", "cls", "message"),
    [
        ("normal(mean=50, sd=-1)", ParameterError, "sd must be > 0; got sd=-1"),
        ("normal(mean=50, sd=0)", ParameterError, "sd must be > 0; got sd=0"),
        (
            "norml(mean=50, sd=8)",
            SpecError,
            "unknown distribution family 'norml' (did you mean normal?); "
            "valid families: normal, truncnormal",
        ),
        ("normal(mean=50)", SpecError, "missing argument 'sd' for normal; arguments: mean, sd"),
        (
            "normal(mean=50, sd=8, skew=1)",
            SpecError,
            "unknown argument 'skew' for normal; arguments: mean, sd",
        ),
        (
            "truncnormal(mean=5, sd=1, lo=0)",
            SpecError,
            "arguments: mean, sd, lower (optional), upper (optional)",
        ),
        ("normal(50, 8)", SpecError, "positional argument '50'"),
        ("normal(mean=50, sd=8", SpecError, "cannot parse spec"),
        ("normal(mean=__import__('os'), sd=8)", SpecError, "is not a literal"),
        ("normal(mean=1e999, sd=8)", ParameterError, "mean must be a finite number; got mean=inf"),
        ("normal(mean=" + "9" * 400 + ", sd=8)", ParameterError, "mean must be a finite number"),
        ("normal(mean='50', sd=8)", ParameterError, "mean must be a number; got mean='50'"),
        ("normal(mean=[50], sd=8)", ParameterError, "mean must be a number"),
        (
            "truncnormal(mean=100, sd=30, lower=200, upper=100)",
            ParameterError,
            "lower must be < upper; got lower=200, upper=100",
        ),
        ("foo:normal(mean=1, sd=1)", SpecError, "unknown prefix 'foo:'"),
        ("", SpecError, "spec is empty"),
        ("normal", SpecError, "missing argument 'mean'"),
        ("uniform(low=3, high=1)", ParameterError, "low must be < high; got low=3, high=1"),
    ],
)
def test_clear_errors(text, cls, message):
    with pytest.raises(cls) as info:
        parse(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_not_text_is_a_spec_error():
    with pytest.raises(SpecError):
        parse(42)  # type: ignore[arg-type]


def test_infinite_bounds_are_written_as_inf():
    d = parse("truncnormal(mean=0, sd=1, upper=2)")
    assert d.lower == -math.inf and d.spec == "truncnormal(mean=0, sd=1, upper=2)"
