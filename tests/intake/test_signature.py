"""The consent signature resembles the full name given (intake/signature.py)."""

import pytest

from intake.signature import signature_problem

NAME = {"first": "Maria", "last": "Anderson"}


@pytest.mark.parametrize(
    "signed",
    [
        "Maria Anderson",
        "maria anderson",
        "  MARIA   ANDERSON ",
        "Anderson, Maria",
        "Maria J. Anderson",
        "Maria Andersen",  # a slip of one letter
        "Mraia Anderson",
    ],
)
def test_a_signature_resembling_the_full_name_is_accepted(signed):
    assert signature_problem(signed, **NAME) == ""


@pytest.mark.parametrize("signed", ["M", "MA", "Maria", "Anderson", "M. A.", "x", "", "   "])
def test_an_initial_or_half_a_name_is_refused_kindly_with_the_name_given(signed):
    assert signature_problem(signed, **NAME) == (
        "Please type your full name as your signature, as you gave it at the start: "
        "Maria Anderson. It does not need to match exactly."
    )


def test_accents_hyphens_and_several_words_in_a_name_are_forgiven():
    name = {"first": "José María", "last": "García-López"}
    assert signature_problem("Jose Garcia Lopez", **name) == ""
    assert signature_problem("josé maría garcía-lópez", **name) == ""
    assert signature_problem("Jose GarciaLopez", **name) == ""
    assert signature_problem("Jose Garcia", **name) != ""


def test_a_short_name_is_matched_as_a_whole_word():
    assert signature_problem("Al Li", first="Al", last="Li") == ""
    assert signature_problem("J Smith", first="J", last="Smith") == ""
    assert signature_problem("Ali Lin", first="Al", last="Li") == ""
    assert signature_problem("Bo Smith", first="Al", last="Li") != ""


def test_without_a_name_to_compare_two_words_are_asked_for():
    assert signature_problem("Maria Anderson", first="", last=None) == ""
    assert signature_problem("M", first=None, last=None) == (
        "Please type your first and last name as your signature."
    )


def test_non_text_never_raises():
    assert signature_problem(None, **NAME)
    assert signature_problem(["Maria Anderson"], **NAME)
