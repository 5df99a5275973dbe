"""The one error ingestion raises, in a module of its own so every ingest module can raise it."""


class IngestError(Exception):
    """A file that cannot be added, with a one-line human-readable reason."""
