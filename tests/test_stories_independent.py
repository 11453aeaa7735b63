"""Independent reports of one event, told in each outlet's own words, make one story: one alert, the later
reports listed as "also reported by"; the stories do not depend on the order a feed lists its entries, and
`watcher stories --rebuild` gives back what the daemon built. Real server, real webhook receiver, the real
`watcher` command. The reports are written for these tests in the shape of real multi-outlet coverage."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.pages import news_page, rss
from tests.postgres import another_database
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.dedupe import story as story_module
from watcher.dedupe.sketch import sketch
from watcher.dedupe.story import Candidate, compare, decide
from watcher.run.poll import story_sketch
from watcher.model import Article, Entry
from watcher.store import Store
from watcher.store.stories import weigh

NOW = datetime.now(timezone.utc).replace(microsecond=0)

# three outlets, one event (a ferry runs aground), three angles: the rescue, the operator's business, the harbour
REPORTS = {
    "coast": ("Coastguard lifts passengers off ferry aground near Inverkellan", [
        "Coastguard crews worked through the night to bring 43 passengers ashore after the Westmarine Lines ferry "
        "Corran Star ran aground on rocks outside Inverkellan harbour on Tuesday evening.",
        "The lifeboat from Port Ardrie and a rescue helicopter were sent shortly after the ferry reported taking on "
        "water near the Sgeir Dhubh reef. Nobody was seriously hurt, the coastguard said.",
        "Passengers described a loud scraping noise and a sudden list to one side as the ferry struck the reef. "
        "Several were treated for cold at the Inverkellan community hall before being taken to hotels.",
        "Salvage experts are expected to inspect the hull of the Corran Star at low tide on Wednesday morning.",
    ]),
    "business": ("Westmarine Lines cancels island sailings after Corran Star grounding", [
        "Westmarine Lines has cancelled all sailings to the outer islands for the rest of the week after its "
        "ferry Corran Star ran aground near Inverkellan, leaving the operator without a relief vessel.",
        "The company said the grounding on the Sgeir Dhubh reef would cost it bookings at the busiest time of "
        "the autumn, and that freight customers would be offered places on chartered boats instead.",
        "Westmarine chief executive Morag Tulloch apologised to islanders and said the firm would cooperate "
        "fully with the marine accident investigators who arrived in Inverkellan on Wednesday.",
        "Hauliers warned that shelves in island shops could empty within days if the Corran Star stays out.",
    ]),
    "harbour": ("Harbour master calls for inquiry into Inverkellan reef markers", [
        "Inverkellan harbour master Eilidh Brannock has called for an inquiry into the lights marking the Sgeir "
        "Dhubh reef after the Corran Star ferry ran aground there on Tuesday.",
        "Ms Brannock said she had warned twice in the past year that one of the reef's markers was failing, and "
        "that the Westmarine Lines vessel had come in on the usual approach in poor visibility.",
        "Residents gathered on the harbour wall on Wednesday as tugs stood by the stricken ferry, which is "
        "listing on the reef with its bow raised.",
        "The lighthouse board said an engineer would check the markers once the ferry had been refloated.",
    ]),
}
# the same harbour master and town, the same day, another matter: a story of its own
OTHER = ("Inverkellan harbour fees to rise for yachts next season", [
    "Inverkellan harbour master Eilidh Brannock said on Tuesday that berthing fees for visiting yachts would "
    "rise next season to pay for new pontoons at the marina.",
    "The harbour board approved the plan after a survey found the old pontoons were beyond repair, and "
    "sailing clubs were told the rise would be phased in over two summers.",
    "Local sailors said the marina had grown busier each year and that the new berths were overdue.",
])


# a local wire's other news of the week, so the store knows which words are common here
WIRE = [
    ("Inverkellan school roof repairs finished", [
        "Builders have finished replacing the leaking roof of Inverkellan primary school, two weeks ahead of the "
        "half-term deadline the council had set in the spring.",
        "Head teacher Alasdair Quinn said pupils would return to the upstairs classrooms on Monday."]),
    ("Port Ardrie lifeboat crew honoured for storm rescue", [
        "Four volunteers from the Port Ardrie lifeboat received bravery awards at a ceremony in Glasgow for "
        "rescuing two fishermen during a February storm.",
        "Coxswain Ruaridh Mackay said the crew had trained for years for a night like that one."]),
    ("Winter timetable brings fewer island crossings", [
        "Islanders will have three crossings a day instead of five from November under the winter timetable "
        "published on Friday, which ferry users called a blow to tourism.",
        "Community council member Isla Munro said shops on the islands depended on the evening boat."]),
    ("Inverkellan surgery welcomes new doctor", [
        "A new family doctor has joined the Inverkellan medical practice, ending a year in which patients waited "
        "up to a month for an appointment.",
        "Dr Hamish Reid, who trained in Aberdeen, said he had spent childhood summers in the town."]),
    ("Harbour board elects new chair", [
        "The Inverkellan harbour board has elected retired skipper Donald Ferguson as its chair after the previous "
        "chair stepped down for health reasons.",
        "Mr Ferguson said his priorities were the fish market and the repairs to the north pier."]),
    ("Distillery plans visitor centre on the shore road", [
        "The Glenbrae distillery has applied for permission to build a visitor centre and cafe on the shore road, "
        "promising twelve new jobs.",
        "Neighbours raised concerns about parking during the summer months."]),
]


def wire_items(web: WebServer) -> list[dict]:
    items = []
    for n, (title, paras) in enumerate(WIRE):
        path = f"/wire/news/{n}.html"
        web.route(path, Route(news_page(title, paras, outlet="Wire", date=NOW.date().isoformat())))
        items.append({"title": title, "link": "{{BASE}}" + path, "guid": path,
                      "published": NOW - timedelta(days=1, hours=n)})
    return items


def serve(web: WebServer, names: list[str], one_feed: bool = False) -> list[dict]:
    """The reports `names` (of REPORTS, and "other" for OTHER), one feed per outlet (the harbour outlet's also
    carries OTHER) after the wire's feed, or all in one feed listed in the order of `names`; returns the
    sources."""
    pages = {name: (title, paras, f"/{name}/news/ferry.html", h) for h, (name, (title, paras))
             in enumerate(REPORTS.items())}
    pages["other"] = (OTHER[0], OTHER[1], "/harbour/news/fees.html", 3)
    items: dict[str, list[dict]] = {"wire": wire_items(web)}
    for name in names:
        title, paras, path, hour = pages[name]
        outlet = "harbour" if name == "other" else name
        web.route(path, Route(news_page(title, paras, outlet=f"{outlet.title()} News", date=NOW.date().isoformat())))
        items.setdefault("all" if one_feed else outlet, []).append(
            {"title": title, "link": "{{BASE}}" + path, "guid": path, "published": NOW - timedelta(hours=6 - hour)})
    if one_feed:
        items = {"all": items["wire"] + items["all"] if names[0] == "coast" else items["all"] + items["wire"][::-1]}
    sources = []
    for outlet, its in items.items():
        web.route(f"/{outlet}/feed.xml", Route(rss(its), content_type="application/rss+xml"))
        sources.append({"id": outlet, "url": web.url(f"/{outlet}/feed.xml"), "type": "feed", "baseline": False})
    return sources


def configure(tmp_path: Path, sources: list[dict], hooks: WebhookReceiver | None = None,
              database: str | Path = "data/watcher.db") -> Path:
    extra: dict = {"database": str(database)}
    if hooks is not None:
        rule = {"id": "ferry", "title": "Ferry aground", "match": {"keywords": ["aground", "grounding"]},
                "notify": ["hooks"]}
        (tmp_path / "rules.yaml").write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
        extra |= {"rules": "rules.yaml", "channels": {"hooks": {"urls": [f"json://{hooks.base}/alerts"]}}}
    return write_config(tmp_path, sources, **extra)


def partition(config: Path) -> dict[int, list[str]]:
    listing = run_cli("stories", "--json", "--config", str(config))
    assert listing.returncode == 0, listing.stderr
    return {s["id"]: sorted(a["url"].split("/", 3)[3] for a in s["articles"]) for s in json.loads(listing.stdout)}


def test_three_independent_reports_give_one_alert(web: WebServer, hooks: WebhookReceiver, tmp_path: Path,
                                                  database: str | Path) -> None:
    """On both engines: a SQLite file and a PostgreSQL database."""
    config = configure(tmp_path, serve(web, ["coast", "business", "harbour"]), hooks, database)
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    titles = [m.json["title"] for m in hooks.received]
    assert len(titles) == 1, titles

    stories = partition(config)
    ferry = [urls for urls in stories.values() if any(u.endswith("ferry.html") for u in urls)]
    assert ferry == [["business/news/ferry.html", "coast/news/ferry.html", "harbour/news/ferry.html"]], stories
    assert len(stories) == 1 + len(WIRE), stories

    listing = run_cli("alerts", "--config", str(config))
    assert listing.stdout.count("also reported by") == 2, listing.stdout
    explained = run_cli("stories", "--explain", "--config", str(config))
    assert "content similarity" in explained.stdout, explained.stdout
    assert "signal scores: words" in explained.stdout and "content_link" in explained.stdout, explained.stdout


def test_stories_do_not_depend_on_feed_order_and_rebuild_gives_them_back(web: WebServer, tmp_path: Path,
                                                                        database: str | Path,
                                                                        request: pytest.FixtureRequest) -> None:
    """On both engines: a SQLite file and a PostgreSQL database (one store per order)."""
    got = []
    for n, order in enumerate((["coast", "business", "harbour", "other"], ["other", "harbour", "business", "coast"])):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        store = database if n == 0 else another_database(request, database, folder)
        config = configure(folder, serve(web, order, one_feed=True), database=store)
        result = run_cli("run", "--once", "--config", str(config))
        assert result.returncode == 0, result.stdout + result.stderr
        built = partition(config)
        rebuilt = run_cli("stories", "--rebuild", "--json", "--config", str(config))
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert partition(config) == built  # the same stories, with the same ids
        got.append(sorted(built.values()))
    assert got[0] == got[1] and len(got[0]) == 2 + len(WIRE), got


def test_figures_that_are_not_quantities_of_the_event_are_not_shared_figures() -> None:
    a = sketch("Clinic update", "The COVID-19 clinic opened on August 31 at 10:30 with its 2nd wing, after the "
               "F-35 flypast of 2021, and 250 patients were seen.", 0.0)
    assert a.numbers == {"250"}
    b = sketch("Market report", "Shares rose 3.5 percent on 12 May 2025 at 9 a.m. as the G7 met.", 0.0)
    assert b.numbers == {"3.5"}


def test_two_statements_by_one_official_on_one_day_stay_apart(database: str | Path) -> None:
    """The harbour master's other statement of the day stays out of the story its first reports made.
    (Had her two statements been the first two articles of the day, they would be one story: a limit of
    comparing words.)"""
    store = Store(database)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    story = {}
    for n, (title, paras) in enumerate((REPORTS["coast"], REPORTS["harbour"], OTHER, REPORTS["business"])):
        url = f"https://e.org/{n}"
        art = Article(canonical_url=url, url=url, guid=None, source_id="s", title=title, author=None,
                            published=NOW + timedelta(hours=n), sitename=None, language=None,
                            body="\n\n".join(paras), body_hash=None, summary_only=False, alertable=True)
        placement = store.stories.place(story_sketch(art), 3 * 86400.0)
        store.articles.add(Entry("s", url, None, url, url, title, None), art, placement=placement)
        story[n] = placement.verdict.story_id if placement.verdict else None
    assert story[1] == 1 and story[3] == 1, story  # the harbour master's and the operator's reports join
    assert story[2] is None, story  # the fees are a story of their own
    store.close()


def test_the_decision_does_not_depend_on_the_order_of_candidates() -> None:
    day = NOW.timestamp()
    made = [weigh(sketch(t, "\n\n".join(p), day + i), {}) for i, (t, p) in enumerate(REPORTS.values())]
    cands = [Candidate(i + 1, 1 if i < 2 else 2, s) for i, s in enumerate(made)]
    new = weigh(sketch(REPORTS["coast"][0], "\n\n".join(REPORTS["coast"][1]) + " More later.", day + 10), {})
    best, _ = decide(new, cands, 3 * 86400.0)
    assert best is not None and (best, _) == decide(new, cands[::-1], 3 * 86400.0)


def test_reports_of_another_result_or_magnitude_are_other_events() -> None:
    day = NOW.timestamp()
    quake = ("A magnitude 5.8 earthquake shook the Aldmere valley early on Sunday, damaging farm buildings around "
             "Corvish and cutting power to {n} homes, the regional seismology office said.")
    first = weigh(sketch("Earthquake shakes Aldmere valley", quake.format(n="2,400"), day), {})
    same = weigh(sketch("Aldmere quake cuts power", quake.format(n="2,400").replace("5.8", "5.8-magnitude")
                        .replace("A magnitude 5.8-magnitude", "A 5.8-magnitude"), day + 600), {})
    other = weigh(sketch("Second tremor in Aldmere valley", "Residents of Corvish in the Aldmere valley felt a "
                         "magnitude 4.1 tremor on Sunday evening; the seismology office said it caused no damage and "
                         "was not an aftershock of the morning's earthquake.", day + 900), {})
    assert "magnitude=5.8" in first.typed and "magnitude=5.8" in same.typed
    assert compare(same, Candidate(1, 1, first), 3 * 86400.0).same
    v = compare(other, Candidate(1, 1, first), 3 * 86400.0)
    assert not v.same and "the magnitude differs" in v.why, v
    match = ("Harlow Town beat Easton Rovers {s} on Saturday, with two late goals from Kofi Mensah settling a tense "
             "derby at the Brookfield ground in front of 9,200 fans.")
    a = weigh(sketch("Harlow win the derby", match.format(s="3-1"), day), {})
    b = weigh(sketch("Harlow win the derby", match.format(s="2-2"), day + 60), {})
    assert not compare(b, Candidate(1, 1, a), 3 * 86400.0).same


# two arrests of two players of one club within days: the same kind of event, told in the same words, with
# other people, ages and roads
ARREST = ("Seabirds lineman Tomas Keller arrested on suspicion of drunken driving",
          "Portvale Seabirds defensive lineman Tomas Keller was arrested early Sunday on suspicion of drunken driving "
          "after he was stopped for speeding on State Route 61, the state highway patrol said. Keller, 29, was "
          "driving west in his pickup when officers pulled him over and he failed a roadside sobriety test. The "
          "Seabirds said they were aware of the arrest and had spoken to Keller, who faces a court date next month. "
          "Head coach Marta Lindqvist said the club would deal with the matter internally and that Keller would "
          "travel with the squad for the game on Thursday. The league said it was reviewing the arrest under its "
          "personal conduct policy, which can bring fines or a suspension. Keller joined the Seabirds three years "
          "ago and has started every game this season.")
OTHER_ARREST = ("Seabirds receiver Dane Okafor arrested on DUI charge",
                "Portvale Seabirds receiver Dane Okafor was arrested early Tuesday on suspicion of drunken driving "
                "after highway patrol officers stopped him on Interstate 17, the patrol said. Okafor, 24, failed a "
                "roadside sobriety test and was released on bail hours later. His arrest comes weeks after another "
                "player's brush with the law, and coach Marta Lindqvist told reporters she would speak to the squad "
                "before training resumes. Under league rules a player charged with driving under the influence can be "
                "fined or suspended, though officials rarely act before a case reaches court. Supporters outside the "
                "stadium on Wednesday were divided over whether the receiver should play at the weekend, and the club "
                "said only that it was aware of the arrest. The league is reviewing the case under its conduct policy.")
SAME_ARREST = ("Seabirds' Keller held after traffic stop",
               "Tomas Keller of the Portvale Seabirds spent part of Sunday in custody after highway patrol officers said "
               "the 29-year-old lineman was speeding on State Route 61 and failed a sobriety test. His agent said Keller "
               "regretted the incident and would cooperate fully. Team officials said they were gathering information "
               "and that coach Marta Lindqvist would speak about it on Monday.")


def test_another_event_of_the_same_kind_with_no_figure_in_common_needs_more_content(monkeypatch) -> None:
    day = NOW.timestamp()
    first = Candidate(1, 1, weigh(sketch(*ARREST, day), {}))
    other = weigh(sketch(*OTHER_ARREST, day + 3600), {})
    assert first.sketch.numbers and other.numbers and not first.sketch.numbers & other.numbers
    best, closest = decide(other, [first], 3 * 86400.0)
    assert best is None, best
    assert closest is not None and "no figure in common" in closest.why, closest
    same, _ = decide(weigh(sketch(*SAME_ARREST, day + 7200), {}), [first], 3 * 86400.0)
    assert same is not None and same.same, same  # another outlet's report of the first arrest gives its figures
    monkeypatch.setattr(story_module, "FIGURES_APART", 0.0)
    joined, _ = decide(other, [first], 3 * 86400.0)
    assert joined is not None and joined.signal == "content", "the two arrests were apart for another reason"


def test_a_follow_up_excerpt_days_later_needs_more_content(monkeypatch) -> None:
    """Headline roundups give two sentences: a follow-up on the same theme shares most of the names."""
    day = NOW.timestamp()
    passed = ("Assembly passes bill to create commission on Dunmore flood response",
              "The Assembly voted on Wednesday to set up an independent commission to investigate the state's "
              "response to the Dunmore flood, with a handful of Unity Party members joining Labour to pass the bill. "
              "The bill now goes to the Senate, where Unity Party leader Carl Brennan has not said whether he will "
              "allow a vote.")
    vows = ("Brennan vows to block Dunmore inquiry in Senate",
            "Senate Unity Party leader Carl Brennan said on Thursday he will not allow a vote on the Dunmore inquiry, "
            "calling it a political exercise that would cost taxpayers dearly and duplicate the work of existing "
            "reviews.")
    first = Candidate(1, 1, weigh(sketch(*passed, day), {}))
    later = weigh(sketch(*vows, day + 2 * 86400), {})
    best, closest = decide(later, [first], 3 * 86400.0)
    assert best is None and closest is not None and "(excerpts)" in closest.why, (best, closest)
    monkeypatch.setattr(story_module, "EXCERPT_EXTRA", 0.0)
    monkeypatch.setattr(story_module, "EXCERPT_PER_DAY", 0.0)
    joined, _ = decide(later, [first], 3 * 86400.0)
    assert joined is not None and joined.signal == "content", "the follow-up was apart for another reason"
