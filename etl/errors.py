"""The one error type the ETL raises for bad input; its message is the whole user-facing line."""


class EtlError(Exception):
    """Bad input: the message names the file (and line or column) and what to do."""
