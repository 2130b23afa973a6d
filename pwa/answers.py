"""A report's answers: the plaintext that is sealed on the device.

The report feature owns the schema and validation; this module is how other features (the
officers' dashboard, exports) turn answers into (question, answer) pairs for people to read.
"""


def describe(answers):
    """Return [(question, answer text)] for display, in the form's order.

    Generic fallback: keys humanised, lists joined. The report feature replaces this with
    its step definitions' labels.
    """
    rows = []
    for key, value in (answers or {}).items():
        if key in ("v",):
            continue
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list):
            text = "\n".join(_text(v) for v in value) or "None given"
        else:
            text = _text(value)
        rows.append((label, text))
    return rows


def _text(value):
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if v)
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "" if value is None else str(value)
