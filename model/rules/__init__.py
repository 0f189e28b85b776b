"""The ten mechanisms of the model, one module each (ODD section 7, "Submodels").

=====================================  ===========================  ========================
Mechanism (ODD 7.x)                    Module                       Main function
=====================================  ===========================  ========================
1. Participation processes             :mod:`.participation`        ``draw_participants``
2. Being asked (recruitment)           :mod:`.recruitment`          ``ask_to_join``
3. Joining decision                    :mod:`.joining`              ``become_open``, ``join``
4. Ownership from early participation  :mod:`.ownership`            ``take_ownership``
5. Efficacy and trust feedback         :mod:`.trust`                ``learn_from_process``
6. Support infrastructure              :mod:`.infrastructure`       ``support_effects``
7. Leadership style                    :mod:`.leadership`           ``recognition``
8. Exhaustion and exit                 :mod:`.exhaustion`           ``spend_energy_and_exit``
9. Challenge outcomes                  :mod:`.challenges`           ``advance_challenges``
12. Informal help                      :mod:`.informal`             ``help_neighbours``
=====================================  ===========================  ========================

Every rule is a function of (citizens, context values, parameters, random generator) that
changes the citizens' columns in place or returns its result; none reads global state.

Seven of them are called through :mod:`.registry` and can be swapped by name in a scenario's
``[rules]`` table (``uv run coprod rules`` lists the variants; ODD 7.10); your own variants
go in :mod:`.variants`, one file each. The per-citizen loops are compiled with numba
(:mod:`._jit`, ODD 3.5).
"""
