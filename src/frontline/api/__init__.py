"""The JSON API at /api/ (OpenAPI at /api/openapi.json, interactive docs at /api/docs).

Every endpoint: authenticate (token or session), check access with the helpers in
`access.py`, call one service, serialise. Errors are JSON {code, message, details}.
"""

from ninja import NinjaAPI

from frontline.api import config, events, knowledge, mailboxes, people, tickets
from frontline.api.auth import AUTH
from frontline.api.common import install_error_handlers

api = NinjaAPI(
    title="Frontline API",
    version="1",
    description=(
        "Tickets, customers, the knowledge base and workspace configuration. "
        "Authenticate with a personal API token (`Authorization: Bearer fl_…`) or a "
        "signed-in browser session (send `X-Workspace: <slug>` if you belong to several "
        "workspaces). "
        "Errors are JSON: `{code, message, details: [{field, message}]}`."
    ),
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("", tickets.router)
api.add_router("", people.router)
api.add_router("", config.router)
api.add_router("", events.router)
api.add_router("", mailboxes.router)
api.add_router("", knowledge.router)
