"""Officers' forms (Flask-WTF, so every POST carries a CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from . import passwords

from .reports import STATUSES


def printable(form, field):
    """No control characters (a NUL byte cannot even be stored in PostgreSQL text)."""
    if field.data and not field.data.isprintable():
        raise ValidationError("Enter your email address as letters, numbers and symbols only")


def strong_password(form, field):
    message = passwords.problem(field.data or "")
    if message:
        raise ValidationError(message)


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Length(max=254, message="Enter an email address of 254 characters or fewer"),
        printable])
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


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[
        DataRequired("Enter your current password")])
    new = PasswordField("New password", validators=[
        DataRequired("Enter a new password"), strong_password])
    confirm = PasswordField("New password again", validators=[
        DataRequired("Enter the new password again"),
        EqualTo("new", message="The two new passwords are different: type the same one twice")])
    code = StringField("Code from your authenticator app", validators=[
        DataRequired("Enter the 6-digit code from your authenticator app")])
