"""Small numeric helpers shared by the rules."""

import numpy as np


def saturation(eur_per_year: float, population: int, half_eur_per_1000: float) -> float:
    """Effect in [0, 1) of a budget, saturating: ``1 - exp(-budget / scale)``.

    Budgets are compared per 1,000 residents, so the same policy means the same thing for a
    city of any size.
    """
    per_1000 = eur_per_year / population * 1000.0
    return float(1.0 - np.exp(-per_1000 / half_eur_per_1000))
