"""Reading and chunking time against document size: is it linear, for long PDFs and for a
Word file of millions of tiny paragraphs?

Two kinds of documents, each size read in its own process with a time limit:
- `pdf-N`: a PDF of N pages of running Kazakh text (a running header, an `N-бет` footer, a
  heading every few pages; tests/pdf_samples.py `make_long_pdf`);
- `docx-N`: a .docx of N one-line paragraphs with a heading every 1,000 (the probe's 255 KB
  file of 2,000,000 paragraphs; tests/docx_samples.py `make_many_paragraph_docx`).

Each is read as the indexer reads it (`read_indexable`: the text, the layout, the check that it
gives passages) and chunked (`chunk_document`, with a word-count token counter so no model is
needed). Time per page or paragraph should stay flat as the size grows. The operator limits
(`Config.max_*`) are off here unless `--limits default`, which times how soon a document over
them is refused.

    python benchmarks/pathological_documents.py --pages 100,500,1000,2000 --docx 10000,100000,2000000
    # another version of the code, e.g. the one before a change:
    git archive <commit> rag | tar -x -C /tmp/kazrag-before
    python benchmarks/pathological_documents.py --code /tmp/kazrag-before --label before

Generated files are kept in --work (default /tmp/kazrag-bench) for the next run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, announce, write_results


def _readers(code: str | None, limits: str):
    """(read one file -> documents, chunk one document, label of the code measured)."""
    if code:  # an older checkout, from before the kazrag.* namespace (rag/ at its top)
        sys.path.insert(0, code)
        from rag.documents import load_documents

        from rag.chunking import chunk_document
        from rag.config import Config

        return load_documents, lambda doc: chunk_document(doc, Config(), _tokens)
    from kazrag.rag.chunking import chunk_document
    from kazrag.rag.config import DOCUMENT_LIMITS, Config
    from kazrag.rag.indexing import read_indexable

    config = Config() if limits == "default" else Config(**dict.fromkeys(DOCUMENT_LIMITS, 0))
    return (
        lambda path: read_indexable(path, config),
        lambda doc: chunk_document(doc, config, _tokens),
    )


def _tokens(text: str) -> int:
    return int(len(text.split()) * 1.6)


def _measure(kind: str, size: int, path: Path, code: str | None, limits: str) -> dict:
    """One document, in this process: read, then chunk."""
    read_file, chunk = _readers(code, limits)
    row: dict = {"kind": kind, "size": size, "file_bytes": path.stat().st_size}
    started, cpu = time.perf_counter(), time.process_time()
    try:
        doc = read_file(path)[0]
    except Exception as exc:  # noqa: BLE001 - a refusal (a limit) is a result here
        row.update(
            refused=str(exc)[:300],
            read_s=round(time.perf_counter() - started, 2),
            cpu_s=round(time.process_time() - cpu, 2),
        )
        return row
    read, read_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    chunks = chunk(doc)
    done, chunk_cpu = time.perf_counter() - started, time.process_time() - cpu
    row.update(
        read_s=round(read, 2),
        chunk_s=round(done, 2),
        total_s=round(read + done, 2),
        # CPU seconds: what the machine's other load does not inflate
        cpu_s=round(read_cpu + chunk_cpu, 2),
        cpu_us_per_unit=round(1e6 * (read_cpu + chunk_cpu) / size, 1),
        chunks=len(chunks),
        characters=len(doc.source),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    return row


def _make(kind: str, size: int, work: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    path = work / f"{kind}-{size}.{kind}"
    if path.exists():
        return path
    started = time.perf_counter()
    tmp = path.with_suffix(f".tmp.{kind}")
    if kind == "pdf":
        from pdf_samples import make_long_pdf

        make_long_pdf(tmp, size)
    else:
        from docx_samples import make_many_paragraph_docx

        make_many_paragraph_docx(tmp, size)
    tmp.rename(path)
    print(f"  (made {path.name} in {time.perf_counter() - started:.0f} s)", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="100,500,1000,2000", help="PDF sizes ('' for none)")
    parser.add_argument("--docx", default="10000,100000,2000000", help="paragraph counts")
    parser.add_argument(
        "--limit",
        type=float,
        default=600.0,
        help="wall seconds one document may take (making it aside) before it is cut",
    )
    parser.add_argument("--limits", choices=("off", "default"), default="off")
    parser.add_argument("--code", default=None, help="a folder holding another rag/ package")
    parser.add_argument("--label", default="current")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kazrag-bench"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # "kind:size"
    args = parser.parse_args()
    if args.one is not None:  # the child process of one document
        kind, size = args.one.split(":")
        path = args.work / f"{kind}-{size}.{kind}"
        print(json.dumps(_measure(kind, int(size), path, args.code, args.limits)))
        return

    machine = announce(f"pathological_documents ({args.label})")
    args.work.mkdir(parents=True, exist_ok=True)
    cases = [("pdf", int(n)) for n in args.pages.split(",") if n] + [
        ("docx", int(n)) for n in args.docx.split(",") if n
    ]
    rows = []
    for kind, size in cases:
        _make(kind, size, args.work)
        command = [sys.executable, __file__, "--one", f"{kind}:{size}", "--work", str(args.work)]
        command += ["--limits", args.limits] + (["--code", args.code] if args.code else [])
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.limit, check=True
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            row = {"kind": kind, "size": size, "note": f"did not finish in {args.limit:.0f} s"}
        except subprocess.CalledProcessError as exc:
            row = {"kind": kind, "size": size, "note": exc.stderr.strip()[-300:]}
        row["wall_s"] = round(time.perf_counter() - started, 1)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    results = {"label": args.label, "limits": args.limits, "rows": rows}
    write_results(f"pathological_documents_{args.label}", machine, results, args.out)


if __name__ == "__main__":
    main()
