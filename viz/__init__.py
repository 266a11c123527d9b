"""viz: draws what an autodiff tape recorded, with every value and gradient.

```python
import viz
viz.draw(tape, target=loss)      # a diagram (rendered in the browser in Jupyter)
```
"""

from viz.diagram import Diagram, DotNotFoundError, draw

__all__ = ["Diagram", "DotNotFoundError", "draw"]
