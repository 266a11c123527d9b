"""`ad.autodiff`, as TensorFlow's `tf.autodiff`: `ForwardAccumulator` and `GradientTape`."""

from autodiff.forward import ForwardAccumulator
from autodiff.tape import GradientTape

__all__ = ["ForwardAccumulator", "GradientTape"]
