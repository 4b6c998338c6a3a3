"""Class colours: neighbouring classes clearly differ, for normal and colour-deficient vision.

Colour differences are CIEDE2000 (Sharma, Wu & Dalal 2005) in CIELAB (D65);
colour-vision deficiencies are simulated with Machado, Oliveira & Fernandes
(2009) at full severity, applied in linear sRGB.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fmnist_viz.render.style import CLASS_COLORS

#: Classes that sit next to each other in the pictures, by class index (shared by both data sets):
#: Fashion-MNIST's tops and shoes, MNIST's 3/5/8 and 4/9.
NEIGHBOURS = {
    "tops": (0, 2, 3, 4, 6),  # T-shirt/top, Pullover, Dress, Coat, Shirt
    "shoes": (5, 7, 9),  # Sandal, Sneaker, Ankle boot
    "digits 3, 5, 8": (3, 5, 8),
    "digits 4, 9": (4, 9),
}
PAIRS = sorted({pair for group in NEIGHBOURS.values() for pair in itertools.combinations(group, 2)})

VISION = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def lab(hex_color: str, vision: str = "normal") -> np.ndarray:
    """CIELAB (D65) of an sRGB colour as seen with ``vision``."""
    srgb = np.array([int(hex_color[i: i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(VISION[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """The CIEDE2000 colour difference of two CIELAB colours (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_hue = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = (-np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2))))
           * 2 * np.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_hue / s_h
    return float(np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh))


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [  # Sharma, Wu & Dalal (2005), table 1
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
])
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected) -> None:
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def smallest_difference(colors, pairs, vision: str) -> float:
    return min(ciede2000(lab(colors[i], vision), lab(colors[j], vision)) for i, j in pairs)


@pytest.mark.parametrize("vision", list(VISION))
def test_neighbouring_classes_differ_clearly(vision: str) -> None:
    # measured: 23.6 (tritanopia), 23.8 (deuteranopia), 24.4 (protanopia), 27.0 (normal vision);
    # the palette before this test had 14.6 in normal vision and 9.1 with a deficiency
    assert smallest_difference(CLASS_COLORS, PAIRS, vision) > 23.5


def test_any_two_classes_stay_apart() -> None:
    every_pair = list(itertools.combinations(range(len(CLASS_COLORS)), 2))
    assert len(set(CLASS_COLORS)) == 10
    assert smallest_difference(CLASS_COLORS, every_pair, "normal") > 20
    assert min(smallest_difference(CLASS_COLORS, every_pair, v) for v in VISION) > 6  # Bag vs Shirt, deuteranopia


def test_old_palette_would_have_failed() -> None:
    """The check can fail: the seaborn order this replaced put Coat and Shirt in two pinks."""
    old = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4", "#949494", "#ECE133",
           "#56B4E9")
    assert min(smallest_difference(old, PAIRS, v) for v in VISION) < 10
