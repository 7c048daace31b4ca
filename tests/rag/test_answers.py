"""End to end on the demo corpus with the real model and FAISS: the passage holding the
answer is retrieved, the answer quotes it verbatim with a citation, off-topic abstains."""

import json

import pytest

from kazrag.errors import QuestionError
from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.text import match_key

pytestmark = pytest.mark.slow

CORPUS_KEY = {
    p.name: match_key(p.read_text(encoding="utf-8")) for p in BUNDLED_CORPUS.glob("*.txt")
}

# (question, evidence copied from the source, language)
CASES = [
    (
        "Президент сайлауында Назарбаев неше пайыз дауыс алды?",
        # one report writes 97.5, the other 97,5: either sentence answers
        "Назарбаевқа 97",
        "kk",
    ),
    (
        "Полиция күдіктіні айып таққанға дейін қанша сағат ұстай алады?",
        "айыптауға дейін 72 сағат бойы ұстай алады",
        "kk",
    ),
    (
        "Жұмыс аптасының ұзақтығы заң бойынша қанша сағаттан аспауы тиіс?",
        "қалыпты жұмыс аптасы 40 сағаттан аспауы",
        "kk",
    ),
    (
        "Еңбек кодексі бойынша жұмысқа алудың ең төменгі жасы нешеге тең?",
        "жұмысқа алудың ең төменгі жас мөлшері 16 құрайды",
        "kk",
    ),
    (
        "Демонстрация өткізу үшін әкімдікке қанша күн бұрын өтініш беру керек?",
        "кем дегенде 10 күн бұрын өтініш жасаулары керек",
        "kk",
    ),
    (
        "Зорлау үшін заңда қандай жаза көзделген?",
        "үш жылдан 15 жылға дейін бас бостандығынан айыру кесіледі",
        "kk",
    ),
    (
        "Сколько судей было наказано за нарушение судейской этики?",
        "сот әдебін бұзғаны үшін 32 төреші жазаланды",
        "ru",
    ),
    (
        "Сколько сенаторов из 47 было избрано на выборах в июне?",
        "47 сенаторынан 16 сенатор сайланды",
        "ru",
    ),
    (
        "Сколько ранних и принудительных браков заключается ежегодно?",
        "жыл сайын 2000-3000 ерте және мәжбүрлі некелер орын алады",
        "ru",
    ),
    (
        "Какую долю рабочих мест компании обязаны выделять людям с инвалидностью?",
        "жұмыс орындарының 3 пайызын бөлуді талап етеді",
        "ru",
    ),
    (
        "How many criminal cases of human trafficking did the police investigate in 2016?",
        "полиция адам саудасы бойынша 147 қылмыстық істі тергеді",
        "en",
    ),
    (
        "How long can Chechens and other CIS citizens stay with a temporary legal status?",
        "180 күнге дейін уақытша заңды мәртебесін алады",
        "en",
    ),
    (
        "What share of the 1,460 torture complaints concerned the investigation stage?",
        "1460 арыз-шағымның 75 пайызы тергеу барысында",
        "en",
    ),
    (
        "In which years should the number of labour inspectors be increased?",
        "инспекторларының санын көбейту 2014 – 2015",
        "en",
    ),
]


@pytest.fixture(scope="module")
def answers(engine):
    return [engine.ask(question, top_k=3) for question, _, _ in CASES]


@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[0][:40] for c in CASES])
def test_answer_passage_in_top3_and_quoted_verbatim(answers, case):
    question, evidence, lang = CASES[case]
    answer = answers[case]
    assert answer.lang == lang
    # an uncertain answer still quotes; a refusal of these would hide the answer
    assert answer.state in ("answered", "uncertain"), answer.signals
    assert any(match_key(evidence) in match_key(p.chunk.text) for p in answer.passages), [
        p.chunk.text[:80] for p in answer.passages
    ]
    assert answer.quotes and "[1]" in answer.text
    for quote in answer.quotes:
        # verbatim: the quote is the source text (line wraps aside), original spelling kept
        assert match_key(quote.text) in CORPUS_KEY[quote.doc]
        assert quote.text in answer.text
        assert quote.line_start >= 1 and quote.line_end >= quote.line_start


def test_most_answerable_questions_are_answered_with_confidence(answers):
    answered = [a.state == "answered" for a in answers]
    assert sum(answered) >= 0.8 * len(CASES), [
        (c[0], round(a.probability or 0, 3)) for c, a in zip(CASES, answers) if a.abstained
    ]
    assert all(0.0 <= a.probability <= 1.0 for a in answers if a.probability is not None)


def test_quotes_hold_the_evidence_for_most_questions(answers):
    # sentence choice is measured, not perfect (eval/README.md: ~0.85 of answerable
    # questions); this guards against regressions below 80 %
    held = [
        any(match_key(evidence) in match_key(q.text) for q in answer.quotes)
        for (_, evidence, _), answer in zip(CASES, answers)
    ]
    assert sum(held) >= 0.8 * len(CASES), [c[0] for c, ok in zip(CASES, held) if not ok]


def test_citation_resolves_to_document_section_and_lines(engine):
    answer = engine.ask("Сколько судей было наказано за нарушение судейской этики?")
    quote = answer.quotes[0]
    assert quote.doc == "human-rights-report-2017.kk.txt"
    assert (
        quote.section.startswith("1-бөлім")
        and "e. Сот ісін жүргізудің жариялылығы" in quote.section
    )
    lines = (BUNDLED_CORPUS / quote.doc).read_text(encoding="utf-8").split("\n")
    cited = " ".join(lines[quote.line_start - 1 : quote.line_end])
    assert match_key(quote.text) in match_key(cited)
    assert quote.citation().startswith("[1] human-rights-report-2017.kk.txt, 1-бөлім")


@pytest.mark.parametrize(
    "question,lang",
    [
        ("What is the capital of France?", "en"),
        ("Какая погода будет завтра в Париже?", "ru"),
        ("2011 жылғы президент сайлауында Назарбаев неше пайыз дауыс жинады?", "kk"),
        # Kazakh off-topic questions score closer to the report than Russian or English ones do
        ("Футболдан әлем чемпионатын кім жеңді?", "kk"),
        ("Абай Құнанбаев қай жылы туған?", "kk"),
    ],
)
def test_off_topic_or_unanswered_questions_abstain_in_their_language(engine, question, lang):
    answer = engine.ask(question)
    assert answer.abstained, (answer.probability, answer.text)
    assert answer.lang == lang
    if answer.state == "refused":
        assert answer.quotes == []
        assert {"en": "do not answer", "ru": "нет ответа", "kk": "жауап таппадым"}[lang] in (
            answer.text
        )
    else:  # the closest quote, marked in the question's language as possibly not answering
        assert answer.quotes
        assert {"en": "may not answer", "ru": "может не отвечать", "kk": "жауап бермеуі мүмкін"}[
            lang
        ] in answer.text


def test_a_question_from_another_world_is_refused(engine):
    answer = engine.ask("What is the capital of France?")
    assert answer.state == "refused" and answer.quotes == [], answer.probability


@pytest.mark.parametrize("question", ["", "   ", "?!...", "2017 2018"])
def test_questions_without_words_are_refused_with_a_message(engine, question):
    with pytest.raises(QuestionError) as info:
        engine.ask(question)
    assert "question" in str(info.value).lower()


def test_huge_question_is_cut_with_a_notice(engine):
    answer = engine.ask("Назарбаев неше пайыз дауыс алды? " * 700)
    assert answer.notice and "2000" in answer.notice


def test_answer_json_has_the_documented_fields(engine):
    data = json.loads(
        json.dumps(engine.ask("Жұмыс аптасы неше сағат?").to_dict(), ensure_ascii=False)
    )
    assert {"answer", "state", "abstained", "answerable_probability", "passages", "quotes"} <= set(
        data
    )
    assert data["state"] in ("answered", "uncertain", "refused")
    assert 0.0 <= data["answerable_probability"] <= 1.0
    assert {"rank", "doc", "section", "lines", "text", "score"} <= set(data["passages"][0])


def test_modes_rank_differently_but_all_work(engine):
    question = "Жұмыс аптасы неше сағаттан аспауы керек?"
    for mode in ("bm25", "dense", "hybrid"):
        passages = engine.search(question, mode=mode, top_k=5)
        assert len(passages) == 5 and passages[0].rank == 1
        assert passages[0].score >= passages[-1].score
