"""A refused user is told at most once an hour, and the memory of refusals stays bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.access import RefusalBudget

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_refused_user_is_told_again_only_after_an_hour() -> None:
    budget = RefusalBudget()

    assert budget.spend(1, T0)
    assert not budget.spend(1, T0 + timedelta(minutes=59))
    assert budget.spend(2, T0 + timedelta(minutes=59))
    assert budget.spend(1, T0 + timedelta(hours=1))


def test_past_its_size_the_budget_forgets_the_oldest_refusal_first() -> None:
    budget = RefusalBudget(remembered=3)
    for user_id in (1, 2, 3, 4):
        assert budget.spend(user_id, T0)

    assert budget.spend(1, T0)
    assert not budget.spend(4, T0)
    assert len(budget._last) == 3
