"""Open a page in headless Chromium over the DevTools protocol: console errors, DOM checks, load time, screenshots.

Used by the browser tests, and from the command line to look at a page:

    python -m tests.browser out/report.html --shot out/report.png [--width 1280] [--full]

Needs Debian's `chromium` (the Makefile's `browser` target installs it) and
websocket-client (a test dependency).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    return next((shutil.which(name) for name in CANDIDATES if shutil.which(name)), None)


class Browser:
    """One headless Chromium with one page, driven by DevTools protocol commands."""

    def __init__(self, width: int = 1280, height: int = 900, timeout_s: float = 60.0):
        import websocket   # websocket-client

        binary = chromium_path()
        if binary is None:
            raise RuntimeError("no Chromium found (apt-get install -y chromium)")
        self.profile = tempfile.mkdtemp(prefix="wfm-chromium-")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0",
             "--remote-allow-origins=*", f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.timeout_s = timeout_s
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout_s
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t.get("type") == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout_s,
                                                  suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for method in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.send(method)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.width, self.height = width, height

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str) -> dict:
        deadline = time.monotonic() + self.timeout_s
        seen = next((e for e in self.events if e.get("method") == event), None)
        while seen is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {self.timeout_s:g} s")
            message = json.loads(self.socket.recv())
            self.events.append(message)
            if message.get("method") == event:
                seen = message
        return seen

    def open(self, path: Path) -> float:
        """Load a file; returns the load time in ms as the page measured it (navigation start to load end)."""
        self.events.clear()
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        return float(self.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors seen since the page was opened."""
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                errors.append(params.get("exceptionDetails", {}).get("text", "exception"))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                errors.append(params["entry"].get("text", "log error"))
        return errors

    def screenshot(self, path: Path, full_page: bool = False, max_height: int = 16000) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            height = min(int(size["height"]), max_height)
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1})
        data = self.send("Page.captureScreenshot", **params)["data"]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)

    def close(self) -> None:
        try:
            if getattr(self, "socket", None) is not None:
                self.socket.close()
        finally:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


CHART_CHECK = """(() => {
  const svgs = Array.from(document.querySelectorAll('svg.chart'));
  return {charts: svgs.length,
          empty: svgs.filter(s => s.getBoundingClientRect().width < 50 || s.querySelectorAll('rect,polyline,polygon,circle,line').length === 0).length,
          gantt_rows: document.querySelectorAll('#gantt g.gantt-row').length,
          gantt_agents: Array.from(document.querySelectorAll('#gantt g.gantt-row')).map(g => g.dataset.agent),
          heat_cells: document.querySelectorAll('rect.heat').length,
          width: document.documentElement.scrollWidth, viewport: window.innerWidth,
          height: document.documentElement.scrollHeight};
})()"""


def main() -> int:
    parser = argparse.ArgumentParser(description="Open a page in headless Chromium; report errors, load time, charts")
    parser.add_argument("page", type=Path)
    parser.add_argument("--shot", type=Path, help="save a screenshot here")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true", help="the whole page, not just the first screen")
    parser.add_argument("--scroll-to", help="CSS selector to scroll into view before the screenshot")
    args = parser.parse_args()
    with Browser(args.width, args.height) as browser:
        load_ms = browser.open(args.page)
        info = browser.evaluate(CHART_CHECK)
        info.pop("gantt_agents")
        print(json.dumps({"page": str(args.page), "bytes": os.path.getsize(args.page), "load_ms": round(load_ms, 1),
                          "console_errors": browser.console_errors(), **info}))
        if args.scroll_to:
            browser.evaluate(f"document.querySelector({json.dumps(args.scroll_to)}).scrollIntoView()")
        if args.shot:
            browser.screenshot(args.shot, full_page=args.full)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
