"""autodiff: a NumPy automatic-differentiation engine with TensorFlow's GradientTape API.

```python
import autodiff as ad

w = ad.Variable([[1.0], [2.0]], name="w")
with ad.GradientTape() as tape:
    loss = ad.reduce_sum((ad.constant([[3.0, 4.0]]) @ w) ** 2)
print(tape.gradient(loss, w))
```
"""

from autodiff.context import name_scope
from autodiff.creation import eye, fill, linspace, ones, one_hot, range, zeros
from autodiff.errors import InvalidArgumentError
from autodiff.graph import BackwardStep, Graph, Node
from autodiff.ops import (
    abs,
    add,
    add_n,
    argmax,
    argmin,
    broadcast_to,
    cast,
    clip_by_value,
    concat,
    cos,
    divide,
    equal,
    exp,
    expand_dims,
    greater,
    greater_equal,
    identity,
    less,
    less_equal,
    log,
    log1p,
    log_softmax,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    ones_like,
    pow,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    relu,
    reshape,
    sigmoid,
    sign,
    sin,
    softmax,
    softplus,
    sqrt,
    square,
    squeeze,
    stack,
    stop_gradient,
    subtract,
    tan,
    tanh,
    transpose,
    where,
    zeros_like,
)
from autodiff.tape import GradientTape, UnconnectedGradients
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

bool = bool_  # noqa: A001 - TensorFlow's name, as in ad.bool
__version__ = "0.1.0"
