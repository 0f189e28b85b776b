"""The views stay readable on the common screens of a workshop (issue 18, item 4): on the
page (not only in presentation mode) no view is shown so small that its smallest text falls
below the page's minimum, views go side by side where there is room for that and one to a row
where there is not, and the page never scrolls sideways."""

from __future__ import annotations

import pytest

from model.interface.app import charts
from model.interface.app.i18n import t
from model.interface.app.views import CHART_MAX_PX, DPI, MIN_TEXT_PX, PRESENTING_DPI, VIEWS
from tests.browser.conftest import opened_page
from tests.browser.test_walkthrough_browser import (
    CHARTS_JS,
    LOAD_MS,
    MIN_CHART_SCALE,
    _settled,
)

pytestmark = pytest.mark.browser

#: laptop and projector screens (CSS pixels), and how many views fit in a row on each
SCREENS = {
    (1280, 720): 1,  # a common projector: the side panel leaves room for one view
    (1366, 768): 1,  # the most common small laptop
    (1600, 1000): 1,
    (1920, 1080): 2,  # a full-HD projector or screen: two views side by side
}


@pytest.mark.parametrize(("size", "per_row"), list(SCREENS.items()), ids=lambda v: str(v))
def test_every_view_is_readable_on_the_page(browser, app_url, size, per_row):
    width, height = size
    viewport = {"width": width, "height": height}
    with opened_page(browser, app_url, viewport=viewport, locale="de-DE") as page:
        shown = _settled(lambda: page.evaluate(CHARTS_JS))
        assert shown is not None and len(shown) == len(VIEWS), shown
        for i, chart in enumerate(shown):
            # the chart's smallest text (charts.SMALL pt at a pixel per point at DPI 72),
            # scaled as the browser shows the image
            text_px = charts.SMALL * chart["width"] / chart["natural"] * DPI / 72
            assert text_px >= MIN_TEXT_PX - 0.05, (
                f"{width}×{height}: view {i + 1} shown {chart['width']:.0f} px wide: its "
                f"{charts.SMALL}-pt text appears at {text_px:.1f} px"
            )
            assert chart["width"] <= CHART_MAX_PX, (size, i, chart)
        tops = [round(chart["top"]) for chart in shown]
        assert tops[0] == tops[per_row - 1] and (per_row == len(tops) or tops[per_row] > tops[0]), (
            f"{width}×{height}: expected {per_row} view(s) to a row, tops {tops}"
        )
        sideways = page.evaluate(
            "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
        )
        assert sideways <= 0, f"{width}×{height}: the page scrolls {sideways} px sideways"


@pytest.mark.parametrize("views", [1, 2])
def test_presentation_mode_keeps_the_views_proportions(browser, app_url, views):
    """One or two views in presentation mode at 1280×720: readable, no taller than the window,
    never stretched (a lone view once was, by 40 %), and a lone view larger than on the page."""
    viewport = {"width": 1280, "height": 720}
    with opened_page(browser, app_url, viewport=viewport, locale="de-DE") as page:
        on_page = _settled(lambda: page.evaluate(CHARTS_JS))
        page.get_by_text(t("presentation", "de"), exact=True).click()
        page.locator(".coprod-wide").first.wait_for(timeout=LOAD_MS)
        if views == 1:  # the page presents two at first: the second is chosen away
            page.get_by_role("button", name=t("view_trust", "de"), exact=True).click()
        shown = _settled(lambda: page.evaluate(NATURAL_JS))
        assert shown is not None and len(shown) == views, shown
        for chart in shown:
            ratio = (chart["width"] / chart["height"]) / (chart["natural"] / chart["naturalH"])
            assert abs(ratio - 1) < 0.02, f"{views} view(s): stretched by {ratio:.2f}: {chart}"
            assert chart["height"] <= 720, chart
            # its smallest text as large as the walk-through allows (MIN_CHART_SCALE)
            text_px = charts.SMALL * chart["width"] / chart["natural"] * PRESENTING_DPI / 72
            assert text_px >= MIN_CHART_SCALE * charts.SMALL, (text_px, chart)
            if views == 1:  # one view alone is larger than on the page (two share the width)
                assert chart["width"] > max(c["width"] for c in on_page), (chart, on_page)


#: the shown views' natural and rendered sizes
NATURAL_JS = """() => {
  const imgs = [...document.querySelectorAll('.coprod-chart img')].filter(i => i.checkVisibility());
  if (imgs.some(i => !i.complete || !i.naturalWidth)) return null;
  return imgs.map(i => {
    const r = i.getBoundingClientRect();
    return {natural: i.naturalWidth, naturalH: i.naturalHeight, width: r.width, height: r.height};
  });
}"""
