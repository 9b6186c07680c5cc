"""Scene sharing, robustness: any query, link, JSON document or formula gives a valid scene."""

from __future__ import annotations

import json
import string
from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from scenes import codec
from scenes.presets import PRESETS
from tests.codec_support import FULL, FUZZ, assert_valid

# --- robustness: anything in, a valid scene out --------------------------------------------------
KEY_POOL = [*sorted(codec.KEYS), "", "x", "run ", "Steps", "V"]
VALUE_POOL = st.text(alphabet=string.printable + "é∞", max_size=30) | st.sampled_from(
    [
        "nan",
        "inf",
        "-inf",
        "1e999",
        "-1",
        "0",
        "1e-400",
        "adamz:lr=1",
        "adam:lr=nan",
        "sgd:lr",
        "1,2",
        "a:b",
        "cosine:total=-1",
        "custom",
        "ravine",
        "9" * 80,
        "adam:inner=sgd;bs=-3;label=" + "x" * 60,
    ]
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(KEY_POOL) | st.text(max_size=8), VALUE_POOL | st.lists(VALUE_POOL, max_size=4), max_size=12
    )
)
def test_random_query_dicts_never_raise(params) -> None:
    if params.get("ls") == "custom" or "custom" in params.get("ls", []):
        params.pop("ls")  # formulas are fuzzed (fewer, slower examples) below
    assert_valid(*codec.from_query(params))


CORPUS = [codec.scene_url(p.scene)[1:] for p in PRESETS] + [codec.scene_url(FULL)[1:]]


@st.composite
def corrupted_queries(draw) -> str:
    q = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "drop", "dup", "mutate", "swap"]))
        i = draw(st.integers(0, max(len(q) - 1, 0)))
        if op == "truncate":
            q = q[:i]
        elif op == "drop":
            q = q[:i] + q[i + 1 :]
        elif op == "dup":
            q = q[:i] + q[i : i + 1] * 2 + q[i + 1 :]
        elif op == "mutate":
            q = q[:i] + draw(st.sampled_from([*"&=,;:%+-.e0159xé", "%00", "%ZZ", "nan"])) + q[i + 1 :]
        else:
            pairs = [p.partition("=") for p in q.split("&")]
            if len(pairs) > 1:
                a, b = draw(st.permutations(range(len(pairs))))[:2]
                pa, pb = pairs[a], pairs[b]
                pairs[a], pairs[b] = (pa[0], "=", pb[2]), (pb[0], "=", pa[2])
                q = "&".join("".join(p) for p in pairs)
    return q


@FUZZ
@given(corrupted_queries())
def test_corrupted_links_never_raise(query: str) -> None:
    assert_valid(*codec.from_url("?" + query))
    assert_valid(*codec.from_query(parse_qs(query, keep_blank_values=True)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
DOC_KEYS = list(json.loads(codec.to_json(FULL)))


@st.composite
def corrupted_docs(draw) -> object:
    doc = json.loads(codec.to_json(draw(st.sampled_from([FULL] + [p.scene for p in PRESETS]))))
    for _ in range(draw(st.integers(1, 3))):
        node, key = doc, draw(st.sampled_from(DOC_KEYS))
        if isinstance(node.get(key), list) and node[key] and draw(st.booleans()):
            node, key = node[key], draw(st.integers(0, len(node[key]) - 1))
            if isinstance(node[key], dict) and node[key] and draw(st.booleans()):
                node, key = node[key], draw(st.sampled_from(sorted(node[key])))
        node[key] = draw(json_values)
    return doc


@FUZZ
@given(json_values | st.dictionaries(st.sampled_from(DOC_KEYS), json_values) | corrupted_docs())
def test_random_json_documents_never_raise(doc) -> None:
    if isinstance(doc, dict) and doc.get("landscape") == "custom":
        doc["landscape"] = "ravine"
    assert_valid(*codec.from_dict(doc))
    assert_valid(*codec.from_json(json.dumps(doc)))
    assert_valid(*codec.from_dict(doc, strict=False))


@settings(max_examples=25, deadline=None, database=None)
@given(st.text(alphabet="xy+-*/^()0123456789.sincoexpabs ", max_size=25))
def test_random_custom_formulas_never_raise(formula: str) -> None:
    scene, warnings = codec.from_query({"ls": "custom", "f": formula})
    assert_valid(scene, warnings)
    assert scene.landscape in ("custom", "rosenbrock")
    if scene.landscape == "rosenbrock":
        assert any("formula" in w for w in warnings)
