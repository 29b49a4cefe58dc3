"""The page's token: Bearer for programs, Basic's password for browsers, anything else refused."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from newsledger.web.guard import presented_token


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_token_is_read_from_bearer_or_from_basic_s_password() -> None:
    assert presented_token("Bearer abc123") == "abc123"
    assert presented_token("bearer   abc123 ") == "abc123"
    assert presented_token(basic("anyone", "abc123")) == "abc123"
    assert presented_token(basic("", "tok:with:colons")) == "tok:with:colons"


def test_anything_else_presents_no_token() -> None:
    for header in (
        "",
        "Bearer",
        "Basic !!!",
        basic("user", ""),
        "Token abc",
        "Bearer " + "a" * 5000,
    ):
        assert presented_token(header) is None


@given(st.text(max_size=200))
def test_any_header_is_read_or_ignored_never_a_crash(header: str) -> None:
    token = presented_token(header)
    assert token is None or (isinstance(token, str) and token)
