"""Whole debriefs, as users do them, through the real bot and the fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from conversations.checklist import checklist
from conversations.i18n import Language
from tests.e2e.driver import Debriefer, stored_answers, stored_debriefs, text

pytestmark = pytest.mark.usefixtures("bot")

TYPED: dict[Language, dict[str, str]] = {
    "fr": {
        "company": "Acme Robotique",
        "position": "Développeuse backend",
        "interview_date": "[Aujourd'hui]",
        "interviewers": "Mme Claire Dubois, responsable plateforme, claire.dubois@acme.example",
        "interviewer_decides": "[Oui]",
        "company_info": "Ils migrent la télémétrie de leur flotte vers l'événementiel.",
        "atmosphere": "Détendue, les gens plaisantaient dans le couloir.",
        "working_conditions": "Horaires souples, astreinte une semaine sur six.",
        "commute": "45 minutes en train, raisonnable.",
        "position_info": "l'équipe a besoin de quelqu'un pour reprendre la chaîne d'ingestion",
        "impressions": "Très positives.",
        "rating": "[4]",
        "how_it_went": "Bien dans l'ensemble, la partie conception système était dure.",
        "obstacles": "mon manque d'expérience avec Kafka",
        "counter_arguments": "j'ai exploité un cluster RabbitMQ de 2 millions de messages par jour",
        "awkward_questions": "Pourquoi avoir quitté votre dernier poste après 18 mois ?",
        "forgotten_questions": "Comment se passe l'astreinte ?\nQuand le poste commence-t-il ?",
        "blunders": "J'ai trop parlé de mon projet perso.",
        "best_arguments": "j'ai réduit de 60 % la latence p99 de notre API de paiement",
        "improve": "Préparer une histoire courte par projet.",
        "convinced": "Claire, grâce à l'histoire de la latence.",
        "not_convinced": "Le CTO, qui voulait quelqu'un ayant fait du Kafka.",
        "next_steps": "Réponse avant le 5 décembre, deuxième entretien avec le CTO.",
        "email_moment": "la migration de votre télémétrie vers l'événementiel",
        "email_strength": "mon expérience d'un cluster RabbitMQ de 2 millions de messages par jour",
        "email_reassurance": "Je me forme à Kafka et j'aurai terminé la formation ce mois-ci.",
    },
    "en": {
        "company": "Acme Robotics",
        "position": "Backend engineer",
        "interview_date": "yesterday",
        "interviewers": "Ms Claire Dubois, Head of platform, claire.dubois@acme.example",
        "interviewer_decides": "don't know",
        "company_info": "They are moving fleet telemetry to an event-driven platform.",
        "atmosphere": "Relaxed, people joked in the corridor.",
        "working_conditions": "Flexible hours, on-call one week in six.",
        "commute": "45 minutes by train, fine.",
        "position_info": "the team needs someone to own the ingestion pipeline",
        "impressions": "Very positive.",
        "rating": "4/5",
        "how_it_went": "Well overall, the system design part was hard.",
        "obstacles": "my lack of Kafka experience",
        "counter_arguments": "I ran a RabbitMQ cluster handling 2 million messages a day",
        "awkward_questions": "Why did you leave your last job after 18 months?",
        "forgotten_questions": "What does on-call look like?\nWhen would the role start?",
        "blunders": "I talked too long about my side project.",
        "best_arguments": "I cut the p99 latency of our payment API by 60%",
        "improve": "Prepare a short story for each project.",
        "convinced": "Claire, thanks to the latency story.",
        "not_convinced": "The CTO, who wanted Kafka experience.",
        "next_steps": "Answer before 5 December, second round with the CTO.",
        "email_moment": "how you are moving the fleet telemetry to events",
        "email_strength": "the RabbitMQ cluster I ran, two million messages a day",
        "email_reassurance": "I have started a Kafka course and will finish it this month.",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_full_debrief_stores_every_answer_and_ends_with_summary_and_email(
    telegram: FakeTelegram, db_path: Path, language: Language
) -> None:
    user = telegram.user(1001, first_name="Alice", language_code=language)
    person = Debriefer(user, language)
    answers = TYPED[language]

    await user.send_text("/new")
    ending = await person.answer_everything(answers)

    stored = stored_answers(db_path, user.user_id)
    expected_dates = {"fr": "2026-11-26", "en": "2026-11-25"}
    assert stored["interview_date"] == expected_dates[language]
    assert stored["interviewer_decides"] == {"fr": "yes", "en": "unknown"}[language]
    assert stored["rating"] == "4"
    for key, value in answers.items():
        if not value.startswith("[") and key not in {"interview_date", "interviewer_decides"}:
            assert stored[key] == (value if key != "rating" else "4")
    assert stored_debriefs(db_path, user.user_id)[0]["status"] == "done"

    email = next(message for message in ending if "<pre>" in message.html)
    # The whole summary comes at the end of the deeper part, after the car-park end.
    summary = "\n".join(message.text for message in ending if "<pre>" not in message.html)
    assert answers["company"] in summary
    for section in checklist().sections:
        assert section.title(language) in summary
    for key in ("obstacles", "best_arguments", "next_steps", "how_it_went"):
        assert answers[key] in summary
    assert "★★★★☆" in summary

    assert {"fr": "Bonjour Madame Dubois,", "en": "Dear Ms Dubois,"}[language] in email.text
    assert answers["email_moment"] in email.text
    for key in ("obstacles", "counter_arguments", "best_arguments", "blunders", "atmosphere"):
        assert answers[key] not in email.text
    assert "…" not in email.text
    assert answers["position"] in email.text
    assert {"fr": "Objet", "en": "Subject"}[language] in email.text
    assert any(link.startswith("mailto:claire.dubois@acme.example?") for link in email.links)
    assert "24" in email.text
    if language == "fr":
        assert "vous" in email.text
    assert person.ended(ending[-1])
    assert telegram.rejected == []


async def test_each_question_shows_its_section_and_progress(telegram: FakeTelegram) -> None:
    user = telegram.user(1002, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    first = await person.question("company")
    assert "The context" in first.text
    assert f"Question 1/{len(checklist().express)}" in first.text
    assert person.label("debrief.skip_button") not in first.labels  # the company is required
    second = await person.say("Acme")
    assert f"Question 2/{len(checklist().express)}" in second.text
    assert person.label("debrief.skip_button") in second.labels
    assert person.label("debrief.finish_button") in second.labels


async def test_skip_moves_on_but_the_company_cannot_be_skipped(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1003, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    refusal = await person.say("/skip")
    assert "can't be skipped" in refusal.text
    await person.say("Acme")
    await person.say("/skip")  # position, by command
    date_question = person.user.last_message
    assert date_question is not None
    assert f"Question 3/{len(checklist().express)}" in date_question.text
    fourth = await person.tap(date_question, person.label("debrief.skip_button"))
    assert f"Question 4/{len(checklist().express)}" in fourth.text
    assert stored_answers(db_path, user.user_id) == {"company": "Acme"}


async def test_back_shows_the_answer_so_far_to_keep_or_replace(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1004, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    await person.say("Acme <Corp> & Co")
    await person.say("Backend developer")
    back = await person.say("/back")
    assert f"Question 2/{len(checklist().express)}" in back.text
    assert "Backend developer" in back.text
    kept = await person.tap(back, person.label("debrief.keep_button"))
    assert f"Question 3/{len(checklist().express)}" in kept.text
    back_again = await person.tap(kept, person.label("debrief.back_button"))
    assert f"Question 2/{len(checklist().express)}" in back_again.text
    back_to_first = await person.say("/back")
    assert f"Question 1/{len(checklist().express)}" in back_to_first.text
    assert "Acme <Corp> & Co" in back_to_first.text
    third = await person.say("Acme Corporation")
    assert f"Question 2/{len(checklist().express)}" in third.text
    assert "Backend developer" not in third.text  # moving forward shows no old answer
    nothing_before = await person.say("/back")
    assert f"Question 1/{len(checklist().express)}" in nothing_before.text
    first_again = await person.say("/back")
    assert "first question" in first_again.text
    assert stored_answers(db_path, user.user_id) == {
        "company": "Acme Corporation",
        "position": "Backend developer",
    }
    assert telegram.rejected == []


async def test_cancel_pauses_and_new_offers_to_resume_or_start_over(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1005, language_code="fr")
    person = Debriefer(user, "fr")
    await user.send_text("/new")
    await person.question("company")
    await person.say("Acme")
    paused = await person.say("/cancel")
    assert "pause" in paused.text
    assert stored_debriefs(db_path, user.user_id)[0]["status"] == "paused"
    hint = await person.say("Une réponse tapée pendant la pause")
    assert "/new" in hint.text
    offer = await person.say("/new")
    assert "Acme" in offer.text
    resumed = await person.tap(offer, person.label("debrief.resume_button"))
    assert f"Question 2/{len(checklist().express)}" in resumed.text
    await person.say("/cancel")
    offer = await person.say("/new")
    fresh = await person.tap(offer, person.label("debrief.restart_button"))
    assert f"Question 1/{len(checklist().express)}" in fresh.text
    rows = stored_debriefs(db_path, user.user_id)
    assert len(rows) == 1
    assert rows[0]["status"] == "active"
    assert stored_answers(db_path, user.user_id) == {}


async def test_finish_now_sends_the_summary_with_what_was_answered(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1006, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    await person.say("Acme")
    question = await person.say("Data engineer")
    await person.user.press_button(question, person.label("debrief.finish_button"))
    ending = await person.until("Debrief saved")
    assert "Acme" in ending[0].text
    assert "Data engineer" in ending[0].text
    assert any("<pre>" in m.html for m in ending)
    assert f"2 answers so far, and {len(checklist().deeper)} more questions" in ending[-1].text
    assert stored_debriefs(db_path, user.user_id)[0]["status"] == "done"
    offer = await person.say("/new")
    # The finished debrief is not offered for resuming.
    assert f"Question 1/{len(checklist().express)}" in offer.text


async def test_messages_sent_before_the_next_question_continue_the_previous_answer(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1007, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    assert f"Question 2/{len(checklist().express)}" in (await person.say("Acme")).text
    # Phone dictation splits one answer into three messages, sent before the bot replies.
    await user.send_text("Backend developer,")
    await user.send_text("mostly Python,")
    await user.send_text("some Go")
    await person.until(f"Question 3/{len(checklist().express)}")
    assert "Added to your answer to “Position”" in (await person.next()).text
    assert "Added to your answer to “Position”" in (await person.next()).text
    assert stored_answers(db_path, user.user_id)["position"] == (
        "Backend developer,\nmostly Python,\nsome Go"
    )


async def test_add_to_previous_answer_button_appends_and_asks_again(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1008, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    question = await person.say("Acme")
    prompt = await person.tap(question, person.label("debrief.add_button"))
    assert "add" in prompt.text
    again = await person.say("Robotics, Lyon office")
    assert "Added" in again.text
    assert f"Question 2/{len(checklist().express)}" in again.text
    assert stored_answers(db_path, user.user_id)["company"] == "Acme\nRobotics, Lyon office"


async def test_stickers_photos_and_locations_get_a_kind_reply_and_the_same_question(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1009, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    await person.say("Acme")
    for send in (user.send_sticker, user.send_photo, user.send_location):
        await send()
        reply = await person.next()
        assert "only take text" in reply.text
        assert f"Question 2/{len(checklist().express)}" in reply.text
    after = await person.say("Backend developer")
    assert f"Question 3/{len(checklist().express)}" in after.text
    assert stored_answers(db_path, user.user_id) == {
        "company": "Acme",
        "position": "Backend developer",
    }


async def test_typed_answers_that_do_not_fit_get_a_friendly_reply_and_lose_nothing(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1010, language_code="fr")
    person = Debriefer(user, "fr")
    await user.send_text("/new")
    await person.question("company")
    await person.say("Acme")
    await person.say("/skip")
    assert "adresse e-mail" in (await person.say("Claire, claire@acme")).text
    assert "une personne par ligne" in (await person.say("Claire et Julien, DRH")).text.lower()
    next_steps = await person.say("Claire, claire@acme.example\nM. Julien Roche")
    assert f"Question 4/{len(checklist().express)}" in next_steps.text
    stored = stored_answers(db_path, user.user_id)["interviewers"]
    assert stored == "Claire, claire@acme.example\nM. Julien Roche"
    # The date and the choice come in the deeper part.
    await person.skip_to("interview_date", next_steps)
    date_error = await person.say("la semaine des quatre jeudis")
    assert "date" in date_error.text
    future = await person.say("25/12/2099")
    assert "futur" in future.text
    total = len(checklist().deeper)
    choice = await person.say("hier")
    assert f"Question 2/{total}" in choice.text
    assert stored_answers(db_path, user.user_id)["interview_date"] == "2026-11-25"
    error = await person.say("peut-être")
    assert "Oui" in error.text
    assert f"Question 3/{total}" in (await person.say("non")).text


async def test_text_without_a_debrief_explains_how_to_start(telegram: FakeTelegram) -> None:
    user = telegram.user(1011, language_code="en")
    person = Debriefer(user, "en")
    reply = await person.say("hello?")
    assert "/new" in reply.text
    started = await person.tap(reply, person.label("start.new_button"))
    assert f"Question 1/{len(checklist().express)}" in started.text
    greeting = await person.say("/start")
    assert "Debrief" in greeting.text
    helped = await person.say("/help")
    assert "/skip" in helped.text


async def test_buttons_of_earlier_questions_do_not_change_the_current_one(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1012, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    await person.say("Acme")
    date_question = await person.skip_to("interview_date", await person.say("Engineer"))
    yesterday = date_question.callback_data("Yesterday")
    await person.tap(date_question, "Today")
    query = await user.press(date_question, yesterday, force=True)
    answer = await telegram.wait_for_callback_answer(query)
    assert answer.text is not None
    assert "behind us" in answer.text
    assert stored_answers(db_path, user.user_id)["interview_date"] == "2026-11-26"


async def test_another_users_buttons_reveal_nothing(telegram: FakeTelegram, db_path: Path) -> None:
    alice = telegram.user(1013, language_code="en")
    mallory = telegram.user(1014, language_code="en")
    await alice.send_text("/new")
    alice_person = Debriefer(alice, "en")
    await alice_person.question("company")
    question = await alice_person.say("Acme")
    own = await Debriefer(mallory, "en").say("/new")
    forgeries = [question.callback_data(label) for label in ("Skip", "Back", "Finish now")]
    for forged in [*forgeries, "ans:1:company:Evil", "zzz:1", "res:1", "rst:1"]:
        query = await mallory.press(own, forged, force=True)
        answer = await telegram.wait_for_callback_answer(query)
        assert answer.text is not None
        assert "no longer exists" in answer.text
    assert stored_answers(db_path, alice.user_id) == {"company": "Acme"}
    assert stored_debriefs(db_path, alice.user_id)[0]["current_key"] == "position"


async def test_hostile_answers_are_stored_verbatim_and_nothing_is_rejected(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1015, language_code="en")
    person = Debriefer(user, "en")
    hostile = {
        "company": "<b>&</i> Acme & Sons <script>",
        "position": "*bold* _italic_ `code` [link](http://x) ~strike~ ||spoiler||",
        "interviewers": "Zoë 👩🏽‍💻 O'Brien",
        "convinced": "Zoë 👩🏽‍💻 O'Brien &amp; &lt;",
        "company_info": "é" * 4000,
        "atmosphere": "🙂" * 2000,
        "position_info": ("<pre>" + "x" * 60 + "\n") * 60,
        "how_it_went": "a&b<c>d" * 500,
    }
    await user.send_text("/new")
    ending = await person.answer_everything(hostile)
    assert telegram.rejected == []
    stored = stored_answers(db_path, user.user_id)
    for key, value in hostile.items():
        assert stored[key] == value.strip()
    # The whole summary, at the end of the deeper part.
    express_end = next(i for i, m in enumerate(ending) if "Debrief saved" in m.text)
    changed = text("en", "deeper.draft_changed")
    summary = [
        m for m in ending[express_end + 1 : -1] if "<pre>" not in m.html and changed not in m.text
    ]
    assert len(summary) >= 3
    assert all(len(message.text.encode("utf-16-le")) // 2 <= 4096 for message in summary)
    joined = "".join(message.text.replace("\n", "") for message in summary)
    for value in hostile.values():
        assert value.strip().replace("\n", "") in joined


async def test_group_chats_are_told_once_and_otherwise_ignored(telegram: FakeTelegram) -> None:
    user = telegram.user(1016, language_code="en")
    group = telegram.group(-100123, "Job hunters")
    await user.send_text("/new", chat_id=group.chat_id)
    notice = await telegram.wait_for_message(group.chat_id)
    assert "private chats" in notice.text
    await user.send_text("/new@debrief_test_bot", chat_id=group.chat_id)
    await user.send_text("hello", chat_id=group.chat_id)
    await telegram.wait_updates_consumed()
    # A private message after those proves the group's updates were handled (and ignored).
    await Debriefer(user, "en").say("/help")
    assert len(telegram.messages(group.chat_id)) == 1


async def test_command_menu_is_registered_in_french_and_english(telegram: FakeTelegram) -> None:
    scope = {"type": "all_private_chats"}
    english = {c["command"]: c["description"] for c in telegram.commands(scope=scope)}
    french = {
        c["command"]: c["description"] for c in telegram.commands(scope=scope, language_code="fr")
    }
    assert set(english) == set(french) == {
        "start", "new", "skip", "back", "cancel", "note", "history", "insights", "export",
        "delete", "reminders", "timezone", "language", "help",
    }  # fmt: skip
    assert english["skip"] != french["skip"]
    assert french["insights"] == "Vos tendances d'entretien en entretien"


async def test_language_command_switches_the_bot_language(telegram: FakeTelegram) -> None:
    user = telegram.user(1017, language_code="en")
    person = Debriefer(user, "en")
    choice = await person.say("/language")
    await user.press_button(choice, "Français")
    edited = await user.wait_edit(choice.message_id)
    assert "français" in edited.text
    started = await Debriefer(user, "fr").say("/new")
    assert "Avec quelle entreprise" in started.text
