"""course_utils.data.speech: the offline eSpeak NG synthesizer and its data sets."""

import math

import pytest
import torch

from course_utils.data import spoken_digits, spoken_keywords, synthesize
from course_utils.data.speech import DIGITS, VOICES, resample


def test_synthesize_is_deterministic_and_in_range():
    first = synthesize("seven", voice="m1")
    synthesize(
        "eight", voice="aunty"
    )  # eSpeak's internal state must not leak into the next clip
    again = synthesize("seven", voice="m1")
    assert torch.equal(first, again)
    assert first.dtype == torch.float32 and first.dim() == 1
    assert 0.2 < first.abs().max() <= 1.0
    assert 0.3 < len(first) / 16000 < 1.0


def test_the_16_khz_clip_is_the_22050_hz_clip_resampled():
    native = synthesize("three", voice="f1", sample_rate=22050)
    resampled = synthesize("three", voice="f1", sample_rate=16000)
    assert len(resampled) == math.ceil(len(native) * 320 / 441)
    torch.testing.assert_close(resampled, resample(native, 22050, 16000))


def test_resample_keeps_a_low_tone_and_has_the_right_length():
    t = torch.arange(22050, dtype=torch.float64) / 22050
    tone = torch.sin(2 * math.pi * 440 * t)
    out = resample(tone, 22050, 16000)
    assert len(out) == 16000
    expected = torch.sin(2 * math.pi * 440 * torch.arange(16000) / 16000)
    # away from the edges (where the filter sees zeros) the tone is unchanged
    assert (out[200:-200] - expected[200:-200]).abs().max() < 1e-2


def test_voices_speeds_and_pitches_change_the_sound():
    base = synthesize("five", voice="m1")
    assert not torch.equal(base[:4000], synthesize("five", voice="f4")[:4000])
    assert len(synthesize("five", voice="m1", speed=1.5)) < len(base)
    assert len(synthesize("five", voice="m1", speed=0.7)) > len(base)
    high = synthesize("five", voice="m1", pitch=1.6)
    assert not torch.equal(base[: len(high)], high[: len(base)])


def test_mandarin_digits():
    clip = synthesize("七", voice="f4", language="zh")
    assert 0.15 < len(clip) / 16000 < 1.0
    assert DIGITS["zh"][7] == "七"


def test_spoken_digits_layout_and_determinism():
    voices = ["m1", "f4"]
    data = spoken_digits(voices=voices, speeds=[1.0, 1.25], pitches=[1.0])
    assert data.waveforms.shape == (10 * 2 * 2, 16000)
    assert data.labels.tolist() == [d for d in range(10) for _ in range(4)]
    assert data.voices[:4] == ["m1", "m1", "f4", "f4"]
    assert data.speeds[:2] == [1.0, 1.25] and data.pitches[0] == 1.0
    assert data.words == DIGITS["en"] and data.sample_rate == 16000
    again = spoken_digits(voices=voices, speeds=[1.0, 1.25], pitches=[1.0])
    assert torch.equal(data.waveforms, again.waveforms)
    # each clip is the synthesized word, centred in one second
    clip = synthesize("zero", voice="m1")
    left = (16000 - len(clip)) // 2
    assert torch.equal(data.waveforms[0, left : left + len(clip)], clip)
    assert data.waveforms[0, :left].abs().max() == 0


def test_spoken_keywords_in_mandarin_and_at_22050_hz():
    data = spoken_keywords(
        ["你好", "再见"],
        voices=["f1"],
        speeds=[1.0],
        pitches=[1.0],
        language="zh",
        sample_rate=22050,
        duration=0.5,
    )
    assert data.waveforms.shape == (2, 11025) and data.language == "zh"


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: synthesize(""), ValueError, "text is empty"),
        (lambda: synthesize("   "), ValueError, "text is empty"),
        (lambda: synthesize(7), TypeError, "text must be a str"),
        (lambda: synthesize("one", voice="f2"), ValueError, "unknown voice"),
        (
            lambda: synthesize("one", sample_rate=8000),
            ValueError,
            "unknown sample_rate",
        ),
        (lambda: synthesize("one", language="fr"), ValueError, "unknown language"),
        (lambda: synthesize("one", speed=0), ValueError, "speed"),
        (lambda: synthesize("one", speed=5.0), ValueError, "speed"),
        (lambda: synthesize("one", pitch=3.0), ValueError, "pitch"),
        (lambda: spoken_digits("de"), ValueError, "unknown language"),
        (lambda: spoken_digits(voices=["m9"]), ValueError, "unknown voice"),
        (lambda: spoken_digits(voices=[]), ValueError, "must not be empty"),
        (lambda: spoken_keywords(["yes", ""]), ValueError, "non-empty"),
        (lambda: spoken_keywords(["yes", "yes"]), ValueError, "distinct"),
        (lambda: spoken_digits(voices=["m1"], duration=0), ValueError, "duration"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_every_voice_variant_exists():
    lengths = {voice: len(synthesize("nine", voice=voice)) for voice in VOICES}
    assert all(length > 3000 for length in lengths.values())
