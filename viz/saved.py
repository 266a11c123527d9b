"""What a saved notebook keeps of a diagram: the widget, its words, and a picture.

A widget output shows nothing where no kernel runs (GitHub, nbviewer, an HTML export). So
`viz.draw` and `viz.explore` display their widget with a display id, and once the browser
has drawn it, the browser sends its own drawing back (a custom message `{"picture": svg}`,
at rest after each change); the display is then updated with that SVG as `image/svg+xml`
beside the widget. Static viewers show the picture as it was last seen; Jupyter keeps
showing the widget, whose view survives the update (viz/js/widget.js adopts it).

Headless runs (nbconvert, CI) have no browser: the picture is then laid out by the system's
`dot` when it is present (viz.diagram.static_svg).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.display import DisplayHandle, display

if TYPE_CHECKING:
    from viz.widget import GraphView

MAX_PICTURE = 3_000_000  # characters of SVG kept in a notebook, at most, per diagram
MIME = "image/svg+xml"


def display_with_picture(bundle: dict[str, Any], view: GraphView) -> DisplayHandle | None:
    """Display `bundle` (the widget's MIME bundle) with a display id that `view` keeps up
    to date with the browser's picture; returns the handle."""
    picture = view.picture
    shown = {**bundle, MIME: picture} if picture else bundle
    handle = display(shown, raw=True, display_id=True)
    if handle is not None:
        view.displays.append((handle, bundle))
    return handle


def update_pictures(view: GraphView, svg: str) -> bool:
    """Put the browser's drawing `svg` into every display of `view`; False when it is not
    an SVG or is too large to keep in a notebook."""
    if not svg.lstrip().startswith("<svg") or len(svg) > MAX_PICTURE:
        return False
    if svg == view.picture:
        return True
    view.picture = svg
    for handle, bundle in view.displays:
        handle.update({**bundle, MIME: svg}, raw=True)
    return True
