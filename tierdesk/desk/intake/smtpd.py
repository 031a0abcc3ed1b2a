"""The SMTP / LMTP listener (aiosmtpd) that feeds `email_receive`.

aiosmtpd runs an asyncio event loop in its own thread. The Django ORM is synchronous, so each
message is stored and processed in a worker thread of a small pool (`loop.run_in_executor`):
the loop keeps accepting connections and reading DATA while workers write, and a slow
database never stalls the protocol. Each worker thread keeps its own database connection.

Replies:
* RCPT for a domain outside TIERDESK_MAIL_DOMAINS (when set) -> 550; otherwise accepted.
* a message over the size limit -> 552 (aiosmtpd enforces `data_size_limit`, announces it
  as SIZE in EHLO and refuses a MAIL FROM whose SIZE= exceeds it).
* the message could not be stored (database down) -> 451, so the sending MTA retries.
* stored -> 250, even when processing failed afterwards: the message is safe and the retry
  job processes it. In LMTP, one reply per accepted recipient, as RFC 2033 requires.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import close_old_connections, connections

from tierdesk.desk.intake.email import email_receive

log = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024


def accepted_domains() -> frozenset[str]:
    """TIERDESK_MAIL_DOMAINS: a comma-separated string or a list; empty accepts every
    domain (the MTA in front decides)."""
    value = getattr(settings, "TIERDESK_MAIL_DOMAINS", "") or ""
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(d.strip().lower().lstrip("@") for d in value if d.strip())


def max_message_bytes() -> int:
    return int(getattr(settings, "TIERDESK_MAIL_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES))


def _deliver_in_thread(raw: bytes, mail_from: str | None, rcpt_tos: list[str]) -> str:
    # A pooled thread may hold a connection the database has since closed.
    close_old_connections()
    try:
        row = email_receive(raw=raw, envelope_from=mail_from or "", recipients=rcpt_tos)
    finally:
        close_old_connections()
    return f"{row.pk} {row.status}"


def _close_thread_connection(barrier: threading.Barrier) -> None:
    # Every worker waits at the barrier, so each thread of the pool runs this exactly once.
    barrier.wait(timeout=10)
    connections.close_all()


class DeskMailHandler:
    """aiosmtpd handler: domain check at RCPT, store-and-process at DATA."""

    def __init__(self, *, executor: ThreadPoolExecutor, domains: frozenset[str],
                 lmtp: bool = False) -> None:
        self.executor = executor
        self.domains = domains
        self.lmtp = lmtp

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if self.domains and domain not in self.domains:
            return f"550 5.1.1 <{address}>: we do not accept mail for this domain"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        raw = envelope.original_content or b""
        try:
            result = await loop.run_in_executor(
                self.executor, _deliver_in_thread, raw, envelope.mail_from,
                list(envelope.rcpt_tos),
            )
        except Exception:
            log.exception("could not store a message from %s", envelope.mail_from)
            return self._reply("451 4.3.0 Could not store the message, try again later",
                               envelope)
        log.info("stored message %s from %s", result, envelope.mail_from)
        return self._reply("250 2.0.0 Message accepted", envelope)

    def _reply(self, line: str, envelope) -> str:
        if not self.lmtp:
            return line
        # LMTP answers DATA once per accepted recipient; aiosmtpd pushes our string as is.
        return "\r\n".join([line] * max(1, len(envelope.rcpt_tos)))


class _DeskController(Controller):
    def __init__(self, handler, *, lmtp: bool, **kwargs):
        self.lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self):
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)


class MailListener:
    """Start and stop the listener. Used by `manage.py tierdesk_smtpd`, the tests and the
    benchmark:

        listener = MailListener(host="127.0.0.1", port=2525).start()
        ...
        listener.stop()
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 2525, lmtp: bool = False,
                 workers: int = 4, max_bytes: int | None = None,
                 domains: frozenset[str] | None = None) -> None:
        self.host, self.port, self.lmtp, self.workers = host, port, lmtp, workers
        self.executor = ThreadPoolExecutor(max_workers=workers,
                                           thread_name_prefix="tierdesk-mail")
        handler = DeskMailHandler(
            executor=self.executor,
            domains=accepted_domains() if domains is None else domains, lmtp=lmtp,
        )
        self.controller = _DeskController(
            handler, lmtp=lmtp, hostname=host, port=port,
            data_size_limit=max_bytes if max_bytes is not None else max_message_bytes(),
            server_hostname=getattr(settings, "TIERDESK_MAIL_HOSTNAME", None) or None,
            ident="tierdesk",
        )

    def start(self) -> MailListener:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        # Close each worker's database connection in that worker (a connection can only be
        # closed by its own thread), then end the pool.
        barrier = threading.Barrier(self.workers)
        futures = [self.executor.submit(_close_thread_connection, barrier)
                   for _ in range(self.workers)]
        for future in futures:
            future.result(timeout=20)
        self.executor.shutdown(wait=True)
