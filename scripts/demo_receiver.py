"""A callback receiver for the demo: verifies each webhook with `standardwebhooks` and summarises it."""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class Receiver(BaseHTTPRequestHandler):
    webhook = Webhook(os.environ["WEBHOOK_SECRET"])

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        try:
            self.webhook.verify(body, {k.lower(): v for k, v in self.headers.items()})
        except WebhookVerificationError as exc:
            print(f"[receiver] REJECTED webhook: {exc}", flush=True)
            self.send_response(400)
            self.end_headers()
            return
        event = json.loads(body)
        data = event["data"]
        counts = ", ".join(f"{len(data.get(k, []))} {k}" for k in
                           ("entities", "also_read", "background", "implications"))
        print(f"[receiver] signature verified: {event['type']} {event['id']} "
              f"(webhook-id {self.headers['webhook-id']}): {counts}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8001
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
