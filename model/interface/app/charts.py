"""The interface's views: matplotlib ``Figure`` objects (not pyplot: thread-safe per session).

Readable from the back of a room: large type, thick lines, the Okabe-Ito palette (safe for
colour-blind viewers), the live run solid and the counterfactual faint and dashed, every
change marked on the time axis.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from model.interface.app.i18n import fmt_month, fmt_number, fmt_percent, t
from model.simulation.citizens import State
from model.simulation.indicators import AGE_NAMES
from model.simulation.scenario import OrganisationKind
from model.studies.calibration import TARGETS
from model.studies.figures import OKABE_ITO

#: type sizes in points; the page draws at 72 dpi, so a point is a pixel on screen before the
#: browser scales the image: 13 px is the smallest text that stays readable on a projector
#: from the back of a room (tests/test_app_charts.py checks every text of every view)
BIG, MID, SMALL = 18, 15, 13
#: the reference line: dashed and lighter, but still visible on a washed-out projector
CF_ALPHA, CF_WIDTH = 0.6, 2.5
#: the colour of a scenario's own events on the time axis (the room's changes: dark grey)
SCENARIO_MARK = "#B23A00"
#: longest change label on a chart; the full text is in the list of changes and the export
MARK_CHARS = 22
STATE_COLOURS = {
    State.INACTIVE: "#BBBBBB",
    State.OPEN: OKABE_ITO[1],
    State.ENGAGED: OKABE_ITO[2],
    State.EXHAUSTED: OKABE_ITO[4],
}
MAX_NETWORK_NODES = 1500
#: every view's width in inches (at the page's 72 dpi, 648 pixels): the page keeps a view
#: wide enough for its smallest text (views.CHART_MIN_PX)
WIDTH = 9.0
#: zlib level of the page's PNGs: level 1 encodes in a fifth of the default's time (6), for
#: images a tenth larger; a frame is sent once over a local network, so time wins
PNG_LEVEL = 1


def png(fig: Figure, dpi: int) -> bytes:
    """``fig`` as a PNG image at ``dpi``, for the page (fast compression)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, pil_kwargs={"compress_level": PNG_LEVEL})
    return out.getvalue()


def _years(df: pd.DataFrame) -> np.ndarray:
    dates = df["date"].to_numpy(dtype=str)
    return np.array([int(d[:4]) + (int(d[5:]) - 1) / 12 for d in dates])


def _figure(width=WIDTH, height=5.4, bottom=0.3) -> tuple[Figure, object]:
    # fixed margins: constrained layout would cost more than the drawing itself, every frame;
    # the legend goes below the plot, where it covers no line and no mark
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=bottom)
    return fig, fig.subplots()


#: everyone, the black line each group is read against
ALL_RESIDENTS = ("engaged_share", "all_citizens", "#000000")
#: The groups the main chart can compare, in the selector's order: title, series (column,
#: label, colour). Survey diamonds mark the lines with a target in TARGETS (education,
#: migration, everyone); the survey's figures by age and for the silent groups are not
#: among the calibration targets, so those lines have none. No yellow: it fades on a projector.
GROUP_SERIES = {
    "education": (
        "chart_gradient",
        [
            ("engaged_share_edu_high", "edu_high", OKABE_ITO[3]),
            ("engaged_share_edu_mid", "edu_mid", OKABE_ITO[1]),
            ("engaged_share_edu_low", "edu_low", OKABE_ITO[0]),
            ALL_RESIDENTS,
        ],
    ),
    "age": (
        "chart_gradient_age",
        [
            (f"engaged_share_age_{age}", f"age_{age}", colour)
            for age, colour in zip(AGE_NAMES, [OKABE_ITO[k] for k in (1, 3, 2, 0, 4)], strict=True)
        ]
        + [ALL_RESIDENTS],
    ),
    "migration": (
        "chart_gradient_migration",
        [("engaged_share_migration", "migration", OKABE_ITO[5]), ALL_RESIDENTS],
    ),
    "silent": (
        "chart_gradient_silent",
        [("engaged_share_silent", "silent_groups", OKABE_ITO[4]), ALL_RESIDENTS],
    ),
}
#: the groups' keys in the selector's order; each has a label ``group_<key>`` in i18n
GROUPS = tuple(GROUP_SERIES)

#: The three time-series views: title, series (column, label, colour), upper y limit; the
#: gradient's title and series are those of the group shown (GROUP_SERIES, by education here).
SERIES = {
    "gradient": (*GROUP_SERIES["education"], 1.0),
    "trust": (
        "chart_trust",
        [
            ("trust_mean", "trust_mean", OKABE_ITO[2]),
            ("efficacy_mean", "efficacy_mean", OKABE_ITO[4]),
            ("democracy_satisfaction", "democracy_satisfaction", OKABE_ITO[5]),
        ],
        1.0,
    ),
    "challenges": (
        "chart_challenges",
        [
            (col, col, colour)
            for col, colour in zip(
                [
                    "climate_progress",
                    "services_coverage",
                    "lonely_share",
                    "public_places_quality",
                    "democracy_satisfaction",
                ],
                OKABE_ITO,
                strict=False,
            )
        ],
        1.1,
    ),
}


class SeriesChart:
    """A time-series view kept for a whole run: each frame updates only the lines and the
    change marks, not axes, ticks and legend (which cost more to draw than the data). The
    time axis spans the whole run from the start, so it does not jump while playing.

    The gradient view shows engagement of one of the :data:`GROUPS` (``group``, by education
    unless told); the other views have no groups."""

    def __init__(
        self,
        kind: str,
        lang: str,
        span: tuple[float, float] = (2026, 2036),
        group: str = "education",
        reference_label: str | None = None,
    ):
        title, series, ymax = SERIES[kind]
        if kind == "gradient":
            if group not in GROUP_SERIES:
                raise ValueError(f"group: given {group!r}; one of {', '.join(GROUPS)}")
            title, series = GROUP_SERIES[group]
        self.fig, ax = _figure()
        self.ax, self.lang, self.group = ax, lang, group if kind == "gradient" else None
        self.lines = {}
        surveyed = False
        for col, key, colour in series:
            live = ax.plot([], [], color=colour, lw=3.5, label=t(key, lang))[0]
            cf = ax.plot([], [], color=colour, lw=CF_WIDTH, ls=(0, (4, 2)), alpha=CF_ALPHA)[0]
            self.lines[col] = (live, cf)
            if kind == "gradient" and col in TARGETS:
                surveyed = True
                ax.plot(
                    span[0],
                    TARGETS[col][0],
                    marker="D",
                    ms=10,
                    color=colour,
                    ls="none",
                    clip_on=False,
                )
        if surveyed:
            ax.plot([], [], marker="D", ls="none", color="grey", label=t("survey", lang))
        ax.plot(
            [],
            [],
            ls=(0, (4, 2)),
            lw=CF_WIDTH,
            color="grey",
            alpha=CF_ALPHA,
            label=reference_label or t("reference_short", lang),
        )
        if kind == "challenges":
            ax.axhline(1.0, color="#666666", lw=1)
            ax.plot([span[1]], [1.0], marker="*", ms=16, color=OKABE_ITO[0], clip_on=False)
            ax.annotate(
                t("target_2035", lang),
                (span[1] - 0.1, 1.0),
                fontsize=SMALL,
                ha="right",
                va="bottom",
            )
        ax.legend(
            fontsize=SMALL,
            loc="upper left",
            bbox_to_anchor=(-0.09, -0.1),
            ncols=3,
            frameon=False,
            columnspacing=1.0,
            handlelength=1.8,
        )
        ax.set_title(t(title, lang), fontsize=BIG, loc="left")
        ax.tick_params(labelsize=MID)
        ax.grid(alpha=0.3)
        # whole years on the axis need no label
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        # shares in percent, indices with a decimal comma in German
        if kind == "gradient":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_percent(v, lang, 0)))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang, 1)))
        ax.set_xlim(span[0], span[1] + 0.2)
        ax.set_ylim(0, ymax)
        self._marks: list = []
        self._events: list = []
        self._bands: list = []
        # the drawing of everything but lines and bands, per dpi (see png)
        self._canvas = FigureCanvasAgg(self.fig)
        self._background: tuple | None = None

    def update(self, live: pd.DataFrame, cf: pd.DataFrame, events, bands=None) -> Figure:
        """Lines up to the month reached, change marks, and ``bands``: for a column of this
        view, ``(live_low, live_high, reference_low, reference_high)`` arrays over the whole
        run, drawn (shaded, up to the month reached) where 80% of single runs lie."""
        xl, xc = _years(live), _years(cf)
        for col, (line_live, line_cf) in self.lines.items():
            line_live.set_data(xl, live[col].to_numpy(dtype=float))
            line_cf.set_data(xc, cf[col].to_numpy(dtype=float))
        for artist in self._bands:
            artist.remove()
        self._bands = []
        n = len(xl)
        for col, (live_low, live_high, ref_low, ref_high) in (bands or {}).items():
            if col not in self.lines or n == 0:
                continue
            colour = self.lines[col][0].get_color()
            self._bands.append(
                self.ax.fill_between(
                    xl, ref_low[:n], ref_high[:n], color="#888888", alpha=0.22, lw=0
                )
            )
            self._bands.append(
                self.ax.fill_between(
                    xl, live_low[:n], live_high[:n], color=colour, alpha=0.12, lw=0
                )
            )
        if list(events) != self._events:
            for artist in self._marks:
                artist.remove()
            self._marks = []
            own = [(d, x) for d, x, *kind in events if kind == ["scenario"]]
            room = [(d, x) for d, x, *kind in events if kind != ["scenario"]]
            for date, labels, colour, style in [
                *((d, xs, SCENARIO_MARK, "--") for d, xs in by_month(own).items()),
                *((d, xs, "#444444", ":") for d, xs in by_month(room).items()),
            ]:
                x = int(date[:4]) + (int(date[5:]) - 1) / 12
                self._marks.append(self.ax.axvline(x, color=colour, ls=style, lw=2))
                self._marks.append(
                    self.ax.annotate(
                        mark_text(date, labels, self.lang),
                        (x, 0.97),
                        xycoords=("data", "axes fraction"),
                        xytext=(3, 0),
                        textcoords="offset points",
                        rotation=90,
                        fontsize=SMALL,
                        va="top",
                        ha="left",
                        color=colour if colour == SCENARIO_MARK else "#333333",
                        bbox={
                            "boxstyle": "round,pad=0.15",
                            "fc": "white",
                            "ec": "none",
                            "alpha": 0.8,
                        },
                    )
                )
            self._events = list(events)
            self._background = None  # the marks are part of the background
        return self.fig

    def png(self, dpi: int) -> bytes:
        """This view as a PNG image at ``dpi``, as :func:`png` draws it but about eight
        times faster while playing: axes, ticks, title, legend and change marks (which cost
        nearly all of the drawing) are drawn once into a kept background, again only when the
        marks or the size change, and each frame draws just its lines and bands onto a copy
        ("blitting", as in matplotlib's animation guide)."""
        moving = [artist for pair in self.lines.values() for artist in pair] + self._bands
        if self._background is None or self._background[0] != dpi:
            self.fig.set_dpi(dpi)
            for artist in moving:
                artist.set_visible(False)
            try:
                self._canvas.draw()
            finally:
                for artist in moving:
                    artist.set_visible(True)
            self._background = (dpi, self._canvas.copy_from_bbox(self.fig.bbox))
        self._canvas.restore_region(self._background[1])
        for artist in moving:
            self.ax.draw_artist(artist)
        out = io.BytesIO()
        Image.fromarray(np.asarray(self._canvas.buffer_rgba())).save(
            out, format="png", compress_level=PNG_LEVEL
        )
        return out.getvalue()


def by_month(events) -> dict[str, list[str]]:
    """The changes of each month, in order: one mark per month, however many clicks."""
    out: dict[str, list[str]] = {}
    for date, label in events:
        labels = out.setdefault(str(date), [])
        if label not in labels:  # the same change clicked again is one change
            labels.append(label)
    return out


def mark_text(date: str, labels: list[str], lang: str) -> str:
    """``Jan 2031: Budget cut +1``: the month, its first change (shortened) and how many more."""
    first = labels[0] if len(labels[0]) <= MARK_CHARS else labels[0][: MARK_CHARS - 1] + "…"
    more = f" +{len(labels) - 1}" if len(labels) > 1 else ""
    return f"{fmt_month(date, lang)}: {first}{more}"


def gradient(
    live: pd.DataFrame, cf: pd.DataFrame, events, lang: str, group: str = "education"
) -> Figure:
    """Engagement of a group (:data:`GROUPS`; by education unless told) and of everyone, live
    against counterfactual, with survey marks where the survey has a target."""
    return SeriesChart("gradient", lang, group=group).update(live, cf, events)


def trust(live: pd.DataFrame, cf: pd.DataFrame, events, lang: str) -> Figure:
    """Trust, efficacy and satisfaction with democracy."""
    return SeriesChart("trust", lang).update(live, cf, events)


def challenges(live: pd.DataFrame, cf: pd.DataFrame, events, lang: str) -> Figure:
    """The five challenge indicators, with the 2035 climate target."""
    return SeriesChart("challenges", lang).update(live, cf, events)


def where_and_cost(model, live: pd.DataFrame, cf: pd.DataFrame, lang: str) -> Figure:
    """Volunteers by organisation kind (live run now) and what all levers cost so far:
    support infrastructure and participation processes (million EUR, cumulative)."""
    fig = Figure(figsize=(WIDTH, 5.4))
    fig.subplots_adjust(left=0.27, right=0.97, top=0.8, bottom=0.12, wspace=0.35)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.1, 1])
    kinds = list(OrganisationKind)
    pop = model.citizens
    org_kind = np.array([kinds.index(o.kind) for o in model._org_list], dtype=np.int64)
    members = np.bincount(org_kind[pop.organisation[pop.engaged]], minlength=len(kinds))
    residents = members * model.residents_per_agent
    ax1.barh([t(f"kind_{k.value}", lang) for k in kinds], residents, color=OKABE_ITO[2])
    ax1.set_title(t("volunteers", lang), fontsize=MID, loc="left")
    ax1.tick_params(labelsize=SMALL)
    ax1.xaxis.set_major_locator(MaxNLocator(3, integer=True))
    ax1.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _thousands(v, lang)))
    xl, xc = _years(live), _years(cf)
    ax2.plot(xl, _million(live), color="#000000", lw=3.5)
    if len(xc):
        ax2.plot(xc, _million(cf), color="#000000", lw=CF_WIDTH, ls=(0, (4, 2)), alpha=CF_ALPHA)
    ax2.set_title(t("spend", lang), fontsize=MID, loc="left")
    ax2.xaxis.set_major_locator(MaxNLocator(3, integer=True))
    ax2.yaxis.set_major_locator(MaxNLocator(4))
    ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(max(v, 0.0), lang, 0)))
    ax2.set_ylim(bottom=0)
    ax2.tick_params(labelsize=SMALL)
    ax2.grid(alpha=0.3)
    fig.suptitle(t("chart_where", lang), fontsize=BIG, x=0.02, ha="left")
    return fig


def _million(df: pd.DataFrame) -> np.ndarray:
    """Cumulative cost of every lever (infrastructure and processes), million EUR."""
    column = "cost_eur_total" if "cost_eur_total" in df else "infrastructure_spend_eur"
    return df[column].to_numpy(dtype=float) / 1e6


def _thousands(value: float, lang: str) -> str:
    """``12.000`` (de) / ``12,000`` (en); no "k" and no negative zero."""
    return fmt_number(max(value, 0.0), lang, 0)


@dataclass(frozen=True)
class NetworkLayout:
    """A fixed sample of citizens with positions, computed once per run (no spring layout)."""

    nodes: np.ndarray
    xy: np.ndarray
    edges: np.ndarray  # pairs of positions into ``nodes``


def network_layout(model, max_nodes: int = MAX_NETWORK_NODES, seed: int = 0) -> NetworkLayout:
    """Neighbourhoods on a grid, citizens scattered inside their neighbourhood: O(n) and
    readable; ties drawn among the sampled citizens."""
    rng = np.random.default_rng(seed)
    pop = model.citizens
    n = pop.n
    if n > max_nodes:  # sample whole neighbourhoods so local ties remain visible
        hoods = np.unique(pop.neighbourhood)
        rng.shuffle(hoods)
        sizes = np.bincount(pop.neighbourhood)
        keep = hoods[np.cumsum(sizes[hoods]) <= max_nodes]
        nodes = np.flatnonzero(np.isin(pop.neighbourhood, keep))
    else:
        nodes = np.arange(n)
    hood = pop.neighbourhood[nodes]
    _, cell = np.unique(hood, return_inverse=True)
    side = int(np.ceil(np.sqrt(cell.max() + 1)))
    centre = np.c_[cell % side, cell // side].astype(float)
    angle = rng.uniform(0, 2 * np.pi, nodes.size)
    radius = 0.42 * np.sqrt(rng.uniform(0, 1, nodes.size))
    xy = centre + np.c_[np.cos(angle), np.sin(angle)] * radius[:, None]
    sub = model.network[nodes][:, nodes].tocoo()
    upper = sub.row < sub.col
    return NetworkLayout(nodes, xy, np.c_[sub.row[upper], sub.col[upper]])


def network(model, layout: NetworkLayout, lang: str) -> Figure:
    from matplotlib.collections import LineCollection

    fig, ax = _figure(WIDTH, 6.6, bottom=0.16)
    pop = model.citizens
    states = pop.state[layout.nodes]
    segments = layout.xy[layout.edges]
    ax.add_collection(LineCollection(segments, colors="#CCCCCC", linewidths=0.4, zorder=1))
    size = 22 if layout.nodes.size > 600 else 40
    for state, colour in STATE_COLOURS.items():
        sel = states == state
        ax.scatter(
            layout.xy[sel, 0],
            layout.xy[sel, 1],
            s=size,
            color=colour,
            zorder=2,
            label=t(f"state_{state.name.lower()}", lang),
        )
    silent = pop.silent[layout.nodes]
    ax.scatter(
        layout.xy[silent, 0],
        layout.xy[silent, 1],
        s=size * 2.2,
        facecolors="none",
        edgecolors="#000000",
        linewidths=0.7,
        zorder=3,
        label=t("silent", lang),
    )
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.legend(
        fontsize=SMALL, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=2, frameon=False
    )
    ax.set_title(t("chart_network", lang), fontsize=BIG, loc="left")
    return fig
