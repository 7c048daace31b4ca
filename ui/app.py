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
from kazrag.rag.followup import questions_in

from . import api, i18n, reader, render, uploads
from .feedback import AnswerLog, append_feedback
from .uploads import CorpusAccess

# The documents table on a phone (390 px): the names wrap, the two number columns stay in view.
# Example questions are shown whole, wrapped on as many lines as they need.
DOCUMENTS_CSS = """
#documents table { table-layout: fixed; width: 100%; }
#documents td, #documents th { overflow-wrap: anywhere; }
.example-question { white-space: normal !important; text-align: left; height: auto; }
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


def document_headers(lang: str) -> list[str]:
    return [i18n.text(lang, key) for key in ("col_document", "col_format", "col_passages")]


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

    def respond(
        question: str,
        history: list,
        mode: str,
        top_k: float,
        cited: dict | None = None,
        asked: str | None = None,
    ):
        """Stream one answer into the chat: the question, then the answer as it is
        composed, then its sources; `cited` (the session's) keeps what the reader shows for
        each source box, `asked` the last question as it was searched, which a follow-up
        (`Ал 2016 жылы ше?`) is read with while the chat still shows it."""
        cited = cited if isinstance(cited, dict) else {}
        previous = asked if isinstance(asked, str) and history else None
        try:
            question = api.question_of(question)
            _, lang, _ = engine.prepare(question)
        except QuestionError as exc:
            gr.Warning(str(exc))
            yield question, history, cited, asked
            return
        try:
            mode = api.mode_of(mode, config)
        except ConfigError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        history = history + [render.user_message(question)]
        yield "", history, cited, asked
        if mode == "bm25" and lang == "en":  # keywords cannot meet across languages: say why
            said = {"role": "assistant", "content": i18n.text(lang, "bm25_english")}
            yield "", history + [said], cited, asked
            return
        snapshot = engine.snapshot  # the reader widens passages from the answer's version
        # several questions in one message are answered one after another, each after the
        # one before it (`Бокаев кім? Оған қандай жаза берілді?`: the second is a follow-up)
        parts = questions_in(question, config.max_questions_per_message)
        for part in parts:
            try:
                answer = engine.ask(part, mode, api.top_k_of(top_k, config), previous)
            except KazragError as exc:
                raise gr.Error(str(exc), print_exception=False) from exc
            previous = answer.searched or previous
            note = None
            if mode != config.mode:  # an answer from one side of the search only: say which
                note = i18n.text(answer.lang, "mode_only", mode=i18n.mode_name(answer.lang, mode))
            boxes = render.source_messages(answer)
            for box, (passage, quotes) in zip(boxes, render.cited_passages(answer)):
                cited[reader.key_of(box)] = reader.reader_text(passage, quotes, snapshot.retriever)
            while len(cited) > config.reader_sources_kept:  # the oldest first (dicts keep order)
                del cited[next(iter(cited))]
            heading = part if len(parts) > 1 else None
            for messages in render.answer_stages(answer, note, boxes, heading):
                yield "", history + messages, cited, previous
            given, text, _ = render.feedback_turn(history + messages, len(history))
            answers_given.remember(given, text)  # a vote is taken for this answer only
            history = history + messages

    def chat(
        question: str = "", mode: str = config.mode, top_k: int = config.top_k, previous: str = ""
    ) -> str:
        """Answer a question: quoted sentences with [n] citations and the list of sources,
        or a message that the documents do not answer it. `previous`: the question asked
        before it, which a follow-up (`Ал 2016 жылы ше?`) is read with."""
        try:
            answer = engine.ask(
                api.question_of(question),
                api.mode_of(mode, config),
                api.top_k_of(top_k, config),
                api.question_of(previous) or None,
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

    def follow(job: uploads.UploadJob, progress: gr.Progress, lang: str):
        for state in job.follow():
            progress(state.fraction, desc=state.text_in(i18n.lang_of(lang)))
        documents = engine.documents()
        line = render.corpus_line(documents, lang=i18n.lang_of(lang))
        return render.documents_rows(documents), line, job.outcome_in(i18n.lang_of(lang))

    def add_documents(
        files: list[str] | None,
        password: str | None = None,
        lang: str = "en",
        progress=gr.Progress(),  # noqa: B008 - Gradio's idiom
    ):
        """Index uploaded files (in the background, after the uploads before them); returns
        the documents table, the corpus line and what was added or not, and why."""
        if not files:
            return gr.skip(), gr.skip(), gr.skip()
        paths = [Path(f) for f in files]
        try:
            access.check(password)
        except AccessError as exc:
            indexer.discard(paths)
            raise gr.Error(i18n.said(lang, exc), print_exception=False) from exc
        job = indexer.add(paths)
        if job is None:  # all given already, with the upload that is being indexed
            return gr.skip(), gr.skip(), gr.skip()
        return follow(job, progress, lang)

    def remove_document(
        name: str | None,
        password: str | None = None,
        lang: str = "en",
        progress=gr.Progress(),  # noqa: B008
    ):
        """Remove an indexed document by its name; returns the same as add_documents."""
        try:
            access.check(password)
        except AccessError as exc:
            raise gr.Error(i18n.said(lang, exc), print_exception=False) from exc
        if not isinstance(name, str) or not name:
            return gr.skip(), gr.skip(), i18n.text(lang, "choose_to_remove")
        return follow(indexer.remove(name), progress, lang)

    def open_reader(history: list, cited: dict, lang: str, selected: gr.SelectData):
        """A click on a source box (or on an answer: its first source) opens the reader on
        that passage in its document."""
        index = selected.index if isinstance(selected.index, int) else selected.index[0]
        box = reader.source_box(history, index)
        if box is None:
            return gr.skip(), gr.skip()
        text = (cited or {}).get(reader.key_of(box)) or i18n.text(lang, "reader_gone")
        return gr.Column(visible=True), text

    def document_choices():
        """The Remove list after a change from this page, and the version the page now shows
        (so the refresh timer has nothing to send for it)."""
        snapshot = engine.snapshot
        documents = sorted(snapshot.version.manifest["documents"])
        return gr.Dropdown(choices=documents, value=None), snapshot.version.id

    def documents_now(lang: str, shown: str | None):
        """The table, corpus line and Remove list of the index version the engine answers
        from now, if the page shows another (a `kazrag index add` or another server's
        upload meanwhile); nothing to send when it is the same (each open page asks)."""
        version = engine.snapshot.version
        if version.id == shown:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        lang = i18n.lang_of(lang)
        documents = dict(version.manifest["documents"])
        return (
            gr.Dataframe(render.documents_rows(documents), headers=document_headers(lang)),
            render.corpus_line(documents, lang=lang),
            gr.Dropdown(choices=sorted(documents)),
            version.id,
        )

    # uploads are deleted once indexed; one never given to add_documents, after an hour
    with api.Blocks(
        title="kazrag",
        analytics_enabled=False,
        delete_cache=(config.stray_upload_seconds, config.stray_upload_seconds),
    ) as demo:
        # the page speaks English until it loads, then the browser's language (API calls: English)
        with gr.Row(equal_height=True):
            header = gr.Markdown(i18n.text(i18n.DEFAULT, "header"), elem_id="header")
            language = gr.Radio(
                [(name, code) for code, name in i18n.NAMES.items()],
                value=i18n.DEFAULT,
                label=i18n.text(i18n.DEFAULT, "language"),
                elem_id="language",
                scale=0,
                min_width=260,
            )
        # filled at each page load in the page's language (`relabel`), so a reload shows
        # documents added since
        corpus = gr.Markdown(elem_id="corpus-line")

        with gr.Tab(i18n.text(i18n.DEFAULT, "tab_chat"), elem_id="tab-chat") as chat_tab:
            # the reader opens beside the chat (below it on a phone) when a source is clicked
            with gr.Row():
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        label="kazrag",
                        height=560,
                        elem_id="chat",
                        latex_delimiters=[],  # "$" in a document is a dollar, not maths
                        placeholder=i18n.text(i18n.DEFAULT, "chat_placeholder"),
                    )
                    question = gr.Textbox(
                        show_label=False,
                        submit_btn=True,
                        elem_id="question",
                        autofocus=True,
                        placeholder=i18n.text(i18n.DEFAULT, "question_placeholder"),
                    )
                    with gr.Accordion(
                        i18n.text(i18n.DEFAULT, "settings"), open=False, elem_id="settings"
                    ) as settings:
                        mode = gr.Radio(
                            list(MODES),
                            value=config.mode,
                            label=i18n.text(i18n.DEFAULT, "mode_label"),
                            elem_id="mode",
                            info=i18n.text(i18n.DEFAULT, "mode_info"),
                        )
                        top_k = gr.Slider(
                            1,
                            config.max_top_k,
                            value=config.top_k,
                            step=1,
                            label=i18n.text(i18n.DEFAULT, "top_k_label"),
                        )
                    # example questions as buttons: shown whole, and a click asks the question
                    show_examples = bundled_corpus_loaded(engine)
                    examples_heading = gr.Markdown(
                        i18n.text(i18n.DEFAULT, "examples"), visible=show_examples
                    )
                    examples = [
                        gr.Button(
                            q, size="sm", variant="secondary", elem_classes="example-question"
                        )
                        for q in (BUNDLED_EXAMPLES if show_examples else [])
                    ]
                with gr.Column(
                    scale=2, min_width=320, visible=False, elem_id="reader"
                ) as reader_panel:
                    with gr.Row():
                        reader_heading = gr.Markdown(
                            "### " + i18n.text(i18n.DEFAULT, "reader"), elem_id="reader-heading"
                        )
                        reader_close = gr.Button(
                            i18n.text(i18n.DEFAULT, "reader_close"),
                            size="sm",
                            scale=0,
                            min_width=80,
                            elem_id="reader-close",
                        )
                    reader_view = gr.Markdown(elem_id="reader-text", latex_delimiters=[])
            cited = gr.State({})  # what the reader shows for each source box of this session
            asked = gr.State(None)  # the last question as searched: a follow-up's context

        with gr.Tab(
            i18n.text(i18n.DEFAULT, "tab_documents"), elem_id="tab-documents"
        ) as documents_tab:
            table = gr.Dataframe(
                headers=document_headers(i18n.DEFAULT),
                interactive=False,
                wrap=True,  # long names wrap: the table fits a phone's width
                column_widths=["64%", "18%", "18%"],
                elem_id="documents",
            )
            # one line saying what the last change did, replaced by the next (no toasts)
            outcome = gr.Textbox(
                label=i18n.text(i18n.DEFAULT, "outcome"),
                interactive=False,
                elem_id="documents-outcome",
                max_lines=12,
            )
            with gr.Group(visible=access.editable):
                password = gr.Textbox(
                    label=i18n.text(i18n.DEFAULT, "password"),
                    type="password",
                    visible=access.needs_password,
                    elem_id="admin-password",
                )
                # any file is taken: kazrag names what it cannot read and why (.doc too)
                upload = gr.File(
                    label=i18n.text(i18n.DEFAULT, "upload"),
                    file_count="multiple",
                    elem_id="upload",
                )
                with gr.Row():
                    # any name is taken (remove_document checks it): the choices are the
                    # page's, and a document added since the page was built is removable too
                    remove_choice = gr.Dropdown(
                        choices=sorted(engine.documents()),
                        value=None,
                        allow_custom_value=True,
                        label=i18n.text(i18n.DEFAULT, "remove_label"),
                        elem_id="remove-choice",
                        scale=3,
                    )
                    remove_button = gr.Button(
                        i18n.text(i18n.DEFAULT, "remove_button"),
                        elem_id="remove",
                        scale=1,
                        min_width=80,
                    )
            read_only = gr.Markdown(
                i18n.text(i18n.DEFAULT, "read_only"), visible=not access.editable
            )
            # the index version the Documents tab shows; while the tab is open, a timer asks
            # whether the engine has switched to another since
            shown_version = gr.State(None)
            refresh = gr.Timer(config.page_refresh_seconds or 1, active=False)

        def relabel(lang: str) -> list:
            """Every label of the page in `lang` (the order of `relabelled`)."""
            lang = i18n.lang_of(lang)
            words = i18n.TEXTS[lang]
            return [
                gr.Markdown(words["header"]),
                gr.Radio(label=words["language"]),
                render.corpus_line(engine.documents(), lang=lang),
                gr.Tab(label=words["tab_chat"]),
                gr.Chatbot(placeholder=words["chat_placeholder"]),
                gr.Textbox(placeholder=words["question_placeholder"]),
                gr.Accordion(label=words["settings"]),
                gr.Radio(label=words["mode_label"], info=words["mode_info"]),
                gr.Slider(label=words["top_k_label"]),
                gr.Markdown(words["examples"]),
                gr.Markdown("### " + words["reader"]),
                gr.Button(words["reader_close"]),
                gr.Tab(label=words["tab_documents"]),
                gr.Dataframe(
                    render.documents_rows(engine.documents()), headers=document_headers(lang)
                ),
                gr.Textbox(label=words["outcome"]),
                gr.Textbox(label=words["password"]),
                gr.File(label=words["upload"]),
                gr.Dropdown(label=words["remove_label"]),
                gr.Button(words["remove_button"]),
                gr.Markdown(words["read_only"]),
            ]

        relabelled = [
            header,
            language,
            corpus,
            chat_tab,
            chatbot,
            question,
            settings,
            mode,
            top_k,
            examples_heading,
            reader_heading,
            reader_close,
            documents_tab,
            table,
            outcome,
            password,
            upload,
            remove_choice,
            remove_button,
            read_only,
        ]

        def browser_language(request: gr.Request) -> list:
            lang = i18n.from_browser(request.headers.get("accept-language"))
            return [lang] + relabel(lang)

        demo.load(browser_language, None, [language] + relabelled, api_visibility="private")
        language.input(relabel, language, relabelled, api_visibility="private")

        shown_documents = [table, corpus, remove_choice, shown_version]
        documents_tab.select(
            documents_now, [language, shown_version], shown_documents, api_visibility="private"
        ).then(
            lambda: gr.Timer(active=config.page_refresh_seconds > 0),
            None,
            refresh,
            api_visibility="private",
        )
        chat_tab.select(lambda: gr.Timer(active=False), None, refresh, api_visibility="private")
        refresh.tick(
            documents_now,
            [language, shown_version],
            shown_documents,
            api_visibility="private",
            concurrency_limit=None,  # a comparison of two ids: no worker held for it
        )

        question.submit(
            respond,
            [question, chatbot, mode, top_k, cited, asked],
            [question, chatbot, cited, asked],
            api_name="respond",
            api_visibility="undocumented",
            concurrency_limit=config.concurrent_answers,
            concurrency_id="answer",
        )
        for example in examples:  # the button's own text is the question it asks
            example.click(
                respond,
                [example, chatbot, mode, top_k, cited, asked],
                [question, chatbot, cited, asked],
                api_visibility="private",
                concurrency_limit=config.concurrent_answers,
                concurrency_id="answer",
            )
        chatbot.like(record_vote, chatbot, None, api_visibility="private")
        chatbot.select(
            open_reader,
            [chatbot, cited, language],
            [reader_panel, reader_view],
            api_visibility="private",
        )
        reader_close.click(
            lambda: gr.Column(visible=False), None, reader_panel, api_visibility="private"
        )
        # progress on the upload box (the table stays readable meanwhile), which is emptied
        # afterwards, failed or not, ready for the next files
        upload.upload(
            add_documents,
            [upload, password, language],
            [table, corpus, outcome],
            api_name="add_documents",
            show_progress_on=upload,
            concurrency_limit=None,  # each waits for its job; the indexer takes one at a time
            # a file dropped while the one before is indexed is an upload of its own (the
            # default, "once", would drop it, and the box is then emptied)
            trigger_mode="multiple",
        ).then(lambda: None, None, upload, api_visibility="private").then(
            document_choices, None, [remove_choice, shown_version], api_visibility="private"
        )
        remove_button.click(
            remove_document,
            [remove_choice, password, language],
            [table, corpus, outcome],
            api_name="remove_document",
            show_progress_on=remove_button,
            concurrency_limit=None,
        ).then(document_choices, None, [remove_choice, shown_version], api_visibility="private")
        gr.api(
            chat,
            api_name="chat",
            concurrency_limit=config.concurrent_answers,
            concurrency_id="answer",
        )
    return demo
