"""Prebuilt entities with Microsoft's recognizers-text (the library LUIS's prebuilts came from).

Each recognizer model is built once per process and culture (the datetime model takes ~1 s to build) and run
only for the prebuilts an app uses. The datetime model costs tens of milliseconds a parse, so an utterance that
cannot hold a date or time (no digit and none of the words dates are made of) skips it, and its results are
cached per (culture, text, reference time): without an explicit reference, "now" is taken to the minute. Prebuilts
the library cannot provide (`personName`, `geographyV2`, `keyPhrase`) are never predicted and never fail.

Each culture's prebuilts run on the recognizers-text models of its own language (`Culture.recognizers`; es-mx and
fr-ca use Spanish and French), never falling back to English; a prebuilt the library lacks for the language
(every one in de-de, it-it, nl-nl, ko-kr...) is never predicted. Only `email`, `url` and `phonenumber`, patterns
rather than language, run with the default (English) patterns where the language has none of its own.
"""
from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from functools import lru_cache, cache

import regex

from luislite.domain import cultures
from luislite.domain.appversion import AppVersion, PrebuiltEntity
from luislite.nlu.prediction import EntitySpan, PrebuiltValue

log = logging.getLogger(__name__)

# LUIS prebuilt name -> (recognizers-text package, recognizer class, model getter)
MODELS = {
    "number": ("recognizers_number", "NumberRecognizer", "get_number_model"),
    "ordinal": ("recognizers_number", "NumberRecognizer", "get_ordinal_model"),
    "ordinalV2": ("recognizers_number", "NumberRecognizer", "get_ordinal_model"),
    "percentage": ("recognizers_number", "NumberRecognizer", "get_percentage_model"),
    "money": ("recognizers_number_with_unit", "NumberWithUnitRecognizer", "get_currency_model"),
    "temperature": ("recognizers_number_with_unit", "NumberWithUnitRecognizer", "get_temperature_model"),
    "dimension": ("recognizers_number_with_unit", "NumberWithUnitRecognizer", "get_dimension_model"),
    "age": ("recognizers_number_with_unit", "NumberWithUnitRecognizer", "get_age_model"),
    "datetimeV2": ("recognizers_date_time", "DateTimeRecognizer", "get_datetime_model"),
    "email": ("recognizers_sequence", "SequenceRecognizer", "get_email_model"),
    "url": ("recognizers_sequence", "SequenceRecognizer", "get_url_model"),
    "phonenumber": ("recognizers_sequence", "SequenceRecognizer", "get_phone_number_model"),
}
UNSUPPORTED = frozenset({"personName", "geographyV2", "keyPhrase"})
LANGUAGE_FREE = frozenset({"email", "url", "phonenumber"})  # patterns, not words: any culture may use English's
_TYPES = {"money": "builtin.currency"}  # the $instance / v2 type where it is not builtin.<name>

# Words English dates and times are made of; an utterance with none of them and no digit holds no date.
_DATE_WORDS = regex.compile(r"\d|\b(?:" + "|".join("""
    today tonight tomorrow tmr yesterday now noon midnight morning afternoon evening night dawn dusk midday eod eoy
    day days week weeks weekend weekends fortnight month months year years decade decades century hour hours hr hrs
    min mins minute minutes sec secs second seconds am pm a\\.m p\\.m o'?clock oclock daily weekly monthly yearly
    annually hourly quarter half past ago later earlier soon next last this previous coming upcoming following
    before after since until till every each mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday
    thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays jan feb mar
    apr jun jul aug sep sept oct nov dec january february march april may june july august september october
    november december spring summer fall autumn winter christmas xmas easter thanksgiving halloween valentine
    valentines new\\s+year eve holiday holidays one two three four five six seven eight nine ten eleven twelve
    thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty first second
    third fourth fifth sixth seventh eighth ninth tenth twelfth thirteenth fourteenth fifteenth twentieth
    thirtieth eleventh mid early late end beginning start current currently recent recently lunchtime
    """.split()) + r")\b", regex.IGNORECASE)


def may_hold_a_date(text: str) -> bool:
    """False only when `text` certainly holds no date, time or duration (English)."""
    return _DATE_WORDS.search(text) is not None


@cache
def model(name: str, culture: str):
    """The recognizers-text model answering the prebuilt `name` in `culture`, built once per process; raises
    ValueError where the library has none for that language (no fallback to English)."""
    import importlib

    package, recognizer, getter = MODELS[name]
    return getattr(getattr(importlib.import_module(package), recognizer)(culture), getter)(culture, False)


@lru_cache(maxsize=2048)
def _datetimes(culture: str, text: str, reference: dt.datetime) -> tuple:
    return tuple(model("datetimeV2", culture).parse(text, reference))


class PrebuiltParser:
    """The prebuilt entities of an app: `parse(text, reference)` runs the models those prebuilts need."""

    def __init__(self, names: list[str], culture: str = "en-us"):
        self.culture = cultures.of(culture).recognizers
        self.models = {}
        for name in dict.fromkeys(names):
            if name in MODELS and (found := self._model(name)):
                self.models[name] = found  # built now, not at the first query
            elif name in MODELS:  # a model the library lacks for this language: that prebuilt is never found
                log.warning("no %s recognizer for culture %s", name, culture)
        self.names = list(self.models)
        self.prefilter = self.culture == "en-us"

    def _model(self, name: str):
        """The model of `name` in this culture's language (English's patterns for a language-free prebuilt the
        language lacks), or None."""
        for language in (self.culture, "en-us" if name in LANGUAGE_FREE else None):
            try:
                if language:
                    return model(name, language)
            except Exception:
                continue
        return None

    @classmethod
    def from_version(cls, version: AppVersion) -> PrebuiltParser | None:
        names = [e.name for e in version.entities_of(PrebuiltEntity)]
        parser = cls(names, version.culture)
        return parser if parser.names else None

    def parse(self, text: str, reference: dt.datetime | None = None) -> list[EntitySpan]:
        spans, query = [], _recognizable(text)
        for name in self.names:
            if name == "datetimeV2" and self.prefilter and not may_hold_a_date(text):
                continue
            try:
                if name == "datetimeV2":  # "now" to the minute: a query repeated within a minute costs nothing
                    now = reference or dt.datetime.now().replace(second=0, microsecond=0)
                    results = _datetimes(self.culture, query, now)
                else:
                    results = self.models[name].parse(query)
            except Exception:  # a recognizer bug must not fail the prediction
                log.warning("prebuilt %s failed on %r", name, text, exc_info=True)
                continue
            spans += [span for result in results if (span := _span(name, result, text, query))]
        return spans


def _recognizable(text: str) -> str:
    """`text` with each character whose lowercase is longer ("İ" -> "i̇") lowercased to one character ("i").

    Most recognizers-text models lowercase the query (and make full-width digits ASCII) before matching, and answer
    offsets into that copy: given a text that lowercases to as many characters, their offsets are the text's."""
    return "".join(char if len(char.lower()) == 1 else char.lower()[0] for char in text)


def _span(name: str, result, text: str, query: str) -> EntitySpan | None:
    start, end = result.start, result.end + 1  # recognizers-text ends are inclusive
    if not (0 <= start < end <= len(text)) or _folded(query[start:end]) != _folded(result.text or ""):
        if (found := _locate(result, query)) is None:
            return None
        start, end = found
    resolution = result.resolution or {}
    value = resolve(name, result.type_name, resolution, text[start:end])
    if value is None:
        return None
    return EntitySpan(name, start, end, None, kind="prebuilt", resolution=value, type=value.type)


def _folded(text: str) -> str:
    """What a result's text is compared by: full-width forms made ASCII (as the models see them), case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _locate(result, query: str) -> tuple[int, int] | None:
    """[start, end) of a result whose offsets miss its text (the phone number model strips a space off its text but
    not off its start): the occurrence of its text nearest its start, ignoring case."""
    wanted = (result.text or "").lower()
    found = [m.start() for m in regex.finditer(regex.escape(wanted), query.lower(), overlapped=True)] if wanted else []
    if not found:
        return None
    start = min(found, key=lambda at: abs(at - result.start))
    return start, start + len(wanted)


def resolve(name: str, type_name: str, resolution: dict, text: str) -> PrebuiltValue | None:
    """A recognizers-text resolution in LUIS's v3 value shape and v2 `resolution` shape."""
    type_ = _TYPES.get(name, f"builtin.{name}")
    if name == "datetimeV2":
        values = resolution.get("values") or []
        if not values:
            return None
        subtype = type_name.split(".", 1)[1] if "." in type_name else values[0].get("type", "date")
        grouped: dict[str, list] = {}
        for item in values:
            grouped.setdefault(item.get("timex"), []).append(
                {k: v for k, v in item.items() if k not in ("timex", "type")})
        v3 = {"type": subtype, "values": [{"timex": timex, "resolution": items} for timex, items in grouped.items()]}
        return PrebuiltValue(v3, {"values": values}, f"builtin.datetimeV2.{subtype}")
    raw = resolution.get("value")
    if name in ("number", "ordinal", "percentage"):
        number = _number(str(raw).rstrip("%")) if raw is not None else None
        if number is None:
            return None
        v2 = {"value": str(number) + ("%" if name == "percentage" else "")}
        if name == "number":
            v2 = {"subtype": "integer" if isinstance(number, int) else "decimal", "value": str(number)}
        return PrebuiltValue(number, v2, type_)
    if name == "ordinalV2":
        number = _number(str(raw)) if raw is not None else None
        if number is None:
            return None
        relative = "end" if text.lower().startswith("last") else "current" if text.lower() == "next" else "start"
        return PrebuiltValue({"offset": number, "relativeTo": relative},
                             {"offset": str(number), "relativeTo": relative}, "builtin.ordinalV2")
    if name in ("money", "temperature", "dimension", "age"):
        number = _number(str(raw)) if raw is not None else None
        unit = resolution.get("unit")
        v3 = {"number": number, ("unit" if name == "age" else "units"): unit}
        return PrebuiltValue(v3, {"unit": unit, "value": str(number) if number is not None else None}, type_)
    value = str(raw) if raw is not None else text
    return PrebuiltValue(value, {k: str(v) for k, v in resolution.items()} or {"value": value}, type_)


def _number(value: str):
    """A JSON number (int when integral) from the library's decimal text ("5.500000000000000027755575616" -> 5.5)."""
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() and abs(number) < 2 ** 53 else number
