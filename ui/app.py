"""kazrag's Gradio chat: ask in a browser, get quoted Kazakh answers with clickable sources.

    demo = build_app(engine, config)
    demo.launch()

The callbacks below only pass values between the page and the engine (`rag.engine.Kazrag`);
how an answer looks is in `ui.render`, the feedback log in `ui.feedback`.
"""

from pathlib import Path

import gradio as gr

from kazrag.errors import KazragError, QuestionError
from kazrag.rag import formats as document_formats
from kazrag.rag.config import BUNDLED_CORPUS, MODES, Config
from kazrag.rag.engine import Kazrag

from . import render
from .feedback import append_feedback

HEADER = """# kazrag
Ask about the documents in Kazakh, Russian or English. Answers quote the documents word for
word with [n] citations (open a source to read the passage), or say that the documents do
not answer."""

# Questions the bundled demo corpus answers (shown only when it is the corpus loaded).
BUNDLED_EXAMPLES = [
    "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?",
    "Заң бойынша қалыпты жұмыс аптасы ең көбі неше сағат болуы керек?",
    "Сколько ранних и принудительных браков заключается в Казахстане ежегодно?",
    "How many criminal cases of human trafficking did police investigate in 2016?",
]


def bundled_corpus_loaded(engine: Kazrag) -> bool:
    names = {p.name for p in BUNDLED_CORPUS.iterdir() if p.is_file()}
    return bool(names) and names <= set(engine.documents())


def build_app(engine: Kazrag, config: Config) -> gr.Blocks:
    feedback_path = config.resolved_feedback_path()

    def respond(question: str, history: list, mode: str, top_k: float):
        """Stream one answer into the chat: the question, then the answer as it is
        composed, then its sources."""
        try:
            engine.prepare(question)
        except QuestionError as exc:
            gr.Warning(str(exc))
            yield question, history
            return
        history = history + [render.user_message(question)]
        yield "", history
        try:
            answer = engine.ask(question, mode, int(top_k))
        except KazragError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        for messages in render.answer_stages(answer):
            yield "", history + messages

    def chat(question: str, mode: str = config.mode, top_k: int = config.top_k) -> str:
        """Answer a question: quoted sentences with [n] citations and the list of sources,
        or a message that the documents do not answer it."""
        try:
            return render.plain_answer(engine.ask(question, mode, int(top_k)))
        except KazragError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    def record_vote(history: list, vote: gr.LikeData):
        index = vote.index if isinstance(vote.index, int) else vote.index[0]
        question, answer, sources = render.feedback_turn(history, index)
        liked = vote.liked if isinstance(vote.liked, bool) else None  # "" = vote taken back
        append_feedback(feedback_path, question, answer, sources, liked)

    def add_documents(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        """Index uploaded files and return the updated documents table and corpus line."""
        if not files:
            return gr.skip(), gr.skip()
        try:
            report = engine.add_documents(
                [Path(f) for f in files], progress=lambda what, done: progress(done, desc=what)
            )
        except KazragError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        for problem in report.skipped:
            gr.Warning(f"Skipped {problem}")
        gr.Info(f"Index updated: {report.documents} documents, {report.chunks} passages.")
        documents = engine.documents()
        return render.documents_rows(documents), render.corpus_line(documents)

    with gr.Blocks(title="kazrag", analytics_enabled=False) as demo:
        gr.Markdown(HEADER)
        # callables: evaluated at each page load, so a reload shows documents added since
        corpus = gr.Markdown(lambda: render.corpus_line(engine.documents()), elem_id="corpus-line")

        with gr.Tab("Chat"):
            chatbot = gr.Chatbot(
                label="kazrag",
                height=560,
                elem_id="chat",
                latex_delimiters=[],  # "$" in a document is a dollar, not maths
                placeholder="Сұрағыңызды жазыңыз · Задайте вопрос · Ask a question",
            )
            question = gr.Textbox(
                show_label=False,
                submit_btn=True,
                elem_id="question",
                autofocus=True,
                placeholder="Мысалы: Полиция ұсталған адамды қанша сағат ұстай алады?",
            )
            with gr.Accordion("Settings", open=False):
                mode = gr.Radio(
                    list(MODES),
                    value=config.mode,
                    label="Retrieval mode",
                    info="hybrid = meaning + keywords; dense = meaning only; bm25 = keywords only",
                )
                top_k = gr.Slider(
                    1, config.max_top_k, value=config.top_k, step=1, label="Passages to retrieve"
                )
            if bundled_corpus_loaded(engine):
                gr.Examples(BUNDLED_EXAMPLES, inputs=question, label="Example questions")

        with gr.Tab("Documents"):
            table = gr.Dataframe(
                lambda: render.documents_rows(engine.documents()),
                headers=["Document", "Format", "Passages"],
                interactive=False,
                elem_id="documents",
            )
            upload = gr.File(
                label="Add documents to the index",
                file_count="multiple",
                elem_id="upload",
                file_types=sorted(document_formats.SUPPORTED_SUFFIXES),
            )

        question.submit(
            respond,
            [question, chatbot, mode, top_k],
            [question, chatbot],
            api_name="respond",
            api_visibility="undocumented",
            concurrency_limit=config.concurrent_answers,
            concurrency_id="answer",
        )
        chatbot.like(record_vote, chatbot, None, api_visibility="private")
        # progress and errors on the upload box (the table stays readable meanwhile), which
        # is emptied afterwards, failed or not, ready for the next files
        upload.upload(
            add_documents,
            upload,
            [table, corpus],
            api_name="add_documents",
            show_progress_on=upload,
        ).then(lambda: None, None, upload, api_visibility="private")
        gr.api(
            chat,
            api_name="chat",
            concurrency_limit=config.concurrent_answers,
            concurrency_id="answer",
        )
    return demo
