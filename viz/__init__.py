"""viz: draws what an autodiff tape recorded, with every value and gradient.

```python
import viz
viz.draw(tape, target=loss)      # a diagram (rendered in the browser in Jupyter)
viz.explore(tape, loss)          # sliders on the leaves, backprop step by step
```
"""

from autodiff import __version__  # one version for the distribution (autodiff-viz)
from viz.diagram import Diagram, DotNotFoundError, draw
from viz.explore import Explorer, explore
from viz.export import export_html

__all__ = [
    "Diagram",
    "DotNotFoundError",
    "Explorer",
    "__version__",
    "draw",
    "explore",
    "export_html",
]
