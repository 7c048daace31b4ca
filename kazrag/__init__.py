"""kazrag: questions over Kazakh documents, answered with quoted, cited Kazakh sentences.

    from kazrag import Kazrag, Config

    engine = Kazrag.open(Config())          # the bundled demo corpus, indexed on first use
    answer = engine.ask("Сколько судей было наказано за нарушение судейской этики?")
    print(answer.text)

The package's parts keep the folders of the design: `kazrag.rag` (text, chunking, embedding,
retrieval, answers), `kazrag.index` (storage), `kazrag.eval` (evaluation), `kazrag.ui` (the
command line and the Gradio chat). Names are imported on first use, so `import kazrag` stays
cheap and `kazrag.errors` can be imported from any layer.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("kazrag")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

_PUBLIC = {
    "Kazrag": "kazrag.rag.engine",
    "Config": "kazrag.rag.config",
    "Answer": "kazrag.rag.records",
    "Quote": "kazrag.rag.records",
    "Passage": "kazrag.rag.records",
    "KazragError": "kazrag.errors",
}
__all__ = sorted(_PUBLIC) + ["__version__"]

if TYPE_CHECKING:
    from kazrag.errors import KazragError as KazragError
    from kazrag.rag.config import Config as Config
    from kazrag.rag.engine import Kazrag as Kazrag
    from kazrag.rag.records import Answer as Answer
    from kazrag.rag.records import Passage as Passage
    from kazrag.rag.records import Quote as Quote


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'kazrag' has no attribute {name!r}")
    return getattr(import_module(module), name)
