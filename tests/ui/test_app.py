"""The Gradio chat served for real on a local port, asked through gradio_client.

Real model, real index (the session `engine`), real HTTP server; nothing mocked.
"""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from gradio_server import serving, trigger

from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.lang import frame
from kazrag.rag.text import match_key

pytestmark = pytest.mark.slow

QUOTE_LINE = re.compile(r"^«(.+)» \[(\d+)\]$", re.MULTILINE)

# Questions on distinct facts of the bundled corpus, each with the words its answer must
# quote (from eval/sets/reports-dev.jsonl).
FACTS = {
    "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?": "72 сағат",
    "Заң бойынша қалыпты жұмыс аптасы ең көбі неше сағат болуы керек?": "40 сағат",
    "Еңбек кодексі бойынша жұмысқа қабылдаудың ең төменгі жасы қандай?": "мөлшері 16",
    "2016 жылы адам құқықтары жөніндегі уәкілге азаптау мен қатыгездік туралы неше шағым "
    "келіп түсті?": "106 шағым",
    "Сколько ранних и принудительных браков заключается в Казахстане ежегодно?": "2000-3000",
    "How many criminal cases of human trafficking did police investigate in 2016?": "147 қылмыстық",
    "Демонстрация өткізуге рұқсат сұрап жергілікті әкімдікке неше күн бұрын жүгіну керек?": "10 күн бұрын",
    "Компаниялар жұмыс орындарының қанша пайызын мүмкіндігі шектеулі жандарға бөлуге "
    "міндетті?": "3 пайызын",
}
KAZAKH_QUESTION = "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?"
RUSSIAN_QUESTION = "Сколько ранних и принудительных браков заключается в Казахстане ежегодно?"


@pytest.fixture(scope="module")
def corpus_key() -> str:
    return match_key(
        "\n".join(p.read_text(encoding="utf-8") for p in sorted(BUNDLED_CORPUS.glob("*.txt")))
    )


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "votes.jsonl"


@pytest.fixture(scope="module")
def url(engine, feedback_file):
    with serving(engine, engine.config.with_(feedback_path=feedback_file)) as address:
        yield address


@pytest.fixture(scope="module")
def client(url):
    return Client(url, verbose=False)


def quotes_of(answer: str) -> list[str]:
    return [m.group(1) for m in QUOTE_LINE.finditer(answer)]


@pytest.mark.parametrize("question,lang", [(KAZAKH_QUESTION, "kk"), (RUSSIAN_QUESTION, "ru")])
def test_chat_api_answers_with_verbatim_quotes_and_citations(client, corpus_key, question, lang):
    answer = client.predict(question, api_name="/chat")
    assert isinstance(answer, str)
    # answered, or shown as the closest quote when the model is unsure: quoted either way
    assert answer.startswith((frame(lang, "intro"), frame(lang, "uncertain"))), answer
    quotes = quotes_of(answer)
    assert quotes, answer
    for quote in quotes:
        assert match_key(quote) in corpus_key, f"not a verbatim quote: {quote}"
    assert "[1]" in answer
    assert re.search(
        r"^\[1\] human-rights-report-2017\.kk\.txt, .*lines? \d+", answer, re.MULTILINE
    ), answer
    assert match_key(FACTS[question]) in match_key(" ".join(quotes))


@pytest.mark.parametrize(
    "question,lang",
    [
        ("Who won the 2018 football World Cup?", "en"),
        ("Какая погода будет завтра в Париже?", "ru"),
    ],
)
def test_chat_api_abstains_on_off_topic_questions(client, question, lang):
    answer = client.predict(question, api_name="/chat")
    if answer.startswith(frame(lang, "uncertain")):  # the closest quote, marked
        return
    assert answer.startswith(frame(lang, "abstain")), answer
    assert frame(lang, "closest") in answer
    assert not quotes_of(answer)


def test_chat_api_settings_and_bad_input(client):
    answer = client.predict(KAZAKH_QUESTION, "bm25", 3, api_name="/chat")
    assert "72 сағат" in answer
    with pytest.raises(AppError, match="question is empty"):
        client.predict("   ", api_name="/chat")
    with pytest.raises(AppError, match="unknown retrieval mode"):
        client.predict(KAZAKH_QUESTION, "fuzzy", 5, api_name="/chat")


def test_chat_api_reads_a_follow_up_with_the_question_before_it(client):
    before = "В чём в итоге обвинили Ларису Харькову?"
    answer = client.predict("А поначалу ей что вменяли?", "hybrid", 5, before, api_name="/chat")
    assert answer.startswith(f"({frame('ru', 'read_with', text=before)})"), answer
    assert "Бастапқыда Харьковаға" in " ".join(quotes_of(answer)), answer
    alone = client.predict("А поначалу ей что вменяли?", api_name="/chat")
    assert "Харьков" not in alone, alone


def test_eight_simultaneous_questions_each_get_their_own_answer(url):
    def ask(question):
        return Client(url, verbose=False).predict(question, api_name="/chat")

    with ThreadPoolExecutor(len(FACTS)) as pool:
        answers = dict(zip(FACTS, pool.map(ask, FACTS)))
    for question, fact in FACTS.items():
        assert match_key(fact) in match_key(" ".join(quotes_of(answers[question]))), (
            question,
            answers[question],
        )


def test_chat_streams_the_answer_then_its_sources(client):
    job = client.submit(KAZAKH_QUESTION, [], "hybrid", 5, api_name="/respond")
    job.result(timeout=120)
    histories = [history for _, history in job.outputs()]
    answers = [h[1]["content"] for h in histories if len(h) > 1]
    texts = [a if isinstance(a, str) else a[0]["text"] for a in answers]
    # the frame line alone first, then the quote, then the citations
    assert texts[0] == frame("kk", "intro")
    assert "«" in texts[1] and frame("kk", "sources") not in texts[1]
    # the places are not listed under the answer: each source box's title is its one place
    assert frame("kk", "sources") not in texts[-1]
    final = histories[-1]
    assert final[0]["role"] == "user"
    sources = [m for m in final[2:] if (m.get("metadata") or {}).get("title")]
    assert sources and sources[0]["metadata"]["title"].startswith("\\[1\\]")
    assert "score" not in str(final)
    content = sources[0]["content"]
    passage = content if isinstance(content, str) else content[0]["text"]
    assert "<mark>" in passage and "72 сағат" in passage


def test_like_and_dislike_are_appended_to_the_feedback_file(client, url, feedback_file):
    history = client.predict(KAZAKH_QUESTION, [], "hybrid", 5, api_name="/respond")[1]
    before = feedback_file.read_text(encoding="utf-8").count("\n") if feedback_file.exists() else 0
    answer_text = history[1]["content"]
    for liked in (True, False):
        done = trigger(
            url, "chat", "like", [history], {"index": 1, "value": [answer_text], "liked": liked}
        )
        assert done.get("success"), done
    records = [
        json.loads(line) for line in feedback_file.read_text(encoding="utf-8").splitlines()[before:]
    ]
    assert [r["liked"] for r in records] == [True, False]
    record = records[0]
    assert set(record) == {"time", "liked", "question", "answer", "sources"}
    assert record["question"] == KAZAKH_QUESTION
    assert record["answer"].startswith(frame("kk", "intro"))
    assert "72 сағат" in record["answer"] and "\\" not in record["answer"]
    assert record["sources"] and record["sources"][0].startswith(
        "[1] human-rights-report-2017.kk.txt, "
    )
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", record["time"])


NEW_DOCUMENT = """Ақбұлақ ауылының бағы

Ақбұлақ ауылының тұрғындары 2023 жылдың көктемінде ауыл шетіне 412 түп алма ағашын
отырғызды. Бақты суаруға арналған құдықты жергілікті кәсіпкер Сәуле Төлегенова салдырды.
Алғашқы өнім 2026 жылы күтіледі.
"""


@pytest.fixture
def own_engine(engine, tmp_path):
    """An engine on a copy of the session index, so adding documents leaves `engine` as it
    was (and the bundled corpus is not indexed again)."""
    from kazrag.rag.engine import Kazrag

    copy = tmp_path / "index"
    shutil.copytree(engine.config.resolved_index_dir(), copy, symlinks=True)
    return Kazrag.open(engine.config.with_(index_dir=copy))


def test_uploaded_document_is_indexed_and_answers(own_engine, engine, tmp_path):
    path = tmp_path / "akbulak-bagy.kk.txt"
    path.write_text(NEW_DOCUMENT, encoding="utf-8")
    table_file = tmp_path / "notes.csv"
    table_file.write_text("a,b\n1,2\n", encoding="utf-8")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    with serving(own_engine, own_engine.config.with_(feedback_path=tmp_path / "f.jsonl")) as url:
        client = Client(url, verbose=False)
        table, corpus_line, outcome = client.predict([handle_file(path)], api_name="/add_documents")
        rows = {row[0]: row for row in table["data"]}
        assert path.name in rows and rows[path.name][2] >= 1
        assert "3 documents" in corpus_line
        answer = client.predict(
            "Ақбұлақ ауылында неше түп алма ағашы отырғызылды?", api_name="/chat"
        )
        assert "412 түп алма ағашын" in " ".join(quotes_of(answer)), answer
        assert f"[1] {path.name}" in answer

        # the same file again, a binary file, a format kazrag does not read: each is named
        # in the outcome with its reason in one line, no traceback, nothing replaced
        for bad, reason in (
            (path, "already indexed"),
            (binary, "this is a binary file"),
            (table_file, "csv"),
        ):
            _, _, outcome = client.predict([handle_file(bad)], api_name="/add_documents")
            line = next(x for x in outcome.splitlines() if bad.name in x)
            assert reason in line, outcome
            assert "Traceback" not in outcome
        assert sorted(own_engine.documents()) == sorted([*engine.documents(), path.name])
    assert path.name not in engine.documents()
