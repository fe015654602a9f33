"""`flask translate ...`: per-feature catalogues, extracted, updated, compiled, checked.

A feature ``webapp/<name>/`` that has a ``translations/`` folder owns the strings of its
Python modules and of ``webapp/templates/<name>/``; ``webapp/translations`` owns the
rest (base layout, errors, login). Flask-Babel merges all catalogues at run time.
"""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

WEBAPP = Path(__file__).resolve().parent
LOCALES = ("it",)
# Flask-Babel merges the catalogues into one, which counts plurals by a single rule: each
# catalogue is written for it (Babel's own Italian rule has a third form, for millions:
# under the merged rule that form showed for every plural, "6 di persone trovate").
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "pgettext": ((1, "c"), 2),
    "lazy_ngettext": (1, 2),
}

translate_cli = AppGroup("translate", help="Extract, update, compile and check translations.")


def _features() -> list[Path]:
    return sorted(p.parent for p in WEBAPP.glob("*/translations") if p.is_dir())


def _sources(owner: Path) -> list[Path]:
    if owner == WEBAPP:
        owned = {f.name for f in _features()}
        py = [p for p in WEBAPP.rglob("*.py") if p.relative_to(WEBAPP).parts[0] not in owned]
        html = [
            p
            for p in (WEBAPP / "templates").rglob("*.html")
            if p.relative_to(WEBAPP / "templates").parts[0] not in owned
        ]
        return sorted(py + html)
    return sorted(
        list(owner.rglob("*.py")) + list((WEBAPP / "templates" / owner.name).rglob("*.html"))
    )


def extract(owner: Path) -> Catalog:
    catalog = Catalog(project="Ponte", charset="utf-8")
    for path in _sources(owner):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(
                message,
                None,
                [(str(path.relative_to(WEBAPP.parent)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _po_path(owner: Path, locale: str) -> Path:
    return owner / "translations" / locale / "LC_MESSAGES" / "messages.po"


def owners() -> list[Path]:
    return [WEBAPP, *_features()]


def update_all() -> None:
    for owner in owners():
        template = extract(owner)
        for locale in LOCALES:
            path = _po_path(owner, locale)
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
                catalog.update(template, no_fuzzy_matching=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                catalog = Catalog(locale=locale, project="Ponte", charset="utf-8")
                catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS)]
                catalog.update(template, no_fuzzy_matching=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)


def compile_all() -> int:
    count = 0
    for owner in owners():
        for locale in LOCALES:
            po = _po_path(owner, locale)
            if not po.exists():
                continue
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog)
            count += 1
    return count


def plural_forms(path: Path) -> str:
    """The catalogue's rule for plurals, as its header writes it."""
    with path.open("rb") as fh:
        return str(read_po(fh).plural_forms)


def translated_ids(path: Path, locale: str) -> set[str]:
    """Message ids the catalogue at ``path`` translates in full (not fuzzy)."""
    out = set()
    with path.open("rb") as fh:
        for msg in read_po(fh, locale=locale):
            # A plural entry's string is a tuple: every form must be filled in (a tuple
            # of empty strings is truthy).
            forms = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            if msg.id and all(forms) and not msg.fuzzy:
                out.add(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out


def missing(locale: str = "it") -> list[tuple[str, str]]:
    """Strings used in the code with no translation in any catalogue: (msgid, where)."""
    translated: set[str] = set()
    for owner in owners():
        path = _po_path(owner, locale)
        if path.exists():
            translated |= translated_ids(path, locale)
    gaps = []
    for owner in owners():
        for msg in extract(owner):
            key = msg.id if isinstance(msg.id, str) else msg.id[0]
            if msg.id and key not in translated:
                gaps.append((key, msg.locations[0][0] if msg.locations else "?"))
    return gaps


@translate_cli.command("update")
def update_cmd() -> None:
    """Extract strings and update every feature's Italian catalogue."""
    update_all()
    click.echo(
        "Updated catalogues: " + ", ".join(str(o.relative_to(WEBAPP.parent)) for o in owners())
    )


@translate_cli.command("compile")
def compile_cmd() -> None:
    click.echo(f"Compiled {compile_all()} catalogues.")


@translate_cli.command("check")
def check_cmd() -> None:
    gaps = missing()
    for msgid, where in gaps:
        click.echo(f"{where}: {msgid}")
    if gaps:
        raise click.ClickException(f"{len(gaps)} strings have no Italian translation")
    click.echo("Every string has an Italian translation.")
