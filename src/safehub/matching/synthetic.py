"""Child-like records with known truth, for training and benchmarking (synthetic only).

About 40% of the records are further records of a child already in the set, made the way
agencies' records of one child differ: typos, nicknames and transliteration variants, day and
month swapped or a digit wrong in the date of birth, a move to another postcode in the same
district, a missing NHS number (most records have none). Postcodes are in a made-up area
("ZX"), so nothing here is any council's.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import string
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

from safehub.matching import standardise

FIRST_F = [
    "olivia",
    "amelia",
    "isla",
    "ava",
    "mia",
    "ivy",
    "lily",
    "isabella",
    "rosie",
    "sophia",
    "grace",
    "freya",
    "evie",
    "poppy",
    "ella",
    "emily",
    "sienna",
    "ruby",
    "willow",
    "harper",
    "aisha",
    "ayesha",
    "fatima",
    "maryam",
    "zainab",
    "khadija",
    "amina",
    "hafsa",
    "maya",
    "priya",
    "harpreet",
    "simran",
    "jasmine",
    "natalia",
    "katarzyna",
    "zuzanna",
    "julia",
    "olga",
    "kateryna",
    "alexandra",
    "jessica",
    "chloe",
    "megan",
    "hannah",
    "lucy",
    "holly",
    "abigail",
    "eleanor",
    "millie",
    "leah",
    "erin",
    "madison",
    "tia",
    "kacey",
    "jade",
    "shannon",
    "courtney",
    "paige",
    "demi",
    "keira",
]
FIRST_M = [
    "muhammad",
    "mohammed",
    "oliver",
    "george",
    "noah",
    "arthur",
    "leo",
    "harry",
    "oscar",
    "archie",
    "jack",
    "henry",
    "charlie",
    "freddie",
    "theo",
    "jacob",
    "alfie",
    "william",
    "thomas",
    "joshua",
    "ibrahim",
    "yusuf",
    "ali",
    "hamza",
    "ahmed",
    "zayn",
    "ayaan",
    "adam",
    "hassan",
    "imran",
    "arjun",
    "harjeet",
    "gurpreet",
    "mandeep",
    "jakub",
    "piotr",
    "oleksandr",
    "dmytro",
    "andrei",
    "mykola",
    "maksym",
    "kacper",
    "filip",
    "jayden",
    "tyler",
    "kai",
    "riley",
    "mason",
    "logan",
    "ethan",
    "callum",
    "connor",
    "liam",
    "ryan",
    "jordan",
    "kyle",
    "reece",
    "bradley",
    "dylan",
    "lewis",
    "nathan",
    "aaron",
    "daniel",
    "samuel",
    "benjamin",
    "joseph",
    "matthew",
    "michael",
    "christopher",
    "nicholas",
    "robert",
    "james",
]
SURNAMES = [
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "robinson",
    "wright",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "hussain",
    "khan",
    "ahmed",
    "ali",
    "begum",
    "mahmood",
    "iqbal",
    "akhtar",
    "rashid",
    "shah",
    "patel",
    "mistry",
    "chaudhary",
    "kaur",
    "singh",
    "sandhu",
    "gill",
    "bibi",
    "kowalski",
    "nowak",
    "wisniewski",
    "kaminski",
    "lewandowski",
    "shevchenko",
    "bondarenko",
    "kovalenko",
    "popescu",
    "ionescu",
    "horvath",
    "novak",
    "dvorak",
    "hughes",
    "edwards",
    "harris",
    "martin",
    "moore",
    "lee",
    "harrison",
    "morgan",
    "cooper",
    "ward",
    "turner",
    "hill",
    "wright",
    "kelly",
    "murphy",
    "obrien",
    "campbell",
    "stewart",
    "anderson",
    "scott",
    "mitchell",
    "watson",
    "brooks",
    "sutcliffe",
    "holroyd",
    "ackroyd",
    "greenwood",
    "barraclough",
    "hirst",
    "firth",
]
SCHOOLS = [
    f"{w} academy"
    for w in ["oak", "ash", "elm", "beech", "birch", "cedar", "hazel", "maple", "rowan", "yew"]
]
SCHOOLS += [
    f"{w} high school" for w in ["north", "south", "east", "west", "park", "hill", "vale", "moor"]
]
SYLLABLES = [
    "ab",
    "al",
    "an",
    "ar",
    "ba",
    "be",
    "da",
    "el",
    "en",
    "er",
    "ha",
    "in",
    "ka",
    "la",
    "le",
    "li",
    "ma",
    "mi",
    "na",
    "ni",
    "or",
    "ra",
    "ri",
    "sa",
    "ta",
    "to",
    "va",
]
ALT_SPELLINGS = {
    "muhammad": ["mohammed", "mohammad", "muhammed", "mohamed"],
    "mohammed": ["muhammad", "mohamed", "mohammad"],
    "aisha": ["ayesha", "aysha"],
    "ayesha": ["aisha", "ayisha"],
    "yusuf": ["yousuf", "yousef"],
    "hussain": ["hussein", "husain"],
    "oleksandr": ["aleksandr", "alexander"],
    "mykola": ["nikolai", "mikolaj"],
    "dmytro": ["dmitri", "dmitriy"],
    "kateryna": ["ekaterina", "katerina"],
    "katarzyna": ["kasia"],
    "jayden": ["jaden", "jaydon", "jay"],
    "william": ["will", "bill", "billy"],
    "thomas": ["tom", "tommy"],
    "alexandra": ["alex"],
    "charlie": ["charles"],
    "oliver": ["olly", "ollie"],
    "samuel": ["sam"],
    "benjamin": ["ben"],
    "joseph": ["joe"],
    "jessica": ["jess"],
    "abigail": ["abbie", "abby"],
    "eleanor": ["ellie"],
    "smith": ["smyth"],
    "chaudhary": ["choudhury", "chowdhury"],
    "shevchenko": ["schevchenko"],
    "nowak": ["novak"],
    "mahmood": ["mahmud"],
}


@dataclass(frozen=True)
class Person:
    record_id: str
    cluster_id: str
    given_name: str
    family_name: str
    date_of_birth: str
    sex: str
    postcode: str
    school: str
    nhs_number: str
    upn: str


@functools.cache
def _zipf_weights(size: int) -> list[float]:
    return list(itertools.accumulate(1 / (rank**0.7) for rank in range(1, size + 1)))


def _zipf_choice(rng: random.Random, items: list[str]) -> str:
    # Common names commoner than rare ones, as in any register of children.
    return rng.choices(items, cum_weights=_zipf_weights(len(items)))[0]


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.5:  # noqa: PLR2004 - half from the list, half invented
        return _zipf_choice(rng, SURNAMES)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _nhs(rng: random.Random) -> str:
    while True:
        stem = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(w * d for w, d in zip(range(10, 1, -1), stem, strict=True)) % 11
        if check == 11:  # noqa: PLR2004
            check = 0
        if check != 10:  # noqa: PLR2004
            return "".join(map(str, stem)) + str(check)


def _upn(rng: random.Random) -> str:
    tail = "".join(str(rng.randint(0, 9)) for _ in range(12))
    return standardise.upn_check_letter(tail) + tail


def _postcode(rng: random.Random, district: int | None = None) -> str:
    district = district if district is not None else rng.randint(1, 24)
    unit = rng.choice("ABDEFGHJLNPQRSTUWXYZ") + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
    return f"ZX{district} {rng.randint(0, 9)}{unit}"


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:  # noqa: PLR2004
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.3:  # noqa: PLR2004
        return text[:i] + text[i + 1 :]
    if kind < 0.6:  # noqa: PLR2004
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


def _original(rng: random.Random, number: int, today: dt.date) -> Person:
    sex = rng.choice("FM")
    given = _zipf_choice(rng, FIRST_F if sex == "F" else FIRST_M)
    born = today - dt.timedelta(days=rng.randint(365 * 5, 365 * 18))
    return Person(
        record_id=f"r{number}",
        cluster_id=f"c{number}",
        given_name=given.title(),
        family_name=_surname(rng).title(),
        date_of_birth=born.isoformat(),
        sex=sex if rng.random() > 0.03 else "",  # noqa: PLR2004
        postcode=_postcode(rng) if rng.random() > 0.1 else "",  # noqa: PLR2004
        school=rng.choice(SCHOOLS) if rng.random() > 0.3 else "",  # noqa: PLR2004
        nhs_number=_nhs(rng) if rng.random() < 0.35 else "",  # noqa: PLR2004
        upn=_upn(rng) if rng.random() < 0.4 else "",  # noqa: PLR2004
    )


def corrupted_dob(rng: random.Random, text: str) -> str:
    born = dt.date.fromisoformat(text)
    roll = rng.random()
    if roll < 0.4 and (swapped := standardise.day_month_swapped(born)):  # noqa: PLR2004
        return swapped
    if roll < 0.7:  # noqa: PLR2004
        return (born + dt.timedelta(days=rng.choice([-10, -1, 1, 2, 7, 20]))).isoformat()
    try:
        return born.replace(year=born.year + rng.choice([-1, 1])).isoformat()  # a year out
    except ValueError:  # 29 February
        return born.replace(day=28).isoformat()


def variant(rng: random.Random, text: str) -> str:
    options = ALT_SPELLINGS.get(text.lower())
    return rng.choice(options).title() if options else _typo(rng, text.lower()).title()


def _duplicate(rng: random.Random, person: Person, number: int) -> Person:  # noqa: C901
    dup = replace(person, record_id=f"r{number}")
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        roll = rng.random()
        if roll < 0.2:  # noqa: PLR2004
            dup = replace(dup, given_name=variant(rng, dup.given_name))
        elif roll < 0.35:  # noqa: PLR2004
            dup = replace(dup, family_name=variant(rng, dup.family_name))
        elif roll < 0.5:  # noqa: PLR2004
            dup = replace(dup, date_of_birth=corrupted_dob(rng, dup.date_of_birth))
        elif roll < 0.65 and dup.postcode:  # noqa: PLR2004 - a house move in the district
            dup = replace(dup, postcode=_postcode(rng, int(dup.postcode.split(" ")[0][2:])))
        elif roll < 0.7:  # noqa: PLR2004
            dup = replace(dup, given_name=dup.family_name, family_name=dup.given_name)
        elif roll < 0.75:  # noqa: PLR2004
            dup = replace(dup, given_name=dup.given_name[0])
        elif roll < 0.8:  # noqa: PLR2004
            dup = replace(dup, family_name=f"{dup.family_name}-{_surname(rng).title()}")
        elif roll < 0.9:  # noqa: PLR2004
            dup = replace(dup, school=rng.choice(SCHOOLS), postcode="")
        elif roll < 0.97:  # noqa: PLR2004
            dup = replace(dup, sex="")
        else:  # recorded wrongly
            dup = replace(dup, sex={"F": "M", "M": "F"}.get(dup.sex, ""))
    keep_nhs = rng.random() < 0.4  # noqa: PLR2004 - most agencies' records have none
    keep_upn = rng.random() < 0.5  # noqa: PLR2004
    return replace(
        dup, nhs_number=dup.nhs_number if keep_nhs else "", upn=dup.upn if keep_upn else ""
    )


def generate(
    count: int, *, seed: int = 14, duplicate_share: float = 0.4, today: dt.date | None = None
) -> Iterator[dict[str, str]]:
    """`count` records; about `duplicate_share` of them further records of an earlier child."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    today = today or dt.date(2026, 1, 1)
    originals: list[Person] = []
    for number in range(count):
        if originals and rng.random() < duplicate_share:
            yield asdict(_duplicate(rng, rng.choice(originals), number))
        else:
            person = _original(rng, number, today)
            originals.append(person)
            yield asdict(person)
