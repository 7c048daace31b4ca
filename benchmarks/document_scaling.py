"""Reading and chunking time against document size: is it linear in the number of pages?

For each size, a PDF of that many pages of running Kazakh text (a running header, an
`N-бет` footer, a heading every few pages; tests/pdf_samples.py `make_long_pdf`) is read
(`load_documents`, as the indexer does: text layer, layout, page furniture) and chunked
(`chunk_document`, with a word-count token counter so no model is needed), each size in
its own process with a time limit. Time per page should stay flat as the size grows.

    python benchmarks/document_scaling.py --pages 100,500,1000,2000
    # another version of the code, e.g. the one before a change:
    git archive <commit> rag | tar -x -C /tmp/kazrag-before
    python benchmarks/document_scaling.py --code /tmp/kazrag-before --label before

Generated PDFs are kept in --work (default /tmp/kazrag-bench/pdf) for the next run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, announce, write_results


def _measure(pages: int, pdf: Path, code: str | None) -> dict:
    """One size, in this process: read, then chunk."""
    if code:  # an older checkout, from before the kazrag.* namespace (rag/ at its top)
        sys.path.insert(0, code)
        from rag.documents import load_documents

        from rag.chunking import chunk_document
        from rag.config import Config
    else:
        from kazrag.rag.chunking import chunk_document
        from kazrag.rag.config import Config
        from kazrag.rag.formats import load_documents

    started, cpu = time.perf_counter(), time.process_time()
    doc = load_documents(pdf)[0]  # as the indexer reads it (with its no-passages check)
    read, read_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    chunks = chunk_document(doc, Config(), lambda text: int(len(text.split()) * 1.6))
    chunk, chunk_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "pages": pages,
        "read_s": round(read, 2),
        "chunk_s": round(chunk, 2),
        "total_s": round(read + chunk, 2),
        # CPU seconds: what the machine's other load does not inflate
        "cpu_s": round(read_cpu + chunk_cpu, 2),
        "cpu_ms_per_page": round(1000 * (read_cpu + chunk_cpu) / pages, 1),
        "chunks": len(chunks),
        "characters": len(doc.source),
        "rag": str(Path(sys.modules[chunk_document.__module__].__file__).parent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="100,500,1000,2000")
    parser.add_argument(
        "--limit",
        type=float,
        default=600.0,
        help="wall seconds one size may take (making the PDF aside) before it is cut",
    )
    parser.add_argument("--code", default=None, help="a folder holding another rag/ package")
    parser.add_argument("--label", default="current")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kazrag-bench/pdf"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:  # the child process of one size
        print(json.dumps(_measure(args.one, args.work / f"long-{args.one}.pdf", args.code)))
        return

    machine = announce(f"document_scaling ({args.label})")
    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_samples import make_long_pdf

    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for pages in [int(p) for p in args.pages.split(",")]:
        pdf = args.work / f"long-{pages}.pdf"
        if not pdf.exists():
            started = time.perf_counter()
            make_long_pdf(pdf.with_suffix(".tmp"), pages).rename(pdf)
            print(f"  (made {pdf.name} in {time.perf_counter() - started:.0f} s)", flush=True)
        command = [sys.executable, __file__, "--one", str(pages), "--work", str(args.work)]
        if args.code:
            command += ["--code", args.code]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.limit, check=True
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            row = {"pages": pages, "total_s": None, "note": f"did not finish in {args.limit:.0f} s"}
        except subprocess.CalledProcessError as exc:
            row = {"pages": pages, "total_s": None, "note": exc.stderr.strip()[-300:]}
        row["wall_s"] = round(time.perf_counter() - started, 1)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    write_results(
        f"document_scaling_{args.label}", machine, {"label": args.label, "rows": rows}, args.out
    )


if __name__ == "__main__":
    main()
