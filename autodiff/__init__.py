"""autodiff: a NumPy automatic-differentiation engine with TensorFlow's GradientTape API.

```python
import autodiff as ad

w = ad.Variable([[1.0], [2.0]], name="w")
with ad.GradientTape() as tape:
    loss = ad.reduce_sum((ad.constant([[3.0, 4.0]]) @ w) ** 2)
print(tape.gradient(loss, w))
```
"""

from autodiff import array_ops, ops, test
from autodiff import autodiff as autodiff
from autodiff import interop as interop  # (NumPy's functions on tensors: `np.exp(t)`)

# The namespaces, as TensorFlow has them (not in `__all__`: `import *` would hide the
# standard library's math and random)
from autodiff import linalg as linalg
from autodiff import math as math
from autodiff import nn as nn
from autodiff import random as random
from autodiff.array_ops import *  # noqa: F403  (gather, pad, einsum...: array_ops.__all__)
from autodiff.checkpoint import recompute_grad
from autodiff.context import name_scope
from autodiff.creation import eye, fill, linspace, one_hot, ones, range, zeros
from autodiff.custom import custom_gradient
from autodiff.errors import InvalidArgumentError
from autodiff.forward import ForwardAccumulator
from autodiff.graph import BackwardStep, Graph, Node
from autodiff.math_ops import atan, cosh, cumsum, sinh
from autodiff.ops import *  # noqa: F403  (every public op of the table: ops.__all__)
from autodiff.tape import GradientTape, UnconnectedGradients, graph_of
from autodiff.tensor import (
    Tensor,
    Variable,
    as_dtype,
    bool_,
    complex64,
    complex128,
    constant,
    convert_to_tensor,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)

bool = bool_
__version__ = "0.1.0"

__all__ = [
    "BackwardStep",
    "ForwardAccumulator",
    "GradientTape",
    "Graph",
    "InvalidArgumentError",
    "Node",
    "Tensor",
    "UnconnectedGradients",
    "Variable",
    "__version__",
    "as_dtype",
    "bool",
    "bool_",
    "complex64",
    "complex128",
    "constant",
    "convert_to_tensor",
    "custom_gradient",
    "eye",
    "fill",
    "float16",
    "float32",
    "float64",
    "graph_of",
    "int8",
    "int16",
    "int32",
    "int64",
    "linspace",
    "name_scope",
    "one_hot",
    "ones",
    "range",
    "recompute_grad",
    "test",
    "uint8",
    "zeros",
    *ops.__all__,
    *array_ops.__all__,
    "atan",
    "cosh",
    "cumsum",
    "sinh",
]
