"""Full-length reports of one event carry background the others do not: earlier years, other people, a statement
quoted at length. None of it makes them other events; only a text with no date of its own is placed by the
years it states. The reports are written for these tests in the shape of real multi-outlet coverage."""

from __future__ import annotations

import pytest

from datetime import datetime, timezone

from watcher.dedupe.sketch import Sketch, sketch
from watcher.dedupe.story import Candidate, compare, decide
from watcher.store.stories import weigh

NOW = datetime.now(timezone.utc).replace(microsecond=0).timestamp()
WINDOW = 3 * 86400.0

# one event (a minister resigns over a rail contract), two outlets, each with its own background year
RESIGNS = ("Transport minister Alan Pryce resigns over Kestrel rail contract",
           "Transport minister Alan Pryce resigned on Thursday after auditors found the Kestrel rail contract had been "
           "awarded without a tender, a deal first signed with Norland Rail in 2019. Prime Minister Helen Ashby "
           "accepted the resignation and named deputy minister Ruth Okoro to the post. The audit office said the "
           "contract had cost taxpayers far more than planned and that officials had ignored warnings from engineers. "
           "Opposition leader Mark Tennant called for a full inquiry into the Kestrel line and the ministry's dealings "
           "with Norland Rail.")
QUITS = ("Pryce quits as Kestrel audit piles pressure on Ashby government",
         "Alan Pryce has quit as transport minister, hours after an audit of the Kestrel rail contract found it was "
         "handed to Norland Rail without a tender. Pryce, who has led the ministry since the 2021 reshuffle, said in "
         "a letter to Prime Minister Helen Ashby that he took responsibility for the failings. Ashby accepted the "
         "resignation and appointed Ruth Okoro in his place. The audit office said officials had ignored engineers' "
         "warnings and that the Kestrel contract had cost taxpayers far more than planned, and Mark Tennant, the "
         "opposition leader, demanded an inquiry.")


def _placed(title: str, body: str, at: float, dated: bool) -> Sketch:
    return weigh(sketch(title, body, at, dated=dated), {})


def test_dated_reports_that_mention_other_earlier_years_are_one_story() -> None:
    first = _placed(*RESIGNS, NOW, dated=True)
    second = _placed(*QUITS, NOW + 3600, dated=True)
    assert first.event_year() == 2019 and second.event_year() == 2021  # each text's latest year is background
    best, closest = decide(second, [Candidate(1, 1, first)], WINDOW)
    assert best is not None and best.signal == "content", closest


def test_undated_texts_dating_their_event_to_other_years_are_other_stories() -> None:
    """Archive pages or copies with no date of their own are found now; the years they state are the better
    guide, so two that date their event to other years stay apart however alike their words."""
    first = _placed(*RESIGNS, NOW, dated=False)
    second = _placed(*QUITS, NOW + 3600, dated=False)
    best, closest = decide(second, [Candidate(1, 1, first)], WINDOW)
    assert best is None, best
    assert closest is not None and "date the event 2019 and 2021" in closest.why, closest


def test_the_undated_mark_survives_storage() -> None:
    undated = sketch(*RESIGNS, NOW, dated=False)
    assert not Sketch.from_bytes(undated.to_bytes()).dated
    assert Sketch.from_bytes(sketch(*RESIGNS, NOW).to_bytes()).dated


# two outlets quote the same statement at length, each with its own people around it
STATEMENT = (
    '"The board of the Harrowgate Infirmary has learned with deep regret that records of patients treated in the '
    'east wing between March and June were left on an unsecured server for several weeks. We have written to every '
    'patient affected, we have reported the matter to the Information Commissioner, and we have asked Calder '
    'Security to review how the server came to be exposed. We apologise without reservation to the patients and '
    'their families, and we will publish the findings of the review in full," the statement said.')
LEAKED = ("Harrowgate Infirmary admits patient records were exposed online",
          "The Harrowgate Infirmary said on Monday that patient records had been exposed online. " + STATEMENT + " "
          "Health secretary Priya Nandakumar said she had asked NHS Digital for a briefing, and the Liberal Democrat "
          "MP for Harrowgate, Owen Ferris, said his constituents deserved answers. Patients' group Voice of Wharfe "
          "said several members had called its helpline in Leeds.")
APOLOGY = ("Infirmary apologises over exposed east wing records",
           "Harrowgate Infirmary apologised on Monday after records of east wing patients were exposed on a server. "
           + STATEMENT + " Cyber security researcher Dana Whitlock of Leeds, who first spotted the server, said "
           "it had been reachable by anyone for at least a month, and Labour councillor Imran Shah called for the "
           "chief executive, Gillian Marsh, to appear before the Yorkshire health scrutiny panel.")


@pytest.mark.xfail(strict=True, reason=(
    "known miss: a copy sharing under half its names is vetoed, because the same notice for another town "
    "(tests/test_kill.py's bus orders: 3 of 7 names shared) must stay another story; telling the two apart "
    "needs the headline's names"))
def test_reports_quoting_one_statement_with_their_own_people_besides_are_one_story() -> None:
    first = _placed(*LEAKED, NOW, dated=True)
    second = _placed(*APOLOGY, NOW + 1800, dated=True)
    shared = len(first.names & second.names) / min(len(first.names), len(second.names))
    assert 0.4 <= shared < 0.6, (sorted(first.names), sorted(second.names))  # about half their names each
    v = compare(second, Candidate(1, 1, first), WINDOW)
    assert v.same and not v.veto, v
