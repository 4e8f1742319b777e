"""The ``url`` kind: defanged input, canonical form, tracking parameters, domain-level matching."""

from __future__ import annotations

import random
from typing import ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from fimihub.matching.base import Hit, SignalType
from fimihub.matching.kinds.url import UrlIndex, UrlSignalType, normalise_url, url_domain, url_host
from tests.matching.signal_type_suite import SignalTypeSuite

HOSTS = ["evil.com", "news.evil.com", "truth-daily.org", "www.bbc.co.uk", "bücher.de", "1.2.3.4", "x.example"]
WORDS = ["a", "news", "2024", "ü", "%7Euser", "..", ".", "story", "A%2fb"]


def random_urls(rng: random.Random, n: int) -> list[str]:
    urls = []
    for _ in range(n):
        path = "/".join(rng.choice(WORDS) for _ in range(rng.randint(0, 3)))
        params = "&".join(
            f"{rng.choice(['id', 'p', 'utm_source', 'fbclid'])}={rng.randint(0, 3)}" for _ in range(2)
        )
        urls.append(f"{rng.choice(['http', 'HTTPS', 'hxxps'])}://{rng.choice(HOSTS)}/{path}?{params}#x")
    return [normalise_url(url) for url in urls]


class TestUrlKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = UrlSignalType()
    examples: ClassVar[dict[str, str]] = {
        "hxxps://evil[.]com/a?utm_source=x&id=3#frag": "https://evil.com/a?id=3",
        "HTTP://Evil.COM:80": "http://evil.com/",
        "https://evil.com:443/a/./b/../c?b=2&a=1": "https://evil.com/a/c?a=1&b=2",
        "https://evil.com:8443/x": "https://evil.com:8443/x",
        "evil(.)com/path": "http://evil.com/path",
        "https://user:secret@evil.com/x": "https://evil.com/x",
        "https://evil.com/%7euser/%e2%82%ac?q=%41": "https://evil.com/~user/%E2%82%AC?q=A",
        "https://bücher.de/straße": "https://xn--bcher-kva.de/stra%C3%9Fe",
        "https://www.youtube.com/watch?v=abc&si=XyZ&feature=share": "https://www.youtube.com/watch?v=abc",
        "https://x.com/someone/status/1?s=20&t=abc": "https://x.com/someone/status/1",
        "https://shop.example/?fbclid=1&gclid=2&UTM_Campaign=3": "https://shop.example/",
        "https://[2001:db8::1]:443/": "https://[2001:db8::1]/",
    }
    junk: ClassVar[list[str]] = [
        "http://",
        "https:///path",
        "javascript:alert(1)",
        "mailto:someone@evil.com",
        "ftp://evil.com/file",
        "https://evil.com/a b",
        "http://evil.com:0/",
        "http://evil.com:99999/",
        "http://evil.com:8o/",
        "http://[::1/",
        "http://exa mple.com/",
        "http://" + "a" * 70 + ".com/",
        "https://evil.com/\u202ecod.exe",
    ]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "http://", "https://evil.com/", "hxxps://a[.]b/?")

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        return random_urls(rng, n)


class TestUrlKindAtDomainLevel(TestUrlKind):
    signal_type: ClassVar[SignalType] = UrlSignalType(domain_level=True)


def test_domain_level_hits_other_paths_on_the_same_registrable_domain() -> None:
    kind = UrlSignalType(domain_level=True)
    index = kind.new_index()
    assert isinstance(index, UrlIndex)
    index.add(["https://news.evil.com/a", "https://evil.com/b", "https://good.org/a"], [1, 2, 3])
    assert index.query("https://evil.com/b") == [Hit(2), Hit(1, 1.0, 0.5)]
    assert kind.compare("https://a.evil.com/x", "https://evil.com/y") == Hit(0, 1.0, 0.5)
    assert UrlSignalType().compare("https://a.evil.com/x", "https://evil.com/y") is None


def test_host_and_domain_helpers() -> None:
    assert url_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert url_domain("hxxp://localhost:8080/") == "localhost"
    assert url_host("https://News.BBC.co.uk/x") == "news.bbc.co.uk"
    assert url_domain("http://[::1]/") == "::1"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aZ09-._~%/?#&=:@+![]()ü é", max_size=30))
def test_paths_and_queries_normalise_idempotently(tail: str) -> None:
    try:
        value = normalise_url("https://evil.com/" + tail)
    except ValueError:
        return
    assert normalise_url(value) == value
