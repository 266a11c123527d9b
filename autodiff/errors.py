"""The engine's exceptions."""


class InvalidArgumentError(ValueError):
    """An operation got inputs it cannot work on (TensorFlow's `InvalidArgumentError`).

    It is a `ValueError`, so `except ValueError` catches it. The message names the operation,
    the inputs' shapes and dtypes, and what to do.
    """
