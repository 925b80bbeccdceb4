"""The fast normal family and the parse cache: same bits as before, fewer layers.

The normal's cdf/pdf/ppf/loss go through scipy.special; each value must be bit-identical to
``scipy.stats.norm`` and to clsc's values before the change (recorded below).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from clsc.distributions import parse
from clsc.distributions.continuous import Normal
from clsc.models.newsvendor import Newsvendor

# (spec, holding, shortage, q.hex(), cost.hex()) computed by clsc at commit 814a1b3 (before
# the scipy.special normal): the values must stay bit-identical
EXPECTED_NEWSVENDOR = [
    ("normal(mean=50, sd=8)", 0.18, 0.7, "0x1.c4d4e6d8646e6p+5", "0x1.ff630dcf03718p+0"),
    (
        "normal(mean=305.05, sd=80.7503)",
        2.329,
        2.035,
        "0x1.2a394622ab438p+8",
        "0x1.182ac7f932796p+7",
    ),
    (
        "normal(mean=136.086, sd=78.6211)",
        0.02574,
        7.393,
        "0x1.5c57dd9112f7ap+8",
        "0x1.8544ff405850fp+2",
    ),
    (
        "normal(mean=394.476, sd=42.1195)",
        0.9161,
        2.513,
        "0x1.a4a69aab5fb2bp+8",
        "0x1.7c04736fc3540p+5",
    ),
    (
        "normal(mean=112.532, sd=40.0624)",
        1.519,
        4.986,
        "0x1.1b5749c299dbep+7",
        "0x1.3f36d9d7b3a05p+6",
    ),
    (
        "normal(mean=497.66, sd=71.3416)",
        1.87,
        8.901,
        "0x1.1a5c1a82053a8p+9",
        "0x1.8a29df0dfcb4fp+7",
    ),
]


@pytest.mark.parametrize(("spec", "holding", "shortage", "q_hex", "cost_hex"), EXPECTED_NEWSVENDOR)
def test_newsvendor_q_and_cost_are_bit_identical(spec, holding, shortage, q_hex, cost_hex):
    r = Newsvendor().solve(params={"demand": spec, "holding": holding, "shortage": shortage})
    assert r.decisions["q"] == float.fromhex(q_hex)
    assert r.metrics["cost"] == float.fromhex(cost_hex)


def test_normal_functions_match_scipy_bit_for_bit():
    rng = np.random.default_rng(11)
    for _ in range(10):
        mu, sd = rng.uniform(-100, 100), rng.uniform(0.01, 50)
        d, rv = Normal(mu, sd), stats.norm(mu, sd)
        u = np.concatenate([rng.random(500), [0.0, 1.0, 1e-300, 1 - 1e-16, -0.1, 1.1, np.nan]])
        x = np.concatenate([rng.uniform(-3000, 3000, 500), [np.inf, -np.inf, np.nan]])
        np.testing.assert_array_equal(d.ppf(u), rv.ppf(u))
        np.testing.assert_array_equal(d.pdf(x), rv.pdf(x))
        np.testing.assert_array_equal(d.cdf(x), rv.cdf(x))
        assert [d.ppf(float(v)) for v in u[:50]] == list(rv.ppf(u[:50]))
        # the scalar loss path computes the same bits as the array path
        xs = x[:200]
        assert [d.expected_shortage(float(v)) for v in xs] == list(d.expected_shortage(xs))
        assert [d.expected_leftover(float(v)) for v in xs] == list(d.expected_leftover(xs))


def test_normal_without_scipy_frozen_distribution_still_has_its_methods():
    d = Normal(50.0, 8.0)
    assert "_rv" not in d.__dict__  # not built by the everyday path
    d.ppf(0.3), d.pdf(1.0), d.cdf(1.0), d.expected_shortage(50.0)
    assert "_rv" not in d.__dict__
    assert d.support == (-np.inf, np.inf)
    assert d.mean == 50.0 and d.sd == 8.0
    assert d._rv.std() == pytest.approx(8.0)  # built on demand for anything else


def test_text_demand_parsed_once_per_distinct_text(tmp_path):
    text = "normal(mean=41, sd=7)"
    assert parse(text) is parse(text)
    assert parse("normal(mean=41, sd=7.5)") is not parse(text)
    # a spec that names a file is read every time (the file may change)
    f = tmp_path / "d.csv"
    f.write_text("demand\n1\n2\n3\n")
    spec = f"empirical(file='{f}', column='demand')"
    first = parse(spec)
    f.write_text("demand\n10\n20\n30\n")
    second = parse(spec)
    assert first.mean == pytest.approx(2.0) and second.mean == pytest.approx(20.0)
