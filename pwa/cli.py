"""Command-line tasks: `flask --app pwa check | init-db | keys generate PATH`.

The schema itself is managed by Flask-Migrate: `flask --app pwa db upgrade`."""
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from . import sealing, site

keys = AppGroup("keys", help="The force's report key pair.")


@keys.command("generate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def generate_key(path: Path) -> None:
    """Write a new RSA private key (PEM, mode 600) to PATH and its public half beside it
    (PATH with .pub before .pem); never overwrites."""
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file name.")
    public = public_path(path)
    if public.exists():
        raise click.ClickException(f"{public} exists; choose a new file name.")
    key = sealing.write_private_key(path)
    public.write_bytes(sealing.public_pem(key.public_key()))
    click.echo(f"Wrote {path} (key id {sealing.key_id(key.public_key())}).")
    click.echo("Keep it secret and backed up: without it no report can be read. Only the "
               "officers' side may hold it.")
    click.echo(f"Wrote {public}, its public half, for the public side "
               "(REPORT_PUBLIC_KEY_FILE).")


def public_path(path: Path) -> Path:
    """Where `keys generate PATH` puts the public half: PATH with `.pub` before `.pem`."""
    return path.with_name(path.stem + ".pub" + (path.suffix or ".pem"))


@click.command("check")
def check() -> None:
    """Load the force file, advice pages and keys, and say what was found."""
    force = site.force()
    pages = site.advice_pages()
    click.echo(f"Force: {force.name} ({force.source})")
    click.echo(f"Advice pages: {len(pages)}")
    click.echo(f"Side: {current_app.config['APP_SIDE']}")
    click.echo(f"Report key id: {sealing.public_keys().current_id}"
               + ("" if sealing.holds_private_key() else " (public key only)"))
    click.echo("OK")


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Bring the database schema up to date (the same as `flask db upgrade`)."""
    # Kept as an alias: tables made any other way (create_all) would have no migration
    # history, and the next `db upgrade` would then fail on tables that already exist.
    upgrade()
    click.echo("Database schema is up to date.")


def init_app(app: Flask) -> None:
    app.cli.add_command(keys)
    app.cli.add_command(check)
    app.cli.add_command(init_db)
