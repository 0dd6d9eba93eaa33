"""The course's benchmarks (``make bench``): notebook wall times, explorer latency,
from-scratch code against PyTorch, training throughput and GPU matmul throughput.

Run ``python -m benchmarks --help``; results go to ``benchmarks/results.md`` and
``benchmarks/results.json``.
"""
