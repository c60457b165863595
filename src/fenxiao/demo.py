"""The demo shop (filled in below)."""


def load_demo(reset: bool = False) -> list[tuple[str, str, str]]:
    return []
