"""The installer's options and the order of its steps (installer/install.py runs ``main``)."""
from __future__ import annotations

import argparse

from . import environment, hosts
from .locations import data_dir
from .manifest import Manifest
from .output import Output

DESCRIPTION = "SlowMo installer: the product in its own venv, plus the editor integrations."


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="install.py", description=DESCRIPTION)
    p.add_argument("--dry-run", "-n", action="store_true", help="show what would change; change nothing")
    p.add_argument("--uninstall", action="store_true", help="remove what this installer added")
    p.add_argument("--hosts", default="auto",
                   help=f"comma list of {','.join(hosts.NAMES)} (default: the ones found)")
    env = p.add_mutually_exclusive_group()
    env.add_argument("--use-env", metavar="DIR", help="an existing venv with SlowMo installed")
    env.add_argument("--python", metavar="PY", help="the Python of an environment with SlowMo")
    env.add_argument("--no-venv", action="store_true",
                     help="use the Python running this installer (SlowMo must be installed in it)")
    p.add_argument("--upgrade", action="store_true", help="reinstall the package into the venv")
    p.add_argument("--force", action="store_true", help="replace/remove files changed by someone else")
    p.add_argument("--no-system-packages", action="store_true", help="never run apt-get")
    p.add_argument("--verbose", "-v", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Install (or with --uninstall remove) SlowMo for this user; 0 on success."""
    args = parse_args(argv)
    out = Output(dry=args.dry_run, verbose=args.verbose)
    m = Manifest(data_dir(), out, force=args.force)
    names, forced = hosts.select(args.hosts)
    if args.dry_run:
        out.say("dry run: nothing will be changed")
    if args.uninstall:
        m.uninstall(names, partial=forced)
    else:
        env = environment.product_env(m, use_env=args.use_env, python=args.python,
                                      no_venv=args.no_venv, upgrade=args.upgrade)
        environment.check_ffmpeg(m, allow_apt=not args.no_system_packages)
        hosts.install(m, env, names, forced)
        m.save()
    if out.changes == 0:
        out.say("nothing to do: " + ("nothing of SlowMo's is installed" if args.uninstall
                                     else "everything is installed and up to date"))
    elif args.dry_run:
        out.say(f"dry run: {out.changes} change(s) would be made")
    else:
        out.say(f"done: {out.changes} change(s)")
    return 0
