"""What the user reads: valid Telegram HTML, within Telegram's limits, with the right buttons."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from bot import render
from bot.callbacks import MAX_BYTES, Action, Button
from bot.render import MESSAGE_LIMIT, Line, Reply, escape, pack, utf16_len
from conversations.checklist import Kind, checklist
from conversations.email import EmailDraft, build_thank_you
from conversations.flow import previous_key
from conversations.french import typeset
from conversations.i18n import LANGUAGES, Language, catalog, placeholders
from conversations.model import Debrief, ReminderKind, Status
from conversations.summary import build_summary
from tests.samples import FULL_ANSWERS, TODAY, long_answers, long_text

ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})
_MARKUP = re.compile(r"</?(?:b|i|u|s|code|pre|blockquote)>|<a href=\"[^\"<>]*\">|</a>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")
NASTY = "Acme <b>&</i> R&D <script>alert(1)</script> &amp; 🚀"


class _Parsed(HTMLParser):
    """A Telegram HTML message taken apart: its visible text, links and markup problems."""

    def __init__(self, message: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text_parts: list[str] = []
        self.links: list[str] = []
        self.problems: list[str] = []
        self._stack: list[str] = []
        self.feed(message)
        self.close()
        self.problems += [f"<{tag}> never closed" for tag in self._stack]

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not a Telegram tag")
        if tag == "a":
            self.links += [value for name, value in attrs if name == "href" and value]
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or self._stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close {self._stack[-1:]}")
            return
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)


def assert_valid_message(message: str) -> str:
    """Check a message is balanced Telegram HTML within the limit; return its visible text."""
    parsed = _Parsed(message)
    assert parsed.problems == []
    without_markup = _MARKUP.sub("", message)
    assert "<" not in without_markup, "a user '<' went out unescaped"
    assert ">" not in without_markup, "a user '>' went out unescaped"
    assert _ENTITY.sub("", without_markup).count("&") == 0, "a user '&' went out unescaped"
    # Telegram measures the text after parsing the entities, in UTF-16 code units.
    assert 0 < utf16_len(parsed.text) <= MESSAGE_LIMIT
    return parsed.text


def _debrief(
    current_key: str | None,
    answers: dict[str, str] | None = None,
    *,
    debrief_id: int = 12,
) -> Debrief:
    return Debrief(
        id=debrief_id,
        user_id=42,
        status=Status.ACTIVE,
        current_key=current_key,
        asked_key=current_key,
        asked_message_id=100,
        append_key=None,
        answers={} if answers is None else answers,
    )


def _buttons(reply: Reply) -> list[Button]:
    assert reply.markup is not None
    buttons = []
    for row in reply.markup.inline_keyboard:
        for button in row:
            assert isinstance(button.callback_data, str)
            decoded = Button.decode(button.callback_data)
            assert decoded is not None
            buttons.append(decoded)
    return buttons


def _actions(reply: Reply) -> list[Action]:
    return [button.action for button in _buttons(reply)]


def _question(
    current_key: str,
    answers: dict[str, str] | None = None,
    *,
    language: Language = "en",
    show_answer: bool = False,
) -> Reply:
    return render.question(
        checklist(),
        _debrief(current_key, answers),
        language=language,
        today=TODAY,
        show_answer=show_answer,
    )


# --- escape and pack ---------------------------------------------------------------------------


def test_escape_neutralises_markup_but_keeps_quotes() -> None:
    assert escape("<b>&</i>") == "&lt;b&gt;&amp;&lt;/i&gt;"
    assert escape('l\'entretien "ok"') == 'l\'entretien "ok"'
    assert escape(42) == "42"
    assert escape("&amp;") == "&amp;amp;"


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("é") == 1
    assert utf16_len("😀") == 2
    assert utf16_len("👍🏽") == 4


def test_pack_keeps_short_lines_in_one_message_with_their_style() -> None:
    messages = pack([Line("Title", "bold"), Line(""), Line("label", "italic"), Line(NASTY)])

    assert messages == [f"<b>Title</b>\n\n<i>label</i>\n{escape(NASTY)}"]
    assert assert_valid_message(messages[0]) == f"Title\n\nlabel\n{NASTY}"


def test_pack_of_nothing_is_no_message() -> None:
    assert pack([]) == []
    assert pack([Line(""), Line("")]) == []


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([Line("😀" * 3000)], id="one-line-of-3000-emoji"),
        pytest.param([Line("👍🏽 ok " * 800, "bold")], id="skin-tone-emoji-and-words"),
        pytest.param([Line("❤️🚀" * 1500), Line("🎉" * 2047), Line("x🎉" * 1400)], id="mixed"),
        pytest.param([Line(f"{n} 😀😀😀 & <ok>") for n in range(2000)], id="many-emoji-lines"),
        pytest.param([Line("x" * 10_000)], id="one-10000-character-line-without-spaces"),
        pytest.param([Line("word " * 2000)], id="one-10000-character-line-with-spaces"),
        pytest.param([Line("a" * 4000, "italic") for _ in range(5)], id="lines-of-4000"),
        pytest.param([Line("&" * 4096), Line("<" * 4097)], id="escaped-characters-at-the-limit"),
    ],
)
def test_pack_never_produces_a_message_over_4096_utf16_units(lines: list[Line]) -> None:
    messages = pack(lines)

    assert messages
    for message in messages:
        assert_valid_message(message)


def test_pack_splits_a_10000_character_line_at_spaces_and_loses_no_word() -> None:
    words = [f"w{n}" for n in range(2000)]
    line = " ".join(words)
    assert len(line) > 10_000

    messages = pack([Line(line)])

    assert len(messages) == 3
    texts = [assert_valid_message(message) for message in messages]
    assert " ".join(texts).split() == words
    assert all(not text.startswith(" ") and not text.endswith(" ") for text in texts)


def test_pack_cuts_a_line_without_spaces_exactly_at_the_limit() -> None:
    messages = pack([Line("x" * 10_000)])

    assert [len(message) for message in messages] == [4096, 4096, 1808]


def test_pack_puts_each_4000_character_line_in_its_own_message() -> None:
    lines = [Line(str(n) * 4000) for n in range(3)]

    messages = pack(lines)

    assert messages == [line.text for line in lines]


def test_pack_splits_on_line_boundaries_and_fills_each_message() -> None:
    lines = [Line(f"{n:03d} " + "é" * 95) for n in range(100)]

    messages = pack(lines)

    assert len(messages) == 3
    received = [part for message in messages for part in message.split("\n")]
    assert received == [line.text for line in lines]
    for message in messages[:-1]:
        assert utf16_len(message) > MESSAGE_LIMIT - 100


def test_pack_drops_blank_lines_at_the_start_of_a_message() -> None:
    messages = pack([Line("a" * 4095), Line(""), Line(""), Line("b")])

    assert messages == ["a" * 4095, "b"]


def test_pack_respects_a_smaller_limit() -> None:
    line = "one two three four five six seven eight nine ten"

    messages = pack([Line(line)], limit=10)

    assert all(utf16_len(message) <= 10 for message in messages)
    assert "".join(messages).replace(" ", "") == line.replace(" ", "")


# --- question ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_shows_its_number_section_and_prompt(language: Language) -> None:
    for number, current in enumerate(checklist(), start=1):
        reply = _question(current.key, {"company": "Acme"}, language=language)

        section = checklist().section_of(current.key).title(language)
        assert f"<b>{escape(section)}</b> · Question {number}/{len(checklist())}" in reply.text
        assert escape(current.prompt(language)) in reply.text
        assert_valid_message(reply.text)


def test_a_choice_question_has_one_button_per_option() -> None:
    reply = _question("interviewer_decides", language="fr")

    answers = [button for button in _buttons(reply) if button.action is Action.ANSWER]
    assert answers == [
        Button(Action.ANSWER, 12, "interviewer_decides", "yes"),
        Button(Action.ANSWER, 12, "interviewer_decides", "no"),
        Button(Action.ANSWER, 12, "interviewer_decides", "unknown"),
    ]
    assert reply.markup is not None
    labels = [button.text for button in reply.markup.inline_keyboard[0]]
    assert labels == ["Oui", "Non", "Je ne sais pas"]


def test_a_rating_question_has_five_buttons() -> None:
    reply = _question("rating")

    answers = [button.value for button in _buttons(reply) if button.action is Action.ANSWER]
    assert answers == ["1", "2", "3", "4", "5"]


def test_a_date_question_offers_today_and_yesterday() -> None:
    reply = _question("interview_date", language="fr")

    answers = [button.value for button in _buttons(reply) if button.action is Action.ANSWER]
    assert answers == ["2026-11-26", "2026-11-25"]
    assert reply.markup is not None
    assert [button.text for button in reply.markup.inline_keyboard[0]] == ["Aujourd'hui", "Hier"]


@pytest.mark.parametrize("key", ["position", "interviewers", "next_steps"])
def test_text_and_email_questions_have_no_answer_buttons(key: str) -> None:
    assert Action.ANSWER not in _actions(_question(key, {"company": "Acme"}))


def test_the_required_company_question_cannot_be_skipped_and_has_no_back() -> None:
    reply = _question("company")

    assert reply.markup is None or not {Action.SKIP, Action.BACK} & set(_actions(reply))


def test_every_question_but_the_first_can_be_skipped_or_gone_back_from() -> None:
    for current in list(checklist())[1:]:
        actions = _actions(_question(current.key, {"company": "Acme"}))

        assert Action.BACK in actions, current.key
        assert Action.SKIP in actions, current.key


def test_skip_and_back_carry_the_current_question() -> None:
    buttons = _buttons(_question("atmosphere", {"company": "Acme"}))

    assert Button(Action.SKIP, 12, "atmosphere") in buttons
    assert Button(Action.BACK, 12, "atmosphere") in buttons


@pytest.mark.parametrize(
    ("answers", "show_answer", "keep_shown"),
    [
        ({"company": "Acme", "commute": "45 minutes"}, True, True),
        ({"company": "Acme", "commute": "45 minutes"}, False, False),
        ({"company": "Acme"}, True, False),
        ({"company": "Acme"}, False, False),
    ],
)
def test_keep_is_offered_only_when_showing_an_existing_answer(
    answers: dict[str, str], show_answer: bool, keep_shown: bool
) -> None:
    reply = _question("commute", answers, show_answer=show_answer)

    assert (Action.KEEP in _actions(reply)) is keep_shown
    assert ("45 minutes" in reply.text) is keep_shown
    if keep_shown:
        assert _buttons(reply)[0] == Button(Action.KEEP, 12, "commute")


def test_the_shown_answer_is_escaped_and_displayed_readably() -> None:
    text_reply = _question("commute", {"company": "Acme", "commute": NASTY}, show_answer=True)
    rating_reply = _question("rating", {"company": "Acme", "rating": "4"}, show_answer=True)

    assert escape(NASTY) in text_reply.text
    assert NASTY in assert_valid_message(text_reply.text)
    assert "★★★★☆ 4/5" in rating_reply.text


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(long_text(4000), id="4000-characters"),
        pytest.param("<&>" * 2000, id="6000-characters-to-escape"),
        pytest.param("🚀" * 2048, id="a-whole-message-of-emoji"),
        pytest.param("🚀 " * 3000, id="6000-characters-of-emoji-and-spaces"),
    ],
)
def test_a_long_shown_answer_is_shortened_so_the_question_fits_one_message(answer: str) -> None:
    reply = _question("impressions", {"company": "Acme", "impressions": answer}, show_answer=True)

    shown = assert_valid_message(reply.text)
    assert "…" in shown
    assert checklist().question("impressions").prompt("en") in shown


def test_add_is_offered_when_the_previous_text_question_was_answered() -> None:
    reply = _question("interview_date", {"company": "Acme", "position": "Engineer"})

    assert Button(Action.ADD, 12, "position") in _buttons(reply)


@pytest.mark.parametrize(
    ("current_key", "answers"),
    [
        pytest.param("interview_date", {"company": "Acme"}, id="previous-skipped"),
        pytest.param("company_info", {"interviewer_decides": "yes"}, id="previous-choice"),
        pytest.param("how_it_went", {"rating": "3"}, id="previous-rating"),
        pytest.param("interviewers", {"interview_date": "2026-11-25"}, id="previous-date"),
        pytest.param("company", {}, id="first-question"),
    ],
)
def test_add_is_not_offered_otherwise(current_key: str, answers: dict[str, str]) -> None:
    reply = _question(current_key, answers)

    assert reply.markup is None or Action.ADD not in _actions(reply)


def test_finish_appears_only_once_the_company_is_answered() -> None:
    without_company = _question("position", {})
    with_company = _question("position", {"company": "Acme"})

    assert Action.FINISH not in _actions(without_company)
    assert _buttons(with_company)[-1] == Button(Action.FINISH, 12)


def test_a_preface_comes_before_the_question() -> None:
    reply = render.question(
        checklist(),
        _debrief("position", {"company": "Acme"}),
        language="en",
        today=TODAY,
        preface="Welcome back!",
    )

    assert reply.text.startswith("Welcome back!\n<b>The context</b>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_callback_data_of_every_question_fits_64_bytes(language: Language) -> None:
    for current in checklist():
        debrief = _debrief(current.key, FULL_ANSWERS, debrief_id=2**63 - 1)
        reply = render.question(
            checklist(), debrief, language=language, today=TODAY, show_answer=True
        )

        assert reply.markup is not None
        for row in reply.markup.inline_keyboard:
            for button in row:
                assert isinstance(button.callback_data, str)
                assert len(button.callback_data.encode()) <= MAX_BYTES
                assert Button.decode(button.callback_data) is not None
        expected = {Action.FINISH, Action.KEEP}
        before = previous_key(checklist(), debrief, current.key)
        previous = None if before is None else checklist().question(before)
        if previous is not None:
            expected |= {Action.BACK, Action.SKIP}
            if previous.kind is Kind.TEXT:
                expected.add(Action.ADD)
        if current.kind in {Kind.CHOICE, Kind.RATING, Kind.DATE}:
            expected.add(Action.ANSWER)
        assert expected <= set(_actions(reply)), current.key


# --- summary -----------------------------------------------------------------------------------


def test_a_short_summary_is_one_message_with_every_answer() -> None:
    result = build_summary(FULL_ANSWERS, language="en", checklist=checklist())

    messages = render.summary(result)

    assert len(messages) == 1
    text = assert_valid_message(messages[0])
    assert text.startswith(
        "📋 Debrief: Acme Robotics — Senior Backend Engineer\n\n▌To remember for next time\n"
        "Obstacles to hiring me\nmy lack of Kafka experience\nYour answer: I ran"
    )
    assert "\n▌The context\nInterview date\n" in text
    assert "Rating\n★★★★☆ 4/5" in text
    assert "<b>▌What I learned</b>" in messages[0]
    assert "<i>Commute</i>" in messages[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_summary_is_split_into_valid_messages_with_every_answer_verbatim(
    language: Language,
) -> None:
    answers = long_answers(4000)
    answers["impressions"] = f"{NASTY}\nsecond line 🚀\n{long_text(3000, seed=2)}"
    result = build_summary(answers, language=language, checklist=checklist())
    assert sum(len(item.answer) for section in result.sections for item in section.items) > 4096

    messages = render.summary(result)

    assert len(messages) > 1
    text = "\n".join(assert_valid_message(message) for message in messages)
    for question in checklist():
        if question.key in ("company", "position"):
            # Named by the title (spaced as French in French), not repeated under it.
            named = typeset(answers[question.key]) if language == "fr" else answers[question.key]
            assert named in result.title
            continue
        if question.kind is Kind.TEXT:
            assert answers[question.key] in text, question.key
        if question.key != "counter_arguments":  # shown under the obstacles, as their answer
            assert question.label(language) in text


def test_a_single_answer_longer_than_a_message_keeps_all_its_words() -> None:
    answer = " ".join(f"mot{n}" for n in range(2500))
    result = build_summary(
        {"company": "Acme", "impressions": answer}, language="fr", checklist=checklist()
    )

    messages = render.summary(result)

    assert len(messages) >= 3
    text = " ".join(assert_valid_message(message) for message in messages)
    assert answer in " ".join(text.split())


# --- email -------------------------------------------------------------------------------------


def _email_message(draft: EmailDraft, language: Language = "en") -> str:
    return render.email(draft, language=language, advice_key="email.advice_today")


def _link(message: str) -> str:
    [link] = _Parsed(message).links
    return link


def test_the_draft_is_wrapped_in_pre_with_recipient_subject_and_body() -> None:
    [draft] = build_thank_you(FULL_ANSWERS, language="en", sender="Jean Martin", today=TODAY)

    message = _email_message(draft)

    [block] = re.findall(r"<pre>(.*)</pre>", message, flags=re.DOTALL)
    assert block == escape(
        f"To: claire.dubois@acme.example\nSubject: {draft.subject}\n\n{draft.body}"
    )
    assert message.startswith("✉️ <b>Your thank-you email</b>")
    assert message.endswith("within 24 hours of the interview.")
    assert_valid_message(message)


def test_user_text_in_the_draft_is_escaped() -> None:
    draft = EmailDraft(("a@b.fr",), subject=f"Thanks — {NASTY}", body=f"Dear {NASTY},\n\nBye")

    message = _email_message(draft)

    text = assert_valid_message(message)
    assert f"Subject: Thanks — {NASTY}" in text
    assert f"Dear {NASTY}," in text
    assert "<script>" not in message


def test_the_mailto_link_opens_the_whole_draft() -> None:
    [draft] = build_thank_you(FULL_ANSWERS, language="fr", sender="Jean Martin", today=TODAY)

    message = _email_message(draft, "fr")

    link = _link(message)
    assert link == draft.mailto()
    query = parse_qs(urlsplit(link).query)
    assert query == {"subject": [draft.subject], "body": [draft.body]}
    assert "L'ouvrir dans votre messagerie</a>" in message


def _two_people(**more: str) -> Debrief:
    people = "Mme Claire Martin, DRH, claire@acme.fr\nJulien Roche, CTO, julien@acme.fr"
    return replace(
        _debrief(None, {**FULL_ANSWERS, "interviewers": people, **more}), status=Status.DONE
    )


def test_two_people_met_get_a_draft_each_then_a_button_for_one_to_both() -> None:
    replies = render.thank_you_for(_two_people(), language="fr", sender="Jean", today=TODAY)

    assert len(replies) == 2
    first, second = (assert_valid_message(reply.text) for reply in replies)
    assert "pour Claire Martin" in first
    assert "À\u00a0: claire@acme.fr" in first
    assert "Bonjour Madame Martin," in first
    assert "pour Julien Roche" in second
    assert "À\u00a0: julien@acme.fr" in second
    assert "Bonjour Julien Roche," in second
    assert "24 heures" not in first
    assert "24 heures" in second
    assert "Envoyez-les" in second  # both drafts
    assert _buttons(replies[0]) == [Button(Action.THANKS_SENT, 12)]
    assert _buttons(replies[1]) == [
        Button(Action.THANKS_SENT, 12),
        Button(Action.DRAFT, 12, "joint"),
    ]


def test_the_joint_draft_goes_to_both_and_offers_one_each_again() -> None:
    [reply] = render.thank_you_for(
        _two_people(), language="en", sender="Jean", today=TODAY, joint=True
    )

    text = assert_valid_message(reply.text)
    assert "To: claire@acme.fr, julien@acme.fr" in text
    assert "Dear Ms Martin and Julien Roche," in text
    assert "mailto:claire@acme.fr,julien@acme.fr?" in reply.text
    assert "Send it" in text
    assert _buttons(reply) == [Button(Action.THANKS_SENT, 12), Button(Action.DRAFT, 12, "each")]


def test_there_is_no_link_without_the_interviewers_email() -> None:
    [draft] = build_thank_you({"company": "Acme"}, language="en", sender="Jean", today=TODAY)

    message = _email_message(draft)

    assert draft.to is None
    assert "<a " not in message
    assert "To:" not in message


def test_a_mailto_link_past_2000_characters_leaves_the_body_out() -> None:
    body = "Un corps d'e-mail accentué, très détaillé & précis. " * 60
    draft = EmailDraft(("claire@acme.example",), subject="Merci — Acme & Co", body=body)
    full_link = draft.mailto()
    assert full_link is not None
    assert len(full_link) > 2000

    link = _link(_email_message(draft))

    assert link == full_link.split("&body=", 1)[0]
    assert "body=" not in link
    assert parse_qs(urlsplit(link).query) == {"subject": ["Merci — Acme & Co"]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_email_for_a_debrief_of_long_answers_fits_one_message(language: Language) -> None:
    [draft] = build_thank_you(long_answers(4000), language=language, sender="Jean", today=TODAY)

    assert_valid_message(_email_message(draft, language))


def _visible(replies: list[Reply]) -> list[str]:
    return [assert_valid_message(reply.text) for reply in replies]


def test_an_address_stored_before_addresses_were_capped_is_left_out_of_the_draft() -> None:
    # An address of 4,000 characters, stored before addresses were capped.
    to = "claire." * 570 + "@acme.example"
    answers = {**long_answers(4000), "interviewers": f"Claire, {to}"}
    debrief = replace(_debrief(None, answers, debrief_id=7), status=Status.DONE)

    [reply] = render.thank_you_for(debrief, language="fr", sender="Jean", today=TODAY)

    text = assert_valid_message(reply.text)
    assert "claire.claire." not in text
    assert "Bonjour Claire," in text
    assert _buttons(reply) == [Button(Action.THANKS_SENT, 7)]
    assert text.endswith("24 heures qui suivent l'entretien.")


def test_a_reminder_whose_draft_cannot_fit_carries_its_buttons_on_its_last_message() -> None:
    draft = EmailDraft((), subject="Merci — Acme", body="Bonjour,\n\n" + long_text(6000))

    replies = render.reminder(
        ReminderKind.FEEDBACK, 3, language="fr", intro="Intro", drafts=[draft]
    )

    _visible(replies)
    assert len(replies) >= 3
    assert replies[0].text == "Intro"
    assert [reply.markup is not None for reply in replies] == [False] * (len(replies) - 1) + [True]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_fits_one_message_whatever_the_users_values(language: Language) -> None:
    texts = catalog()
    for key in sorted(texts.keys(language)):
        names = placeholders(texts.template(language, key))
        filled = render.text(language, key, **dict.fromkeys(names, "<&>" + long_text(6000)))
        assert_valid_message(filled)


# --- small replies -----------------------------------------------------------------------------


def test_start_escapes_the_users_name_and_offers_a_new_debrief() -> None:
    reply = render.start("en", name="<Bob & co>")

    assert "Hi &lt;Bob &amp; co&gt;!" in reply.text
    assert _buttons(reply) == [Button(Action.NEW)]
    assert_valid_message(reply.text)


def test_draft_choice_names_the_company_shortened_and_escaped() -> None:
    debrief = _debrief("position", {"company": NASTY + "x" * 200})

    reply = render.draft_choice(checklist(), debrief, language="en")

    text = assert_valid_message(reply.text)
    assert f"1 of {len(checklist())} answered" in text
    assert "Acme <b>&</i>" in text
    assert "x" * 100 not in text
    assert _buttons(reply) == [Button(Action.RESUME, 12), Button(Action.RESTART, 12)]


@pytest.mark.parametrize(
    ("language", "express", "whole"),
    [
        ("en", "8 answers so far, and 18 more questions when you go deeper", "8 of 26 questions"),
        (
            "fr",
            "8 réponses pour l'instant, et 18 autres questions pour approfondir",
            "8 réponses sur 26",
        ),
    ],
)
def test_the_express_end_counts_what_is_left_to_go_deeper_not_the_whole_checklist(
    language: Language, express: str, whole: str
) -> None:
    car_park = render.finished(
        language=language,
        debrief_id=1,
        answered=8,
        total=26,
        left=18,
        thank_you_when=None,
        no_news_when=None,
    )
    complete = render.finished(
        language=language,
        debrief_id=1,
        answered=8,
        total=26,
        thank_you_when=None,
        no_news_when=None,
    )

    assert express in car_park.text
    assert "26" not in car_park.text
    assert whole in complete.text


def test_language_choice_offers_every_language() -> None:
    reply = render.language_choice("fr")

    assert _buttons(reply) == [Button(Action.LANGUAGE, None, lang) for lang in LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_transcript_is_shown_escaped_with_a_retype_button(language: Language) -> None:
    retype = Button(Action.RETYPE, 12, "position")

    reply = render.heard(NASTY, language=language, retype=retype)

    assert NASTY in assert_valid_message(reply.text)
    assert _buttons(reply) == [retype]


def test_a_long_transcript_is_shortened_and_without_a_debrief_has_no_button() -> None:
    transcript = long_text(12_000)

    reply = render.heard(transcript, language="fr", retype=None)

    text = assert_valid_message(reply.text)
    assert text.endswith("…\u00a0»")
    assert reply.markup is None
