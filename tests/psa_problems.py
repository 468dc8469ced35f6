"""Small problems with uncertain inputs for the PSA tests (TOML text, written to files)."""

from __future__ import annotations

from pathlib import Path

# A single segment with nobody served today (c = 0) and no provider cost, the creator fee
# fixed at 0, so a site's margin per use is p and adoption is
#     A(p) = clip(q p / (2 Kbar), 0, 1),  q = n u / S = 1000 uses per site a year.
# payer_spend = 1000 A(p) p (USD/yr, min) and access = A(p) (share, max).
# Adoption saturates at p* = 2 Kbar / 1000. For the ladder p = 0, 1, ..., 10:
#   * p < p*: A and spend both rise with p: a trade-off, every such p is Pareto-optimal;
#   * p = 0 (A = 0, spend 0) is Pareto-optimal (least spend);
#   * p = k >= 1 is dominated exactly when a cheaper rung already has A = 1, i.e. when
#     k - 1 >= p* (same access 1, less spend). So P(k Pareto-optimal) = P(p* > k - 1)
#     = P(Kbar > 500 (k - 1)).
# With Kbar ~ Uniform(1000, 4000):
#   k = 0..3: 1;  k = 4: P(Kbar > 1500) = 2500/3000 = 5/6;  k = 5: 2000/3000 = 2/3;
#   k = 6: 1/2;  k = 7: 1/3;  k = 8: 1/6;  k = 9, 10: 0.
# Cost-effectiveness: today's spend is 0, dCost = 1000 A p, dQALY = 0.001 * 1000 A, so the
# ICER is p / 0.001 = 1000 p USD/QALY whatever A: at lambda = 5,000 USD/QALY the prices
# p = 1..4 are cost-effective (NMB > 0) in every draw, p = 0 (nothing changes) and
# p >= 5 (NMB <= 0) in none.
KNOWN_P_PARETO = [1, 1, 1, 1, 5 / 6, 2 / 3, 1 / 2, 1 / 3, 1 / 6, 0, 0]

TINY = """
name = "tiny-psa"
family = "ffs"
objectives = ["payer_spend", "access"]

[service]
name = "exam"
comparator_payment = 100.0

[[payers]]
name = "medicare"
rate_multiplier = 1.0

[[segments]]
name = "all"
population = 1000.0
compliance = 0.0
uptake = 1.0
provider_cost_per_use = 0.0
sites = 1
fixed_cost_per_site = 2500.0
payer_mix = { medicare = 1.0 }

[creator]
marginal_cost = 0.0
upfront_investment = 0.0
annual_fixed_cost = 0.0
horizon_years = 5
discount_rate = 0.03
tco_volume = 1000.0

[value]
wtp_per_qaly = 5000.0
qaly_gain_per_patient = 0.001
savings_per_patient = 0.0

[decisions]
p = { lower = 0.0, upper = %(upper)s, step = %(step)s }
f = { lower = 0.0, upper = 0.0 }

[[observed]]
name = "band 2-3"
variable = "p"
low = 2.0
high = 3.0

[[uncertain]]
path = "segments.all.fixed_cost_per_site"
dist = "uniform"
min = 1000.0
max = 4000.0
source = "test: known answer"
"""


def write_tiny(folder: Path, upper: float = 10.0, step: float = 1.0,
               extra: str = "") -> Path:
    """Write the tiny problem (ladder ``0..upper`` by ``step``) and return its path."""
    path = folder / "tiny-psa.toml"
    path.write_text(TINY % {"upper": upper, "step": step} + extra)
    return path


IDX_EXTRA_BAD = """
[[uncertain]]
path = "segments.all.provider_cost_per_use"
dist = "beta"
mean = 0.5
se = 0.1
source = "test"
"""
