"""Print the intake's length per demo persona (questions shown, inputs, minutes) as the
Markdown table in README.md's "Intake length"; --write replaces that table in place."""

import re
from pathlib import Path
from statistics import median

from django.conf import settings
from django.core.management.base import BaseCommand

from intake import demo, length
from intake.questionnaire import QUESTIONNAIRE_VERSION
from intake.services import KNOWN_FROM_SIGN_UP

START, END = "<!-- intake_length:start -->", "<!-- intake_length:end -->"


def measure(answers: dict) -> length.Length:
    """One persona's length; the legal name, known from sign-up, is prefilled."""
    return length.measure(answers, prefilled=KNOWN_FROM_SIGN_UP)


def table() -> str:
    rows = [(name, measure(answers)) for name, answers in demo.PERSONAS.items()]
    lines = [
        f"Questionnaire version {QUESTIONNAIRE_VERSION}.",
        "",
        "| Persona | Questions shown | Inputs | Estimated minutes |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {m.questions} | {m.inputs} | {m.minutes} |" for name, m in rows),
        f"| **Median** | {median(m.questions for _, m in rows):g} | "
        f"{median(m.inputs for _, m in rows):g} | {median(m.minutes for _, m in rows):g} |",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Questions shown and estimated minutes of the intake for each demo persona."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Update README.md's table.")

    def handle(self, *args, write=False, **options):
        text = table()
        if not write:
            self.stdout.write(text)
            return
        readme = Path(settings.BASE_DIR) / "README.md"
        body = readme.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        if not pattern.search(body):
            raise SystemExit("README.md has no intake_length markers")
        readme.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", body))
        self.stdout.write("README.md updated")
