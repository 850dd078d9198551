class ApplicationError(Exception):
    """A business rule refused the action; the message is safe to show to the user.

    `field` names the input at fault when there is one, so forms and API bodies can point at it.
    """

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
