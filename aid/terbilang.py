"""Amounts in Indonesian words, as a hand-over record writes them ("terbilang").

Pure, no Django. `terbilang(1_500_000)` → "satu juta lima ratus ribu"; `rupiah_in_words`
adds "rupiah". Written here rather than taken from num2words, whose Indonesian says
"satu juta satu ribu" for 1.001.000 where a signed record must say "satu juta seribu".
"""

from __future__ import annotations

_UNITS = (
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
)  # fmt: skip
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_UNITS[hundreds], "ratus"]
    if rest < 12:
        if rest:
            words.append(_UNITS[rest])
    elif rest < 20:
        words += [_UNITS[rest - 10], "belas"]
    else:
        tens, ones = divmod(rest, 10)
        words += [_UNITS[tens], "puluh"]
        if ones:
            words.append(_UNITS[ones])
    return words


def _below_million(n: int) -> list[str]:
    thousands, rest = divmod(n, 1000)
    words = []
    if thousands == 1:
        words.append("seribu")
    elif thousands:
        words += [*_below_thousand(thousands), "ribu"]
    return words + _below_thousand(rest)


def terbilang(amount: int) -> str:
    """A whole number from 0 below 10**15 in Indonesian words."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("terbilang takes a whole number")
    if amount < 0 or amount >= 10**15:
        raise ValueError("terbilang takes 0 up to 999 triliun")
    if amount == 0:
        return "nol"
    words: list[str] = []
    for scale, name in _SCALES:
        count, amount = divmod(amount, scale)
        if count:
            words += [*_below_thousand(count), name]
    return " ".join(words + _below_million(amount))


def rupiah_in_words(amount: int) -> str:
    return f"{terbilang(amount)} rupiah"
