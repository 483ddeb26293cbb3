"""WCAG 2 contrast ratio between two colours (text legibility checks for both themes)."""

from __future__ import annotations


def luminance(color: str) -> float:
    """Relative luminance of a '#rrggbb' colour (WCAG 2 definition)."""
    h = color.lstrip("#")
    chans = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio (1 to 21) of two '#rrggbb' colours; text needs >= 4.5."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def legible(color: str, bg: str, need: float = 3.0) -> str:
    """`color` ('#rrggbb') darkened or lightened, hue kept, until it reaches `need`:1 on `bg`."""
    import colorsys

    if contrast_ratio(color, bg) >= need:
        return color
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    step = -0.02 if contrast_ratio("#000000", bg) >= contrast_ratio("#ffffff", bg) else 0.02
    out = color
    while 0.0 <= light <= 1.0 and contrast_ratio(out, bg) < need:
        light += step
        rgb = colorsys.hls_to_rgb(hue, min(1.0, max(0.0, light)), sat)
        out = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
    return out
