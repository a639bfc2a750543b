"""`make screenshots`: the README's phone screenshots (docs/screenshots/), taken from the real system.

It does what `make run` does, in a throwaway folder and on free loopback ports: a fresh SQLite
database, migrated and filled by `manage.py demo`, the api and the web under their development
servers; then Debian's Chromium, on a 360 x 740 screen, signs in as each demo account and saves
the first screen of each page of PAGES (what the phone shows before scrolling) as a PNG, optimised
by Pillow. Nothing in the checkout changes but the PNGs.

.venv/bin/python scripts/screenshots.py [--language en|id] [--out docs/screenshots]

tests/web/test_screenshots.py checks that PAGES and the README's images agree.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 360, 740
PASSWORD = "demo-pass-2026"  # the README's demo accounts
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


class Shot(NamedTuple):
    file: str  # in docs/screenshots/
    email: str  # the demo account that signs in
    path: str  # the web page
    caption: str  # as the README's table heads it


PAGES = [
    Shot("donor-home.png", "donor@dblood.local", "/home/", "Donor home"),
    Shot("staff-home.png", "staff@dblood.local", "/staff/", "Blood-bank staff home"),
    Shot("lab-worklist.png", "staff@dblood.local", "/staff/lab/", "Lab worklist"),
]


def say(step: str) -> None:
    print(f"screenshots: {step}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until `url` answers (any HTTP status), or fail when the process dies or time runs out."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"screenshots: {url} never answered: its server exited ({process.returncode})")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit(f"screenshots: {url} did not answer within {seconds:.0f} s")


def start_system(folder: Path) -> tuple[str, list[subprocess.Popen]]:
    """Api and web on demo data, as `make run` has them; returns the web's URL and the processes."""
    api_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dblood.settings.development",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_URL": "consolemail://",
        "DBLOOD_API_URL": f"http://127.0.0.1:{api_port}",
        "PYTHONUNBUFFERED": "1",
    }
    say("migrating a fresh SQLite database")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    say("loading the demo data (manage.py demo)")
    subprocess.run([sys.executable, "manage.py", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    log = open(folder / "servers.log", "ab")  # noqa: SIM115 - open for the servers' life
    processes = []
    web_env = {**env, "DJANGO_SETTINGS_MODULE": "dblood_web.settings", "DEBUG": "1"}
    for name, manage, port, its_env in (
        ("api", "manage.py", api_port, env),
        ("web", "manage_web.py", web_port, web_env),
    ):
        say(f"starting the {name} on 127.0.0.1:{port}")
        args = [sys.executable, manage, "runserver", "--noreload", f"127.0.0.1:{port}"]
        processes.append(subprocess.Popen(args, cwd=ROOT, env=its_env, stdout=log, stderr=subprocess.STDOUT))
        wait_for(f"http://127.0.0.1:{port}/healthz", processes[-1])
    return f"http://127.0.0.1:{web_port}", processes


def take(browser, web: str, shot: Shot, language: str, out: Path) -> Path:
    """Sign in as the shot's account in a fresh phone-sized browser and save its page."""
    from PIL import Image

    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale=f"{language}-ID")
    try:
        page = context.new_page()
        response = page.goto(web + "/login/")
        if response is None or response.status != 200:
            status = response and response.status
            raise SystemExit(f"screenshots: {web}/login/ answered {status}: {page.content()[:800]}")
        page.locator("input[name=email]").fill(shot.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        page.goto(web + shot.path)
        other = page.locator(f".language button[value={language}]")
        if other.is_enabled():  # the account speaks the other language
            other.click()
            page.wait_for_load_state()
        target = out / shot.file
        page.screenshot(path=str(target))
    finally:
        context.close()
    with Image.open(target) as image:
        image.load()
    image.save(target, optimize=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--language", choices=["en", "id"], default="en")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dblood-screenshots-") as folder:
        web, processes = start_system(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for number, shot in enumerate(PAGES, 1):
                    say(f"[{number}/{len(PAGES)}] {shot.caption}: {shot.email} on {shot.path}")
                    target = take(browser, web, shot, args.language, args.out)
                    say(
                        f"      {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}, "
                        f"{target.stat().st_size // 1024} KB"
                    )
                browser.close()
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
