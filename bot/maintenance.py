"""Nightly upkeep of the database: the compaction deletions leave for the night, a checkpoint."""

from __future__ import annotations

import logging
from datetime import time

from bot.context import DebriefContext

__all__ = ["COMPACTION_TIME", "SETTLE_EVERY", "compact_database", "settle_deletions"]

logger = logging.getLogger(__name__)

# Local time (DEBRIEF_DEFAULT_TIMEZONE): the VACUUM holds the database for seconds on a large
# file, so it runs when nobody debriefs.
COMPACTION_TIME = time(4, 0)
# A checkpoint a running backup held up is retried this often (seconds), until it is done.
SETTLE_EVERY = 60.0


async def compact_database(context: DebriefContext) -> None:
    """Rewrite the database file if a deletion asked for it; at least, empty the WAL."""
    database = context.bot_data.database
    if database is None:
        return
    if await database.compact_if_due():
        logger.info("Database compacted after deletions")
    # Replaced answers leave old page images in the WAL until a checkpoint: at most a day.
    elif not await database.checkpoint():
        logger.warning("The nightly WAL checkpoint did not finish: a reader held it up")


async def settle_deletions(context: DebriefContext) -> None:
    """Retry the checkpoint a deletion left pending (a backup was reading), until it is done."""
    database = context.bot_data.database
    if database is None or not database.checkpoint_pending:
        return
    if await database.settle():
        logger.info("Deleted rows have left the WAL: the pending checkpoint is done")
