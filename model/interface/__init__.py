"""The ways in: how people use the simulation and the studies.

The ``coprod`` command (:mod:`.cli`), the workshop page (:mod:`.app`), student scaffolding
for rule variants (:mod:`.scaffold`), a run's output files and overview figure
(:mod:`.output`, :mod:`.plots`), and the generated tables in ``docs/ODD.md`` (:mod:`.docs`).
"""
