"""Platform names. Known platforms have canonical slugs; others are accepted when they are a clean slug."""

from __future__ import annotations

import re

__all__ = ["PLATFORMS", "platform"]

#: Canonical slugs of well-known platforms, with the spellings users type for them.
PLATFORMS: dict[str, tuple[str, ...]] = {
    "x": ("twitter", "x.com", "twitter.com"),
    "facebook": ("fb", "facebook.com", "meta"),
    "instagram": ("ig", "instagram.com"),
    "threads": ("threads.net",),
    "tiktok": ("tiktok.com",),
    "youtube": ("yt", "youtube.com"),
    "telegram": ("tg", "t.me", "telegram.org"),
    "vk": ("vkontakte", "vk.com"),
    "reddit": ("reddit.com",),
    "linkedin": ("linkedin.com",),
    "bluesky": ("bsky", "bsky.app"),
    "mastodon": (),
    "snapchat": (),
    "pinterest": (),
    "web": ("website", "domain"),
}

_ALIAS = {alias: slug for slug, aliases in PLATFORMS.items() for alias in (slug, *aliases)}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


def platform(value: str) -> str:
    """The canonical slug of a platform name; raises ``ValueError`` for names that are not a clean slug."""
    text = value.strip().lower()
    if text in _ALIAS:
        return _ALIAS[text]
    if not _SLUG.match(text):
        raise ValueError(f"{value!r} is not a platform name (lower-case letters, digits, '.', '_', '-')")
    return text
