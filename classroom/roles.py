"""Who is who in a room: teacher keys, student tokens, join codes, nicknames, rate limits.

- The teacher key is a random secret (``secrets``, 192 bits) shown once in the private teacher
  link; only its SHA-256 is stored, and a key is checked by comparing hashes with
  ``hmac.compare_digest`` (constant time). A key this long needs no slow hash: it cannot be
  guessed, only leaked.
- A student is a random per-session token (128 bits), stored hashed the same way: nobody can act
  as another student without their browser session.
- A join code is ``CODE_LENGTH`` characters from an alphabet without look-alikes (no 0/O, 1/I/L):
  31**8 ~ 8.5e11 codes. Failed joins are limited per session, per address and for all servers
  together (``JOIN_LIMITS``, counted in the database by ``classroom.guard``, so replicas share
  them): at most 600 guesses a minute in all, so over a room's 3 hours about 1.1e5 guesses, which
  with 1,000 rooms open at once find one with probability ~1e-4.
- A nickname (and anything a student types) keeps letters, digits, punctuation and symbols only:
  control characters, format characters (right-to-left and other bidi marks, zero-width joiners),
  line breaks and private-use characters are removed, runs of spaces become one, and the result
  is cut to ``NICKNAME_MAX`` characters. It is shown as plain text everywhere (a dataframe cell,
  escaped Markdown, escaped Plotly text), never as Markdown or HTML.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
NICKNAME_MAX = 24
# (events, per seconds) for: failed joins per session, per client address, per server
JOIN_LIMITS = {"session": (10, 60.0), "address": (30, 60.0), "server": (600, 60.0)}


def new_secret(nbytes: int = 24) -> str:
    """A random URL-safe secret (``nbytes`` random bytes)."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def matches(secret: str | None, stored: str) -> bool:
    """Whether ``secret`` is the one whose digest is ``stored`` (constant-time comparison)."""
    if not isinstance(secret, str) or not secret or len(secret) > 200:
        return False
    return hmac.compare_digest(digest(secret), stored)


def new_code() -> str:
    """A fresh join code, e.g. ``'K7QM2XHP'``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str | None:
    """A typed join code in canonical form (upper case, spaces and dashes dropped), or ``None``
    when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def show_code(code: str) -> str:
    """The code as projected: two groups of four (``'K7QM-2XHP'``)."""
    return f"{code[:4]}-{code[4:]}"


def clean_text(text: object, limit: int = NICKNAME_MAX) -> str:
    """``text`` without control, format (bidi marks, zero-width), line-separator, surrogate or
    private-use characters, spaces collapsed, cut to ``limit`` characters; ``""`` if nothing is left."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[: 20 * limit])
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in ("Zl", "Zp"):
            kept.append(" ")
        elif not cat.startswith("C"):
            kept.append(ch)
    return " ".join("".join(kept).split())[:limit].strip()
