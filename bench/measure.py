"""Run a command and measure it: wall time, CPU time and peak resident memory of its process tree, the load.

The first process is Beam's runner (the driver), its children are the worker processes. Peaks are sampled every
0.2 s with psutil: the runner's, the largest single worker's, and the whole tree's (their sum at one instant).
CPU time (user + system) adds up every process of the tree as last seen: unlike wall time, other work on a
shared machine does not inflate it.
`progress_every` seconds, a line with the elapsed time and the current memory goes to stderr, so that a long
run shows it is alive.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

MB = 1 << 20


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system time of the whole process tree
    runner_mb: float  # peak RSS of the command's own process (the Beam runner)
    worker_mb: float  # peak RSS of its largest child process (a Beam worker)
    total_mb: float  # peak of the sum over the process tree
    load_before: float  # 1-minute load average when it started: other work on the machine
    load_after: float
    stdout: str

    def figures(self) -> dict[str, float]:
        return {k: round(v, 1) for k, v in asdict(self).items() if k != "stdout"}


def machine_load() -> float:
    return os.getloadavg()[0]


def run_measured(command: list[str], cwd: Path, progress_every: float = 60.0) -> Measured:
    """Run `command` to completion; raise CalledProcessError (with its output) when it fails."""
    load_before, started = machine_load(), time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda name, stream: outputs.__setitem__(name, stream.read()), args=(name, stream))
        for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
    ]
    for reader in readers:
        reader.start()
    root = psutil.Process(process.pid)
    peaks = {"runner": 0, "worker": 0, "total": 0}
    cpu: dict[int, float] = {}  # per process, as last seen
    last_report = started
    while process.poll() is None:
        try:
            processes = [root, *root.children(recursive=True)]
            runner, *workers = (p.memory_info().rss for p in processes)
            cpu.update({p.pid: sum(p.cpu_times()[:2]) for p in processes})
        except psutil.Error:  # a process ended between the calls
            workers, runner = [], 0
        peaks["runner"] = max(peaks["runner"], runner)
        peaks["worker"] = max(peaks["worker"], *workers, 0)
        peaks["total"] = max(peaks["total"], runner + sum(workers))
        now = time.perf_counter()
        if now - last_report >= progress_every:
            last_report = now
            print(
                f"  [{now - started:6.0f} s] runner {runner / MB:,.0f} MB, workers "
                f"{', '.join(f'{w / MB:,.0f}' for w in workers) or '-'} MB, load {machine_load():.1f}",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(0.2)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, outputs["stdout"], outputs["stderr"])
    return Measured(
        seconds,
        sum(cpu.values()),
        peaks["runner"] / MB,
        peaks["worker"] / MB,
        peaks["total"] / MB,
        load_before,
        machine_load(),
        outputs["stdout"],
    )
