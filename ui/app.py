"""kazrag's Gradio chat: ask in a browser, get quoted Kazakh answers with clickable sources.

    demo = build_app(engine, config)
    demo.launch()

The callbacks below only pass values between the page and the engine (`rag.engine.Kazrag`);
how an answer looks is in `ui.render`, the feedback log in `ui.feedback`.
"""

from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from kazrag.errors import AccessError, ConfigError, FeedbackError, KazragError, QuestionError
from kazrag.rag.config import BUNDLED_CORPUS, MODES, Config
from kazrag.rag.engine import Kazrag

from . import api, i18n, render, uploads
from .feedback import AnswerLog, append_feedback
from .uploads import CorpusAccess

HEADER = """# kazrag
Ask about the documents in Kazakh, Russian or English. Answers quote the documents word for
word with [n] citations (open a source to read the passage), or say that the documents do
not answer."""

# The documents table on a phone (390 px): the names wrap, the two number columns stay in view.
DOCUMENTS_CSS = """
#documents table { table-layout: fixed; width: 100%; }
#documents td, #documents th { overflow-wrap: anywhere; }
"""

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


def launch_options(config: Config) -> dict:
    """What `demo.launch` needs from the Config: the sessions kept, the largest upload."""
    return {
        "state_session_capacity": config.max_sessions,
        "max_file_size": config.max_upload_bytes,
        "css": DOCUMENTS_CSS,
    }


def build_app(engine: Kazrag, config: Config, access: CorpusAccess | None = None) -> gr.Blocks:
    """The chat around `engine`; `access` says whether the web may change the corpus
    (default: yes, as for a server on 127.0.0.1). Launch it with `launch_options(config)`."""
    access = access or CorpusAccess(editable=True)
    feedback_path = config.resolved_feedback_path()
    answers_given = AnswerLog(config.feedback_answers_kept)
    indexer = uploads.UploadIndexer(engine, Path(get_upload_folder()))

    def respond(question: str, history: list, mode: str, top_k: float):
        """Stream one answer into the chat: the question, then the answer as it is
        composed, then its sources."""
        try:
            question = api.question_of(question)
            _, lang, _ = engine.prepare(question)
        except QuestionError as exc:
            gr.Warning(str(exc))
            yield question, history
            return
        try:
            mode = api.mode_of(mode, config)
        except ConfigError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        history = history + [render.user_message(question)]
        yield "", history
        if mode == "bm25" and lang == "en":  # keywords cannot meet across languages: say why
            yield "", history + [{"role": "assistant", "content": i18n.text(lang, "bm25_english")}]
            return
        try:
            answer = engine.ask(question, mode, api.top_k_of(top_k, config))
        except KazragError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        note = None
        if mode != config.mode:  # an answer from one side of the search only: say which
            note = i18n.text(answer.lang, "mode_only", mode=i18n.mode_name(answer.lang, mode))
        for messages in render.answer_stages(answer, note):
            yield "", history + messages
        given, text, _ = render.feedback_turn(history + messages, len(history))
        answers_given.remember(given, text)  # a vote is taken for this answer only

    def chat(question: str = "", mode: str = config.mode, top_k: int = config.top_k) -> str:
        """Answer a question: quoted sentences with [n] citations and the list of sources,
        or a message that the documents do not answer it."""
        try:
            answer = engine.ask(
                api.question_of(question), api.mode_of(mode, config), api.top_k_of(top_k, config)
            )
            return render.plain_answer(answer)
        except KazragError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    def record_vote(history: list, vote: gr.LikeData):
        index = vote.index if isinstance(vote.index, int) else vote.index[0]
        try:
            question, answer, sources = render.feedback_turn(history, index)
            if not answers_given.gave(question, answer):
                raise FeedbackError("This vote is not recorded: this server gave no such answer.")
            liked = vote.liked if isinstance(vote.liked, bool) else None  # "" = vote taken back
            append_feedback(
                feedback_path, question, answer, sources, liked, config.max_feedback_bytes
            )
        except (KazragError, LookupError, TypeError, AttributeError) as exc:
            # a history that is not one this page shows: a forged call, answered in a line
            message = str(exc) if isinstance(exc, KazragError) else "This vote is not recorded."
            raise gr.Error(message, print_exception=False) from None

    def follow(job: uploads.UploadJob, progress: gr.Progress):
        for state in job.follow():
            progress(state.fraction, desc=state.text)
        documents = engine.documents()
        return render.documents_rows(documents), render.corpus_line(documents), job.outcome

    def add_documents(files: list[str] | None, password: str | None = None, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        """Index uploaded files (in the background, after the uploads before them); returns
        the documents table, the corpus line and what was added or not, and why."""
        if not files:
            return gr.skip(), gr.skip(), gr.skip()
        paths = [Path(f) for f in files]
        try:
            access.check(password)
        except AccessError as exc:
            indexer.discard(paths)
            raise gr.Error(str(exc), print_exception=False) from exc
        return follow(indexer.add(paths), progress)

    def remove_document(name: str | None, password: str | None = None, progress=gr.Progress()):  # noqa: B008
        """Remove an indexed document by its name; returns the same as add_documents."""
        try:
            access.check(password)
        except AccessError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        if not isinstance(name, str) or not name:
            return gr.skip(), gr.skip(), "Choose the document to remove."
        return follow(indexer.remove(name), progress)

    def document_choices():
        return gr.Dropdown(choices=sorted(engine.documents()), value=None)

    # uploads are deleted once indexed; one never given to add_documents, after an hour
    with api.Blocks(
        title="kazrag",
        analytics_enabled=False,
        delete_cache=(config.stray_upload_seconds, config.stray_upload_seconds),
    ) as demo:
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
            with gr.Accordion("Settings", open=False, elem_id="settings"):
                mode = gr.Radio(
                    list(MODES),
                    value=config.mode,
                    label="Retrieval mode",
                    elem_id="mode",
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
                wrap=True,  # long names wrap: the table fits a phone's width
                column_widths=["64%", "18%", "18%"],
                elem_id="documents",
            )
            # one line saying what the last change did, replaced by the next (no toasts)
            outcome = gr.Textbox(
                label="Last change", interactive=False, elem_id="documents-outcome", max_lines=12
            )
            with gr.Group(visible=access.editable):
                password = gr.Textbox(
                    label="Admin password",
                    type="password",
                    visible=access.needs_password,
                    elem_id="admin-password",
                )
                # any file is taken: kazrag names what it cannot read and why (.doc too)
                upload = gr.File(
                    label="Add documents: .txt .md .pdf .docx .jsonl",
                    file_count="multiple",
                    elem_id="upload",
                )
                with gr.Row():
                    remove_choice = gr.Dropdown(
                        choices=sorted(engine.documents()),
                        value=None,
                        label="Remove a document",
                        elem_id="remove-choice",
                        scale=3,
                    )
                    remove_button = gr.Button("Remove", elem_id="remove", scale=1, min_width=80)
            if not access.editable:
                gr.Markdown(access.description[0].upper() + access.description[1:] + ".")

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
        # progress on the upload box (the table stays readable meanwhile), which is emptied
        # afterwards, failed or not, ready for the next files
        upload.upload(
            add_documents,
            [upload, password],
            [table, corpus, outcome],
            api_name="add_documents",
            show_progress_on=upload,
            concurrency_limit=None,  # each waits for its job; the indexer takes one at a time
        ).then(lambda: None, None, upload, api_visibility="private").then(
            document_choices, None, remove_choice, api_visibility="private"
        )
        remove_button.click(
            remove_document,
            [remove_choice, password],
            [table, corpus, outcome],
            api_name="remove_document",
            show_progress_on=remove_button,
            concurrency_limit=None,
        ).then(document_choices, None, remove_choice, api_visibility="private")
        gr.api(
            chat,
            api_name="chat",
            concurrency_limit=config.concurrent_answers,
            concurrency_id="answer",
        )
    return demo
