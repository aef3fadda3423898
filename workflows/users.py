"""Staff accounts: creation, roles, passwords and the sign-in events."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Role, User, UserRole
from workflows.actor import Actor
from workflows.audit import record, record_change
from workflows.errors import Conflict, InvalidInput, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.passwords import MIN_LENGTH, hash_password, needs_rehash, password_matches

_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


def _check_password_policy(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(_l("The password must have at least %(n)d characters.", n=MIN_LENGTH))
    if username.lower() in password.lower():
        raise InvalidInput(_l("The password must not contain the username."))


def _check_roles(roles) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in {x.value for x in Role}]
    if unknown or not roles:
        raise InvalidInput(_l("Unknown or missing role: %(roles)s", roles=", ".join(unknown)))
    return roles


def create_user(session: Session, *, username: str, full_name: str, password: str,
                roles, actor: Actor, must_change_password: bool = True) -> User:
    """Create an account; outside demo mode the person must pick their own password."""
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").isalnum():
        raise InvalidInput(_l("A username uses letters, digits, dots and underscores only."))
    if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise Conflict(_l("The username %(name)s is already taken.", name=username))
    _check_password_policy(password, username)
    user = User(username=username, full_name=full_name.strip() or username,
                password_hash=hash_password(password),
                must_change_password=must_change_password, active=True,
                roles=[UserRole(role=r) for r in _check_roles(roles)])
    session.add(user)
    record_change(session, actor, "user.create", user, created=True,
                  extra={"roles": [None, ",".join(user.role_names)]})
    return user


def set_roles(session: Session, user: User, roles, *, actor: Actor) -> None:
    new = _check_roles(roles)
    old = list(user.role_names)
    if new == old:
        return
    if actor.user_id == user.id and Role.ADMIN in old and Role.ADMIN not in new:
        raise NotAllowed(_l("You cannot remove your own admin role."))
    user.roles = [r for r in user.roles if r.role in new] + [
        UserRole(role=r) for r in new if r not in old]
    record(session, actor, "user.roles", entity=user,
           diff={"roles": [",".join(old), ",".join(new)]})


def change_password(session: Session, user: User, *, current: str, new: str,
                    actor: Actor) -> None:
    if not password_matches(user.password_hash, current):
        raise InvalidInput(_l("The current password is wrong."))
    if current == new:
        raise InvalidInput(_l("The new password must differ from the current one."))
    _check_password_policy(new, user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    record_change(session, actor, "user.password_change", user)


def authenticate(session: Session, username: str, password: str, *, ip: str | None,
                 request_id: str | None) -> User | None:
    """Check a sign-in and record it (success or failure) in the audit log."""
    username = username.strip().lower()
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    # Verify against a dummy hash for unknown users so timing does not reveal accounts.
    ok = password_matches(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        actor = Actor(None, f"anonymous:{username[:60]}", (), ip, request_id)
        record(session, actor, "auth.login_failed", entity=user,
               reason="inactive" if user is not None and ok else "bad credentials")
        return None
    actor = Actor.for_user(user, ip=ip, request_id=request_id)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        record_change(session, actor, "user.password_rehash", user)
    record(session, actor, "auth.login", entity=user)
    return user


def record_logout(session: Session, user: User, *, actor: Actor) -> None:
    record(session, actor, "auth.logout", entity=user)
