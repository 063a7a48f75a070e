"""The free note ("en vrac"): whatever the user wants kept, at any point, as they said it."""

from __future__ import annotations

from telegram import Chat, Update, User

from bot import followups, render
from bot.context import DebriefContext
from bot.replies import say, who
from conversations.checklist import ANSWER_LIMIT
from conversations.flow import PromptReply
from conversations.model import Debrief, NotePrompt
from conversations.summary import NOTE_KEY

__all__ = ["note_command", "take_note"]


async def note_command(update: Update, context: DebriefContext) -> None:
    """Keep the text after /note as the note; a bare /note makes the next text the note."""
    user, chat = who(update)
    message = update.effective_message
    assert message is not None
    language = await context.language(user)
    debrief = await context.debriefs.open_for(user_id=user.id)
    if debrief is None:
        debrief = await context.debriefs.latest_for(user_id=user.id)
    if debrief is None:
        await say(context, chat, render.text(language, "note.no_debrief"))
        return
    typed = " ".join(context.args or ())
    if typed.strip():
        await _keep(context, user, chat, debrief, typed, message.message_id)
        return
    await followups.set_awaiting(context, user, NotePrompt(debrief.id))
    await say(context, chat, render.text(language, "note.prompt"))


async def take_note(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, text: str, message_id: int
) -> PromptReply:
    """Take a text as the awaited note."""
    await followups.set_awaiting(context, user, None)
    await _keep(context, user, chat, debrief, text, message_id)
    return PromptReply.ANSWERED


async def _keep(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, text: str, message_id: int
) -> None:
    """Add a text to the debrief's note, as it was said, and say so (unless it is too long)."""
    language = await context.language(user)
    if len(debrief.answers.get(NOTE_KEY, "")) + 1 + len(text.strip()) > ANSWER_LIMIT:
        label = render.text(language, "note.label")
        limit = render.count(ANSWER_LIMIT, language)
        refused = render.text(language, "debrief.too_long_addition", question=label, limit=limit)
        await say(context, chat, refused)
        return
    await context.debriefs.add_to_answer(
        user_id=user.id,
        debrief_id=debrief.id,
        key=NOTE_KEY,
        text=text.strip(),
        message_id=message_id,
    )
    await say(context, chat, render.text(language, "note.saved"))
