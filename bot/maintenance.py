"""Nightly upkeep of the database: the compaction deletions leave for the night, a checkpoint."""

from __future__ import annotations

import logging
from datetime import time

from bot.context import DebriefContext

__all__ = ["COMPACTION_TIME", "compact_database"]

logger = logging.getLogger(__name__)

# Local time (DEBRIEF_DEFAULT_TIMEZONE): the VACUUM holds the database for seconds on a large
# file, so it runs when nobody debriefs.
COMPACTION_TIME = time(4, 0)


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
