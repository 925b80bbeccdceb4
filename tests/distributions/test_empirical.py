"""Empirical demand from samples and from CSV columns."""

from __future__ import annotations

import numpy as np
import pytest
from dist_reference import sum_shortage

from clsc.distributions import discrete, empirical, parse
from clsc.errors import ParameterError


def test_empirical_equals_weighted_discrete():
    sample = [3.0, 1.0, 2.0, 2.0, 7.5]
    e = empirical(values=sample)
    d = discrete([1, 2, 3, 7.5], [0.2, 0.4, 0.2, 0.2])
    xs = np.array([0.0, 1.0, 1.5, 2.0, 2.2, 3.0, 7.5, 9.0])
    np.testing.assert_allclose(e.expected_shortage(xs), d.expected_shortage(xs), rtol=1e-14)
    np.testing.assert_allclose(e.cdf(xs), d.cdf(xs), rtol=1e-14)
    for x in xs:
        expected_loss = sum_shortage(sample, [0.2] * 5, float(x))
        assert e.expected_shortage(x) == pytest.approx(expected_loss, rel=1e-13, abs=1e-15)
    assert e.mean == pytest.approx(np.mean(sample))
    assert e.sd == pytest.approx(np.std(sample))
    assert e.ppf(0.6) == 2.0 and e.ppf(0.61) == 3.0
    assert e.spec == "empirical(values=[1, 2, 2, 3, 7.5])"
    assert parse(e.spec) == e and e.discrete


def test_empirical_from_csv(tmp_path):
    path = tmp_path / "demand.csv"
    path.write_text("week,units\n1,10\n2,14\n3,10\n4,22.5\n")
    e = empirical(file=str(path), column="units")
    assert e.mean == pytest.approx((10 + 14 + 10 + 22.5) / 4)
    assert e.spec == f"empirical(file={str(path)!r}, column='units')"
    assert parse(e.spec) == e
    assert empirical(file=str(path), column=1).mean == e.mean
    single = tmp_path / "one.csv"
    single.write_text("d\n4\n6\n")
    assert empirical(file=str(single)).mean == 5.0


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        ("a,b\n1,2\n", "c", "column 'c' not found in"),
        ("a,b\n1,2\n", None, "column is required"),
        ("a,b\n1,2\n", 5, "column must be an index 0..1"),
        ("a\n1\nx\n", "a", "1 missing or non-numeric value(s)"),
        ("a\n", "a", "has no data rows"),
        ("", "a", "could not be read as CSV"),
    ],
)
def test_csv_problems_are_parameter_errors(tmp_path, content, column, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(ParameterError) as info:
        empirical(file=str(path), column=column)
    assert message in str(info.value)


def test_missing_file_and_bad_combinations(tmp_path):
    with pytest.raises(ParameterError, match="file not found"):
        parse(f"empirical(file={str(tmp_path / 'nope.csv')!r}, column='x')")
    with pytest.raises(ParameterError, match="exactly one of values"):
        parse("empirical()")
    with pytest.raises(ParameterError, match="exactly one of values"):
        empirical(values=[1], file="x.csv")
    with pytest.raises(ParameterError, match="values must not be empty"):
        parse("empirical(values=[])")
    with pytest.raises(ParameterError, match="column is only allowed with file"):
        parse("empirical(values=[1, 2], column='a')")


def test_large_sample_spec_round_trips():
    sample = np.random.default_rng(11).gamma(2.0, 50.0, size=20_000)
    e = empirical(values=sample)
    assert len(e.spec) > 10_000
    again = parse(e.spec)
    assert again == e
    np.testing.assert_array_equal(again.sample_values, np.sort(sample))
    x = np.array([10.0, 100.0, 250.0])
    expected_loss = [np.maximum(sample - t, 0).mean() for t in x]
    np.testing.assert_allclose(e.expected_shortage(x), expected_loss, rtol=1e-11)


def test_file_access_is_limited_and_never_echoes_contents(tmp_path, monkeypatch):
    # issue 14: empirical(file='/etc/shadow') quoted the file's lines in the error
    secret = tmp_path / "secret.csv"
    secret.write_text("root:*:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n")
    with pytest.raises(ParameterError) as info:
        empirical(file=str(secret))
    assert "daemon" not in str(info.value) and "root:" not in str(info.value)
    with pytest.raises(ParameterError, match="must be a data file"):
        empirical(file="/etc/passwd")
    with pytest.raises(ParameterError, match="regular file"):
        (tmp_path / "dir.csv").mkdir()
        empirical(file=str(tmp_path / "dir.csv"))
    monkeypatch.setenv("CLSC_NO_FILES", "1")
    good = tmp_path / "d.csv"
    good.write_text("a\n1\n2\n")
    with pytest.raises(ParameterError, match="disabled"):
        empirical(file=str(good))
