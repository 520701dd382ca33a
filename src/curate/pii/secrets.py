"""Secrets (API keys, tokens, private keys, passwords in URLs) as the PII entity ``SECRET``.

detect-secrets' plugins find the token formats they know, line by line, as detect-secrets
scans a file; the span of each value they report is looked up in its line. curate adds what
they miss in free text: fine-grained GitHub tokens, Google API keys, a password in any URL's
user part (not only one free of ``!$&'()*+,;=``), a private key block whole across its lines,
and random-looking strings -- scored by detect-secrets' entropy measure -- beside a word such
as key, token, secret or password, or alone only when long and of mixed case: entropy alone
flags ids, hashes and words in prose.

Nothing here logs or returns a value: only offsets, and which detector found them.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from curate.errors import MissingDependencyError

ENTITY = "SECRET"
#: A value in a known token format (a prefix, a length and a charset).
FORMAT_SCORE = 0.95
#: A random-looking string beside a word that says it is a secret.
CONTEXT_SCORE = 0.8
#: A long random-looking string with no such word (see :func:`_random_strings`).
ALONE_SCORE = 0.6
ALONE_LENGTH = 32

#: detect-secrets' plugins (module, class) whose formats hold in free text. Left out: the
#: keyword plugin (``Secret: I love you`` in a text message), the entropy plugins (they need
#: quotes; see :func:`_random_strings`), the public-IP plugin (``IP_ADDRESS`` is its own entity),
#: the private-key plugin (it reports the header; :data:`_PRIVATE_KEY` takes the block).
PLUGINS: tuple[tuple[str, str], ...] = (
    ("aws", "AWSKeyDetector"),
    ("azure_storage_key", "AzureStorageKeyDetector"),
    ("basic_auth", "BasicAuthDetector"),
    ("cloudant", "CloudantDetector"),
    ("discord", "DiscordBotTokenDetector"),
    ("github_token", "GitHubTokenDetector"),
    ("gitlab_token", "GitLabTokenDetector"),
    ("ibm_cloud_iam", "IbmCloudIamDetector"),
    ("ibm_cos_hmac", "IbmCosHmacDetector"),
    ("jwt", "JwtTokenDetector"),
    ("mailchimp", "MailchimpDetector"),
    ("npm", "NpmDetector"),
    ("openai", "OpenAIDetector"),
    ("pypi_token", "PypiTokenDetector"),
    ("sendgrid", "SendGridDetector"),
    ("slack", "SlackDetector"),
    ("softlayer", "SoftlayerDetector"),
    ("square_oauth", "SquareOAuthDetector"),
    ("stripe", "StripeDetector"),
    ("telegram_token", "TelegramBotTokenDetector"),
    ("twilio", "TwilioKeyDetector"),
)

#: Formats detect-secrets 1.5 does not know: (kind, pattern; the group ``secret`` if any).
EXTRA_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GitHub fine-grained token", re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}")),
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    # The password of scheme://user:password@host; it runs to the last @ before the host,
    # as people write raw @ in passwords.
    (
        "Password in URL",
        re.compile(
            r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#\[\]@\"'<>]+:(?P<secret>[^\s/?#\[\]\"'<>]+)"
            r"@[A-Za-z0-9\-._~%]+"
        ),
    ),
)

#: A PEM or PGP private key from its BEGIN line to its END line, or, cut off, to the end of
#: its body (lines of base64, ``Proc-Type:`` style headers).
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----"
    r"(?:.{0,20000}?-----END (?P=label)-----"
    r"|(?:\s*(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+:[^\n]*))*"
    # and a last short line: padded, on a line of its own, or not a word (a digit, + or /)
    r"(?:[ \t]*\r?\n[ \t]*(?:(?=[A-Za-z0-9+/]{0,14}[0-9+/])[A-Za-z0-9+/]{1,15}(?![\w+/])"
    r"|[A-Za-z0-9+/]{1,15}(?:={1,2}|(?=[ \t]*(?:\r?\n|$)|[^\sA-Za-z0-9+/=]))))?)",
    re.DOTALL,
)
#: A PuTTY key file from its first line to its MAC line (or the end of the text).
_PUTTY_KEY = re.compile(r"PuTTY-User-Key-File-\d:.{0,20000}?(?:Private-MAC: *[0-9a-f]+|\Z)", re.S)

#: A string that may be random: long enough, of token characters.
_CANDIDATE = re.compile(r"(?<![\w+/\-.])[A-Za-z0-9+/_\-]{20,}={0,2}(?![\w+/=\-])")
_HEX = frozenset(string.hexdigits)
#: Words that say the string beside them is a secret (in identifiers too: AWS_SECRET_KEY),
#: and an AWS access key id, which travels with its secret key.
_KEYWORD = re.compile(
    r"key|token|secret|passw|pwd|credential|auth|bearer|api|private|signature|aws"
    r"|A[KS]IA[0-9A-Z]{16}",
    re.IGNORECASE,
)
#: Characters before and after a candidate searched for a keyword.
BEFORE, AFTER = 60, 30
#: Characters that continue a token: a format match is widened over them, so a longer key
#: than the format's fixed length (Stripe's) is hidden whole, and a JWT with its signature.
_TOKEN_CHAR = frozenset(string.ascii_letters + string.digits + "_-")
#: A run of token characters as long as the shortest secret found here.
_RUN = re.compile(r"[\w+/=\-]{16}")


@dataclass(frozen=True, slots=True)
class SecretSpan:
    """Where a secret lies in a text and which detector found it (never the value)."""

    start: int
    end: int
    kind: str
    score: float


def could_hold_secret(text: str) -> bool:
    """False proves ``text`` holds nothing :func:`find_secrets` finds: every secret has a
    run of 16 token characters, or is a URL's password or a key block (split() first: the
    run lies in a word at least that long, and most texts have none)."""
    if "://" in text or "PRIVATE KEY" in text or "PuTTY" in text:
        return True
    return any(len(word) >= 16 and _RUN.search(word) for word in text.split())


@functools.lru_cache(maxsize=1)
def _plugins() -> tuple[Any, ...]:
    """One instance of each plugin in :data:`PLUGINS`; only their ``analyze_string`` runs,
    which never calls out to verify a value."""
    try:
        modules = [(importlib.import_module(f"detect_secrets.plugins.{m}"), c) for m, c in PLUGINS]
    except ImportError as exc:
        raise MissingDependencyError(
            feature="secret detection", package="detect-secrets", extra="pii"
        ) from exc
    return tuple(getattr(module, name)() for module, name in modules)


@functools.lru_cache(maxsize=1)
def _entropy_plugins() -> tuple[Any, Any]:
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    return Base64HighEntropyString(), HexHighEntropyString()


def find_secrets(text: str) -> list[SecretSpan]:
    """Every secret in ``text``, overlapping finds merged into one span."""
    if not could_hold_secret(text):
        return []
    found = [*_blocks(text)]
    found += [SecretSpan(a, b, "High-entropy string", s) for a, b, s in _random_strings(text)]
    offset = 0
    for line in text.splitlines(keepends=True):
        if could_hold_secret(line):
            found += _in_line(line, offset)
        offset += len(line)
    return _merged(found)


def _blocks(text: str) -> Iterator[SecretSpan]:
    for pattern, kind in ((_PRIVATE_KEY, "Private key"), (_PUTTY_KEY, "PuTTY private key")):
        for match in pattern.finditer(text):
            yield SecretSpan(match.start(), match.end(), kind, FORMAT_SCORE)


def _in_line(line: str, offset: int) -> Iterator[SecretSpan]:
    for plugin in _plugins():
        for start, end in _plugin_spans(plugin, line):
            start, end = _widened(line, start, end)
            yield SecretSpan(offset + start, offset + end, plugin.secret_type, FORMAT_SCORE)
    for kind, pattern in EXTRA_FORMATS:
        for match in pattern.finditer(line):
            group = "secret" if "secret" in pattern.groupindex else 0
            start, end = match.span(group)
            if group == 0:
                start, end = _widened(line, start, end)
            yield SecretSpan(offset + start, offset + end, kind, FORMAT_SCORE)


def _random_strings(text: str) -> Iterator[tuple[int, int, float]]:
    """Random-looking strings, by detect-secrets' entropy, with a secret's keyword nearby or
    long and mixed enough to stand alone.

    detect-secrets' limits (4.5 bits for base64, 3 for hex) are for long strings; a string
    of ``n`` characters has at most log2(n) bits, so the limit is capped at 80% of that
    beside a keyword (99.5% of random base64 strings pass), at 85% without; a letter and a
    digit are required (words and numbers are not keys), or upper and lower case in a
    string at least :data:`ALONE_LENGTH` long. Without a keyword a string must be of base64
    characters, that long, hold upper and lower case, and not be a path (a base64 key has
    a slash in 64 characters): hex alone is left out (checksums and commit ids are not
    secrets).
    """
    base64, hexadecimal = _entropy_plugins()
    for match in _CANDIDATE.finditer(text):
        value = match.group().rstrip("=")
        long = len(value) >= ALONE_LENGTH
        upper, lower = _has(value, str.isupper), _has(value, str.islower)
        if not (upper or lower) or not (_has(value, str.isdigit) or (upper and lower and long)):
            continue
        hexed = set(value) <= _HEX
        plugin = hexadecimal if hexed else base64
        entropy = plugin.calculate_shannon_entropy(value)
        bits = math.log2(len(value))
        if entropy <= min(plugin.entropy_limit, 0.8 * bits):
            continue
        start, end = match.span()
        near = text[max(0, start - BEFORE) : start] + " " + text[end : end + AFTER]
        if _KEYWORD.search(near):
            yield start, end, CONTEXT_SCORE
        elif (
            not hexed
            and long
            and upper
            and lower
            and value.count("/") <= max(3, len(value) // 16)  # else a path, not a key
            and entropy > min(plugin.entropy_limit, 0.85 * bits)
        ):
            yield start, end, ALONE_SCORE


def _has(value: str, test: Callable[[str], bool]) -> bool:
    return any(test(c) for c in value)


def _plugin_spans(plugin: Any, line: str) -> Iterator[tuple[int, int]]:
    """Where the values ``plugin.analyze_string`` reports lie in ``line``: the non-empty
    groups of each match of its patterns (the match if it has none), as it reads them, kept
    only if the plugin reports that value (its own checks, such as a JWT's, then hold)."""
    reported: set[str] | None = None
    for regex in plugin.denylist:
        for match in regex.finditer(line):
            spans = [match.span(g) for g in range(1, (regex.groups or 0) + 1) if match.group(g)]
            for start, end in spans or [match.span()]:
                if reported is None:
                    reported = set(plugin.analyze_string(line))
                if end > start and line[start:end] in reported:
                    yield start, end


def _widened(line: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` grown over the token characters that continue the match."""
    if line[start] in _TOKEN_CHAR:
        while start > 0 and line[start - 1] in _TOKEN_CHAR:
            start -= 1
    if line[end - 1] in _TOKEN_CHAR or line[end - 1] == ".":
        while end < len(line) and line[end] in _TOKEN_CHAR:
            end += 1
    return start, end


def _merged(spans: list[SecretSpan]) -> list[SecretSpan]:
    """Overlapping spans as one, with the kind and score of the longest."""
    out: list[SecretSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            last = out[-1]
            if span.end > last.end:
                keep = span if span.end - span.start > last.end - last.start else last
                out[-1] = SecretSpan(last.start, span.end, keep.kind, max(last.score, span.score))
            continue
        out.append(span)
    return out


@functools.lru_cache(maxsize=1)
def recognizer_class() -> type[Any]:
    """The Presidio recognizer of ``SECRET`` (built on first use, so importing curate does
    not import Presidio)."""
    from curate.pii.presidio_parts import presidio

    presidio()  # imports Presidio with torch kept out
    from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult

    class SecretRecognizer(LocalRecognizer):
        """API keys, tokens, private keys and passwords in URLs (see :mod:`curate.pii.secrets`)."""

        def __init__(self, *, language: str) -> None:
            super().__init__(
                supported_entities=[ENTITY], name="curate_secrets", supported_language=language
            )

        def load(self) -> None:
            """Nothing yet: detect-secrets (and the HTTP stack it imports) loads on the first
            text analysed, so a pre-commit hook whose rows hold no secret never imports it."""

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            _plugins()  # on the first text: a warm-up's, or one that could hold a secret
            _entropy_plugins()
            return [
                RecognizerResult(
                    ENTITY,
                    s.start,
                    s.end,
                    s.score,
                    analysis_explanation=AnalysisExplanation(
                        recognizer="curate_secrets",
                        original_score=s.score,
                        textual_explanation=s.kind,
                    ),
                )
                for s in find_secrets(text)
            ]

    return SecretRecognizer
