"""API ticket creation benchmark: POST /api/tickets through the whole stack (bearer token,
schema, desk.services.ticket_open with its SLA snapshot, timeline entry, audit event and
queued acknowledgement mail).

    .venv/bin/python bench/bench_api_tickets.py                 # SQLite in a temporary dir
    .venv/bin/python bench/bench_api_tickets.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/bench_api_tickets.py --server        # also over HTTP, gunicorn

Two shapes, each measured `--repeat` times (default 3; other jobs may be loading the CPU),
reporting every run and then the best and the median:

* in process: the WSGI application called as a server calls it (no server, no network),
  one request after another. Besides the rate it prints the CPU time per ticket (this
  process's), which other jobs on the machine disturb less than the rate — though not at
  all only on an idle machine.
* `--server`: the product as scripts/run.sh serves it — gunicorn, 2 sync workers on a free
  port, against the database prepared here — with `--threads` connections posting in
  parallel. The load comes from wrk (Debian's `wrk`, written in C) when it is installed:
  on a 2-core machine the client shares the CPU with the server, and wrk takes a tenth of
  what a Python client takes. Without wrk, `--threads` Python threads post through a small
  raw-socket HTTP/1.1 client (cheaper than http.client); `--python-client` forces it. It
  prints the CPU time the workers spent per ticket too.

`--instructions N` counts instead of timing: the CPU instructions of N staff openings in
process, under valgrind's callgrind (Debian's `valgrind`), which counts the same for the same
code however busy or fast the machine is — the way to compare two versions of the code
on a machine whose speed drifts. Instrumentation is switched on (`callgrind_control`) only
around the measured requests, after the setup and a warm-up; about a minute for N=200.

The task queue is the embedded SQLite one, as scripts/run.sh runs it, unless `--redis URL`
(huey on Redis, as a larger installation runs it; give it a database of its own, e.g.
redis://127.0.0.1:6379/15: the benchmark empties that queue at the end). No worker consumes
the queue while it runs: the acknowledgements wait there, queued.

Target (issue 3): >= 500 tickets per second. For scale: django-helpdesk 2.6.1 on this
machine creates about 53 per second through its API. Tickets go to 50 clients on the three
built-in tiers, through e-mail and phone channels (staff token) and the portal (a contact's
token).
"""

import argparse
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchenv

TARGET_PER_SECOND = 500.0
HELPDESK_PER_SECOND = 53.0
VENV_BIN = Path(sys.executable).parent


def _prepare_environment(args) -> None:
    environ = {"ALLOWED_HOSTS": "testserver,127.0.0.1"}
    if args.redis:
        environ["REDIS_URL"] = args.redis
    benchenv.prepare("api", postgres=args.postgres, **environ)


def _setup(n_clients: int):
    import datetime as dt

    from tierdesk.api.services import api_token_create
    from tierdesk.catalog.models import Segment
    from tierdesk.catalog.seed import catalog_load_defaults
    from tierdesk.clients.models import Agreement, Client, Contact, Site
    from tierdesk.core.models import Role, User
    from tierdesk.plans.models import PlanVersion
    from tierdesk.plans.seed import tiers_load_defaults

    catalog_load_defaults()
    tiers_load_defaults()
    versions = list(PlanVersion.objects.order_by("plan__rank"))
    segment = Segment.objects.order_by("id").first()
    clients = []
    for i in range(n_clients):
        client = Client.objects.create(name=f"Bench client {i}", segment=segment,
                                       timezone="America/New_York")
        site = Site.objects.create(client=client, name="Main", address="1 Main St",
                                   drive_minutes=20 + i % 60, has_rmm_agent=True)
        contact = Contact.objects.create(client=client, name=f"Contact {i}",
                                         email=f"c{i}@bench.example")
        version = versions[i % len(versions)]
        Agreement.objects.create(
            client=client, plan_version=version, status="active",
            start_date=dt.date.today() - dt.timedelta(days=30), users_count=10,
            devices_count=10, base_fee=version.base_fee, price_per_user=version.price_per_user,
            price_per_device=version.price_per_device,
        )
        clients.append((client, site, contact))
    dispatcher = User.objects.create(username="bench-dispatcher", role=Role.DISPATCHER)
    portal_user = User.objects.create(username="bench-contact", role=Role.CONTACT)
    portal_contact = clients[0][2]
    portal_contact.user = portal_user
    portal_contact.save()
    _, staff_token = api_token_create(user=dispatcher, name="bench", scope="write")
    _, contact_token = api_token_create(user=portal_user, name="bench", scope="write")
    return clients, staff_token, contact_token


def _bodies(clients):
    channels = ("email", "phone_attendant", "hotline", "walk_in")
    priorities = ("p1", "p2", "p3", "p4")

    def staff_body(i: int) -> dict:
        client, site, contact = clients[i % len(clients)]
        return {"client_id": client.pk, "channel": channels[i % len(channels)],
                "priority": priorities[(i // 4) % 4], "contact_id": contact.pk,
                "site_id": site.pk, "subject": f"Bench ticket {i}",
                "body": "The shared drive is unreachable from the front desk.",
                "needs_onsite": i % 10 == 0}

    def contact_body(i: int) -> dict:
        return {"subject": f"Portal ticket {i}", "body": "Printer offline.",
                "priority": "p3" if i % 2 else "p4"}

    return staff_body, contact_body


class Result:
    """One measured run: tickets, wall seconds, per-request latencies (ms), CPU seconds;
    or, from wrk, its own median and 95th percentile instead of the latencies."""

    def __init__(self, n: int, seconds: float, samples: list[float], cpu: float | None,
                 percentiles: tuple[float, float] | None = None):
        self.n, self.seconds, self.samples, self.cpu = n, seconds, samples, cpu
        self.p50, self.p95 = percentiles or (statistics.median(samples),
                                             benchenv.percentile(samples, 0.95))

    @property
    def rate(self) -> float:
        return self.n / self.seconds


HEADER = (f"{'run':40} {'tickets':>7} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'cpu ms':>7} {'x target':>8} {'x helpdesk':>10}")


def _line(name: str, result: Result) -> str:
    cpu = f"{result.cpu * 1000 / result.n:7.2f}" if result.cpu is not None else f"{'-':>7}"
    return (f"{name:40} {result.n:7d} {result.rate:7.0f} "
            f"{result.p50:7.2f} {result.p95:7.2f} {cpu} "
            f"{result.rate / TARGET_PER_SECOND:8.2f} {result.rate / HELPDESK_PER_SECOND:10.1f}")


def _summary(name: str, results: list[Result]) -> str:
    rates = [r.rate for r in results]
    best, median = max(rates), statistics.median(rates)
    return (f"{name}: best {best:.0f}/s, median {median:.0f}/s of {len(rates)} runs — "
            f"x{best / TARGET_PER_SECOND:.2f} / x{median / TARGET_PER_SECOND:.2f} the "
            f"{TARGET_PER_SECOND:.0f}/s target, x{best / HELPDESK_PER_SECOND:.1f} / "
            f"x{median / HELPDESK_PER_SECOND:.1f} django-helpdesk's {HELPDESK_PER_SECOND:.0f}/s")


# In process ---------------------------------------------------------------------------------

def _environ(token: str, payload: bytes) -> dict:
    """The WSGI environ a server hands Django for one POST /api/tickets."""
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/tickets", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)), "wsgi.input": io.BytesIO(payload),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }


def _run_in_process(application, token: str, bodies: list[dict]) -> Result:
    # The WSGI application called as gunicorn calls it, with no server and no network:
    # Django's test client would add its own work (signals, a cookie jar) to every request.
    payloads = [json.dumps(body).encode() for body in bodies]
    samples = []
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    cpu = time.process_time()
    started = time.perf_counter()
    for payload in payloads:
        t0 = time.perf_counter()
        response = application(_environ(token, payload), start_response)
        content = b"".join(response)
        response.close()
        samples.append((time.perf_counter() - t0) * 1000)
        assert statuses[-1].startswith("201"), (statuses[-1], content[:300])
    seconds = time.perf_counter() - started
    return Result(len(payloads), seconds, samples, time.process_time() - cpu)


# Over HTTP, the deployed shape --------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int, log) -> subprocess.Popen:
    # As scripts/run.sh starts it (same workers, same access log), on a port of its own.
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "tierdesk.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--access-logfile", "-"],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=log,
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def _worker_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU time of the server's workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _request(token: str, payload: bytes) -> bytes:
    return (f"POST /api/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload


def _response(sock: socket.socket) -> tuple[int, bytes, bool]:
    """Status, body and whether the server keeps the connection, of one response with a
    Content-Length (what Django sends)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-response")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip()
               for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-body")
        body += chunk
    return int(lines[0].split()[1]), body, headers.get("connection", "").lower() != "close"


def _run_over_http(port: int, token: str, bodies: list[dict], threads: int,
                   server: subprocess.Popen) -> Result:
    # A small HTTP/1.1 client on raw sockets, requests built beforehand: http.client took
    # half a millisecond of CPU a request (its header parser), CPU the server shares here.
    requests = [_request(token, json.dumps(body).encode()) for body in bodies]
    shares = [requests[i::threads] for i in range(threads)]
    samples: list[list[float]] = [[] for _ in range(threads)]
    failures: list[str] = []
    start = threading.Barrier(threads + 1)

    def client(index: int) -> None:
        # One connection per thread, kept while the server keeps it (gunicorn's sync
        # workers close it after each response: the client then connects again).
        sock = None
        start.wait()
        for request in shares[index]:
            t0 = time.perf_counter()
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(request)
            status, content, keep = _response(sock)
            samples[index].append((time.perf_counter() - t0) * 1000)
            if status != 201:
                failures.append(f"{status} {content[:300]!r}")
                break
            if not keep:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    cpu = _worker_cpu_seconds(server)
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    cpu = _worker_cpu_seconds(server) - cpu
    assert not failures, failures[:3]
    return Result(len(requests), seconds, [s for share in samples for s in share], cpu)


# wrk's script: the prepared bodies in turn on every connection; at the end one line with
# what the summary says (requests, microseconds, non-2xx responses, socket errors, p50, p95).
WRK_SCRIPT = """
local bodies = {%(bodies)s}
local headers = {["Authorization"] = "Bearer %(token)s", ["Content-Type"] = "application/json"}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/api/tickets", headers, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%d %%d %%.3f %%.3f\\n", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def _wrk_script(token: str, bodies: list[dict]) -> str:
    def lua(text: str) -> str:  # a Lua long string: JSON never holds "]]"
        return "[[" + text + "]]"

    with tempfile.NamedTemporaryFile("w", prefix="bench-api-", suffix=".lua",
                                     delete=False) as script:
        script.write(WRK_SCRIPT % {"token": token,
                                   "bodies": ",\n".join(lua(json.dumps(b)) for b in bodies)})
    return script.name


def _run_wrk(port: int, script: str, connections: int, seconds: float,
             server: subprocess.Popen) -> Result:
    cpu = _worker_cpu_seconds(server)
    out = subprocess.run(["wrk", "--threads", "1", "--connections", str(connections),
                          "--duration", f"{seconds:g}s", "--script", script,
                          f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, check=True).stdout
    cpu = _worker_cpu_seconds(server) - cpu
    (line,) = [line for line in out.splitlines() if line.startswith("WRK ")]
    n, micros, non_2xx, socket_errors, p50, p95 = line.split()[1:]
    assert int(non_2xx) == 0 and int(socket_errors) == 0, out
    return Result(int(n), int(micros) / 1e6, [], cpu, (float(p50), float(p95)))


# Counting instructions -----------------------------------------------------------------

def _count_instructions(args) -> None:
    """Run this script under callgrind as `--callgrind-child`, with instrumentation on only
    while the child runs its N measured requests; print the instructions per request."""
    with tempfile.TemporaryDirectory(prefix="bench-api-callgrind-") as tmp:
        child = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={tmp}/callgrind.out", f"--log-file={tmp}/valgrind.log",
             sys.executable, __file__, "--callgrind-child", str(args.instructions),
             "--clients", str(args.clients)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

        def step(expected: str, command: str) -> None:
            line = child.stdout.readline().strip()
            assert line == expected, f"the child said {line!r}; see {tmp}/valgrind.log"
            subprocess.run(["callgrind_control", "--instr=" + command, str(child.pid)],
                           check=True, capture_output=True)
            child.stdin.write("go\n")
            child.stdin.flush()

        step("ready", "on")
        step("done", "off")
        child.wait(timeout=600)
        log = Path(tmp, "valgrind.log").read_text()
    total = int(re.search(r"Collected : (\d+)", log)[1])
    print(f"{total / args.instructions / 1e6:.2f} M instructions per staff ticket opening "
          f"(in process; {total:,} for {args.instructions}; callgrind)")


def _callgrind_child(n: int, clients: int) -> None:
    _prepare_environment(argparse.Namespace(postgres=None, redis=None))
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0)
    clients_, staff_token, contact_token = _setup(clients)
    staff_body, _ = _bodies(clients_)
    application = get_wsgi_application()
    _run_in_process(application, staff_token, [staff_body(i) for i in range(100)])  # warm-up
    bodies = [staff_body(1000 + i) for i in range(n)]
    print("ready", flush=True)
    sys.stdin.readline()  # the parent has switched instrumentation on
    _run_in_process(application, staff_token, bodies)
    print("done", flush=True)
    sys.stdin.readline()  # ... and off


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=3000, help="staff tickets per run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to create a bench DB on")
    parser.add_argument("--redis", help="run the task queue on this Redis (a database of its "
                        "own: its queue is emptied at the end)")
    parser.add_argument("--server", action="store_true",
                        help="also measure over HTTP against gunicorn with 2 workers")
    parser.add_argument("--threads", type=int, default=4,
                        help="connections (Python client: threads) for --server")
    parser.add_argument("--seconds", type=float, default=8,
                        help="length of each wrk run for --server")
    parser.add_argument("--python-client", action="store_true",
                        help="load --server from Python threads even when wrk is installed")
    parser.add_argument("--instructions", type=int, metavar="N",
                        help="only count the CPU instructions of N openings (callgrind)")
    parser.add_argument("--callgrind-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.callgrind_child:
        _callgrind_child(args.callgrind_child, args.clients)
        return
    if args.instructions:
        _count_instructions(args)
        return
    _prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from tierdesk.desk.models import Ticket, TicketEntry

    call_command("migrate", verbosity=0)
    clients, staff_token, contact_token = _setup(args.clients)
    staff_body, contact_body = _bodies(clients)
    n = args.tickets
    application = get_wsgi_application()
    _run_in_process(application, staff_token, [staff_body(i) for i in range(50)])  # warm-up
    queue = type(HUEY.storage).__name__
    print(f"database: {connection.vendor}; task queue: {queue}; {args.clients} clients on "
          f"Silver/Gold/Platinum; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f} at the start; CPU reference loop "
          f"{benchenv.cpu_reference():.0f} ms (lower is a faster machine)")
    print("in process (the WSGI application called directly, one request at a time):")
    print(HEADER)
    staff, portal = [], []
    for run in range(1, args.repeat + 1):
        staff.append(_run_in_process(application, staff_token, [staff_body(i) for i in range(n)]))
        print(_line(f"#{run} staff token, e-mail/phone/walk-in", staff[-1]))
        portal.append(_run_in_process(application, contact_token,
                                      [contact_body(i) for i in range(n // 3)]))
        print(_line(f"#{run} contact token, portal", portal[-1]))
    print(_summary("in process, staff", staff))
    print(_summary("in process, portal", portal))

    if args.server:
        connection.close()  # the workers are the database's clients now
        port = _free_port()
        with tempfile.NamedTemporaryFile("w+", prefix="bench-api-gunicorn-",
                                         suffix=".log", delete=False) as log:
            server = _start_server(port, log)
            use_wrk = shutil.which("wrk") is not None and not args.python_client
            script = _wrk_script(staff_token, [staff_body(i) for i in range(n)]) if use_wrk \
                else None
            try:
                _run_over_http(port, staff_token, [staff_body(i) for i in range(200)],
                               args.threads, server)  # warm-up: both workers, connections
                client = (f"wrk, {args.threads} connections, {args.seconds:g} s a run"
                          if use_wrk else f"{args.threads} Python client threads")
                print(f"over HTTP (gunicorn, 2 sync workers, port {port}; {client}; cpu ms "
                      f"= the workers' CPU per ticket):")
                print(HEADER)
                served = []
                for run in range(1, args.repeat + 1):
                    if use_wrk:
                        served.append(_run_wrk(port, script, args.threads, args.seconds,
                                               server))
                    else:
                        served.append(_run_over_http(port, staff_token,
                                                     [staff_body(i) for i in range(n)],
                                                     args.threads, server))
                    print(_line(f"#{run} staff token, {args.threads} "
                                f"{'connections' if use_wrk else 'threads'}", served[-1]))
                print(_summary("over HTTP, staff", served))
            finally:
                server.terminate()
                server.wait(timeout=30)
                if script:
                    os.unlink(script)
    print(f"load average {os.getloadavg()[0]:.1f} and CPU reference loop "
          f"{benchenv.cpu_reference():.0f} ms at the end; stored: "
          f"{Ticket.objects.count()} tickets, {TicketEntry.objects.count()} entries; with due "
          f"times: {Ticket.objects.exclude(first_response_due_at=None).count()}; queued "
          f"tasks: {HUEY.pending_count()}")
    if args.redis:
        HUEY.flush()


if __name__ == "__main__":
    main()
