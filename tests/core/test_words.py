"""tests.words.says: a word on the page, not the letters of a token."""

from tests.words import says


def test_a_word_is_found_as_a_word_and_not_inside_a_token():
    assert says("<td>60.0 MME/day</td>", "MME") and says("PEG 3", "PEG 3")
    assert not says('value="08ze0NoSu1MMEmnbFeHNq"', "MME")
