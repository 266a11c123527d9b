"""`ad.linalg`: linear algebra under TensorFlow's names (`tf.linalg`)."""

from autodiff.array_ops import einsum, norm, tensordot
from autodiff.creation import eye
from autodiff.math_ops import det, inv, solve, trace
from autodiff.ops import matmul

__all__ = ["det", "einsum", "eye", "inv", "matmul", "norm", "solve", "tensordot", "trace"]
