"""Run localstripe bound to 127.0.0.1 on a free port; print the port, then serve until killed.

localstripe's own command line listens on every interface and pickles its store to a fixed
/tmp file; here each test worker gets its own loopback-only server with the store in memory.
"""

import socket
import sys

from aiohttp import web
from localstripe import resources, server


def main():
    resources.store.dump_to_disk = lambda: None  # in memory only: workers must not share a file
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    sys.exit(main())
