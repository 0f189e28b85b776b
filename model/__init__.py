"""coprod: an agent-based simulation of city-citizen co-production.

The package has three layers, and imports run one way (``tests/test_architecture.py``):

- :mod:`model.simulation` and :mod:`model.rules`: what is modelled (the model, its citizens,
  network, organisations, indicators, the scenario schema, one rule module per mechanism);
- :mod:`model.studies`: what is done with it (experiments, sweeps, analysis, calibration,
  scenario comparison); uses the simulation;
- :mod:`model.interface`: the ways in (the ``coprod`` command, the workshop page, student
  scaffolding, output files and figures); uses both.

The public API, all importable from here (see ``docs/architecture.md``):

=======================  ===================================================================
name                     what it is
=======================  ===================================================================
``CoProductionModel``    the Mesa model: ``CoProductionModel(scenario, rng=seed)``, ``.step()``
``Scenario``             a validated scenario (all defaults: the status quo)
``load_scenario``        a scenario by name (``"baseline"``) or path, ``extends`` resolved
``Citizen``, ``State``   the read-only view of one citizen, and the engagement states
``variant``              the decorator that registers a student's own rule variant
=======================  ===================================================================
"""

import sys

# Some machines (containers, CI images) set PYTHONDONTWRITEBYTECODE, so every process would
# compile mesa, pandas, scipy and dask from source again: seconds per start of a command or
# of a sweep's worker. Caching their bytecode changes nothing but start-up time.
sys.dont_write_bytecode = False

from model.rules.registry import variant  # noqa: E402
from model.simulation.citizens import Citizen, State  # noqa: E402
from model.simulation.model import CoProductionModel  # noqa: E402
from model.simulation.scenario import Scenario  # noqa: E402
from model.simulation.scenario.files import load_scenario  # noqa: E402

__all__ = ["CoProductionModel", "Scenario", "load_scenario", "Citizen", "State", "variant"]
