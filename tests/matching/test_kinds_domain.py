"""The ``domain`` kind: IDNA, case, registrable domain, defanged input; plus the shared suite."""

from __future__ import annotations

import random
from typing import ClassVar

import pytest

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.domain import DomainSignalType, normalise_host, refang, registrable_domain
from tests.matching.signal_type_suite import SignalTypeSuite

LABELS = ["evil", "news", "truth", "daily", "xn--bcher-kva", "pravda", "info-war", "a1"]
SUFFIXES = ["com", "org", "co.uk", "de", "info", "blogspot.com", "xn--p1ai", "media"]


class TestDomainKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = DomainSignalType()
    examples: ClassVar[dict[str, str]] = {
        "bücher.de": "xn--bcher-kva.de",
        "news.bbc.co.uk": "bbc.co.uk",
        "WWW.Example.COM.": "example.com",
        "evil[.]com": "evil.com",
        "evil(.)co(.)uk": "evil.co.uk",
        "hxxps://sub.evil[.]com/path?q=1": "evil.com",
        "evil.com:8080": "evil.com",
        "someone.blogspot.com": "someone.blogspot.com",
        "пример.рф": "xn--e1afmkfd.xn--p1ai",
        "\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25\uff0e\uff43\uff4f\uff4d": "example.com",
        "8.8.8.8": "8.8.8.8",
        "[2001:DB8::1]": "2001:db8::1",
        "user@mail.evil.com": "evil.com",
    }
    junk: ClassVar[list[str]] = [
        "co.uk",
        "com",
        "localhost",
        "a..b.com",
        "exa mple.com",
        "-bad-.com",
        "x" * 64 + ".com",
        ("a" * 60 + ".") * 5 + "com",
        "1.2.3",
        "evil.com/" + "\u202e",
        "e\u0301\u0301\u0301\u0301\u0301.com",
        "☃.com\x00",
        "([[.]])" * 10,
    ]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "www.", "http://", "xn--")

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        raw = [f"{rng.choice(LABELS)}{rng.randint(0, 30)}.{rng.choice(SUFFIXES)}" for _ in range(n)]
        return [self.signal_type.normalise(value) for value in raw]


def test_registrable_domain_and_host_helpers() -> None:
    assert registrable_domain("News.BBC.co.uk") == "bbc.co.uk"
    assert registrable_domain("a.b.github.io") == "b.github.io"
    assert normalise_host("Bücher.DE.") == "xn--bcher-kva.de"
    assert normalise_host("[::1]") == "::1"
    assert refang("hxxp[:]//evil[.]com[/]x") == "http://evil.com/x"
    with pytest.raises(ValueError, match="public suffix"):
        registrable_domain("co.uk")
