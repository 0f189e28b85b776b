"""coprod: an agent-based simulation of city-citizen co-production.

Public API: :class:`CoProductionModel`, :class:`Scenario`, :func:`load_scenario`,
:class:`Citizen`, :class:`State`.
"""

from model.citizens import Citizen, State
from model.config import Scenario
from model.model import CoProductionModel

__all__ = ["CoProductionModel", "Scenario", "Citizen", "State"]
