"""Officers' forms (Flask-WTF, so every POST carries a CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from .reports import STATUSES


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    code = StringField("Code from your authenticator app",
                       validators=[DataRequired("Enter the 6-digit code from your "
                                                "authenticator app")])


class EmptyForm(FlaskForm):
    """Sign out: nothing but the CSRF token."""


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice(v, label) for v, label in STATUSES.items()])


class AssignForm(FlaskForm):
    officer = SelectField("Assign to", choices=[])


class NoteForm(FlaskForm):
    text = TextAreaField("Add a note", validators=[
        DataRequired("Enter the note"), Length(max=10000, message="Notes must be 10,000 "
                                                                  "characters or fewer")])
