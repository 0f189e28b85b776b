"""The simulation: what is modelled.

The monthly schedule (:mod:`.model`), citizens as columns (:mod:`.citizens`), their social
network (:mod:`.network`), organisations and the administration (:mod:`.agents`), the
monthly indicators (:mod:`.indicators`) and the scenario schema and files (:mod:`.scenario`).
The mechanisms themselves are in :mod:`model.rules`, one module each.

This layer imports nothing from :mod:`model.studies` or :mod:`model.interface`.
"""
