"""``curate report``: re-render a report.json, or write a dataset card from it."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands.options import EXIT_OK, command, say
from curate.io.outputs import check_outputs


@command()
@click.argument("report_path", metavar="REPORT.json", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "card"]),
    default="html",
    show_default=True,
    help="card: a Hugging Face dataset card (README.md with the Hub's metadata).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Output file (default: beside the report)."
)
def report(report_path: Path, fmt: str, out: Path | None) -> int:
    """Re-render a report.json as HTML or Markdown, or write a dataset card from it."""
    import jinja2

    from curate.errors import InputError
    from curate.io import write_text
    from curate.report import load_report

    if fmt == "card":
        target = out or report_path.parent / "README.md"
    else:
        target = out or report_path.with_suffix(".html" if fmt == "html" else ".md")
    check_outputs(inputs=[report_path], outputs={"--out": target})
    loaded = load_report(report_path)
    try:
        if fmt == "card":
            from curate.report.card import load_receipt_beside, render_card

            text = render_card(loaded, receipt=load_receipt_beside(report_path))
        else:
            text = loaded.to_html() if fmt == "html" else loaded.to_markdown()
    except (TypeError, ValueError, LookupError, AttributeError, jinja2.TemplateError) as exc:
        raise InputError(
            f"cannot render: a value has a type curate did not write ({type(exc).__name__});"
            " was the report edited?",
            path=report_path,
        ) from exc
    write_text(target, text)
    say(f"wrote {target}")
    return EXIT_OK
