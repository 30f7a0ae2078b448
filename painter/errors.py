"""The painter's one error type: bad input or a bad setting, said in one sentence."""


class PainterError(ValueError):
    """Bad input or a bad setting; `str(error)` is one sentence for the user."""
