"""The file ``coprod new-rule`` writes for a mechanism with a hook: the hook's default formula
under a new name, a few lines to change (:mod:`model.rules.hooks`; the whole-rule template is in
:mod:`model.interface.scaffold`)."""

from __future__ import annotations

import inspect

from model.interface.scaffold import _odd_submodel, _para, where
from model.rules import hooks, registry


def hook_variant_source(h: hooks.Hook, name: str) -> str:
    """The text of ``model/rules/variants/NAME.py`` overriding hook ``h``: its default
    formula under a new name, a few lines to change."""
    m = registry.MECHANISMS[h.mechanism]
    module = inspect.getmodule(h.default)
    default_file = where(h.default).rsplit(":", 1)[0]
    args = ", ".join(h.arguments)
    doc = "\n\n".join(
        [
            _para(f"{h.mechanism.capitalize()} rule ``{name}``: TODO one line on what it assumes."),
            _para(
                f"A variant of mechanism ``{h.mechanism}`` that changes only its formula "
                f"``{h.name}``: {h.returns}. Written by ``uv run coprod new-rule {h.mechanism} "
                f"{name}``. Until you change it, it returns the default formula "
                f"(:func:`{module.__name__}.{h.name}` in {default_file}), so runs behave as with "
                f"the default rule ``{m.default}``; everything else of that rule stays as it is."
            ),
            "To fill in\n----------\n"
            + "\n".join(
                _para(item, "", "   ")
                for item in (
                    f"1. The formula: the body of :func:`{h.name}_{name}` below, at ``# TODO: "
                    f"your rule``. Plain numpy over the citizens' columns (``pop.education``, "
                    f"``pop.ownership``, ...; ``uv run coprod rules`` and the default's "
                    f"docstring say what the arguments are). It must return one number from "
                    f"{h.low:g} to {h.high:g} per citizen; the run checks that every month.",
                    "2. A number of your own: declare it with ``params={'name': param(default, "
                    "unit=..., range=(low, high), source=...)}`` in the decorator, read it as "
                    f"``p.name``, set it in a scenario's ``[rules.params.{name}]``.",
                    f"3. ODD section: this changes {_odd_submodel(module)} in docs/ODD.md. Say "
                    "what your formula assumes and how it differs from the default.",
                    "4. References: where the formula comes from, below.",
                )
            ),
            _para(
                f"Test it with ``uv run pytest tests/variants/test_{name}.py``; use it in a "
                f'scenario with ``[rules]`` ``{h.mechanism} = "{name}"``.'
            ),
            "References\n----------\nTODO: Author, A. (Year). Title. Journal or publisher.",
        ]
    )
    return f'''"""{doc}
"""

from __future__ import annotations

from {module.__name__} import {h.name}
from model.rules.registry import variant


@variant("{h.mechanism}", "{name}", hook="{h.name}")
def {h.name}_{name}({args}):
    """TODO: what your formula does, in one sentence (``uv run coprod rules`` shows it)."""
    # TODO: your rule. Change this formula (now the default's).
    return {h.name}({args})
'''
