"""Importing spaCy and Presidio quickly: what is hidden, stood in for or skipped while they
import, and the cyclic garbage collector paused while they and the model load.

Each trick changes nothing but the time: every module, pattern and object is still there when
it is used. Kept apart from :mod:`curate.pii.presidio_parts`, which uses them.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import re
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

_PRESIDIO_PATTERN = re.compile(r"presidio_analyzer[\\/]pattern\.py$")


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while importing and loading the model.

    Importing spaCy, thinc and Presidio and loading a pipeline allocate a few hundred
    thousand long-lived objects, and the collector walks them over and over as they age
    (about a twelfth of a pre-commit hook's run). Collection is paused by a zero threshold
    (``gc.enable`` in srsly's msgpack reader does not undo it); afterwards what was
    allocated is moved to the oldest generation unexamined (``freeze`` then ``unfreeze``),
    so the next collection of the young generation does not walk it all at once, and its
    garbage is collected with the oldest generation's next collection, as usual.
    """
    thresholds = gc.get_threshold()
    if thresholds[0] == 0:  # already paused (nested, or by the caller): theirs to restore
        yield
        return
    gc.set_threshold(0)
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def deferred(name: str) -> Iterator[None]:
    """Inside the block, ``import name`` gives a stand-in that imports the module when one of
    its attributes is first read.

    Presidio's e-mail recognizer imports tldextract, which imports requests (an HTTP stack
    curate never uses: its extractor reads the bundled suffix list), for a check that runs
    only on text with an ``@``: about a twelfth of the hook's start-up. Outside the block,
    ``import name`` imports it as usual.
    """
    if name in sys.modules or importlib.util.find_spec(name) is None:
        yield
        return
    stand_in = _Deferred(name)
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


class _Deferred(ModuleType):
    """A module's stand-in that imports it, and takes on its names, on first use."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        module = importlib.import_module(name)
        self.__dict__.update(vars(module))
        return getattr(module, attr)


@contextlib.contextmanager
def msgpack_decoders_known() -> Iterator[None]:
    """srsly's msgpack reader without its search for third-party decoders, where the
    environment declares none.

    Each ``srsly.msgpack_loads`` asks catalogue for every decoder, and catalogue filters all
    the environment's entry points for more each time: 76 times while a model loads (about
    27 ms). With no entry point in that group the search finds nothing, so skipping it
    changes nothing.
    """
    try:
        import srsly.msgpack as msgpack  # type: ignore[import-untyped]
    except ImportError:
        yield
        return
    decoders = msgpack.msgpack_decoders
    if not decoders.entry_points or list(decoders._get_entry_points()):
        yield
        return
    decoders.entry_points = False
    try:
        yield
    finally:
        decoders.entry_points = True


@contextlib.contextmanager
def hidden(*modules: str) -> Iterator[None]:
    """Make ``import`` of these modules fail inside the block, unless already imported."""
    hidden = [m for m in modules if m not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def import_spacy() -> Any:
    """``import spacy`` without importing its command line.

    spaCy's package imports ``spacy.cli`` (weasel, typer, rich, httpx: a quarter to a third
    of its import) for one name, ``spacy.info``. While spaCy imports, ``spacy.cli.info`` is a
    stand-in whose ``info`` imports the real one when called; afterwards ``import spacy.cli``
    imports the real package. Should spaCy's package want more of its command line, it is
    imported as usual.
    """
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    stubs = {"spacy.cli": ModuleType("spacy.cli")}
    stubs["spacy.cli.info"] = ModuleType("spacy.cli.info")
    stubs["spacy.cli.info"].info = _spacy_info  # type: ignore[attr-defined]
    sys.modules.update(stubs)
    try:
        import spacy

        return spacy
    except ImportError:
        pass
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    import spacy  # as spaCy wants it; an error now names what is missing

    return spacy


def _spacy_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``, spaCy's command line imported when it is called."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


@contextlib.contextmanager
def builtin_patterns_unchecked() -> Iterator[None]:
    """Skip the check Presidio makes of each of its own patterns as it imports them.

    Importing ``presidio_analyzer`` builds its ~170 predefined patterns, and each checks
    itself by compiling its regex and dropping the result: about half of Presidio's import
    time. A recognizer compiles its patterns again, with its flags, when it first runs, so
    skipping the check changes nothing but the time. Only calls from that check are skipped;
    patterns built later (the rules' own) are checked as usual.
    """
    try:
        import regex
    except ImportError:  # Presidio's own import then names what is missing
        yield
        return
    compile_ = regex.compile

    def compile_unless_checking(*args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1).f_code
        if caller.co_name == "__validate_regex" and _PRESIDIO_PATTERN.search(caller.co_filename):
            return None
        return compile_(*args, **kwargs)

    regex.compile = compile_unless_checking
    try:
        yield
    finally:
        regex.compile = compile_
