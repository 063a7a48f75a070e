"""Nightly upkeep of the database: the compaction that large deletions leave for the night."""

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
    """Rewrite the database file if a deletion since the last run asked for it."""
    database = context.bot_data.database
    if database is not None and await database.compact_if_due():
        logger.info("Database compacted after deletions")
