"""Errors raised for bad input, always naming the offending field."""


class InputError(ValueError):
    """A scenario or instance is malformed.

    ``field`` is a path such as ``visits[3].windows[0]`` or ``header`` so that a command
    line or a web form can point at the exact place.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
