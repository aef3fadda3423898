"""Who does something: a signed-in user or a named system actor, with request context."""
from dataclasses import dataclass

from models import User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    roles: tuple[str, ...] = ()
    ip: str | None = None
    request_id: str | None = None

    @classmethod
    def for_user(cls, user: User, *, ip: str | None = None, request_id: str | None = None):
        return cls(user.id, user.username, user.role_names, ip, request_id)

    @classmethod
    def system(cls, job: str, *, request_id: str | None = None):
        """A job or command that runs without a signed-in person (e.g. the seeder)."""
        return cls(None, f"system:{job}", (), None, request_id)

    @property
    def is_system(self) -> bool:
        """A job or command acting for nobody (made by ``Actor.system``)."""
        return self.user_id is None and self.name.startswith("system:")

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)
