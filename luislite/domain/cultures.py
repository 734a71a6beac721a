"""The cultures LUIS served, as data: name, tokenizer versions, word segmentation and prebuilt entities.

`segmentation` is how `luislite.domain.tokens` splits a culture's text into LUIS tokens: "words" (whitespace and
punctuation, tokenizer 1.0.0 as LUIS had it for English), "characters" (every character a token, runs of Latin
letters and digits kept whole: zh-cn, ko-kr) or "morphemes" (ja-jp, by a Japanese word segmenter).
`encoder` names the pretrained encoder its apps fine-tune (`luislite.nlu.encoder`): the English MiniLM for
English, the multilingual-e5-small for every other culture. `scripts` are the Unicode scripts its text is written
in (besides Latin, which every culture's apps mix in, and the common punctuation and digits): a multilingual model
keeps the vocabulary pieces of these scripts only.
`prebuilts` is LUIS's catalogue for the culture (what an app of it may add); `recognizers` names the
recognizers-text culture that answers them, None where the Python library has no models for the language.
"""
from __future__ import annotations

from dataclasses import dataclass

from luislite.errors import AppVersionError

ENGLISH, MULTILINGUAL = "minilm", "multilingual-e5-small"
ALL_PREBUILTS = frozenset({"age", "datetimeV2", "dimension", "email", "geographyV2", "keyPhrase", "money", "number",
                           "ordinal", "ordinalV2", "percentage", "personName", "phonenumber", "temperature", "url"})
_SEQUENCES = frozenset({"email", "keyPhrase", "phonenumber", "url"})
_NUMBERS = _SEQUENCES | {"age", "dimension", "money", "number", "ordinal", "percentage", "temperature"}
_DATES = _NUMBERS | {"datetimeV2"}


@dataclass(frozen=True)
class Culture:
    code: str
    name: str
    prebuilts: frozenset[str]
    tokenizer_versions: tuple[str, ...] = ("1.0.0",)
    segmentation: str = "words"
    recognizers: str | None = None
    encoder: str = MULTILINGUAL
    scripts: tuple[str, ...] = ()

    @property
    def labels_on_token_edges(self) -> bool:
        """Whether a label must start and end on token edges (refused otherwise) rather than snap to whole words.

        English-style word cultures keep luislite's snapping; where tokens are characters or morphemes, a label
        cut inside one is refused, as LUIS refused it.
        """
        return self.segmentation != "words"

    def check_tokenizer_version(self, version: str) -> None:
        if version not in self.tokenizer_versions:
            raise AppVersionError(f"The tokenizer version '{version}' is not supported for the culture '{self.code}'. "
                              f"Supported versions: {', '.join(self.tokenizer_versions)}.")


CULTURES = {c.code: c for c in [
    Culture("en-us", "English", ALL_PREBUILTS, ("1.0.0", "1.0.1"), recognizers="en-us", encoder=ENGLISH),
    Culture("zh-cn", "Chinese", _DATES, segmentation="characters", recognizers="zh-cn", scripts=("Han",)),
    Culture("fr-fr", "French", _DATES, recognizers="fr-fr"),
    Culture("fr-ca", "French Canadian", _DATES, recognizers="fr-fr"),
    Culture("es-es", "Spanish", _DATES, ("1.0.0", "1.0.1"), recognizers="es-es"),
    Culture("es-mx", "Spanish Mexican", _DATES, ("1.0.0", "1.0.1"), recognizers="es-es"),
    Culture("it-it", "Italian", _DATES, ("1.0.0", "1.0.1")),
    Culture("de-de", "German", _DATES, ("1.0.0", "1.0.2")),
    Culture("ja-jp", "Japanese", _NUMBERS, ("1.0.0", "1.0.1"), segmentation="morphemes", recognizers="ja-jp",
            scripts=("Han", "Hiragana", "Katakana")),
    Culture("pt-br", "Brazilian Portuguese", _DATES, ("1.0.0", "1.0.1"), recognizers="pt-br"),
    Culture("ko-kr", "Korean", _SEQUENCES, segmentation="characters", scripts=("Hangul", "Han")),
    Culture("nl-nl", "Dutch", _DATES, ("1.0.0", "1.0.1")),
    Culture("tr-tr", "Turkish", _NUMBERS),
    Culture("ar-ar", "Arabic", _SEQUENCES, scripts=("Arabic",)),
    Culture("hi-in", "Hindi", _SEQUENCES, scripts=("Devanagari",)),
    Culture("gu-in", "Gujarati", _SEQUENCES, scripts=("Gujarati",)),
    Culture("mr-in", "Marathi", _SEQUENCES, scripts=("Devanagari",)),
    Culture("ta-in", "Tamil", _SEQUENCES, scripts=("Tamil",)),
    Culture("te-in", "Telugu", _SEQUENCES, scripts=("Telugu",)),
]}
DEFAULT = CULTURES["en-us"]


def culture(code: str) -> Culture:
    """The supported culture `code` (any case); AppVersionError for one LUIS did not support."""
    found = CULTURES.get(code.lower()) if isinstance(code, str) else None
    if found is None:
        raise AppVersionError(f"The culture '{code}' is not supported. Supported cultures: {', '.join(CULTURES)}.")
    return found


def of(code: str | None) -> Culture:
    """The culture of a stored app, English for one stored before cultures were checked."""
    return CULTURES.get((code or "").lower(), DEFAULT)
