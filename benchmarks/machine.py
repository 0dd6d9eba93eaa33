"""What machine the numbers were measured on."""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path

import torch

from course_utils.device import describe_device


def cpu_model() -> str:
    """The CPU's marketing name, from /proc/cpuinfo on Linux, else ``platform``."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def describe_machine(device: torch.device) -> dict:
    """CPU, cores, torch and Python versions, and the device the notebooks use."""
    return {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": describe_device(device),
    }
