"""Handlers: read the update, call the domain and the repositories, render the reply."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import assert_never

from telegram import Chat, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import followups, history, notes, render
from bot.callbacks import Action, Button
from bot.context import DebriefContext, language_of
from bot.replies import Tap, acting_on, edit, offered, retire, say, settle, unbutton, who
from conversations.answers import Accepted, interpret
from conversations.checklist import Key
from conversations.email import build_thank_you
from conversations.flow import (
    DraftAnswer,
    NoDraft,
    PausedDraft,
    Prompt,
    PromptReply,
    Redelivered,
    Route,
    Situation,
    SummaryDue,
    TextRoute,
    Unasked,
    addable_question,
    answered_quickly,
    awaited_debrief_id,
    can_finish,
    express_due,
    next_key,
    previous_key,
    route,
    sequence,
)
from conversations.history import latest_round
from conversations.i18n import LANGUAGES, Language, catalog
from conversations.model import (
    Awaiting,
    Debrief,
    EditPrompt,
    NewReminder,
    NotePrompt,
    Phase,
    ReminderKind,
    ReminderTimeOffer,
    ReminderTimePrompt,
    RoundDatePrompt,
    Status,
    TimezonePrompt,
)
from conversations.reminders import after_debrief
from conversations.summary import Summary, build_summary

__all__ = [
    "add_to_previous",
    "answer_text",
    "ask_again",
    "back",
    "cancel",
    "choose_language",
    "continue_debrief",
    "finish_now",
    "gate",
    "help_command",
    "join_next_round",
    "keep_answer",
    "move_back",
    "new_debrief",
    "on_answer_button",
    "on_error",
    "on_other",
    "on_text",
    "restart",
    "resume",
    "revisit",
    "route_for",
    "set_language",
    "situation",
    "skip",
    "start",
    "take",
    "unknown_button",
]

logger = logging.getLogger(__name__)


async def _ask(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    language: Language,
    *,
    preface: str | None = None,
    show_answer: bool = False,
    seen_since: int | None = None,
) -> None:
    """Send the current question, then record that it reached the user.

    seen_since: the question may have reached the user before, from that message id on (a
    copy sent before a crash, never recorded): texts from then on answer it, none adds to
    the previous answer.
    """
    assert debrief.current_key is not None
    checklist, key = context.checklist, debrief.current_key
    after_company = previous_key(checklist, debrief, key) == Key.COMPANY
    reply = render.question(
        checklist,
        debrief,
        language=language,
        today=await context.today(user),
        preface=preface,
        show_answer=show_answer,
        earlier_round=await history.earlier_round(context, debrief) if after_company else None,
        earlier_answer=await history.earlier_answer(context, debrief, key),
    )
    try:
        message = await say(context, chat, reply)
    except TelegramError:
        # The user never saw it: their next text must not be taken as its answer.
        await context.debriefs.mark_unsent(user_id=debrief.user_id, debrief_id=debrief.id)
        raise
    await context.debriefs.mark_asked(
        user_id=debrief.user_id,
        debrief_id=debrief.id,
        key=debrief.current_key,
        message_id=message.message_id if seen_since is None else seen_since,
        asked_at=int(message.date.timestamp()),
    )
    # After the next question is out, and off this update's path: the user's next answer, which
    # waits for this handler to end, does not wait for the edit too (benchmarks/load.py).
    context.bot_data.later.run(_close_asked(context, chat, debrief, language))


async def _close_asked(
    context: DebriefContext,
    chat: Chat,
    debrief: Debrief,
    language: Language,
    *,
    ending: bool = False,
    paused: bool = False,
) -> None:
    """Take the keyboard off the question last sent, showing the answer it got once left.

    ending: the part of the debrief ends (or pauses); a transcript's Retype goes with it.
    """
    await _close_heard(context, chat, debrief, ending=ending)
    checklist = context.checklist
    key, message_id, current = debrief.asked_key, debrief.asked_message_id, debrief.current_key
    if key is None or message_id is None or key not in checklist:
        return
    answer = debrief.answers.get(key)
    order = sequence(checklist, debrief)
    # Moved past it without an answer: skipped (at the end, or by 🏁, nothing is current).
    skipped = key in order and (
        current is None or (current in order and order.index(current) > order.index(key))
    )
    shown = answer if current != key else None
    reply = render.recorded(
        checklist, debrief, key, shown, skipped=skipped, paused=paused, language=language
    )
    await edit(context, chat.id, message_id, reply)


async def _close_heard(
    context: DebriefContext, chat: Chat, debrief: Debrief, *, ending: bool
) -> None:
    """Take Retype off the last transcript once a question asked after it is left (or at the end).

    Until then it shows the latest answer, which Retype may still replace.
    """
    heard, asked = debrief.heard_message_id, debrief.asked_message_id
    if heard is None or not (ending or (asked is not None and asked > heard)):
        return
    await unbutton(context, chat.id, heard)
    await context.debriefs.forget_heard(
        user_id=debrief.user_id, debrief_id=debrief.id, message_id=heard
    )


async def _finish(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, language: Language
) -> None:
    """End what is due: the car-park part, the deeper part, or a debrief begun before them."""
    if express_due(context.checklist, debrief):
        await _end_express(context, user, chat, debrief, language)
    elif debrief.phase is Phase.DEEPER:
        await _end_deeper(context, user, chat, debrief, language)
    else:
        await _end_whole(context, user, chat, debrief, language)


async def _summary_and_draft(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, language: Language
) -> Summary:
    """Send the summary of the answers so far, the earlier rounds' notes and the draft."""
    await _close_asked(context, chat, debrief, language, ending=True)
    today = await context.today(user)
    result = build_summary(debrief.answers, language=language, checklist=context.checklist)
    for part in render.summary(result):
        await say(context, chat, part)
    await history.recall_rounds(context, chat, debrief, language, today)
    await followups.say_drafts(context, user, chat, debrief)
    return result


async def _end_express(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, language: Language
) -> None:
    """Send the summary so far and the draft, plan the follow-ups, and offer to go deeper."""
    result = await _summary_and_draft(context, user, chat, debrief, language)
    now, tz = context.now(), await context.zone(user)
    plan = after_debrief(debrief.answers, finished_at=now, tz=tz)
    deeper = [key for key in context.checklist.deeper if key not in debrief.answers]
    # Closed only once everything is sent: after a crash, the next message sends it all again.
    await context.debriefs.end_express(
        user_id=user.id,
        debrief_id=debrief.id,
        next_key=deeper[0] if deeper else None,
        reminders=plan,
    )
    if deeper:
        offer = render.deeper_offer(debrief.id, len(deeper), language=language)
        sent = await say(context, chat, offer)
        await context.debriefs.offer_deeper(
            user_id=user.id, debrief_id=debrief.id, message_id=sent.message_id
        )
    await _say_follow_ups(context, user, chat, debrief, plan, result, language, left=len(deeper))


async def _end_deeper(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, language: Language
) -> None:
    """Send the whole summary, and the draft again if the deeper answers changed it."""
    await _close_asked(context, chat, debrief, language, ending=True)
    checklist = context.checklist
    today = await context.today(user)
    result = build_summary(debrief.answers, language=language, checklist=checklist)
    for part in render.summary(result):
        await say(context, chat, part)
    express = {k: v for k, v in debrief.answers.items() if k in checklist.express}
    sender = user.full_name
    before = build_thank_you(express, language=language, sender=sender, today=today)
    after = build_thank_you(debrief.answers, language=language, sender=sender, today=today)
    if after != before:
        changed = "deeper.draft_changed" if len(after) == 1 else "deeper.drafts_changed"
        await say(context, chat, render.text(language, changed))
        await followups.say_drafts(context, user, chat, debrief)
    await context.debriefs.end_deeper(user_id=user.id, debrief_id=debrief.id)
    await say(
        context,
        chat,
        render.text(language, "deeper.done", answered=result.answered, total=result.total),
    )


async def _end_whole(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, language: Language
) -> None:
    """End a debrief begun before the express part existed, as it always ended."""
    result = await _summary_and_draft(context, user, chat, debrief, language)
    now, tz = context.now(), await context.zone(user)
    plan = after_debrief(debrief.answers, finished_at=now, tz=tz)
    # Closed only once everything is sent: after a crash, the next message sends it all again.
    await context.debriefs.finish(user_id=user.id, debrief_id=debrief.id, reminders=plan)
    await _say_follow_ups(context, user, chat, debrief, plan, result, language)


async def _say_follow_ups(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    plan: list[NewReminder],
    result: Summary,
    language: Language,
    *,
    left: int = 0,
) -> None:
    """Say when the reminders come and how the application stands (waiting, not asked)."""
    now, tz = context.now(), await context.zone(user)
    when = {
        reminder.kind: render.moment(
            datetime.fromtimestamp(reminder.due_at, UTC), now=now, tz=tz, language=language
        )
        for reminder in plan
    }
    ending = render.finished(
        language=language,
        debrief_id=debrief.id,
        answered=result.answered,
        total=result.total,
        left=left,
        thank_you_when=when.get(ReminderKind.THANK_YOU),
        no_news_when=when.get(ReminderKind.NO_NEWS),
    )
    if ReminderKind.QUESTIONS in when:
        reminder = render.questions_reminder(
            language=language, debrief_id=debrief.id, when=when[ReminderKind.QUESTIONS]
        )
        offer = await say(context, chat, reminder)
        await followups.set_awaiting(context, user, ReminderTimeOffer(debrief.id, offer.message_id))
    await say(context, chat, ending)


async def _continue(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief_id: int,
    language: Language,
    *,
    preface: str | None = None,
    show_answer: bool = False,
) -> None:
    """Ask the debrief's current question, or finish it when none is left."""
    debrief = await context.debriefs.get(user_id=user.id, debrief_id=debrief_id)
    if debrief is None:
        return
    if debrief.current_key is None or express_due(context.checklist, debrief):
        await _finish(context, user, chat, debrief, language)
    else:
        await _ask(context, user, chat, debrief, language, preface=preface, show_answer=show_answer)


async def continue_debrief(
    context: DebriefContext, user: User, chat: Chat, debrief_id: int, *, preface: str | None
) -> None:
    """Ask the debrief's current question (the deeper part resumes), or end what is due."""
    await _continue(context, user, chat, debrief_id, await context.language(user), preface=preface)


async def _active(
    context: DebriefContext, user: User, chat: Chat, language: Language
) -> Debrief | None:
    """Return the user's active debrief, or tell them there is none and return None."""
    debrief = await context.debriefs.open_for(user_id=user.id)
    if debrief is None:
        await say(context, chat, _no_debrief(language))
        return None
    if debrief.status == Status.PAUSED:
        await _say_paused(context, chat, debrief, language)
        return None
    if debrief.current_key is None or express_due(context.checklist, debrief):
        await _finish(context, user, chat, debrief, language)
        return None
    return debrief


async def _say_paused(
    context: DebriefContext, chat: Chat, debrief: Debrief, language: Language
) -> None:
    """Say the debrief is paused and how to resume it."""
    company = debrief.answers.get(Key.COMPANY) or catalog().text(language, "debrief.unnamed")
    await say(context, chat, render.text(language, "debrief.paused_hint", company=company))


def _no_debrief(language: Language) -> render.Reply:
    """Say there is no debrief in progress, with a button to start one."""
    start = render.start(language, name="")
    return render.Reply(render.text(language, "debrief.no_active"), start.markup)


async def gate(update: Update, context: DebriefContext) -> None:
    """Stop updates from users outside the allowlist, then from groups.

    A refused user costs nothing: nothing is stored about them, and they are told at most
    once an hour, in reply to a message or a tap (edits and other updates get nothing).
    """
    chat, user = update.effective_chat, update.effective_user
    if user is None or chat is None:
        raise ApplicationHandlerStop
    allowed = context.settings.allowed_users
    if allowed and user.id not in allowed:
        private = chat.type == ChatType.PRIVATE
        answerable = update.message is not None or update.callback_query is not None
        if private and answerable and context.refusals.spend(user.id, context.now()):
            refusal = render.text(language_of(None, user.language_code), "access.refused")
            if update.callback_query is not None:
                await update.callback_query.answer(refusal)
            else:
                await say(context, chat, refusal)
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        if await context.users.first_notice_in_group(chat_id=chat.id):
            language = language_of(None, user.language_code)
            username = context.bot.username
            await say(context, chat, render.text(language, "group.private_only", username=username))
        raise ApplicationHandlerStop


async def start(update: Update, context: DebriefContext) -> None:
    """Greet the user and offer a new debrief."""
    user, chat = who(update)
    language = await context.language(user)
    await say(context, chat, render.start(language, name=user.first_name))


async def help_command(update: Update, context: DebriefContext) -> None:
    """List the commands and explain how answers are taken."""
    user, chat = who(update)
    await say(context, chat, render.text(await context.language(user), "help.text"))


async def _begin(
    context: DebriefContext,
    user: User,
    chat: Chat,
    language: Language,
    *,
    after: Debrief | None = None,
) -> None:
    """Create a debrief and ask its first question; as the next round of `after`, if given."""
    if (await context.profile(user)).awaiting:
        await followups.set_awaiting(context, user, None)
    checklist = context.checklist
    debrief = await context.debriefs.create(user_id=user.id, first_key=checklist.first.key)
    started = render.text(language, "debrief.started", total=len(checklist.express))
    company = None if after is None else after.answers.get(Key.COMPANY)
    if after is None or not company:
        await _ask(context, user, chat, debrief, language, preface=started)
        return
    await _record(context, debrief, Key.COMPANY, company)
    named = await context.debriefs.get(user_id=user.id, debrief_id=debrief.id)
    if named is not None:
        await _join(context, user, chat, named, after, language)


async def _join(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    previous: Debrief,
    language: Language,
) -> None:
    """Make the debrief the next round after `previous`, then ask what is new."""
    linked = await history.join_round(context, debrief, previous, language)
    if linked is None:
        linked = render.text(language, "history.link_loop")
    await _continue(context, user, chat, debrief.id, language, preface=linked)


async def new_debrief(update: Update, context: DebriefContext) -> None:
    """Start a debrief, or offer to resume the unfinished one."""
    user, chat = who(update)
    if update.callback_query is not None:
        await update.callback_query.answer()
        # The button has done its work: it leaves the greeting (a second tap would start over).
        if not offered(update.callback_query):
            return
        await settle(context, update.callback_query, None)
    language = await context.language(user)
    existing = await context.debriefs.open_for(user_id=user.id)
    if existing is not None:
        await say(
            context, chat, render.draft_choice(context.checklist, existing, language=language)
        )
        return
    await _begin(context, user, chat, language, after=await _round_of(update, context, user))


async def _round_of(update: Update, context: DebriefContext, user: User) -> Debrief | None:
    """Return the latest round of the application a "Debrief the next round" button names."""
    button = Button.decode(update.callback_query.data) if update.callback_query else None
    if button is None or button.key is None or not button.key.isdigit():
        return None
    tapped = await context.debriefs.get(user_id=user.id, debrief_id=int(button.key))
    if tapped is None:
        return None
    # Linked after the application's latest round, even when an earlier one was tapped.
    return latest_round(await context.debriefs.all_for(user_id=user.id), tapped)


async def _button(update: Update, context: DebriefContext) -> Tap | None:
    """Decode a debrief button and check it against the user's open debrief."""
    query = update.callback_query
    assert query is not None
    user, chat = who(update)
    language = await context.language(user)
    button = Button.decode(query.data)
    debrief = await context.debriefs.open_for(user_id=user.id)
    if button is None or debrief is None or debrief.id != button.debrief_id:
        await query.answer(render.text(language, "debrief.not_found"))
        return None
    return Tap(user, chat, language, query, button, debrief)


async def _stale(context: DebriefContext, tap: Tap) -> None:
    """Refuse a button of an earlier question; re-ask the current one if it never arrived."""
    user, chat, language, query, _, debrief = tap
    await query.answer(render.text(language, "debrief.stale_button"))
    # Its question was left (the edit that took its keyboard off may have been lost).
    await retire(context, query)
    # After a crash, Telegram delivers the tap again although it was handled: the question that
    # followed it may never have been sent.
    if debrief.status == Status.ACTIVE and not debrief.question_delivered:
        await _continue(context, user, chat, debrief.id, language)


@acting_on(_button)
async def resume(context: DebriefContext, tap: Tap) -> None:
    """Resume the unfinished debrief where it stopped."""
    user, chat, language, query, _, debrief = tap
    await query.answer()
    await settle(context, query, None)
    if (await context.profile(user)).awaiting:
        await followups.set_awaiting(context, user, None)
    if debrief.status == Status.PAUSED:
        await context.debriefs.set_status(
            user_id=user.id, debrief_id=debrief.id, status=Status.ACTIVE
        )
    resumed = render.text(language, "debrief.resumed")
    await _continue(context, user, chat, debrief.id, language, preface=resumed)


@acting_on(_button)
async def restart(context: DebriefContext, tap: Tap) -> None:
    """Delete the unfinished debrief and start a new one."""
    user, chat, language, query, _, debrief = tap
    await query.answer(render.text(language, "debrief.discarded"))
    await settle(context, query, render.text(language, "debrief.discarded"))
    await context.debriefs.delete(user_id=user.id, debrief_id=debrief.id)
    await _begin(context, user, chat, language)


async def on_text(update: Update, context: DebriefContext) -> None:
    """Store a typed answer (or an addition to one) and ask the next question."""
    user, chat = who(update)
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    await answer_text(
        context,
        user,
        chat,
        message.text,
        message_id=message.message_id,
        sent_at=int(message.date.timestamp()),
    )


async def ask_again(context: DebriefContext, user: User, chat: Chat, preface: str) -> None:
    """Explain what went wrong, then ask the open question again (if a debrief is active)."""
    debrief = await context.debriefs.open_for(user_id=user.id)
    if debrief is None or debrief.status != Status.ACTIVE or debrief.current_key is None:
        await say(context, chat, preface)
        return
    await _ask(context, user, chat, debrief, await context.language(user), preface=preface)


async def situation(context: DebriefContext, user: User) -> Situation:
    """Load what routing a text needs: the open debrief, the prompt, the debrief it names."""
    awaiting = (await context.profile(user)).awaiting
    draft = await context.debriefs.open_for(user_id=user.id)
    awaited = None
    awaited_id = awaited_debrief_id(awaiting)
    if awaited_id is not None:
        awaited = (
            draft
            if draft is not None and draft.id == awaited_id
            else await context.debriefs.get(user_id=user.id, debrief_id=awaited_id)
        )
    return Situation(draft, awaiting, awaited)


async def route_for(context: DebriefContext, user: User, *, message_id: int) -> Route:
    """Decide where the user's text goes now (conversations.flow declares the graph)."""
    return route(context.checklist, await situation(context, user), message_id=message_id)


async def answer_text(
    context: DebriefContext,
    user: User,
    chat: Chat,
    text: str,
    *,
    message_id: int,
    sent_at: int | None = None,
) -> None:
    """Take a text the user sent (typed, dictated or transcribed) as what the moment calls for."""
    decision = await route_for(context, user, message_id=message_id)
    await take(context, user, chat, decision, text, message_id=message_id, sent_at=sent_at)


async def take(
    context: DebriefContext,
    user: User,
    chat: Chat,
    decision: Route,
    text: str,
    *,
    message_id: int,
    sent_at: int | None = None,
) -> None:
    """Carry out a routing decision: store the text where it goes, or say why it is not taken.

    sent_at: Telegram's date of the user's message (Unix seconds), to spot a split dictation.
    """
    language = await context.language(user)
    if decision.forget_prompt:
        await followups.set_awaiting(context, user, None)
    match decision.destination:
        case Prompt(awaiting, target, resume):
            reply = await _answer_prompt(context, user, chat, awaiting, target, text, message_id)
            match reply:
                case PromptReply.ANSWERED:
                    if resume is not None:
                        await _continue(context, user, chat, resume.id, language)
                case PromptReply.REFUSED:
                    pass
                case PromptReply.PASSED:
                    await answer_text(
                        context, user, chat, text, message_id=message_id, sent_at=sent_at
                    )
                case _:
                    assert_never(reply)
        case NoDraft():
            await say(context, chat, _no_debrief(language))
        case PausedDraft(draft):
            await _say_paused(context, chat, draft, language)
        case SummaryDue(draft):
            await _finish(context, user, chat, draft, language)
        case Unasked(draft):
            preface = render.text(language, "errors.question_not_sent")
            await _ask(context, user, chat, draft, language, preface=preface)
        case Redelivered(draft):
            if not draft.question_delivered:
                # Handled before a crash (replayed from the inbox): the next question may have
                # been sent right after it, and the user may have answered that copy already.
                inbox = context.bot_data.inbox
                seen = inbox.first_free_message_id(chat.id, after=message_id)
                await _ask(context, user, chat, draft, language, seen_since=seen)
        case DraftAnswer(draft, key, how):
            stored = _Stored(text, message_id, sent_at)
            await _store(context, user, chat, draft, key, how, stored, language)
        case _:
            assert_never(decision.destination)


async def _answer_prompt(
    context: DebriefContext,
    user: User,
    chat: Chat,
    awaiting: Awaiting,
    target: Debrief | None,
    text: str,
    message_id: int,
) -> PromptReply:
    """Give a text to the prompt the user is answering."""
    match awaiting:
        case TimezonePrompt():
            return await followups.change_timezone(context, user, chat, text)
        case EditPrompt(_, key, prompt_id):
            assert target is not None
            return await history.edit_with_text(
                context, user, chat, target, key, text, message_id, prompt_id
            )
        case RoundDatePrompt():
            assert target is not None
            return await followups.round_date(context, user, chat, target, text)
        case ReminderTimePrompt():
            assert target is not None
            return await followups.reminder_time(context, user, chat, target, text, asked=True)
        case ReminderTimeOffer(_, offer_id):
            assert target is not None
            return await followups.reminder_time(
                context, user, chat, target, text, asked=False, offer_id=offer_id
            )
        case NotePrompt():
            assert target is not None
            return await notes.take_note(context, user, chat, target, text, message_id)
        case _:
            assert_never(awaiting)


@dataclass(frozen=True, slots=True)
class _Stored:
    """A text to store, the message that carried it and when it was sent (Unix seconds)."""

    text: str
    message_id: int
    sent_at: int | None


async def _store(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    key: str,
    how: TextRoute,
    stored: _Stored,
    language: Language,
) -> None:
    """Store a text in the active debrief: an answer, or an addition to an earlier one."""
    checklist = context.checklist
    text, message_id = stored.text, stored.message_id
    if how in (TextRoute.ADDITION, TextRoute.CONTINUATION):
        target = checklist.question(key)
        if len(debrief.answers.get(key, "")) + 1 + len(text.strip()) > target.limit:
            too_long = render.text(
                language,
                "debrief.too_long_addition",
                question=target.label(language),
                limit=render.count(target.limit, language),
            )
            # The current question comes again, without a pending addition.
            await context.debriefs.move_to(
                user_id=user.id, debrief_id=debrief.id, key=debrief.current_key
            )
            await _continue(context, user, chat, debrief.id, language, preface=too_long)
            return
        await context.debriefs.add_to_answer(
            user_id=user.id,
            debrief_id=debrief.id,
            key=key,
            text=text.strip(),
            message_id=message_id,
        )
        added = render.text(
            language, "debrief.added", question=checklist.question(key).label(language)
        )
        if how is TextRoute.CONTINUATION and debrief.question_delivered:
            await say(context, chat, added)
        else:
            await _continue(context, user, chat, debrief.id, language, preface=added)
        return
    question = checklist.question(key)
    result = interpret(question, text, today=await context.today(user))
    if not isinstance(result, Accepted):
        refused = render.refusal(question, result.reason, language=language)
        await _ask(context, user, chat, debrief, language, preface=refused)
        return
    quick = answered_quickly(checklist, debrief, sent_at=stored.sent_at)
    await _record(context, debrief, question.key, result.value, message_id=message_id, quick=quick)
    await _continue(context, user, chat, debrief.id, language)


async def _record(
    context: DebriefContext,
    debrief: Debrief,
    key: str,
    text: str,
    *,
    message_id: int | None = None,
    quick: bool = False,
) -> None:
    """Store the answer to `key` and make the question after it current."""
    await context.debriefs.save_answer(
        user_id=debrief.user_id,
        debrief_id=debrief.id,
        key=key,
        text=text,
        message_id=message_id,
        next_key=next_key(context.checklist, debrief, key),
        quick=quick,
    )


async def _leave_prompt(context: DebriefContext, user: User) -> None:
    """Forget a prompt left unanswered: the user went back to the debrief."""
    if (await context.profile(user)).awaiting is not None:
        await followups.set_awaiting(context, user, None)


@acting_on(_button)
async def on_answer_button(context: DebriefContext, tap: Tap) -> None:
    """Store the answer a button carries and ask the next question."""
    user, chat, language, query, button, debrief = tap
    key, value = button.key, button.value
    if (
        debrief.status != Status.ACTIVE
        or key is None
        or key != debrief.current_key
        or value is None
    ):
        await _stale(context, tap)
        return
    question = context.checklist.question(key)
    result = interpret(question, value, today=await context.today(user))
    if not isinstance(result, Accepted):
        await query.answer(render.text(language, result.reason, options=""))
        return
    await _record(context, debrief, question.key, result.value)
    await query.answer()
    await _leave_prompt(context, user)
    await _continue(context, user, chat, debrief.id, language)


_Control = tuple[User, Chat, Language, Debrief]


async def _control(update: Update, context: DebriefContext) -> _Control | None:
    """Find the debrief a command or control button acts on; None when it was answered already."""
    if update.callback_query is not None:
        tap = await _button(update, context)
        if tap is None:
            return None
        current = tap.button.action is Action.FINISH or tap.button.key == tap.debrief.current_key
        if tap.debrief.status != Status.ACTIVE or not current:
            await _stale(context, tap)
            return None
        await tap.query.answer()
        await _leave_prompt(context, tap.user)
        return tap.user, tap.chat, tap.language, tap.debrief
    user, chat = who(update)
    language = await context.language(user)
    debrief = await _active(context, user, chat, language)
    if debrief is None:
        return None
    if not debrief.question_delivered:
        # Its question never arrived (or a crash came first): show it rather than move on.
        await _ask(context, user, chat, debrief, language)
        return None
    message = update.effective_message
    asked = debrief.asked_message_id
    if message is not None and asked is not None and message.message_id < asked:
        # Sent before the question on screen: handled already, and replayed after a crash
        # (the inbox), or a second tap of the same command before its answer came.
        return None
    await _leave_prompt(context, user)
    return user, chat, language, debrief


@acting_on(_control)
async def skip(context: DebriefContext, found: _Control) -> None:
    """Leave the current question unanswered (or as it was) and ask the next one."""
    await _skip(context, found)


async def _skip(context: DebriefContext, found: _Control) -> None:
    """Move past the current question, unless it cannot be skipped."""
    user, chat, language, debrief = found
    assert debrief.current_key is not None
    question = context.checklist.question(debrief.current_key)
    if not question.optional:
        await say(context, chat, render.text(language, "debrief.cannot_skip"))
        return
    await context.debriefs.move_to(
        user_id=user.id,
        debrief_id=debrief.id,
        key=next_key(context.checklist, debrief, question.key),
    )
    await _continue(context, user, chat, debrief.id, language)


@acting_on(_control)
async def back(context: DebriefContext, found: _Control) -> None:
    """Go back to the previous question, showing the answer given so far."""
    user, chat, language, debrief = found
    assert debrief.current_key is not None
    previous = previous_key(context.checklist, debrief, debrief.current_key)
    if previous is None:
        await say(context, chat, render.text(language, "debrief.first_question"))
        return
    await revisit(context, user, chat, debrief.id, previous)


async def revisit(
    context: DebriefContext, user: User, chat: Chat, debrief_id: int, key: str
) -> None:
    """Make a question current again and ask it with its answer, so the next text replaces it."""
    await context.debriefs.move_to(user_id=user.id, debrief_id=debrief_id, key=key)
    language = await context.language(user)
    await _continue(context, user, chat, debrief_id, language, show_answer=True)


@acting_on(_control)
async def keep_answer(context: DebriefContext, found: _Control) -> None:
    """Keep the answer shown (after /back, or the round before's) and move on."""
    user, chat, language, debrief = found
    assert debrief.current_key is not None
    key = debrief.current_key
    earlier = await history.earlier_answer(context, debrief, key)
    if earlier is None:
        await _skip(context, found)
        return
    await _record(context, debrief, key, earlier)
    await _continue(context, user, chat, debrief.id, language)


@acting_on(_button)
async def join_next_round(context: DebriefContext, tap: Tap) -> None:
    """Make the open debrief the next round of the application its question offered."""
    user, chat, language, query, button, debrief = tap
    previous = None
    if button.key and button.key.isdigit() and int(button.key) != debrief.id:
        previous = await context.debriefs.get(user_id=user.id, debrief_id=int(button.key))
    if debrief.status != Status.ACTIVE or debrief.previous_id is not None or previous is None:
        await query.answer(render.text(language, "debrief.stale_button"))
        return
    await query.answer()
    await _leave_prompt(context, user)
    await _join(context, user, chat, debrief, previous, language)


@acting_on(_control)
async def finish_now(context: DebriefContext, found: _Control) -> None:
    """End the debrief with what has been answered so far."""
    user, chat, language, debrief = found
    if not can_finish(context.checklist, debrief.answers):
        await say(context, chat, render.text(language, "debrief.finish_needs_company"))
        return
    await context.debriefs.move_to(user_id=user.id, debrief_id=debrief.id, key=None)
    await _continue(context, user, chat, debrief.id, language)


@acting_on(_button)
async def add_to_previous(context: DebriefContext, tap: Tap) -> None:
    """Make the next text an addition to an earlier answer."""
    user, chat, language, query, button, debrief = tap
    # Only the answer the button was shown for: a forged one could pile parts onto any answer.
    addable = addable_question(context.checklist, debrief)
    if debrief.status != Status.ACTIVE or addable is None or button.key != addable.key:
        await query.answer(render.text(language, "debrief.stale_button"))
        return
    key = addable.key
    await query.answer()
    await _leave_prompt(context, user)
    await context.debriefs.await_addition(user_id=user.id, debrief_id=debrief.id, key=key)
    label = context.checklist.question(key).label(language)
    await say(context, chat, render.text(language, "debrief.add_prompt", question=label))


@acting_on(_button)
async def move_back(context: DebriefContext, tap: Tap) -> None:
    """Move a quick answer to the answer before it (a split dictation); ask its question again."""
    user, chat, language, query, button, debrief = tap
    checklist = context.checklist
    quick = addable_question(checklist, debrief)
    earlier = None if quick is None else addable_question(checklist, _at(debrief, quick.key))
    if (
        debrief.status != "active"
        or quick is None
        or earlier is None
        or button.key != quick.key
        or debrief.quick_key != quick.key
    ):
        await query.answer(render.text(language, "debrief.stale_button"))
        return
    await query.answer()
    await _leave_prompt(context, user)
    await context.debriefs.move_answer_back(
        user_id=user.id, debrief_id=debrief.id, key=quick.key, to_key=earlier.key
    )
    moved = render.text(language, "debrief.split_done", question=earlier.label(language))
    await _continue(context, user, chat, debrief.id, language, preface=moved)


def _at(debrief: Debrief, key: str) -> Debrief:
    """Return the debrief as it would be with `key` as its current question."""
    return replace(debrief, current_key=key)


async def cancel(update: Update, context: DebriefContext) -> None:
    """Pause the debrief; its answers stay saved for later."""
    user, chat = who(update)
    language = await context.language(user)
    debrief = await context.debriefs.open_for(user_id=user.id)
    if debrief is None:
        await say(context, chat, render.text(language, "debrief.nothing_to_cancel"))
        return
    await context.debriefs.set_status(user_id=user.id, debrief_id=debrief.id, status=Status.PAUSED)
    count = len(debrief.answers)
    await say(context, chat, render.text(language, "debrief.paused", count=count))
    # Its buttons would only say it is paused; resuming asks the question again.
    closing = _close_asked(context, chat, debrief, language, ending=True, paused=True)
    context.bot_data.later.run(closing)


async def _repeat_question(update: Update, context: DebriefContext, preface_key: str) -> None:
    """Explain what was wrong with the message and ask the current question again."""
    user, chat = who(update)
    language = await context.language(user)
    debrief = await _active(context, user, chat, language)
    if debrief is not None:
        preface = render.text(language, preface_key)
        await _ask(context, user, chat, debrief, language, preface=preface)


async def on_other(update: Update, context: DebriefContext) -> None:
    """Answer a sticker, photo or location kindly and ask the question again."""
    await _repeat_question(update, context, "debrief.not_text")


async def choose_language(update: Update, context: DebriefContext) -> None:
    """Offer French or English."""
    user, chat = who(update)
    await say(context, chat, render.language_choice(await context.language(user)))


async def set_language(update: Update, context: DebriefContext) -> None:
    """Switch the user's language."""
    user, _ = who(update)
    query = update.callback_query
    assert query is not None
    button = Button.decode(query.data)
    chosen = next((lang for lang in LANGUAGES if button and button.key == lang), None)
    if chosen is None:
        await query.answer()
        return
    await context.users.set_language(user_id=user.id, language=chosen)
    context.forget_profile()
    await query.answer()
    await query.edit_message_text(render.text(chosen, "language.set"))


async def unknown_button(update: Update, context: DebriefContext) -> None:
    """Answer a button no handler knows (forged, or from an older version of the bot)."""
    user, _ = who(update)
    assert update.callback_query is not None
    language = await context.language(user)
    await update.callback_query.answer(render.text(language, "debrief.not_found"))


async def on_error(update: object, context: DebriefContext) -> None:
    """Log the error with its traceback, then tell the user what became of their message."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat, user = update.effective_chat, update.effective_user
    if chat.type != ChatType.PRIVATE or user is None:
        return
    try:
        language = await context.language(user)
    except sqlite3.Error:
        language = language_of(None, user.language_code)
    message = update.message
    try:
        if not isinstance(context.error, sqlite3.Error):
            await say(context, chat, render.text(language, "errors.internal"))
            return
        typed = message.text if message is not None and message.text else None
        if typed is None or typed.startswith("/"):
            await say(context, chat, render.text(language, "errors.not_saved"))
            return
        # What was typed is not stored: give it back, to be sent again.
        await say(context, chat, render.text(language, "errors.not_saved_text"))
        await say(context, chat, render.escape(typed))
    except (TelegramError, OSError):
        logger.warning("Could not tell the user about the error", exc_info=True)
