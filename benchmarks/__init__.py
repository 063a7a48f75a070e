"""Load benchmarks: the real bot, as a separate process, against the fake Bot API server."""
