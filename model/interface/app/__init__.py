"""The workshop interface: a Solara page facilitators run in front of a room (``coprod app``).

``session`` holds one browser session's live run and its counterfactual; ``charts`` draws the
views (matplotlib ``Figure`` objects, thread-safe); ``i18n`` has every label in German and
English; ``page`` assembles the page; ``server`` serves it with all assets local.
"""
