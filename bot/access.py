"""Who may use the bot: refusals to users outside the allowlist, at most one an hour each."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

__all__ = ["REFUSAL_EVERY", "RefusalBudget"]

REFUSAL_EVERY = timedelta(hours=1)
# Refused users remembered at once; past that the oldest refusal is forgotten first.
_REMEMBERED = 10_000


class RefusalBudget:
    """Remembers, in memory only, when each refused user was last told so."""

    def __init__(self, *, remembered: int = _REMEMBERED) -> None:
        self._remembered = remembered
        self._last: OrderedDict[int, datetime] = OrderedDict()

    def spend(self, user_id: int, now: datetime) -> bool:
        """Tell whether the user may be told again now, and if so count it."""
        last = self._last.get(user_id)
        if last is not None and now - last < REFUSAL_EVERY:
            return False
        self._last[user_id] = now
        self._last.move_to_end(user_id)
        while len(self._last) > self._remembered:
            self._last.popitem(last=False)
        return True
