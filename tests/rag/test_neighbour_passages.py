"""Overlapping neighbour chunks shown as one passage (Config.merge_neighbours)."""

from __future__ import annotations

import numpy as np
import pytest

from kazrag.rag.chunking import units
from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.formats import load_document
from kazrag.rag.records import Chunk, Sentence, merge_chunks
from kazrag.rag.text import match_key
from kazrag.ui.reader import surrounding

DOC = "Бірінші сөйлем. Екінші сөйлем. Үшінші сөйлем. Төртінші."


def _chunk(chunk_id: int, first: int, last: int, page: int | None = None) -> Chunk:
    """Sentences first..last of DOC (0-based, one line each) as a chunk."""
    bounds, at = [], 0
    for _ in range(4):
        end = DOC.index(".", at) + 1
        bounds.append((at, end))
        at = end + 1
    start, end = bounds[first][0], bounds[last][1]
    sentences = tuple(
        Sentence(a - start, b - start, 1 + i, 1 + i, page)
        for i, (a, b) in enumerate(bounds)
        if first <= i <= last
    )
    return Chunk(
        chunk_id, "d.txt", ("1-бөлім",), DOC[start:end], start, end, start, end, 1 + first,
        1 + last, sentences, page, page,
    )  # fmt: skip


def test_merged_chunks_are_the_documents_own_span_with_each_sentence_once():
    a, b = _chunk(3, 0, 2, page=4), _chunk(4, 2, 3, page=5)
    merged, sources = merge_chunks([b, a])  # in any order
    assert merged.text == DOC and (merged.start, merged.end) == (0, len(DOC))
    assert [merged.text[s.start : s.end] for s in merged.sentences] == [
        "Бірінші сөйлем.", "Екінші сөйлем.", "Үшінші сөйлем.", "Төртінші."
    ]  # fmt: skip
    # the shared third sentence is the first chunk's; the fourth is the second chunk's first
    assert sources == ((3, 0), (3, 1), (3, 2), (4, 1))
    assert (merged.chunk_id, merged.line_start, merged.line_end) == (3, 1, 4)
    assert (merged.page_start, merged.page_end) == (4, 5)
    with pytest.raises(ValueError):
        merge_chunks([_chunk(1, 0, 0), _chunk(2, 2, 3)])  # not overlapping


QUESTIONS = [
    "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?",
    "Сколько судей было наказано за нарушение судейской этики?",
    "How many people were detained during the protests?",
    "Әйелдерге қарсы зорлық-зомбылық туралы заң бар ма?",
]


def test_no_two_passages_shown_overlap_and_each_keeps_its_best_chunks_score(engine):
    merged_somewhere = False
    for question in QUESTIONS:
        passages = engine.search(question, "hybrid", 10)
        spans = [(p.chunk.doc, p.chunk.start, p.chunk.end) for p in passages]
        for i, (doc, start, end) in enumerate(spans):
            for other_doc, other_start, other_end in spans[i + 1 :]:
                assert doc != other_doc or end <= other_start or other_end <= start, question
        assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
        for p in passages:
            # one span of the document's text as read (page furniture left out)
            document, _ = units(load_document(BUNDLED_CORPUS / p.chunk.doc))
            assert match_key(p.chunk.text) in match_key(document)
            merged_somewhere |= len(p.rows) > 1
    assert merged_somewhere  # the questions above do retrieve neighbours together


def test_without_merging_the_neighbours_take_places_of_their_own(engine):
    retriever = engine.snapshot.retriever
    ranking = retriever.rank(QUESTIONS[0])
    fused = retriever.fuse(ranking, "hybrid")
    retriever.config = engine.config.with_(merge_neighbours=False)
    try:
        plain, _ = retriever.search(QUESTIONS[0], "hybrid", 10, ranking)
    finally:
        retriever.config = engine.config
    assert [p.row for p in plain] == [row for row, _ in fused[:10]]
    merged, _ = retriever.search(QUESTIONS[0], "hybrid", 10, ranking)
    shown = {row for p in merged for row in p.rows}
    assert {p.row for p in plain[:3]} <= shown  # nothing ranked high is lost, only joined


def test_an_answer_from_a_merged_passage_quotes_it_and_the_reader_widens_it(engine):
    retriever = engine.snapshot.retriever
    joined = 0
    for question in QUESTIONS:
        answer = engine.ask(question)
        merged = [p for p in answer.passages if len(p.rows) > 1]
        joined += len(merged)
        for passage in merged:
            # its sentences are the member chunks' own sentence vectors
            for sentence, (row, index) in zip(passage.chunk.sentences, passage.sources()):
                own = retriever.chunk(row)
                text = passage.chunk.text[sentence.start : sentence.end]
                assert text == own.text[own.sentences[index].start : own.sentences[index].end]
            vectors, _ = retriever.version.sentences.of_chunks(np.array(passage.rows))
            assert len(vectors) >= len(passage.chunk.sentences)
            # the reader widens it by the chunks just outside it, not by its own members
            before, after = surrounding(retriever, passage.chunk)
            assert before or after
            document = match_key(units(load_document(BUNDLED_CORPUS / passage.chunk.doc))[0])
            for part in (*before.split(" … "), *after.split(" … ")):
                assert match_key(part) in document
            assert match_key(passage.chunk.text) not in match_key(before + after)
        for quote in answer.quotes:
            assert any(quote.text in p.chunk.text for p in answer.passages)
    assert joined  # the questions' answers do show joined passages


def test_a_chunk_bridging_two_passages_frees_a_place_for_the_next_best(engine):
    retriever = engine.snapshot.retriever
    run = [r for r in range(len(retriever.version.chunks) - 2) if _consecutive(retriever, r)][0]
    far = [r for r in range(0, len(retriever.version.chunks), 40) if abs(r - run) > 5][:3]
    a, b, c = far
    ranked = [(run, 0.9), (run + 2, 0.8), (a, 0.7), (b, 0.6), (run + 1, 0.5), (c, 0.4)]
    groups = retriever.group_neighbours(ranked, 3)
    # run + 1 overlaps both of the first two passages: they become one, and the third
    # place goes to b, ranked above c
    assert [sorted(rows) for rows, _ in groups] == [[run, run + 1, run + 2], [a], [b]]
    assert [score for _, score in groups] == [0.9, 0.7, 0.6]
    # the first passages are the same whatever the number asked for
    assert retriever.group_neighbours(ranked, 2) == groups[:2]


def _consecutive(retriever, row: int) -> bool:
    """Rows row, row + 1 and row + 2 are overlapping chunks of one section."""
    chunks = [retriever.chunk(r) for r in (row, row + 1, row + 2)]
    return all(retriever._overlapping(x, y) for x, y in zip(chunks, chunks[1:]))
