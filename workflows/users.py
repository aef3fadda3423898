"""Staff accounts: creation, roles, passwords and activation."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Role, User, UserRole, clock
from workflows import role_grants, sessions
from workflows.actor import Actor
from workflows.audit import record, record_change
from workflows.errors import Conflict, InvalidInput, NotAllowed
from workflows.partners import check_partner_alone
from workflows.messages import lazy_gettext as _l
from workflows.passwords import check_strength, hash_password, password_matches


def _check_roles(roles) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in {x.value for x in Role}]
    if unknown or not roles:
        raise InvalidInput(_l("Unknown or missing role: %(roles)s", roles=", ".join(unknown)))
    role_grants.check_admin_alone(roles)
    check_partner_alone(roles)
    return roles


def create_user(session: Session, *, username: str, full_name: str, password: str,
                roles, actor: Actor, must_change_password: bool = True) -> User:
    """Create an account. A password someone else chose is a one-time password: it opens
    only the page where the person picks their own, and who set it is kept. Roles that
    open case data wait for a second person (workflows.role_grants)."""
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").isalnum():
        raise InvalidInput(_l("A username uses letters, digits, dots and underscores only."))
    if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise Conflict(_l("The username %(name)s is already taken.", name=username))
    check_strength(password, username=username, full_name=full_name)
    wanted = _check_roles(roles)
    one_time = must_change_password or actor.user_id is not None
    user = User(username=username, full_name=full_name.strip() or username,
                password_hash=hash_password(password), must_change_password=one_time,
                password_set_by_id=actor.user_id if one_time else None,
                password_set_at=clock.now() if one_time else None, active=True,
                failed_logins=0, failed_codes=0,
                roles=[UserRole(role=r) for r in wanted
                       if not role_grants.needs_confirmation(r, actor)])
    session.add(user)
    record_change(session, actor, "user.create", user, created=True,
                  extra={"roles": [None, ",".join(user.role_names)]})
    for role in wanted:
        if role_grants.needs_confirmation(role, actor):
            role_grants.request(session, user, role, actor=actor)
    return user


def set_roles(session: Session, user: User, roles, *, actor: Actor) -> None:
    """Take away at once; give admin at once; propose the case roles for confirmation."""
    new = _check_roles(roles)
    old = list(user.role_names)
    if actor.user_id == user.id and Role.ADMIN in old and Role.ADMIN not in new:
        raise NotAllowed(_l("You cannot remove your own admin role."))
    added = [r for r in new if r not in old]
    direct = [r for r in added if not role_grants.needs_confirmation(r, actor)]
    if direct or set(old) - set(new):
        user.roles = [r for r in user.roles if r.role in new] + [UserRole(role=r) for r in direct]
        record(session, actor, "user.roles", entity=user,
               diff={"roles": [",".join(old), ",".join(user.role_names)]})
    role_grants.withdraw_unwanted(session, user, new, actor=actor)
    for role in added:
        if role not in direct:
            role_grants.request(session, user, role, actor=actor)


def update_account(session: Session, user: User, *, full_name: str, active: bool,
                   actor: Actor) -> None:
    """The admin's edit of name and activation; a deactivated account is signed out."""
    user.full_name, user.active = full_name, active
    if session.is_modified(user):
        record_change(session, actor, "admin.update.app_user", user)
    if not active:
        sessions.end_user_sessions(session, user, "deactivated", actor=actor)


def change_password(session: Session, user: User, *, current: str, new: str, actor: Actor,
                    keep=None) -> None:
    """The person's own choice; every other session of theirs ends (a stolen cookie
    stops working), ``keep`` (the session making the change) goes on."""
    if not password_matches(user.password_hash, current):
        raise InvalidInput(_l("The current password is wrong."))
    if current == new:
        raise InvalidInput(_l("The new password must differ from the current one."))
    check_strength(new, username=user.username, full_name=user.full_name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_set_by_id = user.password_set_at = None
    record_change(session, actor, "user.password_change", user)
    sessions.end_user_sessions(session, user, "password_change", actor=actor, keep=keep)
