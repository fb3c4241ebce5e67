"""The Textual player: the only package that imports textual."""
