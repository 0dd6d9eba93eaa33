"""course_utils.audio: the STFT against torch.stft, the mel filterbank against an
independent implementation written here, log-mel spectrograms and the energy VAD."""

import math
import random

import pytest
import torch

from course_utils.audio import (
    energy_vad,
    frame,
    hz_to_mel,
    log_mel_spectrogram,
    mel_filterbank,
    mel_to_hz,
    speech_segments,
    stft,
    triangular_filterbank,
)

WINDOWS = {
    "none": lambda n: None,
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "random": lambda n: torch.rand(n, generator=torch.Generator().manual_seed(n)),
}


def _random_stft_cases(count=150, seed=0):
    rng = random.Random(seed)
    for _ in range(count):
        n_fft = rng.choice([4, 7, 16, 31, 64, 100, 256, 400])
        win_length = rng.choice([None, n_fft, max(1, n_fft // 2), max(1, n_fft - 3)])
        hop = rng.choice([None, 1, 3, max(1, n_fft // 4), n_fft // 2 + 1, n_fft])
        center = rng.random() < 0.7
        pad_mode = rng.choice(["reflect", "constant", "replicate", "circular"])
        minimum = n_fft if not center else n_fft // 2 + 1
        length = rng.randint(minimum, minimum + 3 * n_fft + 50)
        batch = rng.choice([None, 1, 3])
        yield dict(
            n_fft=n_fft,
            win_length=win_length,
            hop=hop,
            window=rng.choice(list(WINDOWS)),
            center=center,
            pad_mode=pad_mode,
            normalized=rng.random() < 0.3,
            onesided=rng.random() < 0.8,
            length=length,
            batch=batch,
        )


@pytest.mark.filterwarnings("ignore:A window was not provided")
@pytest.mark.parametrize("case", list(_random_stft_cases()), ids=str)
def test_stft_matches_torch_stft(case):
    generator = torch.Generator().manual_seed(case["length"])
    shape = (
        (case["length"],) if case["batch"] is None else (case["batch"], case["length"])
    )
    x = torch.randn(*shape, generator=generator, dtype=torch.float64)
    win_length = case["win_length"] or case["n_fft"]
    window = WINDOWS[case["window"]](win_length)
    if window is not None:
        window = window.double()
    kwargs = dict(
        n_fft=case["n_fft"],
        hop_length=case["hop"],
        win_length=case["win_length"],
        window=window,
        center=case["center"],
        pad_mode=case["pad_mode"],
        normalized=case["normalized"],
        onesided=case["onesided"],
    )
    ours = stft(x, **kwargs)
    theirs = torch.stft(x, **kwargs, return_complex=True)
    assert ours.shape == theirs.shape
    torch.testing.assert_close(ours, theirs, atol=1e-9, rtol=1e-9)


def test_stft_float32_and_default_hop():
    x = torch.randn(2, 3000)
    w = torch.hann_window(400)
    torch.testing.assert_close(
        stft(x, 400, window=w),
        torch.stft(x, 400, window=w, return_complex=True),
        atol=1e-3,
        rtol=1e-4,
    )


def test_frame_matches_a_loop():
    x = torch.arange(23.0)
    frames = frame(x, 5, 3)
    expected = torch.stack([x[t * 3 : t * 3 + 5] for t in range(1 + (23 - 5) // 3)])
    assert torch.equal(frames, expected)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: stft([1.0, 2.0], 4), TypeError),
        (lambda: stft(torch.zeros(2, 2, 50), 4), ValueError),
        (lambda: stft(torch.zeros(50, dtype=torch.complex64), 4), ValueError),
        (lambda: stft(torch.zeros(50), 0), ValueError),
        (lambda: stft(torch.zeros(50), 8, win_length=9), ValueError),
        (lambda: stft(torch.zeros(50), 8, window=torch.ones(7)), ValueError),
        (lambda: stft(torch.zeros(50), 8, pad_mode="mirror"), ValueError),
        (lambda: stft(torch.zeros(3), 8), ValueError),
        (lambda: stft(torch.zeros(5), 8, center=False), ValueError),
        (lambda: frame(torch.zeros(3), 4, 1), ValueError),
        (lambda: frame(torch.zeros(9), 4, 0), ValueError),
    ],
)
def test_stft_rejects_bad_input(call, error):
    with pytest.raises(error, match="stft|frame"):
        call()


def test_mel_scale_formula_and_inverse():
    for f in [0.0, 100.0, 440.0, 700.0, 1000.0, 4000.0, 8000.0]:
        assert hz_to_mel(f) == pytest.approx(2595 * math.log10(1 + f / 700))
        assert mel_to_hz(hz_to_mel(f)) == pytest.approx(f, abs=1e-6)
    assert hz_to_mel(1000.0) == pytest.approx(1000.0, abs=0.1)  # the scale's anchor
    f = torch.linspace(0, 8000, 50, dtype=torch.float64)
    torch.testing.assert_close(mel_to_hz(hz_to_mel(f)), f)


def _independent_filterbank(n_freqs, f_min, f_max, n_mels, sample_rate):
    """Written from the formulas, one filter and one bin at a time."""

    def mel(f):
        return 2595 * math.log10(1 + f / 700)

    def hz(m):
        return 700 * (10 ** (m / 2595) - 1)

    lo, hi = mel(f_min), mel(f_max)
    edges = [hz(lo + (hi - lo) * i / (n_mels + 1)) for i in range(n_mels + 2)]
    bins = [(sample_rate // 2) * k / (n_freqs - 1) for k in range(n_freqs)]
    bank = torch.zeros(n_freqs, n_mels, dtype=torch.float64)
    for m in range(n_mels):
        left, centre, right = edges[m], edges[m + 1], edges[m + 2]
        for k, f in enumerate(bins):
            if left <= f <= centre:
                bank[k, m] = (f - left) / (centre - left)
            elif centre < f <= right:
                bank[k, m] = (right - f) / (right - centre)
    return bank


@pytest.mark.parametrize(
    "n_freqs, f_min, f_max, n_mels, sample_rate",
    [
        (201, 0.0, 8000.0, 40, 16000),
        (257, 20.0, 7600.0, 64, 16000),
        (513, 0.0, 11025.0, 80, 22050),
        (101, 300.0, 3400.0, 13, 8000),
        (65, 0.0, 4000.0, 10, 8000),
        (1025, 50.0, 20000.0, 128, 44100),
    ],
)
def test_mel_filterbank_matches_an_independent_implementation(
    n_freqs, f_min, f_max, n_mels, sample_rate
):
    ours = mel_filterbank(n_freqs, f_min, f_max, n_mels, sample_rate).double()
    expected = _independent_filterbank(n_freqs, f_min, f_max, n_mels, sample_rate)
    torch.testing.assert_close(ours, expected, atol=1e-4, rtol=0)


def test_each_filter_peaks_at_one_at_its_centre_and_filters_cover_the_range():
    f_pts = mel_to_hz(torch.linspace(hz_to_mel(0.0), hz_to_mel(8000.0), 42)).double()
    # Evaluated at the centres themselves: filter m is 1 at centre m, 0 at the others.
    at_centres = triangular_filterbank(f_pts[1:-1], f_pts)
    torch.testing.assert_close(at_centres, torch.eye(40, dtype=torch.float64))
    # Between the first and the last centre the triangles sum to 1 (they cover the range).
    fine = torch.linspace(float(f_pts[1]), float(f_pts[-2]), 2000, dtype=torch.float64)
    total = triangular_filterbank(fine, f_pts).sum(1)
    torch.testing.assert_close(total, torch.ones_like(total))
    bank = mel_filterbank(513, 0.0, 8000.0, 40, 16000)
    assert (bank.max(0).values > 0.5).all() and (bank.max(0).values <= 1).all()
    centres = bank.argmax(0)
    assert (centres.diff() > 0).all(), "filters ordered by frequency"


@pytest.mark.parametrize(
    "call",
    [
        lambda: mel_filterbank(201, 0.0, 9000.0, 40, 16000),
        lambda: mel_filterbank(201, 4000.0, 3000.0, 40, 16000),
        lambda: mel_filterbank(1, 0.0, 8000.0, 40, 16000),
        lambda: mel_filterbank(201, -1.0, 8000.0, 40, 16000),
        lambda: mel_filterbank(201, 0.0, 8000.0, 0, 16000),
        lambda: triangular_filterbank(torch.zeros(3), torch.tensor([0.0, 2.0, 1.0])),
    ],
)
def test_mel_filterbank_rejects_bad_input(call):
    with pytest.raises(ValueError, match="filterbank"):
        call()


@pytest.mark.parametrize("length, n_mels", [(16000, 40), (4000, 64), (12345, 20)])
def test_log_mel_matches_torch_stft_and_the_independent_filterbank(length, n_mels):
    x = torch.randn(length, generator=torch.Generator().manual_seed(length))
    ours = log_mel_spectrogram(
        x.double(), 16000, n_fft=400, hop_length=160, n_mels=n_mels
    )
    power = (
        torch.stft(
            x.double(),
            400,
            160,
            window=torch.hann_window(400, dtype=torch.float64),
            return_complex=True,
        ).abs()
        ** 2
    )
    bank = _independent_filterbank(201, 0.0, 8000.0, n_mels, 16000)
    expected = torch.log(bank.T @ power + 1e-6)
    torch.testing.assert_close(ours, expected, atol=1e-4, rtol=1e-5)
    assert ours.shape == (n_mels, 1 + length // 160)


def test_log_mel_rejects_empty_waveform():
    with pytest.raises(ValueError, match="log_mel_spectrogram: waveform is empty"):
        log_mel_spectrogram(torch.zeros(0))
    with pytest.raises(TypeError, match="log_mel_spectrogram"):
        log_mel_spectrogram([0.0] * 1000)


def test_energy_vad_finds_a_tone_in_noise():
    g = torch.Generator().manual_seed(0)
    t = torch.arange(16000) / 16000
    tone = 0.5 * torch.sin(2 * math.pi * 300 * t)
    x = 0.001 * torch.randn(48000, generator=g)
    x[16000:32000] += tone
    mask = energy_vad(x)
    times = torch.arange(len(mask)) * 0.010
    inside = (times > 1.05) & (times < 1.95)
    outside = (times < 0.95) | (times > 2.05)
    assert mask[inside].all() and not mask[outside].any()
    [(start, end)] = speech_segments(mask)
    assert start == pytest.approx(1.0, abs=0.03) and end == pytest.approx(2.0, abs=0.03)


def test_energy_vad_fills_short_gaps_and_drops_short_bursts():
    g = torch.Generator().manual_seed(1)
    x = 0.001 * torch.randn(48000, generator=g)
    x[8000:16000] += 0.3 * torch.randn(8000, generator=g)  # 0.5 s speech
    x[17000:25000] += 0.3 * torch.randn(8000, generator=g)  # after a 62 ms gap
    x[40000:40800] += 0.3 * torch.randn(800, generator=g)  # a 50 ms click
    segments = speech_segments(energy_vad(x))
    assert len(segments) == 1
    assert segments[0][0] == pytest.approx(0.5, abs=0.03)
    assert segments[0][1] == pytest.approx(25000 / 16000, abs=0.03)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: energy_vad(torch.zeros(0)), ValueError),
        (lambda: energy_vad(torch.zeros(2, 1000)), ValueError),
        (lambda: energy_vad("audio"), TypeError),
        (lambda: energy_vad(torch.zeros(1000), hop_seconds=0), ValueError),
    ],
)
def test_energy_vad_rejects_bad_input(call, error):
    with pytest.raises(error, match="energy_vad"):
        call()
