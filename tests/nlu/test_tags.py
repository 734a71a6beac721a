import numpy as np

from luislite.nlu.tags import Slot, TagSet, chunks, viterbi
from luislite.domain.tokens import tokenize

from brace_markup import make_app, parse, travel_entities


def test_layers_hold_entities_roles_and_children():
    tagset = TagSet.from_version(make_app({"Order": []}, travel_entities()))
    assert [s.name for s in tagset.layers[0]] == ["City", "City:origin", "City:destination", "Order", "Artist"]
    assert [s.name for s in tagset.layers[1]] == ["Order/Quantity", "Order/Size", "Order/Topping"]
    assert tagset.sizes() == [11, 7]
    assert tagset.names(1)[:3] == ["O", "B-Order/Quantity", "I-Order/Quantity"]
    assert TagSet.from_json(tagset.to_json()).layers == tagset.layers


def test_nested_children_and_roles_are_tagged_per_layer():
    tagset = TagSet.from_version(make_app({"Order": []}, travel_entities()))
    text, labels = parse("fly to {City:destination=new york} with {Order={Quantity=two} {Size=extra large} pizzas}")
    tags = tagset.tag(labels, tokenize(text))
    names = [[tagset.names(d)[t] for t in layer] for d, layer in enumerate(tags)]
    assert names[0] == ["O", "O", "B-City:destination", "I-City:destination", "O", "B-Order", "I-Order", "I-Order",
                        "I-Order"]
    assert names[1] == ["O"] * 5 + ["B-Order/Quantity", "B-Order/Size", "I-Order/Size", "O"]


def test_labels_of_unknown_entities_are_left_out():
    tagset = TagSet.from_version(make_app({"Order": []}, travel_entities()))
    text, labels = parse("call {number=five} {city=rome}")
    assert tagset.tag(labels, tokenize(text)) == [[0, 0, 1], [0, 0, 0]]


def test_decode_nests_children_and_drops_orphans():
    tagset = TagSet([[Slot(("Order",))], [Slot(("Order", "Size")), Slot(("Other", "Size"))]])
    text = "two large pizzas and large"
    words = tokenize(text)
    layer0 = [1, 2, 2, 0, 0]  # B-Order I-Order I-Order over "two large pizzas"
    layer1 = [0, 1, 0, 0, 1]  # B-Order/Size on "large" (inside) and on the last "large" (no parent)
    spans = tagset.decode(words, [_one_hot(layer0, 3), _one_hot(layer1, 5)])
    assert [(s.entity, text[s.start:s.end]) for s in spans] == [("Order", "two large pizzas")]
    assert [(c.entity, text[c.start:c.end]) for c in spans[0].children] == [("Size", "large")]
    assert 0.9 < spans[0].score <= 1.0


def test_viterbi_never_starts_a_span_with_inside():
    transitions = TagSet([[Slot(("A",))]])._transitions[0]
    scores = np.log(np.array([[0.1, 0.2, 0.7], [0.1, 0.1, 0.8]]))  # I-A is likeliest everywhere
    assert viterbi(scores, transitions).tolist() == [1, 2]
    assert chunks([0, 1, 2, 0, 3, 1]) == [(0, 1, 2), (1, 4, 4), (0, 5, 5)]


def _one_hot(tags, size):
    scores = np.full((len(tags), size), np.log(0.01 / size))
    scores[np.arange(len(tags)), tags] = np.log(0.99)
    return scores


def test_counted_transitions_keep_a_multi_word_value_whole():
    tagset = TagSet.from_version(make_app({"Go": []}, travel_entities()))
    text, labels = parse("fly to {City=new york city} now")
    trained = tagset.counted([tagset.tag(labels, tokenize(text))] * 20)
    assert trained.transitions[0][1] == [0, 0, 0, 20]  # after B-: always I- of the same entity
    scores = np.log(np.full((3, 11), 0.01))
    scores[:, 1] = np.log(0.5)  # B-City everywhere, I-City a close second
    scores[1:, 2] = np.log(0.4)
    words = tokenize("new york city")
    assert len(tagset.decode(words, [scores, np.zeros((3, 7))])) == 3
    assert [(s.start, s.end) for s in trained.decode(words, [scores, np.zeros((3, 7))])] == [(0, 13)]



def _travel_tagset(*texts: str) -> TagSet:
    """The travel entities' tag set counted on brace-marked `texts`."""
    tagset = TagSet.from_version(make_app({"Go": [], "Order": []}, travel_entities()))
    return tagset.counted([tagset.tag(labels, tokenize(text)) for text, labels in map(parse, texts)])


def _city_then_artist() -> tuple[list, list[np.ndarray]]:
    """Words of "cle elum" and scores where B-City, then B-Artist ahead of I-City, are likeliest."""
    scores = np.log(np.full((2, 11), 0.01))
    scores[0, 1], scores[1, 9], scores[1, 2] = np.log(0.9), np.log(0.8), np.log(0.15)
    return tokenize("cle elum"), [scores, np.zeros((2, 7))]


def test_an_entity_never_seen_after_another_does_not_cut_a_value_in_two():
    trained = _travel_tagset("fly to {City=new york} now", "fly to {City=rome} with {Artist=adele}")
    assert trained.pairs == [[], []]  # no entity ever directly followed another
    words, scores = _city_then_artist()
    assert [s.entity for s in TagSet(trained.layers, trained.transitions).decode(words, scores)] == ["City", "Artist"]
    assert [(s.entity, s.start, s.end) for s in trained.decode(words, scores)] == [("City", 0, 8)]
    adjacent = _travel_tagset("play {City=rome} {Artist=adele}")
    assert adjacent.pairs == [[[0, 4]], []]  # City then Artist, seen: no cost
    assert [s.entity for s in adjacent.decode(words, scores)] == ["City", "Artist"]


def test_tag_sets_of_older_artifacts_decode_without_the_pairs():
    doc = _travel_tagset("fly to {City=rome}").to_json()
    assert TagSet.from_json(doc).pairs == [[], []]
    older = TagSet.from_json({"layers": doc["layers"], "transitions": doc["transitions"]})
    assert older.pairs is None and "pairs" not in older.to_json()
    words, scores = _city_then_artist()
    assert [s.entity for s in older.decode(words, scores)] == ["City", "Artist"]
