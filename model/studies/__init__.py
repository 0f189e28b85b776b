"""The studies: what is done with the simulation.

Experiment files and their designs (:mod:`.experiment`), running them (:mod:`.sweep`),
analysing the results (:mod:`.analysis`), calibration against the Freiwilligensurvey
(:mod:`.calibration`), comparing the scenarios (:mod:`.comparison`), provenance of results
(:mod:`.provenance`) and the figures they share (:mod:`.figures`).

Uses :mod:`model.simulation`; imports nothing from :mod:`model.interface`.
"""
