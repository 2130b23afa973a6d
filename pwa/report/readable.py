"""A report's answers made readable: the plaintext that is sealed on the device, as
questions and answers.

The report feature owns the schema and validation (pwa/report/steps.py); this module is how
other code (the officers' dashboard, exports, the form's "Check your answers") turn
answers into (question, answer) pairs for people to read, with the form's own labels, in
the reader's language (the officers' area is English).
"""
from flask_babel import gettext as _

from .steps import STEPS, condition_holds


def describe(answers):
    """Return [(question, answer text)] for display, in the form's order. Keys the form does
    not know (a newer device, say) follow, humanised, so nothing sent is hidden."""
    return [(question, text) for _, question, text in describe_by_step(answers)]


def describe_by_step(answers):
    """Return [(step id, question, answer text)] in the form's order; the step id is None for
    keys the form does not know."""
    answers = answers or {}
    rows, known = [], {"v"}
    for step in STEPS:
        for field in step.fields:
            known.add(field.name)
            value = answers.get(field.name)
            if field.shown_if and not condition_holds(field.shown_if, answers):
                continue
            if field.type == "list":
                kinds = dict(field.item_fields[0].choices)
                text = "\n".join(f"{kinds.get(r.get('kind'), r.get('kind'))}: {r.get('value')}"
                                 for r in (value or []) if isinstance(r, dict)) or _("None given")
            elif field.type == "files":
                text = "\n".join(str(f.get("name") or "screenshot")
                                 for f in (value or []) if isinstance(f, dict)) or _("None")
            elif field.type == "multi":
                text = ", ".join(str(field.choice_label(v))
                                 for v in (value or [])) or _("Not answered")
            elif field.type == "choice":
                text = str(field.choice_label(value)) if value else _("Not answered")
            else:
                text = _text(value) or (_("Not answered") if field.required else _("Not given"))
            rows.append((step.id, _question(field), text))
    for key, value in answers.items():
        if key in known:
            continue
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list):
            text = "\n".join(_text(v) for v in value) or _("None given")
        else:
            text = _text(value)
        rows.append((None, label, text))
    return rows


def _question(field):
    # "(optional)" helps while filling in; it is noise when reading the answers.
    return str(field.label).replace(_(" (optional)"), "")


def _text(value):
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if v)
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return "" if value is None else str(value)
