"""`flask --app pwa report clean|open|rotate-keys|purge-expired`: one command group for
stored reports (`reports`, the old spelling, still works). `open`, `rotate-keys` and
`purge-expired` belong to the side that holds the private key."""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import maintenance
from . import progress as progress_mod


@click.command("clean")
@with_appcontext
def clean_command():
    """Delete expired no-JS progress and orphaned sealed files (run from cron hourly)."""
    expired = progress_mod.cleanup_expired()
    orphans = progress_mod.remove_orphan_files()
    click.echo(f"Removed {expired} expired report(s) in progress and {orphans} orphaned "
               "file(s).")


@click.command("open")
@with_appcontext
@click.option("--all", "everything", is_flag=True, help="Open every waiting report, not one batch.")
def open_command(everything):
    """Open reports the public side stored (flags, state); the dashboard does the same on
    every poll. Run it from a timer too, so flags are set while nobody is looking."""
    from . import opening  # Pillow: only where reports are opened

    total = 0
    while True:
        done = opening.open_pending()
        total += done
        if not everything or done < opening.BATCH:
            break
    click.echo(f"Opened {total} report(s).")


@click.command("rotate-keys")
@with_appcontext
def rotate_keys():
    """Re-seal every report, note and attachment under the current REPORT_KEY_FILE key
    (older keys in REPORT_OLD_KEY_FILES open them)."""
    counts = maintenance.rotate_keys()
    maintenance.keys_rotated.send(current_app._get_current_object(), counts=counts)
    click.echo(f"Re-sealed {maintenance.describe_counts(counts)}.")


@click.command("purge-expired")
@with_appcontext
def purge_expired():
    """Delete reports closed more than REPORT_RETENTION_DAYS days ago, with their files."""
    counts = maintenance.purge_expired()
    maintenance.expired_purged.send(current_app._get_current_object(), counts=counts)
    click.echo(f"Deleted {maintenance.describe_counts(counts)}.")


PRIVATE_KEY_COMMANDS = (open_command, rotate_keys, purge_expired)


def init_app(app):
    """`flask report …` for this app's side (made per app: the public side has no command
    that needs the private key), and `reports`, its old name, hidden from --help."""
    commands = [clean_command]
    if app.config["APP_SIDE"] != "public":
        commands += PRIVATE_KEY_COMMANDS
    group = AppGroup("report", help="Reports: progress clean-up, opening, key rotation and "
                     "retention.", commands=commands)
    app.cli.add_command(group)
    app.cli.add_command(AppGroup("reports", hidden=True, commands=group.commands,
                                 help="Old name of `report`."))
