"""Data files: meshes, icons, themes, sample profiles, default config."""
