"""gunicorn's settings for this application (gunicorn reads ./gunicorn.conf.py by itself).

Start it from the repository root: ``gunicorn`` (or ``gunicorn -c gunicorn.conf.py``).
Each setting comes from a CASEAPP_* environment variable with a default for one small
machine; the README's deployment section says when to change them.
"""
import gc
import os

import gunicorn.http.wsgi

from caseapp.config import log_settings
from caseapp.logs import logconfig_dict as _logconfig


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "wsgi:app"
bind = os.environ.get("CASEAPP_BIND", "127.0.0.1:5000").split(",")

# Threads, not one request per process: a caseworker's upload of a DTSEN extract or a
# BPJS reply (up to MAX_IMPORT_BYTES, 300 MB) streams into its request at the sender's
# speed before a job takes it over; under the sync class that holds a whole process,
# and a few uploads would leave nobody to serve pages. Under gthread it holds one
# thread while the process's other threads go on serving. gthread also keeps
# connections alive (sync closes each), so a page's CSS and scripts reuse the page's
# connection. Both databases suit threads: SQLite (`make run`) serialises writers with
# BEGIN IMMEDIATE and a busy timeout across threads and processes alike (Werkzeug's
# server was threaded too); on PostgreSQL each process's SQLAlchemy pool (5 connections)
# covers its threads, so the database sees at most about workers x threads connections
# from each app server.
worker_class = "gthread"
threads = _int("CASEAPP_WEB_THREADS", 4)
# Pages are rendered in Python, so processes (one GIL each) give the CPU-bound
# parallelism: the classic 2 x cores + 1, capped at 8 because each process holds about
# 150 MB once the app (WeasyPrint included) is imported, and 8 x 4 threads is plenty
# for one office; add app servers rather than growing one past that.
workers = _int("CASEAPP_WEB_WORKERS", min(2 * _cores() + 1, 8))

# The longest request left once imports, reports and evidence packs run as jobs is an
# upload of MAX_IMPORT_BYTES (300 MB) reaching us at an office uplink's pace: about
# 10 Mbit/s gives 240 s, and the upload's checks before the job is queued add a
# little. Under gthread `timeout` is the silence after which the arbiter kills a
# wedged process (its main loop beats every second while a thread streams), and it is
# `graceful_timeout` that a request in flight gets when a process is told to stop (a
# deploy's HUP, max_requests below): both are 300 s so such an upload is never cut off.
# A reverse proxy that buffers request bodies (nginx does by default) shortens the
# upload's time here to the LAN's, but this must hold without one, as in `make run`.
timeout = _int("CASEAPP_WEB_TIMEOUT", 300)
graceful_timeout = _int("CASEAPP_WEB_GRACEFUL_TIMEOUT", 300)
# Idle seconds a connection stays open for the next request: covers a page's assets
# and the next click of a burst. Behind a proxy that pools connections to the app,
# set it above the proxy's idle timeout, or the proxy reuses a connection we closed.
keepalive = _int("CASEAPP_WEB_KEEPALIVE", 5)
# A process is replaced after this many requests (jittered, so they are not all
# replaced at once): the memory a large PDF or spreadsheet left behind goes back.
max_requests = _int("CASEAPP_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# X-Forwarded-* are interpreted in one place only: the app's ProxyFix, told by
# CASEAPP_PROXY_HOPS how many proxies stand in front (caseapp/security_headers.py).
# gunicorn's own handling trusts 127.0.0.1 by default, so any local process could
# claim HTTPS or rewrite SCRIPT_NAME/PATH_INFO even with CASEAPP_PROXY_HOPS=0, and with
# a proxy it would be a second reading of the same headers. So gunicorn trusts no peer
# (unix-socket peers are always trusted, hence no scheme or forwarder headers either).
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""

# No access log: gunicorn's prints the query string, and a search by NIK puts a NIK
# there. The app logs each request itself, without personal values
# (caseapp/request_log.py). Errors go to stderr, for the service manager to keep.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CASEAPP_WEB_LOG_LEVEL", "info")
# gunicorn's own lines (workers booting, timeouts) in the app's format: one JSON object
# per line (CASEAPP_LOG_FORMAT), through the same handler the app uses.
_log = log_settings()
logconfig_dict = _logconfig(_log["LOG_LEVEL"], _log["LOG_FORMAT"])

# gunicorn 27 answers every response with `Server: gunicorn` (Response.__init__ takes
# the module's SERVER; there is no setting). Name only the application: the banner
# would tell a visitor which server's advisories to look up. Set here, in the arbiter,
# before any worker forks; HTTP/2 responses inherit it too.
gunicorn.http.wsgi.SERVER = "SIGAP"

# gunicorn 25+ opens a control socket at one path per account ($XDG_RUNTIME_DIR or
# ~/.gunicorn), which a second instance (tests, a bench, `make run`) unlinks and takes
# over. Signals (HUP reload, TERM stop, TTIN/TTOU) are how this deployment is managed.
control_socket_disable = True
# A unix-socket bind is for the proxy's group only, not every local user.
umask = 0o007
# The workers' heartbeat files in memory, not on a disk that may stall (Docker's /tmp).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


# Python's cycle collector, tuned for a process that imports a large app once and then
# serves requests: what the app holds after import (some 300,000 objects: SQLAlchemy's
# mappers, Jinja's templates, WeasyPrint) is frozen out of the collector's scans, and the
# youngest generation is collected every 5,000 allocations rather than 700, as a page
# makes tens of thousands of short-lived objects. Measured on the page mix: collection
# time 0.37 -> 0.15 ms a request (issue 16). A frozen object is never collected, even
# if it later ends in a cycle of garbage: what the app imported lives as long as the
# process anyway. Young garbage in a cycle waits a little longer for its collection.
GC_YOUNG_THRESHOLD = 5_000


def post_worker_init(worker):
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
