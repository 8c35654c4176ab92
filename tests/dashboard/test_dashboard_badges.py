"""Badges drawn from a label and a status: SVG, Herald's JSON, Shields.io's endpoint."""

import xml.etree.ElementTree as ElementTree

from chalicelib.dashboard import badges

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(svg: str):
    return ElementTree.fromstring(svg)  # noqa: S314 (Herald's own SVG, not untrusted input)


def _drawn(svg: str) -> tuple[list[str], list[str]]:
    root = _parsed(svg)
    texts = [text.text for text in root.iter(f"{SVG}text")]
    fills = [rect.get("fill") for rect in root.find(f"{SVG}g").iter(f"{SVG}rect")]
    return texts, fills


def test_it_colours_a_badge_by_status():
    assert _drawn(badges.svg("backup", "up")) == (["backup", "up"], ["#555", "#1f8a4c"])
    assert _drawn(badges.svg("backup", "late"))[1][1] == "#b36b00"
    assert _drawn(badges.svg("backup", "failing"))[1][1] == "#b36b00"
    assert _drawn(badges.svg("backup", "down"))[1][1] == "#c62828"
    for other in ("new", "paused", "maintenance", "none"):
        assert _drawn(badges.svg("backup", other))[1][1] == badges.GREY


def test_it_escapes_what_it_draws():
    svg = badges.svg('<script>alert("x")</script> & co', "down")
    assert "<script>" not in svg
    texts, _ = _drawn(svg)
    assert texts == ['<script>alert("x")</script> & co', "down"]
    title = _parsed(svg).find(f"{SVG}title").text
    assert title == '<script>alert("x")</script> & co: down'


def test_it_grows_with_its_text():
    short = _parsed(badges.svg("db", "up"))
    long = _parsed(badges.svg("Nightly database backups", "up"))
    assert 40 < int(short.get("width")) < int(long.get("width")) < 240
    assert badges.text_width("mmmm") > badges.text_width("iiii")


def test_it_says_no_monitors_for_an_empty_tag():
    assert _drawn(badges.svg("db", "none"))[0] == ["db", "no monitors"]
    assert badges.shields("db", "none")["message"] == "no monitors"


def test_its_shields_endpoint_has_the_fields_shields_requires():
    body = badges.shields("db", "down")
    assert body == {"schemaVersion": 1, "label": "db", "message": "down", "color": "c62828"}


def test_its_json_counts_late_and_down_monitors():
    statuses = ["up", "late", "failing", "down", "paused"]
    assert badges.json_badge("down", statuses) == {
        "status": "down",
        "total": 5,
        "late": 2,
        "down": 1,
    }
