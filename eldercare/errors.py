"""The one exception a user may meet: it carries a single line naming file, table, row and reason."""


class EldercareError(Exception):
    """An error caused by input or configuration; the CLI prints it as one line, no traceback."""
