"""Field types and form helpers every feature's forms share: numbers typed on a phone,
phone numbers, check-box lists, and the one way to put an operation's errors next to the
right field (:func:`attach_errors`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from functools import partial
from typing import Any, TypeVar

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import FieldList, FormField, SelectField, SelectMultipleField, StringField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, Select

from webapp.core.errors import FieldError
from webapp.core.html_attributes import html_params
from webapp.core.inbound import DB_INT_MAX

F = TypeVar("F", bound=FlaskForm)


class QuickSelect(Select):
    """WTForms' select widget, its options written in one f-string each: the stock one
    builds every option's attributes through ``html_params`` (about 19 µs an option, so
    190 ms for a city's 10,000 members). The same HTML, attribute for attribute; an
    option with attributes of its own (``render_kw``) goes the stock way."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        choices = field.choices
        if (
            self.multiple
            or type(field) is not SelectField
            or not isinstance(choices, list)
            or any(type(c) is not tuple or len(c) != 2 for c in choices)
        ):
            return Markup(super().__call__(field, **kwargs))
        # (value, label) pairs, as the pages set them, written from the pairs themselves:
        # the stock widget wraps each pair in two objects, twice (for its option groups,
        # then its options), which cost more than writing them (a volunteer's give-to
        # list has a hundred people and more). The select tag as the stock one writes it.
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        data, coerce = field.data, field.coerce
        for value, label in choices:
            selected = " selected" if coerce(value) == data else ""
            html.append(
                f'<option{selected} value="{escape(str(value))}">{escape(label or value)}</option>'
            )
        html.append("</select>")
        return Markup("".join(html))

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        value, label = escape(str(choice.value)), escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{value}">{label}</option>')


_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")


def phone_number(form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if value and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 6):
        raise ValidationError(_l("Enter a phone number with at least 6 digits, e.g. 0865 123456."))


class NumberField(StringField):
    """A number typed on a phone keyboard; accepts a decimal comma (``2,5``)."""

    def __init__(
        self, label: Any = None, validators: Any = None, integer: bool = False, **kw: Any
    ) -> None:
        kw.setdefault("render_kw", {"inputmode": "numeric" if integer else "decimal"})
        super().__init__(label, validators, **kw)
        self.integer = integer

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if not text:
            return
        try:
            value = float(text)
            if not math.isfinite(value) or (self.integer and not value.is_integer()):
                raise ValueError(text)
        except ValueError:
            message = _l("Enter a whole number.") if self.integer else _l("Enter a number.")
            raise ValueError(str(message)) from None
        self.data = int(value) if self.integer else value

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:g}"


def record_id(value: Any) -> int:
    """``coerce`` for a select of rows: a number no row can have (beyond the database's
    INTEGER) is no choice, rather than a query the database refuses (a 500)."""
    number = int(value)
    if not 0 <= number <= DB_INT_MAX:
        raise ValueError(str(_l("Not a valid choice.")))
    return number


def row_id(value: object) -> int | None:
    """A row's id read from a query string or a raw form value: ``None`` when it is not a
    number or is beyond the database's INTEGER (a lookup would then be a 500, not a miss)."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= DB_INT_MAX else None


def id_range(form: Any, field: Any) -> None:
    """Validator for a row's id typed or carried in a hidden field (an IntegerField)."""
    if field.data is not None and not 0 <= field.data <= DB_INT_MAX:
        raise ValidationError(_l("Not a valid choice."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def form_data(form: FlaskForm) -> dict[str, Any]:
    """The parsed values, without buttons and the CSRF token."""
    skip = {"csrf_token", "submit", "add_slot", "add_absence", "consent"}
    return {k: v for k, v in form.data.items() if k not in skip}


def walk_fields(form: Any) -> Iterator[Any]:
    """Every input field, including those inside repeated rows (slots, absences)."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from walk_fields(entry.form)
        elif isinstance(field, FormField):
            yield from walk_fields(field.form)
        else:
            yield field


def attach_errors(
    form: Any,
    error: FieldError,
    *,
    aliases: Mapping[str, str] | None = None,
    only_clean: bool = False,
) -> None:
    """Show an operation's :class:`FieldError` next to its fields.

    ``aliases`` maps an operation's field name to this form's (the ledger says
    ``amount`` where the form says ``minutes``). A form may place a message itself with
    ``locate_error(name, error) -> (field, message) | None`` (a request form with a time
    per weekday puts it next to that day's time). Messages with no field here go above
    the form (``form.form_errors``). ``only_clean``: skip fields that already show an
    error of their own, e.g. a number that did not parse."""
    fields = {f.name: f for f in walk_fields(form)}
    locate = getattr(form, "locate_error", None)
    for name, message in error.errors.items():
        name = (aliases or {}).get(name, name)
        found = locate(name, error) if locate is not None else None
        field, text = found if found is not None else (fields.get(name), message)
        if field is None:
            if not only_clean:
                form.form_errors.append(str(text))
        elif not (only_clean and field.errors):
            field.errors = [*field.errors, str(text)]


_ROW = re.compile(r"^(slots|absences)-(\d+)-")


def _summary_label(field: Any) -> str:
    row = _ROW.match(field.name)
    if row is None:
        return str(field.label.text)
    n = int(row.group(2)) + 1
    where = _l("Time slot %(n)s", n=n) if row.group(1) == "slots" else _l("Absence %(n)s", n=n)
    return f"{where}, {field.label.text}"


def _summary_line(field: Any, message: str) -> str:
    label = _summary_label(field)
    # "What can you offer? Choose..." reads better than "What can you offer?: Choose..."
    return f"{label} {message}" if label.endswith("?") else f"{label}: {message}"


def error_list(form: Any) -> list[tuple[str, str]]:
    """(field id, "Label: message") for the summary at the top of the form."""
    found = [
        (f.id, _summary_line(f, str(e)))
        for f in walk_fields(form)
        if f.name != "csrf_token"
        for e in f.errors
    ]
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        found.append(("", str(_l("The form had expired. Please send it again."))))
    return found + [("", str(e)) for e in form.form_errors]


def drawn_once(template: str, *, varying: Hashable = None, **context: Any) -> Markup:
    """``template`` drawn once per language and kept (per app), for the part of a form
    nobody has filled in yet: no value, no error, no CSRF token, so the same for everyone
    who reads that language (drawing a form's fields, a widget each, was most of a form
    page's cost). The caller draws it so only for a form not submitted, and keeps out of
    ``template`` whatever a view fills in (a default time, the token), or names it in
    ``varying`` (today's date as a default): drawn again when that changes (only the
    latest is kept)."""
    kept: dict[tuple[str, str], tuple[Hashable, Markup]] = current_app.extensions.setdefault(
        "drawn_once", {}
    )
    key = (template, str(get_locale()))
    found = kept.get(key)
    if found is None or found[0] != varying:
        found = kept[key] = (varying, Markup(render_template(template, **context)))
    return found[1]


# --- a blank form's hidden tags, without the form ----------------------------------------

_SENTINEL = "pontehiddenvalue{}x"  # letters and digits: nothing to escape


def _hidden_pattern(form_class: type[FlaskForm]) -> tuple[list[str], list[Callable[[], Any]]]:
    """What ``form_class().hidden_tag()`` writes, cut where its values go, and how to make
    each value: the CSRF token as the form's own CSRF makes it, a hidden field's default
    (called, if it is a callable) as a blank form's data. Learnt from one form, built with
    a placeholder for each value."""
    form = form_class(formdata=None)
    makers: list[Callable[[], Any]] = []
    hidden = [field for field in form if isinstance(field.widget, HiddenInput)]
    for n, field in enumerate(hidden):
        placeholder = _SENTINEL.format(n)
        if isinstance(field, CSRFTokenField):
            field.current_token = placeholder
            makers.append(partial(field.csrf_impl.generate_csrf_token, None))
        else:
            field.data = placeholder
            default = field.default
            makers.append(default if callable(default) else partial(lambda value: value, default))
    text = str(form.hidden_tag())
    pieces = []
    for n in range(len(hidden)):
        before, found, text = text.partition(_SENTINEL.format(n))
        if not found:  # a field that writes its value otherwise: not for this shortcut
            raise ValueError(f"{form_class.__name__}: hidden field {n} writes no value")
        pieces.append(before)
    return [*pieces, text], makers


def blank_hidden_tag(form_class: type[FlaskForm]) -> Markup:
    """``form_class().hidden_tag()`` of a form nobody has sent: its CSRF token and each
    hidden field's default (a fresh request id), written from a pattern kept per class
    (per app) instead of a form built for them."""
    patterns = current_app.extensions.setdefault("blank_hidden_tags", {})
    key = (form_class, current_app.config.get("WTF_CSRF_ENABLED", True))
    found = patterns.get(key)
    if found is None:
        found = patterns[key] = _hidden_pattern(form_class)
    pieces, makers = found
    values = ("" if v is None else escape(v) for v in (make() for make in makers))
    written = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        written += [value, piece]
    return Markup("".join(written))


class BlankForm:
    """Stands for ``form_class(**arguments)`` on a page nobody has sent it from yet (a
    GET). A blank form's fields are drawn once per language (:func:`drawn_once`); what is
    left at each view is its hidden tags, written without building the form
    (:func:`blank_hidden_tag`), and no errors: building a form for that cost 0.1-0.3 ms
    a page. Anything else asked of it (a field, when its fields are drawn) builds the
    form then."""

    def __init__(self, form_class: type[FlaskForm], **arguments: Any) -> None:
        self._form_class = form_class
        self._arguments = arguments
        self._form: FlaskForm | None = None

    def hidden_tag(self) -> Markup:
        return blank_hidden_tag(self._form_class)

    @property
    def errors(self) -> dict[str, Any]:
        return {}

    @property
    def form_errors(self) -> list[str]:
        return []

    def is_submitted(self) -> bool:
        return False

    def validate_on_submit(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if self._form is None:
            self._form = self._form_class(**self._arguments)
        return getattr(self._form, name)


def form_or_blank(form_class: type[F], **arguments: Any) -> F:
    """``form_class(**arguments)`` for a request that sends a form; a :class:`BlankForm`
    standing for it on any other (typed as the form: it answers what a blank one would)."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        return form_class(**arguments)
    return BlankForm(form_class, **arguments)  # type: ignore[return-value]
