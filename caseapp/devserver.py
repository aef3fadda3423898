"""`make run`'s server: Werkzeug's, without its version banner.

``Server: Werkzeug/3.1 Python/3.11`` tells a visitor which versions to look up
advisories for; this server names only the application.
"""
from werkzeug.serving import WSGIRequestHandler, run_simple


class QuietRequestHandler(WSGIRequestHandler):
    def version_string(self) -> str:
        return "SIGAP"


def main(host: str = "127.0.0.1", port: int = 5000) -> None:
    from wsgi import app

    run_simple(host, port, app, request_handler=QuietRequestHandler, threaded=True)


if __name__ == "__main__":
    main()
