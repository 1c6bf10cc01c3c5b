"""Medication classes that matter with ketamine (docs/CLINICAL.md §7), as editable data.

recognise() matches a patient's free-text medicine name against generic and brand names so
staff see a flag for clinician review. It never decides anything: an unrecognised name is
simply not flagged, and staff still read the full list.
"""

from __future__ import annotations

import re

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
            "oxycodone",
            "oxycontin",
            "percocet",
            "roxicodone",
            "xtampza",
            "endocet",
            "hydrocodone",
            "norco",
            "vicodin",
            "lortab",
            "hysingla",
            "zohydro",
            "hydromorphone",
            "dilaudid",
            "oxymorphone",
            "opana",
            "tramadol",
            "ultram",
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


def _normalise(text: str) -> str:
    """Lowercase words separated by single spaces: "St. John's Wort 300mg" ->
    "st johns wort 300 mg". Apostrophes vanish so "john's" and "johns" match; letters and
    digits split so "Xanax0.5mg" still contains the word "xanax"."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.findall(r"[a-z]+|[0-9]+", text))


def _patterns(classes: dict[str, dict]) -> dict[str, re.Pattern]:
    return {
        code: re.compile(
            r"\b(?:" + "|".join(re.escape(_normalise(n)) for n in spec["names"]) + r")\b"
        )
        for code, spec in classes.items()
    }


_PATTERNS = _patterns(MEDICATION_CLASSES)


def recognise(name: str, classes: dict[str, dict] | None = None) -> list[str]:
    """Class codes whose generic or brand names appear as whole words in name.

    classes defaults to MEDICATION_CLASSES; pass another dict of the same shape (e.g. a
    clinic's edited copy) to match against that instead."""
    if not isinstance(name, str):
        return []
    patterns = _PATTERNS if classes is None else _patterns(classes)
    text = _normalise(name)
    return [code for code, pattern in patterns.items() if pattern.search(text)]
