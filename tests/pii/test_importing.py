"""The import tricks: each changes when things happen, never what is there."""

from __future__ import annotations

import gc
import sys
import weakref

from curate.pii.importing import collection_paused, deferred, msgpack_decoders_known


def test_collection_paused_restores_the_thresholds_and_collects_its_garbage_later() -> None:
    class Node:
        pass

    before = gc.get_threshold()
    with collection_paused():
        assert gc.get_threshold()[0] == 0
        cycle = Node()
        cycle.self = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        del cycle
    assert gc.get_threshold() == before
    assert alive() is not None  # not collected while paused, nor when it ended
    gc.collect()
    assert alive() is None  # nothing frozen for good: the next full collection frees it


def test_collection_paused_inside_a_pause_leaves_the_outer_one_to_restore() -> None:
    before = gc.get_threshold()
    with collection_paused():
        with collection_paused():
            pass
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == before


def test_a_deferred_module_is_imported_on_first_use_and_then_as_usual() -> None:
    name = "curate_deferred_probe"
    assert name not in sys.modules
    with deferred("json"):  # already imported: left as it is
        assert sys.modules["json"].__spec__ is not None
    stand_in = sys.modules.pop("colorsys", None)  # a small stdlib module nothing here uses
    try:
        with deferred("colorsys"):
            import colorsys

            assert colorsys.__spec__ is None  # the stand-in: nothing imported yet
            assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
            assert sys.modules["colorsys"].__spec__ is not None  # now the real module
        assert colorsys.hls_to_rgb(0.0, 0.5, 1.0) == (1.0, 0.0, 0.0)  # names taken on
    finally:
        if stand_in is not None:
            sys.modules["colorsys"] = stand_in
    with deferred(name):  # not installed: nothing to defer, the import fails as usual
        assert name not in sys.modules


def test_msgpack_without_the_decoder_search_reads_the_same() -> None:
    import numpy as np
    import srsly
    import srsly.msgpack

    decoders = srsly.msgpack.msgpack_decoders
    assert not list(decoders._get_entry_points())  # this environment declares none
    data = {"weights": np.arange(6, dtype="float32").reshape(2, 3), "name": "ner"}
    packed = srsly.msgpack_dumps(data)
    with msgpack_decoders_known():
        assert not decoders.entry_points
        inside = srsly.msgpack_loads(packed)
    assert decoders.entry_points  # restored
    outside = srsly.msgpack_loads(packed)
    assert inside["name"] == outside["name"] == "ner"
    assert np.array_equal(inside["weights"], outside["weights"])
    assert inside["weights"].dtype == np.float32  # the numpy decoder, registered in code, ran
