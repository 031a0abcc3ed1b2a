"""E-mail intake benchmark: messages per second through a real SMTP connection to the
listener (`MailListener`, the same code `manage.py tierdesk_smtpd` runs), each stored raw,
processed and ticketed or threaded, on a fresh database in a temporary data directory.

    .venv/bin/python bench/bench_email.py                 # SQLite, 500 messages
    .venv/bin/python bench/bench_email.py -n 1000 --connections 4
    .venv/bin/python bench/bench_email.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Four messages in five open a new ticket (with the desk's acknowledgement queued for
sending); one in five replies into an earlier ticket by its "[TD-XXXXXX]" subject token.
The clock runs from the first MAIL FROM to the last 250 reply, and the listener answers
250 only once the message is processed, so the figure is end-to-end. Target (issue 3):
>= 50 messages per second.
"""

import argparse
import smtplib
import socket
import threading
import time
from email import policy
from email.message import EmailMessage

import benchenv

TARGET_PER_SECOND = 50.0


def _prepare_environment(args) -> None:
    # aiosmtpd logs every command at INFO
    benchenv.prepare("mail", postgres=args.postgres, LOG_LEVEL="WARNING")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _contacts(count: int) -> list[str]:
    """Three clients on a tier that includes e-mail, `count` contacts spread over them."""
    import datetime as dt

    from tierdesk.clients.factories import AgreementFactory, ClientFactory, ContactFactory
    from tierdesk.plans.factories import PlanVersionFactory

    version = PlanVersionFactory(channels=["email", "portal"])
    clients = [ClientFactory(name=f"Bench client {n}") for n in range(3)]
    for client in clients:
        AgreementFactory(client=client, plan_version=version, status="active",
                         start_date=dt.date(2025, 1, 1))
    return [ContactFactory(client=clients[n % 3], email=f"user{n}@bench{n % 3}.example").email
            for n in range(count)]


def _message(n: int, sender: str, reference: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"User {n} <{sender}>"
    msg["To"] = "support@msp.example"
    msg["Subject"] = (f"Re: [{reference}] still broken" if reference
                      else f"Workstation {n} will not boot")
    msg["Message-ID"] = f"<bench-{n}-{time.time_ns()}@client.example>"
    msg.set_content(f"Message {n}: the workstation shows a blue screen after the update.\n"
                    "Please call me back.\n\nOn Mon, 2 Mar 2026, Desk wrote:\n> earlier text\n")
    return msg.as_bytes(policy=policy.SMTP)


def _send(port: int, jobs: list[tuple[str, bytes]], errors: list) -> None:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for sender, raw in jobs:
                smtp.sendmail(sender, ["support@msp.example"], raw)
    except Exception as exc:  # reported, not hidden
        errors.append(exc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=500)
    parser.add_argument("--connections", type=int, default=1,
                        help="concurrent SMTP connections (default 1)")
    parser.add_argument("--workers", type=int, default=4, help="listener worker threads")
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to create a bench DB on")
    args = parser.parse_args()
    _prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tierdesk.desk.intake.smtpd import MailListener
    from tierdesk.desk.models import InboundMessage, Ticket

    call_command("migrate", verbosity=0)
    senders = _contacts(100)
    connection.close()  # the listener's threads use their own connections

    listener = MailListener(host="127.0.0.1", port=_free_port(), workers=args.workers).start()
    try:
        # Warm-up: open one ticket per client so replies have something to name.
        warm = [(senders[i], _message(-i - 1, senders[i])) for i in range(3)]
        errors: list = []
        _send(listener.port, warm, errors)
        references = list(Ticket.objects.order_by("id").values_list("reference", "client_id"))
        by_client = {client_id: ref for ref, client_id in references}
        client_of = {}
        from tierdesk.clients.models import Contact

        for email, client_id in Contact.objects.values_list("email", "client_id"):
            client_of[email] = client_id
        connection.close()

        jobs = []
        for n in range(args.messages):
            sender = senders[n % len(senders)]
            reference = by_client[client_of[sender]] if n % 5 == 4 else ""
            jobs.append((sender, _message(n, sender, reference)))
        batches = [jobs[i::args.connections] for i in range(args.connections)]
        threads = [threading.Thread(target=_send, args=(listener.port, batch, errors))
                   for batch in batches]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    finally:
        listener.stop()

    statuses = dict.fromkeys(("ticketed", "threaded", "held", "recorded", "received"), 0)
    for status in InboundMessage.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    rate = args.messages / elapsed
    print(f"database: {connection.vendor}; {args.messages} messages over "
          f"{args.connections} SMTP connection(s), {args.workers} listener workers")
    print(f"outcomes (incl. 3 warm-up): {statuses}; send errors: {len(errors)}")
    if errors:
        print(f"first error: {errors[0]!r}")
    print(f"e-mail intake: {rate:.0f} messages/s ({elapsed:.2f} s; "
          f"{elapsed / args.messages * 1000:.1f} ms each) — target >= {TARGET_PER_SECOND:.0f}/s, "
          f"ratio {TARGET_PER_SECOND / rate:.2f} (< 1.0 is within target)")


if __name__ == "__main__":
    main()
