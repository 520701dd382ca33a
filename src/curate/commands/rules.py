"""``curate rules``: validate or show rules files."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands.options import EXIT_OK, EXIT_USAGE, command, say
from curate.progress import is_quiet


@click.group()
def rules() -> None:
    """Validate or show rules files."""


@command(rules, "validate")
@click.argument("path", type=click.Path(path_type=Path))
def rules_validate(path: Path) -> int:
    """Check a rules file: every unknown key, check id, metric, bad value and PII entity, each
    on its own line with its file and line; and that the gate's required checks run or are waived."""
    from curate.rules.loader import validate_rules
    from curate.rules.required import how_to_waive

    ruleset, problems = validate_rules(path)
    if ruleset is None:
        for problem in problems:
            click.echo(f"curate: error: {problem}", err=True)
        return EXIT_USAGE
    missing = ruleset.unmet(has_splits=ruleset.columns.split is not None)
    if missing:
        click.echo(f"curate: error: {path}: {how_to_waive(missing)}", err=True)
        return EXIT_USAGE
    waived = f"; waived: {', '.join(ruleset.waived)}" if ruleset.waived else ""
    if not is_quiet():
        click.echo(
            f"{path}: valid ({len(ruleset.checks)} checks: "
            f"{', '.join(c.id for c in ruleset.checks)}{waived})"
        )
    if ruleset.unmet(has_splits=True):
        say("note: data with splits also needs dedup.cross_split (or its waiver)")
    return EXIT_OK


@command(rules, "show")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def rules_show(path: Path | None) -> int:
    """Print a rules file (the default when none is given) and the checks curate knows."""
    from curate.checks import registered
    from curate.rules import default_rules_path, load_rules

    source = path or default_rules_path()
    load_rules(source)
    click.echo(source.read_text(encoding="utf-8"), nl=False)
    click.echo("\n# checks curate knows: " + ", ".join(registered()))
    return EXIT_OK
