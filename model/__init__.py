"""coprod: an agent-based simulation of city-citizen co-production.

Public API: :class:`CoProductionModel`, :class:`Scenario`, :func:`load_scenario`,
:class:`Citizen`, :class:`State`.
"""

import sys

# Some machines (containers, CI images) set PYTHONDONTWRITEBYTECODE, so every process would
# compile mesa, pandas, scipy and dask from source again: seconds per start of a command or
# of a sweep's worker. Caching their bytecode changes nothing but start-up time.
sys.dont_write_bytecode = False

from model.citizens import Citizen, State  # noqa: E402
from model.config import Scenario  # noqa: E402
from model.model import CoProductionModel  # noqa: E402

__all__ = ["CoProductionModel", "Scenario", "Citizen", "State"]
