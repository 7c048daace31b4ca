"""The values of the chat's HTTP API, checked before they reach the engine.

JSON can carry anything where a question or a number belongs (`5`, `["a"]`, `{}`, `null`,
`1e999`, which Python reads as infinity), and a REST caller may send fewer values than the
API has. Each bad value is answered with one line naming it; `null` (or a missing value)
means the default, as it does for gradio_client. The number of passages follows the one rule
the command line follows (`rag.config.check_top_k`: a whole number from 1 to `max_top_k`).
"""

from __future__ import annotations

import gradio as gr

from kazrag.errors import ConfigError, QuestionError
from kazrag.rag.config import MODES, Config, check_top_k

# the endpoints whose every value is checked here, so a missing one may be passed as None
CHECKED_ENDPOINTS = {"chat"}


class Blocks(gr.Blocks):
    """gr.Blocks whose checked endpoints take fewer values than they have: the missing ones
    are None (their defaults, or the one-line message of an empty question), where Gradio
    itself would answer with a traceback and `error: null`."""

    def validate_inputs(self, block_fn, inputs: list) -> None:
        missing = len(block_fn.inputs) - len(inputs)
        if block_fn.api_name in CHECKED_ENDPOINTS and missing > 0:
            inputs.extend([None] * missing)  # the list Gradio goes on to read
        super().validate_inputs(block_fn, inputs)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def question_of(value: object) -> str:
    """The question as text; `None` is an empty question (refused by the engine's own rule)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise QuestionError(f"The question must be text, not {_kind(value)}.")
    return value


def mode_of(value: object, config: Config) -> str:
    if value is None or value == "":
        return config.mode
    if not isinstance(value, str) or value not in MODES:
        shown = repr(value) if isinstance(value, str) else _kind(value)
        raise ConfigError(f"unknown retrieval mode {shown}; choose one of {', '.join(MODES)}")
    return value


def top_k_of(value: object, config: Config) -> int:
    if value is None:
        return config.top_k
    return check_top_k(value, config.max_top_k)
