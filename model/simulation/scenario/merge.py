"""Merging nested tables: how ``extends``, timeline levers and experiments combine settings."""

from __future__ import annotations


def deep_merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into ``base``: tables merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
