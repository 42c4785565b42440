"""Docker HEALTHCHECK: GET /healthz on the local gunicorn, exit 0 when it answers "ok".

Sends the first of ALLOWED_HOSTS as Host, so Django's host validation accepts the probe.
"""

import http.client
import os
import sys

hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if host.strip()]
host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
port = int(os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1])

try:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    connection.request("GET", "/healthz", headers={"Host": host})
    response = connection.getresponse()
    healthy = response.status == 200 and response.read() == b"ok"
except OSError:
    healthy = False
sys.exit(0 if healthy else 1)
