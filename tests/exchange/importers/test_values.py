"""One cell of a peer's file read into signal values: defanged forms, profile URLs, labels, counts."""

from __future__ import annotations

import pytest

from fimihub.exchange.importers.values import counted_in, indicators_in, strong_indicators_in


@pytest.mark.parametrize(
    ("cell", "type_hint", "expected"),
    [
        ("x[.]com/popa_mariannn", "", [("handle", "x:popa_mariannn")]),
        ("hxxp://x[.]com/gagauzianews24", "Social Media Account", [("handle", "x:gagauzianews24")]),
        ("https{:}//t[.]me/chan/42", "", [("handle", "telegram:chan")]),
        ("www.youtube[.]com/@M%C4%83tu%C8%99a", "", [("handle", "youtube:m\u0103tu\u0219a")]),
        (
            "https://www.youtube[.]com/channel/UCYV-Ra383fb4sTaXqi-XV5Q",
            "",
            [("handle", "youtube:channel/UCYV-Ra383fb4sTaXqi-XV5Q")],
        ),
        ("https://afgreview[.]com/", "", [("domain", "afgreview.com")]),
        ("https://someone.livejournal[.]com/", "cib_url", [("url", "https://someone.livejournal.com/")]),
        ("localadmin.online/vote", "phishing_url", [("url", "http://localadmin.online/vote")]),
        ("`evil[.]com` (hosted a spoof)", "", [("domain", "evil.com")]),
        ("a[.]com, b[.]com", "", [("domain", "a.com"), ("domain", "b.com")]),
        ("Instagram: @some_name", "", [("handle", "instagram:some_name")]),
        ("@some_name", "X", [("handle", "x:some_name")]),
        ("SHA256: " + "AB" * 32, "", [("sha256", "ab" * 32)]),
        ("ab" * 16, "md5", [("md5", "ab" * 16)]),
        ("203.0.113.9:8080", "ip-dst", [("domain", "203.0.113.9")]),
        ("[2001:db8::1]", "", [("domain", "2001:db8::1")]),
        ("#StopTheLies", "", [("hashtag", "stopthelies")]),
        (
            "com.example.app",
            "android_package_name",
            [("url", "https://play.google.com/store/apps/details?id=com.example.app")],
        ),
    ],
)
def test_values(cell: str, type_hint: str, expected: list[tuple[str, str]]) -> None:
    values, problems = indicators_in(cell, type_hint)
    assert [(v.kind.value, v.value) for v in values] == expected and problems == []


@pytest.mark.parametrize(
    ("cell", "type_hint", "says"),
    [
        ("Govorit MD", "", "no indicator"),
        ("Using bit[.]ly to hide links", "", "no indicator"),
        ("someone", "", "no indicator"),  # a bare name with no platform named
        ("12", "phone", "not a phone number"),
        ("call us today", "phone", "not a phone number"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1", "SHA-1"),
        ("ftp://example.org/file", "", "http(s)"),
    ],
)
def test_what_is_no_value_says_why(cell: str, type_hint: str, says: str) -> None:
    values, problems = indicators_in(cell, type_hint)
    assert values == [] and says in problems[0]


@pytest.mark.parametrize(
    ("cell", "type_hint", "expected"),
    [
        ("ops@example.org", "", ("email", "ops@example.org")),
        ("Contact: press@spoof.example", "e-mail", ("email", "press@spoof.example")),
        ("+49 (30) 123-4567", "phone-number", ("phone", "+49 (30) 123-4567")),
        ("info[at]spoof-news[.]example", "", ("email", "info@spoof-news.example")),
        ("desk(AT)spoof-news[.]example", "email", ("email", "desk@spoof-news.example")),
    ],
)
def test_personal_values_are_read_in_clear_for_the_hub_to_key(
    cell: str, type_hint: str, expected: tuple[str, str]
) -> None:
    values, problems = indicators_in(cell, type_hint)
    assert [(v.kind.value, v.value) for v in values] == [expected] and problems == []


def test_counts_and_links_in_prose() -> None:
    assert counted_in("7,704 Facebook accounts") is not None
    assert counted_in("7,704 Facebook accounts").value == 7704  # type: ignore[union-attr]
    assert counted_in("14 Pages ").unit == "Pages"  # type: ignore[union-attr]
    assert counted_in("x[.]com/name") is None
    found = strong_indicators_in(
        "Posts linked to hxxps://spoof[.]example/a, e.g. via bit[.]ly and Facebook.com"
    )
    assert [(v.kind.value, v.value) for v in found] == [("url", "https://spoof.example/a")]
