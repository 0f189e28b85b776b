"""The machine a benchmark ran on, recorded with its results (both benchmarks use it)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine(versions: dict[str, str]) -> dict:
    """CPU model, cores, memory, Python and the given package versions, and the load
    average before the run (other work on a shared machine moves every timing)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        **versions,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
