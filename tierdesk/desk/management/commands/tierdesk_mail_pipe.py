"""manage.py tierdesk_mail_pipe: deliver one message read on stdin (an MTA pipe).

    manage.py tierdesk_mail_pipe --sender "$SENDER" --recipient "$RECIPIENT" < message.eml

Postfix master.cf, for example:
    tierdesk unix - n n - - pipe flags=Rq user=tierdesk
      argv=/srv/tierdesk/.venv/bin/python /srv/tierdesk/manage.py tierdesk_mail_pipe
           --sender ${sender} --recipient ${recipient}

Exit 0 once the message is stored (whatever processing decided: a bad message is stored and
held or recorded, never refused); exit 75 (EX_TEMPFAIL) when it could not be stored, so the
MTA keeps it and retries. Without --sender the message's own Return-Path header is used.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from tierdesk.desk.intake.email import email_receive

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store and process one e-mail message read from standard input."
    # call_command(..., stdin=io.BytesIO(raw)) in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--sender", default=None,
                            help='envelope sender (the MTA\'s ${sender}); "" for a bounce')
        parser.add_argument("--recipient", action="append", default=[],
                            help="envelope recipient; repeat for several")

    def handle(self, *args, sender, recipient, **options):
        stream = options.get("stdin") or sys.stdin.buffer
        try:
            raw = stream.read()
        except Exception as exc:
            raise CommandError(f"could not read the message: {exc}",
                               returncode=EX_TEMPFAIL) from exc
        try:
            row = email_receive(raw=raw, envelope_from=sender, recipients=recipient)
        except Exception as exc:
            raise CommandError(f"could not store the message: {exc}",
                               returncode=EX_TEMPFAIL) from exc
        self.stdout.write(f"stored as inbound message {row.pk}: {row.status}"
                          + (f" ({row.reason})" if row.reason else ""))
