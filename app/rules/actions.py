"""Alarm actions, run off the hot path on their own threads; failures become events."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from twinbench.paths import safe_name
from twinbench.rules.alarms import AlarmRecord, render


class ActionError(Exception):
    """An action that could not be carried out (the message says why)."""


def _payload(rec: AlarmRecord) -> dict[str, Any]:
    value = rec.value if rec.value == rec.value else None  # NaN is not JSON
    return {
        "rule": rec.rule,
        "device": rec.device,
        "severity": rec.severity,
        "state": rec.state,
        "value": value,
        "t_ns": rec.t_ns,
        "message": rec.message,
    }


def webhook_headers(params: Mapping[str, Any], rule: str) -> dict[str, str]:
    """A webhook's headers, with `Authorization: Bearer` from the place its token_* names."""
    from twinbench.credentials import SecretSpec, resolve

    headers = dict(params.get("headers") or {})
    key = params.get("token_key", "")
    spec = SecretSpec(
        f"webhook token of rule {rule!r}",
        keyring=(key.partition(":")[0], key.partition(":")[2] or "webhook") if key else None,
        credential=params.get("token_credential", ""),
        file=params.get("token_file", ""),
        env=params.get("token_env", ""),
    )
    if spec.named:
        headers["Authorization"] = f"Bearer {resolve(spec)}"
    return headers


def post_json(
    url: str,
    body: dict[str, Any],
    timeout: float,
    retries: int,
    headers: Mapping[str, str] | None = None,
) -> int:
    """POST a JSON body, retrying on errors; returns the HTTP status or raises ActionError."""
    data = json.dumps(body).encode()
    last = ""
    for attempt in range(retries + 1):
        req = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", **dict(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # TLS verified by default
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            exc.close()
            if exc.code < 500:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = "timed out" if isinstance(reason, TimeoutError) else str(reason)
        if attempt < retries:
            time.sleep(min(0.1 * 2**attempt, 2.0))
    raise ActionError(f"POST {url} failed after {retries + 1} attempt(s): {last}")


class ActionRunner:
    """Runs actions on a small pool of worker threads with a bounded backlog."""

    def __init__(
        self,
        services: Callable[[], Mapping[str, Any]],
        emit: Callable[..., Any] | None,
        workers: int = 4,
        backlog: int = 256,
    ) -> None:
        self.services = services
        self.emit = emit
        self.workers = workers
        self.backlog = backlog
        self.pending = 0
        self.done = 0
        self.failed = 0
        self.dropped = 0
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, action: Any, rec: AlarmRecord) -> Future[None] | None:
        """Queue `action` for `rec`; never blocks (a full backlog drops and counts)."""
        with self._lock:
            if self._closed:
                return None
            if self.pending >= self.backlog:
                self.dropped += 1
                return None
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="twinbench-action")
            self.pending += 1
            fut = self._pool.submit(self._run, action, rec)
        return fut

    def _run(self, action: Any, rec: AlarmRecord) -> None:
        try:
            detail = self.execute(action, rec)
        except Exception as exc:
            with self._lock:
                self.failed += 1
                self.pending -= 1
            if self.emit is not None:
                self.emit(
                    "action",
                    rec.device,
                    f"{action.kind} action of rule {rec.rule!r} failed: {exc}",
                    rule=rec.rule,
                    action=action.kind,
                    ok=False,
                )
            return
        with self._lock:
            self.done += 1
            self.pending -= 1
        if self.emit is not None:
            self.emit(
                "action",
                rec.device,
                f"{action.kind} action of rule {rec.rule!r}: {detail}",
                rule=rec.rule,
                action=action.kind,
                ok=True,
            )

    def _service(self, name: str, what: str) -> Any:
        svc = self.services().get(name)
        if svc is None:
            raise ActionError(f"no {name!r} service is registered, cannot {what}")
        return svc

    def execute(self, action: Any, rec: AlarmRecord) -> str:
        """Carry out one action now (on the calling thread); returns what was done."""
        p = action.params
        fields = _payload(rec)
        if action.kind == "webhook":
            status = post_json(
                p["url"],
                fields,
                float(p.get("timeout", 5.0)),
                int(p.get("retries", 2)),
                webhook_headers(p, rec.rule),
            )
            return f"POST {p['url']} -> {status}"
        if action.kind == "command":
            fn = self._service("commands", "send a command")
            fn(rec.device, p["command"], dict(p.get("args", {})))
            return f"command {p['command']!r} sent to {rec.device}"
        if action.kind == "desired":
            fn = self._service("desired", "write a desired property")
            fn(rec.device, p["property"], p["value"])
            return f"desired {p['property']} = {p['value']!r} on {rec.device}"
        if action.kind == "mqtt":
            fn = self._service("mqtt_publish", "publish to MQTT")
            payload = p.get("payload")
            text = render(payload, fields) if isinstance(payload, str) else json.dumps(fields)
            fn(render(p["topic"], fields), text, int(p.get("qos", 0)), bool(p.get("retain", False)))
            return f"published to {p['topic']}"
        if action.kind == "log":
            # data (device ids, rule names) fills the user's template as safe names only
            path = Path(render(p["path"], {k: safe_name(v) for k, v in fields.items()}))
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(fields) + "\n")
            return f"logged to {path}"
        if action.kind == "notify":
            if self.emit is not None:
                self.emit(
                    "notification",
                    rec.device,
                    render(p.get("message", "{message}"), fields),
                    rule=rec.rule,
                    severity=rec.severity,
                )
            return "notified"
        if action.kind == "record":
            rec_svc = self._service("recorder", f"{p['do']} recording")
            fn = getattr(rec_svc, p["do"], None)
            if callable(fn):
                fn()
            elif callable(rec_svc):
                rec_svc(p["do"])
            else:
                raise ActionError("the recorder service has no start/stop")
            return f"recording {p['do']}"
        raise ActionError(f"unknown action {action.kind!r}")

    def close(self, wait: bool = True) -> None:
        """Stop taking actions; wait for running ones (pending ones are cancelled)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)
