"""`watcher rules`: every rule with its fires and mute, and `rules mute`."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from watcher.cli.common import (
    chosen_config, config_and_rules, config_option, json_option, print_json, print_table, sub_config_option,
)


@click.group("rules", invoke_without_command=True)
@config_option
@json_option
@click.pass_context
def rules_cmd(ctx: click.Context, config_path: Path, as_json: bool) -> None:
    """Every rule in force: its file, channels, when it last fired, fires in 7 days, and until when it is muted."""
    if ctx.invoked_subcommand is not None:
        return
    from watcher.config.database import may_exist
    from watcher.rules.status import rule_statuses
    from watcher.store.lock import open_store

    config, rules = config_and_rules(config_path)
    now = datetime.now(timezone.utc)
    if may_exist(config.database):
        with open_store(config.database, writes=False) as store:
            rows = [s.row() for s in rule_statuses(rules, store.db, now)]
    else:
        rows = [s.row() for s in rule_statuses(rules, None, now)]
    if as_json:
        print_json(rows)
        return
    print_table([{**r, "channels": ", ".join(r["channels"]) or "-"} for r in rows],
           ["id", "channels", "last_fired", "fired_7d", "muted_until", "file"])


@rules_cmd.command("mute")
@click.argument("rule_id")
@click.option("--for", "duration", default="1h", show_default=True, metavar="DURATION",
              help="How long: 30m, 2h, 1d, 1w.")
@click.option("--off", is_flag=True, help="Unmute the rule now.")
@sub_config_option
@click.pass_context
def rules_mute(ctx: click.Context, rule_id: str, duration: str, off: bool, sub_config: Path | None) -> None:
    """Mute a rule for a while: its matches are still stored, but it makes no alert. The daemon heeds it at
    once (as a mute from the web console)."""
    from watcher.config.durations import parse_duration
    from watcher.rules.status import mute
    from watcher.store import Store

    config, rules = config_and_rules(chosen_config(ctx, sub_config))
    try:
        seconds = None if off else parse_duration(duration)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--for") from None
    store = Store(config.database)
    try:
        until = mute(store.db, rules, rule_id, seconds, datetime.now(timezone.utc))
    finally:
        store.close()
    click.echo(f"rule {rule_id}: muted until {until:%Y-%m-%d %H:%M} UTC" if until else f"rule {rule_id}: unmuted")
