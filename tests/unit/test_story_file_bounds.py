"""Story files under attack: each hostile file ends quickly in one line naming the problem."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from newsledger.stories.story_file import StoryFileError, load_story, parse_story
from newsledger.stories.yaml_document import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES

ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
"""A billion laughs: nine lines, under 1 KB, expanding to 9^9 strings."""


def problems_of(text: str, name: str = "hostile.yaml") -> list[str]:
    with pytest.raises(StoryFileError) as raised:
        parse_story(text, name)
    for problem in raised.value.problems:
        assert "\n" not in problem and problem.startswith(f"{name}:"), problem
    return raised.value.problems


@pytest.mark.timeout(10)
@pytest.mark.parametrize("text", ["title: x\n", "{}\n", "developments: []\n", "- a\n"])
def test_a_file_without_its_top_level_keys_is_refused_at_once(text: str) -> None:
    """Given a file with no `negotiation:` (it once looped forever), the error says what is due."""
    problems = problems_of(text)
    assert any("negotiation" in p for p in problems), problems


@pytest.mark.timeout(30)
def test_an_alias_bomb_is_refused_naming_the_limit_without_growing() -> None:
    """Given a 1 KB alias bomb, it is refused before any of it is built, in bounded memory."""
    assert len(ALIAS_BOMB) < 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (problem,) = problems_of(f"{ALIAS_BOMB}\n")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert f"more than {MAX_VALUES} values" in problem
    assert grown_kib < 512 * 1024, f"grew by {grown_kib} KiB"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("negotiation:\n  id: \x01x\n", "hostile.yaml:2: unacceptable character #x0001"),
        ("negotiation:\n  id: x\x7f\n", "hostile.yaml:2:"),
        ("negotiation: \ufeff\x00\n", "control characters are not allowed"),
        ("negotiation: !!python/object/apply:os.system [ls]\n", "values are not allowed"),
        ("negotiation: !!python/object:os.Foo {a: 1}\n", "values are not allowed"),
        ("negotiation: !!binary aGVsbG8=\n", "binary values are not allowed"),
        (f"negotiation: {'9' * 5000}\n", "a number too long to read"),
        ('negotiation: {title: "a\\0b"}\n', "contains U+0000 (NUL)"),
        ('negotiation: {title: "\\ud800"}\n', "hostile.yaml:1: found invalid Unicode"),
        ("? [a, b]\n: c\n", "a key must be a plain name"),
        ("[" * 100_000, "hostile.yaml:1:"),
        ("negotiation: &a {title: *a}\n", "an alias refers to a value that contains it"),
        ("developments: &a [x, [*a]]\n", "an alias refers to a value that contains it"),
        ("a:\n" + "".join(" " * (i + 1) + "- \n" for i in range(MAX_DEPTH + 5)), "nest"),
    ],
)
def test_hostile_bytes_and_tags_are_one_line_naming_the_place(text: str, expected: str) -> None:
    """Given control bytes, unsafe tags, huge numbers or deep nesting, one line each, no trace."""
    problems = problems_of(text)
    assert any(expected in p for p in problems), problems


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """Given a file one byte over the limit, it is refused naming the limit, unparsed."""
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(StoryFileError, match=f"big.yaml:1: .* the limit is {MAX_FILE_BYTES}"):
        load_story(big)


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("negotiation: {title: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(StoryFileError, match=r"latin\.yaml:1: not UTF-8"):
        load_story(latin)


def test_thousands_of_problems_make_a_message_of_bounded_size() -> None:
    """Given 5,000 bad entries, `problems` keeps them all and the message shows the first 50."""
    text = "negotiation: {id: x, title: X, parties: [{party_id: a, name: A}]}\ndevelopments:\n"
    text += "  - 1\n" * 5000
    with pytest.raises(StoryFileError) as raised:
        parse_story(text, "many.yaml")
    assert len(raised.value.problems) == 5000
    assert len(str(raised.value).splitlines()) == 51
    assert str(raised.value).endswith("5000 problems in all; the first 50 shown")


def test_a_key_holding_a_line_break_is_named_on_one_line() -> None:
    with pytest.raises(StoryFileError) as refused:
        parse_story("? '\n\n'\n", "odd.yaml")
    for problem in refused.value.problems:
        assert "\n" not in problem
    assert any(repr("\n") in problem for problem in refused.value.problems)
