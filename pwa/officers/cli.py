"""`flask --app pwa officers create|disable|reset-2fa|reset-password` and `audit verify`.

Passwords are read from standard input (hidden when typed at a terminal), never taken as an
argument: arguments end up in shell history and the process list."""
import sys

import click
import segno
from flask.cli import AppGroup

from ..extensions import db
from . import audit, auth, passwords
from .models import ROLES

officers = AppGroup("officers", help="Officers' accounts.")
audit_cli = AppGroup("audit", help="The officers' audit log.")


def read_password():
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def new_password():
    """Read a password and check it against the rules (length, not a common password)."""
    password = read_password()
    problem = passwords.problem(password)
    if problem:
        raise click.ClickException(problem)
    return password


def show_enrolment(email, secret):
    uri = auth.provisioning_uri(secret, email)
    click.echo("Add this account to the officer's authenticator app, by scanning the QR code")
    click.echo("or entering the URI. Show it only to them; it is not shown again.")
    click.echo(uri)
    segno.make(uri).terminal(compact=True)


def _officer(email):
    officer = auth.find_officer(email)
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
    if auth.find_officer(email) is not None:
        raise click.ClickException(f"An account for {email} already exists.")
    password = new_password()
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


@officers.command("reset-password", context_settings={"ignore_unknown_options": True})
@click.argument("email")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def reset_password(email, extra):
    """Give EMAIL a new password, read from standard input; its sessions end."""
    if extra:
        raise click.UsageError("A password is never taken as an argument (it would stay in "
                               "the shell history). Type it when asked, or pipe it in.")
    officer = _officer(email)
    auth.set_password(officer, new_password())
    audit.record("officer_reset_password", detail=f"officer {officer.id}", commit=False)
    db.session.commit()
    click.echo(f"New password set for {officer.email}; its sessions have ended.")


@audit_cli.command("verify")
def verify():
    """Check every link of the audit log's chain; exit 1 at the first broken one."""
    result = audit.verify()
    if not result.ok:
        raise click.ClickException(f"{result.message} ({result.checked} entries before it "
                                   "are whole.)")
    click.echo(result.message)


def init_app(app):
    app.cli.add_command(officers)
    app.cli.add_command(audit_cli)
