"""One CRUD shape for the configuration resources (teams, tags, mailboxes, ...)."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from frontline.api.auth import Caller, caller
from frontline.api.common import get_or_404, idempotent
from frontline.api.schemas import Error

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def crud(
    router: Router,
    name: str,
    plural: str,
    *,
    queryset: Callable[[Caller], QuerySet],
    to_dict: Callable[[Model], dict],
    schemas: tuple[type, type, type],
    create: Callable[[Caller, dict], Model],
    update: Callable[[Caller, Model, dict], Model] | None,
    delete: Callable[[Caller, Model], None],
    may_change: Callable[[Caller, Model | None], None],
    may_read: Callable[[Caller], None] = lambda c: None,
) -> None:
    """GET/POST /<plural>, GET/PATCH/DELETE /<plural>/<pk> on `router`, each calling
    the given service; `may_read` guards reads, `may_change` writes."""
    out_schema, in_schema, patch_schema = schemas
    tag = [plural]

    def one(c: Caller, pk: int) -> Model:
        may_read(c)
        return get_or_404(queryset(c), f"No such {name}", pk=pk)

    @router.get(
        f"/{plural}",
        response={200: list[out_schema], **ERRORS},
        tags=tag,
        operation_id=f"list_{plural}",
    )
    def list_all(request: HttpRequest):
        c = caller(request)
        may_read(c)
        return [to_dict(obj) for obj in queryset(c)]

    @router.post(
        f"/{plural}",
        response={201: out_schema, **ERRORS},
        tags=tag,
        operation_id=f"create_{name.replace(' ', '_')}",
    )
    def create_one(request: HttpRequest, payload: in_schema):  # type: ignore[valid-type]
        c = caller(request)
        may_change(c, None)

        def made():
            obj = create(c, payload.model_dump())
            return 201, to_dict(queryset(c).get(pk=obj.pk))

        return Status(*idempotent(request, c, payload.model_dump(), made))

    @router.get(
        f"/{plural}/{{pk}}",
        response={200: out_schema, **ERRORS},
        tags=tag,
        operation_id=f"get_{name.replace(' ', '_')}",
    )
    def get_one(request: HttpRequest, pk: int):
        return to_dict(one(caller(request), pk))

    if update is not None:

        @router.patch(
            f"/{plural}/{{pk}}",
            response={200: out_schema, **ERRORS},
            tags=tag,
            operation_id=f"update_{name.replace(' ', '_')}",
        )
        def update_one(request: HttpRequest, pk: int, payload: patch_schema):  # type: ignore[valid-type]
            c = caller(request)
            obj = one(c, pk)
            may_change(c, obj)
            update(c, obj, payload.model_dump(exclude_unset=True))
            return to_dict(one(c, pk))

    @router.delete(
        f"/{plural}/{{pk}}",
        response={204: None, **ERRORS},
        tags=tag,
        operation_id=f"delete_{name.replace(' ', '_')}",
    )
    def delete_one(request: HttpRequest, pk: int):
        c = caller(request)
        obj = one(c, pk)
        may_change(c, obj)
        delete(c, obj)
        return Status(204, None)
