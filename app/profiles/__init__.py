"""Device profiles: TOML files describing transport, framing, decoding and recognition."""
