"""Answerability: the probability that the retrieved passages answer the question.

One small calibrated model instead of a cascade of hand-set rules: a logistic regression over
the answer's signals (rag/answer.py `signals`), fitted by cross-validation over the pooled
development sets with `python -m kazrag.eval.calibrate` (eval/README.md "answerability").
At run time it is a dot product: the fitted standardisation and coefficients live in a JSON
file (the bundled one is package data, `answerability.json`), so answering needs neither
scikit-learn nor a pickle.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

from kazrag.errors import ConfigError

T = TypeVar("T")
BUNDLED = "bundled"
NONE = "none"  # always answer: what calibration runs with, to see every signal


@dataclass(frozen=True)
class AnswerabilityModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    about: dict = field(default_factory=dict)  # how it was fitted: sets, C, CV figures

    def probability(self, signals: dict[str, float]) -> float:
        z = self.intercept
        for name, mean, scale, coef in zip(self.features, self.mean, self.scale, self.coef):
            z += coef * (float(signals.get(name, 0.0)) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "about": self.about,
        }

    @classmethod
    def from_dict(cls, data: dict) -> AnswerabilityModel:
        try:
            model = cls(
                tuple(data["features"]),
                tuple(float(v) for v in data["mean"]),
                tuple(float(v) or 1.0 for v in data["scale"]),
                tuple(float(v) for v in data["coef"]),
                float(data["intercept"]),
                dict(data.get("about", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"not an answerability model ({exc})") from None
        if not len(model.features) == len(model.mean) == len(model.scale) == len(model.coef):
            raise ConfigError("answerability model: features and coefficients differ in length")
        return model


def read_fitted(spec: str, resource: str, what: str, parse: Callable[[dict], T]) -> T | None:
    """A fitted model a `Config` field names: "bundled" (the package's `resource`), "none"
    (-> None) or a file; `parse` reads its JSON. A bad file is a ConfigError naming it."""
    if spec == NONE:
        return None
    if spec == BUNDLED:
        text = (resources.files("kazrag.rag") / resource).read_text("utf-8")
        where = f"the bundled {what}"
    else:
        try:
            text = Path(spec).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{what} {spec}: cannot read ({exc.strerror})") from None
        where = f"{what} {spec}"
    try:
        return parse(json.loads(text))
    except (json.JSONDecodeError, ConfigError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def load_answerability(spec: str) -> AnswerabilityModel | None:
    """The model `Config.answerability` names: "bundled", "none" (-> None) or a file."""
    return read_fitted(
        spec, "answerability.json", "answerability model", AnswerabilityModel.from_dict
    )
