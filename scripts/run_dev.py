"""`make run`: the api on 127.0.0.1:8080 (and the web on :8000 once it exists), stopped together by Ctrl-C."""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    python = sys.executable
    processes = [
        subprocess.Popen([python, "manage.py", "runserver", "127.0.0.1:8080"], cwd=ROOT),
    ]
    if (ROOT / "dblood_web" / "manage.py").exists() or (ROOT / "manage_web.py").exists():
        env = {**os.environ, "DBLOOD_API_URL": os.environ.get("DBLOOD_API_URL", "http://127.0.0.1:8080")}
        processes.append(subprocess.Popen([python, "manage_web.py", "runserver", "127.0.0.1:8000"], cwd=ROOT, env=env))
    print("dblood: api http://127.0.0.1:8080/api/docs/  web http://127.0.0.1:8000/  (Ctrl-C stops both)", flush=True)
    try:
        return processes[0].wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
