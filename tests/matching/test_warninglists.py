"""False-positive guards: MISP warning lists (offline, from the package) and a member's allow-list."""

from __future__ import annotations

import socket

import pytest

from fimihub.matching import warninglists
from fimihub.matching.warninglists import DEFAULT_LISTS, AllowList, WarningLists, available_lists
from fimihub.model.signals import SignalKind


@pytest.fixture(scope="module")
def lists() -> WarningLists:
    return WarningLists()


def test_lists_load_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("warning lists must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    warninglists._load.cache_clear()
    warninglists._merged.cache_clear()
    WarningLists().preload()
    assert "google" in available_lists()


def test_every_default_list_is_shipped() -> None:
    shipped = set(available_lists())
    assert {name for names in DEFAULT_LISTS.values() for name in names} <= shipped


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("domain", "google.com", "google"),
        ("domain", "8.8.8.8", "public-dns-v4"),
        ("domain", "2001:4860:4860::8888", "public-dns-v6"),
        ("domain", "10.1.2.3", "rfc1918"),
        ("domain", "bit.ly", "url-shortener"),
        ("url", "https://www.google.com/search?q=x", "google"),
        ("url", "https://mail.google.com/", "google"),
        ("url", "http://8.8.8.8/", "public-dns-v4"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e", "empty-hashes"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty-hashes"),
    ],
)
def test_well_known_values_are_flagged(lists: WarningLists, kind: str, value: str, expected: str) -> None:
    assert expected in lists.check(kind, value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("domain", "qzxv-operation-example.info"),
        ("domain", "203.0.113.77"[:-3] + "7"),
        ("url", "https://qzxv-operation-example.info/story?id=3"),
        ("hashtag", "google"),
        ("handle", "x:google"),
        ("md5", "0" * 31 + "1"),
        ("url", "not a url"),
    ],
)
def test_made_up_values_are_not_flagged(lists: WarningLists, kind: str, value: str) -> None:
    assert lists.check(kind, value) == []


def test_lists_can_be_chosen_and_described() -> None:
    only_google = WarningLists({SignalKind.DOMAIN: ["google", "no-such-list"]})
    assert only_google.check("domain", "google.com") == ["google"]
    assert only_google.check("domain", "bit.ly") == []
    assert only_google.check("url", "https://google.com/") == []
    assert "google" in only_google.describe("google").lower()
    assert only_google.describe("no-such-list") == "no-such-list"


def test_allow_list() -> None:
    allowed = AllowList(
        {"domain": ["ourbrand.com"], SignalKind.HANDLE: ["x:ourbrand"]}, name="acme allow-list"
    )
    assert allowed.check("domain", "ourbrand.com") == ["acme allow-list"]
    assert allowed.check("url", "https://shop.ourbrand.com/a") == ["acme allow-list"]
    assert allowed.check("handle", "x:ourbrand") == ["acme allow-list"]
    assert allowed.check("handle", "x:ourbrand1") == []
    assert allowed.check("url", "https://evil.com/ourbrand.com") == []
    allowed.remove("domain", "ourbrand.com")
    assert allowed.check("domain", "ourbrand.com") == []
    allowed.add("url", "https://evil.com/x")
    assert allowed.check("url", "https://evil.com/x") == ["acme allow-list"]
    with pytest.raises(ValueError):
        allowed.check("no-such-kind", "x")
