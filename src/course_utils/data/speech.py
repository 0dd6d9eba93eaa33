"""Spoken words synthesized offline: digits and keywords in English and Mandarin.

The `espeakng-loader` wheel bundles the speech synthesizer eSpeak NG
(``libespeak-ng.so``, GPL-3.0) and its voice data, but no Python API. A few
ctypes calls drive it: ``espeak_Initialize`` in synchronous mode, a callback that
collects the 16-bit samples, ``espeak_SetVoiceByName`` (a language and a voice
variant, such as ``"en+f3"``), ``espeak_SetParameter`` for the rate and pitch,
and ``espeak_Synth``. eSpeak NG speaks at 22,050 Hz; :func:`synthesize` resamples
to 16 kHz, the rate of most speech data sets, with a polyphase filter
(``scipy.signal.resample_poly``, up by 320 and down by 441, Kaiser-windowed
low-pass anti-aliasing filter). eSpeak NG keeps state from one utterance to the
next, so every clip is made by a freshly loaded library (and the C library's
``rand``, which some voices use, is seeded from the arguments): the same arguments
always give the same clip. Voices whose breath noise varies anyway are not offered.

Example:
    >>> clip = synthesize("seven", voice="f4")
    >>> clip.dtype, clip.dim(), 0.3 < len(clip) / 16000 < 1.0
    (torch.float32, 1, True)
    >>> data = spoken_digits(voices=["m1", "f1"], speeds=[1.0], pitches=[1.0])
    >>> data.waveforms.shape, data.labels[:3].tolist(), data.voices[:2]
    (torch.Size([20, 16000]), [0, 0, 1], ['m1', 'f1'])
"""

from __future__ import annotations

import ctypes
import sys
import threading
import zlib
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch

from .._validation import require_choice, require_positive

ESPEAK_SAMPLE_RATE = 22050
SAMPLE_RATES = (16000, 22050)
LANGUAGES = {"en": "en", "zh": "cmn"}
DIGITS = {
    "en": [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
    ],
    "zh": ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
}
KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
# eSpeak NG voice variants (files under espeak-ng-data/voices/!v), seven male and
# seven female. The "breathy" variants (f2, f3, f5, ...) are left out: their breath
# noise differs from run to run, and a data set must be the same every time.
VOICES = (
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "f1",
    "f4",
    "Andrea",
    "Annie",
    "anika",
    "aunty",
    "steph",
)
LICENCE = "eSpeak NG (libespeak-ng and its voice data, via espeakng-loader): GPL-3.0"

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE, _ESPEAK_PITCH = 1, 3
_CHARS_UTF8 = 1
_DEFAULT_RATE, _DEFAULT_PITCH = 175, 50  # words per minute, 0-100
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_lock = threading.Lock()
try:  # unloading a shared library: dlclose on Linux and macOS, FreeLibrary on Windows
    from _ctypes import dlclose as _dlclose
except ImportError:  # pragma: no cover - Windows
    from _ctypes import FreeLibrary as _dlclose


@dataclass
class SpokenWords:
    """A data set of spoken words: ``waveforms`` (N, samples), ``labels`` (N,) indices
    into ``words``, and the ``voices``, ``speeds`` and ``pitches`` of each clip."""

    waveforms: torch.Tensor
    labels: torch.Tensor
    words: list[str]
    voices: list[str]
    speeds: list[float]
    pitches: list[float]
    sample_rate: int
    language: str


def _libc():
    """The C library of this process (for ``srand``)."""
    libc = ctypes.cdll.msvcrt if sys.platform == "win32" else ctypes.CDLL(None)
    libc.srand.argtypes = [ctypes.c_uint]
    return libc


def _espeak(text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
    """Speak with a freshly loaded libespeak-ng: load, initialize, synthesize, unload.

    eSpeak NG keeps state between utterances (the same call gives slightly different
    audio the second time), so every clip starts from a freshly loaded library; that
    costs about 4 ms and makes each clip depend on its arguments only.
    """
    try:
        import espeakng_loader
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "synthesize needs the espeakng-loader package: pip install espeakng-loader"
        ) from error
    chunks: list[np.ndarray] = []

    def collect(samples, count, events):
        if count > 0:
            chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    callback = _CALLBACK(collect)
    data = text.encode("utf-8")
    with _lock:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        try:
            lib.espeak_Initialize.argtypes = [
                ctypes.c_int,
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_int,
            ]
            lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
            lib.espeak_SetParameter.argtypes = [
                ctypes.c_int,
                ctypes.c_int,
                ctypes.c_int,
            ]
            lib.espeak_Synth.argtypes = [
                ctypes.c_char_p,
                ctypes.c_size_t,
                ctypes.c_uint,
                ctypes.c_int,
                ctypes.c_uint,
                ctypes.c_uint,
                ctypes.c_void_p,
                ctypes.c_void_p,
            ]
            path = espeakng_loader.get_data_path().encode()
            rate_hz = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, path, 0)
            if rate_hz != ESPEAK_SAMPLE_RATE:  # pragma: no cover - another build
                raise RuntimeError(f"espeak_Initialize returned {rate_hz}")
            lib.espeak_SetSynthCallback(callback)
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:  # pragma: no cover
                raise ValueError(f"synthesize: eSpeak NG has no voice {voice!r}")
            lib.espeak_SetParameter(_ESPEAK_RATE, rate, 0)
            lib.espeak_SetParameter(_ESPEAK_PITCH, pitch, 0)
            # Breathy voices add noise from the C library's rand(): seed it.
            _libc().srand(zlib.crc32(f"{text}|{voice}|{rate}|{pitch}".encode()))
            lib.espeak_Synth(data, len(data) + 1, 0, 1, 0, _CHARS_UTF8, None, None)
            lib.espeak_Terminate()
        finally:
            _dlclose(lib._handle)
    return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


def resample(waveform: torch.Tensor, orig_freq: int, new_freq: int) -> torch.Tensor:
    """Resample a 1-D waveform with a polyphase filter (``scipy.signal.resample_poly``).

    The ratio ``new_freq / orig_freq`` is reduced to ``up / down`` (160/2205 ... for
    22,050 -> 16,000 it is 320/441); the signal is upsampled by ``up``, low-pass
    filtered below the lower of the two Nyquist frequencies (a Kaiser-windowed FIR
    filter, beta 5) and downsampled by ``down``.

    Example:
        >>> resample(torch.ones(441), 22050, 16000).shape
        torch.Size([320])
    """
    from scipy.signal import resample_poly

    ratio = Fraction(int(new_freq), int(orig_freq))
    out = resample_poly(
        waveform.double().numpy(),
        ratio.numerator,
        ratio.denominator,
        window=("kaiser", 5.0),
    )
    return torch.from_numpy(out).float()


def synthesize(
    text: str,
    voice: str = "m1",
    speed: float = 1.0,
    pitch: float = 1.0,
    sample_rate: int = 16000,
    language: str = "en",
) -> torch.Tensor:
    """Speak ``text`` with eSpeak NG; a float32 waveform in [-1, 1] at ``sample_rate``.

    Args:
        text: what to say (UTF-8; Chinese characters with ``language="zh"``).
        voice: a voice variant from :data:`VOICES` (``"m1"`` to ``"m7"`` male, the
            others female).
        speed: a multiple of eSpeak's default rate (175 words per minute).
        pitch: a multiple of eSpeak's default pitch (50 on its 0-100 scale).
        sample_rate: 16000 (resampled) or 22050 (eSpeak NG's own rate).
        language: ``"en"`` (English) or ``"zh"`` (Mandarin, eSpeak's ``cmn``).

    Example:
        >>> synthesize("one", sample_rate=22050).abs().max() <= 1.0
        tensor(True)
    """
    who = "synthesize"
    if not isinstance(text, str):
        raise TypeError(f"{who}: text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"{who}: text is empty, there is nothing to say")
    require_choice(who, "voice", voice, VOICES)
    require_choice(who, "sample_rate", sample_rate, SAMPLE_RATES)
    require_choice(who, "language", language, tuple(LANGUAGES))
    rate = round(_DEFAULT_RATE * require_positive(who, "speed", speed))
    level = round(_DEFAULT_PITCH * require_positive(who, "pitch", pitch))
    if not 80 <= rate <= 450:
        raise ValueError(
            f"{who}: speed must give 80 to 450 words per minute, got {speed!r}"
        )
    if not 0 <= level <= 100:
        raise ValueError(f"{who}: pitch must be in (0, 2], got {pitch!r}")
    samples = _espeak(text, f"{LANGUAGES[language]}+{voice}", rate, level)
    if samples.size == 0:  # pragma: no cover - eSpeak always says something
        raise RuntimeError(f"{who}: eSpeak NG produced no samples for {text!r}")
    waveform = torch.from_numpy(samples.astype(np.float32) / 32768.0)
    if sample_rate != ESPEAK_SAMPLE_RATE:
        waveform = resample(waveform, ESPEAK_SAMPLE_RATE, sample_rate)
    return waveform


def _fit(waveform: torch.Tensor, length: int) -> torch.Tensor:
    """Centre a clip in ``length`` samples: pad with zeros, or cut both ends."""
    if len(waveform) >= length:
        start = (len(waveform) - length) // 2
        return waveform[start : start + length]
    left = (length - len(waveform)) // 2
    return torch.nn.functional.pad(waveform, (left, length - len(waveform) - left))


def spoken_keywords(
    words: list[str] | None = None,
    voices: list[str] | None = None,
    speeds: list[float] = (0.8, 1.0, 1.25),
    pitches: list[float] = (0.7, 1.0, 1.4),
    language: str = "en",
    sample_rate: int = 16000,
    duration: float = 1.0,
) -> SpokenWords:
    """Every word said by every voice at every speed and pitch, as one data set.

    Clips are centred in ``duration`` seconds (padded with silence or cut). The order
    is word-major (all clips of the first word first); shuffle before training.

    Args:
        words: the keywords (default :data:`KEYWORDS`, those of the Speech Commands set).
        voices: voice variants from :data:`VOICES` (default all fourteen).
        speeds, pitches: multiples of eSpeak's default rate and pitch.
        language: ``"en"`` or ``"zh"``.
        sample_rate: 16000 or 22050.
        duration: seconds per clip.

    Example:
        >>> data = spoken_keywords(["yes", "no"], voices=["f1"], speeds=[1.0], pitches=[1.0, 1.2])
        >>> data.labels.tolist(), data.pitches
        ([0, 0, 1, 1], [1.0, 1.2, 1.0, 1.2])
    """
    who = "spoken_keywords"
    words = list(KEYWORDS if words is None else words)
    voices = list(VOICES if voices is None else voices)
    if not words or not voices or not speeds or not pitches:
        raise ValueError(f"{who}: words, voices, speeds and pitches must not be empty")
    for voice in voices:
        require_choice(who, "voice", voice, VOICES)
    for word in words:
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"{who}: every word must be a non-empty str, got {word!r}")
    if len(set(words)) != len(words):
        raise ValueError(f"{who}: words must be distinct, got {words!r}")
    length = round(require_positive(who, "duration", duration) * sample_rate)
    clips, labels, who_said, how_fast, how_high = [], [], [], [], []
    for label, word in enumerate(words):
        for voice in voices:
            for speed in speeds:
                for pitch in pitches:
                    clip = synthesize(word, voice, speed, pitch, sample_rate, language)
                    clips.append(_fit(clip, length))
                    labels.append(label)
                    who_said.append(voice)
                    how_fast.append(float(speed))
                    how_high.append(float(pitch))
    return SpokenWords(
        torch.stack(clips),
        torch.tensor(labels),
        words,
        who_said,
        how_fast,
        how_high,
        sample_rate,
        language,
    )


def spoken_digits(
    language: str = "en",
    voices: list[str] | None = None,
    speeds: list[float] = (0.8, 1.0, 1.25),
    pitches: list[float] = (0.7, 1.0, 1.4),
    sample_rate: int = 16000,
    duration: float = 1.0,
) -> SpokenWords:
    """The digits zero to nine (English) or 零 to 九 (Mandarin), over voices, speeds
    and pitches; label ``d`` is the digit ``d``. See :func:`spoken_keywords`.

    Example:
        >>> spoken_digits("zh", voices=["f4"], speeds=[1.0], pitches=[1.0]).words[:3]
        ['零', '一', '二']
    """
    require_choice("spoken_digits", "language", language, tuple(LANGUAGES))
    return spoken_keywords(
        DIGITS[language], voices, speeds, pitches, language, sample_rate, duration
    )
