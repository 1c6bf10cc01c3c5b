"""Medication classes that matter with ketamine (docs/CLINICAL.md §7), as editable data.

recognise() matches a patient's free-text medicine name against generic and brand names so
staff see a flag for clinician review. It never decides anything: an unrecognised name is
simply not flagged, and staff still read the full list.

Patients type names as they hear them ("klonipin", "clonazapam", "zanax"), so a word that
is not an exact name is compared, with a small edit distance, to every name in the list
(rapidfuzz). The match is deliberately conservative: only words of 5 letters or more, one
edit for names up to 8 letters and two for longer ones, the same first sound, after folding
spellings that sound alike (k/c, ph/f, y/i, a leading x/z, doubled letters); and real
words and other medicines that sit close to a flagged name (NOT_FLAGGED) are never read as
one. read_as() says what was read, so the patient can correct it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

# Names are lowercase; multi-word names are matched as whole phrases. Keep each class's
# "why" to the plain staff message of CLINICAL.md §7.
MEDICATION_CLASSES: dict[str, dict] = {
    "benzodiazepines": {
        "label": "Benzodiazepine",
        "why": "May shorten or blunt the benefit of ketamine; also adds to sedation.",
        "names": (
            "alprazolam",
            "xanax",
            "clonazepam",
            "klonopin",
            "diazepam",
            "valium",
            "lorazepam",
            "ativan",
            "temazepam",
            "restoril",
            "chlordiazepoxide",
            "librium",
            "clorazepate",
            "tranxene",
            "oxazepam",
            "triazolam",
            "halcion",
            "midazolam",
            "estazolam",
            "flurazepam",
            "quazepam",
            "doral",
            "clobazam",
            "onfi",
            "sympazan",
        ),
    },
    "lamotrigine": {
        "label": "Lamotrigine",
        "why": "May attenuate the effect of ketamine.",
        "names": ("lamotrigine", "lamictal", "subvenite"),
    },
    "maois": {
        "label": "MAO inhibitor",
        "why": "MAOI: review the blood-pressure plan before an infusion.",
        "names": (
            "phenelzine",
            "nardil",
            "tranylcypromine",
            "parnate",
            "isocarboxazid",
            "marplan",
            "selegiline",
            "emsam",
            "eldepryl",
            "zelapar",
            "rasagiline",
            "azilect",
            "safinamide",
            "xadago",
            # Not antidepressants, but both inhibit MAO.
            "linezolid",
            "zyvox",
            "methylene blue",
            "provayblue",
        ),
    },
    "stimulants": {
        "label": "Stimulant or sympathomimetic",
        "why": "Additive rise in blood pressure and heart rate; clinics usually hold these on "
        "infusion days.",
        "names": (
            "amphetamine",
            "dextroamphetamine",
            "adderall",
            "dexedrine",
            "zenzedi",
            "evekeo",
            "lisdexamfetamine",
            "vyvanse",
            "methamphetamine",
            "desoxyn",
            "methylphenidate",
            "ritalin",
            "concerta",
            "metadate",
            "methylin",
            "daytrana",
            "dexmethylphenidate",
            "focalin",
            "modafinil",
            "provigil",
            "armodafinil",
            "nuvigil",
            "solriamfetol",
            "sunosi",
            "phentermine",
            "adipex",
            "lomaira",
            "qsymia",
            "diethylpropion",
            "phendimetrazine",
            "benzphetamine",
            "pseudoephedrine",
            "sudafed",
            "phenylephrine",
            "ephedrine",
        ),
    },
    "cyp3a4_2b6_modulators": {
        "label": "CYP3A4/2B6 inducer or inhibitor",
        "why": "Can change how much ketamine reaches the body (CYP3A4/2B6 inducer or inhibitor).",
        "names": (
            # inducers
            "rifampin",
            "rifampicin",
            "rifadin",
            "rifabutin",
            "mycobutin",
            "carbamazepine",
            "tegretol",
            "carbatrol",
            "equetro",
            "epitol",
            "phenytoin",
            "dilantin",
            "fosphenytoin",
            "phenobarbital",
            "primidone",
            "mysoline",
            "st johns wort",
            "saint johns wort",
            "hypericum",
            "efavirenz",
            "sustiva",
            "atripla",
            "nevirapine",
            "enzalutamide",
            # inhibitors
            "clarithromycin",
            "biaxin",
            "erythromycin",
            "ketoconazole",
            "itraconazole",
            "sporanox",
            "voriconazole",
            "vfend",
            "posaconazole",
            "noxafil",
            "ritonavir",
            "norvir",
            "paxlovid",
            "cobicistat",
            "nefazodone",
            "ticlopidine",
            "clopidogrel",
            "plavix",
        ),
    },
    "cns_depressants": {
        "label": "Opioid or other CNS depressant",
        "why": "Additive sedation with ketamine.",
        "names": (
            # opioids
            "morphine",
            "ms contin",
            "kadian",
            "codeine",
            "tylenol with codeine",
            "tylenol 3",
            "tylenol 4",
            "oxycodone",
            "oxycontin",
            "percocet",
            "percodan",
            "roxicet",
            "roxicodone",
            "xtampza",
            "endocet",
            "hydrocodone",
            "norco",
            "vicodin",
            "lortab",
            "lorcet",
            "vicoprofen",
            "hysingla",
            "zohydro",
            "hydromorphone",
            "dilaudid",
            "oxymorphone",
            "opana",
            "tramadol",
            "ultram",
            "ultracet",
            "tapentadol",
            "nucynta",
            "fentanyl",
            "duragesic",
            "methadone",
            "dolophine",
            "methadose",
            "buprenorphine",
            "suboxone",
            "subutex",
            "zubsolv",
            "belbuca",
            "butrans",
            "sublocade",
            "meperidine",
            "demerol",
            "levorphanol",
            # barbiturates and sleeping tablets
            "phenobarbital",
            "butalbital",
            "fioricet",
            "fiorinal",
            "secobarbital",
            "zolpidem",
            "ambien",
            "zaleplon",
            "sonata",
            "eszopiclone",
            "lunesta",
            "sodium oxybate",
            "xyrem",
            "xywav",
            # muscle relaxants
            "cyclobenzaprine",
            "flexeril",
            "amrix",
            "carisoprodol",
            "soma",
            "methocarbamol",
            "robaxin",
            "tizanidine",
            "zanaflex",
            "baclofen",
            "lioresal",
            "metaxalone",
            "skelaxin",
            "orphenadrine",
            "chlorzoxazone",
            # sedating antihistamines
            "diphenhydramine",
            "benadryl",
            "doxylamine",
            "unisom",
            "hydroxyzine",
            "atarax",
            "vistaril",
            "promethazine",
            "phenergan",
            # Gabapentinoids: the FDA (2019) warned of breathing problems when combined with
            # opioids and other CNS depressants.
            "gabapentin",
            "neurontin",
            "gralise",
            "horizant",
            "pregabalin",
            "lyrica",
        ),
    },
}


# Brand (or other non-generic) name -> generic, for telling the patient what we read:
# "We read this as Klonopin (clonazepam)". Names not here are generic names themselves.
GENERIC_OF: dict[str, str] = {
    "xanax": "alprazolam",
    "klonopin": "clonazepam",
    "valium": "diazepam",
    "ativan": "lorazepam",
    "restoril": "temazepam",
    "librium": "chlordiazepoxide",
    "tranxene": "clorazepate",
    "halcion": "triazolam",
    "doral": "quazepam",
    "onfi": "clobazam",
    "sympazan": "clobazam",
    "lamictal": "lamotrigine",
    "subvenite": "lamotrigine",
    "nardil": "phenelzine",
    "parnate": "tranylcypromine",
    "marplan": "isocarboxazid",
    "emsam": "selegiline",
    "eldepryl": "selegiline",
    "zelapar": "selegiline",
    "azilect": "rasagiline",
    "xadago": "safinamide",
    "zyvox": "linezolid",
    "provayblue": "methylene blue",
    "adderall": "amphetamine and dextroamphetamine",
    "dexedrine": "dextroamphetamine",
    "zenzedi": "dextroamphetamine",
    "evekeo": "amphetamine",
    "vyvanse": "lisdexamfetamine",
    "desoxyn": "methamphetamine",
    "ritalin": "methylphenidate",
    "concerta": "methylphenidate",
    "metadate": "methylphenidate",
    "methylin": "methylphenidate",
    "daytrana": "methylphenidate",
    "focalin": "dexmethylphenidate",
    "provigil": "modafinil",
    "nuvigil": "armodafinil",
    "sunosi": "solriamfetol",
    "adipex": "phentermine",
    "lomaira": "phentermine",
    "qsymia": "phentermine and topiramate",
    "sudafed": "pseudoephedrine",
    "rifadin": "rifampin",
    "rifampicin": "rifampin",
    "mycobutin": "rifabutin",
    "tegretol": "carbamazepine",
    "carbatrol": "carbamazepine",
    "equetro": "carbamazepine",
    "epitol": "carbamazepine",
    "dilantin": "phenytoin",
    "mysoline": "primidone",
    "saint johns wort": "st johns wort",
    "hypericum": "st johns wort",
    "sustiva": "efavirenz",
    "atripla": "efavirenz, emtricitabine and tenofovir",
    "biaxin": "clarithromycin",
    "sporanox": "itraconazole",
    "vfend": "voriconazole",
    "noxafil": "posaconazole",
    "norvir": "ritonavir",
    "paxlovid": "nirmatrelvir and ritonavir",
    "plavix": "clopidogrel",
    "ms contin": "morphine",
    "kadian": "morphine",
    "oxycontin": "oxycodone",
    "percocet": "oxycodone and acetaminophen",
    "roxicodone": "oxycodone",
    "xtampza": "oxycodone",
    "endocet": "oxycodone and acetaminophen",
    "norco": "hydrocodone and acetaminophen",
    "vicodin": "hydrocodone and acetaminophen",
    "lortab": "hydrocodone and acetaminophen",
    "hysingla": "hydrocodone",
    "zohydro": "hydrocodone",
    "dilaudid": "hydromorphone",
    "opana": "oxymorphone",
    "ultram": "tramadol",
    "ultracet": "tramadol and acetaminophen",
    "nucynta": "tapentadol",
    "duragesic": "fentanyl",
    "dolophine": "methadone",
    "methadose": "methadone",
    "suboxone": "buprenorphine and naloxone",
    "subutex": "buprenorphine",
    "zubsolv": "buprenorphine and naloxone",
    "belbuca": "buprenorphine",
    "butrans": "buprenorphine",
    "sublocade": "buprenorphine",
    "demerol": "meperidine",
    "fioricet": "butalbital, acetaminophen and caffeine",
    "fiorinal": "butalbital, aspirin and caffeine",
    "ambien": "zolpidem",
    "sonata": "zaleplon",
    "lunesta": "eszopiclone",
    "xyrem": "sodium oxybate",
    "xywav": "calcium, magnesium, potassium and sodium oxybates",
    "flexeril": "cyclobenzaprine",
    "amrix": "cyclobenzaprine",
    "soma": "carisoprodol",
    "robaxin": "methocarbamol",
    "zanaflex": "tizanidine",
    "lioresal": "baclofen",
    "skelaxin": "metaxalone",
    "benadryl": "diphenhydramine",
    "unisom": "doxylamine",
    "atarax": "hydroxyzine",
    "vistaril": "hydroxyzine",
    "phenergan": "promethazine",
    "neurontin": "gabapentin",
    "gralise": "gabapentin",
    "horizant": "gabapentin enacarbil",
    "lyrica": "pregabalin",
    "tylenol with codeine": "codeine and acetaminophen",
    "tylenol 3": "codeine and acetaminophen",
    "tylenol 4": "codeine and acetaminophen",
    "percodan": "oxycodone and aspirin",
    "vicoprofen": "hydrocodone and ibuprofen",
    "roxicet": "oxycodone and acetaminophen",
    "lorcet": "hydrocodone and acetaminophen",
}

# Brand names whose capitals are not simply the first letter.
_DISPLAY = {"ms contin": "MS Contin", "st johns wort": "St John's wort", "tylenol 3": "Tylenol #3"}

# Real words and other medicines within an edit or two of a flagged name: a patient who
# types one of these means it, so it is never read as the flagged name next to it.
NOT_FLAGGED: frozenset[str] = frozenset(
    {
        "ambient",  # ambien
        "cocaine",  # codeine
        "azithromycin",  # erythromycin (asked about separately, in DAST-10)
        "caffeine",
        "lamisil",  # lamictal
        "lamivudine",
        "clonidine",  # clonazepam, klonopin
        "trazodone",  # tramadol
        "naloxone",
        "naltrexone",
        "narcan",
        "norvasc",  # norco
        "nardo",
        "hydroxychloroquine",  # hydroxyzine
        "hydrocortisone",  # hydrocodone
        "hydrochlorothiazide",
        "metformin",
        "methimazole",
        "methotrexate",
        "methylprednisolone",
        "sonnet",
        "soman",
        "diltiazem",  # diazepam
        "celebrex",
        "zyrtec",
        "xyzal",
        "zantac",  # xanax
        "parnell",
        "paxil",
        "florinef",  # fiorinal
        "lyric",
        "lyrics",
        "oxytrol",
        "oxybutynin",
        "morning",
        "evening",
        "needed",
        "tablet",
        "tablets",
        "capsule",
        "daily",
        "dialysis",
        "cream",
        "patch",
        "spray",
        "drops",
        "vitamin",
        "valsartan",
        "vitamins",
        "ultra",
        "ultrasound",
        "panadol",
        "tylenol",
        "advil",
        "motrin",
        "aleve",
    }
)


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces: "St. John's Wort 300mg" ->
    "st johns wort 300 mg". Apostrophes vanish so "john's" and "johns" match; letters and
    digits split so "Xanax0.5mg" still contains the word "xanax"."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.findall(r"[a-z]+|[0-9]+", text))


MIN_FUZZY_LETTERS = 5


def _sound(word: str) -> str:
    """Fold spellings that sound alike: klonopin/clonopin, vivanse/vyvanse, zanax/xanax."""
    word = word.replace("ph", "f").replace("ck", "c").replace("k", "c").replace("y", "i")
    if word.startswith("x"):
        word = "z" + word[1:]
    return re.sub(r"(.)\1+", r"\1", word)


def _allowed_edits(word: str) -> int:
    return 1 if len(word) <= 8 else 2


@dataclass(frozen=True)
class Reading:
    """What one typed name was read as: the name in the list, and whether it was exact."""

    typed: str
    name: str
    classes: tuple[str, ...]
    exact: bool

    @property
    def display(self) -> str:
        """ "Klonopin (clonazepam)" for a brand, "clonazepam" for a generic name."""
        generic = GENERIC_OF.get(self.name)
        if generic is None:
            return _DISPLAY.get(self.name, self.name)
        return f"{_DISPLAY.get(self.name, self.name.title())} ({generic})"


@cache
def _index(frozen: tuple[tuple[str, tuple[str, ...]], ...]):
    """name -> class codes, and the sound-alike keys of the names long enough to fuzz."""
    classes_of: dict[str, list[str]] = {}
    for code, names in frozen:
        for name in names:
            classes_of.setdefault(normalise(name), []).append(code)
    by_sound: dict[str, list[str]] = {}
    for name in classes_of:
        if len(name.replace(" ", "")) >= MIN_FUZZY_LETTERS:
            by_sound.setdefault(_sound(name), []).append(name)
    return {n: tuple(c) for n, c in classes_of.items()}, by_sound


def _freeze(classes: dict[str, dict]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((code, tuple(spec["names"])) for code, spec in classes.items())


def _fuzzy(phrase: str, by_sound: dict[str, list[str]]) -> str | None:
    """The one flagged name within the allowed edits of phrase, else None (ties: None)."""
    if len(phrase.replace(" ", "")) < MIN_FUZZY_LETTERS or phrase in NOT_FLAGGED:
        return None
    allowed = _allowed_edits(phrase)
    found = process.extract(
        _sound(phrase),
        list(by_sound),
        scorer=DamerauLevenshtein.distance,
        score_cutoff=allowed,
        limit=None,
    )
    # Misspellings keep their first sound (after folding k/c, x/z): azithromycin is not
    # erythromycin although only two letters differ.
    found = [hit for hit in found if hit[0][0] == _sound(phrase)[0]]
    if not found:
        return None
    best = min(distance for _, distance, _ in found)
    names = {n for key, distance, _ in found if distance == best for n in by_sound[key]}
    # Two different names equally close: do not guess between them.
    return names.pop() if len(names) == 1 else None


def _reading_at(words, i, classes_of, by_sound) -> tuple[Reading, int] | None:
    """The flagged name starting at words[i] and how many words it takes: exact names first,
    longest first ("ms contin", "st johns wort"), then a near spelling of one word or of a
    multi-word name."""
    sizes = [size for size in (3, 2, 1) if i + size <= len(words)]
    phrases = [(size, " ".join(words[i : i + size])) for size in sizes]
    for size, phrase in phrases:
        if phrase in classes_of:
            return Reading(phrase, phrase, classes_of[phrase], exact=True), size
    for size, phrase in phrases:
        if any(w.isdigit() for w in phrase.split()):
            continue  # "plavix 75" is Plavix and a dose, not a two-word name
        match = _fuzzy(phrase, by_sound)
        if match is not None and (size == 1) == (" " not in match):
            return Reading(phrase, match, classes_of[match], exact=False), size
    return None


def read_as(name: str, classes: dict[str, dict] | None = None) -> list[Reading]:
    """Each flagged name found in what the patient typed, exact or nearly, in order."""
    if not isinstance(name, str):
        return []
    classes_of, by_sound = _index(_freeze(MEDICATION_CLASSES if classes is None else classes))
    words = normalise(name).split()
    readings: list[Reading] = []
    i = 0
    while i < len(words):
        found = _reading_at(words, i, classes_of, by_sound)
        if found is None:
            i += 1
            continue
        reading, size = found
        readings.append(reading)
        i += size
    return readings


def recognise(name: str, classes: dict[str, dict] | None = None) -> list[str]:
    """Class codes whose generic or brand names appear in name, exactly or nearly.

    classes defaults to MEDICATION_CLASSES; pass another dict of the same shape (e.g. a
    clinic's edited copy) to match against that instead."""
    if not isinstance(name, str):
        return []
    source = MEDICATION_CLASSES if classes is None else classes
    codes = {code for reading in read_as(name, source) for code in reading.classes}
    return [code for code in source if code in codes]


def reading_text(name: object) -> str:
    """The sentence shown under a medicine field: what we read, so the patient can correct
    it ("We read this as Klonopin (clonazepam)."), or "" when nothing flagged was read."""
    readings = read_as(name) if isinstance(name, str) else []
    if not readings:
        return ""
    names = " and ".join(dict.fromkeys(r.display for r in readings))
    return f"We read this as {names}. If that is not right, please correct it."


def suggestions() -> list[str]:
    """Every name in the list as a patient would write it, for the autocomplete."""
    names = {n for spec in MEDICATION_CLASSES.values() for n in spec["names"]} | set(GENERIC_OF)
    return sorted(
        (_DISPLAY.get(n, n.title() if n in GENERIC_OF else n) for n in names), key=str.lower
    )
