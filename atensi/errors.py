class ApplicationError(Exception):
    """A business rule refused the action; the message is safe to show to the user.

    `field` names the input at fault when there is one, so forms and API bodies can point at it.
    """

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def refuse_first(problems: list[tuple[str, str]]) -> None:
    """Raise the first of ``problems`` ((field, message) pairs, which a form shows all of
    at once) as an ``ApplicationError`` on its field; nothing when there are none."""
    if problems:
        field, message = problems[0]
        raise ApplicationError(message, field=field)
