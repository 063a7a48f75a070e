"""Handlers: read the update, call the domain and the repositories, render the reply."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Literal

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import render
from bot.callbacks import Action, Button
from bot.context import DebriefContext
from conversations.answers import Accepted, display, interpret
from conversations.checklist import Kind
from conversations.dates import parse_upcoming_date
from conversations.email import build_thank_you, sending_advice
from conversations.flow import TextRoute, can_finish, route_text
from conversations.i18n import LANGUAGES, Language, catalog
from conversations.reminders import after_debrief, epoch, next_round
from conversations.schedule import next_morning, outside_quiet_hours, snooze
from conversations.summary import build_summary
from conversations.timezones import describe, parse_timezone
from conversations.when import parse_when
from storage.debriefs import Debrief, Outcome
from storage.reminders import NewReminder, ReminderKind

__all__ = [
    "add_to_previous",
    "back",
    "cancel",
    "choose_language",
    "finish_now",
    "gate",
    "help_command",
    "keep_answer",
    "new_debrief",
    "on_answer_button",
    "on_error",
    "on_other",
    "on_text",
    "on_voice",
    "restart",
    "resume",
    "set_language",
    "skip",
    "start",
    "unknown_button",
]

logger = logging.getLogger(__name__)

# /reminders shows this many; more would flood the chat.
MAX_LISTED = 10


def _who(update: Update) -> tuple[User, Chat]:
    """Return the user and chat of an update that the gate let through."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    return user, chat


async def _say(context: DebriefContext, chat: Chat, reply: render.Reply | str) -> Message:
    """Send a reply to a chat."""
    if isinstance(reply, str):
        reply = render.Reply(reply)
    return await context.bot.send_message(chat.id, reply.text, reply_markup=reply.markup)


async def _ask(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    language: Language,
    *,
    preface: str | None = None,
    show_answer: bool = False,
) -> None:
    """Send the current question, then record that it reached the user."""
    assert debrief.current_key is not None
    reply = render.question(
        context.checklist,
        debrief,
        language=language,
        today=await context.today(user),
        preface=preface,
        show_answer=show_answer,
    )
    message = await _say(context, chat, reply)
    await context.debriefs.mark_asked(
        user_id=debrief.user_id,
        debrief_id=debrief.id,
        key=debrief.current_key,
        message_id=message.message_id,
    )


async def _finish(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, language: Language
) -> None:
    """Send the summary and the thank-you draft, then close the debrief and plan reminders."""
    now, tz = context.now(), await context.zone(user)
    today = now.astimezone(tz).date()
    result = build_summary(debrief.answers, language=language, checklist=context.checklist)
    for part in render.summary(result):
        await _say(context, chat, part)
    draft = build_thank_you(debrief.answers, language=language, sender=user.full_name, today=today)
    advice = sending_advice(debrief.answers.get("interview_date"), today=today)
    await _say(
        context,
        chat,
        render.thank_you(draft, language=language, advice_key=advice, debrief_id=debrief.id),
    )
    plan = after_debrief(debrief.answers, finished_at=now, tz=tz)
    # Closed only once everything is sent: after a crash, the next message sends it all again.
    await context.debriefs.finish(user_id=user.id, debrief_id=debrief.id, reminders=plan)
    notes = []
    for reminder in plan:
        when = render.moment(
            datetime.fromtimestamp(reminder.due_at, UTC), now=now, tz=tz, language=language
        )
        if reminder.kind == "questions":
            notes.append(render.text(language, "reminders.end_questions", when=when))
        elif reminder.kind == "thank_you":
            notes.append(render.text(language, "reminders.end_thank_you", when=when))
    await _say(
        context,
        chat,
        render.finished(
            language=language,
            debrief_id=debrief.id,
            answered=result.answered,
            total=result.total,
            notes=notes,
            ask_questions_when=any(r.kind == "questions" for r in plan),
        ),
    )


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
    if debrief.current_key is None:
        await _finish(context, user, chat, debrief, language)
    else:
        await _ask(context, user, chat, debrief, language, preface=preface, show_answer=show_answer)


async def _active(
    context: DebriefContext, user: User, chat: Chat, language: Language
) -> Debrief | None:
    """Return the user's active debrief, or tell them there is none and return None."""
    debrief = await context.debriefs.open_for(user_id=user.id)
    if debrief is None:
        await _say(context, chat, _no_debrief(language))
        return None
    if debrief.status == "paused":
        company = debrief.answers.get("company") or catalog().text(language, "debrief.unnamed")
        await _say(context, chat, render.text(language, "debrief.paused_hint", company=company))
        return None
    if debrief.current_key is None:
        await _finish(context, user, chat, debrief, language)
        return None
    return debrief


def _no_debrief(language: Language) -> render.Reply:
    """Say there is no debrief in progress, with a button to start one."""
    start = render.start(language, name="")
    return render.Reply(render.text(language, "debrief.no_active"), start.markup)


async def gate(update: Update, context: DebriefContext) -> None:
    """Stop updates from groups and from users outside the allowlist."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type != ChatType.PRIVATE:
        if await context.users.first_notice_in_group(chat_id=chat.id):
            language: Language = (
                "fr" if user and (user.language_code or "").startswith("fr") else "en"
            )
            username = context.bot.username
            await _say(
                context, chat, render.text(language, "group.private_only", username=username)
            )
        raise ApplicationHandlerStop
    if user is None or chat is None:
        raise ApplicationHandlerStop
    allowed = context.settings.allowed_users
    if allowed and user.id not in allowed:
        language = await context.language(user)
        if update.callback_query is not None:
            await update.callback_query.answer(render.text(language, "access.refused"))
        else:
            await _say(context, chat, render.text(language, "access.refused"))
        raise ApplicationHandlerStop


async def start(update: Update, context: DebriefContext) -> None:
    """Greet the user and offer a new debrief."""
    user, chat = _who(update)
    language = await context.language(user)
    await _say(context, chat, render.start(language, name=user.first_name))


async def help_command(update: Update, context: DebriefContext) -> None:
    """List the commands and explain how answers are taken."""
    user, chat = _who(update)
    await _say(context, chat, render.text(await context.language(user), "help.text"))


async def _begin(context: DebriefContext, user: User, chat: Chat, language: Language) -> None:
    """Create a debrief and ask its first question."""
    if (await context.profile(user)).awaiting:
        await _set_awaiting(context, user, None)
    debrief = await context.debriefs.create(user_id=user.id, first_key=context.checklist.first.key)
    started = render.text(language, "debrief.started", total=len(context.checklist))
    await _ask(context, user, chat, debrief, language, preface=started)


async def new_debrief(update: Update, context: DebriefContext) -> None:
    """Start a debrief, or offer to resume the unfinished one."""
    user, chat = _who(update)
    if update.callback_query is not None:
        await update.callback_query.answer()
    language = await context.language(user)
    existing = await context.debriefs.open_for(user_id=user.id)
    if existing is not None:
        await _say(
            context, chat, render.draft_choice(context.checklist, existing, language=language)
        )
        return
    await _begin(context, user, chat, language)


async def _button(
    update: Update, context: DebriefContext, language: Language
) -> tuple[CallbackQuery, Button, Debrief] | None:
    """Decode a debrief button and check it against the user's open debrief."""
    query = update.callback_query
    assert query is not None
    user, _ = _who(update)
    button = Button.decode(query.data)
    debrief = await context.debriefs.open_for(user_id=user.id)
    if button is None or debrief is None or debrief.id != button.debrief_id:
        await query.answer(render.text(language, "debrief.not_found"))
        return None
    return query, button, debrief


async def _stale(
    query: CallbackQuery,
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    language: Language,
) -> None:
    """Refuse a button of an earlier question; re-ask the current one if it never arrived."""
    await query.answer(render.text(language, "debrief.stale_button"))
    # After a crash, Telegram delivers the tap again although it was handled: the question that
    # followed it may never have been sent.
    if debrief.status == "active" and not debrief.question_delivered:
        await _continue(context, user, chat, debrief.id, language)


async def resume(update: Update, context: DebriefContext) -> None:
    """Resume the unfinished debrief where it stopped."""
    user, chat = _who(update)
    language = await context.language(user)
    found = await _button(update, context, language)
    if found is None:
        return
    query, _, debrief = found
    await query.answer()
    if debrief.status == "paused":
        await context.debriefs.set_status(user_id=user.id, debrief_id=debrief.id, status="active")
    resumed = render.text(language, "debrief.resumed")
    await _continue(context, user, chat, debrief.id, language, preface=resumed)


async def restart(update: Update, context: DebriefContext) -> None:
    """Delete the unfinished debrief and start a new one."""
    user, chat = _who(update)
    language = await context.language(user)
    found = await _button(update, context, language)
    if found is None:
        return
    query, _, debrief = found
    await query.answer(render.text(language, "debrief.discarded"))
    await context.debriefs.delete(user_id=user.id, debrief_id=debrief.id)
    await _begin(context, user, chat, language)


async def on_text(update: Update, context: DebriefContext) -> None:
    """Store a typed answer (or an addition to one) and ask the next question."""
    user, chat = _who(update)
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    language = await context.language(user)
    profile = await context.profile(user)
    if (
        profile.awaiting
        and await context.debriefs.open_for(user_id=user.id) is None
        and await _answer_awaited(context, user, chat, profile.awaiting, message.text)
    ):
        return
    debrief = await _active(context, user, chat, language)
    if debrief is None:
        return
    assert debrief.current_key is not None
    checklist = context.checklist
    route = route_text(checklist, debrief, message_id=message.message_id)
    if route is TextRoute.ALREADY_STORED:
        if not debrief.question_delivered:
            await _ask(context, user, chat, debrief, language)
        return
    if route in (TextRoute.ADDITION, TextRoute.CONTINUATION):
        previous = checklist.before(debrief.current_key)
        if route is TextRoute.ADDITION:
            key = debrief.append_key
        else:
            key = previous.key if previous else None
        assert key is not None
        await context.debriefs.add_to_answer(
            user_id=user.id,
            debrief_id=debrief.id,
            key=key,
            text=message.text.strip(),
            message_id=message.message_id,
        )
        added = render.text(
            language, "debrief.added", question=checklist.question(key).label(language)
        )
        if route is TextRoute.CONTINUATION and debrief.question_delivered:
            await _say(context, chat, added)
        else:
            await _continue(context, user, chat, debrief.id, language, preface=added)
        return
    question = checklist.question(debrief.current_key)
    result = interpret(question, message.text, today=await context.today(user))
    if not isinstance(result, Accepted):
        options = (
            catalog()
            .text(language, "answer.or")
            .join(option.label(language) for option in question.options)
        )
        await _say(context, chat, render.text(language, result.reason, options=options))
        return
    following = checklist.after(question.key)
    await context.debriefs.save_answer(
        user_id=user.id,
        debrief_id=debrief.id,
        key=question.key,
        text=result.value,
        message_id=message.message_id,
        next_key=following.key if following else None,
    )
    await _continue(context, user, chat, debrief.id, language)


async def on_answer_button(update: Update, context: DebriefContext) -> None:
    """Store the answer a button carries and ask the next question."""
    user, chat = _who(update)
    language = await context.language(user)
    found = await _button(update, context, language)
    if found is None:
        return
    query, button, debrief = found
    key, value = button.key, button.value
    if debrief.status != "active" or key is None or key != debrief.current_key or value is None:
        await _stale(query, context, user, chat, debrief, language)
        return
    question = context.checklist.question(key)
    result = interpret(question, value, today=await context.today(user))
    if not isinstance(result, Accepted):
        await query.answer(render.text(language, result.reason, options=""))
        return
    following = context.checklist.after(question.key)
    await context.debriefs.save_answer(
        user_id=user.id,
        debrief_id=debrief.id,
        key=question.key,
        text=result.value,
        message_id=None,
        next_key=following.key if following else None,
    )
    await query.answer()
    if isinstance(query.message, Message) and query.message.text:
        chosen = render.text(
            language, "debrief.chosen", answer=display(question, result.value, language)
        )
        await query.edit_message_text(f"{query.message.text_html}\n\n{chosen}", reply_markup=None)
    await _continue(context, user, chat, debrief.id, language)


async def _control(
    update: Update, context: DebriefContext
) -> tuple[User, Chat, Language, Debrief] | None:
    """Find the debrief a command or control button acts on; None when it was answered already."""
    user, chat = _who(update)
    language = await context.language(user)
    if update.callback_query is None:
        debrief = await _active(context, user, chat, language)
        return None if debrief is None else (user, chat, language, debrief)
    found = await _button(update, context, language)
    if found is None:
        return None
    query, button, debrief = found
    current = button.action is Action.FINISH or button.key == debrief.current_key
    if debrief.status != "active" or not current:
        await _stale(query, context, user, chat, debrief, language)
        return None
    await query.answer()
    return user, chat, language, debrief


async def skip(update: Update, context: DebriefContext) -> None:
    """Leave the current question unanswered (or as it was) and ask the next one."""
    found = await _control(update, context)
    if found is None:
        return
    user, chat, language, debrief = found
    assert debrief.current_key is not None
    question = context.checklist.question(debrief.current_key)
    if not question.optional:
        await _say(context, chat, render.text(language, "debrief.cannot_skip"))
        return
    following = context.checklist.after(question.key)
    await context.debriefs.move_to(
        user_id=user.id, debrief_id=debrief.id, key=following.key if following else None
    )
    await _continue(context, user, chat, debrief.id, language)


async def back(update: Update, context: DebriefContext) -> None:
    """Go back to the previous question, showing the answer given so far."""
    found = await _control(update, context)
    if found is None:
        return
    user, chat, language, debrief = found
    assert debrief.current_key is not None
    previous = context.checklist.before(debrief.current_key)
    if previous is None:
        await _say(context, chat, render.text(language, "debrief.first_question"))
        return
    await context.debriefs.move_to(user_id=user.id, debrief_id=debrief.id, key=previous.key)
    await _continue(context, user, chat, debrief.id, language, show_answer=True)


async def keep_answer(update: Update, context: DebriefContext) -> None:
    """Keep the answer shown after /back and move on."""
    await skip(update, context)


async def finish_now(update: Update, context: DebriefContext) -> None:
    """End the debrief with what has been answered so far."""
    found = await _control(update, context)
    if found is None:
        return
    user, chat, language, debrief = found
    if not can_finish(context.checklist, debrief.answers):
        await _say(context, chat, render.text(language, "debrief.finish_needs_company"))
        return
    await context.debriefs.move_to(user_id=user.id, debrief_id=debrief.id, key=None)
    await _continue(context, user, chat, debrief.id, language)


async def add_to_previous(update: Update, context: DebriefContext) -> None:
    """Make the next text an addition to an earlier answer."""
    user, chat = _who(update)
    language = await context.language(user)
    found = await _button(update, context, language)
    if found is None:
        return
    query, button, debrief = found
    key = button.key
    if (
        debrief.status != "active"
        or key is None
        or key not in context.checklist
        or context.checklist.question(key).kind is not Kind.TEXT
    ):
        await query.answer(render.text(language, "debrief.stale_button"))
        return
    await query.answer()
    await context.debriefs.await_addition(user_id=user.id, debrief_id=debrief.id, key=key)
    label = context.checklist.question(key).label(language)
    await _say(context, chat, render.text(language, "debrief.add_prompt", question=label))


async def cancel(update: Update, context: DebriefContext) -> None:
    """Pause the debrief; its answers stay saved for later."""
    user, chat = _who(update)
    language = await context.language(user)
    debrief = await context.debriefs.open_for(user_id=user.id)
    if debrief is None:
        await _say(context, chat, render.text(language, "debrief.nothing_to_cancel"))
        return
    await context.debriefs.set_status(user_id=user.id, debrief_id=debrief.id, status="paused")
    count = len(debrief.answers)
    await _say(context, chat, render.text(language, "debrief.paused", count=count))


async def _repeat_question(update: Update, context: DebriefContext, preface_key: str) -> None:
    """Explain what was wrong with the message and ask the current question again."""
    user, chat = _who(update)
    language = await context.language(user)
    debrief = await _active(context, user, chat, language)
    if debrief is not None:
        preface = render.text(language, preface_key)
        await _ask(context, user, chat, debrief, language, preface=preface)


async def on_voice(update: Update, context: DebriefContext) -> None:
    """Ask for a typed answer instead of a voice note, for now."""
    await _repeat_question(update, context, "debrief.voice_soon")


async def on_other(update: Update, context: DebriefContext) -> None:
    """Answer a sticker, photo or location kindly and ask the question again."""
    await _repeat_question(update, context, "debrief.not_text")


async def choose_language(update: Update, context: DebriefContext) -> None:
    """Offer French or English."""
    user, chat = _who(update)
    await _say(context, chat, render.language_choice(await context.language(user)))


async def set_language(update: Update, context: DebriefContext) -> None:
    """Switch the user's language."""
    user, _ = _who(update)
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
    user, _ = _who(update)
    assert update.callback_query is not None
    language = await context.language(user)
    await update.callback_query.answer(render.text(language, "debrief.not_found"))


async def on_error(update: object, context: DebriefContext) -> None:
    """Log the error with its traceback, then tell the user their answers are safe."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE or update.effective_user is None:
        return
    try:
        language = await context.language(update.effective_user)
        await _say(context, update.effective_chat, render.text(language, "errors.internal"))
    except (TelegramError, OSError):
        logger.warning("Could not tell the user about the error", exc_info=True)


async def _callback(update: Update) -> tuple[CallbackQuery, Button | None]:
    """Return the callback query of an update and its decoded button."""
    query = update.callback_query
    assert query is not None
    return query, Button.decode(query.data)


async def _finished_debrief(
    context: DebriefContext, user: User, button: Button | None
) -> Debrief | None:
    """Return the user's finished debrief a button names, if it is theirs."""
    if button is None or button.debrief_id is None:
        return None
    debrief = await context.debriefs.get(user_id=user.id, debrief_id=button.debrief_id)
    return debrief if debrief is not None and debrief.status == "done" else None


async def _apply_outcome(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    outcome: Outcome,
    language: Language,
) -> None:
    """Record how the application stands and adjust its reminders."""
    await context.debriefs.set_outcome(user_id=user.id, debrief_id=debrief.id, outcome=outcome)
    reminders = context.reminders
    owner = {"user_id": user.id, "debrief_id": debrief.id}
    now, tz = context.now(), await context.zone(user)
    if outcome == "waiting":
        if not any(r.kind == "no_news" for r in await reminders.pending_for(user_id=user.id)):
            plan = after_debrief(debrief.answers, finished_at=now, tz=tz)
            await reminders.schedule(**owner, reminders=[r for r in plan if r.kind == "no_news"])
        await _say(context, chat, render.text(language, "outcome.waiting"))
    elif outcome == "next_round":
        await reminders.cancel_kinds(**owner, kinds=["no_news", "feedback"])
        await context.users.set_awaiting(user_id=user.id, awaiting=f"round:{debrief.id}")
        context.forget_profile()
        await _say(context, chat, render.round_date_question(debrief.id, language))
    elif outcome == "rejected":
        await reminders.cancel_kinds(**owner, kinds=["no_news", "next_round"])
        feedback = NewReminder("feedback", epoch(outside_quiet_hours(now, tz)))
        await reminders.schedule(**owner, reminders=[feedback])
        await _say(context, chat, render.text(language, "outcome.rejected"))
    else:
        kinds: list[ReminderKind] = ["no_news", "feedback", "next_round", "questions"]
        if outcome == "withdrawn":
            kinds.append("thank_you")
        await reminders.cancel_kinds(**owner, kinds=kinds)
        await _say(context, chat, render.text(language, f"outcome.{outcome}"))


async def set_outcome(update: Update, context: DebriefContext) -> None:
    """Record the application's status from a button."""
    user, chat = _who(update)
    language = await context.language(user)
    query, button = await _callback(update)
    debrief = await _finished_debrief(context, user, button)
    outcome = next((o for o in render.OUTCOMES if button and button.key == o), None)
    if debrief is None or outcome is None:
        await query.answer(render.text(language, "debrief.not_found"))
        return
    await query.answer()
    await _apply_outcome(context, user, chat, debrief, outcome, language)


async def _plan_round(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, day: date | None
) -> None:
    """Schedule the preparation brief for the next round and say when it will come."""
    language = await context.language(user)
    now, tz = context.now(), await context.zone(user)
    await context.debriefs.set_outcome(
        user_id=user.id,
        debrief_id=debrief.id,
        outcome="next_round",
        next_round_date=day.isoformat() if day else None,
    )
    plan = next_round(round_date=day, now=now, tz=tz)
    await context.reminders.schedule(user_id=user.id, debrief_id=debrief.id, reminders=[plan])
    await _set_awaiting(context, user, None)
    when = render.moment(
        datetime.fromtimestamp(plan.due_at, UTC), now=now, tz=tz, language=language
    )
    await _say(context, chat, render.text(language, "outcome.round_set", when=when))


async def round_date_unknown(update: Update, context: DebriefContext) -> None:
    """Prepare the next round now, its date being unknown."""
    user, chat = _who(update)
    query, button = await _callback(update)
    debrief = await _finished_debrief(context, user, button)
    if debrief is None:
        await query.answer(render.text(await context.language(user), "debrief.not_found"))
        return
    await query.answer()
    await _plan_round(context, user, chat, debrief, None)


async def thank_you_sent(update: Update, context: DebriefContext) -> None:
    """Record that the thank-you email was sent; its reminder is dropped."""
    user, _ = _who(update)
    language = await context.language(user)
    query, button = await _callback(update)
    debrief = await _finished_debrief(context, user, button)
    if debrief is None:
        await query.answer(render.text(language, "debrief.not_found"))
        return
    await context.debriefs.mark_thank_you_sent(user_id=user.id, debrief_id=debrief.id)
    await query.answer(render.text(language, "reminders.thank_you_noted"))


async def questions_when(update: Update, context: DebriefContext) -> None:
    """Move the forgotten-questions reminder: in two days, another time, or never."""
    user, chat = _who(update)
    language = await context.language(user)
    query, button = await _callback(update)
    debrief = await _finished_debrief(context, user, button)
    if debrief is None or button is None:
        await query.answer(render.text(language, "debrief.not_found"))
        return
    await query.answer()
    owner = {"user_id": user.id, "debrief_id": debrief.id}
    if button.key == "never":
        await context.reminders.cancel_kinds(**owner, kinds=["questions"])
        await _say(context, chat, render.text(language, "reminders.questions_never"))
    elif button.key == "2d":
        now, tz = context.now(), await context.zone(user)
        due = next_morning(after=now, tz=tz, days=2)
        await context.reminders.schedule(**owner, reminders=[NewReminder("questions", epoch(due))])
        when = render.moment(due, now=now, tz=tz, language=language)
        await _say(context, chat, render.text(language, "reminders.set_for", when=when))
    else:
        await _set_awaiting(context, user, f"questions:{debrief.id}")
        await _say(context, chat, render.text(language, "reminders.ask_when"))


async def _set_awaiting(context: DebriefContext, user: User, awaiting: str | None) -> None:
    """Remember what the user's next text answers (outside a debrief)."""
    await context.users.set_awaiting(user_id=user.id, awaiting=awaiting)
    context.forget_profile()


async def _answer_awaited(
    context: DebriefContext, user: User, chat: Chat, awaiting: str, typed: str
) -> bool:
    """Use a text as the answer the bot asked for outside a debrief; False if none applies."""
    language = await context.language(user)
    now, tz = context.now(), await context.zone(user)
    what, _, target = awaiting.partition(":")
    if what == "timezone":
        return await _change_timezone(context, user, chat, typed)
    debrief = await context.debriefs.get(user_id=user.id, debrief_id=int(target or 0))
    if debrief is None:
        await _set_awaiting(context, user, None)
        return False
    if what == "round":
        day = parse_upcoming_date(typed, today=now.astimezone(tz).date())
        if day is None:
            await _say(context, chat, render.round_date_question(debrief.id, language))
            return True
        await _plan_round(context, user, chat, debrief, day)
        return True
    moment = parse_when(typed, now=now.astimezone(tz))
    if moment is None:
        await _say(context, chat, render.text(language, "reminders.when_unknown"))
        return True
    due = outside_quiet_hours(moment, tz)
    await context.reminders.schedule(
        user_id=user.id, debrief_id=debrief.id, reminders=[NewReminder("questions", epoch(due))]
    )
    await _set_awaiting(context, user, None)
    when = render.moment(due, now=now, tz=tz, language=language)
    await _say(context, chat, render.text(language, "reminders.set_for", when=when))
    return True


async def reminder_button(update: Update, context: DebriefContext) -> None:
    """Act on a reminder: done, snooze, cancel, sent, later, skip, or news."""
    user, chat = _who(update)
    language = await context.language(user)
    query, button = await _callback(update)
    found = None
    if button is not None and button.debrief_id is not None:
        found = await context.reminders.get(user_id=user.id, reminder_id=button.debrief_id)
    if button is None or found is None or found.state not in ("pending", "sent"):
        await query.answer(render.text(language, "reminders.gone"))
        return
    op = button.key
    now, tz = context.now(), await context.zone(user)
    if op in ("snooze", "later"):
        hours, days = (
            (3, 0) if found.kind == "thank_you" else (0, 2 if found.kind == "no_news" else 1)
        )
        due = snooze(now=now, tz=tz, hours=hours, days=days)
        await context.reminders.postpone(user_id=user.id, reminder_id=found.id, due_at=epoch(due))
        when = render.moment(due, now=now, tz=tz, language=language)
        await query.answer(render.text(language, "reminders.snoozed", when=when))
    elif op == "sent":
        await context.debriefs.mark_thank_you_sent(user_id=user.id, debrief_id=found.debrief_id)
        await query.answer(render.text(language, "reminders.thank_you_noted"))
    elif op == "news":
        await context.reminders.close(user_id=user.id, reminder_id=found.id, state="done")
        await query.answer()
        preface = render.text(language, "reminders.news_prompt")
        await _say(
            context, chat, render.outcome_choice(found.debrief_id, language, preface=preface)
        )
    else:
        state: Literal["done", "cancelled"] = "done" if op == "done" else "cancelled"
        await context.reminders.close(user_id=user.id, reminder_id=found.id, state=state)
        key = "reminders.closed" if state == "done" else "reminders.cancelled"
        await query.answer(render.text(language, key))


async def list_reminders(update: Update, context: DebriefContext) -> None:
    """List the user's pending reminders, each with Done / Snooze / Cancel."""
    user, chat = _who(update)
    language = await context.language(user)
    pending = await context.reminders.pending_for(user_id=user.id)
    if not pending:
        await _say(context, chat, render.text(language, "reminders.none"))
        return
    now, tz = context.now(), await context.zone(user)
    await _say(context, chat, render.text(language, "reminders.list_header"))
    companies: dict[int, str] = {}
    for reminder in pending[:MAX_LISTED]:
        if reminder.debrief_id not in companies:
            debrief = await context.debriefs.get(user_id=user.id, debrief_id=reminder.debrief_id)
            companies[reminder.debrief_id] = (
                debrief.answers.get("company") if debrief else None
            ) or "?"
        label = render.text(
            language,
            "reminders.item",
            kind=catalog().text(language, f"reminders.kind_{reminder.kind}"),
            company=companies[reminder.debrief_id],
            when=render.moment(
                datetime.fromtimestamp(reminder.due_at, UTC), now=now, tz=tz, language=language
            ),
        )
        await _say(context, chat, render.reminder_item(label, reminder.id, language=language))


async def _change_timezone(context: DebriefContext, user: User, chat: Chat, typed: str) -> bool:
    """Set the user's timezone from a city or an offset, or explain what is accepted."""
    language = await context.language(user)
    name = parse_timezone(typed)
    if name is None:
        await _say(context, chat, render.text(language, "timezone.unknown"))
        return True
    await context.users.set_timezone(user_id=user.id, timezone=name)
    await _set_awaiting(context, user, None)
    await _say(
        context, chat, render.text(language, "timezone.set", zone=describe(name, context.now()))
    )
    return True


async def timezone_command(update: Update, context: DebriefContext) -> None:
    """Show or change the user's timezone: /timezone Paris, /timezone UTC+2."""
    user, chat = _who(update)
    language = await context.language(user)
    if context.args:
        await _change_timezone(context, user, chat, " ".join(context.args))
        return
    profile = await context.profile(user)
    current = profile.timezone or context.settings.default_timezone
    await _set_awaiting(context, user, "timezone")
    await _say(
        context,
        chat,
        render.text(language, "timezone.prompt", zone=describe(current, context.now())),
    )
