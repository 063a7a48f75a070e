"""Handlers for the user's history: list, reopen, edit, set the status, delete, link rounds."""

from __future__ import annotations

from datetime import date
from typing import assert_never

from telegram import Chat, Message, ReplyParameters, Update, User

from bot import followups, render
from bot.callbacks import CANCEL, IN_PLACE, Button
from bot.context import DebriefContext
from bot.insights import prepared
from bot.replies import owned, retire, say, unbutton, who
from conversations.answers import Accepted, interpret
from conversations.checklist import Key, Kind
from conversations.flow import EditedPart, Ignored, PromptReply, carried_over, route_edit
from conversations.history import (
    HEADLINE_KEYS,
    company_spelling,
    group_rounds,
    paginate,
    previous_round,
)
from conversations.i18n import Language
from conversations.model import Debrief, EditPrompt, Outcome
from conversations.reminders import ROUND_LINKED_CANCELS

__all__ = [
    "choose_question",
    "confirm_delete",
    "earlier_answer",
    "earlier_round",
    "edit_with_text",
    "edit_with_value",
    "email_again",
    "history_command",
    "history_page",
    "join_round",
    "link_round",
    "on_edited_message",
    "open_debrief",
    "recall_rounds",
    "set_status",
    "start_edit",
]


async def _show_page(context: DebriefContext, user: User, chat: Chat, number: int) -> None:
    """Send a page of the user's history."""
    language = await context.language(user)
    debriefs = await context.debriefs.headlines(user_id=user.id, keys=HEADLINE_KEYS)
    if not debriefs:
        await say(context, chat, render.text(language, "history.empty"))
        return
    page = paginate(group_rounds(debriefs), number)
    await say(context, chat, render.history_page(page, language=language))


async def history_command(update: Update, context: DebriefContext) -> None:
    """List the user's debriefs, newest first, rounds of one application together."""
    user, chat = who(update)
    await _show_page(context, user, chat, 1)


async def history_page(update: Update, context: DebriefContext) -> None:
    """Show another page of the history."""
    user, chat = who(update)
    query = update.callback_query
    assert query is not None
    button = Button.decode(query.data)
    await query.answer()
    number = int(button.key) if button and button.key and button.key.isdigit() else 1
    await _show_page(context, user, chat, number)


async def _show(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, preface: str | None = None
) -> None:
    """Send a debrief's summary with what can be done with it."""
    language = await context.language(user)
    for reply in render.debrief_view(
        context.checklist, debrief, language=language, preface=preface
    ):
        await say(context, chat, reply)


async def open_debrief(update: Update, context: DebriefContext) -> None:
    """Show one debrief of the history again (also: cancel an edit or a deletion)."""
    target = await owned(update, context)
    if target is None:
        return
    await target.query.answer()
    if target.button.key == CANCEL:
        # The edit or deletion it closes can no longer be chosen from that message.
        await retire(context, target.query)
    if (await context.profile(target.user)).awaiting:
        await followups.set_awaiting(context, target.user, None)
    await _show(context, target.user, target.chat, target.debrief)


async def email_again(update: Update, context: DebriefContext) -> None:
    """Send a debrief's thank-you drafts again: one per person met, or one to all ("joint")."""
    target = await owned(update, context)
    if target is None:
        return
    await target.query.answer()
    joint = target.button.key == "joint"
    await followups.say_drafts(context, target.user, target.chat, target.debrief, joint=joint)


async def set_status(update: Update, context: DebriefContext) -> None:
    """Ask how the application stands (the outcome buttons do the rest)."""
    button = Button.decode(update.callback_query.data if update.callback_query else None)
    if button is not None and button.key == IN_PLACE:
        await followups.change_status(update, context)
        return
    target = await owned(update, context)
    if target is None:
        return
    await target.query.answer()
    await say(context, target.chat, render.outcome_choice(target.debrief.id, target.language))


async def choose_question(update: Update, context: DebriefContext) -> None:
    """Ask which answer to edit, or, with a question named, ask for its new answer."""
    target = await owned(update, context)
    if target is None:
        return
    debrief, language, key = target.debrief, target.language, target.button.key
    if key is not None and key not in context.checklist:
        await target.query.answer(render.text(language, "debrief.not_found"))
        return
    await target.query.answer()
    if key is None:
        picker = render.edit_picker(context.checklist, debrief, language=language)
        await say(context, target.chat, picker)
    else:
        await start_edit(context, target.user, target.chat, debrief, key)


async def start_edit(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, key: str
) -> None:
    """Show a question with its current answer; the user's next text replaces that answer."""
    language, today = await context.language(user), await context.today(user)
    reply = render.edit_prompt(context.checklist, debrief, key, language=language, today=today)
    prompt = await say(context, chat, reply)
    await followups.set_awaiting(context, user, EditPrompt(debrief.id, key, prompt.message_id))


async def _replace(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    key: str,
    typed: str,
    message_id: int | None,
) -> bool:
    """Check and store a new answer; False (after saying why) when it is not acceptable."""
    language = await context.language(user)
    question = context.checklist.question(key)
    result = interpret(question, typed, today=await context.today(user))
    if not isinstance(result, Accepted):
        await say(context, chat, render.refusal(question, result.reason, language=language))
        return False
    await context.debriefs.replace_answer(
        user_id=user.id, debrief_id=debrief.id, key=key, text=result.value, message_id=message_id
    )
    await followups.set_awaiting(context, user, None)
    updated = await context.debriefs.get(user_id=user.id, debrief_id=debrief.id)
    if updated is not None:
        edited = render.text(language, "history.edited", label=question.label(language))
        await _show(context, user, chat, updated, preface=edited)
    return True


async def edit_with_text(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    key: str,
    typed: str,
    message_id: int,
    prompt_id: int | None = None,
) -> PromptReply:
    """Take a text as the new answer the user chose to edit, or say why it is refused.

    prompt_id: the edit prompt's message, whose buttons go once the answer is replaced.
    """
    replaced = await _replace(context, user, chat, debrief, key, typed, message_id)
    if not replaced:
        return PromptReply.REFUSED
    if prompt_id is not None:
        await unbutton(context, chat.id, prompt_id)
    return PromptReply.ANSWERED


async def edit_with_value(update: Update, context: DebriefContext) -> None:
    """Take a button's value as the new answer to a choice, rating or date question."""
    target = await owned(update, context)
    if target is None:
        return
    key, value = target.button.key, target.button.value
    if key is None or key not in context.checklist or value is None:
        await target.query.answer(render.text(target.language, "debrief.not_found"))
        return
    await target.query.answer()
    if await _replace(context, target.user, target.chat, target.debrief, key, value, None):
        await retire(context, target.query)  # the edit is done


async def confirm_delete(update: Update, context: DebriefContext) -> None:
    """Ask to confirm deleting a debrief; delete it once confirmed."""
    target = await owned(update, context)
    if target is None:
        return
    query, debrief, language = target.query, target.debrief, target.language
    await query.answer()
    if target.button.key != "yes":
        await say(context, target.chat, render.delete_confirm(debrief, language=language))
        return
    company = debrief.answers.get(Key.COMPANY) or render.text(language, "history.unnamed")
    await context.debriefs.delete(user_id=target.user.id, debrief_id=debrief.id)
    if isinstance(query.message, Message):
        deleted = render.text(language, "history.deleted", company=company)
        await query.edit_message_text(deleted, reply_markup=None)


async def earlier_round(context: DebriefContext, debrief: Debrief) -> Debrief | None:
    """Return the user's latest debrief at the same company, when this one is not linked yet."""
    company = debrief.answers.get(Key.COMPANY)
    if debrief.previous_id is not None or not company:
        return None
    candidates = await context.debriefs.headlines(user_id=debrief.user_id, keys=HEADLINE_KEYS)
    return previous_round(candidates, company, current_id=debrief.id)


async def earlier_answer(context: DebriefContext, debrief: Debrief, key: str) -> str | None:
    """Return the round before's answer a linked debrief offers to keep for `key`, if any."""
    offered = key in context.checklist.later_rounds.offer and key not in debrief.answers
    if debrief.previous_id is None or not offered:
        return None
    previous = await context.debriefs.get(user_id=debrief.user_id, debrief_id=debrief.previous_id)
    return None if previous is None else previous.answers.get(key) or None


async def join_round(
    context: DebriefContext, debrief: Debrief, previous: Debrief, language: Language
) -> str | None:
    """Make a debrief the round after `previous` and take what it knew; None if they loop.

    Return what to tell the user: the round's number and the answers kept from before.
    """
    user_id = debrief.user_id
    if not await context.debriefs.link_round(
        user_id=user_id, debrief_id=debrief.id, previous_id=previous.id
    ):
        return None
    # A next round is news: the earlier round no longer waits for any.
    if previous.outcome is Outcome.WAITING:
        await context.debriefs.set_outcome(
            user_id=user_id, debrief_id=previous.id, outcome=Outcome.NEXT_ROUND
        )
    await context.reminders.cancel_kinds(
        user_id=user_id, debrief_id=previous.id, kinds=sorted(ROUND_LINKED_CANCELS)
    )
    company = debrief.answers.get(Key.COMPANY)
    earlier_company = previous.answers.get(Key.COMPANY)
    if company and earlier_company:
        spelled = company_spelling(company, earlier_company)
        if spelled != company:
            await context.debriefs.replace_answer(
                user_id=user_id,
                debrief_id=debrief.id,
                key=Key.COMPANY,
                text=spelled,
                message_id=None,
            )
    answers, kept, current = carried_over(context.checklist, debrief, previous.answers)
    if answers:
        await context.debriefs.carry(
            user_id=user_id, debrief_id=debrief.id, answers=answers, kept=kept, current_key=current
        )
    rounds = await context.debriefs.rounds(user_id=user_id, debrief_id=debrief.id)
    company = previous.answers.get(Key.COMPANY) or "?"
    return render.linked(
        context.checklist, kept, number=len(rounds), company=company, language=language
    )


async def link_round(update: Update, context: DebriefContext) -> None:
    """Link (or not) a debrief to the earlier round offered (a button of an older version)."""
    target = await owned(update, context)
    if target is None:
        return
    query, button, debrief, user, language = (
        target.query,
        target.button,
        target.debrief,
        target.user,
        target.language,
    )
    previous = None
    if button.key and button.key.isdigit() and int(button.key) != debrief.id:
        previous = await context.debriefs.get(user_id=user.id, debrief_id=int(button.key))
    if previous is None:
        await query.answer(render.text(language, "debrief.not_found"))
        return
    if button.value != "y":
        await query.answer()
        await query.edit_message_text(
            render.text(language, "history.not_linked"), reply_markup=None
        )
        return
    linked = await join_round(context, debrief, previous, language)
    if linked is None:
        await query.answer(render.text(language, "history.link_loop"))
        return
    await query.answer()
    await query.edit_message_text(linked, reply_markup=None)


async def recall_rounds(
    context: DebriefContext, chat: Chat, debrief: Debrief, language: Language, today: date
) -> None:
    """At the end of a next round, recall what the user noted in the earlier rounds."""
    if debrief.previous_id is None:
        return
    rounds = await context.debriefs.rounds(user_id=debrief.user_id, debrief_id=debrief.id)
    earlier = [r.answers for r in rounds if r.id != debrief.id]
    if not earlier:
        return
    company = debrief.answers.get(Key.COMPANY) or "?"
    title = render.text(language, "history.recall_title", company=company)
    brief = render.recall(earlier, title=title, language=language)
    brief = await prepared(context, brief, debrief.user_id, language, today)
    for part in render.summary(brief):
        await say(context, chat, part)


async def on_edited_message(update: Update, context: DebriefContext) -> None:
    """Replace the stored answer a message carried when the user edits that message."""
    user, chat = who(update)
    message = update.edited_message
    assert message is not None
    assert message.text is not None
    carried = await context.debriefs.answer_part(user_id=user.id, message_id=message.message_id)
    match route_edit(context.checklist, carried):
        case Ignored():
            return
        case EditedPart(found):
            debrief_id, key, part = found.debrief_id, found.key, found.part
        case unknown:
            assert_never(unknown)
    language = await context.language(user)
    question = context.checklist.question(key)
    label = question.label(language)
    reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    value = message.text.strip()
    if question.kind is not Kind.TEXT or len(value) > question.limit:
        result = interpret(question, message.text, today=await context.today(user))
        if not isinstance(result, Accepted):
            refused = render.refusal(question, result.reason, language=language)
            kept = render.text(language, "history.edit_rejected", label=label)
            await context.bot.send_message(chat.id, f"{refused}\n{kept}", reply_parameters=reply_to)
            return
        value = result.value
    elif not value:
        kept = render.text(language, "history.edit_rejected", label=label)
        await context.bot.send_message(chat.id, kept, reply_parameters=reply_to)
        return
    await context.debriefs.edit_part(
        user_id=user.id, debrief_id=debrief_id, key=key, part=part, text=value
    )
    noted = render.text(language, "history.message_edited", label=label)
    await context.bot.send_message(chat.id, noted, reply_parameters=reply_to)
