"""Does the answerability model judge the documents, or the question's style?

`asks_quantity` (the question asks "how many / how much / what share") is one of the
answerability model's inputs. Its weight came out strongly negative: in the pooled
development sets most unanswerable questions ask for a figure (a plausible unanswerable
question is easy to write as "how many X" for an X the report does not count), so the model
learned that a quantity question is likely unanswerable, whatever the documents hold. That is
a prior on how the sets were written, the kind of rule the maintainers' held-out questions
punished (eval/README.md "Quantity questions": measured, not kept).

This refits the model from saved signals with and without the feature, and with
`kk_counted_found` (a Kazakh "how many X" question's best sentence gives a figure beside X:
evidence of the figure asked for, which the signals report), by the same cross-validation as
`kazrag.eval.calibrate` (seeds as given), and reports the figures apart for quantity and other questions:
a model that judges evidence should abstain on unanswerable questions of either form, and
falsely abstain on answerable ones of either form about equally. Then each model, fitted on
the whole pool with thresholds chosen as calibrate chooses them, is applied once to the
held-out parts' signals.

    python -m kazrag.eval.calibrate --set … --signals out/signals.jsonl          # dev pool
    python -m kazrag.eval.calibrate --set …@test … --signals out/test_signals.jsonl --out /dev/null
    python scripts/experiments/quantity_prior_cv.py --signals out/signals.jsonl \
        --held-out out/test_signals.jsonl
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from kazrag.eval import calibrate
from kazrag.eval.calibrate import LANGS, cross_validated, fit, out_of_fold, states, thresholds
from kazrag.rag.answer import FEATURES

WITHOUT = tuple(f for f in FEATURES if f != "asks_quantity")
VARIANTS = {
    "shipped features": FEATURES,
    "shipped + kk_counted_found": FEATURES + ("kk_counted_found",),
    "without asks_quantity": WITHOUT,
    "without asks_quantity, + kk_counted_found": WITHOUT + ("kk_counted_found",),
}


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def arrays(rows: list[dict], features: tuple[str, ...]):
    x = np.array([[float(r.get(f, 0.0)) for f in features] for r in rows])
    y = np.array([int(r["answerable"]) for r in rows])
    lang = np.array([r["lang"] for r in rows])
    quantity = np.array([bool(r.get("asks_quantity")) for r in rows])
    return x, y, lang, quantity


def groups(y: np.ndarray, quantity: np.ndarray, state: np.ndarray) -> dict:
    """False abstention and abstention recall, for quantity and other questions apart."""
    abstained = state != "answered"
    out = {}
    for name, mask in (
        ("all", np.ones_like(quantity)),
        ("quantity", quantity),
        ("other", ~quantity),
    ):
        ans, un = mask & (y == 1), mask & (y == 0)
        out[name] = {
            "false_abstention": f"{abstained[ans].sum()}/{ans.sum()} ({abstained[ans].mean():.3f})"
            if ans.any()
            else "-",
            "abstention_recall": f"{abstained[un].sum()}/{un.sum()} ({abstained[un].mean():.3f})"
            if un.any()
            else "-",
        }
    forms = [
        (quantity & (y == 1), quantity & (y == 0)),
        (~quantity & (y == 1), ~quantity & (y == 0)),
    ]
    if all(ans.any() and un.any() for ans, un in forms):  # each form weighted alike
        out["form-balanced"] = {
            "false_abstention": round(float(np.mean([abstained[a].mean() for a, _ in forms])), 3),
            "abstention_recall": round(float(np.mean([abstained[u].mean() for _, u in forms])), 3),
        }
    return out


def set_parser(doc: str) -> argparse.ArgumentParser:
    """The parser of an experiment that asks its own sets (`--set` the pool, `--held-out-set`
    the held-out parts, as calibrate's specs), with `add_arguments`'s CV settings."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--held-out-set", action="append", default=[])
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--c", type=float, default=0.3)
    parser.add_argument("--seeds", default="0", help="CV seeds, comma-separated (calibrate: 0)")
    parser.add_argument("--max-false-abstention", type=float, default=0.04)
    parser.add_argument("--max-false-refusal", type=float, default=0.005)


def compare(variants: dict, pool: list[dict], held: list[dict], args: argparse.Namespace) -> None:
    """Each variant's features: CV figures over `pool` by form, then the model fitted on the
    whole pool applied once to `held`."""
    for name, features in variants.items():
        x, y, lang, quantity = arrays(pool, features)
        for seed in args.seeds.split(","):
            calibrate.SEED = int(seed)
            _, state = cross_validated(
                x, y, lang, args.c, args.max_false_abstention, args.max_false_refusal
            )
            print(f"== {name}: cross-validated over {len(y)} pooled dev questions, seed {seed}")
            for group, figs in groups(y, quantity, state).items():
                print(f"   {group:9s} {figs}")
        calibrate.SEED = 0
        if not held:
            continue
        inner = out_of_fold(x, y, args.c)
        answer, refuse = thresholds(
            inner, y, lang, args.max_false_abstention, args.max_false_refusal
        )
        model = fit(x, y, args.c)
        hx, hy, hlang, hquantity = arrays(held, features)
        hstate = states(model.predict_proba(hx)[:, 1], hlang, answer, refuse)
        print(f"   held out ({len(hy)}), thresholds {answer} refuse {refuse:.3f}:")
        for group, figs in groups(hy, hquantity, hstate).items():
            print(f"   {group:9s} {figs}")
        for code in LANGS:
            mask = hlang == code
            print(f"   lang={code}  {groups(hy[mask], hquantity[mask], hstate[mask])['all']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", required=True)
    parser.add_argument("--held-out")
    add_arguments(parser)
    args = parser.parse_args()
    compare(VARIANTS, load(args.signals), load(args.held_out) if args.held_out else [], args)


if __name__ == "__main__":
    main()
