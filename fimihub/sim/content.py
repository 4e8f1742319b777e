"""The content columns of a batch of posts (text, URLs, hashtags, image) and benign users' share of it.

Benign users link to news articles (a popular few get most links), use common hashtags, and post photos, some
of which are popular memes that circulate as near-duplicates. Everything is built column-wise; a
:class:`Content` is then overwritten in place for the rows that carry something else.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.sim.ids import mix64
from fimihub.sim.images import Hashes, flip_bits, random_hashes, to_hex
from fimihub.sim.lexicon import BENIGN_HASHTAGS, SLUG_WORDS
from fimihub.sim.names import NEWS_DOMAINS, NEWS_SECTIONS
from fimihub.sim.plan import Plan
from fimihub.sim.text import benign_texts

__all__ = ["Content", "benign_content", "blank", "news_urls"]

Mask = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]


def blank(n: int) -> pa.Array:
    """``n`` empty strings."""
    return pa.repeat(pa.scalar("", pa.string()), n)


class Content:
    """Content columns of ``n`` posts; ``images`` holds a hash for every row, used where ``has_image``."""

    def __init__(self, text: pa.Array, urls: pa.Array, hashtags: pa.Array, images: Hashes, has_image: Mask):
        self.text = text
        self.urls = urls
        self.hashtags = hashtags
        self.images = images
        self.has_image = has_image

    def clear(self, rows: Mask) -> None:
        """Drop the links, hashtags and images of ``rows`` (their text stays)."""
        if rows.any():
            mask = pa.array(rows)
            self.urls = pc.if_else(mask, "", self.urls)
            self.hashtags = pc.if_else(mask, "", self.hashtags)
            self.has_image = self.has_image & ~rows

    def erase(self, rows: Mask) -> None:
        """Empty ``rows`` entirely (the rows of accounts that never post)."""
        if rows.any():
            self.clear(rows)
            self.text = pc.if_else(pa.array(rows), "", self.text)

    def set_urls(self, rows: Mask, has: Mask, pick: I64, pool: pa.Array) -> None:
        """``rows`` (``m`` of them) link to ``pool[pick]`` where ``has``, and to nothing elsewhere."""
        self.urls = _put(self.urls, rows, has, pick, pool)

    def set_hashtags(self, rows: Mask, has: Mask, pick: I64, pool: pa.Array) -> None:
        self.hashtags = _put(self.hashtags, rows, has, pick, pool)

    def set_images(self, rows: Mask, has: Mask, images: Hashes) -> None:
        self.images[rows] = images
        self.has_image[rows] = has

    def copy_rows(self, rows: Mask, source: I64) -> None:
        """Give ``rows`` the content of the rows ``source`` (one source per row of ``rows``, in order)."""
        if not len(source):
            return
        mask, take = pa.array(rows), pa.array(source)
        self.text = pc.replace_with_mask(self.text, mask, self.text.take(take))
        self.urls = pc.replace_with_mask(self.urls, mask, self.urls.take(take))
        self.hashtags = pc.replace_with_mask(self.hashtags, mask, self.hashtags.take(take))
        self.images[rows] = self.images[source]
        self.has_image[rows] = self.has_image[source]

    def image_hex(self) -> pa.Array:
        """The ``image_pdq`` column: the hash in hex where there is an image, else empty."""
        if not self.has_image.any():
            return blank(len(self.has_image))
        return pc.replace_with_mask(
            blank(len(self.has_image)), pa.array(self.has_image), to_hex(self.images[self.has_image])
        )


def _put(column: pa.Array, rows: Mask, has: Mask, pick: I64, pool: pa.Array) -> pa.Array:
    if not rows.any():
        return column
    values = pc.if_else(pa.array(has), pool.take(pa.array(np.where(has, pick, 0))), "")
    return pc.replace_with_mask(column, pa.array(rows), values)


def benign_content(plan: Plan, rng: np.random.Generator, n: int) -> Content:
    """Content of ``n`` ordinary posts."""
    text = benign_texts(rng, n)
    has_url = rng.random(n) < 0.3
    # Popularity falls off steeply: a cube of a uniform draw puts most links on the first articles.
    article = (plan.articles * rng.random(n) ** 3).astype(np.int64)
    urls = pc.if_else(pa.array(has_url), news_urls(article, plan.url_salt), "")
    hashtags = pc.if_else(pa.array(rng.random(n) < 0.25), benign_hashtags(rng, n), "")
    has_image = rng.random(n) < 0.2
    images = random_hashes(rng, n)
    meme = has_image & (rng.random(n) < 0.25)
    if meme.any():
        which = (len(plan.memes) * rng.random(int(meme.sum())) ** 2).astype(np.int64)
        images[meme] = flip_bits(rng, plan.memes[which], 0, 6)
    return Content(text, urls, hashtags, images, has_image)


def news_urls(article: I64, salt: int) -> pa.Array:
    """The URL of each news ``article`` number: outlet, section and slug all follow from the number."""
    domains, sections, words = _url_parts()
    h = mix64(article.astype(np.uint64) + np.uint64(salt))

    def part(table: pa.Array, shift: int) -> pa.Array:
        return table.take(pa.array(((h >> np.uint64(shift)) % np.uint64(len(table))).astype(np.int64)))

    number = pa.array(((h >> np.uint64(40)) % np.uint64(900_000) + np.uint64(100_000)).astype(np.int64))
    slug = pc.binary_join_element_wise(
        part(words, 16), part(words, 24), part(words, 32), number.cast(pa.string()), "-"
    )
    host = pc.binary_join_element_wise("https://www", part(domains, 0), ".")
    return pc.binary_join_element_wise(host, part(sections, 8), slug, "/")


def benign_hashtags(rng: np.random.Generator, n: int) -> pa.Array:
    """One or two common hashtags per post, the popular ones far more often."""
    tags = pa.array(BENIGN_HASHTAGS, pa.string())
    count = len(BENIGN_HASHTAGS)
    first = (count * rng.random(n) ** 2).astype(np.int64)
    second = (first + 1 + (rng.random(n) * (count - 1)).astype(np.int64)) % count
    one = tags.take(pa.array(first))
    two = pc.binary_join_element_wise(one, tags.take(pa.array(second)), " ")
    return pc.if_else(pa.array(rng.random(n) < 0.35), two, one)


@cache
def _url_parts() -> tuple[pa.Array, pa.Array, pa.Array]:
    return (
        pa.array(NEWS_DOMAINS, pa.string()),
        pa.array(NEWS_SECTIONS, pa.string()),
        pa.array(SLUG_WORDS, pa.string()),
    )
