"""The one exception for user errors (bad input, bad output path): reported in one line, exit code 2."""


class ReportError(Exception):
    """A problem with the user's input or output; the message names the file and what is wrong."""
