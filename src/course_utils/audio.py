"""Audio features from scratch: STFT, the mel scale, log-mel spectrograms, and a VAD.

A waveform is a sequence of air-pressure samples (16,000 a second for speech). The
**short-time Fourier transform** cuts it into overlapping frames, multiplies each by a
window and takes its discrete Fourier transform: a (frequency, time) grid of complex
numbers whose squared magnitude is the **spectrogram**. Human pitch perception is
roughly logarithmic in frequency above 1 kHz, which the **mel scale**
``mel(f) = 2595 log10(1 + f / 700)`` (the HTK formula) models; triangular filters
equally spaced in mels pool the spectrogram into a few dozen **mel bands**, and the
logarithm of those energies, the **log-mel spectrogram**, is the input of most speech
models. :func:`stft` mirrors ``torch.stft`` (same argument names and results).

Example:
    >>> import torch
    >>> x = torch.randn(1000)
    >>> w = torch.hann_window(256)
    >>> torch.allclose(stft(x, 256, 64, window=w), torch.stft(x, 256, 64, window=w, return_complex=True), atol=1e-4)
    True
    >>> round(hz_to_mel(1000.0), 1)
    1000.0
    >>> log_mel_spectrogram(torch.randn(16000), n_mels=40).shape
    torch.Size([40, 101])
"""

from __future__ import annotations

import math

import torch

from ._validation import (
    require_choice,
    require_int,
    require_non_negative,
    require_positive,
    require_tensor,
)


def frame(input: torch.Tensor, frame_length: int, hop_length: int) -> torch.Tensor:
    """Cut the last dimension into frames ``(..., n_frames, frame_length)``.

    Frame ``t`` holds samples ``t * hop_length`` to ``t * hop_length + frame_length - 1``;
    ``n_frames = 1 + (length - frame_length) // hop_length`` (no padding).

    Example:
        >>> frame(torch.arange(7.0), 4, 2).tolist()
        [[0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0]]
    """
    who = "frame"
    require_tensor(input, who)
    require_int(who, "frame_length", frame_length, minimum=1)
    require_int(who, "hop_length", hop_length, minimum=1)
    if input.dim() == 0 or input.shape[-1] < frame_length:
        raise ValueError(
            f"{who}: input needs at least frame_length={frame_length} samples in its "
            f"last dimension, got shape {tuple(input.shape)}"
        )
    return input.unfold(-1, frame_length, hop_length)


def stft(
    input: torch.Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: torch.Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool = True,
) -> torch.Tensor:
    """The short-time Fourier transform, as ``torch.stft(..., return_complex=True)``.

    Args:
        input: a waveform ``(length,)`` or a batch ``(batch, length)``.
        n_fft: the frame length and DFT size.
        hop_length: samples between frames (default ``n_fft // 4``).
        win_length: window length (default ``n_fft``); the window is zero-padded on
            both sides to ``n_fft``.
        window: a 1-D tensor of ``win_length`` values (default rectangular: ones).
        center: pad ``n_fft // 2`` samples on both sides (with ``pad_mode``) so that
            frame ``t`` is centred on sample ``t * hop_length``.
        pad_mode: ``"reflect"``, ``"constant"``, ``"replicate"`` or ``"circular"``.
        normalized: multiply by ``n_fft ** -0.5``.
        onesided: keep only the ``n_fft // 2 + 1`` non-negative frequencies.

    Returns:
        complex ``(freq, n_frames)`` or ``(batch, freq, n_frames)``.

    Example:
        >>> stft(torch.ones(16), 8, 4, center=False).shape
        torch.Size([5, 3])
    """
    who = "stft"
    require_tensor(input, who)
    if input.dim() not in (1, 2) or input.is_complex():
        raise ValueError(
            f"{who}: input must be a real (length,) or (batch, length) tensor, "
            f"got shape {tuple(input.shape)} and dtype {input.dtype}"
        )
    require_int(who, "n_fft", n_fft, minimum=1)
    hop_length = n_fft // 4 if hop_length is None else hop_length
    require_int(who, "hop_length", hop_length, minimum=1)
    win_length = n_fft if win_length is None else win_length
    require_int(who, "win_length", win_length, minimum=1)
    if win_length > n_fft:
        raise ValueError(f"{who}: win_length={win_length} must be <= n_fft={n_fft}")
    require_choice(
        who, "pad_mode", pad_mode, ("reflect", "constant", "replicate", "circular")
    )
    if window is None:
        window = torch.ones(win_length, dtype=input.dtype, device=input.device)
    require_tensor(window, who, "window")
    if window.shape != (win_length,):
        raise ValueError(
            f"{who}: window must have shape ({win_length},), got {tuple(window.shape)}"
        )
    left = (n_fft - win_length) // 2
    window = torch.nn.functional.pad(window, (left, n_fft - win_length - left))
    if center:
        pad = n_fft // 2
        batch = input if input.dim() == 2 else input[None]
        if pad_mode == "reflect" and batch.shape[-1] <= pad:
            raise ValueError(
                f"{who}: reflect padding needs more than n_fft // 2 = {pad} samples, "
                f"got {batch.shape[-1]}"
            )
        batch = torch.nn.functional.pad(batch[:, None], (pad, pad), mode=pad_mode)[:, 0]
        input = batch if input.dim() == 2 else batch[0]
    frames = frame(input, n_fft, hop_length) * window  # (..., n_frames, n_fft)
    spectrum = torch.fft.rfft(frames) if onesided else torch.fft.fft(frames)
    if normalized:
        spectrum = spectrum * n_fft**-0.5
    return spectrum.transpose(-1, -2)


def hz_to_mel(frequency):
    """The HTK mel scale: ``2595 * log10(1 + f / 700)`` (works on floats and tensors).

    Example:
        >>> round(hz_to_mel(0.0), 6), round(hz_to_mel(700.0), 2)
        (0.0, 781.17)
    """
    if isinstance(frequency, torch.Tensor):
        return 2595.0 * torch.log10(1.0 + frequency / 700.0)
    return 2595.0 * math.log10(1.0 + frequency / 700.0)


def mel_to_hz(mel):
    """The inverse of :func:`hz_to_mel`: ``700 * (10 ** (m / 2595) - 1)``.

    Example:
        >>> round(mel_to_hz(hz_to_mel(440.0)), 6)
        440.0
    """
    if isinstance(mel, torch.Tensor):
        return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def triangular_filterbank(all_freqs: torch.Tensor, f_pts: torch.Tensor) -> torch.Tensor:
    """Triangles over ``all_freqs``: filter ``m`` rises from ``f_pts[m]`` to 1 at
    ``f_pts[m + 1]`` and falls back to 0 at ``f_pts[m + 2]``. Shape (n_freqs, n_filters).

    Example:
        >>> triangular_filterbank(torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 2, 4])).T.tolist()
        [[0.0, 0.5, 1.0, 0.5]]
    """
    who = "triangular_filterbank"
    require_tensor(all_freqs, who, "all_freqs")
    require_tensor(f_pts, who, "f_pts")
    if f_pts.dim() != 1 or len(f_pts) < 3 or not bool((f_pts.diff() > 0).all()):
        raise ValueError(
            f"{who}: f_pts must be at least 3 increasing frequencies, got {f_pts.tolist()}"
        )
    low, centre, high = f_pts[:-2], f_pts[1:-1], f_pts[2:]
    f = all_freqs[:, None]
    rising = (f - low) / (centre - low)
    falling = (high - f) / (high - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0.0)


def mel_filterbank(
    n_freqs: int,
    f_min: float,
    f_max: float,
    n_mels: int,
    sample_rate: int,
) -> torch.Tensor:
    """Triangular filters equally spaced on the HTK mel scale, shape (n_freqs, n_mels).

    Like ``torchaudio.functional.melscale_fbanks(..., norm=None, mel_scale="htk")``: the
    ``n_freqs`` STFT bins lie at ``linspace(0, sample_rate // 2, n_freqs)``; ``n_mels + 2``
    points equally spaced in mels from ``f_min`` to ``f_max`` are the filters' edges
    and centres. Multiply a power spectrogram ``(freq, time)`` by its transpose
    to get mel energies ``(n_mels, time)``.

    Example:
        >>> bank = mel_filterbank(201, 0.0, 8000.0, 40, 16000)
        >>> bank.shape, bool(bank.max() <= 1)
        (torch.Size([201, 40]), True)
    """
    who = "mel_filterbank"
    require_int(who, "n_freqs", n_freqs, minimum=2)
    require_int(who, "n_mels", n_mels, minimum=1)
    require_int(who, "sample_rate", sample_rate, minimum=1)
    require_non_negative(who, "f_min", f_min)
    require_positive(who, "f_max", f_max)
    if not f_min < f_max <= sample_rate / 2:
        raise ValueError(
            f"{who}: need f_min < f_max <= sample_rate / 2, got f_min={f_min}, "
            f"f_max={f_max}, sample_rate={sample_rate}"
        )
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs)
    m_pts = torch.linspace(hz_to_mel(float(f_min)), hz_to_mel(float(f_max)), n_mels + 2)
    return triangular_filterbank(all_freqs, mel_to_hz(m_pts))


def log_mel_spectrogram(
    waveform: torch.Tensor,
    sample_rate: int = 16000,
    n_fft: int = 400,
    hop_length: int = 160,
    n_mels: int = 40,
    f_min: float = 0.0,
    f_max: float | None = None,
    eps: float = 1e-6,
) -> torch.Tensor:
    """``log(mel energies + eps)``: a Hann-windowed power STFT pooled by
    :func:`mel_filterbank`. Shape ``(..., n_mels, n_frames)``; the defaults are 25 ms
    frames every 10 ms at 16 kHz.

    Example:
        >>> log_mel_spectrogram(torch.zeros(2, 800), n_mels=8).shape
        torch.Size([2, 8, 6])
    """
    who = "log_mel_spectrogram"
    require_tensor(waveform, who, "waveform")
    if waveform.numel() == 0:
        raise ValueError(f"{who}: waveform is empty, shape {tuple(waveform.shape)}")
    require_positive(who, "eps", eps)
    f_max = sample_rate / 2 if f_max is None else f_max
    window = torch.hann_window(n_fft, dtype=waveform.dtype, device=waveform.device)
    power = stft(waveform, n_fft, hop_length, window=window).abs() ** 2
    bank = mel_filterbank(n_fft // 2 + 1, f_min, f_max, n_mels, sample_rate)
    mel = bank.T.to(power) @ power
    return torch.log(mel + eps)


def energy_vad(
    waveform: torch.Tensor,
    sample_rate: int = 16000,
    frame_seconds: float = 0.025,
    hop_seconds: float = 0.010,
    margin_db: float = 10.0,
    min_speech: float = 0.1,
    min_silence: float = 0.2,
) -> torch.Tensor:
    """A simple energy-based voice-activity detector: one bool per frame.

    The energy of each frame in decibels is compared with the noise floor (the 10th
    percentile of the frame energies) plus ``margin_db``; then silences shorter than
    ``min_silence`` seconds between speech are filled, and speech shorter than
    ``min_speech`` seconds is dropped. Frame ``t`` covers
    ``[t * hop_seconds, t * hop_seconds + frame_seconds)``.

    Example:
        >>> quiet, loud = 0.001 * torch.randn(8000), torch.randn(8000)
        >>> mask = energy_vad(torch.cat([quiet, loud, quiet]))
        >>> mask[:40].any().item(), mask[60:90].all().item(), mask[-40:].any().item()
        (False, True, False)
    """
    who = "energy_vad"
    require_tensor(waveform, who, "waveform")
    if waveform.dim() != 1 or waveform.numel() == 0:
        raise ValueError(
            f"{who}: waveform must be a non-empty 1-D tensor, got {tuple(waveform.shape)}"
        )
    frame_length = round(
        require_positive(who, "frame_seconds", frame_seconds) * sample_rate
    )
    hop_length = round(require_positive(who, "hop_seconds", hop_seconds) * sample_rate)
    frames = frame(waveform.float(), frame_length, hop_length)
    energy = 10 * torch.log10(frames.pow(2).mean(-1) + 1e-10)
    floor = torch.quantile(energy, 0.1)
    mask = energy > floor + margin_db
    mask = _fill_runs(mask, False, round(min_silence / hop_seconds))
    return _fill_runs(mask, True, round(min_speech / hop_seconds))


def _fill_runs(mask: torch.Tensor, value: bool, shortest: int) -> torch.Tensor:
    """Flip runs of ``value`` shorter than ``shortest`` frames (inner runs only when
    filling silence: a silence at either end is kept)."""
    mask = mask.clone()
    values = mask.tolist()
    start = 0
    while start < len(values):
        end = start
        while end < len(values) and values[end] == values[start]:
            end += 1
        inner = start > 0 and end < len(values)
        if values[start] == value and end - start < shortest and (value or inner):
            mask[start:end] = not value
        start = end
    return mask


def speech_segments(
    mask: torch.Tensor, hop_seconds: float = 0.010, frame_seconds: float = 0.025
) -> list[tuple[float, float]]:
    """The (start, end) times in seconds of the runs of True in a frame mask.

    Example:
        >>> speech_segments(torch.tensor([False, True, True, False]), 0.5, 0.5)
        [(0.5, 1.5)]
    """
    require_tensor(mask, "speech_segments", "mask")
    segments, values = [], mask.tolist() + [False]
    start = None
    for t, on in enumerate(values):
        if on and start is None:
            start = t
        elif not on and start is not None:
            segments.append(
                (start * hop_seconds, (t - 1) * hop_seconds + frame_seconds)
            )
            start = None
    return segments
