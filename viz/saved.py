"""What a saved notebook keeps of a diagram: the widget, its words, and a picture.

A widget output shows nothing where no kernel runs (GitHub, nbviewer, an HTML export). So
`viz.draw` and `viz.explore` display their widget with a display id, and once the browser
has drawn it, the browser sends its own drawing back (a custom message `{"picture": svg}`,
at rest after each change); the display is then updated with that SVG as `image/svg+xml`
beside the widget. Static viewers show the picture as it was last seen; Jupyter keeps
showing the widget, whose view survives the update (viz/js/saving.js adopts it).

Headless runs (nbconvert, CI) have no browser: the picture is then laid out by the system's
`dot` when it is present (viz.diagram.static_svg).
"""

from __future__ import annotations

from typing import Any

from IPython.display import DisplayHandle, display

from viz.protocol import CONSTANTS

MAX_PICTURE: int = CONSTANTS["MAX_PICTURE"]  # characters of SVG kept per diagram, at most
MIME = "image/svg+xml"


class SavedPicture:
    """The picture a view keeps for saved notebooks: the browser's last drawing (SVG) and
    the displays it goes into. Each `viz.widget.GraphView` owns one (`view.saved`)."""

    def __init__(self) -> None:
        """No picture yet, and no display."""
        self.svg = ""  # the browser's last drawing
        self.displays: list[tuple[DisplayHandle, dict[str, Any]]] = []  # (handle, bundle)

    def display(self, bundle: dict[str, Any]) -> DisplayHandle | None:
        """Display `bundle` (the widget's MIME bundle) with a display id that is kept up to
        date with the browser's picture; returns the handle."""
        shown = {**bundle, MIME: self.svg} if self.svg else bundle
        handle = display(shown, raw=True, display_id=True)
        if handle is not None:
            self.displays.append((handle, bundle))
        return handle

    def update(self, svg: str) -> bool:
        """Put the browser's drawing `svg` into every display; False when it is not an SVG or
        is too large to keep in a notebook."""
        if not svg.lstrip().startswith("<svg") or len(svg) > MAX_PICTURE:
            return False
        if svg == self.svg:
            return True
        self.svg = svg
        for handle, bundle in self.displays:
            handle.update({**bundle, MIME: svg}, raw=True)
        return True
