"""What a page builds the same way every time, kept per app once built (the menu, the
links to static files). The keys are few by design; ``limit`` guards them all the same:
a full store is emptied and fills again."""
from typing import Callable, Hashable


class Kept:
    """One app's store (the app's Jinja environment holds it, so tests' apps never share)."""

    def __init__(self, limit: int):
        self._limit = limit
        self._made: dict = {}

    def get(self, key: Hashable, make: Callable):
        """``make()``'s value for ``key``, made once."""
        made = self._made.get(key)
        if made is None:
            made = make()
            if len(self._made) >= self._limit:
                self._made.clear()
            self._made[key] = made
        return made
