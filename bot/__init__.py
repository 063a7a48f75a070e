"""The Telegram edge of Debrief: settings, wiring, handlers and rendering."""

import os

# Opt in to python-telegram-bot's coming timedelta durations (RetryAfter.retry_after and others),
# which also silences its deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
