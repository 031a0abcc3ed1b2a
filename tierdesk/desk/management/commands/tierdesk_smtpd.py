"""manage.py tierdesk_smtpd: the SMTP (or LMTP) listener that turns mail into tickets.

    manage.py tierdesk_smtpd --host 127.0.0.1 --port 2525          # SMTP
    manage.py tierdesk_smtpd --host 127.0.0.1 --port 2424 --lmtp   # LMTP, behind an MTA

Put it behind the MTA that faces the internet (Postfix `relay_transport`/`lmtp:` or a
transport map): it does no TLS, authentication or spam filtering of its own. Settings:
TIERDESK_MAIL_DOMAINS (domains accepted at RCPT; empty = all), TIERDESK_MAIL_MAX_MESSAGE_BYTES
(larger messages get 552; default 50 MB), TIERDESK_ATTACHMENT_MAX_BYTES.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from tierdesk.desk.intake.smtpd import MailListener, max_message_bytes


class Command(BaseCommand):
    help = "Run the SMTP/LMTP listener of the e-mail intake until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
        parser.add_argument("--workers", type=int, default=4,
                            help="threads storing and processing messages (default 4)")

    def handle(self, *args, host, port, lmtp, workers, **options):
        listener = MailListener(host=host, port=port, lmtp=lmtp, workers=workers).start()
        self.stdout.write(f"tierdesk {'LMTP' if lmtp else 'SMTP'} listener on {host}:{port} "
                          f"(max message {max_message_bytes()} bytes); Ctrl-C to stop")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            listener.stop()
            self.stdout.write("listener stopped")
