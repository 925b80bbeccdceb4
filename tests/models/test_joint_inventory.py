"""joint-inventory (seed 000), stage 1: spec 4.9 reference numbers, checks and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clsc.errors import ParameterError
from clsc.models import get_model

MODEL = get_model("joint-inventory")


def close(value: float, printed: float, decimals: int) -> bool:
    """Spec 1.4: |computed - printed| <= 0.5*10^-d + 1e-9*|printed|."""
    return abs(value - printed) <= 0.5 * 10.0**-decimals + 1e-9 * abs(printed)


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def assert_printed(value: float, printed: str) -> None:
    assert close(value, float(printed), decimals(printed)), (value, printed)


# spec 4.9, separate inventory: node -> (kappa, z, Q*, d_i, SAA Q, SAA cost)
EXPECTED_SEPARATE = {
    1: ("0.6667", "0.4307", "112.922", "298.172", "113.373", "297.751"),
    2: ("0.8148", "0.8958", "97.916", "152.116", "97.774", "151.992"),
    3: ("0.8056", "0.8616", "154.465", "378.166", "154.454", "375.808"),
}
EXPECTED_D4 = ("298.1719", "152.1158", "378.1662")  # spec 4.9, d_i to four decimals

# spec 4.9, joint inventory: coalition -> (Q of members, C in-sample, C out-of-sample, sum d, v)
EXPECTED_JOINT = {
    "{1,2}": (("0", "200.4125"), "384.558", "385.975", "450.288", "64.313"),
    "{1,3}": (("104.433", "142.8261"), "586.323", "587.600", "676.338", "88.738"),
    "{2,3}": (("120.9754", "119.8898"), "453.362", "451.233", "530.282", "79.049"),
    "{1,2,3}": (("0", "215.1974", "116.6014"), "650.437", "650.210", "828.454", "178.244"),
}

# spec 4.9 sensitivity: case -> (Q_joint, sum Q_joint, C_joint, Q_sep, sum Q_sep, C_sep, saving,
# saving %)
EXPECTED_SENSITIVITY = {
    "base": (("0", "215.1974", "116.6014"), "331.80", "650.437",
             ("112.92", "97.92", "154.47"), "365.30", "828.454", "178.017", "21.49"),
    "all link costs x0.5": (("0", "232.0619", "110.2753"), "342.34", "392.416",
                            ("122.94", "100.89", "160.98"), "384.81", "542.774", "150.359",
                            "27.70"),
    "all link costs x2": (("0", "193.7389", "115.9499"), "309.69", "1145.214",
                          ("95.81", "92.91", "143.58"), "332.30", "1355.549", "210.335", "15.52"),
    "re-positioning free": (("0", "342.2321", "0"), "342.23", "443.778",
                            ("112.92", "97.92", "154.47"), "365.30", "828.454", "384.676",
                            "46.43"),
    "re-positioning x3": (("99.9565", "109.7222", "137.9374"), "347.62", "730.485",
                          ("112.92", "97.92", "154.47"), "365.30", "828.454", "97.969", "11.83"),
    "holding x2": (("0", "205.8164", "108.6985"), "314.51", "706.013",
                   ("107.60", "92.46", "143.91"), "343.97", "941.416", "235.403", "25.01"),
    "shortage x2": (("0", "236.7684", "119.2705"), "356.04", "699.260",
                    ("127.87", "105.86", "170.60"), "404.32", "924.152", "224.892", "24.33"),
}  # fmt: skip


@pytest.fixture(scope="module")
def separate():
    return MODEL.solve("separate", method="decomposition")


@pytest.fixture(scope="module")
def joint():
    """The array-built extensive form solved by HiGHS (method saa, the default)."""
    return MODEL.solve("joint")


@pytest.fixture(scope="module")
def sensitivity():
    return MODEL.solve("sensitivity", method="decomposition")


def test_separate_table_reproduces_spec(separate):
    assert separate.ok
    nodes = separate.table("nodes").to_frame().set_index("node")
    for node, printed in EXPECTED_SEPARATE.items():
        row = nodes.loc[node]
        for column, text in zip(
            ("kappa", "z", "Q", "d", "saa_Q", "saa_cost"), printed, strict=True
        ):
            assert_printed(row[column], text)
    for node, text in enumerate(EXPECTED_D4, start=1):
        assert_printed(separate.metrics[f"d_{node}"], text)
    assert_printed(separate.metrics["sum_d"], "828.454")  # spec 4.9


def test_separate_closed_form_matches_normal_formula(separate):
    from scipy.stats import norm

    mu, sigma = np.array([100, 80, 120.0]), np.array([30, 20, 40.0])
    c, h, p = np.array([2, 1, 1.5]), np.array([1, 1.5, 2]), np.array([8, 12, 16.0])
    z = norm.ppf((p - c) / (p + h))
    d = c * mu + (h + p) * sigma * norm.pdf(z)
    nodes = separate.table("nodes").to_frame()
    np.testing.assert_allclose(nodes["d"], d, rtol=1e-12)
    np.testing.assert_allclose(nodes["Q"], mu + sigma * z, rtol=1e-12)


def test_joint_table_reproduces_spec(joint):
    assert joint.ok
    coal = joint.table("coalitions").to_frame().set_index("coalition")
    stocks = joint.table("stocks").to_frame()
    for label, (q, c_in, c_out, sum_d, saving) in EXPECTED_JOINT.items():
        row = coal.loc[label]
        assert_printed(row["cost_in_sample"], c_in)
        assert_printed(row["cost"], c_out)
        assert_printed(row["sum_d"], sum_d)
        assert_printed(row["saving"], saving)
        mine = stocks[stocks["coalition"] == label]
        for value, text in zip(mine["Q"], q, strict=True):
            assert_printed(value, text)
        # alloc is not unique (degenerate LP): only its sum is determined
        assert mine["alloc"].sum() == pytest.approx(row["cost"], rel=1e-10)
        assert 0 < row["cost_se"] < 2.0
    for node in (1, 2, 3):
        assert coal.loc[f"{{{node}}}", "saving"] == 0.0
    assert_printed(joint.metrics["saving_pct"], "21.5")  # spec 4.9: 21.5 %


def test_sensitivity_table_reproduces_spec(sensitivity):
    cases = sensitivity.table("sensitivity").to_frame().set_index("case")
    nodes = sensitivity.table("sensitivity_nodes").to_frame()
    for case, expected in EXPECTED_SENSITIVITY.items():
        q_joint, sum_q, c_joint, q_sep, sum_q_sep, c_sep, saving, pct = expected
        row = cases.loc[case]
        for column, text in (("sum_Q_joint", sum_q), ("C_joint", c_joint),
                             ("sum_Q_sep", sum_q_sep), ("C_sep", c_sep), ("saving", saving),
                             ("saving_pct", pct)):  # fmt: skip
            assert_printed(row[column], text)
        mine = nodes[nodes["case"] == case]
        for column, texts in (("Q_joint", q_joint), ("Q_sep", q_sep)):
            for value, text in zip(mine[column], texts, strict=True):
                assert_printed(value, text)


def test_decomposition_agrees_with_extensive_form(joint):
    """L-shaped (numba recourse) and the HiGHS extensive form: same optima, same table."""
    res = MODEL.solve("joint", method="decomposition")
    mine = res.table("coalitions").to_frame()
    ref = joint.table("coalitions").to_frame()
    np.testing.assert_allclose(mine["cost_in_sample"], ref["cost_in_sample"], rtol=1e-9)
    np.testing.assert_allclose(mine["cost"], ref["cost"], rtol=1e-7)
    np.testing.assert_allclose(res.table("stocks").to_frame()["Q"],
                               joint.table("stocks").to_frame()["Q"], atol=1e-5)  # fmt: skip


@pytest.mark.parametrize(
    ("seed", "expected_cost", "expected_q2"),
    [(2025, "651.743", "214.7215"), (2026, "651.993", "214.6143")],  # spec 4.9 spread
)
def test_other_seeds_reproduce_spec_spread(seed, expected_cost, expected_q2):
    res = MODEL.solve(
        "joint", method="decomposition", params={"seed": seed, "coalition": (1, 2, 3)}
    )
    assert_printed(res.metrics["cost_in_sample"], expected_cost)
    assert_printed(res.decisions["Q_2"], expected_q2)
    # and the out-of-sample cost is within the sampling spread of the seed-2024 value
    assert abs(res.metrics["cost"] - 650.210) < 4.0


def test_gap_confidence_interval():
    res = MODEL.solve(
        "joint", method="decomposition",
        params={"coalition": (1, 2, 3), "n_scenarios": 500, "n_eval": 5000,
                "gap_replications": 3},
    )  # fmt: skip
    assert res.ok
    assert res.metrics["gap_upper"] >= 0 and res.metrics["gap"] <= res.metrics["gap_upper"]
    assert res.metrics["gap_upper"] < 10.0  # 500 scenarios: a gap of a few money units
    assert "gap" in res.std_errors


def test_non_normal_marginals_separate_is_the_newsvendor():
    specs = "poisson(mean=100); gamma(shape=16, scale=5); uniform(low=60, high=180)"
    res = MODEL.solve("separate", method="decomposition",
                      params={"demand": specs, "n_scenarios": 300})  # fmt: skip
    nv = get_model("newsvendor")
    for node, (spec, c, h, p) in enumerate(
        zip(specs.split(";"), (2, 1, 1.5), (1, 1.5, 2), (8, 12, 16), strict=True), start=1
    ):
        ref = nv.solve(params={"demand": spec.strip(), "cost": c, "holding": h, "shortage": p})
        assert res.metrics[f"d_{node}"] == pytest.approx(ref.metrics["cost"], rel=1e-9)
        assert res.decisions[f"Q_{node}"] == pytest.approx(ref.decisions["q"], rel=1e-12)


def test_correlated_pooling_closed_form():
    """Identical costs, tau = 0, correlated normal: SAA cost near the closed form (spec 4.5)."""
    from scipy.stats import norm

    rho = ((1, 0.3, 0), (0.3, 1, -0.2), (0, -0.2, 1))
    params = {"c": (1.5,) * 3, "h": (1.5,) * 3, "p_short": (12,) * 3,
              "tau_move": ((0,) * 3,) * 3, "rho": rho, "coalition": (1, 2, 3),
              "n_eval": 200_000}  # fmt: skip
    res = MODEL.solve("joint", method="decomposition", params=params)
    sigma = np.array([30, 20, 40.0])
    sigma_s = math.sqrt(sigma @ np.array(rho) @ sigma)
    z = norm.ppf(10.5 / 13.5)
    expected_cost = 1.5 * 300 + 13.5 * sigma_s * norm.pdf(z)  # spec 4.5 closed form
    assert sum(res.decisions.values()) == pytest.approx(300 + sigma_s * z, abs=4.0)
    assert res.metrics["cost"] == pytest.approx(expected_cost, abs=4 * res.std_errors["cost"] + 1)


def test_scenarios_from_csv_and_parquet(tmp_path):
    import pandas as pd

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal([100, 80], [30, 20], size=(200, 2)), columns=["r", "p"])
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    params = {"c": (2, 1), "h": (1, 1.5), "p_short": (8, 12), "sigma": (1, 1), "n_eval": 1000}
    out = []
    for name in ("d.csv", "d.parquet"):
        res = MODEL.solve("joint", method="decomposition",
                          params={**params, "scenarios_file": str(tmp_path / name)})  # fmt: skip
        assert res.ok
        out.append(res.metrics["cost_in_sample"])
        sep = MODEL.solve("separate", method="decomposition",
                          params={**params, "scenarios_file": str(tmp_path / name)})  # fmt: skip
        # the SAA of a node alone on the file = the exact newsvendor of its empirical law
        nodes = sep.table("nodes").to_frame()
        np.testing.assert_allclose(nodes["saa_cost"], nodes["d"], rtol=1e-9)
    assert out[0] == pytest.approx(out[1], rel=1e-12)
    # what is printed is what was used: the file's rows, means and sds
    assert res.params["n_scenarios"] == 200
    np.testing.assert_allclose(res.params["mu"], frame.mean().to_numpy(), rtol=1e-12)


def test_seed_override_is_reported():
    res = MODEL.solve("separate", method="decomposition", seed=2025, params={"n_scenarios": 50})
    assert res.params["seed"] == 2025


@pytest.mark.parametrize(
    ("sets", "expected_message"),
    [
        ({"rho": ((1, 0.9, -0.9), (0.9, 1, 0.9), (-0.9, 0.9, 1))}, "positive semi-definite"),
        ({"rho": ((1, 0.2), (0.2, 1))}, "rho must be an n x n"),
        ({"rho": "[[1, 0.2], [0.2]]"}, "rho must be a non-empty rectangular matrix"),
        ({"rho": "[[1, 0, 0], [0, 1, 0], [0, 0, x]]"}, "rho"),
        ({"p_short": (2, 12, 16)}, "p_short must exceed c"),
        ({"h": (-1, 1.5, 2)}, r"h\[0\] must be >= 0"),
        ({"tau_move": ((0, -1, 0), (1, 0, 1), (0, 1, 0))}, r"tau_move\[0\]\[1\] must be >= 0"),
        ({"tau_move": ((1, 1, 0), (1, 0, 1), (0, 1, 0))}, "tau_move must be an n x n matrix"),
        ({"c": (1, 2)}, "c must have one entry per node"),
        ({"coalition": (1, 4)}, "coalition must name distinct nodes"),
        ({"alliance": (1, 1)}, "alliance must name distinct nodes"),
        ({"sigma": (30, 0, 40)}, r"sigma\[1\] must be > 0"),
        ({"weights": (1, 1)}, "weights must have one entry per node"),
        ({"n_scenarios": 0}, "n_scenarios must be >= 1"),
        ({"scenarios_file": "/nonexistent.csv"}, "scenarios_file must name an existing file"),
    ],
)
def test_bad_input_names_parameter_rule_and_value(sets, expected_message):
    with pytest.raises(ParameterError, match=expected_message):
        MODEL.solve("separate", params=sets)


def test_cli_separate_and_joint(cli):
    code, out, err = cli(
        "solve", "joint-inventory", "--scenario", "separate", "--method", "decomposition",
        "--set", "mu=100,80,120", "--set", "rho=[[1,0.3,0],[0.3,1,0],[0,0,1]]",
        "--set", "n_scenarios=300",
    )  # fmt: skip
    assert code == 0, err
    assert "Q_1" in out and "298.1719" in out  # d_1 does not depend on rho
    code, out, err = cli(
        "solve", "joint-inventory", "--scenario", "joint", "--set", "coalition=1,2",
        "--set", "n_scenarios=300", "--set", "n_eval=2000", "--json",
    )  # fmt: skip
    assert code == 0, err
    import json

    data = json.loads(out)
    assert data["status"] == "optimal"
    assert data["tables"]["coalitions"]["coalition"] == ["{1}", "{2}", "{1,2}"]


def test_cli_bad_input_is_one_line_exit_2(cli):
    code, _, err = cli(
        "solve", "joint-inventory", "--set", "rho=[[1,0.9,-0.9],[0.9,1,0.9],[-0.9,0.9,1]]"
    )
    assert code == 2 and "rho" in err and "positive semi-definite" in err
    assert "Traceback" not in err
    code, _, err = cli("solve", "joint-inventory", "--set", "coalition=1,7")
    assert code == 2 and "coalition must name distinct nodes 1..n" in err and "(1.0, 7.0)" in err


def test_copula_sample_has_the_marginals_and_the_rank_correlation():
    from scipy.stats import norm

    from clsc.models.joint_inventory.problem import SPEC, build_problem

    rho = ((1, 0.6, 0), (0.6, 1, -0.4), (0, -0.4, 1))
    specs = "gamma(shape=16, scale=5); uniform(low=60, high=100); normal(mean=120, sd=40)"
    values, _ = SPEC.resolve({"demand": specs, "rho": rho})
    problem = build_problem(values)
    sample = problem.sample(200_000, np.random.default_rng(5))
    means = [d.mean for d in problem.marginals]
    np.testing.assert_allclose(sample.mean(axis=0), means, rtol=5e-3)
    scores = norm.ppf(np.column_stack([d.cdf(sample[:, j]) for j, d in
                                       enumerate(problem.marginals)]))  # fmt: skip
    np.testing.assert_allclose(np.corrcoef(scores.T), rho, atol=0.01)
