"""The UCLA 3-item loneliness scale scored as published (Hughes et al. 2004; ONS 2018):
each item 1 (hardly ever or never), 2 (some of the time), 3 (often); the total is the
sum, 3 to 9; no score without all three answers. The direct question is checked but
never added. Ponte's risk level is its own rule on top (docs/referrals.md)."""

from __future__ import annotations

import pytest

from webapp.referrals import scales
from webapp.referrals.scales import ScaleError, risk_level, ucla3_score

C, L, ISO = scales.UCLA3_ITEMS


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        # The published range: the least lonely and the loneliest answers.
        ({C: 1, L: 1, ISO: 1}, 3),
        ({C: 3, L: 3, ISO: 3}, 9),
        # "Some of the time" throughout: the middle of the range.
        ({C: 2, L: 2, ISO: 2}, 6),
        # Mixed answers add up, whatever the order of the items.
        ({C: 1, L: 2, ISO: 3}, 6),
        ({C: 3, L: 1, ISO: 1}, 5),
        ({C: 2, L: 3, ISO: 3}, 8),
    ],
)
def test_the_score_is_the_sum_of_the_three_coded_answers(answers, total):
    assert ucla3_score(answers) == total


def test_every_possible_set_of_answers_scores_between_3_and_9():
    scores = {
        ucla3_score({C: a, L: b, ISO: c})
        for a in scales.UCLA3_ANSWERS
        for b in scales.UCLA3_ANSWERS
        for c in scales.UCLA3_ANSWERS
    }
    assert scores == set(range(3, 10))


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ({C: 1, L: 2}, ISO),  # an item not asked: no score is guessed
        ({C: None, L: 2, ISO: 2}, C),
        ({C: 0, L: 2, ISO: 2}, C),  # 0 is not an answer of the scale
        ({C: 2, L: 4, ISO: 2}, L),  # nor is 4 (the direct question has five answers)
    ],
)
def test_a_missing_or_foreign_answer_names_the_item(answers, item):
    with pytest.raises(ScaleError) as caught:
        ucla3_score(answers)
    assert caught.value.item == item


def test_the_direct_question_is_checked_and_may_be_left_unasked():
    assert scales.check_direct(None) is None
    assert scales.check_direct(5) == 5
    with pytest.raises(ScaleError):
        scales.check_direct(6)


@pytest.mark.parametrize(
    ("score", "direct", "factors", "level"),
    [
        (3, None, [], "low"),
        (5, 4, ["lives_alone"], "low"),
        (6, None, [], "medium"),  # the usual cut-off: 6 or more is lonely
        (4, None, ["lives_alone", "bereaved"], "medium"),
        (7, None, ["lives_alone", "mobility"], "high"),
        (3, 1, [], "high"),  # lonely often or always
    ],
)
def test_the_risk_level(score, direct, factors, level):
    assert risk_level(score, direct, factors).level == level
