"""`flask --app pwa report clean|rotate-keys|purge-expired`: one command group for stored
reports (`reports`, the old spelling of the last two, still works)."""
import click
from flask import current_app
from flask.cli import AppGroup

from . import maintenance
from . import progress as progress_mod

group = AppGroup("report", help="Reports: progress clean-up, key rotation and retention.")


@group.command("clean")
def clean_command():
    """Delete expired no-JS progress and orphaned sealed files (run from cron hourly)."""
    expired = progress_mod.cleanup_expired()
    orphans = progress_mod.remove_orphan_files()
    click.echo(f"Removed {expired} expired report(s) in progress and {orphans} orphaned "
               "file(s).")


@group.command("rotate-keys")
def rotate_keys():
    """Re-seal every report, note and attachment under the current REPORT_KEY_FILE key
    (older keys in REPORT_OLD_KEY_FILES open them)."""
    counts = maintenance.rotate_keys()
    maintenance.keys_rotated.send(current_app._get_current_object(), counts=counts)
    click.echo(f"Re-sealed {maintenance.describe_counts(counts)}.")


@group.command("purge-expired")
def purge_expired():
    """Delete reports closed more than REPORT_RETENTION_DAYS days ago, with their files."""
    counts = maintenance.purge_expired()
    maintenance.expired_purged.send(current_app._get_current_object(), counts=counts)
    click.echo(f"Deleted {maintenance.describe_counts(counts)}.")


# The old group name, hidden from --help; the same commands.
_alias = AppGroup("reports", hidden=True, commands=group.commands,
                  help="Old name of `report`.")


def init_app(app):
    app.cli.add_command(group)
    app.cli.add_command(_alias)
