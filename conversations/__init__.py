"""The debrief: the checklist as data, the flow through it, the summary and the email draft."""
