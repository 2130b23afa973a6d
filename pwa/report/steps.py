"""The report form's steps: the one source of truth for questions, rules and messages.

Everything else follows from these definitions: the step templates render them, the device
validates with `rules()` (served as /report/rules.json), the server validates with
`validate_step()` / `validate()`, and pwa/report/readable.py labels stored answers with them.

Answers are a flat dict keyed by field name (`{"v": 1, "in_danger": "yes", ...}`); the
repeated contacts are a list of {kind, value}; attachments a list of {name, type, size}.
"""
import re
from dataclasses import dataclass, field as dc_field
from typing import Any

# Labels, hints and messages are gettext strings, translated when shown (in the reader's
# language: pwa/i18n.py); the device gets them translated in /<lang>/report/rules.json.
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

ANSWERS_VERSION = 1

# A report's answers, as the device seals them (see above).
Answers = dict[str, Any]

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Types Pillow can decode and verify here (HEIC needs a plugin we do not ship: phones convert
# to JPEG when a file is picked in the browser).
ATTACHMENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP",
                    "image/gif": "GIF"}
MAX_CONTACTS = 20
# A screenshot's file name as kept in the answers (the no-JS form cuts longer ones).
MAX_ATTACHMENT_NAME = 200

PHONE_PATTERN = r"^\+?[(]?[0-9][0-9 ()-]{8,18}[0-9]$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

YES_NO = (("yes", _l("Yes")), ("no", _l("No")))


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # choice | multi | text | textarea | email | tel | list | files
    label: str
    required: bool = False
    # Required only when another answer has a value: {"field": "paid", "equals": "yes"};
    # "equals" may be a list of values, "not_equals" the opposite test.
    required_if: dict | None = None
    max_length: int | None = None
    choices: tuple = ()  # ((value, label), ...)
    pattern: str | None = None
    hint: str | None = None
    messages: dict = dc_field(default_factory=dict)
    # Shown only when this test holds (the no-JS page shows them all, with the hint saying when).
    shown_if: dict | None = None
    # Repeated rows (type "list"): the fields of one row, and the most rows.
    item_fields: tuple = ()
    max_items: int | None = None
    # The page heading is this field's legend/label (single-question steps, GOV.UK style).
    is_heading: bool = False

    def choice_label(self, value: Any) -> Any:
        return dict(self.choices).get(value, value)

    def rule(self) -> dict[str, Any]:
        out = {"name": self.name, "type": self.type, "label": str(self.label),
               "required": self.required,
               "messages": {key: str(text) for key, text in self.messages.items()}}
        for key in ("required_if", "max_length", "pattern", "hint", "shown_if", "max_items"):
            value = getattr(self, key)
            if value is not None:
                out[key] = str(value) if key == "hint" else value
        if self.choices:
            out["values"] = [value for value, _ in self.choices]
            out["choices"] = [{"value": v, "label": str(lbl)} for v, lbl in self.choices]
        if self.item_fields:
            out["item_fields"] = [f.rule() for f in self.item_fields]
        return out


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple
    summary: str  # the row heading on "Check your answers"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _msgs(**kw: Any) -> dict[str, Any]:
    return kw


STEPS = (
    Step("danger", _l("Are you in danger right now?"), summary=_l("In danger now"), fields=(
        Field("in_danger", "choice", _l("Are you in danger right now?"), required=True,
              choices=YES_NO, is_heading=True,
              hint=_l("For example, someone is threatening to hurt you, or you are thinking "
                   "about hurting yourself."),
              messages=_msgs(required=_l("Select yes if you are in danger right now"),
                             invalid=_l("Select yes or no"))),
    )),
    Step("age", _l("How old are you?"), summary=_l("Age"), fields=(
        Field("age_band", "choice", _l("How old are you?"), required=True, is_heading=True,
              choices=(("under-13", _l("Under 13")), ("13-15", _l("13 to 15")), ("16-17", _l("16 or 17")),
                       ("18-24", _l("18 to 24")), ("25-plus", _l("25 or over"))),
              hint=_l("We ask so we can point you to the right help. You do not need to give "
                   "your date of birth."),
              messages=_msgs(required=_l("Select how old you are"),
                             invalid=_l("Select one of the age groups"))),
    )),
    Step("what-happened", _l("What happened?"), summary=_l("What happened"), fields=(
        Field("what_happened", "textarea", _l("What happened, in your own words"), required=True,
              max_length=5000,
              hint=_l("Write as much or as little as you like. It is not your fault."),
              messages=_msgs(required=_l("Enter what happened"),
                             too_long=_l("What happened must be 5000 characters or fewer"))),
        Field("started", "text", _l("Roughly when it started (optional)"), max_length=100,
              hint=_l("An approximate date is fine, for example “last Tuesday” or “March”."),
              messages=_msgs(too_long=_l("When it started must be 100 characters or fewer"))),
    )),
    Step("platforms", _l("Where did they contact you?"), summary=_l("Where they contacted you"), fields=(
        Field("platforms", "multi", _l("Where did they contact you?"), required=True,
              is_heading=True, hint=_l("Select all that apply."),
              choices=(("instagram", "Instagram"), ("snapchat", "Snapchat"),
                       ("facebook", _l("Facebook or Messenger")), ("whatsapp", "WhatsApp"),
                       ("tiktok", "TikTok"), ("discord", "Discord"), ("telegram", "Telegram"),
                       ("x", "X (Twitter)"), ("dating-app", _l("A dating app")),
                       ("online-game", _l("An online game")), ("other", _l("Somewhere else"))),
              messages=_msgs(required=_l("Select where they contacted you"),
                             invalid=_l("Select from the list"))),
        Field("platform_other", "text", _l("Where else?"), max_length=200,
              required_if={"field": "platforms", "contains": "other"},
              shown_if={"field": "platforms", "contains": "other"},
              hint=_l("If you chose somewhere else."),
              messages=_msgs(required=_l("Enter where else they contacted you"),
                             too_long=_l("Where else must be 200 characters or fewer"))),
    )),
    Step("about-them", _l("What do you know about them?"), summary=_l("About them"), fields=(
        Field("contacts", "list", _l("What do you know about them?"), max_items=MAX_CONTACTS,
              hint=_l("Add each username, profile link, phone number, email address or payment "
                   "detail they used. Add as many as you know, or none."),
              item_fields=(
                  Field("kind", "choice", _l("Type of detail"), required=True,
                        choices=(("username", _l("Username")), ("profile-link", _l("Profile link")),
                                 ("phone", _l("Phone number")), ("email", _l("Email address")),
                                 ("payment", _l("Payment details")), ("other", _l("Something else"))),
                        messages=_msgs(required=_l("Select the type of detail"),
                                       invalid=_l("Select a type of detail from the list"))),
                  Field("value", "text", _l("Detail"), required=True, max_length=500,
                        messages=_msgs(required=_l("Enter the detail, or remove this row"),
                                       too_long=_l("A detail must be 500 characters or fewer"))),
              ),
              messages=_msgs(too_many=_l("You can add up to %(n)s details", n=MAX_CONTACTS),
                             invalid=_l("Details must be a list"))),
    )),
    Step("payment", _l("Did you pay them?"), summary=_l("Payment"), fields=(
        Field("paid", "choice", _l("Did you pay them?"), required=True, choices=YES_NO,
              is_heading=True,
              hint=_l("Many people do. It is not your fault, and it helps us to know."),
              messages=_msgs(required=_l("Select yes if you paid them"),
                             invalid=_l("Select yes or no"))),
        Field("amount", "text", _l("How much did you pay? (optional)"), max_length=50,
              shown_if={"field": "paid", "equals": "yes"}, hint=_l("For example, £200."),
              messages=_msgs(too_long=_l("The amount must be 50 characters or fewer"))),
        Field("method", "text", _l("How did you pay? (optional)"), max_length=100,
              shown_if={"field": "paid", "equals": "yes"},
              hint=_l("For example, bank transfer, gift cards, PayPal, crypto."),
              messages=_msgs(too_long=_l("How you paid must be 100 characters or fewer"))),
        Field("paid_on", "text", _l("When did you pay? (optional)"), max_length=100,
              shown_if={"field": "paid", "equals": "yes"},
              hint=_l("An approximate date is fine."),
              messages=_msgs(too_long=_l("When you paid must be 100 characters or fewer"))),
        Field("reference", "text", _l("Transfer reference (optional)"), max_length=100,
              shown_if={"field": "paid", "equals": "yes"},
              hint=_l("An MTCN or transfer reference, if you have one."),
              messages=_msgs(too_long=_l("The reference must be 100 characters or fewer"))),
    )),
    Step("evidence", _l("Your evidence"), summary=_l("Evidence"), fields=(
        Field("evidence_description", "textarea", _l("Describe what you have saved (optional)"),
              max_length=2000,
              hint=_l("For example, screenshots of messages, their profile, or payment receipts. "
                   "Do not send us nude images."),
              messages=_msgs(too_long=_l("The description must be 2000 characters or fewer"))),
        Field("attachments", "files", _l("Attach screenshots (optional)"),
              max_items=MAX_ATTACHMENTS,
              hint=_l("Images only (JPEG, PNG, WebP or GIF). Up to %(n)s files, 10 MB each.",
                      n=MAX_ATTACHMENTS),
              messages=_msgs(too_many=_l("You can attach up to %(n)s screenshots",
                                             n=MAX_ATTACHMENTS),
                             too_large=_l("Each screenshot must be 10 MB or smaller"),
                             too_long=_l("A file name must be %(n)s characters or fewer",
                                         n=MAX_ATTACHMENT_NAME),
                             invalid=_l("The file must be a JPEG, PNG, WebP or GIF image"))),
    )),
    Step("contact", _l("How can we contact you?"), summary=_l("Contact"), fields=(
        Field("contact_method", "choice", _l("How can we contact you?"), required=True,
              is_heading=True,
              # "app": private replies in the app only (pwa/report/mailbox.py); the
              # device makes the mailbox, so the no-JS pages do not offer it.
              choices=(("anonymous", _l("Do not contact me (report anonymously)")),
                       ("app", _l("Reply to me only inside this app")),
                       ("phone", _l("By phone")), ("email", _l("By email"))),
              hint=_l("An officer may want to talk to you about what happened."),
              messages=_msgs(required=_l("Select how we can contact you"),
                             invalid=_l("Select one of the options"))),
        Field("name", "text", _l("Your name"), max_length=100,
              required_if={"field": "contact_method", "equals": ["phone", "email"]},
              shown_if={"field": "contact_method", "equals": ["phone", "email"]},
              hint=_l("If you want us to contact you."),
              messages=_msgs(required=_l("Enter your name"),
                             too_long=_l("Your name must be 100 characters or fewer"))),
        Field("phone", "tel", _l("Phone number"), max_length=20, pattern=PHONE_PATTERN,
              required_if={"field": "contact_method", "equals": "phone"},
              shown_if={"field": "contact_method", "equals": "phone"},
              hint=_l("If you chose phone. For example, 07700 900 982."),
              messages=_msgs(required=_l("Enter a phone number"),
                             too_long=_l("Enter a phone number, like 07700 900 982"),
                             pattern=_l("Enter a phone number, like 07700 900 982"))),
        Field("email", "email", _l("Email address"), max_length=254, pattern=EMAIL_PATTERN,
              required_if={"field": "contact_method", "equals": "email"},
              shown_if={"field": "contact_method", "equals": "email"},
              hint=_l("If you chose email."),
              messages=_msgs(required=_l("Enter an email address"),
                             too_long=_l("Email address must be 254 characters or fewer"),
                             pattern=_l("Enter an email address in the correct format, "
                                     "like name@example.com"))),
        Field("safe_times", "text", _l("When is it safe to contact you? (optional)"),
              max_length=200,
              shown_if={"field": "contact_method", "equals": ["phone", "email"]},
              hint=_l("For example, weekdays after 4pm."),
              messages=_msgs(too_long=_l("Safe times must be 200 characters or fewer"))),
        Field("may_leave_message", "choice", _l("May we leave a message?"), choices=YES_NO,
              required_if={"field": "contact_method", "equals": "phone"},
              shown_if={"field": "contact_method", "equals": "phone"},
              hint=_l("If you chose phone."),
              messages=_msgs(required=_l("Select yes if we may leave a message"),
                             invalid=_l("Select yes or no"))),
        Field("may_say_police", "choice", _l("May we say we are the police?"), choices=YES_NO,
              required_if={"field": "contact_method", "equals": ["phone", "email"]},
              shown_if={"field": "contact_method", "equals": ["phone", "email"]},
              hint=_l("If someone else might answer or read it."),
              messages=_msgs(required=_l("Select yes if we may say we are the police"),
                             invalid=_l("Select yes or no"))),
    )),
)

STEP_IDS = tuple(s.id for s in STEPS)
BY_ID = {s.id: s for s in STEPS}
# Every key a report's answers may have.
KNOWN_KEYS = {"v", *(f.name for s in STEPS for f in s.fields)}
UNDER_18 = ("under-13", "13-15", "16-17")


def step(step_id: str) -> Step:
    return BY_ID[step_id]


def next_step(step_id: str) -> str:
    i = STEP_IDS.index(step_id)
    return STEP_IDS[i + 1] if i + 1 < len(STEP_IDS) else "check"


def previous_step(step_id: str) -> str | None:
    i = STEP_IDS.index(step_id)
    return STEP_IDS[i - 1] if i > 0 else None


def is_under_18(answers: Answers | None) -> bool:
    return (answers or {}).get("age_band") in UNDER_18


def rules() -> dict[str, Any]:
    """The rules for the device, as served at /report/rules.json."""
    return {
        "version": ANSWERS_VERSION,
        "steps": [{"id": s.id, "title": str(s.title), "fields": [f.rule() for f in s.fields]}
                  for s in STEPS],
        "attachments": {"max_count": MAX_ATTACHMENTS, "max_bytes": MAX_ATTACHMENT_BYTES,
                        "types": sorted(ATTACHMENT_TYPES)},
        "under_18": list(UNDER_18),
        # Field names of repeated rows in errors and markup: contacts-<i>-kind / -value.
        "row_field_format": "{list}-{index}-{field}",
        # required_if / shown_if: {"field": F, "equals": V or [V, ...]} holds when answer F is
        # (one of) V; {"field": F, "contains": V} when the list answer F includes V.
        # Text is trimmed before "required" and "pattern" are tested (not for max_length).
        "trim": True,
        # Patterns are written to mean the same in Python's re.fullmatch and JavaScript's
        # new RegExp(pattern).test(value).
    }


# --- validation -------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldError:
    step: str
    field: str  # the answer key, or "contacts-<i>-<field>" for a row
    rule: str  # required | invalid | too_long | pattern | too_many | too_large | unknown
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": "invalid", "step": self.step, "field": self.field, "rule": self.rule,
                "message": str(self.message)}


def condition_holds(cond: dict[str, Any] | None, answers: Answers) -> bool:
    if not cond:
        return True
    value = answers.get(cond["field"])
    if "contains" in cond:
        return isinstance(value, list) and cond["contains"] in value
    wanted = cond["equals"]
    wanted = wanted if isinstance(wanted, list) else [wanted]
    return value in wanted


def _blank(value: object) -> bool:
    return value is None or value == "" or value == [] or (
        isinstance(value, str) and not value.strip())


def _check_field(f: Field, value: Any, answers: Answers, step_id: str,
                 name: str) -> list[FieldError]:
    msg = f.messages
    required = f.required or (f.required_if and condition_holds(f.required_if, answers))
    if f.type in ("list", "files"):
        return []  # checked by their own functions
    if _blank(value):
        return [FieldError(step_id, name, "required", msg["required"])] if required else []
    if f.type == "multi":
        allowed = {v for v, _ in f.choices}
        # Each choice at most once: a list of a million "instagram"s is not an answer.
        if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed
                                                  for v in value) \
                or len(set(value)) != len(value):
            return [FieldError(step_id, name, "invalid", msg["invalid"])]
        return []
    if not isinstance(value, str):
        return [FieldError(step_id, name, "invalid", msg.get("invalid") or msg.get("pattern")
                           or msg.get("required") or _l("Enter text"))]
    if f.type == "choice":
        if value not in {v for v, _ in f.choices}:
            return [FieldError(step_id, name, "invalid", msg["invalid"])]
        return []
    if f.max_length is not None and len(value) > f.max_length:
        return [FieldError(step_id, name, "too_long", msg["too_long"])]
    if f.pattern and not re.fullmatch(f.pattern, value.strip()):
        return [FieldError(step_id, name, "pattern", msg["pattern"])]
    return []


def _check_list(f: Field, value: Any, step_id: str) -> list[FieldError]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return [FieldError(step_id, f.name, "invalid", f.messages["invalid"])]
    if f.max_items is not None and len(value) > f.max_items:
        return [FieldError(step_id, f.name, "too_many", f.messages["too_many"])]
    known = {item.name for item in f.item_fields}
    if any(set(row) - known for row in value):
        return [FieldError(step_id, f.name, "invalid", f.messages["invalid"])]
    errors = []
    for i, row in enumerate(value):
        for item in f.item_fields:
            errors += _check_field(item, row.get(item.name), row, step_id,
                                   f"{f.name}-{i}-{item.name}")
    return errors


def _check_files(f: Field, value: Any, step_id: str) -> list[FieldError]:
    """The attachments' descriptions inside the answers; the bytes are checked separately."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        return [FieldError(step_id, f.name, "invalid", f.messages["invalid"])]
    if f.max_items is not None and len(value) > f.max_items:
        return [FieldError(step_id, f.name, "too_many", f.messages["too_many"])]
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name", ""), str) \
                or set(item) - {"name", "type", "size"}:
            return [FieldError(step_id, f.name, "invalid", f.messages["invalid"])]
        if len(item.get("name", "")) > MAX_ATTACHMENT_NAME:
            return [FieldError(step_id, f.name, "too_long", f.messages["too_long"])]
        if item.get("type") not in ATTACHMENT_TYPES:
            return [FieldError(step_id, f.name, "invalid", f.messages["invalid"])]
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return [FieldError(step_id, f.name, "invalid", f.messages["invalid"])]
        if size > MAX_ATTACHMENT_BYTES:
            return [FieldError(step_id, f.name, "too_large", f.messages["too_large"])]
    return []


def validate_step(step_id: str, answers: Answers) -> list[FieldError]:
    """Errors for one step's answers, in field order; [] when the step is complete."""
    s = BY_ID[step_id]
    errors = []
    for f in s.fields:
        value = answers.get(f.name)
        if f.type == "list":
            errors += _check_list(f, value, s.id)
        elif f.type == "files":
            errors += _check_files(f, value, s.id)
        else:
            errors += _check_field(f, value, answers, s.id, f.name)
    return errors


def validate(answers: object) -> list[FieldError]:
    """Errors for a whole report, in step order. The server's word is final."""
    if not isinstance(answers, dict):
        return [FieldError(STEP_IDS[0], "v", "invalid", _l("The report is not readable"))]
    errors = []
    for s in STEPS:
        errors += validate_step(s.id, answers)
    # Only the answers the steps ask for: anything else would reach officers' pages unchecked.
    for key in sorted(set(answers) - KNOWN_KEYS, key=str):
        errors.append(FieldError("check", str(key)[:64], "unknown",
                                 _l("This is not an answer the form asks for")))
    return errors


def first_incomplete_step(answers: Answers) -> str | None:
    for s in STEPS:
        if validate_step(s.id, answers):
            return s.id
    return None


# --- the no-JS form's fields to answers ----------------------------------------------------

# What the no-JS form keeps of a typed answer, in multiples of its longest valid length: far
# more than anyone types (so a too-long answer comes back whole, with its error), far less
# than the 67 MB a request body may be (so a stranger cannot fill the progress table).
KEEP_TYPED = 10


def _typed(value: str, f: Field) -> str:
    return value[:(f.max_length or 100) * KEEP_TYPED]


def from_form(step_id: str, form: MultiDict[str, str]) -> Answers:
    """Read one step's answers from a submitted HTML form (a MultiDict), as typed (within
    KEEP_TYPED times each field's length)."""
    s = BY_ID[step_id]
    out: Answers = {}
    for f in s.fields:
        if f.type == "multi":
            out[f.name] = [_typed(v, f) for v in form.getlist(f.name)[:len(f.choices) + 5]]
        elif f.type == "list":
            rows = []
            for i in range(MAX_CONTACTS + 5):
                kind = form.get(f"{f.name}-{i}-kind")
                value = form.get(f"{f.name}-{i}-value")
                if kind is None and value is None:
                    continue
                if (value or "").strip() == "":
                    continue  # an empty row is not an answer
                kind_f, value_f = f.item_fields
                rows.append({"kind": _typed(kind or "", kind_f),
                             "value": _typed(value or "", value_f)})
            out[f.name] = rows
        elif f.type == "files":
            continue  # uploads are handled by the view
        else:
            value = form.get(f.name)
            if value is not None:
                out[f.name] = _typed(value, f)
    return out


def clean(answers: Answers) -> Answers:
    """The answers as sealed and stored: trimmed text, no empty optional values, and
    nothing from a branch not taken (e.g. payment details after answering "no")."""
    out: Answers = {"v": ANSWERS_VERSION}
    for s in STEPS:
        for f in s.fields:
            value = answers.get(f.name)
            if f.shown_if and not condition_holds(f.shown_if, answers):
                continue
            if isinstance(value, str):
                value = value.strip()
            if f.type == "list" and isinstance(value, list):
                value = [{"kind": r.get("kind"), "value": (r.get("value") or "").strip()}
                         for r in value]
            if _blank(value):
                continue
            out[f.name] = value
    return out
