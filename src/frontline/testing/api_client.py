"""Speaking to the JSON API as a persona: a client with a bearer token (tests only)."""

import json

import pytest
from django.test import Client

from frontline.accounts.services import create_api_token


class Api:
    """A client that speaks JSON with a bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method, path, body=None, **headers):
        kwargs = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        r = getattr(self.client, method)(f"/api{path}", **kwargs)
        r.data = (
            r.json() if r.content and r["Content-Type"].startswith("application/json") else None
        )
        return r

    def get(self, path, **h):
        return self.call("get", path, **h)

    def post(self, path, body=None, **h):
        return self.call("post", path, body if body is not None else {}, **h)

    def patch(self, path, body, **h):
        return self.call("patch", path, body, **h)

    def delete(self, path, **h):
        return self.call("delete", path, **h)


def api_for(user, workspace) -> Api:
    return Api(create_api_token(workspace, user, "tests")[1])


@pytest.fixture
def as_agent(agent, workspace):
    return api_for(agent, workspace)


@pytest.fixture
def as_admin(admin, workspace):
    return api_for(admin, workspace)


@pytest.fixture
def as_viewer(viewer, workspace):
    return api_for(viewer, workspace)


@pytest.fixture
def as_stranger(stranger, other_workspace):
    return api_for(stranger, other_workspace)
