"""Byte-stream decoding shared by every byte transport: framing, checksums, decoders."""
