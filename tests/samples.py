"""Sample debrief answers shared by the summary, email and rendering tests."""

from __future__ import annotations

from datetime import date

from conversations.checklist import Kind, checklist

__all__ = ["FULL_ANSWERS", "TODAY", "long_answers", "long_text"]

# A Thursday; the interview in FULL_ANSWERS took place the day before.
TODAY = date(2026, 11, 26)

FULL_ANSWERS: dict[str, str] = {
    "company": "Acme Robotics",
    "position": "Senior Backend Engineer",
    "interview_date": "2026-11-25",
    "interviewers": "Ms Claire Dubois, Head of platform, claire.dubois@acme.example",
    "interviewer_decides": "yes",
    "company_info": "They are moving their fleet telemetry to an event-driven platform. "
    "Growth of 40% this year.",
    "atmosphere": "Relaxed, people joked in the corridor.",
    "working_conditions": "Flexible hours, on-call one week in six.",
    "commute": "45 minutes by train, fine.",
    "position_info": "the team needs someone to own the ingestion pipeline",
    "impressions": "Very positive, I would like to join.",
    "rating": "4",
    "how_it_went": "Well overall, the system design part was hard.",
    "obstacles": "my lack of Kafka experience",
    "counter_arguments": "I ran a RabbitMQ cluster handling 2 million messages a day"
    " for three years",
    "awkward_questions": "Why did you leave your last job after 18 months?",
    "forgotten_questions": "What does on-call look like?\n"
    "How is the team split between sites?\n"
    "When would the role start?\n"
    "Is there a training budget?",
    "blunders": "I talked too long about my side project.",
    "best_arguments": "I cut the p99 latency of our payment API by 60% last year",
    "improve": "Prepare a short story for each project.",
    "convinced": "Claire, thanks to the latency story.",
    "not_convinced": "The CTO, who wanted Kafka experience.",
    "next_steps": "Answer before 5 December; a second round with the CTO.",
    "email_moment": "how you plan to move the fleet telemetry to events",
    "email_strength": "the RabbitMQ cluster I ran for three years, two million messages a day",
    "email_reassurance": "I have started Confluent's Kafka course and will finish it this month.",
}

_SENTENCES = (
    "The people I met were friendly and open, and explained their plans for the next two years. ",
    "Le poste demande de reprendre la chaîne d'ingestion & de former deux juniors <vite>. ",
    "What is the on-call rotation like on weekends and during the holidays? ",
    "Ça s'est bien passé 🙂 même si la partie conception système était difficile. ",
)


def long_text(length: int = 4000, *, seed: int = 0) -> str:
    """Return realistic prose of exactly `length` characters, several sentences long."""
    text = ""
    index = seed
    while len(text) < length:
        text += _SENTENCES[index % len(_SENTENCES)]
        index += 1
    return text[:length].rstrip() + "." * (length - len(text[:length].rstrip()))


def long_answers(length: int = 4000) -> dict[str, str]:
    """Return a debrief where every free-text answer is `length` characters long."""
    answers = dict(FULL_ANSWERS)
    for seed, question in enumerate(checklist()):
        if question.kind is Kind.TEXT:
            answers[question.key] = long_text(length, seed=seed)
    return answers
