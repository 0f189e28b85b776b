"""Your rule variants: one file each, registered with ``@variant(mechanism, name)``.

Every module in this folder is imported when the registry is first read
(:func:`model.rules.registry.load`), so a new file is all it takes; see
``docs/tutorial.md`` and ``uv run coprod new-rule MECHANISM NAME``.
"""
