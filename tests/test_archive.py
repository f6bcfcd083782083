"""The archive as the source of links and background: as-of dates, retractions, the article itself."""

from __future__ import annotations

import json
from datetime import datetime

from tests.conftest import auth, ops_auth, wait_for

TOPIC = [
    {"id": "zx-1", "title": "Zorblax Mining opens copper pit near Quenford",
     "published_at": "2023-05-02T08:00:00Z",
     "body": "Zorblax Mining opened a copper pit near Quenford on Tuesday, chief executive Petra "
             "Lindqvist said.\n\nThe Quenford pit will employ 300 people, Zorblax Mining said."},
    {"id": "zx-2", "title": "Quenford residents protest Zorblax copper dust",
     "published_at": "2023-06-10T08:00:00Z",
     "body": "Residents of Quenford protested on Saturday against dust from the Zorblax Mining "
             "copper pit.\n\nPetra Lindqvist of Zorblax Mining said the company would cover the trucks."},
    {"id": "zx-3", "title": "Zorblax Mining fined over Quenford dust",
     "published_at": "2023-09-01T08:00:00Z",
     "body": "Regulators fined Zorblax Mining for dust at its Quenford copper pit.\n\n"
             "Petra Lindqvist said Zorblax Mining would appeal the fine."},
    {"id": "zx-late", "title": "Zorblax Mining closes Quenford pit",
     "published_at": "2025-01-01T08:00:00Z",
     "body": "Zorblax Mining closed its Quenford copper pit, Petra Lindqvist said on Wednesday."},
]


def renamed(record: dict[str, str], company: str) -> dict[str, str]:
    return {k: v.replace("Zorblax", company) for k, v in record.items()}


def topic(prefix: str, company: str) -> list[dict[str, str]]:
    """The topic under ids and a company name of this test's own, so tests never share state."""
    return [{**renamed(a, company), "id": f"{prefix}-{a['id']}"} for a in TOPIC]


ARTICLE = {"title": "Zorblax Mining plans second Quenford copper pit",
           "published_at": "2024-02-01T09:00:00Z",
           "body": "Zorblax Mining plans a second copper pit near Quenford, chief executive Petra "
                   "Lindqvist said on Thursday.\n\nThe company was fined last year over dust from "
                   "its first Quenford pit, which residents had protested against."}


def _import(client, articles):  # type: ignore[no-untyped-def]
    body = "\n".join(json.dumps(a) for a in articles)
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for article in articles:
        wait_for(lambda a=article: client.get(f"/v1/archive/articles/{a['id']}",
                                              headers=auth()).status_code == 200)


def _enrich(client, article):  # type: ignore[no-untyped-def]
    response = client.post("/v1/enrichments", json={"article": article},
                           headers={**auth(), "Prefer": "wait=30"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "succeeded", response.json
    return response.json["result"]


def _cited(result):  # type: ignore[no-untyped-def]
    return ({a["archive_id"] for a in result["also_read"]},
            {b["source"]["archive_id"] for b in result["background"]})


def test_get_returns_normalised_text_that_spans_point_into(client, worker):
    _import(client, topic("get", "Zorblax"))
    got = client.get("/v1/archive/articles/get-zx-1", headers=auth()).json
    assert got["title"] == TOPIC[0]["title"]
    assert got["text"].startswith("Zorblax Mining opened a copper pit")
    assert "\n\n" in got["text"]  # paragraphs kept apart
    stats = client.get("/v1/archive/stats", headers=auth()).json
    assert stats["articles"] >= len(TOPIC)


def test_links_are_as_of_the_article_and_never_the_article_itself(client, worker):
    _import(client, topic("asof", "Quillon"))
    result = _enrich(client, {**renamed(ARTICLE, "Quillon"), "id": "asof-zx-2"})  # the CMS re-posts asof-zx-2
    linked, background = _cited(result)
    assert "asof-zx-late" not in linked | background  # published after the article
    assert "asof-zx-2" not in linked | background
    assert {"asof-zx-1", "asof-zx-3"} <= linked
    for item in result["background"]:
        assert item["date"] < ARTICLE["published_at"][:10]


def test_deleted_article_is_never_suggested_again(client, worker):
    articles = topic("del", "Marvex")
    _import(client, articles)
    before = _cited(_enrich(client, renamed(ARTICLE, "Marvex")))
    assert "del-zx-3" in before[0] | before[1]
    assert client.delete("/v1/archive/articles/del-zx-3", headers=auth()).status_code == 204
    assert client.get("/v1/archive/articles/del-zx-3", headers=auth()).status_code == 404
    linked, background = _cited(_enrich(client, renamed(ARTICLE, "Marvex")))
    assert "del-zx-3" not in linked | background
    assert "del-zx-1" in linked  # the other articles are still suggested
    again = client.post("/v1/archive/articles", json=articles[2], headers=auth())
    assert again.status_code == 409 and "retracted" in again.json["message"]


def test_background_cites_spans_that_exist(client, worker):
    _import(client, topic("span", "Tervan")[:3])
    result = _enrich(client, renamed(ARTICLE, "Tervan"))
    assert result["background"]
    for item in result["background"]:
        source = client.get(f"/v1/archive/articles/{item['source']['archive_id']}", headers=auth()).json
        start, end = item["source"]["span"]
        assert source["text"][start:end] == item["text"]
        assert any(name in item["text"] for name in item["entities"])


def test_citations_hold_on_awkward_archive_text(client, worker):
    """Spans index the text GET returns, whatever the archive body held: HTML entities, non-ASCII,
    Windows line ends, page boilerplate, and a very long article."""
    filler = " ".join(f"Paragraph {i} of the council minutes lists routine items." for i in range(400))
    bodies = [
        "<p>Tervan Mining &amp; Smelting opened the Quenford pit on Tuesday, Petra Lindqvist said.</p>"
        "<p>Share this article &raquo; Subscribe &copy; 2023</p>",
        "Tervan Mining said the Quenford pit’s output rose 20%\r\n\r\nPetra Lindqvist — chief executive —"
        " called it “a strong start” for Tervan Mining in Quenford.\r\n",
        "Ärzte in Quenford criticised Tervan Mining over dust; Petra Lindqvist promised covers. " + filler
        + "\n\nTervan Mining was fined over Quenford dust in September, Petra Lindqvist said.",
    ]
    articles = [{"id": f"awk-{i}", "title": f"Tervan Mining at Quenford, part {i}",
                 "published_at": f"2023-0{i + 5}-02T08:00:00Z", "body": body} for i, body in enumerate(bodies)]
    _import(client, articles)
    result = _enrich(client, renamed(ARTICLE, "Tervan"))
    cited = {item["source"]["archive_id"] for item in result["background"]}
    assert len(cited) >= 2, result["background"]
    for item in result["background"]:
        source = client.get(f"/v1/archive/articles/{item['source']['archive_id']}", headers=auth()).json
        start, end = item["source"]["span"]
        assert source["text"][start:end] == item["text"], item
    texts = " ".join(i["text"] for i in result["background"])
    assert "&amp;" not in texts and "\r" not in texts


def test_a_staged_article_whose_index_message_was_lost_is_indexed_by_the_watchdog(app, client, worker):
    """Staged, but its index message never reached a worker (a Redis restarted without it): the
    scheduler finds it in the staged index and queues it again; /metrics counts it."""
    import time

    from store import archive_staging
    from store.archive_index import qualify

    r = app.extensions["archive"]
    article = {"id": "lost-1", "title": "Harbour dredging starts", "body": "Dredging of the harbour began.",
               "published_at": "2024-03-01T10:00:00+00:00", "tags": []}
    archive_staging.stage_pending(r, "alice", [article])  # no index message is sent
    r.zadd(archive_staging.STAGED, {qualify("alice", "lost-1"): time.time() - 3600})  # staged an hour ago
    got = wait_for(lambda: (g := client.get("/v1/archive/articles/lost-1", headers=auth())).status_code == 200
                   and g.json, timeout=60)
    assert got["text"].startswith("Dredging of the harbour")
    assert r.zscore(archive_staging.STAGED, qualify("alice", "lost-1")) is None  # settled once indexed
    text = client.get("/metrics", headers=ops_auth()).get_data(as_text=True)
    assert 'enrichment_archive_total{event="requeued"} 1.0' in text


def test_frequencies_are_read_afresh_once_the_archive_grows(app):
    """A worker keeps document frequencies for a minute; an archive that grows past a fifth of its
    size (a backfill) is read afresh at once, or ten articles' counts would weigh five thousand's."""
    from store import archive_index

    r = app.extensions["archive"]

    def doc(i: int) -> dict:
        return {"id": f"f{i}", "title": "Dock strike", "published_at": "2024-03-01T10:00:00+00:00",
                "ts": 1709287200.0, "text": "Dockworkers went on strike.", "sentences": [],
                "features": {"t:strike": 1.0, f"t:word{i}": 1.0}}

    def strike_count() -> int:
        size = archive_index.size(r, "growing")
        return archive_index.document_frequencies(r, ["growing"], ["t:strike"], size=size)["t:strike"]

    archive_index.store_many(r, "growing", [doc(0)])
    assert strike_count() == 1
    archive_index.store_many(r, "growing", [doc(i) for i in range(1, 40)])
    assert strike_count() == 40  # within the minute, but the archive is forty times the size


def _story_doc(doc_id: str, day: str, features: dict[str, float], text: str) -> dict:
    """An archive document of one sentence naming its entity features, published on `day` (2024-MM-DD)."""
    return {"id": doc_id, "title": text, "published_at": f"{day}T10:00:00+00:00",
            "ts": datetime.fromisoformat(f"{day}T10:00:00+00:00").timestamp(), "text": text,
            "sentences": [[0, len(text), list(k[2:] for k in features if k.startswith("e:"))]],
            "features": features}


def test_the_story_s_latest_coverage_is_a_source_however_few_words_it_shares(app):
    """An article of the week before that names the article's main entity (under any type the
    tagger gave it) joins the story's sources, flagged `latest`, though it shares few of its words;
    an older one that shares as few does not."""
    from enrich import background
    from store import archive_index, archive_search

    r = app.extensions["archive"]
    siege = {"e:ORG:vardan": 1.0, "e:LOC:kelmar": 1.0, "t:siege": 1.0, "t:city": 1.0}
    archive_index.store_many(r, "story", [
        _story_doc("siege-1", "2024-03-01", siege, "Vardan fighters laid siege to Kelmar city."),
        _story_doc("siege-2", "2024-03-02", siege, "The siege of Kelmar city by Vardan went on."),
        _story_doc("old-warning", "2024-03-03", {"e:MISC:vardan": 1.0, "t:capital": 1.0},
                   "Vardan could take the capital."),
        _story_doc("new-warning", "2024-03-12", {"e:MISC:vardan": 1.0, "t:capital": 1.0},
                   "Vardan fighters could take the capital within weeks, officials warned."),
    ])
    query = {"e:ORG:vardan": 1.0, "e:LOC:kelmar": 1.0, "t:siege": 1.0, "t:city": 1.0, "t:fall": 1.0}
    before = datetime.fromisoformat("2024-03-14T10:00:00+00:00").timestamp()
    _, sources, _ = archive_search.story_sources(r, ["story"], query, ["ORG:vardan", "LOC:kelmar"], before, None)
    latest = {archive_index.unqualify(k)[1] for k, d in sources.items() if d["latest"]}
    assert latest == {"new-warning"}
    assert "story/old-warning" not in sources
    read = {s["archive_id"] for s in background.story_sentences(sources)}
    assert "story/new-warning" in read


def test_documents_the_workers_index_are_compact_listpacks(app, client, worker):
    """The index worker raises hash-max-listpack-value on the archive's Redis, so a document (whose
    compressed text is longer than Redis's default 64 bytes) is a listpack, not a hash table."""
    from store import archive_index
    from store.connection import DOCUMENT_FIELD_BYTES

    _import(client, topic("compact", "Varrow"))
    r = app.extensions["archive"]
    assert int(r.config_get("hash-max-listpack-value")["hash-max-listpack-value"]) >= DOCUMENT_FIELD_BYTES
    doc = archive_index.article_key("alice", "doc", "compact-zx-1")
    assert len(r.hget(doc, "text")) > 64
    assert r.object("encoding", doc) == b"listpack"


def test_postings_hold_small_numbers_that_name_their_articles_again(app):
    """A posting holds the article's number, not its id: given once (a replay, a new version and a
    write that another writer numbered first all keep it), read back to the id, and gone with a
    retraction."""
    from store import archive_index

    r = app.extensions["archive"]

    def doc(doc_id: str, features: dict[str, float]) -> dict:
        return {"id": doc_id, "title": "Dock strike", "published_at": "2024-03-01T10:00:00+00:00",
                "ts": 1709287200.0, "text": "Dockworkers went on strike.", "sentences": [], "features": features}

    long_ids = [f"https://news.example.org/2024/03/dock-strike-{i}" for i in range(3)]
    r.hsetnx(archive_index.article_key("numbered", "doc", long_ids[2]), "n", 77)  # another writer numbered it first
    archive_index.store_many(r, "numbered", [doc(i, {"t:strike": 1.0, "t:dock": 1.0}) for i in long_ids])
    members = sorted(int(m) for m in r.zrange(archive_index.key("numbered", "post", "t:strike"), 0, -1))
    assert members == [1, 2, 77]
    assert archive_index.get(r, "numbered", long_ids[2])["n"] == "77"
    archive_index.store(r, "numbered", doc(long_ids[0], {"t:strike": 1.0, "t:port": 1.0}))  # a new version
    archive_index.store(r, "numbered", doc(long_ids[0], {"t:strike": 1.0, "t:port": 1.0}))  # replayed
    assert r.zrange(archive_index.key("numbered", "post", "t:port"), 0, -1) == [b"1"]
    assert r.zcard(archive_index.key("numbered", "post", "t:dock")) == 2  # the old version's posting went
    [(archive, pairs)] = archive_index.postings(r, ["numbered"], ["t:strike"], until=1709287200.0)["t:strike"]
    assert pairs.tolist() == [[77, 1709287200], [2, 1709287200], [1, 1709287200]]  # number, epoch; newest first
    assert archive_index.resolve(r, [(archive, n) for n, _ in pairs.tolist()]) == {
        ("numbered", n): archive_index.qualify("numbered", i) for n, i in zip((1, 2, 77), long_ids, strict=True)}
    assert archive_index.handles(r, [archive_index.qualify("numbered", long_ids[1]), "numbered/unknown"]) == {
        archive_index.qualify("numbered", long_ids[1]): ("numbered", 2)}
    assert archive_index.delete(r, "numbered", long_ids[1])
    assert archive_index.resolve(r, [("numbered", 2)]) == {}
    assert archive_index.document_frequencies(r, ["numbered"], ["t:strike"], fresh=True) == {"t:strike": 2}
    assert archive_index.get(r, "numbered", "never-indexed") is None


def test_a_look_up_reads_fewer_postings_of_its_weaker_features(app, monkeypatch):
    """Each query feature's newest postings are read up to its own limit, over several archives
    together: POSTINGS_PER_FEATURE for the strongest feature, fewer in proportion to strength for
    the others, never fewer than POSTINGS_FLOOR."""
    from store import archive_index, archive_search

    r = app.extensions["archive"]
    for archive, first in (("limits-a", 0), ("limits-b", 1)):
        archive_index.store_many(r, archive, [
            {"id": f"d{day}", "title": "Port", "published_at": f"2024-03-{day:02d}T10:00:00+00:00",
             "ts": 1709287200.0 + day * 86400, "text": "Port news.", "sentences": [],
             "features": {"t:port": 1.0, "t:crane": 1.0}} for day in range(1 + first, 21, 2)])
    found = archive_index.postings(r, ["limits-a", "limits-b"], ["t:port", "t:crane"], until=2e9,
                                   per_feature={"t:port": 7, "t:crane": 3})
    assert sum(len(a) for _, a in found["t:port"]) == 7 and sum(len(a) for _, a in found["t:crane"]) == 3
    crane_epochs = sorted(int(e) for _, a in found["t:crane"] for e in a[:, 1])
    assert crane_epochs == [1709287200 + day * 86400 for day in (18, 19, 20)]  # the newest, from both archives
    monkeypatch.setattr(archive_index, "POSTINGS_PER_FEATURE", 400)
    monkeypatch.setattr(archive_search, "POSTINGS_FLOOR", 100)
    assert archive_search.postings_limits({"a": 8.0, "b": 4.0, "c": 0.5}) == {"a": 400, "b": 200, "c": 100}
    monkeypatch.setattr(archive_search, "POSTINGS_FLOOR", 400)
    assert archive_search.postings_limits({"a": 8.0, "b": 4.0, "c": 0.5}) == {"a": 400, "b": 400, "c": 400}


def test_the_article_s_nearest_coverage_is_a_source_though_it_covers_little_of_the_story(app):
    """An earlier article that also-read would rank among the article's nearest (cosine times
    recency: background.NEAR_SOURCES) is one of the story's sources, flagged `near`, though it
    covers less than RELATIVE_FLOOR of the best source's share of the story; implications read
    the sentences of such sources first (background.story_sentences); the timeline does not cite
    one that the floor alone would have dropped (background.NEAR_KEPT_FOR)."""
    from enrich import background
    from store import archive_index, archive_search

    r = app.extensions["archive"]
    siege = {"e:ORG:vardan": 1.0, "e:LOC:kelmar": 1.0, "e:PER:ana dusk": 1.0, "t:siege": 1.0, "t:city": 1.0,
             "t:wall": 1.0}
    archive_index.store_many(r, "nearest", [
        *(_story_doc(f"siege-{day}", f"2024-01-0{day}", siege, f"Day {day} of the siege of Kelmar city by Vardan.")
          for day in range(1, 8)),
        _story_doc("warning", "2024-03-01", {"e:ORG:vardan": 1.0, "t:capital": 1.0, "t:fall": 1.0, "t:weeks": 1.0},
                   "Vardan could take the capital within weeks, officials warned."),
    ])
    query = {**siege, "t:capital": 1.0, "t:fall": 1.0, "t:weeks": 1.0}
    before = datetime.fromisoformat("2024-03-14T10:00:00+00:00").timestamp()
    keys = ["ORG:vardan", "LOC:kelmar", "PER:ana dusk"]
    _, sources, story = archive_search.story_sources(r, ["nearest"], query, keys, before, None)
    assert "nearest/warning" in story.near
    assert sources["nearest/warning"]["near"] and not sources["nearest/warning"]["latest"]
    top = max(d["similarity"] for d in sources.values())
    assert sources["nearest/warning"]["similarity"] < archive_search.RELATIVE_FLOOR * top  # kept as near only
    assert len(story.near) == background.NEAR_SOURCES < len(sources)
    read = {s["archive_id"] for s in background.story_sentences(sources, count=background.NEAR_SOURCES)}
    assert read == story.near  # the nearest first, not the five that cover most of the story
    main = [{"key": k, "name": k.split(":")[1].title(), "salience": 1.0} for k in keys]
    cited = lambda: {i["source"]["archive_id"] for i in background.timeline(main, sources, {}, 8, story=story)}  # noqa: E731
    assert background.NEAR_KEPT_FOR == ("implications",)
    assert "nearest/warning" not in cited()  # kept for implications only: the timeline keeps to the floor
    background.NEAR_KEPT_FOR, before_rule = ("background", "implications"), background.NEAR_KEPT_FOR
    try:
        assert "nearest/warning" in cited()
        background.NEAR_KEPT_FOR = ()  # without the rule, the floor drops it
        assert "nearest/warning" not in archive_search.story_sources(r, ["nearest"], query, keys, before, None)[1]
    finally:
        background.NEAR_KEPT_FOR = before_rule
