"""Shapes found across Meta's whole threat-research repository, written here with made-up values: links a
copy from a PDF broke with spaces, links in a row's notes, App Store ids, and Markdown pages whose summary has
sub-sections (one of them "…-Linked"), a passage that "reported" something, and followers joined by "and"."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub.exchange.importers import read_meta
from fimihub.exchange.importers.meta import app_store_link, rejoined
from fimihub.exchange.importers.prose import figures_in, tactic_of

KILL_CHAIN = "Tactic,Technique,Procedure,Indicator,Comments\n"
POSTING = "6. Indiscriminate engagement,6.1 Posting on websites ,6.1.3 Posting original content on blogs,"
LINKS = "7 Targeted engagement,7.9 Distributing malware,7.9.1 Distributing malicious links,"


def _values(path: Path) -> set[tuple[str, str]]:
    return {(i.kind.value, i.value) for i in read_meta(path).indicators}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("https://blog[.]example/2021/12/why-boyc ott-the-games_5.html", "https://blog[.]example/2021/12/why-boycott-the-games_5.html"),
        ("https://x[.]com/someone/status/1562 921025", "https://x[.]com/someone/status/1562921025"),
        ("https://jobs[.]example/projects/ Writing-article s-123/details", "https://jobs[.]example/projects/Writing-articles-123/details"),
        # A remark after a link, a link without a path, and plain words are left as they are.
        ("spoof[.]example/page (hosted a spoof)", "spoof[.]example/page (hosted a spoof)"),
        ("https://news[.]example/a/b [comment]", "https://news[.]example/a/b [comment]"),
        ("https://x[.]com/someone spam account", "https://x[.]com/someone spam account"),
        ("https://news[.]example other-site[.]example", "https://news[.]example other-site[.]example"),
        ("Registering domains with registrar[.]example", "Registering domains with registrar[.]example"),
    ],
)  # fmt: skip
def test_a_link_broken_by_spaces_is_put_back_together(cell: str, expected: str) -> None:
    assert rejoined(cell) == expected


def test_broken_links_import_whole_not_as_a_link_and_a_bogus_domain(tmp_path: Path) -> None:
    path = tmp_path / "Q1_2023_EXAMPLE_CIB_network.csv"
    path.write_text(
        KILL_CHAIN
        + POSTING + "https://blog-one[.]example/2021/12/why-boyc ott-the-games/,\n"
        + POSTING + "http://blog-two[.]example/2021/12/why-boycott-the-gam es_5.html,\n"
        + "7. Targeted engagement,7.4 Co-opting,7.4.2 Hiring paid protesters,"
        "https://twitter[.]com/some_brand/status/1562640310273 921025,Advertising\n",
        encoding="utf-8",
    )  # fmt: skip
    found = read_meta(path)
    assert _values(path) == {
        ("url", "https://blog-one.example/2021/12/why-boycott-the-games/"),
        ("url", "http://blog-two.example/2021/12/why-boycott-the-games_5.html"),
        ("handle", "x:some_brand"),
    }
    assert not found.skipped
    assert not any(i.value.endswith(".html") and i.kind.value == "domain" for i in found.indicators)


def test_links_in_a_rows_notes_come_in_with_the_value(tmp_path: Path) -> None:
    path = tmp_path / "Q1_2023_EXAMPLE_APT.csv"
    path.write_text(
        KILL_CHAIN
        + LINKS + "https://short[.]example/abc,redirects to: hxxp://dl-site[.]example/app.apk\n"
        + LINKS + '"https://short[.]example/def\n","Links disguised as chat apps\nRedirects to: '
        'https://other-dl[.]example/x/Chat.apk"\n'
        + LINKS + "https://short[.]example/ghi,Links disguised as downloads of dl-site[.]example\n"
        + LINKS + "https://short[.]example/jkl,same link again: https://short[.]example/jkl\n",
        encoding="utf-8",
    )  # fmt: skip
    found = read_meta(path)
    by_line = {(i.line, i.value) for i in found.indicators}
    assert by_line == {
        (2, "https://short.example/abc"),
        (2, "http://dl-site.example/app.apk"),
        (3, "https://short.example/def"),
        (3, "https://other-dl.example/x/Chat.apk"),
        (6, "https://short.example/ghi"),  # a site named in prose without its scheme is not taken
        (7, "https://short.example/jkl"),
    }
    redirect = next(i for i in found.indicators if i.value == "http://dl-site.example/app.apk")
    assert "notes of https://short[.]example/abc" in redirect.note
    assert not found.skipped


def test_app_store_ids_become_their_store_page(tmp_path: Path) -> None:
    path = tmp_path / "2022_example_mobile_apps.csv"
    path.write_text(
        "indicator_type,indicator_value,comment,ds\n"
        "android_package_name,com.example.flashlight,Flashlight,2022-10-03\n"
        "ios_app_id,1555000001,Ads Helper,2022-10-03\n"
        "ios_app_id,id1555000002,Pages Helper,2022-10-03\n"
        "ios_app_id,not-an-id,Broken,2022-10-03\n",
        encoding="utf-8",
    )
    found = read_meta(path)
    assert _values(path) == {
        ("url", "https://play.google.com/store/apps/details?id=com.example.flashlight"),
        ("url", "https://apps.apple.com/app/id1555000001"),
        ("url", "https://apps.apple.com/app/id1555000002"),
    }
    assert [s.line for s in found.skipped] == [5]
    assert app_store_link("1555000001", "domain") == ("1555000001", "domain")  # only when the type says so


def test_markdown_summary_sub_sections_linked_headings_and_the_report_link(tmp_path: Path) -> None:
    path = tmp_path / "meta-h2-2099-example-cib-network.md"
    path.write_text(
        "# Indicators of Compromise: Example-Based Influence Operation\n\n"
        "## Meta\u2019s Adversarial Threat Report Network Summary\n\n"
        "### Proliferation of Local, For-Hire Influence\n"
        "Freelancers ran pages, as we [reported](https://news.example/2021/old-report.pdf) before.\n\n"
        "### Case Study 1: Freelancers\n"
        "We removed 67 Facebook accounts and 70 Pages. About 4,200 accounts followed one or more of these "
        "Pages and about 900 accounts followed one or more of these Instagram accounts. Around $1,300 in "
        "spending for ads.\n\n"
        "### Case Study 2: RT-Linked Covert Campaign\n"
        "We removed 10 Facebook accounts and 2 Pages.\n\n"
        "| Indicator Type | Indicator Value |\n| :--- | :--- |\n| Domain | `linked-brand[.]example` |\n\n"
        "## Indicators of Compromise\n\n"
        "| Indicator Type | Indicator Value |\n| :--- | :--- |\n"
        "| Social Media Account | `hxxps://t[.]me/example_brand` |\n\n"
        "## Cross-Links\n\n"
        "- **Full ATR Report:** [Meta Adversarial Threat Report H2 2099](https://transparency.example/atr/)\n"
        "- **IOC File (GitHub):** [on GitHub](https://github.com/facebook/threat-research/blob/main/x.md)\n",
        encoding="utf-8",
    )  # fmt: skip
    found = read_meta(path)
    assert _values(path) == {("domain", "linked-brand.example"), ("handle", "telegram:example_brand")}
    assert "Case Study 2" not in found.summary  # headings are not copied, their paragraphs are
    assert "Freelancers ran pages" in found.summary and "We removed 10 Facebook accounts" in found.summary
    figures = {(f.value, f.unit, f.context) for f in found.figures}
    assert {
        (67, "accounts", "Facebook"),
        (10, "accounts", "Facebook"),
        (4200, "followers", "Pages"),
        (900, "followers", "Instagram accounts"),
        (1300, "USD spent on ads", ""),
    } <= figures
    assert found.url == "https://transparency.example/atr/"


def test_followers_joined_by_and_are_each_a_figure() -> None:
    text = "About 9,600 accounts followed one or more of these Pages and about 10,400 accounts followed"
    assert {(f.value, f.context) for f in figures_in(text + " one or more of these Instagram accounts.")} == {
        (9600, "Pages"),
        (10400, "Instagram accounts"),
    }


def test_a_misspelt_kill_chain_phase_still_has_its_tactic(tmp_path: Path) -> None:
    path = tmp_path / "Q3_2023_EXAMPLE_CIB_network.csv"
    path.write_text(
        "Tactic,Technique,Procedure,Indicator\n"
        "0. Acqiuring Assets,0.9 Acquiring social media accounts,0.9.7 Acquiring Telegram channels,"
        "https://t[.]me/example_channel\n",
        encoding="utf-8",
    )
    assert tactic_of("0. Acqiuring Assets") == "TA15"
    assert read_meta(path).tactics == ["TA15"]


def test_a_misspelt_comments_column_still_gives_the_note(tmp_path: Path) -> None:
    path = tmp_path / "Q1_2023_EXAMPLE_APT.csv"
    path.write_text(
        "Tactic,Technique,Procedure,Indicator,Commernts\n"
        "0 Acquiring Assets,0.6 Acquiring domains,0.6.1 Acquiring domains,malware-host[.]example,"
        "Domain hosting the example RAT\n",
        encoding="utf-8",
    )
    (indicator,) = read_meta(path).indicators
    assert indicator.value == "malware-host.example"
    assert "Domain hosting the example RAT" in indicator.note
