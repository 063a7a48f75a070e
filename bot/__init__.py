"""The Telegram edge of Debrief: settings, wiring, handlers and rendering."""
