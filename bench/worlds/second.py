"""A second world generator for resurgence evaluation, written apart from ``fimihub.sim`` and sharing no code.

It follows the users' description of the world where resurgence scoring failed: operations removed in a first
wave, most of them back in a second wave with new accounts (some with their outlets under new TLDs and their
old images, some under a new brand with new outlets, new hashtags and heavily reworded texts; many accounts
under their old names with small changes, some on a platform the operation was never on) among a few
thousand ordinary accounts. Some ordinary users share the operations' topics, topical hashtags and
mainstream news links; a part of them also reshare one or two of an operation's old links or images. Like
real operations, these blend in with popular hashtags (#news, #breaking, #fyp) and mainstream news links,
and ordinary users pile onto trending links within minutes.

Its habits differ from ``fimihub.sim`` on purpose: heavy-tailed (Pareto) activity and operation sizes,
posting hours by each user's time zone and chronotype, operations that post in relay cascades and in
scheduled daily slots, platform-specific id and handle styles, its own vocabulary, outlets, TLDs and
popular-content pool.

    world = make_world(SecondConfig(seed=3, level="adversarial"))
    world.disrupted  # the removed accounts' posts, labelled with `operation` (platform export format)
    world.new        # everyone else's posts, unlabelled
    world.returning  # operation -> {(platform, account_id), ...} of its returning accounts
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

__all__ = ["LEVELS", "SecondConfig", "SecondWorld", "make_world"]

#: Difficulty levels: what each turns on (see :class:`SecondConfig`).
LEVELS = ("plain", "blending", "adversarial")

EXPORT_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("account_id", pa.string()),
        ("handle", pa.string()),
        ("display_name", pa.string()),
        ("account_created_at", pa.string()),
        ("followers", pa.int64()),
        ("post_id", pa.string()),
        ("posted_at", pa.string()),
        ("text", pa.string()),
        ("urls", pa.string()),
        ("hashtags", pa.string()),
        ("image_pdq", pa.string()),
        ("repost_of", pa.string()),
        ("operation", pa.string()),
    ]
)

PLATFORMS = ("x", "facebook", "telegram", "tiktok", "instagram", "youtube")
PLATFORM_WEIGHTS = (0.28, 0.3, 0.12, 0.14, 0.12, 0.04)
POPULAR_TAGS = ("news", "breaking", "fyp", "viral", "foryoupage", "BreakingNews", "trending")
NEWS_SITES = (
    "reuters.com",
    "apnews.com",
    "bbc.co.uk",
    "theguardian.com",
    "lemonde.fr",
    "spiegel.de",
    "elpais.com",
    "corriere.it",
    "politico.eu",
    "euronews.com",
    "dw.com",
    "france24.com",
    "nos.nl",
    "yle.fi",
    "svt.se",
    "rte.ie",
    "irishtimes.com",
    "derstandard.at",
    "lesoir.be",
    "publico.pt",
)
SHADY_TLDS = (
    "info",
    "news",
    "online",
    "press",
    "live",
    "site",
    "today",
    "world",
    "club",
    "media",
    "net",
    "org",
)
BRAND_A = (
    "baltic",
    "free",
    "true",
    "clear",
    "nordic",
    "civic",
    "open",
    "honest",
    "real",
    "central",
    "sovereign",
    "danube",
    "alpine",
    "atlantic",
    "people's",
    "common",
    "daily",
    "voice",
    "plain",
    "iron",
)
BRAND_B = (
    "voice",
    "ledger",
    "courier",
    "herald",
    "observer",
    "monitor",
    "tribune",
    "lens",
    "pulse",
    "compass",
    "digest",
    "dispatch",
    "chronicle",
    "review",
    "gazette",
    "signal",
    "beacon",
    "frontier",
    "post",
    "wire",
)
# Topics: a name, topical hashtags everybody on the topic uses, and words for talking points and chatter.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "energy": (
        ("EnergyCrisis", "GasPrices", "Blackout"),
        ("heating", "bills", "pipeline", "winter", "tariffs"),
    ),
    "farmers": (
        ("FarmersProtest", "NoFarmersNoFood"),
        ("tractors", "subsidies", "harvest", "imports", "land"),
    ),
    "migration": (("BorderCrisis", "Migration"), ("border", "asylum", "quotas", "camps", "smugglers")),
    "war": (("PeaceNow", "StopTheWar"), ("ceasefire", "weapons", "sanctions", "front", "escalation")),
    "health": (("VaccineInjury", "HealthFreedom"), ("vaccine", "mandate", "hospital", "pharma", "trial")),
    "elections": (("ElectionFraud", "Vote2024"), ("ballots", "count", "observers", "turnout", "rigged")),
    "economy": (("CostOfLiving", "Inflation"), ("prices", "wages", "rent", "savings", "euro")),
    "climate": (("ClimateScam", "NetZero"), ("carbon", "diesel", "ban", "heatpump", "green")),
}
CHATTER = (
    "had the best {food} at the {place} today",
    "anyone else watching the {show} tonight?",
    "my {pet} refuses to get off the {thing}",
    "finally finished {book}, what a ride",
    "rain again in {city}. classic",
    "training for the {race}, day {n}",
    "new {thing} arrived, so happy",
    "can't believe it's already {month}",
    "traffic on the {road} is a nightmare",
    "{team} won!! what a game",
    "trying a new {food} recipe this weekend",
    "sunset over {city} was unreal",
)
FILL = {
    "food": ("ramen", "pierogi", "paella", "goulash", "croissant", "falafel", "risotto", "borscht"),
    "place": ("market", "corner cafe", "harbour", "old town", "station", "food hall"),
    "show": ("final", "debate", "derby", "concert", "quiz show", "series finale"),
    "pet": ("cat", "dog", "parrot", "rabbit"),
    "thing": ("sofa", "keyboard", "bike", "balcony chair", "laptop", "lamp"),
    "book": ("the trilogy", "that thriller", "the biography", "the poetry collection"),
    "city": ("Gdansk", "Porto", "Lyon", "Tartu", "Graz", "Utrecht", "Turku", "Cork"),
    "race": ("half marathon", "10k", "triathlon", "charity run"),
    "month": ("March", "June", "October", "December"),
    "road": ("ring road", "bridge", "A2", "bypass"),
    "team": ("City", "United", "the home side", "our girls"),
    "n": tuple(str(i) for i in range(2, 60)),
}
OPENERS = ("They don't want you to know:", "WAKE UP.", "Share before it's deleted!", "Read this.", "FACT:")
CONNECT = ("and yet", "while", "because", "meanwhile", "so", "but")
ACTORS = ("Brussels", "the government", "the elites", "the media", "NATO", "the banks", "the globalists")
VERBS = ("is hiding", "lies about", "profits from", "covers up", "ignores", "pushes")
OUTCOMES = (
    "ordinary families pay the price",
    "nobody is held to account",
    "the truth comes out anyway",
    "our children will suffer",
    "the numbers don't add up",
    "the silence is deafening",
)
SYNONYMS = {
    "hiding": "concealing",
    "lies": "misleads",
    "profits": "gains",
    "ignores": "overlooks",
    "pushes": "forces",
    "families": "households",
    "truth": "reality",
    "children": "kids",
    "numbers": "figures",
    "price": "cost",
    "government": "regime",
    "media": "press",
    "elites": "establishment",
    "pay": "suffer",
}
FIRST = (
    "maria",
    "jan",
    "ana",
    "luca",
    "eva",
    "tomas",
    "sofia",
    "piet",
    "ines",
    "mikko",
    "lena",
    "marek",
    "chiara",
    "jonas",
    "elif",
    "nora",
    "pavel",
    "zoe",
    "ruben",
    "ilse",
    "oskar",
    "katja",
    "dario",
    "mila",
)
LAST = (
    "novak",
    "jansen",
    "silva",
    "rossi",
    "berg",
    "kowal",
    "moreau",
    "ivanova",
    "lind",
    "horvat",
    "schmidt",
    "costa",
    "virtanen",
    "dubois",
    "meyer",
    "popescu",
    "nagy",
    "olsen",
    "ferreira",
    "weber",
)
HOBBY = ("travels", "photo", "runs", "cooks", "reads", "art", "music", "bikes", "garden", "games")

_DAY = 86_400
_START = int(datetime(2023, 9, 4, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class SecondConfig:
    """One world; ``level`` sets the hard parts (plain < blending < adversarial)."""

    seed: int = 0
    level: str = "adversarial"
    ordinary: int = 3000
    topical: int = 400
    resharers: int = 120
    operations: int = 10
    returning_operations: int = 7
    days: int = 120

    @property
    def blend(self) -> float:
        """Share of operation posts with popular hashtags and mainstream links."""
        return {"plain": 0.0, "blending": 0.35, "adversarial": 0.45}[self.level]

    @property
    def trending(self) -> bool:
        return self.level != "plain"

    @property
    def reshare(self) -> int:
        return self.resharers if self.level == "adversarial" else 0

    @property
    def rebrand_share(self) -> float:
        return 0.45 if self.level == "adversarial" else 0.0

    @property
    def new_platform_share(self) -> float:
        return 0.3 if self.level == "adversarial" else 0.1


@dataclass
class SecondWorld:
    config: SecondConfig
    disrupted: pa.Table
    new: pa.Table
    #: Operation id -> (platform, account_id) of its returning accounts.
    returning: dict[str, set[tuple[str, str]]]
    topical: set[tuple[str, str]] = field(default_factory=set)
    resharers: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class _Account:
    platform: str
    account_id: str
    handle: str
    display: str
    created: int
    followers: int
    operation: str = ""
    tz: float = 0.0  # hours east of UTC
    peak: float = 20.0  # local hour the account posts most


@dataclass
class _Op:
    id: str
    brand: str
    domains: list[str]
    tags: list[str]  # branded hashtags
    topics: list[str]
    messages: list[str]
    urls: list[str]
    images: list[int]
    platforms: list[str]
    slots: list[int]  # scheduled posting minutes of the day (UTC)


class _Gen:
    def __init__(self, config: SecondConfig) -> None:
        if config.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        self.c = config
        self.r = random.Random(f"second-world/{config.seed}")
        self.rows_old: list[dict[str, object]] = []
        self.rows_new: list[dict[str, object]] = []
        self.ids: set[tuple[str, str]] = set()
        self.handles: set[tuple[str, str]] = set()
        self.end = _START + config.days * _DAY
        self.articles = [self._article() for _ in range(600)]
        self.memes = [self.r.getrandbits(256) for _ in range(40)]
        #: Trending moments: (start, link, hashtag).
        self.events: list[tuple[int, str, str]] = []

    # -- small pieces ------------------------------------------------------------------------------------

    def _id(self, platform: str) -> str:
        r = self.r
        while True:
            if platform == "x":
                value = str(r.randrange(10**17, 10**19))
            elif platform == "facebook":
                value = f"1000{r.randrange(10**10, 10**11)}"
            elif platform == "telegram":
                value = str(r.randrange(10**8, 7 * 10**9))
            elif platform == "youtube":
                value = "UC" + "".join(
                    r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                    for _ in range(22)
                )
            else:
                value = str(r.randrange(6 * 10**18, 7 * 10**18))
            if (platform, value) not in self.ids:
                self.ids.add((platform, value))
                return value

    def _post_id(self, platform: str) -> str:
        return f"{platform[:2]}{self.r.getrandbits(60):x}"

    def _free(self, platform: str, handle: str) -> str:
        base, k = handle, 2
        while (platform, handle) in self.handles:
            handle, k = f"{base}{k}", k + 1
        self.handles.add((platform, handle))
        return handle

    def _person(self) -> tuple[str, str]:
        r = self.r
        first, last = r.choice(FIRST), r.choice(LAST)
        style = r.random()
        if style < 0.2:
            handle = f"TheReal{first.title()}{last.title()}"
        elif style < 0.4:
            handle = f"{first}.{last[0]}"
        elif style < 0.6:
            handle = f"{first[0]}{last[:4]}_{r.choice(HOBBY)}"
        elif style < 0.8:
            handle = f"{r.choice(HOBBY)}with{first}"
        else:
            handle = f"{first}{last}{r.randrange(1, 99):02d}"
        return handle, f"{first.title()} {last.title()}"

    def _article(self) -> str:
        r = self.r
        day = datetime.fromtimestamp(_START + r.randrange(self.c.days) * _DAY, UTC)
        words = r.sample(
            (
                "minister",
                "talks",
                "storm",
                "budget",
                "court",
                "vote",
                "strike",
                "summit",
                "trade",
                "report",
                "record",
                "deal",
                "warning",
                "plan",
                "crisis",
                "league",
            ),
            3,
        )
        number = r.randrange(10**5, 10**6)
        return f"https://{r.choice(NEWS_SITES)}/{day:%Y/%m/%d}/{'-'.join(words)}-{number}.html"

    def _popular_article(self) -> str:
        return self.articles[int(25 * self.r.random() ** 2)]

    def _any_article(self) -> str:
        return self.articles[min(int(random_pareto(self.r, 1.1)) - 1, len(self.articles) - 1)]

    def _time(self, account: _Account, lo: int, hi: int) -> int:
        """A moment in ``[lo, hi)`` at an hour the account tends to post (local time, its chronotype)."""
        day = lo + self.r.randrange(max(1, (hi - lo) // _DAY)) * _DAY
        hour = self.r.vonmisesvariate(account.peak / 24 * 2 * math.pi, 2.0) / (2 * math.pi) * 24 - account.tz
        t = day - day % _DAY + int(hour % 24 * 3600) + self.r.randrange(60)
        return min(max(t, lo), hi - 1)

    def _row(
        self,
        account: _Account,
        t: int | None,
        text: str = "",
        urls: str = "",
        tags: str = "",
        pdq: str = "",
        repost_of: str = "",
        old: bool = False,
    ) -> str:
        post_id = self._post_id(account.platform) if t is not None else ""
        row = {
            "platform": account.platform,
            "account_id": account.account_id,
            "handle": account.handle,
            "display_name": account.display,
            "account_created_at": _iso(account.created),
            "followers": account.followers,
            "post_id": post_id,
            "posted_at": _iso(t) if t is not None else "",
            "text": text,
            "urls": urls,
            "hashtags": tags,
            "image_pdq": pdq,
            "repost_of": repost_of,
            "operation": account.operation,
        }
        (self.rows_old if old else self.rows_new).append(row)
        return post_id

    # -- ordinary people ----------------------------------------------------------------------------------

    def ordinary(self) -> tuple[list[_Account], list[_Account]]:
        r, c = self.r, self.c
        people: list[_Account] = []
        for _ in range(c.ordinary):
            platform = r.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
            handle, display = self._person()
            recent = r.random() < 0.1
            created = _START + r.randrange(c.days * _DAY) if recent else _START - r.randrange(30, 4000) * _DAY
            people.append(
                _Account(
                    platform,
                    self._id(platform),
                    self._free(platform, handle),
                    display,
                    created,
                    int(random_pareto(r, 0.9) * 20),
                    tz=r.choice((0, 1, 2, 3, -5)),
                    peak=r.choice((8.0, 12.5, 18.0, 21.5, 23.5)),
                )
            )
        topical = people[: c.topical]
        for i, person in enumerate(people):
            self._ordinary_posts(person, topical=i < c.topical)
        return people, topical

    def _ordinary_posts(self, person: _Account, topical: bool) -> None:
        r = self.r
        lo = max(_START, person.created + 3600)
        count = min(int(random_pareto(r, 1.2)), 300) - (1 if r.random() < 0.08 else 0)
        if count <= 0 or lo >= self.end:
            self._row(person, None)
            return
        topic_names = r.sample(sorted(TOPICS), 2)
        for _ in range(count):
            t = self._time(person, lo, self.end)
            text = _fill(r, r.choice(CHATTER))
            urls = self._any_article() if r.random() < 0.25 else ""
            tags = ""
            if r.random() < 0.15:
                tags = (
                    r.choice(POPULAR_TAGS)
                    if r.random() < 0.5
                    else r.choice(("weekend", "coffee", "football"))
                )
            if topical and r.random() < 0.6:
                name = r.choice(topic_names)
                hashtags, words = TOPICS[name]
                remark = r.choice(("again", "really?", "this is getting worse", "thoughts?"))
                text = f"{r.choice(words)} {remark}"
                tags = " ".join(r.sample(hashtags, r.randint(1, len(hashtags))))
                urls = self._any_article() if r.random() < 0.6 else ""
            pdq = ""
            if r.random() < 0.15:
                pdq = _hex(
                    _flip(r, r.choice(self.memes), r.randint(0, 5))
                    if r.random() < 0.3
                    else r.getrandbits(256)
                )
            self._row(person, t, text, urls, tags, pdq)

    def trending(self, people: list[_Account]) -> None:
        """Trending moments: dozens of people post the same popular link and hashtag within minutes."""
        r = self.r
        for _ in range(self.c.days // 3):
            t0 = _START + r.randrange((self.c.days - 1) * _DAY)
            link, tag = self._popular_article(), r.choice(POPULAR_TAGS)
            self.events.append((t0, link, tag))
            crowd = r.sample(people, min(len(people), r.randint(15, 70)))
            for person in crowd:
                if person.created + 3600 > t0:
                    continue
                t = t0 + int(min(r.expovariate(1 / 150), 580))
                self._row(
                    person,
                    t,
                    f"{r.choice(('wow', 'this.', 'unbelievable', 'omg', 'read this'))} {link}",
                    link,
                    tag,
                )

    def reshares(self, topical: list[_Account], ops: list[_Op]) -> set[tuple[str, str]]:
        """Some topical users reshare one or two of an operation's old links or images, at their own time."""
        r = self.r
        chosen = r.sample(topical, min(len(topical), self.c.reshare))
        for person in chosen:
            op = r.choice(ops)
            for _ in range(r.randint(1, 2)):
                t = self._time(person, max(_START + 10 * _DAY, person.created + 3600), self.end)
                if r.random() < 0.55:
                    self._row(person, t, "interesting read", r.choice(op.urls), "")
                else:
                    self._row(
                        person, t, "saw this going around", "", "", _hex(_flip(r, r.choice(op.images), 2))
                    )
        return {(p.platform, p.account_id) for p in chosen}

    # -- operations -----------------------------------------------------------------------------------------

    def operation(self, index: int, brands: set[str]) -> _Op:
        r = self.r
        brand = _brand(r, brands)
        stem = brand.replace(" ", "").replace("'", "")
        domains = [f"{stem}.{tld}" for tld in r.sample(SHADY_TLDS, r.randint(1, 3))]
        if r.random() < 0.5:
            domains.append(f"{stem}-{r.choice(('eu', 'today', 'now'))}.{r.choice(SHADY_TLDS)}")
        topics = r.sample(sorted(TOPICS), 2)
        tags = [
            brand.title().replace(" ", "").replace("'", ""),
            f"{stem.title()}{r.choice(('Truth', 'News', 'EU'))}",
        ]
        messages = [_message(r, topics) for _ in range(r.randint(8, 16))]
        urls = [
            f"https://{r.choice(domains)}/{r.choice(topics)}/{_slug(r, topics)}"
            for _ in range(r.randint(8, 30))
        ]
        platforms = r.sample(PLATFORMS[:4], r.randint(1, 3))
        slots = [r.randrange(24 * 60) for _ in range(r.randint(2, 4))]
        images = [r.getrandbits(256) for _ in range(r.randint(4, 14))]
        return _Op(
            f"second-op-{index + 1:02d}",
            brand,
            domains,
            tags,
            topics,
            messages,
            urls,
            images,
            platforms,
            slots,
        )

    def op_accounts(self, op: _Op, n: int, lo: int, platforms: list[str]) -> list[_Account]:
        r = self.r
        out = []
        for _ in range(n):
            platform = r.choice(platforms)
            if r.random() < 0.2:
                handle, display = (
                    f"{op.brand.replace(' ', '_').replace(chr(39), '')}_{r.randrange(10, 99)}",
                    op.brand.title(),
                )
            else:
                handle, display = self._person()
            out.append(
                _Account(
                    platform,
                    self._id(platform),
                    self._free(platform, handle),
                    display,
                    lo - r.randrange(2, 20) * _DAY,
                    int(random_pareto(r, 1.5) * 5),
                    op.id,
                    tz=3.0,
                    peak=10.0,
                )
            )
        return out

    def op_posts(self, op: _Op, accounts: list[_Account], lo: int, hi: int, old: bool) -> None:
        """Relay cascades (one posts, others copy or repost within minutes) and scheduled daily slots."""
        r, c = self.r, self.c
        cascades = max(4, int(len(accounts) * r.uniform(0.8, 1.6)))
        during = [e for e in self.events if lo <= e[0] < hi - 3600]
        for _ in range(cascades):
            t = lo + r.randrange(hi - lo - 3600)
            item = self._op_item(op)
            if during and r.random() < c.blend / 2:
                # Riding a trending moment: the cascade joins it, with its link and hashtag.
                t, link, tag = r.choice(during)
                t += r.randrange(0, 300)
                item = (item[0], f"{item[1]} {link}".strip(), f"{item[2]} {tag}".strip(), item[3])
            crowd = r.sample(accounts, min(len(accounts), max(3, int(random_pareto(r, 1.6) * 3))))
            first = ""
            for k, account in enumerate(crowd):
                t += 0 if k == 0 else int(r.uniform(20, 240))
                if k and first and r.random() < 0.4:
                    self._row(account, t, item[0], item[1], item[2], item[3], repost_of=first, old=old)
                else:
                    pid = self._row(account, t, _jitter(r, item[0]), item[1], item[2], item[3], old=old)
                    first = first or pid
        days = (hi - lo) // _DAY
        for d in range(0, days, r.randint(2, 4)):
            for slot in op.slots[: r.randint(1, len(op.slots))]:
                t = lo - lo % _DAY + d * _DAY + slot * 60
                if not lo <= t < hi - 900:
                    continue
                item = self._op_item(op)
                for account in r.sample(accounts, min(len(accounts), r.randint(2, 5))):
                    self._row(
                        account,
                        t + r.randrange(0, 300),
                        _jitter(r, item[0]),
                        item[1],
                        item[2],
                        item[3],
                        old=old,
                    )
        for account in accounts:  # a little cover chatter
            for _ in range(r.randint(0, 3)):
                self._row(
                    account,
                    self._time(account, lo, hi),
                    _fill(r, r.choice(CHATTER)),
                    self._any_article() if r.random() < 0.5 else "",
                    r.choice(POPULAR_TAGS) if r.random() < c.blend else "",
                    old=old,
                )

    def _op_item(self, op: _Op) -> tuple[str, str, str, str]:
        r = self.r
        text = r.choice(op.messages)
        urls = [r.choice(op.urls)] if r.random() < 0.7 else []
        tags = r.sample(op.tags, r.randint(0, len(op.tags)))
        if r.random() < 0.6:
            tags.append(r.choice(TOPICS[r.choice(op.topics)][0]))
        if r.random() < self.c.blend:
            tags.append(r.choice(POPULAR_TAGS[:3]))
            urls.append(self._popular_article())
        pdq = _hex(_flip(r, r.choice(op.images), r.randint(0, 3))) if r.random() < 0.4 else ""
        return text, " ".join(urls), " ".join(dict.fromkeys(tags)), pdq

    def comeback(self, op: _Op, rebrand: bool, brands: set[str]) -> _Op:
        r = self.r
        if rebrand:
            brand = _brand(r, brands)
            stem = brand.replace(" ", "").replace("'", "")
            domains = [f"{stem}.{tld}" for tld in r.sample(SHADY_TLDS, r.randint(1, 3))]
            tags = [brand.title().replace(" ", "").replace("'", "")]
            messages = [_reword(r, m, 0.5) for m in op.messages]
            urls = [
                f"https://{r.choice(domains)}/{r.choice(op.topics)}/{_slug(r, op.topics)}" for _ in op.urls
            ]
            images = [_flip(r, i, r.randint(2, 8)) for i in r.sample(op.images, max(1, len(op.images) // 2))]
            images += [r.getrandbits(256) for _ in range(3)]
        else:
            brand = op.brand
            moved = {
                d: f"{d.rsplit('.', 1)[0]}.{r.choice([t for t in SHADY_TLDS if t != d.rsplit('.', 1)[1]])}"
                for d in op.domains
            }
            domains = list(moved.values())
            tags = [*op.tags[:1], f"{op.tags[0]}Back"]
            messages = [_reword(r, m, 0.08) for m in op.messages]
            urls = [f"https://{moved[u.split('/')[2]]}/{u.split('/', 3)[3]}" for u in op.urls]
            urls += [
                f"https://{r.choice(domains)}/{r.choice(op.topics)}/{_slug(r, op.topics)}" for _ in range(5)
            ]
            images = list(op.images)
        slots = [(s + r.randrange(-30, 30)) % (24 * 60) for s in op.slots]
        return _Op(op.id, brand, domains, tags, op.topics, messages, urls, images, op.platforms, slots)

    def returning_accounts(self, op: _Op, old: list[_Account], lo: int) -> list[_Account]:
        r = self.r
        n = max(3, int(len(old) * r.uniform(0.4, 0.9)))
        unused = [p for p in PLATFORMS if p not in op.platforms]
        out = []
        for before in r.sample(old, n):
            platform = before.platform
            if unused and r.random() < self.c.new_platform_share:
                platform = r.choice(unused)
            if r.random() < 0.6:
                handle, display = _tweak(r, before.handle), before.display
            else:
                handle, display = self._person()
            out.append(
                _Account(
                    platform,
                    self._id(platform),
                    self._free(platform, handle),
                    display,
                    lo - r.randrange(1, 10) * _DAY,
                    int(random_pareto(r, 1.5) * 3),
                    op.id,
                    tz=3.0,
                    peak=10.0,
                )
            )
        return out

    def run(self) -> SecondWorld:
        r, c = self.r, self.c
        people, topical = self.ordinary()
        if c.trending:
            self.trending(people)
        brands: set[str] = set()
        ops = [self.operation(i, brands) for i in range(c.operations)]
        returning: dict[str, set[tuple[str, str]]] = {}
        takedown = _START + int(c.days * 0.45) * _DAY
        back_from = takedown + 12 * _DAY
        comeback = set(r.sample(range(c.operations), c.returning_operations))
        for i, op in enumerate(ops):
            start = _START + r.randrange(0, 12) * _DAY
            size = min(80, max(8, int(random_pareto(r, 1.3) * 10)))
            old = self.op_accounts(op, size, start, op.platforms)
            self.op_posts(op, old, start, takedown, old=True)
            if i not in comeback:
                continue
            again = self.comeback(op, r.random() < c.rebrand_share, brands)
            accounts = self.returning_accounts(again, old, back_from)
            for a in accounts:
                a.operation = ""  # the new export is unlabelled
            self.op_posts(again, accounts, back_from + r.randrange(0, 8) * _DAY, self.end, old=False)
            returning[op.id] = {(a.platform, a.account_id) for a in accounts}
        resharers = self.reshares(topical, ops) if c.reshare else set()
        return SecondWorld(
            c,
            pa.Table.from_pylist(self.rows_old, schema=EXPORT_SCHEMA),
            pa.Table.from_pylist(self.rows_new, schema=EXPORT_SCHEMA).drop_columns(["operation"]),
            returning,
            {(p.platform, p.account_id) for p in topical},
            resharers,
        )


def make_world(config: SecondConfig) -> SecondWorld:
    """The world ``config`` describes (deterministic in it)."""
    return _Gen(config).run()


# -- helpers -------------------------------------------------------------------------------------------------


def random_pareto(r: random.Random, alpha: float) -> float:
    return r.paretovariate(alpha)


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex(value: int) -> str:
    return f"{value:064x}"


def _flip(r: random.Random, value: int, bits: int) -> int:
    for b in r.sample(range(256), bits):
        value ^= 1 << b
    return value


def _fill(r: random.Random, template: str) -> str:
    out = template
    for key, options in FILL.items():
        out = out.replace("{" + key + "}", r.choice(options))
    return out


def _brand(r: random.Random, taken: set[str]) -> str:
    while True:
        brand = f"{r.choice(BRAND_A)} {r.choice(BRAND_B)}"
        if brand not in taken:
            taken.add(brand)
            return brand


def _slug(r: random.Random, topics: list[str]) -> str:
    words = [w for t in topics for w in TOPICS[t][1]]
    return "-".join(r.sample(words, 3)) + f"-{r.randrange(100, 9999)}"


def _message(r: random.Random, topics: list[str]) -> str:
    sentences = []
    for _ in range(r.randint(4, 6)):
        topic = TOPICS[r.choice(topics)][1]
        sentences.append(
            f"{r.choice(ACTORS)} {r.choice(VERBS)} the {r.choice(topic)} {r.choice(topic)} "
            f"{r.choice(CONNECT)} {r.choice(OUTCOMES)}."
        )
    return f"{r.choice(OPENERS)} {' '.join(sentences)}"


def _jitter(r: random.Random, text: str) -> str:
    """A copy as a person pastes it: sometimes an emoji or a word in front, sometimes a doubled letter."""
    roll = r.random()
    if roll < 0.25:
        return f"{r.choice(('🔥', '‼️', '👉', '⚠️'))} {text}"
    if roll < 0.4:
        words = text.split()
        i = r.randrange(len(words))
        words[i] = words[i] + words[i][-1]
        return " ".join(words)
    return text


def _reword(r: random.Random, text: str, share: float) -> str:
    """Reword about ``share`` of the words (synonyms, drops, reorders of sentences when heavy)."""
    sentences = text.split(". ")
    if share > 0.3:
        r.shuffle(sentences)
    words = ". ".join(sentences).split()
    out = []
    for w in words:
        if r.random() < share:
            bare = w.strip(".,").lower()
            if bare in SYNONYMS:
                out.append(SYNONYMS[bare])
            elif r.random() < 0.5:
                continue
            else:
                out.append(r.choice(("really", "truly", "now", "again", "clearly", "simply")))
                out.append(w)
        else:
            out.append(w)
    return " ".join(out)


def _tweak(r: random.Random, handle: str) -> str:
    """The old name with a small change."""
    roll = r.random()
    if roll < 0.3:
        return f"{handle}{r.randrange(1, 9)}"
    if roll < 0.5:
        return handle.replace("o", "0", 1) if "o" in handle else f"{handle}_"
    if roll < 0.7:
        return f"_{handle}" if len(handle) < 14 else handle[:-1]
    if roll < 0.85:
        i = r.randrange(1, max(2, len(handle)))
        return handle[:i] + handle[i - 1] + handle[i:]
    return handle.replace(".", "_") if "." in handle else f"{handle}.real"
