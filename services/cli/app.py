"""The `aixin` command: run the platform, sign in, manage accounts, fill a demo federation, read
figures and monthly reports, replay history, import lists, match, judge compliance, read the access log, find unreadable messages and give provincial systems
their NATS credentials; each group
of commands is a module of its own."""

from __future__ import annotations

import typer

from services.cli import reads, running, session
from services.cli.report import report
from services.cli.stats import stats
from services.cli.audit import audit_app
from services.cli.bulletin import bulletin, thresholds
from services.cli.award import award_app
from services.cli.compliance import compliance
from services.cli.hours import hours
from services.cli.organisation import stations, teams
from services.cli.doctor import doctor_app
from services.cli.imports import import_app
from services.cli.match import match_app
from services.cli.queues import queue_app
from services.cli.submission import submission_app
from services.cli.systems import nats_config, systems_app
from services.cli.users import users_app
from services.cli.work import work_app
from tooling import cli as tooling

app = typer.Typer(help="aixin: the 爱心妈妈 pairing platform", no_args_is_help=True,
                  pretty_exceptions_enable=False)
# `demo` and `bench` are the tooling's (tooling/), not the product's: this is the one place that names it.
for command in (running.up, running.serve, session.login, session.logout, session.whoami, tooling.demo,
                stats, report, reads.children, reads.history, reads.replay, tooling.bench, compliance, hours, teams,
                stations):
    app.command()(command)
app.command("nats-config")(nats_config)
app.command()(bulletin)  # the 通报 of an office's sub-offices for a month
app.command()(thresholds)  # the thresholds of its cards
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(award_app, name="award")
app.add_typer(doctor_app, name="doctor")
app.add_typer(import_app, name="import")
app.add_typer(match_app, name="match")
app.add_typer(queue_app, name="queue")
app.add_typer(submission_app, name="submission")
app.add_typer(systems_app, name="systems")
app.add_typer(work_app, name="work")
