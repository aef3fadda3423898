"""The acting person of the current request, as the workflows want it."""
from flask import g, request
from flask_login import current_user

from workflows.actor import Actor


def current_actor() -> Actor:
    return Actor.for_user(current_user._get_current_object(), ip=request.remote_addr,
                          request_id=g.get("request_id"))
