"""viz: draws what an autodiff tape recorded, with every value and gradient.

```python
import viz
viz.draw(tape, target=loss)      # a diagram (rendered in the browser in Jupyter)
viz.explore(tape, loss)          # sliders on the leaves, backprop step by step
```
"""

from viz.diagram import Diagram, DotNotFoundError, draw
from viz.explore import Explorer, explore
from viz.export import export_html

__all__ = ["Diagram", "DotNotFoundError", "Explorer", "draw", "explore", "export_html"]
