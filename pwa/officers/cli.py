"""`flask --app pwa officers create|disable|reset-2fa`.

Passwords are read from standard input (hidden when typed at a terminal), never taken as an
argument: arguments end up in shell history and the process list."""
import sys

import click
import segno
from flask.cli import AppGroup

from ..extensions import db
from . import audit, auth
from .models import ROLES, Officer

officers = AppGroup("officers", help="Officers' accounts.")


def read_password():
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def show_enrolment(email, secret):
    uri = auth.provisioning_uri(secret, email)
    click.echo("Add this account to the officer's authenticator app, by scanning the QR code")
    click.echo("or entering the URI. Show it only to them; it is not shown again.")
    click.echo(uri)
    segno.make(uri).terminal(compact=True)


def _officer(email):
    officer = Officer.query.filter_by(email=auth.normalise_email(email)).first()
    if officer is None:
        raise click.ClickException(f"No account for {email}.")
    return officer


@officers.command("create", context_settings={"ignore_unknown_options": True})
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def create(email, role, extra):
    """Make an account for EMAIL; the password is read from standard input."""
    if extra:
        raise click.UsageError("A password is never taken as an argument (it would stay in "
                               "the shell history). Type it when asked, or pipe it in.")
    email = auth.normalise_email(email)
    if "@" not in email:
        raise click.BadParameter("enter an email address", param_hint="EMAIL")
    if Officer.query.filter_by(email=email).first():
        raise click.ClickException(f"An account for {email} already exists.")
    password = read_password()
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password must be at least {auth.MIN_PASSWORD_LENGTH} characters.")
    officer, secret = auth.create_officer(email, password, role)
    audit.record("officer_create", detail=f"officer {officer.id}, role {role}", commit=False)
    db.session.commit()
    click.echo(f"Created {role} account {email}.")
    show_enrolment(email, secret)


@officers.command("disable")
@click.argument("email")
def disable(email):
    """Stop EMAIL signing in, and end its session now."""
    officer = _officer(email)
    officer.active = False
    officer.login_id = None
    audit.record("officer_disable", detail=f"officer {officer.id}", commit=False)
    db.session.commit()
    click.echo(f"Disabled {officer.email}.")


@officers.command("reset-2fa")
@click.argument("email")
def reset_2fa(email):
    """Give EMAIL a new second factor (the old codes stop working)."""
    officer = _officer(email)
    secret = auth.reset_totp(officer)
    audit.record("officer_reset_2fa", detail=f"officer {officer.id}", commit=False)
    db.session.commit()
    click.echo(f"New second factor for {officer.email}.")
    show_enrolment(officer.email, secret)


def init_app(app):
    app.cli.add_command(officers)
