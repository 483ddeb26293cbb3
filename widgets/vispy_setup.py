"""Importing vispy safely: where libfontconfig is missing, start anyway and say why."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import types

log = logging.getLogger(__name__)

FONTCONFIG_MESSAGE = (
    "libfontconfig.so.1 not found: system fonts are unavailable, 3D labels use vispy's bundled "
    "OpenSans (install the fontconfig library, e.g. apt install libfontconfig1, to silence this)"
)

#: set when vispy had to start without fontconfig; shown in the twin view's status text
notice = ""


def _fontconfig_loadable() -> bool:
    name = ctypes.util.find_library("fontconfig")
    if name is None:
        return False
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def prepare() -> str:
    """Make `import vispy` safe on Linux without libfontconfig; return a notice ('' if none)."""
    global notice
    if not sys.platform.startswith("linux") or "vispy.ext.fontconfig" in sys.modules:
        return notice
    if _fontconfig_loadable():
        return notice
    stub = types.ModuleType("vispy.ext.fontconfig")

    def find_font(face: str, bold: bool = False, italic: bool = False, orig_face: object = None):
        raise RuntimeError(f"font {face!r} unavailable: {FONTCONFIG_MESSAGE}")

    stub.find_font = find_font  # type: ignore[attr-defined]
    stub._list_fonts = lambda: []  # type: ignore[attr-defined]
    sys.modules["vispy.ext.fontconfig"] = stub
    notice = FONTCONFIG_MESSAGE
    log.warning(FONTCONFIG_MESSAGE)
    return notice


def gl_renderer() -> str:
    """The GL_RENDERER string of the current context (e.g. 'llvmpipe (LLVM 15...)')."""
    from vispy.gloo import gl

    try:
        return str(gl.glGetParameter(gl.GL_RENDERER))
    except Exception as exc:  # no current context
        return f"unknown ({exc})"


def is_software(renderer: str) -> bool:
    """True for CPU rasterisers (Mesa llvmpipe/softpipe/swrast, Microsoft GDI)."""
    r = renderer.lower()
    return any(k in r for k in ("llvmpipe", "softpipe", "swrast", "software", "gdi generic"))
