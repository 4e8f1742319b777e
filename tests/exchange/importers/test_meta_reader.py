"""Meta's threat-research files read as published: both CSV layouts and a Markdown page, and the shapes other
files of the same repository take (written here in their layouts, with made-up values)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from fimihub.errors import ValidationError
from fimihub.exchange.importers import read_meta
from fimihub.model import SignalKind

ROMANIA = "Q1_2025_ROMANIA_BASED_CIB_NETWORK.csv"
IRAN = "Q3_2023_Iran-based_recidivist_CIB_cluster.csv"
OLD = "2022_09_removing_coordinated_inauthentic_behavior_from_china_and_russia.csv"
MOLDOVA = "meta-h2-2025-moldova-based-cib-network.md"


def _values(path: Path) -> set[tuple[str, str]]:
    return {(i.kind.value, i.value) for i in read_meta(path).indicators}


def test_older_layout_every_row_is_an_indicator(meta_dir: Path) -> None:
    path = meta_dir / OLD
    with path.open(encoding="utf-8") as file:
        rows = [r for r in csv.DictReader(file) if r["indicator_value"].strip()]
    found = read_meta(path)
    assert not found.skipped
    assert len(found.indicators) == len(rows)
    kinds = Counter(i.kind for i in found.indicators)
    # Telegram URLs are accounts on Telegram; petitions stay URLs; a link to a blog on a shared blogging
    # domain stays a URL, for the domain would stand for every blog there.
    assert kinds[SignalKind.HANDLE] == sum(r["indicator_type"] == "telegram_url" for r in rows)
    assert kinds[SignalKind.DOMAIN] == sum(r["indicator_type"] == "domain_name" for r in rows)
    assert ("url", "https://marc-foreman.livejournal.com/") in _values(path)
    assert ("domain", "livejournal.com") not in _values(path)
    assert ("handle", "telegram:london_rumors") in _values(path)
    assert ("domain", "rrn.world") in _values(path)
    assert found.published_at is not None and found.published_at.date().isoformat() == "2022-09-27"


def test_kill_chain_layout_restores_defanged_values_and_names_platforms(meta_dir: Path) -> None:
    found = read_meta(meta_dir / IRAN)
    values = {(i.kind.value, i.value, i.platform) for i in found.indicators}
    assert values == {
        ("domain", "afgreview.com", None),
        ("domain", "tahlilroz.af", None),
        ("domain", "tahlilroz.com", None),
        ("handle", "x:afg_review", "x"),
        ("handle", "x:tahlilroz_af", "x"),
        ("handle", "youtube:channel/UCYV-Ra383fb4sTaXqi-XV5Q", "youtube"),
        ("handle", "telegram:afghanistandevelopments", "telegram"),
        ("handle", "telegram:tahlilroz_af", "telegram"),
    }
    assert [s.line for s in found.skipped] == [11]  # the prose row, reported with its line
    assert found.tactics == ["TA11", "TA15"]
    assert found.kill_chain == ["0. Acquiring Assets", "9. Enabling longevity"]


def test_counts_become_figures_not_indicators(meta_dir: Path) -> None:
    found = read_meta(meta_dir / ROMANIA)
    figures = {(f.value, f.unit, f.line) for f in found.figures}
    assert (658, "accounts", 2) in figures
    assert (14, "Pages", 3) in figures  # "14 Pages " with its trailing space
    assert (177_000, "USD spent on ads", 34) in figures
    assert all(not i.value.split(":")[-1].isdigit() for i in found.indicators)
    handles = Counter(i.platform for i in found.indicators if i.kind is SignalKind.HANDLE)
    assert handles == {"x": 6, "youtube": 2, "tiktok": 5}
    assert ("handle", "x:dariusmindru") in _values(meta_dir / ROMANIA)
    assert found.operation is not None
    assert found.operation.fields["ad_spend"] == 177_000
    assert found.operation.fields["ad_spend_currency"] == "USD"
    # Every non-blank data row is accounted for: an indicator, a figure or a reported skip.
    with (meta_dir / ROMANIA).open(encoding="utf-8", newline="") as file:
        rows = [r for r in csv.reader(file)][1:]
    non_blank = [r for r in rows if any(c.strip() for c in r)]
    lines = (
        {i.line for i in found.indicators} | {f.line for f in found.figures} | {s.line for s in found.skipped}
    )
    assert len(lines) == len(non_blank)


def test_markdown_page_table_title_summary_and_references(meta_dir: Path) -> None:
    found = read_meta(meta_dir / MOLDOVA)
    assert found.title.startswith("Indicators of Compromise: Moldova-Based")
    assert "Gagauz" in found.summary
    values = {(i.kind.value, i.value) for i in found.indicators}
    assert values == {
        ("domain", "gagauzia24.info"),
        ("handle", "x:gagauzianews24"),
        ("handle", "x:gagauzinfomd"),
        ("handle", "youtube:gagauzia_24"),
        ("handle", "tiktok:gagauzia24"),
        ("handle", "tiktok:gagauzportal"),
        ("handle", "tiktok:golosgagauzii"),
        ("handle", "vk:id464508604"),
    }
    # Cross-links are references, never indicators.
    assert not any("alienvault" in i.value or "github" in i.value for i in found.indicators)
    figures = {(f.value, f.unit) for f in found.figures}
    assert {
        (15, "accounts"),
        (6, "Pages"),
        (7, "Groups"),
        (6300, "followers"),
        (300, "USD spent on ads"),
    } <= figures
    assert found.url is not None and found.url.startswith("https://github.com/facebook/threat-research")


def test_other_published_shapes(tmp_path: Path) -> None:
    """Layouts of other files in Meta's repository: a Notes column, remarks after a value, hashes, package
    names, phishing paths, a header below a title row, semicolons, and a UTF-16 file with a BOM."""
    notes = tmp_path / "Q2-3_2025_GithubIOCs - Q2-3_2025_EXAMPLE_BASED_CIB_NETWORK.csv"
    notes.write_text(
        "Tactic ,Technique,Procedure,Indicator,Notes\n"
        "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains,"
        "spoof-news[.]example (Hosted a spoof),\n"
        "0. Acquiring assets,0.9 Acquiring social media accounts,0.9.7 Acquiring Telegram channels,"
        "hxxps://t[.]me/some_channel,\n"
        "0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,"
        "5 accounts,\n"
        "1. Disguising assets,1.3 Posing as institution,1.3.1 Creating fictitious news outlet ,Some Brand,\n"
        ",,,,\n",
        encoding="utf-8",
    )
    found = read_meta(notes)
    assert {(i.kind.value, i.value) for i in found.indicators} == {
        ("domain", "spoof-news.example"),
        ("handle", "telegram:some_channel"),
    }
    assert [(f.value, f.unit) for f in found.figures] == [(5, "accounts")]
    assert [s.line for s in found.skipped] == [5]
    assert found.title == "Q2-3 2025 EXAMPLE BASED CIB NETWORK"

    typed = tmp_path / "typed.csv"
    typed.write_text(
        "Meta indicators\n"
        "indicator_type ; indicator_value ; comment ; ds\n"
        f"md5;{'ab' * 16};sample;2023-05-03\n"
        f"sha256;{'cd' * 32};sample;2023-05-03\n"
        "sha1;da39a3ee5e6b4b0d3255bfef95601890afd80709;sample;2023-05-03\n"
        "android_package_name;com.example.cleaner;app;2023-05-03\n"
        "phishing_url;login-example.online/vote/fb/login.html;phish;2023-05-03\n",
        encoding="utf-8",
    )
    found = read_meta(typed)
    kinds = Counter(i.kind.value for i in found.indicators)
    assert kinds == {"md5": 1, "sha256": 1, "url": 2}
    assert any("play.google.com" in i.value and "com.example.cleaner" in i.value for i in found.indicators)
    assert [(s.line, "SHA-1" in s.reason) for s in found.skipped] == [(5, True)]

    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("Indicator\nx[.]com/some_account\n", encoding="utf-16")
    assert [(i.kind.value, i.value) for i in read_meta(utf16).indicators] == [("handle", "x:some_account")]


def test_markdown_lists_and_code_blocks_under_headings(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Example network\n\n## Summary\n\nWe removed 3 Facebook accounts and 2 Pages.\n\n"
        "## Indicators\n\n### Domains\n\n- `example-news[.]info`\n- **Domain:** `other-news[.]info`\n\n"
        "### Telegram\n\n```\nhxxps://t[.]me/example_channel\n```\n\n"
        "## References\n\n- [Report](https://example.org/report.pdf)\n- https://example.org/not-an-ioc\n",
        encoding="utf-8",
    )
    found = read_meta(page)
    assert found.title == "Example network"
    assert {(i.kind.value, i.value) for i in found.indicators} == {
        ("domain", "example-news.info"),
        ("domain", "other-news.info"),
        ("handle", "telegram:example_channel"),
    }
    assert {(f.value, f.unit) for f in found.figures} == {(3, "accounts"), (2, "Pages")}
    assert found.url == "https://example.org/report.pdf"


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"", "empty"), (bytes(range(256)) * 20, "binary"), (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "PNG")],
)
def test_files_that_are_no_text_are_refused_with_a_reason(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        read_meta(path)
    assert says in caught.value.errors[0][1]


def test_a_line_that_is_not_utf8_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Indicator\r\ncaf\xe9-news[.]fr\r\nx[.]com/ok_name\r\n".encode("cp1252"))
    found = read_meta(path)
    assert {i.value for i in found.indicators} == {"xn--caf-news-d1a.fr", "x:ok_name"}


def test_the_json_form_of_the_typed_files(tmp_path: Path) -> None:
    path = tmp_path / "2020_12_example.json"
    rows = [
        {
            "indicator_type": "sha256",
            "indicator_value": "ab" * 32,
            "comment": "Malware Hash",
            "ds": "2020-12-10",
        },
        {"indicator_type": "domain_name", "indicator_value": "example-news.org", "ds": "2020-12-10"},
        {"indicator_type": "domain_name", "indicator_value": ""},
    ]
    path.write_text(json.dumps(rows, indent=4), encoding="utf-8")
    found = read_meta(path)
    assert {(i.kind.value, i.value, i.line) for i in found.indicators} == {
        ("sha256", "ab" * 32, 1),
        ("domain", "example-news.org", 2),
    }
    assert [(s.line, s.reason) for s in found.skipped] == [(3, "no indicator value in the row")]
    assert found.published_at is not None and found.published_at.year == 2020
    broken = tmp_path / "broken.json"
    broken.write_text('{"not": "a list of indicators"}', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_meta(broken)
    assert "no indicator field" in caught.value.errors[0][1]


def test_a_platform_column_names_the_platform_of_bare_handles(tmp_path: Path) -> None:
    page = tmp_path / "accounts.md"
    page.write_text(
        "# Accounts\n\n| Platform | Indicator | Description |\n|---|---|---|\n"
        "| Telegram | `@example_channel` | news channel |\n| X | `@example_x` | persona |\n"
        "| Website | `example-site[.]net` | outlet |\n",
        encoding="utf-8",
    )
    found = read_meta(page)
    assert {(i.kind.value, i.value) for i in found.indicators} == {
        ("handle", "telegram:example_channel"),
        ("handle", "x:example_x"),
        ("domain", "example-site.net"),
    }


def test_prose_naming_a_service_is_no_indicator_but_its_links_are(tmp_path: Path) -> None:
    path = tmp_path / "apt.csv"
    path.write_text(
        "Tactic,Technique,Procedure,Indicator,Comments\n"
        "0 Acquiring Assets,0.9,0.9.1 Facebook assets,About 110 accounts on Facebook and Instagram,\n"
        "5 Evading detection,5.2,5.2.1 Using link shorteners,Using bit[.]ly to hide the destination,\n"
        "5 Evading detection,5.5,5.5.3 Using third-party hosting providers,Using MediaFire[.]com,\n"
        "7 Targeted engagement,7.5,7.5.2 Directing audience to website,"
        '"The network linked to hxxps://spoof-outlet[.]example/story in its posts",\n'
        "0 Acquiring Assets,0.9,0.9.7 Acquiring Telegram channels,https{:}//t[.]me/example_news,\n",
        encoding="utf-8",
    )
    found = read_meta(path)
    assert {(i.kind.value, i.value, i.line) for i in found.indicators} == {
        ("url", "https://spoof-outlet.example/story", 5),
        ("handle", "telegram:example_news", 6),
    }
    assert [(f.value, f.unit, f.line) for f in found.figures] == [
        (110, "accounts on Facebook and Instagram", 2)
    ]
    assert {s.line for s in found.skipped} == {3, 4}
