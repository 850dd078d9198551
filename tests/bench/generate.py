"""A synthetic DTSEN register, a proposal list drawn from it with realistic noise, and the
ground truth, for the matching benchmark.

    python tests/bench/generate.py --register 2000000 --proposals 100000 --out DIR --seed 1

writes ``DIR/register.csv`` (id_dtsen, nik, no_kk, nama, tgl_lahir, jenis_kelamin,
kode_wilayah, alamat, desil), ``DIR/proposals.csv`` (nik, no_kk, nama, tgl_lahir,
jenis_kelamin, kode_wilayah, alamat) and ``DIR/truth.csv`` (row: the proposal's data row,
counted from 1; id_dtsen: the person it is, empty when not in the register; noise: what was
done to the row). Real village codes of the chosen provinces; valid NIKs and KKs whose
serials count up per district and date, as the civil registry's do (so a typo in a serial
often lands on another real person); households sharing a KK; common names repeated.
The same arguments give the same files.

    python tests/bench/generate.py ... --noise hard [--noise moved=0.1]

``--noise ordinary`` (the default) is the noise of ``Noise``, the data this generator always
made. ``--noise hard`` adds the kinds of ``HardNoise`` on top (Indonesian spelling variants,
typing slips, cut, joined and reordered names, odd casing, default, swapped and off-by-one
birth dates, moves, missing KKs, NIK and name errors together, namesakes inside and outside
the register), each with its own rate and its own tag in truth.csv, drawn from a random
generator of their own: every row keeps its ordinary noise, and the register its rows, with
the same-day namesakes after them. ``--noise NAME=RATE`` overrides a rate of either.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime
import gzip
import itertools
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path

VILLAGES_CSV = Path(__file__).resolve().parents[2] / "atensi/regions/data/villages.csv.gz"
REGISTER_COLUMNS = (
    "id_dtsen", "nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah",
    "alamat", "desil",
)  # fmt: skip
PROPOSAL_COLUMNS = (
    "nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "alamat",
)  # fmt: skip
TRUTH_COLUMNS = ("row", "id_dtsen", "noise")
TODAY = datetime.date(2025, 11, 1)


@dataclass(frozen=True)
class Noise:
    """Rates (0-1) of each kind of noise in the proposal list; each is drawn on its own."""

    not_in_register: float = 0.20  # people the register does not have
    relative_of_registered: float = 0.30  # share of those who join a registered household
    duplicate: float = 0.02  # rows repeated (again noised: 1/2 of them)
    nik_substitution: float = 0.03  # one digit wrong
    nik_swap: float = 0.015  # two neighbouring digits swapped
    nik_blank: float = 0.03  # no NIK, name and birth date only
    nik_scientific: float = 0.003  # "1.60205E+15"
    nik_apostrophe: float = 0.02  # "'1602..." as spreadsheets keep text
    kk_blank: float = 0.25
    name_variant: float = 0.15  # Muhammad -> M. / Moh., Siti -> Sitti, Yusuf -> Jusuf ...
    name_title: float = 0.05  # H., Hj., Drs. before; S.Pd., S.E. after
    name_typo: float = 0.05  # one letter wrong, missing, doubled or swapped
    name_drop_word: float = 0.03  # a middle (or a leading Muhammad / Siti) word left out
    name_patronymic: float = 0.01  # "bin" / "binti" + the father's name added
    dob_wrong: float = 0.04  # day and month swapped, a year off, one digit wrong
    dob_blank: float = 0.02
    sex_blank: float = 0.02
    other_village: float = 0.05  # another village of the same district


@dataclass(frozen=True)
class HardNoise:
    """The hard profile's extra noise, on top of the ordinary one, drawn from an RNG of its
    own (so the ordinary noise of a row stays as it was). Each rate is a share of the rows
    (of the people, for the person-level kinds), drawn on its own; each kind is the tag that
    truth.csv names it by. A kind that cannot apply to a row (no second name part, a birth
    day above 12 for the swap, ...) leaves it untagged, so the tagged share can be lower."""

    # Names, in the order they are applied (after the ordinary name noise and titles):
    name_spelling: float = 0.10  # a whole part in another Indonesian spelling (SPELLING_*)
    name_typing: float = 0.04  # one keyboard slip inside a part: deletion, transposition,
    # or a neighbouring key, anywhere in the part (the first letter too)
    name_last_cut: float = 0.03  # the last part dropped, or cut to its initial
    name_joined: float = 0.02  # two neighbouring parts run together (no space)
    name_order: float = 0.04  # the parts in another order (swapped, rotated, reversed)
    name_case: float = 0.10  # after the ordinary casing: UPPER  WITH  DOUBLE  SPACES, or lower
    # Birth dates (only when the ordinary noise left the date right):
    dob_default: float = 0.04  # 1 January of the true year, as written when the day is unknown
    dob_swap: float = 0.04  # day and month swapped (only possible for a day of 1-12)
    dob_day_off: float = 0.02  # one day early or late
    # Identifiers:
    kk_missing: float = 0.20  # the KK left out (on top of the ordinary kk_blank)
    nik_and_name: float = 0.03  # a NIK digit wrong or two swapped AND a name error (a
    # spelling variant, else a typing slip) on the same row, whose NIK was otherwise right
    # Addresses (drawn in this order, one kind a row):
    address_blank: float = 0.10  # no address given
    address_partial: float = 0.05  # only the street or hamlet, or only the RT/RW
    address_rt_wrong: float = 0.03  # the RT (or the RW) misremembered: another number
    address_written: float = 0.30  # the same address written otherwise: "Dsn. 5", "Jalan",
    # "RT 5 RW 1", "RT/RW 005/001", "Rt.05/Rw.01", the RT/RW first, upper or lower case
    # People (drawn once per person, so a duplicate row keeps them):
    moved: float = 0.05  # in the register: moved to another village of the same district
    # (kecamatan), with a new address and a new KK the register does not know
    namesake_same_day: float = 0.03  # in the register: a namesake born the same day, in the
    # same village, of the same sex, with a NIK and a KK of their own, added to the register;
    # the proposal is of either of the two (even odds)
    namesake_not_in_register: float = 0.20  # of the new households not in the register: the
    # person takes the name (a common one) and the village of someone in the register, with
    # their own NIK and KK, and their own birth date: half of them within a year of the
    # registered namesake's (a name is in fashion for some years), never the same day
    namesake_nik_blank: float = 0.5  # share of the namesake rows whose NIK is not given


PROFILES = ("ordinary", "hard")


# --- name pools, most common first (drawn with Zipf weights) ---------------------------


def _pool(text: str) -> list[str]:
    return text.split()


MALE_GIVEN = _pool(
    "Rizki Agus Budi Dedi Eko Andi Hendra Yusuf Ali Hasan Husein Ibrahim Ismail Ilham Arif "
    "Bambang Slamet Sutrisno Suparman Sugeng Wahyu Rudi Heri Iwan Irwan Dani Rahmat Hidayat "
    "Firman Fauzi Zainal Syaiful Samsul Khairul Rohman Sulaiman Umar Usman Yahya Zulkifli "
    "Fajar Imam Joko Yanto Supriadi Sukardi Mulyadi Darmawan Abdullah Hamid Anwar Taufik "
    "Hakim Amir Jamal Nasrul Edi Toni Roni Feri Deni Hendri Apriadi Junaidi Herman Marzuki "
    "Sobri Ridwan Iskandar Aditya Bayu Dimas Reza Rian Galih Yoga Bagas Rendi Anton Yudi "
    "Komarudin Nurdin Sahrul Alamsyah Effendi Asmadi Adi Ahmadi Akbar Alfian Amran Ansori "
    "Ardiansyah Arifin Aris Asep Azhar Bahrul Bakri Basuki Beni Candra Dadang Daniel Dodi "
    "Doni Dwi Erwin Fadli Fahmi Farhan Ferdi Fikri Gilang Habibi Hadi Hamdan Harun Hasbi "
    "Helmi Herianto Hermanto Indra Irfan Jaka Jefri Johan Juned Kadir Kurniawan Lukman "
    "Mahmud Malik Mansur Martono Maulana Mustofa Nanang Novri Nuh Parman Rafli Rahman "
    "Ramli Rasyid Riyadi Robi Romli Rosyid Rusdi Saleh Salim Samsudin Sarifudin Sodikin "
    "Subhan Sudarto Sudirman Suhendra Sukri Sumarno Sunardi Surya Syahrial Tamrin Teguh "
    "Tomi Wahid Wawan Yadi Yudha Yunus Zaki Zulfikar Abdi Ade Agung Aldi Ari Azis Dian "
    "Eri Gani Hafiz Idris Jaya Kahar Latif Mukhlis Nazar Ujang Wildan Zainudin Zubair"
)
FEMALE_GIVEN = _pool(
    "Aminah Fatimah Aisyah Khadijah Dewi Rina Yuni Ani Wati Ayu Putri Indah Fitri Lestari "
    "Rahmawati Nurhayati Sumiati Suryani Mariam Ratna Wulan Sari Yanti Rosita Nurul Maya "
    "Mega Novi Eva Lia Erna Yulia Rini Susi Tuti Endang Kartini Hartini Suharti Murni "
    "Nurjanah Halimah Zainab Rohani Salmah Asmah Maimunah Juliana Herlina Yusnita Elvi "
    "Desi Mira Nining Marlina Rosmawati Yusniar Cici Dian Anisa Nabila Zahra Salsabila "
    "Intan Permata Bunga Melati Citra Dina Fitriani Nurlela Darmawati Kasmawati Sulastri "
    "Ade Agustina Aida Alya Amelia Anggi Anita Asih Astuti Atik Badriah Cahaya Darsih "
    "Dewanti Eka Eli Elis Emi Eni Erni Evi Farida Fauziah Hafsah Hamidah Hana Hasanah Heni "
    "Ida Ika Ina Irma Isnaini Jamilah Juwita Kamila Khairunisa Komariah Kurnia Laila "
    "Lina Linda Lusi Mardiana Masitoh Maria Meli Mila Muslimah Nani Nia Nila Nita Nova "
    "Nurma Rahmi Ramlah Rani Ratih Rika Riska Rohimah Rosidah Rukmini Sabrina Santi Sinta "
    "Sofia Sri Suci Sulis Sumarni Tari Tika Titin Ulfa Umi Vina Wahyuni Widya Yati Yeni "
    "Yuli Yunita Zulaikha Zubaidah Nurhasanah Rosmiati Saodah Syarifah Winda Zakiah"
)
MALE_SECOND = _pool(
    "Pratama Saputra Setiawan Kurniawan Wijaya Susanto Gunawan Hermawan Firmansyah "
    "Ramadhan Hidayat Nugroho Santoso Permana Syahputra Prasetyo Hakim Rahman Maulana "
    "Fadillah Hidayatullah Arifin Effendi Ibrahim Yusuf Abdullah Akbar Alamsyah Ananda "
    "Anggara Ardiansyah Budiman Darmawan Fauzan Febrian Hadi Hakiki Hasibuan Irawan "
    "Junaidi Kusuma Laksana Mahendra Mubarok Nugraha Perdana Purnama Putra Rizal Rosyid "
    "Sanjaya Septian Sholeh Sugianto Suharto Syahrudin Utama Wibowo Wicaksono Yulianto"
)
FEMALE_SECOND = _pool(
    "Lestari Wulandari Handayani Anggraini Sari Rahmawati Safitri Puspita Oktaviani "
    "Hidayati Permatasari Saputri Ramadhani Aprilia Novitasari Purnamasari Kurniasih "
    "Maharani Utami Pertiwi Amelia Agustina Fitriani Yuliani Susanti Nurhaliza Andriani "
    "Apriyani Ayuningtyas Damayanti Febriani Hapsari Herawati Indriani Julianti Kartika "
    "Kusumawati Larasati Marlina Maulida Mulyani Nuraini Oktavia Pratiwi Puspitasari "
    "Rahayu Riyanti Setiawati Sulistiani Suryani Syafitri Wahyuni Wijayanti Yunita"
)
MALE_LEAD = ["Muhammad", "Ahmad", "Abdul", "Muhamad", "Mohammad"]
FEMALE_LEAD = ["Siti", "Nur", "Sri", "Dwi", "Siti Nur"]
FAMILY = _pool("Siregar Lubis Nasution Harahap Wijaya Santoso Hidayat Gunawan Tanjung Pane")
STREETS = _pool(
    "Merdeka Sudirman Ahmad Yani Veteran Kartini Diponegoro Pahlawan Mawar Melati Kenanga "
    "Lintas Timur Pasar Masjid Sekolah Kebun Sawah Lama Baru Perintis Kemerdekaan"
)

# Spelling variants a clerk may type for a word of the register.
VARIANTS = {
    "Muhammad": ["M.", "Moh.", "Muh.", "Mochammad", "Mohamad", "Muhamad", "Mohammad", "Moch."],
    "Muhamad": ["Muhammad", "M.", "Moh."],
    "Mohammad": ["Muhammad", "Mochammad", "M."],
    "Ahmad": ["Achmad", "Akhmad"],
    "Abdul": ["Abd.", "Abdoel"],
    "Siti": ["Sitti", "St."],
    "Nur": ["Noor", "Noer"],
    "Yusuf": ["Jusuf", "Yusup", "Joesoef"],
    "Yahya": ["Jahja"],
    "Sutrisno": ["Soetrisno"],
    "Suparman": ["Soeparman"],
    "Sukardi": ["Soekardi"],
    "Joko": ["Djoko"],
    "Syaiful": ["Saiful", "Syaifu"],
    "Samsul": ["Syamsul"],
    "Khairul": ["Chairul", "Hairul"],
    "Ramadhan": ["Ramadan"],
    "Rizki": ["Rizky", "Rizqi"],
    "Hendri": ["Hendry"],
    "Feri": ["Ferry"],
    "Dedi": ["Deddy", "Dedy"],
    "Aisyah": ["Aisah", "Aisya"],
    "Fatimah": ["Fatima"],
    "Yanti": ["Yanty"],
    "Taufik": ["Taufiq"],
    "Fadillah": ["Fadilah"],
}
PREFIX_TITLES = {"L": ["H.", "Drs.", "Ir.", "H"], "P": ["Hj.", "Dra.", "Hj"]}
SUFFIX_TITLES = [", S.Pd.", ", S.E.", ", S.H.", " S.Kom", ", M.Si.", ", A.Md.", ", S.Pd.I"]

# --- the hard profile's spellings ---------------------------------------------------------
# How one name is written differently on different papers (KTP, KK, birth certificate, a
# school list) in Indonesia. Built from the spelling history and from published examples,
# not from the matcher (assessments/linkage.py) which these data are meant to test:
# - Van Ophuijsen spelling (1901-1947) and Soewandi / Republican spelling (1947-1972), kept
#   in older people's papers until today: oe for u, dj for j, tj for c, j for y, nj for ny,
#   sj for sy, ch for kh (Soeharto, Djoko, Tjandra, Jusuf, Sjahrir, Chairul);
# - Arabic sounds as Javanese and Sundanese say them: f becomes p, z becomes j or s, kh
#   becomes h, sy becomes s, dh becomes d, q becomes k (Yusup, Aripin, Patimah, Jainal,
#   Hairul, Samsul, Ramadan, Taufik), and the Dutch-era ch for h before a consonant
#   (Rachmat, Machmud);
# - parents' and clerks' choices: y or i at the end (Rizki / Rizky), doubled letters (Dedi /
#   Deddy), ai / ae, au / ao (Zainal / Zaenal, Taufik / Taofik), a final h dropped (Fatimah
#   / Fatima), Javanese o for a (Rahmat / Rohmat);
# - the names with many spellings: "more than 20 spellings of Muhammad" in one Jakarta
#   telephone book, with Moh., Moch., Mohd., Much., M. (The Jakarta Post, "Does Mr.
#   Mochamad confuse you?"), and their companions Ahmad / Achmad, Abdul / Abdoel, Mahmud /
#   Machmud / Machmoed, Yusuf / Joesoef.
SPELLING_FAMILIES = (
    "muhammad muhamad mohammad mohamad mochammad mochamad moehammad moehamad moechammad "
    "mukhammad muhammat m. moh. moch. muh. mhd. mohd. much.",
    "ahmad achmad akhmad ahmat",
    "abdul abdoel abd.",
    "siti sitti st.",
    "nur noer noor",
    "mahmud machmud mahmoed machmoed",
    "yusuf yusup jusuf joesoef yoesoef",
    "rahmat rachmat rohmat rakhmat",
)
SPELLING_RULES = (
    # Van Ophuijsen / Soewandi spelling, one letter group at a time, and back.
    (r"u", "oe"), (r"oe", "u"), (r"(?<!d)j", "dj"), (r"dj", "j"), (r"c", "tj"), (r"tj", "c"),
    (r"kh", "ch"), (r"ch", "kh"), (r"sy", "sj"), (r"sj", "sy"), (r"ny", "nj"),
    (r"^y", "j"), (r"(?<=[aiueo])y(?=[aiueo])", "j"),
    # Arabic sounds said the local way.
    (r"f", "p"), (r"v", "f"), (r"z", "j"), (r"z", "s"), (r"kh", "h"), (r"sy", "s"),
    (r"dh", "d"), (r"q", "k"), (r"(?<=[aiueo])h(?=[bdfgjklmnprstvwz])", "ch"),
    # Choices of parents and clerks.
    (r"i$", "y"), (r"y$", "i"), (r"k$", "q"), (r"(?<=[aiueoz])k(?=i$)", "q"),
    (r"ai", "ae"), (r"au", "ao"),
    (r"(?<=[aiueo])h$", ""), (r"^ra", "ro"),
    (r"(?<=[aiueo])([bdfgklmnprst])(?=[aiueoy]$)", r"\1\1"), (r"([bdfgklmnprst])\1", r"\1"),
)  # fmt: skip
# The whole word in the old spelling, as an older person's KTP may still have it.
OLD_SPELLING = ((r"(?<!d)j", "dj"), (r"^y", "j"), (r"(?<=[aiueo])y(?=[aiueo])", "j"),
                (r"c", "tj"), (r"kh", "ch"), (r"sy", "sj"), (r"ny", "nj"), (r"u", "oe"))  # fmt: skip
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _zipf(pool: list[str], s: float = 1.0) -> tuple[list[str], list[float]]:
    cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(pool))))
    return pool, cum


class _Pick:
    """Weighted choice by bisection on cumulative weights (faster than random.choices)."""

    def __init__(self, rng: random.Random, pool: list, cum: list[float]) -> None:
        self.rng, self.pool, self.cum, self.total = rng, pool, cum, cum[-1]

    def __call__(self):
        return self.pool[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


def load_villages(provinces: tuple[str, ...]) -> list[str]:
    """Dotted village codes of the provinces, from the bundled Kemendagri data."""
    prefixes = tuple(f"{p}." for p in provinces)
    with gzip.open(VILLAGES_CSV, "rt", encoding="utf-8", newline="") as handle:
        codes = [row["code"] for row in csv.DictReader(handle) if row["code"].startswith(prefixes)]
    if not codes:
        raise SystemExit(f"no villages for provinces {', '.join(provinces)}")
    return codes


@dataclass
class _Household:
    kk: str
    village: str
    address: str
    decile: int
    family: str
    father: str


class _Population:
    """Makes people: names, NIKs and KKs unique by per district-and-date serial counters.

    Dates are day ordinals, with their texts precomputed, to keep 2,000,000 rows fast.
    """

    OLDEST = 100  # years

    def __init__(self, rng: random.Random, villages: list[str]) -> None:
        self.rng = rng
        self.random = rng.random
        self.villages = villages
        self.districts = sorted({v[:8] for v in villages})
        self.by_district: dict[str, list[str]] = {}
        for v in villages:
            self.by_district.setdefault(v[:8], []).append(v)
        self.digits = {v: v[:8].replace(".", "") for v in villages}
        self.digits.update({d: d.replace(".", "") for d in self.districts})
        self.today = TODAY.toordinal()
        self.first = self.today - self.OLDEST * 366
        dates = [datetime.date.fromordinal(o) for o in range(self.first, self.today + 1)]
        self.iso = [d.isoformat() for d in dates]
        self.nik_date = {
            "L": [f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in dates],
            "P": [f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in dates],
        }
        self.nik_serial: dict[str, int] = {}
        self.kk_serial: dict[str, int] = {}
        self.male_given = _Pick(rng, *_zipf(MALE_GIVEN, 0.7))
        self.female_given = _Pick(rng, *_zipf(FEMALE_GIVEN, 0.7))
        self.male_second = _Pick(rng, *_zipf(MALE_SECOND, 0.6))
        self.female_second = _Pick(rng, *_zipf(FEMALE_SECOND, 0.6))
        self.male_lead = _Pick(rng, *_zipf(MALE_LEAD, 1.2))
        self.female_lead = _Pick(rng, *_zipf(FEMALE_LEAD, 1.2))
        self.village = _Pick(rng, villages, list(itertools.accumulate(
            rng.lognormvariate(0, 0.6) for _ in villages
        )))  # fmt: skip
        self.decile = _Pick(rng, [str(d) for d in range(1, 11)], list(itertools.accumulate(
            [14, 13, 12, 11, 10, 10, 9, 8, 7, 6]
        )))  # fmt: skip
        self.size = _Pick(rng, [1, 2, 3, 4, 5, 6, 7], list(itertools.accumulate(
            [10, 18, 22, 24, 14, 8, 4]
        )))  # fmt: skip

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def name(self, sex: str, family: str) -> str:
        r = self.random()
        if sex == "L":
            given, second, lead = self.male_given, self.male_second, self.male_lead
        else:
            given, second, lead = self.female_given, self.female_second, self.female_lead
        if r < 0.28:
            words = [lead(), given()]
            if self.random() < 0.4:
                words.append(second())
        elif r < 0.55:
            words = [given()]
        else:
            words = [given(), second()]
        if family and self.random() < 0.7 and words[-1] != family:
            words.append(family)
        return " ".join(words)

    def nik(self, district: str, born: int, sex: str) -> str:
        prefix = self.digits[district] + self.nik_date[sex][born - self.first]
        serial = self.nik_serial.get(prefix, 0) + 1
        self.nik_serial[prefix] = serial
        return f"{prefix}{serial:04d}"

    def kk(self, district: str, issued: int) -> str:
        # Digits 7-12 of a KK are its issue date, written like a man's birth date.
        prefix = self.digits[district] + self.nik_date["L"][issued - self.first]
        serial = self.kk_serial.get(prefix, 0) + 1
        self.kk_serial[prefix] = serial
        return f"{prefix}{serial:04d}"

    def birth_date(self, age_from: int, age_to: int) -> int:
        """A day ordinal between the two ages."""
        return self.today - age_from * 365 - self.below((age_to - age_from + 1) * 365)

    def address(self) -> str:
        below = self.below
        if self.random() < 0.5:
            place = f"Dusun {('I', 'II', 'III', 'IV', 'V')[below(5)]}"
        else:
            place = f"Jl. {STREETS[below(len(STREETS))]} No. {1 + below(150)}"
        return f"{place} RT {1 + below(12):03d}/RW {1 + below(6):03d}"

    def nik_district(self, village: str) -> str:
        # Most people got their NIK where they live; some moved in from another district.
        if self.random() < 0.05:
            return self.districts[self.below(len(self.districts))]
        return village

    def household(self) -> _Household:
        village = self.village()
        family = FAMILY[self.below(len(FAMILY))] if self.random() < 0.15 else ""
        return _Household(
            kk=self.kk(village, self.birth_date(0, 20)),
            village=village,
            address=self.address(),
            decile=self.decile(),
            family=family,
            father="",
        )

    def members(self, hh: _Household) -> list[tuple[str, str, int, str]]:
        """(name, sex, birth date ordinal, NIK) of a household's members, head first."""
        random = self.random
        size = self.size()
        head_sex = "L" if random() < 0.85 else "P"
        head_born = self.birth_date(22, 85)
        head_name = self.name(head_sex, hh.family)
        hh.father = head_name if head_sex == "L" else ""
        village = hh.village
        out = [
            (
                head_name,
                head_sex,
                head_born,
                self.nik(self.nik_district(village), head_born, head_sex),
            )
        ]
        if size >= 2 and random() < 0.85:
            sex = "P" if head_sex == "L" else "L"
            born = min(head_born - 8 * 365 + self.below(12 * 365), self.today)
            out.append(
                (self.name(sex, ""), sex, born, self.nik(self.nik_district(village), born, sex))
            )
        head_age = (self.today - head_born) // 365
        youngest = max(0, min(head_age - 18, 40))
        while len(out) < size:
            sex = "L" if random() < 0.5 else "P"
            born = self.birth_date(0, youngest)
            out.append((self.name(sex, hh.family), sex, born, self.nik(village, born, sex)))
        return out


# --- noise ----------------------------------------------------------------------------

_DIGITS = "0123456789"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _nik_substitute(rng: random.Random, nik: str) -> str:
    i = rng.randrange(16)
    digit = rng.choice(_DIGITS.replace(nik[i], ""))
    return nik[:i] + digit + nik[i + 1 :]


def _nik_swap(rng: random.Random, nik: str) -> str | None:
    places = [i for i in range(15) if nik[i] != nik[i + 1]]
    if not places:
        return None
    i = rng.choice(places)
    return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]


def _name_typo(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long_words:
        return name
    k = rng.choice(long_words)
    w = words[k]
    i = rng.randrange(1, len(w))
    kind = rng.randrange(4)
    if kind == 0:
        w = w[:i] + rng.choice(_LETTERS.replace(w[i].lower(), "")) + w[i + 1 :]
    elif kind == 1:
        w = w[:i] + w[i + 1 :]
    elif kind == 2:
        w = w[:i] + w[i] + w[i:]
    elif i < len(w) - 1:
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    words[k] = w
    return " ".join(words)


def _name_variant(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    options = [i for i, w in enumerate(words) if w in VARIANTS]
    if not options:
        return name
    i = rng.choice(options)
    words[i] = rng.choice(VARIANTS[words[i]])
    return " ".join(words)


def _drop_word(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    if len(words) >= 3:
        del words[rng.randrange(1, len(words) - 1)]
    elif len(words) == 2 and words[0] in ("Muhammad", "Siti", "Muhamad", "Mohammad"):
        del words[0]
    return " ".join(words)


def _wrong_date(rng: random.Random, d: datetime.date) -> datetime.date:
    """Day and month swapped, a year off, or one digit of DDMMYYYY mistyped."""
    kind = rng.randrange(3)
    if kind == 0 and d.day <= 12 and d.day != d.month:
        return datetime.date(d.year, d.day, d.month)
    if kind == 1 and not (d.month == 2 and d.day == 29):
        return d.replace(year=d.year + rng.choice((-1, 1)))
    for _ in range(10):
        text = d.strftime("%d%m%Y")
        i = rng.choice((0, 1, 2, 3, 6, 7))
        text = text[:i] + rng.choice(_DIGITS.replace(text[i], "")) + text[i + 1 :]
        try:
            wrong = datetime.date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            continue
        if wrong <= TODAY:
            return wrong
    return d - datetime.timedelta(days=1)


def _format_date(rng: random.Random, d: datetime.date | None) -> str:
    if d is None:
        return ""
    r = rng.random()
    if r < 0.5:
        return d.isoformat()
    if r < 0.8:
        return d.strftime("%d-%m-%Y")
    return d.strftime("%d/%m/%Y")


def _case(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.4:
        return name
    if r < 0.8:
        return name.upper()
    if r < 0.9:
        return name.lower()
    return "  ".join(name.split(" "))


@dataclass
class _Person:
    id_dtsen: str
    nik: str
    kk: str
    name: str  # in the register's capitals or, for new people, as written
    born: datetime.date
    sex: str
    village: str
    address: str
    father: str
    tags: tuple[str, ...] = ()  # the hard profile's person-level noise (moved, namesakes)


def _recase(model: str, word: str) -> str:
    """``word`` (lower case) written like ``model``: capitalised, upper or lower case."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def spelling_variants(word: str) -> list[str]:
    """Other Indonesian spellings of a name part (see SPELLING_FAMILIES, SPELLING_RULES),
    written in the word's case; empty when none is known."""
    low = word.lower()
    found: list[str] = []
    for family in SPELLING_FAMILIES:
        forms = family.split()
        if low in forms:
            found.extend(f for f in forms if f != low)
    if low.isalpha():
        for pattern, replacement in SPELLING_RULES:
            found.append(re.sub(pattern, replacement, low))
        old = low
        for pattern, replacement in OLD_SPELLING:
            old = re.sub(pattern, replacement, old)
        found.append(old)
    out = []
    for form in found:
        if form and form != low and form not in out:
            out.append(form)
    return [_recase(word, form) for form in out]


def _neighbour_key(rng: random.Random, letter: str) -> str:
    low = letter.lower()
    keys = []
    for r, row in enumerate(KEYBOARD_ROWS):
        c = row.find(low)
        if c < 0:
            continue
        keys += [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
        for other in (r - 1, r + 1):
            if 0 <= other < len(KEYBOARD_ROWS) and c < len(KEYBOARD_ROWS[other]):
                keys.append(KEYBOARD_ROWS[other][c])
    key = rng.choice(keys) if keys else rng.choice(_LETTERS.replace(low, ""))
    return key.upper() if letter.isupper() else key


_PREFIX_SET = frozenset(t for titles in PREFIX_TITLES.values() for t in titles)


def _split_name(name: str) -> tuple[list[str], list[str], str]:
    """(titles before, the name's own parts, what follows them: "bin ...", titles after)."""
    main, comma, tail = name.partition(",")
    words = main.split(" ")
    prefix = []
    while len(words) > 1 and words[0] in _PREFIX_SET:
        prefix.append(words.pop(0))
    end: list[str] = []
    if len(words) > 1 and "." in words[-1]:  # " S.Kom"
        end.append(words.pop())
    for link in ("bin", "binti"):
        if link in words[1:]:
            k = words.index(link, 1)
            end = words[k:] + end
            words = words[:k]
    return prefix, words, " ".join(end) + comma + tail


def _join_name(prefix: list[str], core: list[str], rest: str) -> str:
    text = " ".join(prefix + core)
    if rest and not rest.startswith(","):
        text += " "
    return text + rest


class _Hard:
    """The hard profile's noise: its own RNG, so the ordinary noise of every row is drawn as
    without it; called by ``_noisy`` at fixed points, and by ``generate`` for the people."""

    def __init__(self, seed: int, rates: HardNoise, pop: _Population) -> None:
        self.rng = random.Random(f"hard profile, seed {seed}")
        self.rates = rates
        self.pop = pop
        self.name_error = False  # the row's NIK was made wrong: its name must be too

    # --- people ---

    def address(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            place = f"Dusun {rng.choice(('I', 'II', 'III', 'IV', 'V'))}"
        else:
            place = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 150)}"
        return f"{place} RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 6):03d}"

    def new_kk(self, village: str) -> str:
        """A KK issued in the village in the last five years: one the register lacks."""
        return self.pop.kk(village, self.pop.today - self.rng.randrange(5 * 365))

    # --- a row ---

    def nik(self, person: _Person, nik: str, tags: list[str]) -> str:
        rng, rates = self.rng, self.rates
        self.name_error = False
        namesake = any(t.startswith("namesake") for t in person.tags)
        if namesake and nik and rng.random() < rates.namesake_nik_blank:
            if "nik_blank" not in tags:
                tags.append("nik_blank")
            return ""
        if rng.random() >= rates.nik_and_name or not nik:
            return nik
        if any(t.startswith("nik_") for t in tags):
            return nik  # already wrong, or not a plain number
        digits = nik.lstrip("'")
        if len(digits) != 16 or not digits.isdigit():
            return nik
        wrong = _nik_swap(rng, digits) if rng.random() < 0.4 else None
        wrong = wrong or _nik_substitute(rng, digits)
        tags.append("nik_and_name")
        self.name_error = True
        return nik[: len(nik) - 16] + wrong

    def kk(self, kk: str, tags: list[str]) -> str:
        if kk and self.rng.random() < self.rates.kk_missing:
            tags.append("kk_missing")
            return ""
        return kk

    def _spell(self, core: list[str]) -> bool:
        options = [(i, v) for i, w in enumerate(core) for v in [spelling_variants(w)] if v]
        if not options:
            return False
        i, variants = self.rng.choice(options)
        core[i] = self.rng.choice(variants)
        return True

    def _type(self, core: list[str]) -> bool:
        rng = self.rng
        options = [i for i, w in enumerate(core) if len(w) >= 3 and w.isalpha()]
        if not options:
            return False
        k = rng.choice(options)
        w = core[k]
        i = rng.randrange(len(w))
        kind = rng.randrange(3)
        if kind == 0:
            typed = w[:i] + w[i + 1 :]
        elif kind == 1 and i < len(w) - 1 and w[i].lower() != w[i + 1].lower():
            typed = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        else:
            typed = w[:i] + _neighbour_key(rng, w[i]) + w[i + 1 :]
        core[k] = _recase(w, typed.lower()) if w[:1].isupper() else typed
        return core[k] != w

    def name(self, name: str, tags: list[str]) -> str:
        """Before the casing: spelling, typing, the last part cut, parts joined, reordered."""
        rng, rates = self.rng, self.rates
        prefix, core, rest = _split_name(name)
        if self.name_error and not self._spell(core):
            self._type(core)
        if rng.random() < rates.name_spelling and self._spell(core):
            tags.append("name_spelling")
        if rng.random() < rates.name_typing and self._type(core):
            tags.append("name_typing")
        if rng.random() < rates.name_last_cut and len(core) >= 2:
            last = core.pop()
            how = rng.randrange(3)
            if how:
                core.append(last[0] + ("." if how == 1 else ""))
            tags.append("name_last_cut")
        if rng.random() < rates.name_joined and len(core) >= 2:
            i = rng.randrange(len(core) - 1)
            second = core[i + 1]
            if rng.random() < 0.5:
                second = second.lower()
            core[i : i + 2] = [core[i] + second]
            tags.append("name_joined")
        if rng.random() < rates.name_order and len(core) >= 2:
            before = list(core)
            if len(core) == 2 or rng.random() < 0.5:
                core.reverse()
            else:
                core.append(core.pop(0))
            if core != before:
                tags.append("name_order")
        return _join_name(prefix, core, rest)

    def written_address(self, address: str, tags: list[str]) -> str:
        """The register's "Dusun V RT 005/RW 001" / "Jl. Merdeka No. 12 RT 004/RW 006" as
        a proposal list may give it."""
        rng, rates = self.rng, self.rates
        place, _sep, numbers = address.partition(" RT ")
        rt, _slash, rw = numbers.partition("/RW ")
        rt_n, rw_n = int(rt), int(rw)
        r = rng.random()
        if r < rates.address_blank:
            tags.append("address_blank")
            return ""
        r -= rates.address_blank
        if r < rates.address_partial:
            tags.append("address_partial")
            return place if rng.random() < 0.5 else f"RT {rt}/RW {rw}"
        r -= rates.address_partial
        if r < rates.address_rt_wrong:
            tags.append("address_rt_wrong")
            if rng.random() < 0.7:
                rt_n = rng.choice([n for n in range(1, 13) if n != rt_n])
            else:
                rw_n = rng.choice([n for n in range(1, 7) if n != rw_n])
            return f"{place} RT {rt_n:03d}/RW {rw_n:03d}"
        r -= rates.address_rt_wrong
        if r >= rates.address_written:
            return address
        tags.append("address_written")
        if place.startswith("Dusun "):
            numeral = place.split(" ", 1)[1]
            digit = str(("I", "II", "III", "IV", "V").index(numeral) + 1)
            place = rng.choice(
                (f"Dsn. {numeral}", f"Dusun {digit}", f"Dsn {digit}", f"DUSUN {numeral}")
            )
        else:
            street = place.removeprefix("Jl. ")
            if rng.random() < 0.5:
                street = street.replace(" No. ", " No.")
            place = rng.choice((f"Jalan {street}", f"Jln. {street}", f"JL. {street.upper()}"))
        numbers = rng.choice((
            f"RT {rt_n} RW {rw_n}", f"RT/RW {rt_n:03d}/{rw_n:03d}", f"Rt.{rt_n:02d}/Rw.{rw_n:02d}",
            f"RT {rt_n:02d} / RW {rw_n:02d}", f"rt {rt_n} rw {rw_n}",
        ))  # fmt: skip
        text = f"{numbers}, {place}" if rng.random() < 0.3 else f"{place} {numbers}"
        return text.lower() if rng.random() < 0.2 else text

    def case(self, name: str, tags: list[str]) -> str:
        if self.rng.random() >= self.rates.name_case:
            return name
        upper = self.rng.random() < 0.5
        cased = "  ".join(name.upper().split()) if upper else name.lower()
        if cased != name:
            tags.append("name_case")
        return cased

    def date(self, born: datetime.date, tags: list[str]) -> datetime.date:
        rates = self.rates
        r = self.rng.random()
        if r < rates.dob_default:
            if (born.month, born.day) != (1, 1):
                tags.append("dob_default")
                return datetime.date(born.year, 1, 1)
        elif r < rates.dob_default + rates.dob_swap:
            if born.day <= 12 and born.day != born.month:
                tags.append("dob_swap")
                return datetime.date(born.year, born.day, born.month)
        elif r < rates.dob_default + rates.dob_swap + rates.dob_day_off:
            step = datetime.timedelta(days=self.rng.choice((-1, 1)))
            if born + step > TODAY:
                step = -step
            tags.append("dob_day_off")
            return born + step
        return born


def _noisy(
    rng: random.Random, person: _Person, noise: Noise, pop: _Population, hard: _Hard | None = None
):
    """A proposal row for the person, and the noise done to it. With ``hard`` its noise is
    added at fixed points, drawn from its own RNG: ``rng`` is drawn from as without it."""
    tags = []
    nik = person.nik
    r = rng.random()
    if r < noise.nik_blank:
        nik, tags = "", ["nik_blank"]
    elif r < noise.nik_blank + noise.nik_scientific:
        nik, tags = f"{nik[0]}.{nik[1:6]}E+15", ["nik_scientific"]
    else:
        if rng.random() < noise.nik_substitution:
            nik = _nik_substitute(rng, nik)
            tags.append("nik_substitution")
        elif rng.random() < noise.nik_swap:
            swapped = _nik_swap(rng, nik)
            if swapped:
                nik = swapped
                tags.append("nik_swap")
        if rng.random() < noise.nik_apostrophe:
            nik = "'" + nik
    if hard:
        nik = hard.nik(person, nik, tags)
    kk = person.kk
    if kk and rng.random() < noise.kk_blank:
        kk = ""
        tags.append("kk_blank")
    if hard:
        kk = hard.kk(kk, tags)

    name = person.name.title()
    if rng.random() < noise.name_variant:
        changed = _name_variant(rng, name)
        if changed != name:
            name = changed
            tags.append("name_variant")
    if rng.random() < noise.name_drop_word:
        changed = _drop_word(rng, name)
        if changed != name:
            name = changed
            tags.append("name_drop_word")
    if rng.random() < noise.name_typo:
        changed = _name_typo(rng, name)
        if changed != name:
            name = changed
            tags.append("name_typo")
    if rng.random() < noise.name_patronymic and person.father:
        link = "bin" if person.sex == "L" else "binti"
        name = f"{name} {link} {person.father.title().split(' ')[0]}"
        tags.append("name_patronymic")
    if rng.random() < noise.name_title:
        if rng.random() < 0.5:
            name = f"{rng.choice(PREFIX_TITLES[person.sex])} {name}"
        else:
            name = name + rng.choice(SUFFIX_TITLES)
        tags.append("name_title")
    if hard:
        name = hard.name(name, tags)
    name = _case(rng, name)
    if hard:
        name = hard.case(name, tags)

    born: datetime.date | None = person.born
    r = rng.random()
    if r < noise.dob_blank:
        born = None
        tags.append("dob_blank")
    elif r < noise.dob_blank + noise.dob_wrong:
        born = _wrong_date(rng, person.born)
        if born != person.born:
            tags.append("dob_wrong")
    if hard and born == person.born:
        born = hard.date(born, tags)
    sex = person.sex
    if rng.random() < noise.sex_blank:
        sex = ""
    village = person.village
    if rng.random() < noise.other_village:
        same_district = [v for v in pop.by_district[village[:8]] if v != village]
        if same_district:
            village = rng.choice(same_district)
            tags.append("other_village")
    address = person.address
    if hard and address:
        address = hard.written_address(address, tags)
    row = (nik, kk, name, _format_date(rng, born), sex, village, address)
    return row, [*person.tags, *tags]


def generate(
    register_n: int,
    proposals_n: int,
    seed: int = 1,
    *,
    noise: Noise | None = None,
    hard: HardNoise | None = None,
    provinces: tuple[str, ...] = ("16",),
    register_sink=None,
):
    """Make the register, the proposals and the truth.

    Returns ``(register_rows, proposal_rows, truth)``: tuples in the column orders above
    (values as strings), truth as ``(row, id_dtsen, noise)``. With ``register_sink`` (a
    callable taking one row) the register rows go there instead and the list is empty.

    With ``hard`` (the hard profile) its noise is added, drawn from an RNG of its own: the
    register's first ``register_n`` rows are the same as without it, and its same-day
    namesakes follow them (so the register has a few more rows than ``register_n``).
    """
    noise = noise or Noise()
    rng = random.Random(seed)
    pop = _Population(rng, load_villages(provinces))
    hard_noise = _Hard(seed, hard, pop) if hard else None

    base_n = round(proposals_n * (1 - noise.duplicate))
    outside_n = round(base_n * noise.not_in_register)
    inside_n = min(base_n - outside_n, register_n)
    chosen = set(rng.sample(range(register_n), inside_n))
    relatives_n = round(outside_n * noise.relative_of_registered)
    hosts_at = set(rng.sample(range(register_n), min(relatives_n, register_n)))

    register_rows: list[tuple] = []
    sink = register_sink or register_rows.append
    proposed: list[_Person] = []
    hosts: list[_Household] = []
    iso, first, draw = pop.iso, pop.first, pop.random
    # The hard profile's namesakes outside the register take the name of someone in it: a
    # sample of the register, drawn by name commonness later.
    sample: list[tuple[str, str, str, int]] = []
    sample_draw, sample_rate = None, 0.0
    if hard_noise:
        sample_draw = hard_noise.rng.random
        sample_rate = min(1.0, max(2_000, 20 * outside_n) / max(register_n, 1))
    index = 0
    while index < register_n:
        hh = pop.household()
        hosted = False
        for name, sex, born, nik in pop.members(hh):
            if index >= register_n:
                break
            kk = hh.kk if draw() >= 0.01 else ""
            id_dtsen = f"DT{index + 1:011d}"
            upper = name.upper()
            sink(
                (
                    id_dtsen,
                    nik,
                    kk,
                    upper,
                    iso[born - first],
                    sex,
                    hh.village,
                    hh.address,
                    hh.decile,
                )
            )
            if index in chosen:
                father = hh.father if name != hh.father else ""
                day = datetime.date.fromordinal(born)
                proposed.append(
                    _Person(id_dtsen, nik, kk, upper, day, sex, hh.village, hh.address, father)
                )
            if index in hosts_at and not hosted:
                hosts.append(hh)
                hosted = True
            if sample_draw and sample_draw() < sample_rate:
                sample.append((upper, sex, hh.village, born))
            index += 1
    inside = len(proposed)

    # People the register does not have: new households, and new members of registered ones.
    for i in range(outside_n):
        hh = hosts[i] if i < len(hosts) else pop.household()
        sex = "L" if draw() < 0.5 else "P"
        born = pop.birth_date(0, 60)
        name = pop.name(sex, hh.family)
        nik = pop.nik(hh.village, born, sex)
        day = datetime.date.fromordinal(born)
        proposed.append(_Person("", nik, hh.kk, name, day, sex, hh.village, hh.address, hh.father))

    if hard_noise:
        _hard_people(hard_noise, proposed, inside, len(hosts), sample, register_n, sink)

    rng.shuffle(proposed)
    rows: list[tuple[tuple, str, list[str]]] = []
    for person in proposed:
        row, tags = _noisy(rng, person, noise, pop, hard_noise)
        if not person.id_dtsen:
            tags.insert(0, "not_in_register")
        rows.append((row, person.id_dtsen, tags))
    # Duplicated rows: half copied as they are, half typed again (with their own noise).
    for _ in range(proposals_n - len(rows)):
        k = rng.randrange(len(proposed))
        row, id_dtsen, tags = rows[k]
        if rng.random() < 0.5:
            row, tags = _noisy(rng, proposed[k], noise, pop, hard_noise)
            if not id_dtsen:
                tags.insert(0, "not_in_register")
        rows.append((row, id_dtsen, ["duplicate", *tags]))
    order = list(range(len(rows)))
    rng.shuffle(order)
    rows = [rows[i] for i in order]
    proposal_rows = [row for row, _id, _tags in rows]
    truth = [(n, id_dtsen, ";".join(tags)) for n, (_r, id_dtsen, tags) in enumerate(rows, 1)]
    return register_rows, proposal_rows, truth


def _hard_people(
    hard: _Hard,
    proposed: list[_Person],
    inside: int,
    relatives: int,
    sample: list[tuple[str, str, str, int]],
    register_n: int,
    sink,
) -> None:
    """The hard profile's person-level noise, in place: namesakes outside the register (of
    the new households: ``proposed[inside + relatives:]``), same-day namesakes added to the
    register after its ``register_n`` rows, and moves (of ``proposed[:inside]``)."""
    rng, rates, pop = hard.rng, hard.rates, hard.pop
    if sample:
        # A name drawn by how often it is in the sample: the common names come first.
        counts = Counter(name for name, *_rest in sample)
        cum = list(itertools.accumulate(counts[name] for name, *_rest in sample))
        pick = _Pick(rng, sample, cum)
        for k in range(inside + relatives, len(proposed)):
            if rng.random() >= rates.namesake_not_in_register:
                continue
            person = proposed[k]
            name, sex, village, their_born = pick()
            born = person.born.toordinal()
            if rng.random() < 0.5:
                # A name is in fashion for some years: namesakes are often of an age.
                born = their_born + rng.choice((-1, 1)) * rng.randint(1, 365)
            if born == their_born or born > pop.today:
                born = their_born - rng.randint(1, 365)
            proposed[k] = _Person(
                "", pop.nik(village, born, sex), hard.new_kk(village), name,
                datetime.date.fromordinal(born), sex, village, hard.address(), "",
                (*person.tags, "namesake_not_in_register"),
            )  # fmt: skip
    added = 0
    for person in proposed[:inside]:
        if rng.random() >= rates.namesake_same_day:
            continue
        added += 1
        born = person.born.toordinal()
        twin = _Person(
            f"DT{register_n + added:011d}", pop.nik(person.village, born, person.sex),
            hard.new_kk(person.village), person.name, person.born, person.sex, person.village,
            hard.address(), person.father,
        )  # fmt: skip
        sink(
            (
                twin.id_dtsen, twin.nik, twin.kk, twin.name, pop.iso[born - pop.first],
                twin.sex, twin.village, twin.address, str(rng.randint(1, 10)),
            )
        )  # fmt: skip
        if rng.random() < 0.5:
            # The proposal is of the one added as often as of the other: no order of ids
            # tells them apart.
            person.id_dtsen, person.nik, person.kk = twin.id_dtsen, twin.nik, twin.kk
            person.address = twin.address
        person.tags = (*person.tags, "namesake_same_day")
    for person in proposed[:inside]:
        if rng.random() >= rates.moved:
            continue
        others = [v for v in pop.by_district[person.village[:8]] if v != person.village]
        if not others:
            continue
        person.village = rng.choice(others)
        person.address = hard.address()
        person.kk = hard.new_kk(person.village)
        person.tags = (*person.tags, "moved")


def _write(path: Path, header: tuple, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--register", type=int, default=2_000_000, help="register rows")
    parser.add_argument("--proposals", type=int, default=100_000, help="proposal rows")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--provinces", default="16", help="comma-separated province codes (default 16)"
    )
    parser.add_argument(
        "--noise",
        action="append",
        default=[],
        metavar="PROFILE|NAME=RATE",
        help="the noise profile, " + " or ".join(PROFILES) + " (default ordinary: the "
        "ordinary noise only; hard: with the HardNoise kinds on top), or a rate to override, "
        "e.g. --noise nik_substitution=0.05 (repeatable); names: "
        + ", ".join(f.name for f in fields(Noise))
        + "; with the hard profile also: "
        + ", ".join(f.name for f in fields(HardNoise)),
    )
    args = parser.parse_args(argv)
    profile = "ordinary"
    overrides: dict[str, float] = {}
    hard_overrides: dict[str, float] = {}
    names = {f.name for f in fields(Noise)}
    hard_names = {f.name for f in fields(HardNoise)}
    for item in args.noise:
        key, equals, value = item.partition("=")
        if not equals:
            if key not in PROFILES:
                parser.error(f"unknown noise profile {key!r} (choose {', '.join(PROFILES)})")
            profile = key
        elif key in names:
            overrides[key] = float(value)
        elif key in hard_names:
            hard_overrides[key] = float(value)
        else:
            parser.error(f"unknown noise {key!r}")
    if hard_overrides and profile != "hard":
        parser.error(f"{', '.join(hard_overrides)}: rates of the hard profile (--noise hard)")

    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    with (args.out / "register.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REGISTER_COLUMNS)
        write = writer.writerow

        def sink(row: tuple) -> None:
            nonlocal written
            written += 1
            write(row)

        _register, proposals, truth = generate(
            args.register,
            args.proposals,
            args.seed,
            noise=Noise(**overrides),
            hard=HardNoise(**hard_overrides) if profile == "hard" else None,
            provinces=tuple(p.strip() for p in args.provinces.split(",") if p.strip()),
            register_sink=sink,
        )
    _write(args.out / "proposals.csv", PROPOSAL_COLUMNS, proposals)
    _write(args.out / "truth.csv", TRUTH_COLUMNS, truth)
    elapsed = time.perf_counter() - started
    print(
        f"{written} register rows, {len(proposals)} proposals ({profile} noise) -> {args.out} "
        f"in {elapsed:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
